import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sampleReceiptInput } from '../../../test/helpers/receipts.js';
import {
  ephemeralSigningKeyRing,
  generateSigningKeyPem,
  parseSigningKeyFile,
} from '../../platform/signing-key.js';
import { buildReceipt } from './receipt.rules.js';
import { signReceipt } from './receipt.signing.js';
import { verifyReceiptCommand } from './receipt.verify.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'contracta-verify-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const at = (name: string) => path.join(dir, name);

const privatePem = generateSigningKeyPem();
const ring = parseSigningKeyFile(privatePem, 'test');
const file = signReceipt(buildReceipt(sampleReceiptInput(), ring.current.keyId), ring.current);
fs.writeFileSync(at('receipt.json'), JSON.stringify(file, null, 2));
fs.writeFileSync(at('key.pem'), ring.published[0]?.publicKeyPem ?? '');
fs.writeFileSync(at('private.pem'), privatePem);
fs.writeFileSync(at('other.pem'), ephemeralSigningKeyRing().published[0]?.publicKeyPem ?? '');
fs.writeFileSync(
  at('tampered.json'),
  JSON.stringify({ ...file, receipt: { ...file.receipt, receivedAt: '2026-11-30T13:59:59.998Z' } }),
);
fs.writeFileSync(at('not-json.json'), '{ receipt');

describe('verifyReceiptCommand', () => {
  it('reports a valid receipt with its summary', async () => {
    const lines = await verifyReceiptCommand(at('receipt.json'), { key: at('key.pem') });
    expect(lines[0]).toContain(`VALID receipt, signed with platform key ${ring.current.keyId}`);
    expect(lines.join('\n')).toContain('Received at: 2026-11-30T13:59:59.999Z');
  });

  it('accepts the key file itself (its public half is used)', async () => {
    await expect(verifyReceiptCommand(at('receipt.json'), { key: at('private.pem') })).resolves.toBeDefined();
  });

  it.each([
    [
      'a changed receipt',
      'tampered.json',
      { key: 'key.pem' },
      /INVALID receipt\. The signature does not match/,
    ],
    [
      'another key',
      'receipt.json',
      { key: 'other.pem' },
      /signed with key [0-9a-f]{16}, which is not among the keys given/,
    ],
    ['no key option', 'receipt.json', {}, /exactly one of --key PEM_FILE or --url BASE_URL/],
    ['both key options', 'receipt.json', { key: 'key.pem', url: 'http://x' }, /exactly one of/],
    ['a missing receipt', 'missing.json', { key: 'key.pem' }, /Cannot read the receipt .*ENOENT/],
    ['a missing key file', 'receipt.json', { key: 'missing.pem' }, /Cannot read the key file .*ENOENT/],
    ['a file that is not JSON', 'not-json.json', { key: 'key.pem' }, /is not JSON/],
    ['a key file that is not a key', 'receipt.json', { key: 'receipt.json' }, /no PEM key found/],
  ])('refuses %s', async (_name, receipt, opts: { key?: string; url?: string }, message) => {
    const resolved = { ...opts, ...(opts.key ? { key: at(opts.key) } : {}) };
    await expect(verifyReceiptCommand(at(receipt), resolved)).rejects.toThrow(message);
  });

  it('refuses a platform address that does not answer', async () => {
    await expect(verifyReceiptCommand(at('receipt.json'), { url: 'http://127.0.0.1:9' })).rejects.toThrow(
      /Cannot read the platform's keys from http:\/\/127\.0\.0\.1:9\/api\/v1\/receipt-keys/,
    );
  });
});

describe('contracta receipt verify (the CLI)', () => {
  const root = path.resolve(import.meta.dirname, '../../..');
  const cli = (...args: string[]) =>
    spawnSync(
      process.execPath,
      ['--import', 'tsx', path.join(root, 'src/cli.ts'), 'receipt', 'verify', ...args],
      {
        cwd: root,
        encoding: 'utf8',
        env: { ...process.env, CONTRACTA_DATA_DIR: dir },
      },
    );

  it('exits 0 and prints the summary for a valid receipt, 1 with the reason for a changed one', () => {
    const ok = cli(at('receipt.json'), '--key', at('key.pem'));
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain('VALID receipt');
    expect(ok.stdout).toContain('Lots:        1, 3');
    const bad = cli(at('tampered.json'), '--key', at('key.pem'));
    expect(bad.status).toBe(1);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toMatch(/^contracta: .*INVALID receipt/);
  });
});
