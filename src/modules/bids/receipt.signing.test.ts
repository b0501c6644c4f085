import { spawnSync } from 'node:child_process';
import { createHash, generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sampleReceiptInput } from '../../../test/helpers/receipts.js';
import { canonicalJson } from '../../platform/canonical-json.js';
import { ephemeralSigningKeyRing, keyIdOf, parseSigningKeyFile } from '../../platform/signing-key.js';
import { type BidReceipt, buildReceipt, receiptBytes, receiptProblems } from './receipt.rules.js';
import { signReceipt, type VerificationKey, verifyReceiptFile } from './receipt.signing.js';

const ring = ephemeralSigningKeyRing();
const trusted: VerificationKey[] = [{ keyId: ring.current.keyId, publicKey: ring.current.publicKey }];
const signed = () => signReceipt(buildReceipt(sampleReceiptInput(), ring.current.keyId), ring.current);

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Every leaf of a JSON value, as a path of keys and indexes. */
function leafPaths(value: Json, prefix: (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(value)) return value.flatMap((v, i) => leafPaths(v, [...prefix, i]));
  if (value !== null && typeof value === 'object')
    return Object.entries(value).flatMap(([k, v]) => leafPaths(v, [...prefix, k]));
  return [prefix];
}

/** Changes one character (or the number) at a leaf, keeping the value well formed where it can. */
function nudge(v: Json): Json {
  if (typeof v === 'number') return v + 1;
  if (typeof v !== 'string') return v;
  if (/^\d{4}-.*\.\d{3}Z$/.test(v)) return new Date(Date.parse(v) + 1).toISOString();
  const last = v.at(-1) ?? '';
  const next = /\d/.test(last)
    ? String((Number(last) + 1) % 10)
    : /[a-f]/.test(last)
      ? 'abcdef'[('abcdef'.indexOf(last) + 1) % 6]
      : /[A-Z]/.test(last)
        ? String.fromCharCode(((last.charCodeAt(0) - 65 + 1) % 26) + 65)
        : /[a-z]/.test(last)
          ? String.fromCharCode(((last.charCodeAt(0) - 97 + 1) % 26) + 97)
          : '0';
  return v.slice(0, -1) + next;
}

function withLeaf(receipt: BidReceipt, at: (string | number)[], change: (v: Json) => Json): BidReceipt {
  const copy = JSON.parse(JSON.stringify(receipt)) as Json;
  let node = copy as Record<string | number, Json>;
  for (const k of at.slice(0, -1)) node = node[k] as Record<string | number, Json>;
  const k = at.at(-1) as string | number;
  node[k] = change(node[k] as Json);
  return copy as unknown as BidReceipt;
}

/** Every single-field change, plus structural ones (a field added, a lot removed, files reordered). */
function tamperings(receipt: BidReceipt): [string, BidReceipt][] {
  const leaves = leafPaths(receipt as unknown as Json).map((p): [string, BidReceipt] => [
    p.join('.'),
    withLeaf(receipt, p, nudge),
  ]);
  const envelopeA = receipt.envelopes[0];
  if (!envelopeA) throw new Error('fixture');
  return [
    ...leaves,
    ['added field', { ...receipt, note: 'x' } as unknown as BidReceipt],
    ['lot removed', { ...receipt, lots: receipt.lots.slice(1) }],
    [
      'files reordered',
      {
        ...receipt,
        envelopes: [{ ...envelopeA, files: [...envelopeA.files].reverse() }, ...receipt.envelopes.slice(1)],
      },
    ],
    ['envelope removed', { ...receipt, envelopes: receipt.envelopes.slice(0, 1) }],
  ];
}

