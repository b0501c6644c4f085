import { createPublicKey, diffieHellman, generateKeyPairSync } from 'node:crypto';
import { Encrypter, identityToRecipient } from 'age-encryption';
import { describe, expect, it } from 'vitest';
import { generateCustodianKeyPair, recipientFingerprint } from './custodian-key.crypto.js';
import { bech32Decode, bech32Encode, buildSealingTarget, checkRecipient } from './custodian-key.rules.js';

/** The example recipient of age's README. */
const AGE_EXAMPLE = 'age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p';

describe('Bech32 (BIP-173)', () => {
  it('accepts the specification’s valid strings and refuses mixed case and bad checksums', () => {
    for (const valid of ['A12UEL5L', 'a12uel5l', 'abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw']) {
      expect(bech32Decode(valid), valid).toBeDefined();
    }
    for (const invalid of ['A12uEL5L', 'a12uel5m', 'pzry9x0s0muk', '1pzry9x0s0muk', 'x1b4n0q5v']) {
      expect(bech32Decode(invalid), invalid).toBeUndefined();
    }
  });

  it('round-trips bytes', () => {
    const bytes = Uint8Array.from({ length: 32 }, (_, i) => i * 7);
    const decoded = bech32Decode(bech32Encode('age', bytes));
    expect(decoded?.hrp).toBe('age');
    expect([...(decoded?.bytes ?? [])]).toEqual([...bytes]);
  });
});

describe('checkRecipient', () => {
  it('accepts age’s own example and keys made by age-encryption, in canonical form', async () => {
    expect(checkRecipient(AGE_EXAMPLE)).toEqual({ ok: true, recipient: AGE_EXAMPLE });
    expect(checkRecipient(`\n ${AGE_EXAMPLE.toUpperCase()} \t`)).toEqual({
      ok: true,
      recipient: AGE_EXAMPLE,
    });
    const { generateX25519Identity } = await import('age-encryption');
    const recipient = await identityToRecipient(await generateX25519Identity());
    expect(checkRecipient(recipient)).toEqual({ ok: true, recipient });
  });

  it('names the problem of what is not an X25519 recipient', () => {
    const problem = (s: string) => {
      const r = checkRecipient(s);
      return r.ok ? 'ok' : r.problem;
    };
    expect(problem('')).toBe('empty');
    expect(problem('AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEX')).toBe(
      'identity',
    );
    expect(problem('ssh-ed25519 AAAAC3Nza')).toBe('prefix');
    expect(problem(AGE_EXAMPLE.slice(0, 61))).toBe('length');
    expect(problem(`${AGE_EXAMPLE.slice(0, 61)}b`)).toBe('characters');
    expect(problem(`${AGE_EXAMPLE.slice(0, 61)}q`)).toBe('checksum');
    // A different human-readable part with a valid checksum is not an age recipient either.
    expect(problem(bech32Encode('agf', new Uint8Array(32)).replace('agf1', 'age1'))).toBe('checksum');
    expect(problem(bech32Encode('age', new Uint8Array(32)))).toBe('weak_key');
  });

  it('refuses exactly the points node:crypto cannot agree a key with', () => {
    const { privateKey } = generateKeyPairSync('x25519');
    const spki = (raw: Uint8Array) =>
      createPublicKey({
        key: Buffer.concat([Buffer.from('302a300506032b656e032100', 'hex'), raw]),
        format: 'der',
        type: 'spki',
      });
    const weak = [
      '0000000000000000000000000000000000000000000000000000000000000000',
      '0100000000000000000000000000000000000000000000000000000000000000',
      'e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800',
      '5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157',
      'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
    ];
    for (const hex of weak) {
      const raw = Buffer.from(hex, 'hex');
      // OpenSSL refuses the all-zero shared secret a small-order point gives.
      expect(() => diffieHellman({ privateKey, publicKey: spki(raw) }), hex).toThrow();
      expect(checkRecipient(bech32Encode('age', raw)), hex).toEqual({ ok: false, problem: 'weak_key' });
      // The top bit is ignored by X25519: the same point with it set is refused too.
      const high = Uint8Array.from(raw);
      high[31] = (high[31] ?? 0) | 0x80;
      expect(checkRecipient(bech32Encode('age', high)), `${hex} high`).toEqual({
        ok: false,
        problem: 'weak_key',
      });
    }
  });
});

describe('generateCustodianKeyPair', () => {
  it('makes a real age key pair: age-encryption derives the recipient and encrypts to it', async () => {
    const { identity, recipient } = generateCustodianKeyPair();
    expect(identity).toMatch(/^AGE-SECRET-KEY-1[0-9A-Z]{58}$/);
    expect(await identityToRecipient(identity)).toBe(recipient);
    expect(checkRecipient(recipient)).toEqual({ ok: true, recipient });
    const e = new Encrypter();
    e.addRecipient(recipient);
    expect((await e.encrypt('x')).length).toBeGreaterThan(100);
  });

  it('fingerprints the recipient string with SHA-256 (16 hex digits)', () => {
    expect(recipientFingerprint(AGE_EXAMPLE)).toMatch(/^[0-9a-f]{16}$/);
    expect(recipientFingerprint(AGE_EXAMPLE)).toBe(recipientFingerprint(AGE_EXAMPLE));
    expect(recipientFingerprint(AGE_EXAMPLE)).not.toBe(
      recipientFingerprint(generateCustodianKeyPair().recipient),
    );
  });
});

describe('buildSealingTarget', () => {
  const key = (user: string) => ({
    id: `k-${user}`,
    user_id: user,
    recipient: `r-${user}`,
    fingerprint: `f-${user}`,
  });

  it('numbers the custodians 1..n by user id, whatever the order given', () => {
    const r = buildSealingTarget(['c', 'a', 'b', 'a'], [key('b'), key('c'), key('a')], 2);
    expect(r).toEqual({
      ok: true,
      target: {
        quorum: 2,
        custodians: [
          { index: 1, keyId: 'k-a', recipient: 'r-a', fingerprint: 'f-a' },
          { index: 2, keyId: 'k-b', recipient: 'r-b', fingerprint: 'f-b' },
          { index: 3, keyId: 'k-c', recipient: 'r-c', fingerprint: 'f-c' },
        ],
      },
    });
  });

  it('names the custodians without a key', () => {
    expect(buildSealingTarget(['a', 'b', 'c'], [key('b')], 2)).toEqual({ ok: false, missing: ['a', 'c'] });
  });
});
