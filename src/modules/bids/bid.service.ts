/**
 * Sealed bid submission (issue 4, docs/SEALING.md), 24/7. Two phases so that a crash never leaves
 * a partial bid: the client first streams every ciphertext and encrypted share into the
 * content-addressed store (hashed on the way, fsynced before the answer); then one transaction
 * checks the manifests against the published notice, writes the version, its envelopes and pieces,
 * the signed receipt and the audit event. Pieces no row references are removed by the cleanup pass
 * (bid-cleanup.ts). The server clock alone decides the deadline (LCSP DA 17ª; Dir. 2014/24 Annex IV).
 */
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { canonicalJson } from '../../platform/canonical-json.js';
import type { ServiceContext } from '../../platform/context.js';
import type { Db } from '../../platform/db/client.js';
import { isUniqueViolation } from '../../platform/db/errors.js';
import { type Tx, withTransaction } from '../../platform/db/tx.js';
import { DomainError } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import type { SigningKey } from '../../platform/signing-key.js';
import type { BlobStore, StoredBlob } from '../../platform/storage/blob-store.js';
import { recordEvent } from '../audit/audit.service.js';
import { lockBlob, lockBlobs } from '../tenders/tender-document.repo.js';
import { mayBid } from '../selection/invitation.gate.js';
import { authorizeOnBid } from './bid.policy.js';
import {
  blobReferenced,
  commitmentRecorded,
  companyTaxId,
  countedBids,
  findBid,
  findTenderByOcid,
  findTenderForUpload,
  insertSubmission,
  insertVersion,
  lastVersion,
  listVersions,
  lockBidsForSubmission,
  lockTenderForSubmission,
  nextSequence,
  noticeCanonical,
  upsertBid,
  versionLots,
} from './bid.repo.js';
import {
  assertBeforeDeadline,
  assertCommitmentDue,
  assertTakesBids,
  biddingTerms,
  blobsOf,
  buildCommitment,
  buildWithdrawalReceipt,
  checkEnvelopes,
  checkLots,
  MAX_SHARE_BYTES,
  nextBidStatus,
} from './bid.rules.js';
import type {
  BidCommitment,
  BidStatus,
  BiddingTerms,
  SubmitVersionInput,
  WithdrawalReceipt,
} from './bid.types.js';
import { buildReceipt, type ReceiptFile } from './receipt.rules.js';
import { signReceipt } from './receipt.signing.js';

/**
 * The audit embargo of a tender's bid events (submission, replacement, withdrawal): they name the
 * company, and bidders stay unknown to everyone until envelope A is opened, when the opening lifts it.
 */
export const bidderEmbargo = (tenderId: string): string => `bidders:${tenderId}`;

/** Where bid pieces go, how large one may be, and the key that signs receipts. */
export type BidStorage = {
  store: BlobStore;
  /** BID_ENVELOPE_MAX_BYTES. */
  maxBytes: number;
  signingKey: SigningKey;
  log: { warn(obj: object, msg: string): void };
};

const sha256Hex = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * Bidding terms by notice version id. A published notice is frozen (a corrigendum is a new version
 * with a new id), so what its canonical JSON says never changes: parsing it once instead of reading
 * and parsing it for every uploaded piece removes the largest row from the hot path. The tender's
 * live status and deadline are never cached; they come from its row on every call.
 */
const noticeTerms = new Map<string, BiddingTerms>();
const MAX_CACHED_NOTICES = 1_000;

type TenderRow = {
  id: string;
  authority_id: string;
  ocid: string | null;
  status: string;
  tender_deadline: Date | null;
  notice_id: string | null;
};

async function termsFrom(db: ServiceContext['db'], tender: TenderRow | undefined): Promise<BiddingTerms> {
  if (!tender?.ocid || !tender.notice_id) throw new DomainError('NOT_FOUND', 'Tender not found');
  let terms = noticeTerms.get(tender.notice_id);
  if (!terms) {
    const notice = await noticeCanonical(db, tender.notice_id);
    if (!notice) throw new DomainError('NOT_FOUND', 'Tender not found');
    terms = biddingTerms({ ...tender, ocid: tender.ocid }, notice);
    if (noticeTerms.size >= MAX_CACHED_NOTICES) noticeTerms.clear();
    noticeTerms.set(tender.notice_id, terms);
  }
  return { ...terms, status: tender.status, deadline: tender.tender_deadline };
}

