/**
 * Opening sealed bids with a quorum of key custodians, stage by stage A → B → C (issue 4,
 * docs/SEALING.md "Opening"; LCSP DA 17ª; arts. 146.2.b and 157 LCSP). Each custodian submits the
 * plaintext shares they unwrapped on their own device; the server checks each against the bid
 * envelope's manifest, holds it in memory only (share-pool.ts) and, once k custodians have submitted
 * for every bid envelope of the stage, rebuilds each envelope key, decrypts, stores the plaintext,
 * drops keys and shares, and writes the public opening record.
 */
import { createHash } from 'node:crypto';
import { PassThrough, Readable, Writable } from 'node:stream';
import { canonicalJson } from '../../platform/canonical-json.js';
import type { ServiceContext } from '../../platform/context.js';
import type { Db } from '../../platform/db/client.js';
import { withTransaction } from '../../platform/db/tx.js';
import { DomainError } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import type { BlobStore } from '../../platform/storage/blob-store.js';
import { liftEmbargo, recordEvent } from '../audit/audit.service.js';
import { publishBidsReceived } from '../ocds/ocds-award.publish.js';
import { qualificationPending } from '../evaluation/qualification.service.js';
import { bidderEmbargo } from '../bids/bid.service.js';
import { OFFER_FILE_NAME, parseOffer } from '../sealing/offer.rules.js';
import { blobIsReferenced, lockBlob, lockBlobs } from '../tenders/tender-document.repo.js';
import { toBase64 } from '../sealing/bytes.js';
import { openEnvelope, openEnvelopeToSinks } from '../sealing/envelope.open.js';
import { isEnvelopeLetter, parseManifest } from '../sealing/manifest.rules.js';
import type { EnvelopeLetter, EnvelopeManifest, SharePayload } from '../sealing/sealing.types.js';
import { parseSharePayload, reconstructEnvelopeIdentity, validateShareSet } from '../sealing/shares.js';
import { authorizeOnOpening } from './opening.policy.js';
import { presentOpening } from './opening.presenter.js';
import {
  activeKeyIdsOf,
  awaitSubmissions,
  bReportApproved,
  blobRows,
  currentNotice,
  insertOpening,
  openedStages,
  openingRows,
  publicTenderByOcid,
  type StageEnvelopeRow,
  stageEnvelopeRows,
  tenderForOpening,
  userNames,
} from './opening.repo.js';
import { orderedStages, refuseStage, stageQuorumReached } from './opening.rules.js';
import type {
  OpeningRecord,
  OpeningRecordBid,
  OpeningRecordOffer,
  OpeningView,
  OwnSharesView,
  ShareSubmissionResult,
} from './opening.types.js';
import type { SharePool } from './share-pool.js';
import { publishedTaxId } from '../minor/minor-contract.rules.js';

export type OpeningDeps = {
  pool: SharePool;
  blobStore: BlobStore;
  /**
   * Envelopes whose plaintext is larger than this are opened with `openEnvelopeToSinks` (verify
   * fully, then decrypt again into the blob store) instead of being buffered in memory.
   */
  bufferUpTo?: number;
  log?: { warn(obj: object, msg: string): void };
};

const DEFAULT_BUFFER_UP_TO = 64 * 1024 * 1024;
const PLAINTEXT_MAX_BYTES = Number.MAX_SAFE_INTEGER;

type NoticeSealing = {
  quorum: number;
  custodians: { index: number; keyId: string; recipient: string }[];
};

function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The published tender, its frozen sealing target and envelope stages (from the current notice). */
export async function publishedTender(db: ServiceContext['db'], authorityId: string, tenderId: string) {
  const tender = await tenderForOpening(db, authorityId, tenderId);
  if (!tender) throw new DomainError('NOT_FOUND', 'Tender not found');
  if (tender.status !== 'published' || !tender.ocid) {
    throw new DomainError('INVALID_TRANSITION', 'Only the bids of a published tender are opened', {
      status: tender.status,
    });
  }
  const canonical = await currentNotice(db, authorityId, tenderId);
  const notice = (canonical ? JSON.parse(canonical) : {}) as {
    sealing?: NoticeSealing;
    envelopes?: unknown[];
  };
  const stages = orderedStages((notice.envelopes ?? []).filter(isEnvelopeLetter));
  return { tender, ocid: tender.ocid, sealing: notice.sealing ?? null, stages };
}

