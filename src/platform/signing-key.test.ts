import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ephemeralSigningKeyRing,
  generateSigningKeyPem,
  keyIdOf,
  loadSigningKeyRing,
  parseSigningKeyFile,
} from './signing-key.js';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'contracta-key-'));
  dirs.push(dir);
  return dir;
}
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => fs.rm(d, { recursive: true, force: true })));
});

const publicPem = (privatePem: string) =>
  String(createPublicKey(createPrivateKey(privatePem)).export({ type: 'spki', format: 'pem' }));

describe('loadSigningKeyRing', () => {
  it('makes a key once in the data directory, mode 0600, and reuses it', async () => {
    const dataDir = path.join(await tempDir(), 'data');
    const first = await loadSigningKeyRing({ dataDir, signingKeyFile: undefined });
    const file = path.join(dataDir, 'signing-key.pem');
    const stat = await fs.stat(file);
    expect(stat.mode & 0o777).toBe(0o600);
    expect(await fs.readFile(file, 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    const second = await loadSigningKeyRing({ dataDir, signingKeyFile: undefined });
    expect(second.current.keyId).toBe(first.current.keyId);
    expect(first.published).toEqual([
      {
        keyId: first.current.keyId,
        algorithm: 'Ed25519',
        publicKeyPem: expect.stringContaining('PUBLIC KEY'),
        current: true,
      },
    ]);
  });

  it('two instances starting together on one data directory end up with the same key', async () => {
    const dataDir = await tempDir();
    const rings = await Promise.all(
      [1, 2, 3].map(() => loadSigningKeyRing({ dataDir, signingKeyFile: undefined })),
    );
    expect(new Set(rings.map((r) => r.current.keyId)).size).toBe(1);
    expect(await fs.readdir(dataDir)).toEqual(['signing-key.pem']);
  });

  it('reads CONTRACTA_SIGNING_KEY_FILE when it is set, and writes nothing in the data directory', async () => {
    const dir = await tempDir();
    const keyFile = path.join(dir, 'platform.pem');
    const pem = generateSigningKeyPem();
    await fs.writeFile(keyFile, pem);
    const dataDir = path.join(dir, 'data');
    const ring = await loadSigningKeyRing({ dataDir, signingKeyFile: keyFile });
    expect(ring.current.keyId).toBe(keyIdOf(createPublicKey(createPrivateKey(pem))));
    await expect(fs.stat(dataDir)).rejects.toThrow();
  });

  it('refuses a configured file that does not exist instead of making a new key', async () => {
    const keyFile = path.join(await tempDir(), 'missing.pem');
    await expect(loadSigningKeyRing({ dataDir: '/nonexistent', signingKeyFile: keyFile })).rejects.toThrow(
      /CONTRACTA_SIGNING_KEY_FILE: cannot read .*missing\.pem \(no such file\)/,
    );
    await expect(fs.stat(keyFile)).rejects.toThrow();
  });

  it('never overwrites a key file it cannot read', async () => {
    const dataDir = await tempDir();
    const file = path.join(dataDir, 'signing-key.pem');
    await fs.writeFile(file, 'garbage');
    await expect(loadSigningKeyRing({ dataDir, signingKeyFile: undefined })).rejects.toThrow(
      /no PEM key found/,
    );
    expect(await fs.readFile(file, 'utf8')).toBe('garbage');
  });
});

describe('parseSigningKeyFile', () => {
  it('signs with the last private key and publishes every key, oldest first (rotation)', () => {
    const retired = generateSigningKeyPem();
    const previous = generateSigningKeyPem();
    const newest = generateSigningKeyPem();
    const ring = parseSigningKeyFile(`${publicPem(retired)}\n${previous}\n${newest}`, 'keys.pem');
    const ids = [retired, previous, newest].map((p) => keyIdOf(createPublicKey(createPrivateKey(p))));
    expect(ring.current.keyId).toBe(ids[2]);
    expect(ring.published.map((k) => [k.keyId, k.current])).toEqual([
      [ids[0], false],
      [ids[1], false],
      [ids[2], true],
    ]);
    const message = Buffer.from('x');
    expect(verify(null, message, ring.current.publicKey, sign(null, message, ring.current.privateKey))).toBe(
      true,
    );
  });

  it('lists a key once even when the file holds both its halves', () => {
    const pem = generateSigningKeyPem();
    const ring = parseSigningKeyFile(`${publicPem(pem)}${pem}`, 'keys.pem');
    expect(ring.published).toHaveLength(1);
  });

  it.each([
    ['no key', 'hello', /no PEM key found/],
    ['public keys only', publicPem(generateSigningKeyPem()), /no private key to sign/],
    [
      'another algorithm',
      String(
        generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({
          type: 'pkcs8',
          format: 'pem',
        }),
      ),
      /Ed25519 key is required, got ec/,
    ],
    [
      'an encrypted key',
      '-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n',
      /"ENCRYPTED PRIVATE KEY" blocks are not supported/,
    ],
    ['a damaged key', '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n', /keys\.pem: key 1/],
  ])('refuses %s', (_name, pem, message) => {
    expect(() => parseSigningKeyFile(pem, 'keys.pem')).toThrow(message);
  });

  it('keeps no private key text: the ring serialises without secret material', () => {
    const pem = generateSigningKeyPem();
    const ring = parseSigningKeyFile(pem, 'keys.pem');
    const raw = createPrivateKey(pem).export({ format: 'jwk' }).d ?? '';
    const json = JSON.stringify(ring);
    expect(json).not.toContain('PRIVATE KEY');
    expect(json).not.toContain(raw);
    expect(JSON.stringify(ephemeralSigningKeyRing())).not.toContain('PRIVATE');
  });
});
