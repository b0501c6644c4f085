/**
 * SQL of sealed bids. A bid belongs to a company and a tender; the authority's staff never read
 * these rows through the API before the opening, so queries are scoped by tender and company (and
 * carry the tender's authority id on every row for the later opening).
 */
import { sql } from 'kysely';
import type { Db } from '../../platform/db/client.js';
import type { Tx } from '../../platform/db/tx.js';

type Q = Db | Tx;

/**
 * A published (or cancelled) tender by its ocid, optionally locked, with the id of its current
 * (latest) notice version: notices are frozen once published, so the caller may keep what it read
 * from one by that id (bid.service.ts caches the bidding terms) and read only this row each time.
 */
export function findTenderByOcid(db: Q, ocid: string, lock?: 'share' | 'update') {
  let q = tenderByOcid(db, ocid);
  if (lock === 'share') q = q.forShare();
  if (lock === 'update') q = q.forUpdate();
  return q.executeTakeFirst();
}

function tenderByOcid(db: Q, ocid: string) {
  return db
    .selectFrom('tender as t')
    .select(['t.id', 't.authority_id', 't.ocid', 't.status', 't.tender_deadline'])
    .select((eb) =>
      eb
        .selectFrom('tender_notice as n')
        .select('n.id')
        .whereRef('n.tender_id', '=', 't.id')
        .orderBy('n.version', 'desc')
        .limit(1)
        .as('notice_id'),
    )
    .where('t.ocid', '=', ocid)
    .where('t.status', 'in', ['published', 'cancelled']);
}

/**
 * What the check before an upload needs, in one query (it runs for every piece of every bid):
 * the tender as `findTenderByOcid` gives it, and the tender and company of the bid id if it exists.
 */
export function findTenderForUpload(db: Q, ocid: string, bidId: string) {
  return tenderByOcid(db, ocid)
    .leftJoin('bid as b', (j) => j.on('b.id', '=', bidId))
    .select(['b.tender_id as bid_tender_id', 'b.company_id as bid_company_id'])
    .executeTakeFirst();
}

/**
 * The tender a submission is for, locked FOR SHARE until the transaction ends (the commitment and
 * the opening take it FOR UPDATE to wait for submissions in flight), with its current notice id and
 * the submitting company's tax id, in one statement.
 */
export function lockTenderForSubmission(trx: Tx, ocid: string, companyId: string) {
  return tenderByOcid(trx, ocid)
    .select((eb) =>
      eb.selectFrom('company as c').select('c.tax_id').where('c.id', '=', companyId).as('company_tax_id'),
    )
    .forShare()
    .executeTakeFirst();
}

/** A notice version's canonical JSON (frozen at publication: `tender_notice` rows never change). */
export async function noticeCanonical(db: Q, noticeId: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('tender_notice')
    .select('canonical')
    .where('id', '=', noticeId)
    .executeTakeFirst();
  return row?.canonical;
}

export function findBid(db: Q, bidId: string, opts: { forUpdate?: boolean } = {}) {
  let q = db.selectFrom('bid').selectAll().where('id', '=', bidId);
  if (opts.forUpdate) q = q.forUpdate();
  return q.executeTakeFirst();
}

/**
 * Locks, FOR UPDATE, the bid with this id and the company's bid for this tender (the same row,
 * two different rows when the id is taken by another bid, or none), each with the number of its
 * last version (withdrawals included), in one statement.
 */
export function lockBidsForSubmission(trx: Tx, bidId: string, tenderId: string, companyId: string) {
  return trx
    .selectFrom('bid as b')
    .selectAll('b')
    .select((eb) =>
      eb
        .selectFrom('bid_version as v')
        .select((e) => e.fn.max<number | null>('v.version').as('m'))
        .whereRef('v.bid_id', '=', 'b.id')
        .as('last_version'),
    )
    .where((eb) =>
      eb.or([
        eb('b.id', '=', bidId),
        eb.and([eb('b.tender_id', '=', tenderId), eb('b.company_id', '=', companyId)]),
      ]),
    )
    .forUpdate()
    .execute();
}