async function stageFacts(
  db: ServiceContext['db'],
  authorityId: string,
  tenderId: string,
  stages: readonly EnvelopeLetter[],
) {
  const opened = (await openedStages(db, authorityId, tenderId)).filter(isEnvelopeLetter);
  const qualification = await qualificationPending(db, authorityId, tenderId, stages);
  return {
    opened,
    bReportApproved: await bReportApproved(db, authorityId, tenderId),
    qualificationPending: qualification?.pending ?? false,
  };
}

/** The caller's position in the tender's frozen sealing target, by their active key. */
async function custodianOf(
  db: ServiceContext['db'],
  authorityId: string,
  userId: string,
  sealing: NoticeSealing,
): Promise<{ index: number; keyId: string }> {
  const keyIds = await activeKeyIdsOf(db, authorityId, userId);
  const mine = sealing.custodians.find((c) => keyIds.includes(c.keyId));
  if (!mine) throw new DomainError('FORBIDDEN', 'You are not a key custodian of this tender');
  return { index: mine.index, keyId: mine.keyId };
}

/** Loads everything a custodian's step needs and applies the stage rules. */
async function custodianStage(
  ctx: ServiceContext,
  authorityId: string,
  tenderId: string,
  envelope: EnvelopeLetter,
  userId: string,
) {
  const t = await publishedTender(ctx.db, authorityId, tenderId);
  if (!t.sealing) {
    throw new DomainError('INVALID_TRANSITION', 'This tender does not take sealed electronic bids');
  }
  const custodian = await custodianOf(ctx.db, authorityId, userId, t.sealing);
  const facts = await stageFacts(ctx.db, authorityId, tenderId, t.stages);
  const refusal = refuseStage(envelope, {
    now: ctx.clock.now(),
    deadline: t.tender.tender_deadline,
    openingAt: t.tender.opening_at,
    stages: t.stages,
    ...facts,
  });
  if (refusal) {
    const { code, ...details } = refusal;
    const messages = {
      NOT_FOUND: 'The tender has no such envelope',
      OPENING_NOT_YET: 'Bids cannot be opened before the deadline and the opening time',
      OPENING_OUT_OF_ORDER:
        'Envelopes open in order A → B → C, each once, and after the first only once every bid is admitted or excluded',
      OPENING_REPORT_PENDING: 'Envelope C opens only after the report on envelope B is approved',
    } as const;
    throw new DomainError(code, messages[code], { envelope, ...details });
  }
  return { ...t, sealing: t.sealing, custodian };
}

/** Adds the bid to a share error's details, so the custodian knows which share was refused. */
function withBid<T>(bidId: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof DomainError && err.code.startsWith('SHARE_')) {
      const details = typeof err.details === 'object' && err.details !== null ? err.details : {};
      throw new DomainError(err.code, err.message, { ...details, bidId });
    }
    throw err;
  }
}

function manifestOf(row: StageEnvelopeRow): EnvelopeManifest {
  return parseManifest(JSON.parse(row.manifest));
}

/**
 * A custodian submits, for bid envelopes of a stage, the plaintext share payloads they decrypted on
 * their device. All of them are checked before any is kept: context, this custodian's index (a
 * custodian cannot submit another position: SHARE_FOREIGN), no second share for the same position
 * or bytes (SHARE_DUPLICATE). The submission is audited without the share material. When the stage
 * reaches its quorum, it is opened at once.
 */
