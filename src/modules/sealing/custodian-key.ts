/**
 * Custodian keys: age X25519 identities made on the custodian's own device. Only the recipient
 * (`age1…`) and its fingerprint ever reach the server; the identity stays on the device, in clear in a
 * 0600 file (CLI) or passphrase-encrypted with age's scrypt recipient (browser download, or the CLI
 * with a passphrase). Isomorphic: no node:* imports.
 */
import { armor, Decrypter, Encrypter, generateX25519Identity, identityToRecipient } from 'age-encryption';
import { DomainError } from '../../platform/errors.js';
import { fromUtf8, sha256Hex, utf8 } from './bytes.js';

export type CustodianKey = { identity: string; recipient: string; fingerprint: string };

/** age's default scrypt work factor (2^18); tests pass a lower one to stay fast. */
export const DEFAULT_SCRYPT_WORK_FACTOR = 18;

const IDENTITY = /^AGE-SECRET-KEY-1[02-9AC-HJ-NP-Z]{58}$/;
const ARMOR_BEGIN = '-----BEGIN AGE ENCRYPTED FILE-----';

/** First 16 hex digits of SHA-256 of the recipient string: short enough to read aloud and compare. */
export function recipientFingerprint(recipient: string): string {
  return sha256Hex(utf8(recipient)).slice(0, 16);
}

export async function generateCustodianKey(): Promise<CustodianKey> {
  const identity = await generateX25519Identity();
  const recipient = await identityToRecipient(identity);
  return { identity, recipient, fingerprint: recipientFingerprint(recipient) };
}

/**
 * The identity file in the format `age-keygen` writes, so that the plain `age` tool can also use it
 * (`age -d -i FILE share-1.age`).
 */
export function formatIdentityFile(key: CustodianKey, createdAt: Date): string {
  return [
    `# created: ${createdAt.toISOString()}`,
    `# public key: ${key.recipient}`,
    `# fingerprint: ${key.fingerprint}`,
    key.identity,
    '',
  ].join('\n');
}

/** Extracts the single X25519 identity of an identity file; comments and blank lines are ignored. */
export function parseIdentityFile(text: string): string {
  const keys = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0 && !l.startsWith('#'));
  const [identity] = keys;
  if (keys.length !== 1 || identity === undefined || !IDENTITY.test(identity)) {
    throw new DomainError('UNPROCESSABLE', 'The identity file must hold exactly one AGE-SECRET-KEY-1 line');
  }
  return identity;
}

export function isProtectedIdentity(text: string): boolean {
  return text.trimStart().startsWith(ARMOR_BEGIN);
}

/**
 * Encrypts an identity file with a passphrase (age scrypt), armored so that it can be saved and
 * pasted as text. Same format as `age -p -a`, so `age -d` unlocks it too.
 */
export async function protectIdentity(
  identityFile: string,
  passphrase: string,
  options: { workFactor?: number } = {},
): Promise<string> {
  if (passphrase.length === 0) throw new DomainError('UNPROCESSABLE', 'The passphrase is empty');
  const e = new Encrypter();
  e.setPassphrase(passphrase);
  e.setScryptWorkFactor(options.workFactor ?? DEFAULT_SCRYPT_WORK_FACTOR);
  return armor.encode(await e.encrypt(utf8(identityFile)));
}

/** Decrypts a protected identity file and returns the identity; a wrong passphrase is UNPROCESSABLE. */
export async function unlockIdentity(armored: string, passphrase: string): Promise<string> {
  let plain: Uint8Array;
  try {
    const d = new Decrypter();
    d.addPassphrase(passphrase);
    plain = await d.decrypt(armor.decode(armored));
  } catch {
    // age cannot tell a wrong passphrase from a damaged file; neither can we.
    throw new DomainError(
      'UNPROCESSABLE',
      'The passphrase does not unlock this identity file (or it is damaged)',
    );
  }
  return parseIdentityFile(fromUtf8(plain));
}

/** Reads an identity file, protected or not (a protected one needs the passphrase). */
export async function loadIdentity(text: string, passphrase?: string): Promise<string> {
  if (!isProtectedIdentity(text)) return parseIdentityFile(text);
  if (passphrase === undefined) {
    throw new DomainError('UNPROCESSABLE', 'This identity file is passphrase-protected: give the passphrase');
  }
  return unlockIdentity(text, passphrase);
}
