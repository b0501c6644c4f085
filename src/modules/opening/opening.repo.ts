import { type SqlBool, sql } from 'kysely';
import type { Db } from '../../platform/db/client.js';
import { type Tx, withTransaction } from '../../platform/db/tx.js';

type Q = Db | Tx;

/** The tender fields the opening needs, within the authority (another authority's tender does not exist). */
export function tenderForOpening(db: Q, authorityId: string, tenderId: string) {
  return db
    .selectFrom('tender')
    .select(['id', 'authority_id', 'status', 'ocid', 'tender_deadline', 'opening_at'])
    .where('authority_id', '=', authorityId)
    .where('id', '=', tenderId)
    .executeTakeFirst();
}

/** A published (or cancelled) tender by its ocid, for the public list of openings. */
export function publicTenderByOcid(db: Q, ocid: string) {
  return db
    .selectFrom('tender')
    .select(['id', 'authority_id'])
    .where('ocid', '=', ocid)
    .where('status', 'in', ['published', 'cancelled'])
    .executeTakeFirst();
}

/** The current notice's canonical JSON (its `sealing` and `envelopes` are frozen at publication). */
export async function currentNotice(db: Q, authorityId: string, tenderId: string): Promise<string | null> {
  const row = await db
    .selectFrom('tender_notice')
    .select('canonical')
    .where('authority_id', '=', authorityId)
    .where('tender_id', '=', tenderId)
    .orderBy('version', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.canonical ?? null;
}

/** Ids of the custodian's active keys in the authority (at most one). */
export async function activeKeyIdsOf(db: Q, authorityId: string, userId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('custodian_key')
    .select('id')
    .where('authority_id', '=', authorityId)
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .execute();
  return rows.map((r) => r.id);
}

export async function openedStages(db: Q, authorityId: string, tenderId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('opening')
    .select('envelope')
    .where('authority_id', '=', authorityId)
    .where('tender_id', '=', tenderId)
    .execute();
  return rows.map((r) => r.envelope);
}

export async function bReportApproved(db: Q, authorityId: string, tenderId: string): Promise<boolean> {
  const row = await db
    .selectFrom('opening_b_report')
    .select('tender_id')
    .where('authority_id', '=', authorityId)
    .where('tender_id', '=', tenderId)
    .executeTakeFirst();
  return row !== undefined;
}

export async function insertBReport(
  db: Q,
  row: { tenderId: string; authorityId: string; userId: string; at: Date },
): Promise<void> {
  await db
    .insertInto('opening_b_report')
    .values({
      tender_id: row.tenderId,
      authority_id: row.authorityId,
      approved_by: row.userId,
      approved_at: row.at,
    })
    .execute();
}

/**
 * The bid envelopes of one stage: for each bid that counts (submitted, its current version), its
 * envelope of this letter, minus bids whose envelope failed at an earlier opening (a bid whose
 * documentation could not be opened cannot go on to the next stage).
 */
export function stageEnvelopeRows(db: Q, authorityId: string, tenderId: string, envelope: string) {
  return (
    db
      .selectFrom('bid as b')
      .innerJoin('bid_version as v', (j) =>
        j.onRef('v.bid_id', '=', 'b.id').onRef('v.version', '=', 'b.current_version'),
      )
      .innerJoin('bid_envelope as e', 'e.bid_version_id', 'v.id')
      .innerJoin('company as c', 'c.id', 'b.company_id')
      .select([
        'e.id as bid_envelope_id',
        'b.id as bid_id',
        'v.sequence',
        'v.lots',
        'e.manifest',
        'e.manifest_sha256',
        'c.id as company_id',
        'c.legal_name',
        'c.tax_id',
        'c.tax_id_kind',
      ])
      .where('b.authority_id', '=', authorityId)
      .where('b.tender_id', '=', tenderId)
      .where('b.status', '=', 'submitted')
      .where('v.kind', '=', 'submission')
      .where('e.envelope', '=', envelope)
      // A bid goes on to a stage only if every earlier stage of the tender opened it: one that
      // failed, or that was not there when an earlier stage opened, stays out.
      .where(
        sql<SqlBool>`NOT EXISTS (
        SELECT 1 FROM opening op
        WHERE op.tender_id = b.tender_id AND op.envelope < ${envelope}
          AND NOT EXISTS (SELECT 1 FROM bid_opening o
                          WHERE o.opening_id = op.id AND o.bid_id = b.id AND o.outcome = 'opened'))`,
      )
      // Nor does a bid the committee excluded at qualification (art. 157.1–2 LCSP).
      .where(
        sql<SqlBool>`NOT EXISTS (SELECT 1 FROM bid_qualification q
                                 WHERE q.bid_id = b.id AND q.status = 'excluded')`,
      )
      .orderBy('v.sequence')
      .execute()
  );
}

/**
 * Waits until no submission of the tender is in flight: submissions hold the tender row FOR SHARE
 * until they commit, so taking it FOR UPDATE (after the deadline, when no new one can pass its
 * deadline check) means every bid that counts is committed before the opening reads them.
 */
export async function awaitSubmissions(db: Db, authorityId: string, tenderId: string): Promise<void> {
  await withTransaction(db, (trx) =>
    trx
      .selectFrom('tender')
      .select('id')
      .where('authority_id', '=', authorityId)
      .where('id', '=', tenderId)
      .forUpdate()
      .execute(),
  );
}

export type StageEnvelopeRow = Awaited<ReturnType<typeof stageEnvelopeRows>>[number];

/** The stored pieces of a bid envelope of one kind, in position order. */
export function blobRows(db: Q, authorityId: string, bidEnvelopeId: string, kind: 'file' | 'share') {
  return db
    .selectFrom('bid_blob')
    .select(['position', 'sha256', 'size_bytes'])
    .where('authority_id', '=', authorityId)
    .where('bid_envelope_id', '=', bidEnvelopeId)
    .where('kind', '=', kind)
    .orderBy('position')
    .execute();
}

export async function userNames(db: Q, userIds: readonly string[]): Promise<Map<string, string>> {
  if (userIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('app_user')
    .select(['id', 'name'])
    .where('id', 'in', [...userIds])
    .execute();
  return new Map(rows.map((r) => [r.id, r.name]));
}

/** Whether the tender has committee members assigned, and whether `userId` is one. */
export async function committeeOf(db: Q, authorityId: string, tenderId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('tender_assignment')
    .select('user_id')
    .where('authority_id', '=', authorityId)
    .where('tender_id', '=', tenderId)
    .where('role', '=', 'committee_member')
    .execute();
  return rows.map((r) => r.user_id);
}

export async function insertOpening(
  trx: Tx,
  row: {
    id: string;
    tenderId: string;
    authorityId: string;
    envelope: string;
    at: Date;
    record: string;
    recordSha256: string;
    custodians: { index: number; userId: string }[];
    bids: {
      bidEnvelopeId: string;
      bidId: string;
      failure: string | null;
      files: { name: string; sha256: string; size: number }[];
    }[];
  },
): Promise<void> {
  await trx
    .insertInto('opening')
    .values({
      id: row.id,
      tender_id: row.tenderId,
      authority_id: row.authorityId,
      envelope: row.envelope,
      opened_at: row.at,
      record: row.record,
      record_sha256: row.recordSha256,
    })
    .execute();
  if (row.custodians.length > 0) {
    await trx
      .insertInto('opening_custodian')
      .values(
        row.custodians.map((c) => ({
          opening_id: row.id,
          authority_id: row.authorityId,
          custodian_index: c.index,
          user_id: c.userId,
        })),
      )
      .execute();
  }
  for (const b of row.bids) {
    await trx
      .insertInto('bid_opening')
      .values({
        opening_id: row.id,
        bid_envelope_id: b.bidEnvelopeId,
        authority_id: row.authorityId,
        bid_id: b.bidId,
        outcome: b.failure ? 'failed' : 'opened',
        failure_code: b.failure,
      })
      .execute();
    if (b.files.length > 0) {
      await trx
        .insertInto('bid_plaintext')
        .values(
          b.files.map((f, i) => ({
            bid_envelope_id: b.bidEnvelopeId,
            authority_id: row.authorityId,
            position: i + 1,
            name: f.name,
            sha256: f.sha256,
            size_bytes: f.size,
          })),
        )
        .execute();
    }
  }
}

export function openingRows(db: Q, tenderId: string) {
  return db
    .selectFrom('opening')
    .select(['envelope', 'record', 'record_sha256'])
    .where('tender_id', '=', tenderId)
    .orderBy('envelope')
    .execute();
}
