import { createHash, generateKeyPairSync } from 'node:crypto';
import { bech32Encode, fingerprintOf, RECIPIENT_HRP } from './custodian-key.rules.js';

/** The fingerprint of a recipient on the server: first 16 hex digits of its SHA-256. */
export function recipientFingerprint(recipient: string): string {
  return fingerprintOf(recipient, (text) => createHash('sha256').update(text, 'utf8').digest('hex'));
}

/**
 * A fresh age X25519 key pair made with node:crypto: the identity (`AGE-SECRET-KEY-1…`, Bech32 in
 * upper case as age writes it) and its recipient (`age1…`). The raw 32-byte private scalar is what
 * age stores; clamping happens when the key is used, in age as in node.
 *
 * For the demo seed and the tests only: a real custodian makes their key on their own device
 * (`contracta custodian keygen` or the browser page), so that the server never sees it.
 */
export function generateCustodianKeyPair(): { identity: string; recipient: string } {
  const { publicKey, privateKey } = generateKeyPairSync('x25519');
  const pub = publicKey.export({ format: 'jwk' }).x;
  const priv = privateKey.export({ format: 'jwk' }).d;
  if (!pub || !priv) throw new Error('x25519 key export failed');
  return {
    identity: bech32Encode('age-secret-key-', Buffer.from(priv, 'base64url')).toUpperCase(),
    recipient: bech32Encode(RECIPIENT_HRP, Buffer.from(pub, 'base64url')),
  };
}
