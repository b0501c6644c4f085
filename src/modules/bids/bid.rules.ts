/**
 * Pure rules of bid submission (issue 4): the deadline by the server clock, the bid's transitions,
 * the checks of a submission against the published notice, the notice's bidding terms and the
 * commitment at the deadline. No I/O; `now` is always an argument.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../../platform/canonical-json.js';
import { DomainError } from '../../platform/errors.js';
import {
  assertManifestMatchesTarget,
  isEnvelopeLetter,
  manifestBytes,
  parseManifest,
} from '../sealing/manifest.rules.js';
import { ENVELOPE_LETTERS, type EnvelopeLetter, type SealingTarget } from '../sealing/sealing.types.js';
import type {
  BidCommitment,
  BidStatus,
  BiddingTerms,
  CheckedEnvelope,
  WithdrawalReceipt,
} from './bid.types.js';

const sha256Hex = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('hex');

/**
 * LCSP DA 17ª and Directive 2014/24 Annex IV (a): the time of receipt must be determinable, and a
 * bid counts only if it arrived before the deadline. The server clock alone decides; an instant
 * equal to the deadline is already too late (the deadline is the first instant that is not "before").
 */
export function assertBeforeDeadline(now: Date, deadline: Date | null): void {
  if (!deadline) throw new DomainError('INVALID_TRANSITION', 'This tender has no deadline for bids');
  if (now.getTime() >= deadline.getTime()) {
    throw new DomainError('DEADLINE_PASSED', 'The deadline for bids has passed', {
      deadline: deadline.toISOString(),
      now: now.toISOString(),
    });
  }
}

/** The commitment exists only once no bid can arrive any more. */
export function assertCommitmentDue(now: Date, deadline: Date | null): void {
  if (!deadline || now.getTime() < deadline.getTime()) {
    throw new DomainError('COMMITMENT_NOT_YET', 'The commitment is published when the deadline passes', {
      deadline: deadline?.toISOString() ?? null,
    });
  }
}

/** A tender takes sealed bids only while published, with a sealing target frozen in its notice. */
export function assertTakesBids(terms: BiddingTerms): SealingTarget {
  if (terms.status !== 'published') {
    throw new DomainError('INVALID_TRANSITION', `A ${terms.status} tender takes no bids`);
  }
  if (!terms.sealing) {
    throw new DomainError('INVALID_TRANSITION', 'This notice has no sealing target: it takes no sealed bids');
  }
  return terms.sealing;
}

/**
 * Bid states: none → submitted (first version); submitted → submitted (a replacement: the last
 * version counts); submitted → withdrawn; withdrawn → submitted (a new submission before the
 * deadline). Withdrawing twice, or a bid never submitted, is refused.
 */
export function nextBidStatus(from: BidStatus | null, action: 'submit' | 'withdraw'): BidStatus {
  if (action === 'submit') return 'submitted';
  if (from === 'submitted') return 'withdrawn';
  throw new DomainError(
    'INVALID_TRANSITION',
    from === 'withdrawn' ? 'The bid is withdrawn already' : 'There is no bid to withdraw',
  );
}

/**
 * The lots of a bid: lots the notice has, each once, ascending, and no more than the notice's
 * limit per bidder (art. 99.4 LCSP).
 */
export function checkLots(lots: readonly number[], terms: Pick<BiddingTerms, 'lots' | 'maxLotsPerBidder'>) {
  const sorted = [...new Set(lots)].sort((a, b) => a - b);
  if (lots.length === 0 || sorted.length !== lots.length) {
    throw new DomainError('UNPROCESSABLE', 'Name each lot of the bid once', { field: 'lots' });
  }
  const unknown = sorted.filter((n) => !terms.lots.includes(n));
  if (unknown.length > 0) {
    throw new DomainError('UNPROCESSABLE', 'The tender has no such lot', { field: 'lots', lots: unknown });
  }
  if (terms.maxLotsPerBidder !== null && sorted.length > terms.maxLotsPerBidder) {
    throw new DomainError('UNPROCESSABLE', 'More lots than the notice allows per bidder (art. 99.4 LCSP)', {
      field: 'lots',
      maxLotsPerBidder: terms.maxLotsPerBidder,
    });
  }
  return sorted;
}

function manifestInvalid(message: string, details: Record<string, unknown>): never {
  throw new DomainError('MANIFEST_INVALID', message, details);
}

/**
 * Checks every envelope of a submission: exactly the envelopes the notice defines, each manifest a
 * well-formed v1 manifest sealed for this tender's frozen target, this bid, this envelope and these
 * lots. Returns them in A, B, C order with the canonical bytes the receipt hashes.
 */
export function checkEnvelopes(
  given: readonly { manifest: unknown }[],
  context: {
    target: SealingTarget;
    bidId: string;
    lots: readonly number[];
    envelopes: readonly EnvelopeLetter[];
  },
): CheckedEnvelope[] {
  const out: CheckedEnvelope[] = [];
  given.forEach((item, position) => {
    let manifest: ReturnType<typeof parseManifest>;
    try {
      manifest = parseManifest(item.manifest);
    } catch (err) {
      if (err instanceof DomainError) manifestInvalid(err.message, { position });
      throw err;
    }
    if (out.some((e) => e.envelope === manifest.envelope)) {
      manifestInvalid('An envelope is given twice', { position, envelope: manifest.envelope });
    }
    if (!context.envelopes.includes(manifest.envelope)) {
      manifestInvalid('The tender defines no such envelope', {
        position,
        envelope: manifest.envelope,
        envelopes: context.envelopes,
      });
    }
    try {
      assertManifestMatchesTarget(manifest, context.target, { bidId: context.bidId });
    } catch (err) {
      if (err instanceof DomainError) manifestInvalid(err.message, { position, envelope: manifest.envelope });
      throw err;
    }
    if (manifest.lots.join() !== context.lots.join()) {
      manifestInvalid('The manifest was sealed for other lots', { position, envelope: manifest.envelope });
    }
    const json = new TextDecoder().decode(manifestBytes(manifest));
    out.push({ envelope: manifest.envelope, manifest, manifestJson: json, manifestSha256: sha256Hex(json) });
  });
  const missing = context.envelopes.filter((e) => !out.some((x) => x.envelope === e));
  if (missing.length > 0) {
    manifestInvalid('Every envelope the tender defines must be submitted', { missing });
  }
  return out.sort((a, b) => ENVELOPE_LETTERS.indexOf(a.envelope) - ENVELOPE_LETTERS.indexOf(b.envelope));
}

