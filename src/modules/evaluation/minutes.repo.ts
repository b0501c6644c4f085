/** SQL of the minutes (minutes.service.ts): the companies its entries name. */
import type { Db } from '../../platform/db/client.js';
import type { Tx } from '../../platform/db/tx.js';

/** Companies by id, with what the minutes name them by. */
export async function companiesByIds(db: Db | Tx, ids: readonly string[]) {
  if (ids.length === 0) return new Map<string, { legalName: string; taxId: string; taxIdKind: string }>();
  const rows = await db
    .selectFrom('company')
    .select(['id', 'legal_name', 'tax_id', 'tax_id_kind'])
    .where('id', 'in', [...ids])
    .execute();
  return new Map(
    rows.map((r) => [r.id, { legalName: r.legal_name, taxId: r.tax_id, taxIdKind: r.tax_id_kind }]),
  );
}

/**
 * The objects a tender's acts are recorded against: the tender itself, its bids (qualification,
 * abnormal-offer review) and its openings.
 */
export async function tenderObjectIds(db: Db | Tx, authorityId: string, tenderId: string): Promise<string[]> {
  const bids = await db
    .selectFrom('bid')
    .select('id')
    .where('authority_id', '=', authorityId)
    .where('tender_id', '=', tenderId)
    .execute();
  const openings = await db
    .selectFrom('opening')
    .select('id')
    .where('authority_id', '=', authorityId)
    .where('tender_id', '=', tenderId)
    .execute();
  return [tenderId, ...bids.map((b) => b.id), ...openings.map((o) => o.id)];
}
