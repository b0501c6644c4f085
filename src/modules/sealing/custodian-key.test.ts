import { describe, expect, it } from 'vitest';
import { sha256Hex, utf8 } from './bytes.js';
import {
  formatIdentityFile,
  generateCustodianKey,
  isProtectedIdentity,
  loadIdentity,
  parseIdentityFile,
  protectIdentity,
  recipientFingerprint,
  unlockIdentity,
} from './custodian-key.js';

describe('custodian keys', () => {
  it('generates an age X25519 identity with its recipient and a 16-hex fingerprint of the recipient', async () => {
    const key = await generateCustodianKey();
    expect(key.identity).toMatch(/^AGE-SECRET-KEY-1[0-9A-Z]{58}$/);
    expect(key.recipient).toMatch(/^age1[0-9a-z]{58}$/);
    expect(key.fingerprint).toBe(sha256Hex(utf8(key.recipient)).slice(0, 16));
    expect(recipientFingerprint(key.recipient)).toMatch(/^[0-9a-f]{16}$/);
  });

  it('writes and reads the age-keygen file format', async () => {
    const key = await generateCustodianKey();
    const text = formatIdentityFile(key, new Date('2026-03-02T10:00:00Z'));
    expect(text).toContain(`# public key: ${key.recipient}`);
    expect(parseIdentityFile(text)).toBe(key.identity);
    expect(await loadIdentity(text)).toBe(key.identity);
    expect(() => parseIdentityFile(`${text}\n${key.identity}\n`)).toThrow(
      expect.objectContaining({ code: 'UNPROCESSABLE' }),
    );
    expect(() => parseIdentityFile('# nothing here\n')).toThrow(
      expect.objectContaining({ code: 'UNPROCESSABLE' }),
    );
  });

  it('protects an identity with a passphrase (age scrypt, armored) and unlocks it only with that passphrase', async () => {
    const key = await generateCustodianKey();
    const text = formatIdentityFile(key, new Date('2026-03-02T10:00:00Z'));
    const armored = await protectIdentity(text, 'correct horse battery staple', { workFactor: 10 });
    expect(isProtectedIdentity(armored)).toBe(true);
    expect(armored).not.toContain(key.identity);
    expect(armored).not.toContain(key.identity.slice(16, 40));
    expect(await unlockIdentity(armored, 'correct horse battery staple')).toBe(key.identity);
    expect(await loadIdentity(armored, 'correct horse battery staple')).toBe(key.identity);
    await expect(unlockIdentity(armored, 'wrong')).rejects.toMatchObject({ code: 'UNPROCESSABLE' });
    await expect(loadIdentity(armored)).rejects.toMatchObject({ code: 'UNPROCESSABLE' });
    await expect(protectIdentity(text, '')).rejects.toMatchObject({ code: 'UNPROCESSABLE' });
  });
});