/**
 * The largest encrypted share accepted. A real one is an age file wrapping a share of the envelope
 * identity (a few hundred bytes); custodians download all of theirs at once at the opening, so a
 * bidder must not be able to make that download huge.
 */
export const MAX_SHARE_BYTES = 8_192;

/** The stored pieces an envelope's manifest names: files (with ciphertext size) and shares. */
export function blobsOf(envelope: CheckedEnvelope) {
  return [
    ...envelope.manifest.files.map((f, i) => ({
      kind: 'file' as const,
      position: i + 1,
      sha256: f.sha256,
      size: f.ciphertextSize as number | null,
    })),
    ...envelope.manifest.shares.map((s) => ({
      kind: 'share' as const,
      position: s.index,
      sha256: s.sha256,
      // The manifest does not record share sizes; the hash binds them, MAX_SHARE_BYTES bounds them.
      size: null as number | null,
    })),
  ];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The bidding terms of a tender from its current notice (the frozen canonical JSON, arts. 63 and
 * 135 LCSP: what bidders were told is what binds), with the live status and deadline (a corrigendum
 * may have extended it; the tender row and the latest notice then agree).
 */
export function biddingTerms(
  tender: { id: string; authority_id: string; ocid: string; status: string; tender_deadline: Date | null },
  noticeCanonical: string,
): BiddingTerms {
  const notice = JSON.parse(noticeCanonical) as unknown;
  const n: Obj = isObj(notice) ? notice : {};
  const lots = Array.isArray(n.lots)
    ? n.lots.flatMap((l) => (isObj(l) && typeof l.number === 'number' ? [l.number] : []))
    : [];
  const envelopes = Array.isArray(n.envelopes) ? n.envelopes.filter(isEnvelopeLetter) : [];
  const s = n.sealing;
  const sealing: SealingTarget | null =
    isObj(s) && typeof s.quorum === 'number' && Array.isArray(s.custodians)
      ? {
          ocid: tender.ocid,
          quorum: s.quorum,
          custodians: s.custodians.flatMap((c) =>
            isObj(c) && typeof c.index === 'number' && typeof c.recipient === 'string'
              ? [{ index: c.index, keyId: String(c.keyId ?? ''), recipient: c.recipient }]
              : [],
          ),
        }
      : null;
  return {
    tenderId: tender.id,
    authorityId: tender.authority_id,
    ocid: tender.ocid,
    status: tender.status,
    procedure: typeof n.procedure === 'string' ? n.procedure : '',
    deadline: tender.tender_deadline,
    lots,
    maxLotsPerBidder: typeof n.maxLotsPerBidder === 'number' ? n.maxLotsPerBidder : null,
    envelopes: ENVELOPE_LETTERS.filter((e) => envelopes.includes(e)),
    sealing,
  };
}

export function buildWithdrawalReceipt(
  input: Omit<WithdrawalReceipt, 'v' | 'kind' | 'receivedAt' | 'keyId'> & { receivedAt: Date },
  keyId: string,
): WithdrawalReceipt {
  return {
    v: 1,
    kind: 'contracta.bid-withdrawal-receipt',
    ocid: input.ocid,
    tenderId: input.tenderId,
    bidId: input.bidId,
    version: input.version,
    sequence: input.sequence,
    withdraws: input.withdraws,
    lots: [...input.lots].sort((a, b) => a - b),
    company: { id: input.company.id, taxId: input.company.taxId },
    receivedAt: input.receivedAt.toISOString(),
    keyId,
  };
}

/** One counted bid at the deadline: its lots and the hashes of its current version. */
export type CountedBid = { lots: number[]; manifests: string[]; ciphertexts: string[] };

/**
 * The commitment at the deadline (issue 4, point 4): how many bids per lot and every manifest and
 * ciphertext hash, sorted so that nothing reveals the order of arrival or which hashes belong to
 * one bid, and no company identity (those stay hidden until envelope A is opened). Published with
 * its SHA-256, it fixes the set of bids: none can be swapped afterwards unnoticed.
 */
export function buildCommitment(
  ocid: string,
  deadline: Date,
  lotNumbers: readonly number[],
  bids: readonly CountedBid[],
): { commitment: BidCommitment; sha256: string } {
  const commitment: BidCommitment = {
    v: 1,
    kind: 'contracta.bid-commitment',
    ocid,
    deadline: deadline.toISOString(),
    bids: bids.length,
    lots: [...lotNumbers]
      .sort((a, b) => a - b)
      .map((lot) => ({ lot, bids: bids.filter((b) => b.lots.includes(lot)).length })),
    manifests: bids.flatMap((b) => b.manifests).sort(),
    ciphertexts: bids.flatMap((b) => b.ciphertexts).sort(),
  };
  return { commitment, sha256: sha256Hex(canonicalJson(commitment)) };
}