export async function companyTaxId(db: Q, companyId: string): Promise<string | undefined> {
  const row = await db.selectFrom('company').select('tax_id').where('id', '=', companyId).executeTakeFirst();
  return row?.tax_id;
}

/**
 * The next per-tender receipt sequence number. The upsert takes the counter row's lock until the
 * end of the transaction, so numbers are gapless and in commit order: a rolled-back submission
 * gives its number back.
 */
export async function nextSequence(trx: Tx, tenderId: string): Promise<number> {
  const row = await trx
    .insertInto('tender_bid_counter')
    .values({ tender_id: tenderId, last_sequence: 1 })
    .onConflict((oc) =>
      oc
        .column('tender_id')
        .doUpdateSet({ last_sequence: sql<number>`tender_bid_counter.last_sequence + 1` }),
    )
    .returning('last_sequence')
    .executeTakeFirstOrThrow();
  return Number(row.last_sequence);
}

export async function lastVersion(db: Q, bidId: string): Promise<number> {
  const row = await db
    .selectFrom('bid_version')
    .select((eb) => eb.fn.max<number | null>('version').as('v'))
    .where('bid_id', '=', bidId)
    .executeTakeFirst();
  return Number(row?.v ?? 0);
}

export async function versionLots(db: Q, bidId: string, version: number): Promise<number[]> {
  const row = await db
    .selectFrom('bid_version')
    .select('lots')
    .where('bid_id', '=', bidId)
    .where('version', '=', version)
    .executeTakeFirst();
  return (row?.lots ?? []).map(Number);
}

export type NewBidVersion = {
  id: string;
  bidId: string;
  tenderId: string;
  authorityId: string;
  version: number;
  kind: 'submission' | 'withdrawal';
  sequence: number;
  lots: number[];
  receivedAt: Date;
  submittedBy: string;
  receipt: string;
  signature: string;
  keyId: string;
};

const versionRow = (v: NewBidVersion) => ({
  id: v.id,
  bid_id: v.bidId,
  tender_id: v.tenderId,
  authority_id: v.authorityId,
  version: v.version,
  kind: v.kind,
  sequence: v.sequence,
  lots: v.lots,
  received_at: v.receivedAt,
  submitted_by: v.submittedBy,
  receipt: v.receipt,
  signature: v.signature,
  key_id: v.keyId,
});

export async function insertVersion(trx: Tx, v: NewBidVersion): Promise<void> {
  await trx.insertInto('bid_version').values(versionRow(v)).execute();
}

export type BidState = {
  id: string;
  tenderId: string;
  authorityId: string;
  companyId: string;
  status: 'submitted' | 'withdrawn';
  currentVersion: number | null;
  at: Date;
};

export async function upsertBid(trx: Tx, b: BidState, exists: boolean): Promise<void> {
  if (exists) {
    await trx
      .updateTable('bid')
      .set({ status: b.status, current_version: b.currentVersion, updated_at: b.at })
      .where('id', '=', b.id)
      .execute();
    return;
  }
  await trx.insertInto('bid').values(newBidRow(b)).execute();
}

const newBidRow = (b: BidState) => ({
  id: b.id,
  tender_id: b.tenderId,
  authority_id: b.authorityId,
  company_id: b.companyId,
  status: b.status,
  current_version: b.currentVersion,
  created_at: b.at,
  updated_at: b.at,
});

export type NewEnvelope = {
  id: string;
  envelope: string;
  manifest: string;
  manifestSha256: string;
  envelopeRecipient: string;
  blobs: { kind: 'file' | 'share'; position: number; sha256: string; size: number }[];
};

/**
 * Writes a submitted version in one statement: the bid (inserted, or updated when it `exists`),
 * the version with its signed receipt, its envelopes and their pieces. The submission transaction
 * holds the tender's lock (and, on PGlite, the only connection) while it runs, so one round trip
 * instead of four matters under a deadline surge. Foreign keys between these rows are checked at
 * the end of the statement, when all of them are in.
 */
