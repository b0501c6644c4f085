/** SQL of judgement scoring and its report (migrations/0015_judgement.sql), scoped by authority. */
import type { Db } from '../../platform/db/client.js';
import type { Tx } from '../../platform/db/tx.js';

type Q = Db | Tx;

/** The bids envelope B opened (outcome opened), with their lots and company. */
export function openedAtB(db: Q, authorityId: string, tenderId: string) {
  return db
    .selectFrom('opening as op')
    .innerJoin('bid_opening as o', 'o.opening_id', 'op.id')
    .innerJoin('bid as b', 'b.id', 'o.bid_id')
    .innerJoin('bid_version as v', (j) =>
      j.onRef('v.bid_id', '=', 'b.id').onRef('v.version', '=', 'b.current_version'),
    )
    .innerJoin('company as c', 'c.id', 'b.company_id')
    .select(['b.id as bid_id', 'v.lots', 'c.id as company_id', 'c.legal_name'])
    .where('op.authority_id', '=', authorityId)
    .where('op.tender_id', '=', tenderId)
    .where('op.envelope', '=', 'B')
    .where('o.outcome', '=', 'opened')
    .orderBy('v.sequence')
    .execute();
}

export function judgementScores(db: Q, authorityId: string, tenderId: string) {
  return db
    .selectFrom('judgement_score as s')
    .innerJoin('app_user as u', 'u.id', 's.member_id')
    .select([
      's.bid_id',
      's.lot',
      's.criterion',
      's.member_id',
      'u.name as member_name',
      's.points',
      's.justification',
      's.scored_at',
    ])
    .where('s.authority_id', '=', authorityId)
    .where('s.tender_id', '=', tenderId)
    .orderBy('s.bid_id')
    .orderBy('s.lot')
    .orderBy('s.criterion')
    .orderBy('u.name')
    .execute();
}

export type JudgementScoreRow = Awaited<ReturnType<typeof judgementScores>>[number];

export async function upsertJudgementScore(
  trx: Tx,
  row: {
    bidId: string;
    lot: number;
    criterion: number;
    memberId: string;
    tenderId: string;
    authorityId: string;
    points: string;
    justification: string;
    at: Date;
  },
): Promise<void> {
  const values = { points: row.points, justification: row.justification, scored_at: row.at };
  await trx
    .insertInto('judgement_score')
    .values({
      bid_id: row.bidId,
      lot: row.lot,
      criterion: row.criterion,
      member_id: row.memberId,
      tender_id: row.tenderId,
      authority_id: row.authorityId,
      ...values,
    })
    .onConflict((oc) => oc.columns(['bid_id', 'lot', 'criterion', 'member_id']).doUpdateSet(values))
    .execute();
}

export function findJudgementReport(db: Q, authorityId: string, tenderId: string) {
  return db
    .selectFrom('judgement_report')
    .selectAll()
    .where('authority_id', '=', authorityId)
    .where('tender_id', '=', tenderId)
    .executeTakeFirst();
}

export async function insertJudgementReport(
  trx: Tx,
  row: { tenderId: string; authorityId: string; report: string; sha256: string; userId: string; at: Date },
): Promise<void> {
  await trx
    .insertInto('judgement_report')
    .values({
      tender_id: row.tenderId,
      authority_id: row.authorityId,
      report: row.report,
      report_sha256: row.sha256,
      approved_by: row.userId,
      approved_at: row.at,
    })
    .execute();
}

/**
 * The tender's committee (mesa) members and its experts (art. 146.2.a LCSP, migration
 * 0020_expert_committee.sql), as user ids.
 */
export async function committeeAndExperts(
  db: Q,
  authorityId: string,
  tenderId: string,
): Promise<{ committee: string[]; experts: string[] }> {
  const rows = await db
    .selectFrom('tender_assignment')
    .select(['user_id', 'role'])
    .where('authority_id', '=', authorityId)
    .where('tender_id', '=', tenderId)
    .where('role', 'in', ['committee_member', 'expert'])
    .orderBy('user_id')
    .execute();
  return {
    committee: rows.filter((r) => r.role === 'committee_member').map((r) => r.user_id),
    experts: rows.filter((r) => r.role === 'expert').map((r) => r.user_id),
  };
}
