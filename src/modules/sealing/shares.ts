/**
 * Shares of an envelope identity: Shamir split (k of n), the context-bound share payload, its age
 * wrapping to custodian i, and the checks the opening runs before reconstructing the identity.
 * Isomorphic: the custodian's browser unwraps with the same code the server uses to combine.
 */
import { Decrypter, Encrypter, identityToRecipient } from 'age-encryption';
import { combine, split } from 'shamir-secret-sharing';
import { canonicalJson } from '../../platform/canonical-json.js';
import { DomainError } from '../../platform/errors.js';
import { equalBytes, fromBase64, fromUtf8, toBase64, utf8 } from './bytes.js';
import { isEnvelopeLetter, isUuid } from './manifest.rules.js';
import type { EnvelopeLetter, EnvelopeManifest, SharePayload } from './sealing.types.js';

export type ShareContext = { ocid: string; bidId: string; envelope: EnvelopeLetter };

const IDENTITY = /^AGE-SECRET-KEY-1[02-9AC-HJ-NP-Z]{58}$/;
const PAYLOAD_KEYS = ['v', 'ocid', 'bidId', 'envelope', 'index', 'share'] as const;

/** Splits the envelope identity's UTF-8 bytes into n shares, any k of which rebuild it. */
export async function splitIdentity(identity: string, n: number, k: number): Promise<Uint8Array[]> {
  return split(utf8(identity), n, k);
}

export function sharePayload(context: ShareContext, index: number, share: Uint8Array): SharePayload {
  return { v: 1, ...context, index, share: toBase64(share) };
}

/** The canonical JSON text a custodian sees, submits, and the server parses. */
export function encodeSharePayload(payload: SharePayload): string {
  return canonicalJson(payload);
}

function shareInvalid(message: string, details?: unknown): never {
  throw new DomainError('SHARE_INVALID', message, details);
}

