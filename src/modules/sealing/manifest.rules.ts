/**
 * Pure rules on sealing targets and envelope manifests. No clock is involved: deadlines are the
 * server's business (submission module); these checks only concern the shape of the protocol data.
 */
import { canonicalJson } from '../../platform/canonical-json.js';
import { DomainError } from '../../platform/errors.js';
import { sha256Hex, utf8 } from './bytes.js';
import {
  ENVELOPE_LETTERS,
  type EnvelopeLetter,
  type EnvelopeManifest,
  type SealingTarget,
} from './sealing.types.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const HEX64 = /^[0-9a-f]{64}$/;
/** age X25519 recipient: bech32 "age1" + 58 data/checksum characters. */
const AGE_RECIPIENT = /^age1[02-9ac-hj-np-z]{58}$/;
const MAX_FILES = 1000;

function invalid(message: string, details?: unknown): never {
  throw new DomainError('UNPROCESSABLE', message, details);
}

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

export function isEnvelopeLetter(value: unknown): value is EnvelopeLetter {
  return typeof value === 'string' && (ENVELOPE_LETTERS as readonly string[]).includes(value);
}

function isPositiveInt(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 1;
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/**
 * A target needs k ≥ 2 so that no single custodian can open alone (LCSP DA 17ª 1.f / Directive
 * 2014/24 Annex IV (g): opening needs the simultaneous action of at least two authorised persons), and
 * custodians numbered 1..n in order, each with an X25519 recipient.
 */
export function assertValidTarget(target: SealingTarget): void {
  if (typeof target.ocid !== 'string' || target.ocid.length === 0) invalid('The sealing target has no OCID');
  const n = target.custodians.length;
  if (!isPositiveInt(target.quorum) || target.quorum < 2 || target.quorum > n || n > 255) {
    invalid('The quorum must satisfy 2 ≤ k ≤ n ≤ 255', { quorum: target.quorum, custodians: n });
  }
  target.custodians.forEach((c, i) => {
    if (c.index !== i + 1)
      invalid('Custodians must be numbered 1..n in order', { index: c.index, position: i + 1 });
    if (!AGE_RECIPIENT.test(c.recipient))
      invalid('A custodian recipient is not an age X25519 key', { index: c.index });
  });
  if (new Set(target.custodians.map((c) => c.recipient)).size !== n) {
    // Two positions held by the same key would let one person hold two shares.
    invalid('A custodian key appears twice in the sealing target');
  }
}

/** Lot numbers: positive, unique, given in ascending order so that the manifest is canonical. */
export function normaliseLots(lots: readonly number[]): number[] {
  if (lots.length === 0) invalid('A bid must name at least one lot');
  if (!lots.every(isPositiveInt)) invalid('Lot numbers must be positive integers', { lots });
  const sorted = [...new Set(lots)].sort((a, b) => a - b);
  if (sorted.length !== lots.length) invalid('A lot is named twice', { lots });
  return sorted;
}

/** A file name as shown to the authority: no directories, no control characters, not empty. */
export function assertValidFileName(name: string): void {
  const control = [...name].some((ch) => (ch.codePointAt(0) ?? 0) < 0x20 || ch === '\u007f');
  if (
    name.length === 0 ||
    name.length > 255 ||
    /[/\\]/.test(name) ||
    control ||
    name === '.' ||
    name === '..'
  ) {
    invalid('A file name is empty, too long or contains a path or control character', { name });
  }
}

export function manifestBytes(manifest: EnvelopeManifest): Uint8Array {
  return utf8(canonicalJson(manifest));
}

export function manifestSha256(manifest: EnvelopeManifest): string {
  return sha256Hex(manifestBytes(manifest));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function exactKeys(value: Record<string, unknown>, keys: readonly string[]): boolean {
  const own = Object.keys(value);
  return own.length === keys.length && keys.every((k) => Object.hasOwn(value, k));
}

const MANIFEST_KEYS = [
  'v',
  'ocid',
  'bidId',
  'lots',
  'envelope',
  'envelopeRecipient',
  'quorum',
  'custodians',
  'files',
  'shares',
] as const;

/**
 * Checks that untrusted JSON (an uploaded manifest) is a well-formed v1 manifest and returns it typed.
 * Throws UNPROCESSABLE with the first problem found. It does not compare it with the tender's target:
 * use `assertManifestMatchesTarget` for that.
 */
export function parseManifest(value: unknown): EnvelopeManifest {
  if (!isRecord(value) || !exactKeys(value, MANIFEST_KEYS))
    invalid('The manifest does not have the v1 fields');
  const m = value as Record<(typeof MANIFEST_KEYS)[number], unknown>;
  if (m.v !== 1) invalid('Unknown manifest version', { v: m.v });
  if (typeof m.ocid !== 'string' || m.ocid.length === 0) invalid('The manifest has no OCID');
  if (typeof m.bidId !== 'string' || !isUuid(m.bidId)) invalid('The manifest bidId is not a lowercase UUID');
  if (!Array.isArray(m.lots) || !m.lots.every(isPositiveInt))
    invalid('The manifest lots are not lot numbers');
  const lots = m.lots as number[];
  if (normaliseLots(lots).join() !== lots.join()) invalid('The manifest lots are not in ascending order');
  if (!isEnvelopeLetter(m.envelope)) invalid('The manifest envelope is not A, B or C');
  if (typeof m.envelopeRecipient !== 'string' || !AGE_RECIPIENT.test(m.envelopeRecipient)) {
    invalid('The manifest envelope recipient is not an age X25519 key');
  }
  if (!Array.isArray(m.custodians) || !Array.isArray(m.shares) || !Array.isArray(m.files)) {
    invalid('The manifest lists are missing');
  }
  const custodians = m.custodians as unknown[];
  custodians.forEach((c, i) => {
    if (!isRecord(c) || !exactKeys(c, ['index', 'recipient']) || c.index !== i + 1) {
      invalid('Manifest custodians must be {index, recipient} numbered 1..n');
    }
  });
  const quorum = m.quorum;
  if (!isPositiveInt(quorum) || quorum < 2 || quorum > custodians.length || custodians.length > 255) {
    invalid('The manifest quorum must satisfy 2 ≤ k ≤ n ≤ 255');
  }
  const shares = m.shares as unknown[];
  if (shares.length !== custodians.length)
    invalid('The manifest must list one encrypted share per custodian');
  shares.forEach((s, i) => {
    if (
      !isRecord(s) ||
      !exactKeys(s, ['index', 'sha256']) ||
      s.index !== i + 1 ||
      typeof s.sha256 !== 'string'
    ) {
      invalid('Manifest shares must be {index, sha256} numbered 1..n');
    }
    if (!HEX64.test(s.sha256 as string)) invalid('A manifest share hash is not lowercase hex SHA-256');
  });
  const files = m.files as unknown[];
  if (files.length === 0 || files.length > MAX_FILES)
    invalid('The manifest must list between 1 and 1000 files');
  const names = new Set<string>();
  for (const f of files) {
    if (!isRecord(f) || !exactKeys(f, ['name', 'size', 'ciphertextSize', 'sha256'])) {
      invalid('Manifest files must be {name, size, ciphertextSize, sha256}');
    }
    if (typeof f.name !== 'string') invalid('A manifest file name is not a string');
    assertValidFileName(f.name);
    if (names.has(f.name)) invalid('A file name appears twice in the manifest', { name: f.name });
    names.add(f.name);
    if (!isCount(f.size) || !isCount(f.ciphertextSize)) invalid('A manifest file size is not a byte count');
    if (typeof f.sha256 !== 'string' || !HEX64.test(f.sha256))
      invalid('A manifest file hash is not lowercase hex SHA-256');
  }
  return value as EnvelopeManifest;
}

/**
 * The server's check at submission: the manifest was sealed for this tender's frozen target (same
 * custodians in the same order, same quorum) and for this bid. A mismatch means the bidder sealed
 * for keys that cannot open the envelope, which must be refused before a receipt is issued.
 */
export function assertManifestMatchesTarget(
  manifest: EnvelopeManifest,
  target: SealingTarget,
  expected: { bidId: string; envelope?: EnvelopeLetter },
): void {
  if (manifest.ocid !== target.ocid) invalid('The manifest was sealed for another tender');
  if (manifest.bidId !== expected.bidId) invalid('The manifest was sealed for another bid');
  if (expected.envelope && manifest.envelope !== expected.envelope)
    invalid('The manifest is for another envelope');
  if (manifest.quorum !== target.quorum) invalid('The manifest quorum differs from the tender');
  const same =
    manifest.custodians.length === target.custodians.length &&
    manifest.custodians.every(
      (c, i) => c.index === target.custodians[i]?.index && c.recipient === target.custodians[i]?.recipient,
    );
  if (!same) invalid('The manifest custodians differ from the tender');
}