async function termsOf(
  db: ServiceContext['db'],
  ocid: string,
  lock?: 'share' | 'update',
): Promise<BiddingTerms> {
  return termsFrom(db, await findTenderByOcid(db, ocid, lock));
}

/**
 * A bid id is the client's choice, made before sealing (it is inside every manifest and share):
 * it may be used by one company for one tender only.
 */
function assertBidIdFree(
  bid: { tender_id: string; company_id: string } | undefined,
  tenderId: string,
  companyId: string,
): void {
  if (bid && (bid.tender_id !== tenderId || bid.company_id !== companyId)) {
    throw new DomainError('BID_ID_TAKEN', 'This bid id is already used; seal the bid with a new one');
  }
}

/**
 * Removes content this request stored and that no row references (under the per-content lock,
 * as tender documents do). Logged, not thrown: an orphan is harmless and the cleanup pass gets it.
 */
async function discard(ctx: ServiceContext, storage: BidStorage, blob: StoredBlob): Promise<void> {
  if (!blob.created) return;
  try {
    await withTransaction(ctx.db as Db, async (trx) => {
      await lockBlob(trx, blob.sha256);
      if (!(await blobReferenced(trx, blob.sha256))) await storage.store.delete(blob.sha256);
    });
  } catch (err) {
    storage.log.warn({ err, sha256: blob.sha256 }, 'could not remove unreferenced bid content');
  }
}

/**
 * Checks, before a byte is read, that this caller may upload a piece of this bid now: a member of
 * the company, a published tender taking sealed bids, before its deadline, a bid id free or the
 * company's own for this tender.
 */
export async function checkCanUpload(
  ctx: ServiceContext,
  input: { ocid: string; bidId: string; companyId: string },
): Promise<BiddingTerms> {
  authorizeOnBid(ctx.actor, 'bid.submit', input.companyId);
  const row = await findTenderForUpload(ctx.db, input.ocid, input.bidId);
  const terms = await termsFrom(ctx.db, row);
  assertTakesBids(terms);
  assertBeforeDeadline(ctx.clock.now(), terms.deadline);
  await mayBid(ctx.db, { id: terms.tenderId, procedure: terms.procedure }, input.companyId);
  const bid =
    row?.bid_tender_id && row.bid_company_id
      ? { tender_id: row.bid_tender_id, company_id: row.bid_company_id }
      : undefined;
  assertBidIdFree(bid, terms.tenderId, input.companyId);
  return terms;
}

/**
 * Streams one sealed piece (an encrypted file or share) into the store. The bytes must hash to the
 * SHA-256 named by the client, and the last byte must arrive before the deadline; otherwise
 * nothing is kept. Nothing is written to the database: the piece is bound to the bid only when a
 * version naming it is committed.
 */
export async function uploadBidBlob(
  ctx: ServiceContext,
  storage: BidStorage,
  input: { ocid: string; bidId: string; companyId: string; sha256: string; stream: Readable },
): Promise<{ sha256: string; size: number }> {
  const before = await checkCanUpload(ctx, input);
  let stored: StoredBlob;
  try {
    stored = await storage.store.put(input.stream, { maxBytes: storage.maxBytes });
  } catch (err) {
    if (err instanceof DomainError && err.code === 'DOCUMENT_TOO_LARGE') {
      throw new DomainError('ENVELOPE_TOO_LARGE', `A sealed piece is larger than ${storage.maxBytes} bytes`, {
        maxBytes: storage.maxBytes,
      });
    }
    throw err;
  }
  if (stored.sha256 !== input.sha256) {
    await discard(ctx, storage, stored);
    throw new DomainError('BLOB_HASH_MISMATCH', 'The bytes received do not hash to the SHA-256 in the URL', {
      expected: input.sha256,
      received: stored.sha256,
    });
  }
  // The last byte is in (and on disk): that instant decides. Once published, a deadline only
  // moves later (a corrigendum may extend it, never shorten it: publishCorrigendum, art. 136
  // LCSP), so an instant before the deadline read at the start is before the current one; only an
  // instant at or after it needs the tender read again, in case a corrigendum extended it meanwhile.
  const now = ctx.clock.now();
  try {
    if (!before.deadline || now.getTime() >= before.deadline.getTime()) {
      assertBeforeDeadline(now, (await termsOf(ctx.db, input.ocid)).deadline);
    }
  } catch (err) {
    await discard(ctx, storage, stored);
    throw err;
  }
  return { sha256: stored.sha256, size: stored.size };
}