export async function submitShares(
  ctx: ServiceContext,
  deps: OpeningDeps,
  authorityId: string,
  tenderId: string,
  envelope: EnvelopeLetter,
  input: { shares: { bidId: string; share: unknown }[] },
): Promise<ShareSubmissionResult> {
  const actor = authorizeOnOpening(ctx.actor, 'opening.submit_shares', authorityId);
  return deps.pool.exclusive(tenderId, envelope, async () => {
    const stage = await custodianStage(ctx, authorityId, tenderId, envelope, actor.userId);
    const index = stage.custodian.index;
    await awaitSubmissions(ctx.db as Db, authorityId, tenderId);
    const rows = await stageEnvelopeRows(ctx.db, authorityId, tenderId, envelope);
    const byBid = new Map(rows.map((r) => [r.bid_id, r]));
    const accepted = new Map<string, SharePayload>();
    const seen = new Set<string>();
    for (const item of input.shares) {
      withBid(item.bidId, () => {
        const row = byBid.get(item.bidId);
        if (!row) {
          throw new DomainError('SHARE_FOREIGN', 'No bid of this stage has this id', { envelope });
        }
        if (seen.has(item.bidId)) {
          throw new DomainError('SHARE_DUPLICATE', 'Two shares were given for the same bid');
        }
        seen.add(item.bidId);
        const payload = parseSharePayload(item.share);
        if (payload.bidId !== item.bidId || payload.index !== index) {
          throw new DomainError(
            'SHARE_FOREIGN',
            'This share belongs to another bid or another custodian position',
            { index: payload.index, yourIndex: index },
          );
        }
        const pooled = deps.pool.sharesFor(tenderId, envelope, row.bid_envelope_id);
        if (pooled.has(index)) {
          throw new DomainError('SHARE_DUPLICATE', 'You already submitted your share for this bid', {
            index,
          });
        }
        validateShareSet(manifestOf(row), [...pooled.values(), payload]);
        accepted.set(row.bid_envelope_id, payload);
      });
    }
    await withTransaction(ctx.db as Db, (trx) =>
      recordEvent(trx, ctx, {
        action: 'opening.shares_submitted',
        objectType: 'tender',
        objectId: tenderId,
        authorityId,
        data: { envelope, custodianIndex: index, bids: accepted.size },
      }),
    );
    deps.pool.add(tenderId, envelope, index, actor.userId, accepted);

    const custodiansSubmitted = deps.pool.submissions(tenderId, envelope).size;
    const counts = rows.map((r) => ({
      row: r,
      shares: deps.pool.sharesFor(tenderId, envelope, r.bid_envelope_id).size,
    }));
    const quorum = stage.sealing.quorum;
    let opened: OpeningView | null = null;
    if (stageQuorumReached({ quorum, custodiansSubmitted, sharesPerEnvelope: counts.map((c) => c.shares) })) {
      opened = await openStage(ctx, deps, { ...stage, authorityId, tenderId, envelope, rows });
    }
    return {
      envelope,
      custodianIndex: index,
      quorum,
      custodiansSubmitted: opened ? custodiansSubmitted : deps.pool.submissions(tenderId, envelope).size,
      pending: opened
        ? []
        : counts.filter((c) => c.shares < quorum).map((c) => ({ bidId: c.row.bid_id, shares: c.shares })),
      opened,
    };
  });
}

type OpenedBid = {
  row: StageEnvelopeRow;
  failure: string | null;
  files: OpeningRecordBid['files'];
  /** Envelope C only (null elsewhere and when the envelope failed). */
  offer: OpeningRecordOffer | null;
};

/** An offer file is a few hundred bytes; anything far larger is not read into memory. */
const OFFER_MAX_BYTES = 64 * 1024;

/** Reads the opened envelope's `offer.json` back from the store and checks it against the bid. */
async function readOffer(
  store: BlobStore,
  manifest: EnvelopeManifest,
  lots: readonly number[],
  files: OpeningRecordBid['files'],
): Promise<OpeningRecordOffer> {
  const file = files.find((f) => f.name === OFFER_FILE_NAME);
  if (!file) return { lots: null, problem: 'missing' };
  if (file.size > OFFER_MAX_BYTES) return { lots: null, problem: 'too_large' };
  const chunks: Buffer[] = [];
  for await (const chunk of store.get(file.sha256)) chunks.push(chunk as Buffer);
  const parsed = parseOffer(new Uint8Array(Buffer.concat(chunks)), {
    ocid: manifest.ocid,
    bidId: manifest.bidId,
    lots,
  });
  return parsed.ok ? { lots: parsed.offer.lots, problem: null } : { lots: null, problem: parsed.problem };
}

