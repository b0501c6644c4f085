import { createPublicKey } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReceipt } from '../../src/modules/bids/receipt.rules.js';
import { signReceipt } from '../../src/modules/bids/receipt.signing.js';
import { verifyReceiptCommand } from '../../src/modules/bids/receipt.verify.js';
import { loadConfig } from '../../src/platform/config.js';
import { keyIdOf } from '../../src/platform/signing-key.js';
import { startApp } from '../../src/server.js';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { driverName } from '../helpers/db.js';
import { sampleReceiptInput } from '../helpers/receipts.js';

type KeysBody = { keys: { keyId: string; algorithm: string; publicKeyPem: string; current: boolean }[] };

describe(`GET /api/v1/receipt-keys (${driverName})`, () => {
  let t: TestApp;
  let tmp: string;
  beforeAll(async () => {
    t = await buildTestApp();
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'contracta-receipt-keys-'));
  });
  afterAll(async () => {
    await t.close();
    await fs.rm(tmp, { recursive: true, force: true });
  });

  it('publishes the signing key as SPKI PEM with its keyId, to anyone', async () => {
    const res = await t.app.inject('/api/v1/receipt-keys');
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('public, max-age=300');
    const body = res.json() as KeysBody;
    expect(body.keys).toHaveLength(1);
    const [key] = body.keys;
    expect(key).toMatchObject({
      keyId: t.app.deps.signingKey.current.keyId,
      algorithm: 'Ed25519',
      current: true,
    });
    expect(keyIdOf(createPublicKey(key?.publicKeyPem ?? ''))).toBe(key?.keyId);
    expect(res.body).not.toContain('PRIVATE');
  });

  it('is described in the OpenAPI document', async () => {
    const doc = (await t.app.inject('/api/openapi.json')).json() as { paths: Record<string, unknown> };
    expect(doc.paths['/api/v1/receipt-keys']).toBeDefined();
  });

  it('lets `contracta receipt verify --url` check a receipt the app signed', async () => {
    const key = t.app.deps.signingKey.current;
    const file = signReceipt(buildReceipt(sampleReceiptInput(), key.keyId), key);
    const receiptFile = path.join(tmp, 'receipt.json');
    await fs.writeFile(receiptFile, JSON.stringify(file));
    const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const lines = await verifyReceiptCommand(receiptFile, { url: `${address}/` });
    expect(lines[0]).toContain(`VALID receipt, signed with platform key ${key.keyId}`);
    await fs.writeFile(receiptFile, JSON.stringify({ ...file, receipt: { ...file.receipt, sequence: 18 } }));
    await expect(verifyReceiptCommand(receiptFile, { url: address })).rejects.toThrow(/INVALID receipt/);
  });
});

describe('startApp and the signing key', () => {
  it('refuses to start with a configured key file that is missing, before opening the database', async () => {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'contracta-start-'));
    try {
      const config = loadConfig({
        CONTRACTA_DATA_DIR: dataDir,
        CONTRACTA_SIGNING_KEY_FILE: path.join(dataDir, 'missing.pem'),
        LOG_LEVEL: 'silent',
      });
      await expect(startApp(config)).rejects.toThrow(/CONTRACTA_SIGNING_KEY_FILE: cannot read/);
      expect(await fs.readdir(dataDir)).toEqual([]);
    } finally {
      await fs.rm(dataDir, { recursive: true, force: true });
    }
  });
});