/**
 * Locks every piece (one statement, in a fixed order, so two submissions never deadlock) and then
 * checks each is stored: under its lock, the cleanup pass cannot remove it before this commits.
 * The store is asked about all pieces at once: each answer may wait behind the file system work of
 * the uploads in flight, and this transaction holds the tender's lock (on PGlite, the only
 * connection) meanwhile.
 */
async function requireStored(
  trx: Tx,
  store: BlobStore,
  pieces: { kind: 'file' | 'share'; sha256: string; size: number | null }[],
): Promise<Map<string, number>> {
  const hashes = [...new Set(pieces.map((p) => p.sha256))];
  await lockBlobs(trx, hashes);
  const infos = await Promise.all(hashes.map((sha256) => store.stat(sha256)));
  const sizes = new Map<string, number>();
  hashes.forEach((sha256, i) => {
    const info = infos[i];
    if (!info)
      throw new DomainError('BLOB_MISSING', 'A piece the manifest names was not uploaded', { sha256 });
    sizes.set(sha256, info.size);
  });
  for (const p of pieces) {
    if (p.kind === 'share' && (sizes.get(p.sha256) ?? 0) > MAX_SHARE_BYTES) {
      throw new DomainError(
        'MANIFEST_INVALID',
        `An encrypted share is larger than ${MAX_SHARE_BYTES} bytes`,
        {
          sha256: p.sha256,
        },
      );
    }
    if (p.size !== null && sizes.get(p.sha256) !== p.size) {
      throw new DomainError('BLOB_MISSING', 'A stored piece does not have the size the manifest gives', {
        sha256: p.sha256,
        size: p.size,
      });
    }
  }
  return sizes;
}

/**
 * Submits a version of a bid (the first submission or a replacement: the last version counts) and
 * returns its signed receipt. Everything is checked under the tender's and the bid's locks, with
 * the server clock read once the locks are held: the receipt time, the deadline check and the
 * sequence number all refer to that instant.
 */