/**
 * Removes plaintext this opening stored and nothing references, each under its blob lock (the same
 * bytes may meanwhile have become a tender document or another opening's plaintext). Errors are
 * logged, not thrown: an orphan wastes space (the storage cleanup takes it), the caller's error matters.
 */
async function discardPlaintext(
  ctx: ServiceContext,
  deps: OpeningDeps,
  hashes: readonly string[],
): Promise<void> {
  for (const sha256 of new Set(hashes)) {
    try {
      await withTransaction(ctx.db as Db, async (trx) => {
        await lockBlob(trx, sha256);
        if (!(await blobIsReferenced(trx, sha256))) await deps.blobStore.delete(sha256);
      });
    } catch (err) {
      deps.log?.warn({ err, sha256 }, 'could not remove unreferenced opened content');
    }
  }
}

/** Puts plaintext bytes into the blob store; returns what was stored. */
async function storeBytes(store: BlobStore, bytes: Uint8Array, created: string[]) {
  const stored = await store.put(Readable.from([Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length)]), {
    maxBytes: PLAINTEXT_MAX_BYTES,
  });
  if (stored.created) created.push(stored.sha256);
  return stored;
}

function ciphertextsOf(store: BlobStore, files: { sha256: string }[]) {
  return (_file: unknown, position: number) => {
    const blob = files[position];
    if (!blob) throw new DomainError('CIPHERTEXT_TAMPERED', 'A ciphertext of the envelope is missing');
    return Readable.toWeb(store.get(blob.sha256)) as ReadableStream<Uint8Array>;
  };
}

/**
 * Opens one bid envelope into the blob store. A tampered or missing ciphertext is a failure of this
 * bid only (CIPHERTEXT_TAMPERED): the plaintext blobs this bid created are removed again, so it is
 * never half-opened. Other errors (disk, database) abort the whole opening.
 */
async function openOne(
  ctx: ServiceContext,
  deps: OpeningDeps,
  authorityId: string,
  row: StageEnvelopeRow,
  manifest: EnvelopeManifest,
  shares: SharePayload[],
  created: string[],
): Promise<OpenedBid> {
  const fileBlobs = await blobRows(ctx.db, authorityId, row.bid_envelope_id, 'file');
  const mine: string[] = [];
  try {
    if (fileBlobs.length !== manifest.files.length) {
      throw new DomainError('CIPHERTEXT_TAMPERED', 'The stored files differ from the manifest');
    }
    const ciphertexts = ciphertextsOf(deps.blobStore, fileBlobs);
    const total = manifest.files.reduce((n, f) => n + f.size, 0);
    const files: OpeningRecordBid['files'] = [];
    if (total <= (deps.bufferUpTo ?? DEFAULT_BUFFER_UP_TO)) {
      const opened = await openEnvelope({ manifest, shares, ciphertexts });
      try {
        for (const f of opened.files) {
          const stored = await storeBytes(deps.blobStore, f.plaintext, mine);
          files.push({ name: f.name, size: f.size, sha256: stored.sha256 });
        }
      } finally {
        for (const f of opened.files) f.plaintext.fill(0);
      }
    } else {
      // Large envelope: verified fully first, then decrypted again straight into the store.
      const puts: Promise<{ sha256: string; size: number; created: boolean }>[] = [];
      await openEnvelopeToSinks({
        manifest,
        shares,
        ciphertexts,
        sink: () => {
          const pipe = new PassThrough();
          const put = deps.blobStore.put(pipe, { maxBytes: PLAINTEXT_MAX_BYTES });
          put.catch(() => {});
          puts.push(put);
          return Writable.toWeb(pipe) as WritableStream<Uint8Array>;
        },
      }).catch(async (err) => {
        for (const p of await Promise.allSettled(puts)) {
          if (p.status === 'fulfilled' && p.value.created) mine.push(p.value.sha256);
        }
        throw err;
      });
      for (const [i, put] of puts.entries()) {
        const stored = await put;
        if (stored.created) mine.push(stored.sha256);
        const file = manifest.files[i];
        if (file) files.push({ name: file.name, size: file.size, sha256: stored.sha256 });
      }
    }
    created.push(...mine);
    const offer =
      manifest.envelope === 'C' ? await readOffer(deps.blobStore, manifest, row.lots, files) : null;
    return { row, failure: null, files, offer };
  } catch (err) {
    await discardPlaintext(ctx, deps, mine);
    if (err instanceof DomainError && (err.code === 'CIPHERTEXT_TAMPERED' || err.code === 'NOT_FOUND')) {
      return { row, failure: 'CIPHERTEXT_TAMPERED', files: [], offer: null };
    }
    throw err;
  }
}

