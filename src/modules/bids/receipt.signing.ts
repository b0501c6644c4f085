import { sign, verify, type KeyObject } from 'node:crypto';
import { keyIdOf, type SigningKey } from '../../platform/signing-key.js';
import { type AnyReceipt, parseReceiptFile, type ReceiptFile, receiptBytes } from './receipt.rules.js';

/**
 * Ed25519 signatures over a receipt's canonical bytes (RFC 8032 "pure" Ed25519: the message is
 * signed as is, not a digest of it, which is what `openssl pkeyutl -rawin` verifies).
 */

export { keyIdOf };

/** Signs a receipt with the platform's current key; the receipt must already name that key. */
export function signReceipt<R extends AnyReceipt>(
  receipt: R,
  key: SigningKey,
): { receipt: R; signature: string } {
  if (receipt.keyId !== key.keyId)
    throw new Error(`The receipt names key ${receipt.keyId} but would be signed with ${key.keyId}`);
  const signature = sign(null, receiptBytes(receipt), key.privateKey).toString('base64');
  return { receipt, signature };
}

/** A public key a verifier trusts, with its keyId. */
export type VerificationKey = { keyId: string; publicKey: KeyObject };

export type ReceiptVerification =
  | { ok: true; file: ReceiptFile; keyId: string }
  | {
      ok: false;
      /** MALFORMED: not a receipt file; UNKNOWN_KEY: signed by none of the given keys; BAD_SIGNATURE: altered or forged. */
      reason: 'MALFORMED' | 'UNKNOWN_KEY' | 'BAD_SIGNATURE';
      message: string;
    };

/**
 * Verifies a parsed receipt file against trusted public keys: the shape, then the key the receipt
 * names, then the signature over the canonical bytes. Changing any field changes those bytes, so
 * any change is caught; the keyId itself is signed, so it cannot be switched to another key.
 */
export function verifyReceiptFile(value: unknown, keys: readonly VerificationKey[]): ReceiptVerification {
  const parsed = parseReceiptFile(value);
  if (!parsed.ok)
    return {
      ok: false,
      reason: 'MALFORMED',
      message: `Not a valid receipt file: ${parsed.problems.join('; ')}`,
    };
  const { receipt, signature } = parsed.file;
  // The keyId is recomputed from each trusted key rather than taken from the caller's label.
  const key = keys.find((k) => keyIdOf(k.publicKey) === receipt.keyId);
  if (!key) {
    const known = keys.map((k) => keyIdOf(k.publicKey)).join(', ') || 'none';
    return {
      ok: false,
      reason: 'UNKNOWN_KEY',
      message: `The receipt was signed with key ${receipt.keyId}, which is not among the keys given (${known})`,
    };
  }
  const valid = verify(null, receiptBytes(receipt), key.publicKey, Buffer.from(signature, 'base64'));
  if (!valid)
    return {
      ok: false,
      reason: 'BAD_SIGNATURE',
      message: `The signature does not match the receipt's contents: the receipt was altered or not signed by key ${receipt.keyId}`,
    };
  return { ok: true, file: parsed.file, keyId: receipt.keyId };
}
