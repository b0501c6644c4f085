/**
 * Reads for the opening page (opening.pages.ts) that the opening service does not offer: the state
 * of the "B report approved" stand-in step. Read-only; every query is scoped by the authority.
 */
import type { Db } from '../../platform/db/client.js';
import type { Tx } from '../../platform/db/tx.js';

/** When the B report was recorded as approved, and by whom (name), or undefined while it is not. */
export async function bReportApproval(
  db: Db | Tx,
  authorityId: string,
  tenderId: string,
): Promise<{ approvedAt: Date; approvedBy: string } | undefined> {
  const row = await db
    .selectFrom('opening_b_report as r')
    .innerJoin('app_user as u', 'u.id', 'r.approved_by')
    .select(['r.approved_at', 'u.name'])
    .where('r.authority_id', '=', authorityId)
    .where('r.tender_id', '=', tenderId)
    .executeTakeFirst();
  return row ? { approvedAt: row.approved_at, approvedBy: row.name } : undefined;
}