export async function insertSubmission(
  trx: Tx,
  bid: BidState,
  exists: boolean,
  version: NewBidVersion,
  envelopes: readonly NewEnvelope[],
): Promise<void> {
  const withBid = exists
    ? trx.with('b', (db) =>
        db
          .updateTable('bid')
          .set({ status: bid.status, current_version: bid.currentVersion, updated_at: bid.at })
          .where('id', '=', bid.id)
          .returning('id'),
      )
    : trx.with('b', (db) => db.insertInto('bid').values(newBidRow(bid)).returning('id'));
  await withBid
    .with('v', (db) => db.insertInto('bid_version').values(versionRow(version)).returning('id'))
    .with('e', (db) =>
      db
        .insertInto('bid_envelope')
        .values(
          envelopes.map((e) => ({
            id: e.id,
            bid_version_id: version.id,
            tender_id: version.tenderId,
            authority_id: version.authorityId,
            envelope: e.envelope,
            manifest: e.manifest,
            manifest_sha256: e.manifestSha256,
            envelope_recipient: e.envelopeRecipient,
          })),
        )
        .returning('id'),
    )
    .insertInto('bid_blob')
    .values(
      envelopes.flatMap((e) =>
        e.blobs.map((b) => ({
          bid_envelope_id: e.id,
          authority_id: version.authorityId,
          kind: b.kind,
          position: b.position,
          sha256: b.sha256,
          size_bytes: b.size,
        })),
      ),
    )
    .execute();
}

export function listVersions(db: Q, bidId: string) {
  return db
    .selectFrom('bid_version')
    .select(['version', 'kind', 'sequence', 'receipt', 'signature'])
    .where('bid_id', '=', bidId)
    .orderBy('version')
    .execute();
}

/** The current versions of the submitted (not withdrawn) bids of a tender, with their hashes. */
export async function countedBids(db: Q, tenderId: string) {
  const versions = await db
    .selectFrom('bid as b')
    .innerJoin('bid_version as v', (j) =>
      j.onRef('v.bid_id', '=', 'b.id').onRef('v.version', '=', 'b.current_version'),
    )
    .select(['v.id', 'v.lots'])
    .where('b.tender_id', '=', tenderId)
    .where('b.status', '=', 'submitted')
    .execute();
  if (versions.length === 0) return [];
  const envelopes = await db
    .selectFrom('bid_envelope as e')
    .leftJoin('bid_blob as bb', 'bb.bid_envelope_id', 'e.id')
    .select(['e.bid_version_id', 'e.id', 'e.manifest_sha256', 'bb.sha256'])
    .where(
      'e.bid_version_id',
      'in',
      versions.map((v) => v.id),
    )
    .execute();
  return versions.map((v) => {
    const mine = envelopes.filter((e) => e.bid_version_id === v.id);
    return {
      lots: v.lots.map(Number),
      manifests: [...new Set(mine.map((e) => e.manifest_sha256))],
      ciphertexts: mine.flatMap((e) => (e.sha256 ? [e.sha256] : [])),
    };
  });
}

export async function commitmentRecorded(db: Q, tenderId: string): Promise<boolean> {
  const row = await db
    .selectFrom('audit_event')
    .select('id')
    .where('action', '=', 'bid.commitment_published')
    .where('object_type', '=', 'tender')
    .where('object_id', '=', tenderId)
    .executeTakeFirst();
  return row !== undefined;
}

/** Whether any row references stored content: a tender document or a piece of a sealed bid. */
export async function blobReferenced(db: Q, sha256: string): Promise<boolean> {
  const doc = await db
    .selectFrom('tender_document')
    .select('id')
    .where('sha256', '=', sha256)
    .executeTakeFirst();
  if (doc) return true;
  const piece = await db
    .selectFrom('bid_blob')
    .select('bid_envelope_id')
    .where('sha256', '=', sha256)
    .executeTakeFirst();
  if (piece) return true;
  // Opened bids' plaintext shares the store too.
  const plain = await db
    .selectFrom('bid_plaintext')
    .select('sha256')
    .where('sha256', '=', sha256)
    .executeTakeFirst();
  return plain !== undefined;
}
