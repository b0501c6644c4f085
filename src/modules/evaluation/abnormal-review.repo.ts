/**
 * SQL of the abnormal-offer review (migrations/0016_abnormal_review.sql), scoped by authority.
 * One row per bid and lot once the committee acts; no row means "presumed, nothing done yet".
 */
import type { Db } from '../../platform/db/client.js';
import type { Tx } from '../../platform/db/tx.js';

type Q = Db | Tx;

/** Every review row of a tender (few: only offers presumed abnormal get one). */
export function abnormalReviewsOf(db: Q, authorityId: string, tenderId: string) {
  return db
    .selectFrom('bid_abnormal_review')
    .selectAll()
    .where('authority_id', '=', authorityId)
    .where('tender_id', '=', tenderId)
    .execute();
}

export type AbnormalReviewRow = Awaited<ReturnType<typeof abnormalReviewsOf>>[number];

/** The tender's procedure (the simplified ones shorten the justification period, art. 159.4). */
export async function tenderProcedure(db: Q, authorityId: string, tenderId: string): Promise<string | null> {
  const row = await db
    .selectFrom('tender')
    .select('procedure')
    .where('authority_id', '=', authorityId)
    .where('id', '=', tenderId)
    .executeTakeFirst();
  return row?.procedure ?? null;
}

/**
 * Locks the bid row (one review step at a time per bid, like the qualification) and returns the
 * review row of the bid's lot.
 */
export async function lockAbnormalReview(trx: Tx, authorityId: string, bidId: string, lot: number) {
  await trx
    .selectFrom('bid')
    .select('id')
    .where('authority_id', '=', authorityId)
    .where('id', '=', bidId)
    .forUpdate()
    .executeTakeFirst();
  return trx
    .selectFrom('bid_abnormal_review')
    .selectAll()
    .where('authority_id', '=', authorityId)
    .where('bid_id', '=', bidId)
    .where('lot', '=', lot)
    .executeTakeFirst();
}

export async function saveAbnormalReview(
  trx: Tx,
  row: {
    bidId: string;
    lot: number;
    tenderId: string;
    authorityId: string;
    status: string;
    simplified: boolean;
    requestedAt: Date | null;
    deadline: Date | null;
    receivedAt: Date | null;
    report: string | null;
    decision: string | null;
    monitoring: boolean;
    userId: string;
    at: Date;
    version: number;
  },
): Promise<void> {
  const values = {
    status: row.status,
    simplified: row.simplified,
    requested_at: row.requestedAt,
    deadline: row.deadline,
    received_at: row.receivedAt,
    report: row.report,
    decision: row.decision,
    monitoring: row.monitoring,
    updated_by: row.userId,
    updated_at: row.at,
    version: row.version,
  };
  await trx
    .insertInto('bid_abnormal_review')
    .values({
      bid_id: row.bidId,
      lot: row.lot,
      tender_id: row.tenderId,
      authority_id: row.authorityId,
      ...values,
    })
    .onConflict((oc) => oc.columns(['bid_id', 'lot']).doUpdateSet(values))
    .execute();
}