export async function submitBidVersion(
  ctx: ServiceContext,
  storage: BidStorage,
  ocid: string,
  bidId: string,
  input: SubmitVersionInput,
): Promise<ReceiptFile> {
  const actor = authorizeOnBid(ctx.actor, 'bid.submit', input.companyId);
  try {
    return await withTransaction(ctx.db as Db, async (trx) => {
      const tender = await lockTenderForSubmission(trx, ocid, input.companyId);
      const terms = await termsFrom(trx, tender);
      const target = assertTakesBids(terms);
      // The tender row is locked above: an invitation cannot be sent while this bid commits.
      await mayBid(trx, { id: terms.tenderId, procedure: terms.procedure }, input.companyId);
      const locked = await lockBidsForSubmission(trx, bidId, terms.tenderId, input.companyId);
      const bid = locked.find((b) => b.id === bidId);
      assertBidIdFree(bid, terms.tenderId, input.companyId);
      const own =
        bid ?? locked.find((b) => b.tender_id === terms.tenderId && b.company_id === input.companyId);
      if (own && own.id !== bidId) {
        throw new DomainError('CONFLICT', 'The company already has a bid for this tender: replace that one', {
          bidId: own.id,
        });
      }
      // Refused early when already late; the instant that counts is read again below.
      assertBeforeDeadline(ctx.clock.now(), terms.deadline);
      const lots = checkLots(input.lots, terms);
      const envelopes = checkEnvelopes(input.envelopes, {
        target,
        bidId,
        lots,
        envelopes: terms.envelopes,
      });
      const pieces = envelopes.map((e) => blobsOf(e));
      const sizes = await requireStored(trx, storage.store, pieces.flat());
      const taxId = tender?.company_tax_id;
      if (!taxId) throw new DomainError('NOT_FOUND', 'Company not found');

      // `own` is this bid here (any other was refused above); no row, no version yet.
      const version = Number(own?.last_version ?? 0) + 1;
      const sequence = await nextSequence(trx, terms.tenderId);
      // The receipt time is read last, after every wait (blob locks, the counter row): each piece
      // was on disk before it, and it is before the deadline, or nothing is written.
      const now = ctx.clock.now();
      assertBeforeDeadline(now, terms.deadline);
      const receipt = buildReceipt(
        {
          ocid,
          tenderId: terms.tenderId,
          bidId,
          version,
          sequence,
          lots,
          company: { id: input.companyId, taxId },
          receivedAt: now,
          envelopes: envelopes.map((e) => ({
            envelope: e.envelope,
            manifestSha256: e.manifestSha256,
            files: e.manifest.files.map((f) => f.sha256),
            shares: e.manifest.shares.map((s) => s.sha256),
          })),
        },
        storage.signingKey.keyId,
      );
      const file = signReceipt(receipt, storage.signingKey);
      const receiptJson = canonicalJson(receipt);
      const status: BidStatus = nextBidStatus((own?.status as BidStatus | undefined) ?? null, 'submit');
      await insertSubmission(
        trx,
        {
          id: bidId,
          tenderId: terms.tenderId,
          authorityId: terms.authorityId,
          companyId: input.companyId,
          status,
          currentVersion: version,
          at: now,
        },
        own !== undefined,
        {
          id: newId(),
          bidId,
          tenderId: terms.tenderId,
          authorityId: terms.authorityId,
          version,
          kind: 'submission',
          sequence,
          lots,
          receivedAt: now,
          submittedBy: actor.userId,
          receipt: receiptJson,
          signature: file.signature,
          keyId: receipt.keyId,
        },
        envelopes.map((e, i) => ({
          id: newId(),
          envelope: e.envelope,
          manifest: e.manifestJson,
          manifestSha256: e.manifestSha256,
          envelopeRecipient: e.manifest.envelopeRecipient,
          blobs: (pieces[i] ?? []).map((p) => ({ ...p, size: sizes.get(p.sha256) ?? 0 })),
        })),
      );
      await recordEvent(trx, ctx, {
        action: 'bid.submitted',
        objectType: 'tender',
        objectId: terms.tenderId,
        authorityId: terms.authorityId,
        companyId: input.companyId,
        // Names the company: nobody may read it before envelope A is opened (docs/SEALING.md).
        embargo: bidderEmbargo(terms.tenderId),
        data: {
          bidId,
          version,
          sequence,
          lots,
          receivedAt: receipt.receivedAt,
          receiptSha256: sha256Hex(receiptJson),
          envelopes: envelopes.map((e) => ({ envelope: e.envelope, manifestSha256: e.manifestSha256 })),
          replaced: version > 1,
        },
      });
      return file;
    });
  } catch (err) {
    // Two first submissions racing for one bid id or one company's bid.
    if (isUniqueViolation(err)) {
      throw new DomainError(
        'BID_ID_TAKEN',
        'This bid id, or a bid of this company, was just submitted; retry',
      );
    }
    throw err;
  }
}

/** The bid, once the caller is known to belong to its company (otherwise it does not exist). */
async function ownBid(
  db: ServiceContext['db'],
  ctx: ServiceContext,
  action: 'bid.withdraw' | 'bid.read',
  tenderId: string,
  bidId: string,
  forUpdate = false,
) {
  const bid = await findBid(db, bidId, { forUpdate });
  if (!bid || bid.tender_id !== tenderId) throw new DomainError('NOT_FOUND', 'Bid not found');
  return { bid, actor: authorizeOnBid(ctx.actor, action, bid.company_id) };
}

/**
 * Withdraws a bid before the deadline: a version of kind withdrawal with its own signed receipt;
 * from then on no version of the bid counts (a new submission before the deadline may follow).
 */