/** Parses untrusted share JSON (text or already-parsed value); malformed → SHARE_INVALID. */
export function parseSharePayload(input: unknown): SharePayload {
  let value = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch {
      shareInvalid('The share is not JSON');
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    shareInvalid('The share is not an object');
  const v = value as Record<string, unknown>;
  const keys = Object.keys(v);
  if (keys.length !== PAYLOAD_KEYS.length || !PAYLOAD_KEYS.every((k) => Object.hasOwn(v, k))) {
    shareInvalid('The share does not have the v1 fields');
  }
  if (v.v !== 1) shareInvalid('Unknown share version');
  if (typeof v.ocid !== 'string' || typeof v.bidId !== 'string' || !isUuid(v.bidId)) {
    shareInvalid('The share context is malformed');
  }
  if (!isEnvelopeLetter(v.envelope)) shareInvalid('The share envelope is not A, B or C');
  if (typeof v.index !== 'number' || !Number.isSafeInteger(v.index) || v.index < 1 || v.index > 255) {
    shareInvalid('The share index is not 1..255');
  }
  if (typeof v.share !== 'string' || fromBase64(v.share) === null)
    shareInvalid('The share bytes are not base64');
  return v as SharePayload;
}

/** age-encrypts the share payload to custodian `recipient` (binary age format). */
export async function wrapShare(payload: SharePayload, recipient: string): Promise<Uint8Array> {
  const e = new Encrypter();
  e.addRecipient(recipient);
  return e.encrypt(utf8(encodeSharePayload(payload)));
}

/**
 * The custodian's step: decrypts an encrypted share with their identity and checks that it belongs to
 * the envelope they are opening. A share not addressed to this identity, or whose context names
 * another tender, bid, envelope or position, is SHARE_FOREIGN; a damaged one is SHARE_INVALID.
 */
export async function unwrapShare(
  ciphertext: Uint8Array,
  identity: string,
  expected: ShareContext & { index?: number },
): Promise<SharePayload> {
  let text: string;
  try {
    const d = new Decrypter();
    d.addIdentity(identity);
    text = fromUtf8(await d.decrypt(ciphertext));
  } catch (err) {
    if (err instanceof Error && /no identity matched/.test(err.message)) {
      throw new DomainError('SHARE_FOREIGN', 'This share is not addressed to this custodian key');
    }
    shareInvalid('The encrypted share is damaged');
  }
  const payload = parseSharePayload(text);
  if (
    payload.ocid !== expected.ocid ||
    payload.bidId !== expected.bidId ||
    payload.envelope !== expected.envelope ||
    (expected.index !== undefined && payload.index !== expected.index)
  ) {
    throw new DomainError(
      'SHARE_FOREIGN',
      'This share belongs to another tender, bid, envelope or custodian',
      {
        ocid: payload.ocid,
        bidId: payload.bidId,
        envelope: payload.envelope,
        index: payload.index,
      },
    );
  }
  return payload;
}

/** SHARE_FOREIGN unless the share's context is this manifest's envelope and a custodian position of it. */
export function assertShareBelongs(manifest: EnvelopeManifest, share: SharePayload): void {
  if (
    share.ocid !== manifest.ocid ||
    share.bidId !== manifest.bidId ||
    share.envelope !== manifest.envelope ||
    !manifest.custodians.some((c) => c.index === share.index)
  ) {
    throw new DomainError(
      'SHARE_FOREIGN',
      'This share belongs to another tender, bid, envelope or custodian',
      {
        index: share.index,
      },
    );
  }
}

/**
 * Runs every check that needs no quorum, in a fixed order so that each case has one stable code:
 * shape (SHARE_INVALID) → context (SHARE_FOREIGN) → same position or same bytes twice (SHARE_DUPLICATE)
 * → byte-level consistency (SHARE_INVALID). Returns the raw Shamir shares in submission order. The
 * server can call it on each new submission together with the ones it holds to answer at once.
 */
export function validateShareSet(manifest: EnvelopeManifest, submissions: readonly unknown[]): Uint8Array[] {
  const payloads = submissions.map(parseSharePayload);
  for (const p of payloads) assertShareBelongs(manifest, p);
  const raw: Uint8Array[] = [];
  const seen = new Set<number>();
  for (const p of payloads) {
    const bytes = fromBase64(p.share) as Uint8Array; // checked by parseSharePayload
    if (seen.has(p.index) || raw.some((r) => equalBytes(r, bytes))) {
      throw new DomainError('SHARE_DUPLICATE', 'The same share was submitted twice', { index: p.index });
    }
    seen.add(p.index);
    raw.push(bytes);
  }
  const len = raw[0]?.length;
  const xs = new Set<number>();
  for (const r of raw) {
    const x = r[r.length - 1] ?? 0;
    // A Shamir share is the secret's length plus one x byte (1..255); distinct shares have distinct x.
    if (r.length < 2 || r.length !== len || x === 0 || xs.has(x)) shareInvalid('The shares are inconsistent');
    xs.add(x);
  }
  return raw;
}

/**
 * Rebuilds the envelope identity from the submitted shares. Fewer than k distinct valid shares is
 * QUORUM_NOT_REACHED (nothing is attempted); if the combined secret is not the identity whose recipient
 * the manifest names, some share was altered: SHARE_INVALID. The caller must drop the returned
 * identity as soon as the files are decrypted and never persist or log it.
 */
export async function reconstructEnvelopeIdentity(
  manifest: EnvelopeManifest,
  submissions: readonly unknown[],
): Promise<string> {
  const raw = validateShareSet(manifest, submissions);
  if (raw.length < manifest.quorum) {
    throw new DomainError(
      'QUORUM_NOT_REACHED',
      `At least ${manifest.quorum} custodians must submit their share`,
      {
        quorum: manifest.quorum,
        submitted: raw.length,
      },
    );
  }
  const secret = await combine(raw);
  try {
    // Any failure here (not UTF-8, not an identity, bad bech32 checksum, other recipient) means an
    // altered share; which one cannot be told from the combined secret.
    let recipient: string | null = null;
    let identity = '';
    try {
      identity = fromUtf8(secret);
      if (IDENTITY.test(identity)) recipient = await identityToRecipient(identity);
    } catch {
      recipient = null;
    }
    if (recipient !== manifest.envelopeRecipient) shareInvalid('The shares do not rebuild this envelope key');
    return identity;
  } finally {
    // Best effort: the byte copy is wiped; the string form cannot be, so it must stay short-lived.
    secret.fill(0);
    for (const r of raw) r.fill(0);
  }
}
