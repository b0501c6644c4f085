import { canonicalJson } from '../../platform/canonical-json.js';
import type { EnvelopeCode } from '../procedures/procedure.types.js';

/**
 * The bid receipt: what the platform attests it received, and when. LCSP DA 17ª (and Directive
 * 2014/24 Annex IV (a)) require that the exact time and date of receipt can be determined and that
 * any tampering is detectable; the receipt carries the server's receipt time and the SHA-256 of
 * every stored ciphertext, signed with the platform's Ed25519 key, so a bidder can prove what was
 * received and when without trusting the platform's database. The signature covers the canonical
 * JSON bytes (RFC 8785, `canonicalJson`) of the receipt object; see docs/RECEIPTS.md.
 *
 * Pure and isomorphic (no node: imports): the same checks run on the server, in the CLI verifier
 * and could run in a browser.
 */

export const RECEIPT_VERSION = 1;
export const RECEIPT_KIND = 'contracta.bid-receipt';
const ENVELOPES: readonly EnvelopeCode[] = ['A', 'B', 'C'];

export type ReceiptEnvelope = {
  envelope: EnvelopeCode;
  /** SHA-256 (lowercase hex) of the envelope's canonical manifest bytes. */
  manifestSha256: string;
  /** SHA-256 of each file's ciphertext, in manifest order. */
  files: string[];
  /** SHA-256 of each encrypted share, in custodian index order. */
  shares: string[];
};

export type BidReceipt = {
  v: typeof RECEIPT_VERSION;
  kind: typeof RECEIPT_KIND;
  ocid: string;
  tenderId: string;
  bidId: string;
  /** 1 for the first submission of the bid, +1 for each replacement. */
  version: number;
  /** Per-tender sequence number of this submission (1, 2, …), in order of receipt. */
  sequence: number;
  /** Lot numbers the bid is for, ascending. */
  lots: number[];
  company: { id: string; taxId: string };
  /** Server receipt time of the last byte: UTC, milliseconds, `Z` (e.g. 2026-11-30T13:59:59.999Z). */
  receivedAt: string;
  /** One entry per sealed envelope, in A, B, C order. */
  envelopes: ReceiptEnvelope[];
  /** Which platform key signed (see `keyIdOf`). */
  keyId: string;
};

/**
 * A withdrawal's receipt: the bid no longer counts from `receivedAt` (the company may withdraw
 * before the deadline; the version it withdraws is named). Same signature, same key.
 */
export const WITHDRAWAL_KIND = 'contracta.bid-withdrawal-receipt';
export type WithdrawalReceipt = {
  v: typeof RECEIPT_VERSION;
  kind: typeof WITHDRAWAL_KIND;
  ocid: string;
  tenderId: string;
  bidId: string;
  version: number;
  sequence: number;
  /** The version that counted until now and no longer does. */
  withdraws: number;
  lots: number[];
  company: { id: string; taxId: string };
  receivedAt: string;
  keyId: string;
};

export type AnyReceipt = BidReceipt | WithdrawalReceipt;

/** The downloadable receipt file. */
export type ReceiptFile = { receipt: AnyReceipt; signature: string };

export type ReceiptInput = Omit<BidReceipt, 'v' | 'kind' | 'receivedAt' | 'keyId'> & { receivedAt: Date };

/** An instant as the receipt writes it: UTC with milliseconds and `Z`. */
export function receiptInstant(d: Date): string {
  return d.toISOString();
}

/**
 * Builds the receipt from what the submission stored. Lots are sorted and envelopes put in A, B, C
 * order so that the same bid always gives the same bytes; anything malformed throws (the server
 * built it, so a malformed receipt is a programming error, never the bidder's).
 */
export function buildReceipt(input: ReceiptInput, keyId: string): BidReceipt {
  const receipt: BidReceipt = {
    v: RECEIPT_VERSION,
    kind: RECEIPT_KIND,
    ocid: input.ocid,
    tenderId: input.tenderId,
    bidId: input.bidId,
    version: input.version,
    sequence: input.sequence,
    lots: [...input.lots].sort((a, b) => a - b),
    company: { id: input.company.id, taxId: input.company.taxId },
    receivedAt: receiptInstant(input.receivedAt),
    envelopes: [...input.envelopes]
      .sort((a, b) => ENVELOPES.indexOf(a.envelope) - ENVELOPES.indexOf(b.envelope))
      .map((e) => ({
        envelope: e.envelope,
        manifestSha256: e.manifestSha256,
        files: [...e.files],
        shares: [...e.shares],
      })),
    keyId,
  };
  const problems = receiptProblems(receipt);
  if (problems.length) throw new Error(`Invalid bid receipt: ${problems.join('; ')}`);
  return receipt;
}

