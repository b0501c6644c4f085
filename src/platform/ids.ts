import { createHash, randomBytes, randomUUID } from 'node:crypto';

/** A new random identifier for a row (UUID v4). */
export function newId(): string {
  return randomUUID();
}

/** A secret token for the URL or a header: 32 random bytes, base64url. */
export function newSecretToken(prefix = ''): string {
  return prefix + randomBytes(32).toString('base64url');
}

/**
 * SHA-256 of a secret token, hex. Tokens have 256 bits of entropy, so a fast hash is enough
 * (no salt or slow KDF needed); storing only the hash means a database leak reveals no usable token.
 */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether a string is a UUID (any case): what every row id and path id looks like. */
export function isUuid(value: string): boolean {
  return UUID_RE.test(value);
}
