/**
 * SQL of the qualification of bids (migrations/0013_qualification.sql), scoped by authority. The
 * bids to qualify are those the qualification stage's opening covered (bid_opening), opened or
 * failed: a failed (tampered) envelope must be excluded by a reasoned decision too.
 */
import type { Db } from '../../platform/db/client.js';
import type { Tx } from '../../platform/db/tx.js';

type Q = Db | Tx;

/** The bids of the opening of `envelope`, with their qualification row (absent: pending). */
export function stageBidsWithQualification(db: Q, authorityId: string, tenderId: string, envelope: string) {
  return db
    .selectFrom('opening as op')
    .innerJoin('bid_opening as o', 'o.opening_id', 'op.id')
    .innerJoin('bid as b', 'b.id', 'o.bid_id')
    .innerJoin('company as c', 'c.id', 'b.company_id')
    .leftJoin('bid_qualification as q', 'q.bid_id', 'b.id')
    .select([
      'b.id as bid_id',
      'o.outcome',
      'o.failure_code',
      'c.id as company_id',
      'c.legal_name',
      'c.tax_id',
      'q.status',
      'q.remediation',
      'q.exclusion',
      'q.decided_at',
      'q.version',
    ])
    .where('op.authority_id', '=', authorityId)
    .where('op.tender_id', '=', tenderId)
    .where('op.envelope', '=', envelope)
    .orderBy('c.legal_name')
    .orderBy('b.id')
    .execute();
}

export type StageBidRow = Awaited<ReturnType<typeof stageBidsWithQualification>>[number];

/** How many bids of the stage's opening are neither admitted nor excluded yet. */
export async function undecidedCount(db: Q, authorityId: string, tenderId: string, envelope: string) {
  const row = await db
    .selectFrom('opening as op')
    .innerJoin('bid_opening as o', 'o.opening_id', 'op.id')
    .leftJoin('bid_qualification as q', 'q.bid_id', 'o.bid_id')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('op.authority_id', '=', authorityId)
    .where('op.tender_id', '=', tenderId)
    .where('op.envelope', '=', envelope)
    .where((eb) => eb.or([eb('q.status', 'is', null), eb('q.status', 'not in', ['admitted', 'excluded'])]))
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** Locks the bid row (one decision at a time per bid) and returns its qualification row. */
export async function lockQualification(trx: Tx, authorityId: string, bidId: string) {
  await trx
    .selectFrom('bid')
    .select('id')
    .where('authority_id', '=', authorityId)
    .where('id', '=', bidId)
    .forUpdate()
    .executeTakeFirst();
  return trx
    .selectFrom('bid_qualification')
    .selectAll()
    .where('authority_id', '=', authorityId)
    .where('bid_id', '=', bidId)
    .executeTakeFirst();
}

export async function saveQualification(
  trx: Tx,
  row: {
    bidId: string;
    tenderId: string;
    authorityId: string;
    status: string;
    remediation: string | null;
    exclusion: string | null;
    decidedAt: Date | null;
    userId: string;
    at: Date;
    version: number;
  },
): Promise<void> {
  const values = {
    status: row.status,
    remediation: row.remediation,
    exclusion: row.exclusion,
    decided_at: row.decidedAt,
    updated_by: row.userId,
    updated_at: row.at,
    version: row.version,
  };
  await trx
    .insertInto('bid_qualification')
    .values({ bid_id: row.bidId, tender_id: row.tenderId, authority_id: row.authorityId, ...values })
    .onConflict((oc) => oc.column('bid_id').doUpdateSet(values))
    .execute();
}