describe('receipt signatures', () => {
  it('keyId is the first 16 hex digits of the SHA-256 of the SPKI DER', () => {
    const der = ring.current.publicKey.export({ type: 'spki', format: 'der' });
    expect(ring.current.keyId).toBe(createHash('sha256').update(der).digest('hex').slice(0, 16));
    expect(keyIdOf(ring.current.publicKey)).toBe(ring.current.keyId);
  });

  it('a signed receipt verifies with the platform key', () => {
    const file = signed();
    expect(Buffer.from(file.signature, 'base64')).toHaveLength(64);
    const result = verifyReceiptFile(JSON.parse(JSON.stringify(file)), trusted);
    expect(result).toMatchObject({ ok: true, keyId: ring.current.keyId });
  });

  it('signing is deterministic (Ed25519): the same receipt gives the same signature', () => {
    expect(signed().signature).toBe(signed().signature);
  });

  it('refuses to sign a receipt naming another key', () => {
    const receipt = buildReceipt(sampleReceiptInput(), 'ffffffffffffffff');
    expect(() => signReceipt(receipt, ring.current)).toThrow(/names key ffffffffffffffff/);
  });

  it('a receipt signed by another key is refused as UNKNOWN_KEY, even if it claims our keyId', () => {
    const other = ephemeralSigningKeyRing();
    const foreign = signReceipt(buildReceipt(sampleReceiptInput(), other.current.keyId), other.current);
    expect(verifyReceiptFile(foreign, trusted)).toMatchObject({ ok: false, reason: 'UNKNOWN_KEY' });
    // A forger who writes our keyId into the receipt still cannot produce our signature.
    const claimed = buildReceipt(sampleReceiptInput(), ring.current.keyId);
    const forged = {
      receipt: claimed,
      signature: signReceipt({ ...claimed, keyId: other.current.keyId }, other.current).signature,
    };
    expect(verifyReceiptFile(forged, trusted)).toMatchObject({ ok: false, reason: 'BAD_SIGNATURE' });
  });

  it('checks the keyId against the key itself, not the label it was given with', () => {
    const other = generateKeyPairSync('ed25519').publicKey;
    const mislabelled: VerificationKey[] = [{ keyId: ring.current.keyId, publicKey: other }];
    expect(verifyReceiptFile(signed(), mislabelled)).toMatchObject({ ok: false, reason: 'UNKNOWN_KEY' });
  });

  it('any change to the receipt fails verification', () => {
    const file = signed();
    const cases = tamperings(file.receipt);
    expect(cases.length).toBeGreaterThan(20);
    for (const [name, receipt] of cases) {
      const result = verifyReceiptFile({ receipt, signature: file.signature }, trusted);
      expect(result.ok, name).toBe(false);
      // A change that keeps the receipt well formed is caught by the signature itself.
      if (!result.ok && receiptProblems(receipt).length === 0 && name !== 'keyId')
        expect(result.reason, name).toBe('BAD_SIGNATURE');
    }
  });

  it('a changed signature fails verification', () => {
    const file = signed();
    const sig = Buffer.from(file.signature, 'base64');
    sig[10] = (sig[10] ?? 0) ^ 1;
    expect(verifyReceiptFile({ ...file, signature: sig.toString('base64') }, trusted)).toMatchObject({
      ok: false,
      reason: 'BAD_SIGNATURE',
    });
  });
});

/**
 * The offline check with openssl, exactly as docs/RECEIPTS.md writes it. Ed25519 in `openssl
 * pkeyutl` needs `-rawin`, which OpenSSL 3.0 introduced; with an older openssl, or none, these
 * tests are skipped and say so.
 */
const OPENSSL_VERIFY =
  'openssl pkeyutl -verify -pubin -inkey key.pem -rawin -in receipt.bin -sigfile receipt.sig';
const JQ_BYTES = 'jq -jcS .receipt receipt.json > receipt.bin';
const NODE_BYTES =
  'node -e \'const c=v=>Array.isArray(v)?"["+v.map(c)+"]":v&&typeof v=="object"?"{"+Object.keys(v).sort().map(k=>JSON.stringify(k)+":"+c(v[k]))+"}":JSON.stringify(v);process.stdout.write(c(JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")).receipt))\' receipt.json > receipt.bin';
const JQ_SIGNATURE = 'jq -r .signature receipt.json | openssl base64 -d -A > receipt.sig';
const NODE_SIGNATURE =
  'node -e \'process.stdout.write(Buffer.from(JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")).signature,"base64"))\' receipt.json > receipt.sig';
const OPENSSL_KEY_ID = 'openssl pkey -pubin -in key.pem -outform DER | openssl dgst -sha256 -r | cut -c1-16';