export async function withdrawBid(
  ctx: ServiceContext,
  storage: BidStorage,
  ocid: string,
  bidId: string,
  companyId: string,
): Promise<{ receipt: WithdrawalReceipt; signature: string }> {
  authorizeOnBid(ctx.actor, 'bid.withdraw', companyId);
  return withTransaction(ctx.db as Db, async (trx) => {
    const terms = await termsOf(trx, ocid, 'share');
    const { bid, actor } = await ownBid(trx, ctx, 'bid.withdraw', terms.tenderId, bidId, true);
    if (bid.company_id !== companyId) throw new DomainError('NOT_FOUND', 'Bid not found');
    assertTakesBids(terms);
    const now = ctx.clock.now();
    assertBeforeDeadline(now, terms.deadline);
    const status = nextBidStatus(bid.status as BidStatus, 'withdraw');
    const withdraws = bid.current_version ?? 0;
    const lots = await versionLots(trx, bidId, withdraws);
    const taxId = (await companyTaxId(trx, bid.company_id)) ?? '';
    const version = (await lastVersion(trx, bidId)) + 1;
    const sequence = await nextSequence(trx, terms.tenderId);
    const receipt = buildWithdrawalReceipt(
      {
        ocid,
        tenderId: terms.tenderId,
        bidId,
        version,
        sequence,
        withdraws,
        lots,
        company: { id: bid.company_id, taxId },
        receivedAt: now,
      },
      storage.signingKey.keyId,
    );
    const { signature } = signReceipt(receipt, storage.signingKey);
    const receiptJson = canonicalJson(receipt);
    await insertVersion(trx, {
      id: newId(),
      bidId,
      tenderId: terms.tenderId,
      authorityId: terms.authorityId,
      version,
      kind: 'withdrawal',
      sequence,
      lots,
      receivedAt: now,
      submittedBy: actor.userId,
      receipt: receiptJson,
      signature,
      keyId: receipt.keyId,
    });
    await upsertBid(
      trx,
      {
        id: bidId,
        tenderId: terms.tenderId,
        authorityId: terms.authorityId,
        companyId: bid.company_id,
        status,
        currentVersion: null,
        at: now,
      },
      true,
    );
    await recordEvent(trx, ctx, {
      action: 'bid.withdrawn',
      objectType: 'tender',
      objectId: terms.tenderId,
      authorityId: terms.authorityId,
      companyId: bid.company_id,
      embargo: bidderEmbargo(terms.tenderId),
      data: {
        bidId,
        version,
        sequence,
        receivedAt: receipt.receivedAt,
        receiptSha256: sha256Hex(receiptJson),
      },
    });
    return { receipt, signature };
  });
}

/** Every receipt of a bid (submissions, replacements, withdrawals), oldest first, for its company. */
export async function listBidReceipts(ctx: ServiceContext, ocid: string, bidId: string) {
  if (ctx.actor.kind !== 'user') throw new DomainError('UNAUTHENTICATED', 'Sign in first');
  const terms = await termsOf(ctx.db, ocid);
  await ownBid(ctx.db, ctx, 'bid.read', terms.tenderId, bidId);
  const rows = await listVersions(ctx.db, bidId);
  return rows.map((r) => ({
    version: r.version,
    kind: r.kind,
    sequence: r.sequence,
    file: { receipt: JSON.parse(r.receipt) as unknown, signature: r.signature },
  }));
}

/**
 * The public commitment at the deadline: counts per lot and the sorted hashes of the bids that
 * count, with the SHA-256 of that canonical list. The first computation after the deadline writes
 * a public audit event (anchored later in the public ledger); later ones find it and write nothing.
 * After the deadline no version can be written, so every computation gives the same bytes.
 */
export async function bidCommitment(
  ctx: ServiceContext,
  ocid: string,
): Promise<{ commitment: BidCommitment; sha256: string }> {
  const first = await termsOf(ctx.db, ocid);
  assertTakesBidsOrCancelled(first);
  assertCommitmentDue(ctx.clock.now(), first.deadline);
  const compute = async (db: ServiceContext['db'], terms: BiddingTerms) =>
    buildCommitment(ocid, terms.deadline as Date, terms.lots, await countedBids(db, terms.tenderId));
  if (await commitmentRecorded(ctx.db, first.tenderId)) return compute(ctx.db, first);
  return withTransaction(ctx.db as Db, async (trx) => {
    // The update lock waits for any submission still holding the tender's share lock.
    const terms = await termsOf(trx, ocid, 'update');
    const result = await compute(trx, terms);
    if (!(await commitmentRecorded(trx, terms.tenderId))) {
      await recordEvent(trx, ctx, {
        action: 'bid.commitment_published',
        objectType: 'tender',
        objectId: terms.tenderId,
        authorityId: terms.authorityId,
        isPublic: true,
        data: {
          ocid,
          deadline: result.commitment.deadline,
          bids: result.commitment.bids,
          lots: result.commitment.lots,
          commitmentSha256: result.sha256,
        },
      });
    }
    return result;
  });
}

/** A cancelled tender may still have received bids before its cancellation: its commitment stands. */
function assertTakesBidsOrCancelled(terms: BiddingTerms): void {
  if (!terms.sealing) {
    throw new DomainError('INVALID_TRANSITION', 'This notice has no sealing target: it takes no sealed bids');
  }
}
