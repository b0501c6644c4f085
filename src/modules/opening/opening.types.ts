import type { OfferLot, OfferProblem } from '../sealing/offer.rules.js';
import type { EnvelopeLetter } from '../sealing/sealing.types.js';

/**
 * At envelope C, what the bid's `offer.json` says (src/modules/sealing/offer.rules.ts): the prices
 * per lot (euros, VAT excluded) and the values of the other formula criteria, read out in public
 * (RGLCAP art. 83; LCSP art. 157.4). `problem` says why no offer could be read ('missing': the
 * envelope has no offer.json; 'too_large': over 64 KiB; otherwise the parser's reason).
 */
export type OpeningRecordOffer =
  | { lots: OfferLot[]; problem: null }
  | { lots: null; problem: OfferProblem | 'missing' | 'too_large' };

/** One bid envelope in a published opening record. */
export type OpeningRecordBid = {
  bidId: string;
  /** The receipt's per-tender sequence number of the version that counted. */
  sequence: number;
  lots: number[];
  /** Bidders become known at the first opening (envelope A, or the first stage the tender has). */
  company: { id: string; legalName: string; taxId: string };
  manifestSha256: string;
  outcome: 'opened' | 'failed';
  /** Stable code when the envelope could not be opened (CIPHERTEXT_TAMPERED). */
  failure: string | null;
  /** The decrypted files: name, size, SHA-256 of the plaintext (empty when failed). */
  files: { name: string; size: number; sha256: string }[];
  /** Only in the record of envelope C, for each opened bid (null when the envelope failed). */
  offer?: OpeningRecordOffer | null;
};

/**
 * The public record of one opening (canonical JSON, stored as written): who opened, when, which
 * envelope, the bids, and at C each bid's offer (docs/SEALING.md "Opening record").
 */
export type OpeningRecord = {
  v: 1;
  kind: 'contracta.opening-record';
  ocid: string;
  tenderId: string;
  envelope: EnvelopeLetter;
  openedAt: string;
  quorum: number;
  custodians: { index: number; name: string }[];
  bids: OpeningRecordBid[];
};

export type OpeningView = { record: OpeningRecord; recordSha256: string };

/** What a custodian learns after submitting shares. */
export type ShareSubmissionResult = {
  envelope: EnvelopeLetter;
  custodianIndex: number;
  quorum: number;
  /** Distinct custodians whose shares are held for this stage (including the caller). */
  custodiansSubmitted: number;
  /** Bid envelopes of the stage still short of the quorum, with how many shares each has. */
  pending: { bidId: string; shares: number }[];
  /** The opening record, when this submission completed the quorum. */
  opened: OpeningView | null;
};

/** The caller's encrypted shares of a stage, to decrypt on their own device. */
export type OwnSharesView = {
  envelope: EnvelopeLetter;
  custodianIndex: number;
  quorum: number;
  shares: { bidId: string; sha256: string; ciphertext: string }[];
};