function toolVersion(cmd: string, args: string[]): string | undefined {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}
const opensslVersion = toolVersion('openssl', ['version']);
const opensslMajor = Number(/OpenSSL (\d+)\./.exec(opensslVersion ?? '')?.[1] ?? 0);
const opensslSkip = !opensslVersion
  ? 'SKIPPED: openssl is not on PATH'
  : opensslMajor < 3
    ? `SKIPPED: ${opensslVersion} has no -rawin for Ed25519 (OpenSSL 3.0 or later is needed)`
    : '';
const hasJq = toolVersion('jq', ['--version']) !== undefined;
if (opensslSkip) console.warn(`receipt.signing.test.ts: openssl checks ${opensslSkip}`);

describe.skipIf(Boolean(opensslSkip))(
  `verification with openssl ${opensslSkip || `(${opensslVersion})`}`,
  () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'contracta-receipt-'));
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
    const sh = (command: string) => spawnSync('sh', ['-c', command], { cwd: dir, encoding: 'utf8' });
    const write = (name: string, data: string | Uint8Array) => fs.writeFileSync(path.join(dir, name), data);
    const read = (name: string) => fs.readFileSync(path.join(dir, name));

    it('docs/RECEIPTS.md shows the commands this test runs', () => {
      const doc = fs.readFileSync(new URL('../../../docs/RECEIPTS.md', import.meta.url), 'utf8');
      for (const command of [
        OPENSSL_VERIFY,
        JQ_BYTES,
        NODE_BYTES,
        JQ_SIGNATURE,
        NODE_SIGNATURE,
        OPENSSL_KEY_ID,
      ])
        expect(doc).toContain(command);
    });

    it('verifies a receipt file with the documented commands (node extraction)', () => {
      const file = signed();
      write('receipt.json', JSON.stringify(file, null, 2));
      write('key.pem', ring.published[0]?.publicKeyPem ?? '');
      expect(sh(NODE_BYTES).status).toBe(0);
      expect(sh(NODE_SIGNATURE).status).toBe(0);
      expect(read('receipt.bin').equals(Buffer.from(receiptBytes(file.receipt)))).toBe(true);
      const r = sh(OPENSSL_VERIFY);
      expect(r.stdout + r.stderr).toContain('Signature Verified Successfully');
      expect(r.status).toBe(0);
      expect(sh(OPENSSL_KEY_ID).stdout.trim()).toBe(ring.current.keyId);
    });

    it.skipIf(!hasJq)(`verifies with jq extraction${hasJq ? '' : ' — SKIPPED: jq is not on PATH'}`, () => {
      const file = signed();
      write('receipt.json', JSON.stringify(file, null, 2));
      write('key.pem', ring.published[0]?.publicKeyPem ?? '');
      expect(sh(JQ_BYTES).status).toBe(0);
      expect(sh(JQ_SIGNATURE).status).toBe(0);
      expect(read('receipt.bin').equals(Buffer.from(receiptBytes(file.receipt)))).toBe(true);
      expect(sh(OPENSSL_VERIFY).status).toBe(0);
    });

    it('openssl refuses every changed receipt too', () => {
      const file = signed();
      write('key.pem', ring.published[0]?.publicKeyPem ?? '');
      write('receipt.sig', Buffer.from(file.signature, 'base64'));
      for (const [name, receipt] of tamperings(file.receipt)) {
        write('receipt.bin', canonicalJson(receipt));
        const r = sh(OPENSSL_VERIFY);
        expect(r.status, name).not.toBe(0);
        expect(r.stdout + r.stderr, name).toContain('Signature Verification Failure');
      }
    });

    it('signs with a key file made by openssl genpkey (the rotation procedure) and openssl verifies it', () => {
      expect(
        sh('openssl genpkey -algorithm ed25519 -out own.pem && openssl pkey -in own.pem -pubout -out key.pem')
          .status,
      ).toBe(0);
      const own = parseSigningKeyFile(read('own.pem').toString(), 'own.pem');
      const file = signReceipt(buildReceipt(sampleReceiptInput(), own.current.keyId), own.current);
      write('receipt.bin', receiptBytes(file.receipt));
      write('receipt.sig', Buffer.from(file.signature, 'base64'));
      expect(sh(OPENSSL_VERIFY).status).toBe(0);
      expect(sh(OPENSSL_KEY_ID).stdout.trim()).toBe(own.current.keyId);
    });
  },
);
