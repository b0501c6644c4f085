import { type SqlBool, sql } from 'kysely';
import type { Db } from '../../platform/db/client.js';
import type { Tx } from '../../platform/db/tx.js';
import type { PlannedContractInput, PlanStatus } from './planned-contract.types.js';

type Q = Db | Tx;

/** Every column but the generated search ones, which only the search reads. */
const COLUMNS = [
  'id',
  'authority_id',
  'status',
  'title_ca',
  'title_es',
  'title_en',
  'description_ca',
  'description_es',
  'description_en',
  'contract_type',
  'procedure',
  'main_cpv',
  'estimated_value',
  'expected_year',
  'expected_quarter',
  'lot_count',
  'reserved_lots',
  'tender_id',
  'withdrawal_reason',
  'version',
  'created_at',
  'updated_at',
] as const;

/** The row's columns from an input; `mainCpv` already in canonical form. */
export function plannedContractColumns(input: PlannedContractInput) {
  return {
    title_ca: input.title.ca,
    title_es: input.title.es,
    title_en: input.title.en,
    description_ca: input.description?.ca ?? '',
    description_es: input.description?.es ?? '',
    description_en: input.description?.en ?? '',
    contract_type: input.contractType,
    procedure: input.procedure,
    main_cpv: input.mainCpv,
    estimated_value: input.estimatedValue,
    expected_year: input.expectedYear,
    expected_quarter: input.expectedQuarter,
    lot_count: input.lotCount ?? 1,
    reserved_lots: input.reservedLots ?? 0,
  };
}

export async function insertPlannedContract(
  trx: Tx,
  row: { id: string; authorityId: string; createdBy: string; at: Date; input: PlannedContractInput },
): Promise<void> {
  await trx
    .insertInto('planned_contract')
    .values({
      id: row.id,
      authority_id: row.authorityId,
      created_by: row.createdBy,
      created_at: row.at,
      updated_at: row.at,
      ...plannedContractColumns(row.input),
    })
    .execute();
}

/** One entry, always read within its authority. */
export function findPlannedContract(
  db: Q,
  authorityId: string,
  id: string,
  opts: { forUpdate?: boolean } = {},
) {
  let q = db
    .selectFrom('planned_contract')
    .select(COLUMNS)
    .where('authority_id', '=', authorityId)
    .where('id', '=', id);
  if (opts.forUpdate) q = q.forUpdate();
  return q.executeTakeFirst();
}

export type PlannedContractRow = NonNullable<Awaited<ReturnType<typeof findPlannedContract>>>;

/** The authority's whole plan, withdrawn entries included, soonest first. */
export function listPlannedContracts(db: Q, authorityId: string) {
  return db
    .selectFrom('planned_contract')
    .select(COLUMNS)
    .where('authority_id', '=', authorityId)
    .orderBy('expected_year')
    .orderBy('expected_quarter')
    .orderBy('title_ca')
    .orderBy('id')
    .execute();
}

export function updatePlannedContract(
  trx: Tx,
  authorityId: string,
  id: string,
  set: Partial<ReturnType<typeof plannedContractColumns>> & {
    status?: PlanStatus;
    version: number;
    updated_at: Date;
    tender_id?: string;
    withdrawal_reason?: string;
  },
) {
  return trx
    .updateTable('planned_contract')
    .set(set)
    .where('authority_id', '=', authorityId)
    .where('id', '=', id)
    .execute();
}

/**
 * Records on the new file which planned contract it started from (`tender.planned_contract_id`,
 * 0002). Written here, in the same transaction as the plan entry's own link, because the tender
 * input has no such field: a file's later edits must not be able to change or clear it.
 */
export function linkTenderToPlan(trx: Tx, authorityId: string, tenderId: string, plannedContractId: string) {
  return trx
    .updateTable('tender')
    .set({ planned_contract_id: plannedContractId })
    .where('authority_id', '=', authorityId)
    .where('id', '=', tenderId)
    .execute();
}

/** What the public plan search asks, validated by the service. */
export type PlanCriteria = {
  text?: string | undefined;
  authorityId?: string | undefined;
  cpvPrefix?: string | undefined;
  year?: number | undefined;
  quarter?: number | undefined;
  procedure?: string | undefined;
  contractType?: string | undefined;
  statuses: readonly PlanStatus[];
  minValue?: string | undefined;
  maxValue?: string | undefined;
};

/**
 * Entries matching the criteria. Words match as words (stemmed full text in any of the three
 * languages, search_query from 0003) or as parts of the folded titles and descriptions (a
 * substring, so "jardi" finds "jardineria"): both at once, which a plan's few hundred rows afford.
 */
function matching(db: Q, c: PlanCriteria) {
  let q = db.selectFrom('planned_contract as p').where('p.status', 'in', [...c.statuses]);
  if (c.authorityId) q = q.where('p.authority_id', '=', c.authorityId);
  if (c.year !== undefined) q = q.where('p.expected_year', '=', c.year);
  if (c.quarter !== undefined) q = q.where('p.expected_quarter', '=', c.quarter);
  if (c.procedure) q = q.where('p.procedure', '=', c.procedure);
  if (c.contractType) q = q.where('p.contract_type', '=', c.contractType);
  if (c.minValue !== undefined) q = q.where('p.estimated_value', '>=', c.minValue);
  if (c.maxValue !== undefined) q = q.where('p.estimated_value', '<=', c.maxValue);
  // Digits only (the route's pattern): no LIKE wildcard can come in.
  if (c.cpvPrefix) q = q.where('p.main_cpv', 'like', `${c.cpvPrefix}%`);
  if (c.text !== undefined) {
    const like = c.text.replace(/[\\%_]/g, (ch) => `\\${ch}`);
    q = q.where(
      sql<SqlBool>`(p.search_document @@ search_query(${c.text}) OR p.search_text LIKE ('%' || search_fold(${like}) || '%'))`,
    );
  }
  return q;
}

export async function countPlan(db: Q, c: PlanCriteria): Promise<number> {
  const r = await matching(db, c).select(sql<string>`count(*)`.as('n')).executeTakeFirstOrThrow();
  return Number(r.n);
}

/** One page, best match first when words were given, else soonest first; id breaks ties. */
export function findPlanPage(db: Q, c: PlanCriteria, page: { limit: number; offset: number }) {
  let q = matching(db, c)
    .innerJoin('authority as a', 'a.id', 'p.authority_id')
    .select([
      'p.id',
      'p.authority_id',
      'a.name_ca as authority_name_ca',
      'a.name_es as authority_name_es',
      'a.name_en as authority_name_en',
      'p.status',
      'p.title_ca',
      'p.title_es',
      'p.title_en',
      'p.description_ca',
      'p.description_es',
      'p.description_en',
      'p.contract_type',
      'p.procedure',
      'p.main_cpv',
      'p.estimated_value',
      'p.expected_year',
      'p.expected_quarter',
      'p.lot_count',
      'p.reserved_lots',
      'p.withdrawal_reason',
      'p.updated_at',
    ]);
  if (c.text !== undefined) {
    q = q.orderBy(sql`ts_rank(p.search_document, search_query(${c.text}))`, 'desc');
  }
  return q
    .orderBy('p.expected_year')
    .orderBy('p.expected_quarter')
    .orderBy('p.id')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
}

export type PlanSearchRow = Awaited<ReturnType<typeof findPlanPage>>[number];
