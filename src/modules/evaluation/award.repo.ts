/**
 * SQL of the award of lots and of the contracts formalised after it (migrations/0017_award.sql),
 * scoped by authority.
 */
import { type SqlBool, sql } from 'kysely';
import type { Db } from '../../platform/db/client.js';
import type { Tx } from '../../platform/db/tx.js';

type Q = Db | Tx;

/** The award rows of a tender, one per lot anyone acted on. */
export function lotAwards(db: Q, authorityId: string, tenderId: string) {
  return db
    .selectFrom('lot_award')
    .select(['lot', 'status', 'state', 'draw', 'version'])
    .where('authority_id', '=', authorityId)
    .where('tender_id', '=', tenderId)
    .orderBy('lot')
    .execute();
}

export type LotAwardRow = Awaited<ReturnType<typeof lotAwards>>[number];

/**
 * Locks the tender row (one award change at a time per tender: the lots of one tender share its
 * ranking inputs, style.md §5.10) and returns the lot's award row, if any.
 */
export async function lockLotAward(trx: Tx, authorityId: string, tenderId: string, lot: number) {
  await trx
    .selectFrom('tender')
    .select('id')
    .where('authority_id', '=', authorityId)
    .where('id', '=', tenderId)
    .forUpdate()
    .executeTakeFirst();
  return trx
    .selectFrom('lot_award')
    .select(['lot', 'status', 'state', 'draw', 'version'])
    .where('authority_id', '=', authorityId)
    .where('tender_id', '=', tenderId)
    .where('lot', '=', lot)
    .executeTakeFirst();
}

export async function saveLotAward(
  trx: Tx,
  row: {
    tenderId: string;
    authorityId: string;
    lot: number;
    status: string;
    state: string;
    draw: string | null;
    userId: string;
    at: Date;
    version: number;
  },
): Promise<void> {
  const values = {
    status: row.status,
    state: row.state,
    draw: row.draw,
    updated_by: row.userId,
    updated_at: row.at,
    version: row.version,
  };
  await trx
    .insertInto('lot_award')
    .values({ tender_id: row.tenderId, authority_id: row.authorityId, lot: row.lot, ...values })
    .onConflict((oc) => oc.columns(['tender_id', 'lot']).doUpdateSet(values))
    .execute();
}

/** What the award needs of the tender: the facts deciding the special appeal (art. 44.1.a). */
export function tenderAwardFacts(db: Q, authorityId: string, tenderId: string) {
  return db
    .selectFrom('tender')
    .select(['contract_type', 'estimated_value', 'intellectual_services', 'social_services', 'published_at'])
    .where('authority_id', '=', authorityId)
    .where('id', '=', tenderId)
    .executeTakeFirst();
}

/** The companies behind bids of the tender, by bid id. */
export async function bidCompanies(db: Q, authorityId: string, tenderId: string, bidIds: readonly string[]) {
  if (bidIds.length === 0)
    return new Map<string, { id: string; legalName: string; taxId: string; taxIdKind: string }>();
  const rows = await db
    .selectFrom('bid as b')
    .innerJoin('company as c', 'c.id', 'b.company_id')
    .select(['b.id as bid_id', 'c.id', 'c.legal_name', 'c.tax_id', 'c.tax_id_kind'])
    .where('b.authority_id', '=', authorityId)
    .where('b.tender_id', '=', tenderId)
    .where('b.id', 'in', [...bidIds])
    .execute();
  return new Map(
    rows.map((r) => [
      r.bid_id,
      { id: r.id, legalName: r.legal_name, taxId: r.tax_id, taxIdKind: r.tax_id_kind },
    ]),
  );
}

export async function insertContract(
  trx: Tx,
  row: {
    id: string;
    tenderId: string;
    authorityId: string;
    lots: number[];
    bidId: string;
    companyId: string;
    amountExclVat: string;
    signedAt: Date;
    userId: string;
    at: Date;
  },
): Promise<void> {
  await trx
    .insertInto('contract')
    .values({
      id: row.id,
      tender_id: row.tenderId,
      authority_id: row.authorityId,
      lots: row.lots,
      bid_id: row.bidId,
      company_id: row.companyId,
      amount_excl_vat: row.amountExclVat,
      signed_at: row.signedAt,
      status: 'formalised',
      created_by: row.userId,
      created_at: row.at,
    })
    .execute();
}

/** The contracts of a tender, by lot (a contract may cover several lots). */
export function tenderContracts(db: Q, authorityId: string, tenderId: string) {
  return db
    .selectFrom('contract')
    .select(['id', 'lots', 'bid_id', 'company_id', 'amount_excl_vat', 'signed_at', 'status'])
    .where('authority_id', '=', authorityId)
    .where('tender_id', '=', tenderId)
    .orderBy('signed_at')
    .execute();
}

/**
 * Who is told of the award of a lot (art. 151.1 LCSP: every bidder): each bid of the tender that
 * still stands (not withdrawn) and whose current version offers for `lot`, with its company (whose
 * addresses parties/company-recipients.repo.ts gives).
 */
export async function lotBidders(db: Q, authorityId: string, tenderId: string, lot: number) {
  const bids = await db
    .selectFrom('bid as b')
    .innerJoin('bid_version as v', (j) =>
      j.onRef('v.bid_id', '=', 'b.id').onRef('v.version', '=', 'b.current_version'),
    )
    .innerJoin('company as c', 'c.id', 'b.company_id')
    .select(['b.id as bid_id', 'c.id as company_id', 'c.legal_name'])
    .where('b.authority_id', '=', authorityId)
    .where('b.tender_id', '=', tenderId)
    .where('b.status', '=', 'submitted')
    .where(sql<SqlBool>`${lot} = ANY(v.lots)`)
    .orderBy('v.sequence')
    .execute();
  return bids;
}
