/**
 * The structured offer sealed with the formula envelope (C, or the only envelope of a one-envelope
 * procedure): `offer.json`, canonical JSON with the price of each lot bid (euros, VAT excluded) and
 * the values of the other formula criteria. The bidder's page and `contracta bid seal --price` write
 * it; the opening of that envelope reads it so that the opening record can state the offered prices
 * in public (LCSP art. 157.4; RGLCAP art. 83 for the public reading of economic offers), and the
 * evaluation scores the same numbers. Isomorphic: no node:* imports.
 */
import { canonicalJson } from '../../platform/canonical-json.js';
import { utf8 } from './bytes.js';

export const OFFER_FILE_NAME = 'offer.json';

/** A price in euros excluding VAT: up to 13 integer digits and 2 decimals, never negative. */
const PRICE_RE = /^(0|[1-9]\d{0,12})(\.\d{1,2})?$/;
/** The value offered for another formula criterion (days, months, tonnes…): a plain decimal. */
const VALUE_RE = /^-?(0|[1-9]\d{0,14})(\.\d{1,6})?$/;

export type OfferCriterionValue = {
  /** Position (1-based) of the criterion in the lot's published criteria list. */
  criterion: number;
  value: string;
};

export type OfferLot = { lot: number; price: string; values: OfferCriterionValue[] };

export type Offer = {
  v: 1;
  kind: 'contracta.offer';
  ocid: string;
  bidId: string;
  lots: OfferLot[];
};

export type OfferProblem =
  | 'not_json'
  | 'shape'
  | 'foreign'
  | 'lots_mismatch'
  | 'price'
  | 'value'
  | 'duplicate_criterion';

export type ParsedOffer = { ok: true; offer: Offer } | { ok: false; problem: OfferProblem };

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const isPositiveInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 1;

/** The file's bytes: canonical JSON, so the same offer always seals to the same plaintext. */
export function offerBytes(offer: Offer): Uint8Array {
  return utf8(canonicalJson(offer));
}

/** Builds the offer, refusing what `parseOffer` would refuse (the bidder learns before sealing). */
export function makeOffer(input: { ocid: string; bidId: string; lots: OfferLot[] }): Offer {
  const offer: Offer = {
    v: 1,
    kind: 'contracta.offer',
    ocid: input.ocid,
    bidId: input.bidId,
    lots: [...input.lots]
      .sort((a, b) => a.lot - b.lot)
      .map((l) => ({
        lot: l.lot,
        price: l.price,
        values: [...l.values].sort((a, b) => a.criterion - b.criterion),
      })),
  };
  const checked = checkOffer(offer, {
    ocid: input.ocid,
    bidId: input.bidId,
    lots: offer.lots.map((l) => l.lot),
  });
  if (!checked.ok) throw new Error(`Invalid offer: ${checked.problem}`);
  return offer;
}

/**
 * Reads an opened `offer.json`. It must name this tender and bid (an offer copied from another bid
 * is `foreign`) and price exactly the lots the bid was submitted for.
 */
export function parseOffer(
  bytes: Uint8Array,
  expected: { ocid: string; bidId: string; lots: readonly number[] },
): ParsedOffer {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return { ok: false, problem: 'not_json' };
  }
  return checkOffer(value, expected);
}

function checkOffer(
  value: unknown,
  expected: { ocid: string; bidId: string; lots: readonly number[] },
): ParsedOffer {
  if (!isRecord(value) || value.v !== 1 || value.kind !== 'contracta.offer' || !Array.isArray(value.lots)) {
    return { ok: false, problem: 'shape' };
  }
  if (value.ocid !== expected.ocid || value.bidId !== expected.bidId)
    return { ok: false, problem: 'foreign' };
  const lots: OfferLot[] = [];
  for (const l of value.lots) {
    if (!isRecord(l) || !isPositiveInt(l.lot) || typeof l.price !== 'string' || !Array.isArray(l.values)) {
      return { ok: false, problem: 'shape' };
    }
    if (!PRICE_RE.test(l.price)) return { ok: false, problem: 'price' };
    const values: OfferCriterionValue[] = [];
    const seen = new Set<number>();
    for (const c of l.values) {
      if (!isRecord(c) || !isPositiveInt(c.criterion) || typeof c.value !== 'string') {
        return { ok: false, problem: 'shape' };
      }
      if (!VALUE_RE.test(c.value)) return { ok: false, problem: 'value' };
      if (seen.has(c.criterion)) return { ok: false, problem: 'duplicate_criterion' };
      seen.add(c.criterion);
      values.push({ criterion: c.criterion, value: c.value });
    }
    lots.push({ lot: l.lot, price: l.price, values });
  }
  const offered = lots.map((l) => l.lot).sort((a, b) => a - b);
  const wanted = [...expected.lots].sort((a, b) => a - b);
  if (offered.length !== wanted.length || offered.some((lot, i) => lot !== wanted[i])) {
    return { ok: false, problem: 'lots_mismatch' };
  }
  return {
    ok: true,
    offer: { v: 1, kind: 'contracta.offer', ocid: expected.ocid, bidId: expected.bidId, lots },
  };
}
