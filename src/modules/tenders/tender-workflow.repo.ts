import { type SqlBool, sql } from 'kysely';
import type { Db } from '../../platform/db/client.js';
import type { Tx } from '../../platform/db/tx.js';

type Q = Db | Tx;

/** Whether the file exists within the authority (another authority's file does not). */
export async function tenderExists(db: Q, authorityId: string, tenderId: string): Promise<boolean> {
  const row = await db
    .selectFrom('tender')
    .select('id')
    .where('authority_id', '=', authorityId)
    .where('id', '=', tenderId)
    .executeTakeFirst();
  return row !== undefined;
}

/** The people assigned to a file (committee members and key custodians), by role. */
export function assignmentRows(db: Q, authorityId: string, tenderId: string) {
  return db
    .selectFrom('tender_assignment')
    .select(['user_id', 'role'])
    .where('authority_id', '=', authorityId)
    .where('tender_id', '=', tenderId)
    .orderBy('user_id')
    .execute();
}

/** The steps of a file's latest approval round, in chain order, with the name of who decided each. */
export function latestApprovalRound(db: Q, authorityId: string, tenderId: string) {
  return db
    .selectFrom('tender_approval as s')
    .leftJoin('app_user as u', 'u.id', 's.decided_by')
    .select([
      's.round',
      's.position',
      's.role',
      's.decision',
      's.decided_by',
      's.decided_at',
      's.comment',
      'u.name as decided_by_name',
    ])
    .where('s.authority_id', '=', authorityId)
    .where('s.tender_id', '=', tenderId)
    .where('s.round', '=', (eb) =>
      eb
        .selectFrom('tender_approval as r')
        .select((r) => r.fn.max('r.round').as('round'))
        .where('r.authority_id', '=', authorityId)
        .where('r.tender_id', '=', tenderId),
    )
    .orderBy('s.position')
    .execute();
}

/**
 * Published files whose bids are sealed to this custodian's key: its key may not be replaced or
 * revoked while one of them still has unopened bids, or those bids could never be opened. A file
 * counts until every envelope stage its notice declares has been opened (a notice without the
 * list, published before envelopes were declared, counts as sealed).
 */
export function sealedFilesOfCustodian(db: Q, authorityId: string, userId: string) {
  return db
    .selectFrom('tender_assignment as a')
    .innerJoin('tender as t', 't.id', 'a.tender_id')
    .select(['t.id', 't.reference'])
    .where('a.authority_id', '=', authorityId)
    .where('t.authority_id', '=', authorityId)
    .where('a.user_id', '=', userId)
    .where('a.role', '=', 'key_custodian')
    .where('t.status', '=', 'published')
    .where(
      sql<SqlBool>`EXISTS (
        SELECT 1 FROM jsonb_array_elements_text(COALESCE(
          (SELECT n.snapshot -> 'envelopes' FROM tender_notice n
            WHERE n.tender_id = t.id ORDER BY n.version DESC LIMIT 1),
          '["A","B","C"]'::jsonb)) AS e (envelope)
        WHERE NOT EXISTS (SELECT 1 FROM opening o WHERE o.tender_id = t.id AND o.envelope = e.envelope))`,
    )
    .orderBy('t.reference')
    .execute();
}
