/**
 * Pure rules for key custodians' public keys: the age X25519 recipient format (Bech32, BIP-173,
 * human-readable part "age", 32-byte key) and its fingerprint. No I/O and no Node APIs except
 * the SHA-256 of the fingerprint, which is given as a function so that the browser can use these
 * rules too.
 */

/** The Bech32 alphabet (BIP-173): 32 characters, without 1, b, i and o. */
const CHARSET = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
const GENERATOR = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];

/** An age X25519 recipient is always this long: "age" + "1" + 52 data + 6 checksum characters. */
export const RECIPIENT_LENGTH = 62;
export const RECIPIENT_HRP = 'age';

function polymod(values: readonly number[]): number {
  let chk = 1;
  for (const v of values) {
    const top = chk >>> 25;
    chk = ((chk & 0x1ffffff) << 5) ^ v;
    for (let i = 0; i < 5; i++) if ((top >>> i) & 1) chk ^= GENERATOR[i] ?? 0;
  }
  return chk >>> 0;
}

function hrpExpand(hrp: string): number[] {
  const codes = [...hrp].map((c) => c.charCodeAt(0));
  return [...codes.map((c) => c >> 5), 0, ...codes.map((c) => c & 31)];
}

/** Regroups bits (8 → 5 or 5 → 8); undefined when decoding leaves non-zero padding. */
function convertBits(data: readonly number[], from: number, to: number, pad: boolean): number[] | undefined {
  let acc = 0;
  let bits = 0;
  const out: number[] = [];
  const maxv = (1 << to) - 1;
  for (const value of data) {
    acc = (acc << from) | value;
    bits += from;
    while (bits >= to) {
      bits -= to;
      out.push((acc >> bits) & maxv);
    }
  }
  if (pad) {
    if (bits > 0) out.push((acc << (to - bits)) & maxv);
  } else if (bits >= from || ((acc << (to - bits)) & maxv) !== 0) {
    return undefined;
  }
  return out;
}

/** Bech32-encodes bytes under a human-readable part (lower case), as age writes its keys. */
export function bech32Encode(hrp: string, bytes: Uint8Array): string {
  const words = convertBits([...bytes], 8, 5, true) ?? [];
  const values = [...hrpExpand(hrp), ...words, 0, 0, 0, 0, 0, 0];
  const mod = polymod(values) ^ 1;
  const checksum = [0, 1, 2, 3, 4, 5].map((i) => (mod >>> (5 * (5 - i))) & 31);
  return `${hrp}1${[...words, ...checksum].map((w) => CHARSET[w]).join('')}`;
}

/** Decodes a Bech32 string (one case only, checksum verified); undefined when it is not valid. */
export function bech32Decode(text: string): { hrp: string; bytes: Uint8Array } | undefined {
  if (text !== text.toLowerCase() && text !== text.toUpperCase()) return undefined;
  const s = text.toLowerCase();
  const sep = s.lastIndexOf('1');
  if (sep < 1 || sep + 7 > s.length) return undefined;
  const hrp = s.slice(0, sep);
  if ([...hrp].some((c) => c.charCodeAt(0) < 33 || c.charCodeAt(0) > 126)) return undefined;
  const values: number[] = [];
  for (const c of s.slice(sep + 1)) {
    const v = CHARSET.indexOf(c);
    if (v < 0) return undefined;
    values.push(v);
  }
  if (polymod([...hrpExpand(hrp), ...values]) !== 1) return undefined;
  const bytes = convertBits(values.slice(0, -6), 5, 8, false);
  return bytes ? { hrp, bytes: Uint8Array.from(bytes) } : undefined;
}

/**
 * The X25519 public keys of small order (with the top bit cleared, as X25519 ignores it): any
 * shared secret with them is predictable, so a share encrypted to one would be readable by
 * anyone. The list is libsodium's (crypto_scalarmult/curve25519/ref10 blocklist).
 */