/**
 * Opens every bid envelope of the stage with the pooled shares. First every key is rebuilt and
 * checked against its manifest without decrypting anything: if some shares fail (SHARE_INVALID),
 * those envelopes' shares are dropped, nothing is opened and the custodians resubmit. Then each
 * envelope is decrypted and stored, the opening record written with its public audit event in one
 * transaction, and the stage's shares dropped from memory.
 */
async function openStage(
  ctx: ServiceContext,
  deps: OpeningDeps,
  stage: {
    authorityId: string;
    tenderId: string;
    ocid: string;
    envelope: EnvelopeLetter;
    sealing: NoticeSealing;
    rows: StageEnvelopeRow[];
  },
): Promise<OpeningView> {
  const { authorityId, tenderId, envelope, rows } = stage;
  const prepared = rows.map((row) => ({
    row,
    manifest: manifestOf(row),
    shares: [...deps.pool.sharesFor(tenderId, envelope, row.bid_envelope_id).values()],
  }));
  const invalid: string[] = [];
  for (const p of prepared) {
    try {
      // The rebuilt identity is discarded at once; openEnvelope rebuilds it again below.
      await reconstructEnvelopeIdentity(p.manifest, p.shares);
    } catch (err) {
      if (err instanceof DomainError && err.code === 'SHARE_INVALID') invalid.push(p.row.bid_envelope_id);
      else throw err;
    }
  }
  if (invalid.length > 0) {
    for (const id of invalid) deps.pool.dropEnvelope(tenderId, envelope, id);
    throw new DomainError('SHARE_INVALID', 'Some shares do not rebuild their envelope key: resubmit them', {
      envelope,
      bidIds: prepared.filter((p) => invalid.includes(p.row.bid_envelope_id)).map((p) => p.row.bid_id),
    });
  }

  const submissions = [...deps.pool.submissions(tenderId, envelope).entries()].sort((a, b) => a[0] - b[0]);
  const names = await userNames(
    ctx.db,
    submissions.map(([, s]) => s.userId),
  );
  const created: string[] = [];
  try {
    const results: OpenedBid[] = [];
    for (const p of prepared) {
      results.push(await openOne(ctx, deps, authorityId, p.row, p.manifest, p.shares, created));
    }
    const openedAt = ctx.clock.now();
    const custodians = submissions.map(([index, s]) => ({ index, name: names.get(s.userId) ?? '' }));
    const record: OpeningRecord = {
      v: 1,
      kind: 'contracta.opening-record',
      ocid: stage.ocid,
      tenderId,
      envelope,
      openedAt: openedAt.toISOString(),
      quorum: stage.sealing.quorum,
      custodians,
      bids: results.map((r) => ({
        bidId: r.row.bid_id,
        sequence: r.row.sequence,
        lots: r.row.lots,
        // The record is public: a natural person's NIF/NIE is masked (LOPDGDD DA 7ª).
        company: {
          id: r.row.company_id,
          legalName: r.row.legal_name,
          taxId: publishedTaxId(r.row.tax_id, r.row.tax_id_kind),
        },
        manifestSha256: r.row.manifest_sha256,
        outcome: r.failure ? 'failed' : 'opened',
        failure: r.failure,
        files: r.files,
        ...(envelope === 'C' ? { offer: r.offer } : {}),
      })),
    };
    const text = canonicalJson(record);
    const recordSha256 = sha256Hex(text);
    await withTransaction(ctx.db as Db, async (trx) => {
      const id = newId();
      await insertOpening(trx, {
        id,
        tenderId,
        authorityId,
        envelope,
        at: openedAt,
        record: text,
        recordSha256,
        custodians: submissions.map(([index, s]) => ({ index, userId: s.userId })),
        bids: results.map((r) => ({
          bidEnvelopeId: r.row.bid_envelope_id,
          bidId: r.row.bid_id,
          failure: r.failure,
          files: r.files,
        })),
      });
      // The bids' plaintext must still be in the store when the record that cites it commits: a
      // failed upload of the same bytes elsewhere removes content only under the same lock.
      // All the locks in one statement, in hash order, so that two openings sharing files cannot deadlock.
      const plaintext = [...new Set(results.flatMap((r) => r.files.map((f) => f.sha256)))];
      await lockBlobs(trx, plaintext);
      const stored = await Promise.all(plaintext.map((h) => deps.blobStore.has(h)));
      if (stored.includes(false)) {
        throw new DomainError('CONFLICT', 'Opened content vanished from storage meanwhile; open again');
      }
      // The record names the bidders: from now on their bid events may be read (audit embargo).
      await liftEmbargo(trx, ctx, bidderEmbargo(tenderId));
      const eventId = await recordEvent(trx, ctx, {
        action: 'opening.recorded',
        objectType: 'opening',
        objectId: id,
        authorityId,
        isPublic: true,
        data: {
          ocid: stage.ocid,
          envelope,
          recordSha256,
          custodians,
          bids: results.map((r) => ({
            bidId: r.row.bid_id,
            outcome: r.failure ? 'failed' : 'opened',
            failure: r.failure,
          })),
        },
      });
      // The first opening makes the bids known: their count as an OCDS `tenderUpdate` (issue 6).
      await publishBidsReceived(trx, { authorityId, tenderId, eventId });
    });
    return presentOpening(text, recordSha256);
  } catch (err) {
    // Nothing was committed: the plaintext written for this attempt must not stay on disk.
    await discardPlaintext(ctx, deps, created);
    throw err;
  } finally {
    for (const p of prepared) p.shares.length = 0;
    deps.pool.drop(tenderId, envelope);
  }
}

