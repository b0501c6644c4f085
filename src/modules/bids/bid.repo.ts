/**
 * SQL of sealed bids. A bid belongs to a company and a tender; the authority's staff never read
 * these rows through the API before the opening, so queries are scoped by tender and company (and
 * carry the tender's authority id on every row for the later opening).
 */
import { sql } from 'kysely';
import type { Db } from '../../platform/db/client.js';
import type { Tx } from '../../platform/db/tx.js';

type Q = Db | Tx;

/** A published (or cancelled) tender by its ocid, optionally locked. */
export function findTenderByOcid(db: Q, ocid: string, lock?: 'share' | 'update') {
  let q = db
    .selectFrom('tender')
    .select(['id', 'authority_id', 'ocid', 'status', 'tender_deadline'])
    .where('ocid', '=', ocid)
    .where('status', 'in', ['published', 'cancelled']);
  if (lock === 'share') q = q.forShare();
  if (lock === 'update') q = q.forUpdate();
  return q.executeTakeFirst();
}

/** The current (latest) notice version's canonical JSON. */
export async function currentNotice(db: Q, tenderId: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('tender_notice')
    .select('canonical')
    .where('tender_id', '=', tenderId)
    .orderBy('version', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.canonical;
}

export function findBid(db: Q, bidId: string, opts: { forUpdate?: boolean } = {}) {
  let q = db.selectFrom('bid').selectAll().where('id', '=', bidId);
  if (opts.forUpdate) q = q.forUpdate();
  return q.executeTakeFirst();
}

export function findCompanyBid(db: Q, tenderId: string, companyId: string) {
  return db
    .selectFrom('bid')
    .selectAll()
    .where('tender_id', '=', tenderId)
    .where('company_id', '=', companyId)
    .forUpdate()
    .executeTakeFirst();
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

export async function insertVersion(trx: Tx, v: NewBidVersion): Promise<void> {
  await trx
    .insertInto('bid_version')
    .values({
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
    })
    .execute();
}

export async function upsertBid(
  trx: Tx,
  b: {
    id: string;
    tenderId: string;
    authorityId: string;
    companyId: string;
    status: 'submitted' | 'withdrawn';
    currentVersion: number | null;
    at: Date;
  },
  exists: boolean,
): Promise<void> {
  if (exists) {
    await trx
      .updateTable('bid')
      .set({ status: b.status, current_version: b.currentVersion, updated_at: b.at })
      .where('id', '=', b.id)
      .execute();
    return;
  }
  await trx
    .insertInto('bid')
    .values({
      id: b.id,
      tender_id: b.tenderId,
      authority_id: b.authorityId,
      company_id: b.companyId,
      status: b.status,
      current_version: b.currentVersion,
      created_at: b.at,
      updated_at: b.at,
    })
    .execute();
}

export async function insertEnvelope(
  trx: Tx,
  e: {
    id: string;
    versionId: string;
    tenderId: string;
    authorityId: string;
    envelope: string;
    manifest: string;
    manifestSha256: string;
    envelopeRecipient: string;
  },
  blobs: { kind: 'file' | 'share'; position: number; sha256: string; size: number }[],
): Promise<void> {
  await trx
    .insertInto('bid_envelope')
    .values({
      id: e.id,
      bid_version_id: e.versionId,
      tender_id: e.tenderId,
      authority_id: e.authorityId,
      envelope: e.envelope,
      manifest: e.manifest,
      manifest_sha256: e.manifestSha256,
      envelope_recipient: e.envelopeRecipient,
    })
    .execute();
  await trx
    .insertInto('bid_blob')
    .values(
      blobs.map((b) => ({
        bid_envelope_id: e.id,
        authority_id: e.authorityId,
        kind: b.kind,
        position: b.position,
        sha256: b.sha256,
        size_bytes: b.size,
      })),
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
