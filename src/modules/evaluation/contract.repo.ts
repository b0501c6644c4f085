/**
 * SQL of contract management (migrations/0017_award.sql `contract`, 0018_contract_events.sql),
 * scoped by authority.
 */
import type { Db } from '../../platform/db/client.js';
import type { Tx } from '../../platform/db/tx.js';

type Q = Db | Tx;

const CONTRACT_COLUMNS = [
  'c.id',
  'c.tender_id',
  'c.lots',
  'c.bid_id',
  'c.company_id',
  'c.amount_excl_vat',
  'c.signed_at',
  'c.status',
  'c.state',
  'c.version',
  't.ocid',
  't.contract_type',
  'co.legal_name',
  'co.tax_id',
  'co.tax_id_kind',
] as const;

/** The authority's contracts, of one tender when `tenderId` is given, in order of signature. */
export function listContracts(db: Q, authorityId: string, tenderId?: string) {
  let q = db
    .selectFrom('contract as c')
    .innerJoin('tender as t', 't.id', 'c.tender_id')
    .innerJoin('company as co', 'co.id', 'c.company_id')
    .select(CONTRACT_COLUMNS)
    .where('c.authority_id', '=', authorityId);
  if (tenderId !== undefined) q = q.where('c.tender_id', '=', tenderId);
  return q.orderBy('c.signed_at').orderBy('c.id').execute();
}

export type ContractRow = Awaited<ReturnType<typeof listContracts>>[number];

export function contractById(db: Q, authorityId: string, contractId: string) {
  return db
    .selectFrom('contract as c')
    .innerJoin('tender as t', 't.id', 'c.tender_id')
    .innerJoin('company as co', 'co.id', 'c.company_id')
    .select(CONTRACT_COLUMNS)
    .where('c.authority_id', '=', authorityId)
    .where('c.id', '=', contractId)
    .executeTakeFirst();
}

/** Locks the contract row (one event at a time per contract) and returns it. */
export async function lockContract(trx: Tx, authorityId: string, contractId: string) {
  const locked = await trx
    .selectFrom('contract')
    .select('id')
    .where('authority_id', '=', authorityId)
    .where('id', '=', contractId)
    .forUpdate()
    .executeTakeFirst();
  return locked ? contractById(trx, authorityId, contractId) : undefined;
}

/** The events of the given contracts, in order. */
export async function contractEvents(db: Q, authorityId: string, contractIds: readonly string[]) {
  if (contractIds.length === 0) return [];
  return db
    .selectFrom('contract_event')
    .selectAll()
    .where('authority_id', '=', authorityId)
    .where('contract_id', 'in', [...contractIds])
    .orderBy('contract_id')
    .orderBy('version')
    .execute();
}

export type ContractEventRow = Awaited<ReturnType<typeof contractEvents>>[number];

export async function saveContractState(
  trx: Tx,
  row: {
    id: string;
    authorityId: string;
    status: string;
    state: string;
    version: number;
    userId: string;
    at: Date;
  },
): Promise<void> {
  await trx
    .updateTable('contract')
    .set({
      status: row.status,
      state: row.state,
      version: row.version,
      updated_by: row.userId,
      updated_at: row.at,
    })
    .where('authority_id', '=', row.authorityId)
    .where('id', '=', row.id)
    .execute();
}

export type NewContractEvent = {
  legal_ground?: string | null;
  ground_case?: string | null;
  value_change?: string | null;
  new_total?: string | null;
  documents?: string[] | null;
  reasons?: string | null;
  grounds?: string | null;
  end_date?: string | null;
  description?: string | null;
  due_date?: string | null;
  amount?: string | null;
  paid_on?: string | null;
  invoice_ref?: string | null;
  completed_on?: string | null;
};

export async function insertContractEvent(
  trx: Tx,
  row: {
    id: string;
    contractId: string;
    authorityId: string;
    tenderId: string;
    version: number;
    type: string;
    fields: NewContractEvent;
    userId: string;
    at: Date;
  },
): Promise<void> {
  await trx
    .insertInto('contract_event')
    .values({
      id: row.id,
      contract_id: row.contractId,
      authority_id: row.authorityId,
      tender_id: row.tenderId,
      version: row.version,
      type: row.type,
      ...row.fields,
      created_by: row.userId,
      created_at: row.at,
    })
    .execute();
}
