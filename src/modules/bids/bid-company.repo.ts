/**
 * The one read the company's bid page needs and bid.repo.ts does not offer: which bid (if any) a
 * company has for a tender. A company has at most one bid per tender (UNIQUE (tender_id,
 * company_id), migrations/0010_bids.sql); its id was chosen by the company's own client, so the page
 * must learn it here to list the receipts and to seal a replacement with the same id (the last
 * version counts). Scoped by company: callers pass a company the actor belongs to.
 */
import type { Db } from '../../platform/db/client.js';
import type { Tx } from '../../platform/db/tx.js';

export type CompanyBid = {
  id: string;
  status: 'submitted' | 'withdrawn';
  /** The version that counts; null while withdrawn. */
  currentVersion: number | null;
};

/** The company's bid for the published (or cancelled) tender with this ocid, without locking. */
export async function findCompanyBidByOcid(
  db: Db | Tx,
  ocid: string,
  companyId: string,
): Promise<CompanyBid | undefined> {
  const row = await db
    .selectFrom('bid as b')
    .innerJoin('tender as t', 't.id', 'b.tender_id')
    .select(['b.id', 'b.status', 'b.current_version'])
    .where('t.ocid', '=', ocid)
    .where('t.status', 'in', ['published', 'cancelled'])
    .where('b.company_id', '=', companyId)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    id: row.id,
    status: row.status === 'withdrawn' ? 'withdrawn' : 'submitted',
    currentVersion: row.current_version === null ? null : Number(row.current_version),
  };
}