/** The bytes the signature covers: UTF-8 of the receipt's canonical JSON. */
export function receiptBytes(receipt: AnyReceipt): Uint8Array {
  return new TextEncoder().encode(canonicalJson(receipt));
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const SHA256 = /^[0-9a-f]{64}$/;
const KEY_ID = /^[0-9a-f]{16}$/;
/** OCDS ocid: the authority's registered prefix, then the file's id. */
const OCID = /^ocds-[a-z0-9]{6}-[A-Za-z0-9._-]{1,100}$/;
/** A normalised tax id (`normalizeTaxId`): Spanish NIF/NIE/CIF or prefixed EU VAT number. */
const TAX_ID = /^[A-Z0-9+*]{2,20}$/;
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
/** A 64-byte Ed25519 signature in standard base64 with padding. */
const SIGNATURE = /^[A-Za-z0-9+/]{86}==$/;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Records unknown or missing keys of an object: the receipt has a closed shape. */
function keysExactly(o: Obj, keys: readonly string[], at: string, out: string[]): void {
  for (const k of Object.keys(o)) if (!keys.includes(k)) out.push(`${at}${k}: unknown field`);
  for (const k of keys) if (!(k in o)) out.push(`${at}${k}: missing`);
}

function checkString(v: unknown, re: RegExp, at: string, what: string, out: string[]): void {
  if (typeof v !== 'string' || !re.test(v)) out.push(`${at}: must be ${what}`);
}

function checkPositiveInt(v: unknown, at: string, out: string[]): void {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1)
    out.push(`${at}: must be a positive integer`);
}

function checkHashes(v: unknown, at: string, min: number, out: string[]): void {
  if (!Array.isArray(v) || v.length < min) {
    out.push(`${at}: must be a list of at least ${min} SHA-256 hashes`);
    return;
  }
  v.forEach((h, i) => {
    checkString(h, SHA256, `${at}[${i}]`, 'a SHA-256 in lowercase hex', out);
  });
}

const RECEIPT_KEYS = [
  'v',
  'kind',
  'ocid',
  'tenderId',
  'bidId',
  'version',
  'sequence',
  'lots',
  'company',
  'receivedAt',
  'envelopes',
  'keyId',
] as const;

const WITHDRAWAL_KEYS = [
  'v',
  'kind',
  'ocid',
  'tenderId',
  'bidId',
  'version',
  'sequence',
  'withdraws',
  'lots',
  'company',
  'receivedAt',
  'keyId',
] as const;