/** The caller's encrypted shares for the bids of a stage that may open now, to decrypt on their device. */
export async function ownShares(
  ctx: ServiceContext,
  deps: OpeningDeps,
  authorityId: string,
  tenderId: string,
  envelope: EnvelopeLetter,
): Promise<OwnSharesView> {
  const actor = authorizeOnOpening(ctx.actor, 'opening.read_own_shares', authorityId);
  const stage = await custodianStage(ctx, authorityId, tenderId, envelope, actor.userId);
  const index = stage.custodian.index;
  await awaitSubmissions(ctx.db as Db, authorityId, tenderId);
  const rows = await stageEnvelopeRows(ctx.db, authorityId, tenderId, envelope);
  const shares: OwnSharesView['shares'] = [];
  for (const row of rows) {
    const blob = (await blobRows(ctx.db, authorityId, row.bid_envelope_id, 'share')).find(
      (b) => b.position === index,
    );
    if (!blob) continue;
    const chunks: Buffer[] = [];
    for await (const chunk of deps.blobStore.get(blob.sha256)) chunks.push(chunk as Buffer);
    shares.push({ bidId: row.bid_id, sha256: blob.sha256, ciphertext: toBase64(Buffer.concat(chunks)) });
  }
  return { envelope, custodianIndex: index, quorum: stage.sealing.quorum, shares };
}

/** The published opening records of a tender, stage by stage (public). */
export async function listOpenings(ctx: ServiceContext, ocid: string): Promise<OpeningView[]> {
  const t = await publicTenderByOcid(ctx.db, ocid);
  if (!t) throw new DomainError('NOT_FOUND', 'Tender not found');
  const rows = await openingRows(ctx.db, t.id);
  return rows.map((r) => presentOpening(r.record, r.record_sha256));
}