const LOW_ORDER_POINTS = [
  '0000000000000000000000000000000000000000000000000000000000000000',
  '0100000000000000000000000000000000000000000000000000000000000000',
  'e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800',
  '5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
];

const toHex = (bytes: Uint8Array) => [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');

export type RecipientProblem =
  | 'empty'
  | 'identity'
  | 'prefix'
  | 'length'
  | 'characters'
  | 'checksum'
  | 'key_size'
  | 'weak_key';

export type RecipientCheck = { ok: true; recipient: string } | { ok: false; problem: RecipientProblem };

/**
 * Validates an age X25519 recipient as pasted by a custodian and returns its canonical form
 * (surrounding blanks removed, lower case). Post-quantum (`age1pq1…`) and plugin recipients are
 * refused: the sealing protocol v1 encrypts shares to X25519 keys only. A secret identity
 * (`AGE-SECRET-KEY-1…`) pasted by mistake is named as such, so the page can tell the custodian
 * that the private key must never be sent, not just that the format is wrong.
 */
export function checkRecipient(input: string): RecipientCheck {
  const text = input.trim();
  if (text === '') return { ok: false, problem: 'empty' };
  if (/^age-secret-key-/i.test(text)) return { ok: false, problem: 'identity' };
  const lower = text === text.toUpperCase() ? text.toLowerCase() : text;
  if (!lower.startsWith(`${RECIPIENT_HRP}1`)) return { ok: false, problem: 'prefix' };
  if (lower.length !== RECIPIENT_LENGTH) return { ok: false, problem: 'length' };
  if (!/^age1[02-9ac-hj-np-z]+$/.test(lower)) return { ok: false, problem: 'characters' };
  const decoded = bech32Decode(lower);
  if (!decoded || decoded.hrp !== RECIPIENT_HRP) return { ok: false, problem: 'checksum' };
  if (decoded.bytes.length !== 32) return { ok: false, problem: 'key_size' };
  const masked = Uint8Array.from(decoded.bytes);
  masked[31] = (masked[31] ?? 0) & 0x7f;
  if (LOW_ORDER_POINTS.includes(toHex(masked))) return { ok: false, problem: 'weak_key' };
  return { ok: true, recipient: lower };
}

/**
 * The fingerprint of a recipient: the first 16 hex digits of the SHA-256 of its canonical string
 * (issue 4, protocol v1). Short enough to read aloud when a custodian checks that the key the
 * server holds is the one on their device.
 */
export function fingerprintOf(recipient: string, sha256Hex: (text: string) => string): string {
  return sha256Hex(recipient).slice(0, 16);
}

/** A custodian's active key, as the sealing target needs it. */
export type ActiveKey = { id: string; user_id: string; recipient: string; fingerprint: string };

/**
 * The sealing target of a file at publication: its custodians' active keys, numbered 1..n in the
 * order of their user ids (a stable order that does not depend on how the officer ticked the
 * boxes, so the same assignment always gives the same numbering), with the quorum k. Returns the
 * custodians without a key instead when there are any (the pre-publication check
 * CUSTODIAN_KEY_MISSING refuses such a file before this point).
 */
export function buildSealingTarget(
  custodianIds: readonly string[],
  keys: readonly ActiveKey[],
  quorum: number,
):
  | {
      ok: true;
      target: {
        quorum: number;
        custodians: { index: number; keyId: string; recipient: string; fingerprint: string }[];
      };
    }
  | { ok: false; missing: string[] } {
  const ordered = [...new Set(custodianIds)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const byUser = new Map(keys.map((k) => [k.user_id, k]));
  const missing = ordered.filter((u) => !byUser.has(u));
  if (missing.length > 0) return { ok: false, missing };
  return {
    ok: true,
    target: {
      quorum,
      custodians: ordered.map((u, i) => {
        const k = byUser.get(u) as ActiveKey;
        return { index: i + 1, keyId: k.id, recipient: k.recipient, fingerprint: k.fingerprint };
      }),
    },
  };
}
