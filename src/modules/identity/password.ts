import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { DomainError } from '../../platform/errors.js';

/**
 * scrypt parameters. N = 2^15, r = 8 costs 32 MiB and tens of milliseconds per hash: slow enough
 * to make offline guessing expensive, fast enough for sign-in. They are stored with each hash so
 * they can be raised later without invalidating old hashes.
 */
const N = 2 ** 15;
const R = 8;
const P = 1;
const KEYLEN = 32;
const MAXMEM = 64 * 1024 * 1024;

function scryptAsync(password: string, salt: Buffer, n: number, r: number, p: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, KEYLEN, { N: n, r, p, maxmem: MAXMEM }, (err, key) =>
      err ? reject(err) : resolve(key),
    );
  });
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, N, R, P);
  return `scrypt$${N}$${R}$${P}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, key] = stored.split('$');
  if (scheme !== 'scrypt' || !n || !r || !p || !salt || !key) return false;
  const expected = Buffer.from(key, 'base64url');
  const actual = await scryptAsync(password, Buffer.from(salt, 'base64url'), Number(n), Number(r), Number(p));
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** A hash of a random password: verifying against it costs the same as a real one (no user enumeration by timing). */
export const DUMMY_HASH_PROMISE: Promise<string> = hashPassword(randomBytes(16).toString('hex'));

export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 200;

/**
 * Length-based policy, as NIST SP 800-63B §5.1.1.2 recommends (no composition rules), plus a
 * refusal of a password that contains the email's local part.
 */
export function checkPasswordPolicy(password: string, email?: string): void {
  if (password.length < PASSWORD_MIN || password.length > PASSWORD_MAX) {
    throw new DomainError(
      'WEAK_PASSWORD',
      `The password must have ${PASSWORD_MIN} to ${PASSWORD_MAX} characters`,
    );
  }
  const local = email?.split('@')[0]?.toLowerCase();
  if (local && local.length >= 4 && password.toLowerCase().includes(local)) {
    throw new DomainError('WEAK_PASSWORD', 'The password must not contain your email address');
  }
}