/** Everything wrong with a receipt object's shape, as `path: problem` lines; empty when well formed. */
export function receiptProblems(r: unknown, at = ''): string[] {
  const out: string[] = [];
  if (!isObj(r)) return [`${at ? at.slice(0, -1) : 'receipt'}: must be an object`];
  const withdrawal = r.kind === WITHDRAWAL_KIND;
  keysExactly(r, withdrawal ? WITHDRAWAL_KEYS : RECEIPT_KEYS, at, out);
  if (r.v !== RECEIPT_VERSION) out.push(`${at}v: must be ${RECEIPT_VERSION}`);
  if (r.kind !== RECEIPT_KIND && !withdrawal)
    out.push(`${at}kind: must be "${RECEIPT_KIND}" or "${WITHDRAWAL_KIND}"`);
  if (withdrawal) checkPositiveInt(r.withdraws, `${at}withdraws`, out);
  checkString(r.ocid, OCID, `${at}ocid`, 'an ocid', out);
  checkString(r.tenderId, UUID, `${at}tenderId`, 'a lowercase UUID', out);
  checkString(r.bidId, UUID, `${at}bidId`, 'a lowercase UUID', out);
  checkPositiveInt(r.version, `${at}version`, out);
  checkPositiveInt(r.sequence, `${at}sequence`, out);
  if (!Array.isArray(r.lots) || r.lots.length === 0) out.push(`${at}lots: must list at least one lot`);
  else {
    r.lots.forEach((n, i) => {
      checkPositiveInt(n, `${at}lots[${i}]`, out);
    });
    const lots = r.lots as unknown[];
    const ascending = lots.every((n, i) => i === 0 || (n as number) > (lots[i - 1] as number));
    if (!ascending) out.push(`${at}lots: must be ascending without repeats`);
  }
  if (!isObj(r.company)) out.push(`${at}company: must be an object`);
  else {
    keysExactly(r.company, ['id', 'taxId'], `${at}company.`, out);
    checkString(r.company.id, UUID, `${at}company.id`, 'a lowercase UUID', out);
    checkString(r.company.taxId, TAX_ID, `${at}company.taxId`, 'a normalised tax id', out);
  }
  if (
    typeof r.receivedAt !== 'string' ||
    !INSTANT.test(r.receivedAt) ||
    Number.isNaN(Date.parse(r.receivedAt)) ||
    new Date(r.receivedAt).toISOString() !== r.receivedAt
  )
    out.push(`${at}receivedAt: must be a UTC instant with milliseconds and Z`);
  if (withdrawal) {
    // A withdrawal names no envelope: the bid's sealed envelopes stop counting.
  } else if (!Array.isArray(r.envelopes) || r.envelopes.length === 0)
    out.push(`${at}envelopes: must list at least one envelope`);
  else {
    let last = -1;
    r.envelopes.forEach((e: unknown, i) => {
      const here = `${at}envelopes[${i}]`;
      if (!isObj(e)) {
        out.push(`${here}: must be an object`);
        return;
      }
      keysExactly(e, ['envelope', 'manifestSha256', 'files', 'shares'], `${here}.`, out);
      const order = ENVELOPES.indexOf(e.envelope as EnvelopeCode);
      if (order < 0) out.push(`${here}.envelope: must be A, B or C`);
      else if (order <= last)
        out.push(`${here}.envelope: envelopes must be in A, B, C order without repeats`);
      last = Math.max(last, order);
      checkString(e.manifestSha256, SHA256, `${here}.manifestSha256`, 'a SHA-256 in lowercase hex', out);
      checkHashes(e.files, `${here}.files`, 1, out);
      // n ≥ k ≥ 2 custodians (LCSP DA 17ª: opening needs at least two authorised persons).
      checkHashes(e.shares, `${here}.shares`, 2, out);
    });
  }
  checkString(r.keyId, KEY_ID, `${at}keyId`, '16 lowercase hex digits', out);
  return out;
}

/**
 * Checks the shape of a parsed receipt file (`{ receipt, signature }`), without the signature
 * check. Unknown fields are refused anywhere: they would be signed too, but a verifier that shows
 * a summary must not show fields it does not understand.
 */
export function parseReceiptFile(
  value: unknown,
): { ok: true; file: ReceiptFile } | { ok: false; problems: string[] } {
  if (!isObj(value))
    return { ok: false, problems: ['the file must hold a JSON object { receipt, signature }'] };
  const problems: string[] = [];
  keysExactly(value, ['receipt', 'signature'], '', problems);
  if ('receipt' in value) problems.push(...receiptProblems(value.receipt, 'receipt.'));
  if ('signature' in value)
    checkString(value.signature, SIGNATURE, 'signature', 'a base64 Ed25519 signature (64 bytes)', problems);
  if (problems.length) return { ok: false, problems };
  return { ok: true, file: value as ReceiptFile };
}

/** Human-readable lines describing a receipt, for the CLI and pages. */
export function receiptSummary(r: AnyReceipt): string[] {
  return [
    `Tender:      ${r.ocid} (${r.tenderId})`,
    `Bid:         ${r.bidId}, version ${r.version}`,
    ...(r.kind === WITHDRAWAL_KIND ? [`Withdraws:   version ${r.withdraws}`] : []),
    `Sequence:    ${r.sequence}`,
    `Lots:        ${r.lots.join(', ')}`,
    `Company:     ${r.company.taxId} (${r.company.id})`,
    `Received at: ${r.receivedAt}`,
    ...(r.kind === WITHDRAWAL_KIND ? [] : r.envelopes).map(
      (e) =>
        `Envelope ${e.envelope}:  manifest ${e.manifestSha256}, ${e.files.length} file(s), ${e.shares.length} share(s)`,
    ),
    `Signed with: ${r.keyId}`,
  ];
}
