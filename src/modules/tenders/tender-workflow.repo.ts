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
