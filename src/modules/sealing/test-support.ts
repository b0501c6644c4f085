/** Shared fixtures for the sealing tests (not imported by production code). */
import { generateCustodianKey, type CustodianKey } from './custodian-key.js';
import type { SealingTarget } from './sealing.types.js';

let pool: CustodianKey[] | null = null;

/** Five custodian keys made once per test file (X25519 generation is cheap, but not free). */
export async function custodianPool(): Promise<CustodianKey[]> {
  pool ??= await Promise.all([1, 2, 3, 4, 5].map(() => generateCustodianKey()));
  return pool;
}

export function targetFor(
  keys: CustodianKey[],
  n: number,
  k: number,
  ocid = 'ocds-test-0001',
): SealingTarget {
  return {
    ocid,
    quorum: k,
    custodians: keys
      .slice(0, n)
      .map((key, i) => ({ index: i + 1, keyId: key.fingerprint, recipient: key.recipient })),
  };
}

/** Index of `needle` in `haystack`, or -1 (byte search, for the no-plaintext checks). */
export function indexOfBytes(haystack: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}
