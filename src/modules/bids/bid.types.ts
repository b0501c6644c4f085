/**
 * Sealed bids (issue 4, docs/SEALING.md): what a bidder's client submits and what the server keeps.
 * The server only ever holds ciphertexts, encrypted shares and manifests; nothing here is plaintext.
 */
import type { EnvelopeLetter, EnvelopeManifest, SealingTarget } from '../sealing/sealing.types.js';

export type BidStatus = 'submitted' | 'withdrawn';
export type BidVersionKind = 'submission' | 'withdrawal';

/** What a published notice fixes for bidding: read from the notice's frozen canonical JSON. */
export type BiddingTerms = {
  tenderId: string;
  authorityId: string;
  ocid: string;
  status: string;
  /** The notice's procedure: in some, only invited companies may bid (selection/invitation.gate.ts). */
  procedure: string;
  /** The tender deadline (server clock): a bid counts only if its last byte arrived before it. */
  deadline: Date | null;
  lots: number[];
  /** Art. 99.4 LCSP: the notice may limit the number of lots one bidder may bid for. */
  maxLotsPerBidder: number | null;
  /** Envelopes the notice defines (A, B, C order). */
  envelopes: EnvelopeLetter[];
  /** Null for notices published before sealed bids existed: such a tender takes no sealed bids. */
  sealing: SealingTarget | null;
};

/** One envelope of a submission, checked: its manifest and the canonical bytes' hash. */
export type CheckedEnvelope = {
  envelope: EnvelopeLetter;
  manifest: EnvelopeManifest;
  manifestJson: string;
  manifestSha256: string;
};

export type SubmitVersionInput = {
  companyId: string;
  lots: number[];
  envelopes: { manifest: unknown }[];
};

/** The signed acknowledgement of a withdrawal: its own receipt kind (receipt.rules.ts). */
export type { WithdrawalReceipt } from './receipt.rules.js';

/** The public commitment at the deadline: counts per lot and every hash, no company identity. */
export type BidCommitment = {
  v: 1;
  kind: 'contracta.bid-commitment';
  ocid: string;
  deadline: string;
  bids: number;
  lots: { lot: number; bids: number }[];
  /** SHA-256 of every counted envelope manifest, sorted. */
  manifests: string[];
  /** SHA-256 of every counted ciphertext (encrypted files and encrypted shares), sorted. */
  ciphertexts: string[];
};
