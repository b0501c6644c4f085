/**
 * SQL of the selection phase and negotiation (0019). Every query names the authority or reaches
 * the tender by its public ocid; nothing here decides anything.
 */
import type { Db } from '../../platform/db/client.js';
import type { Tx } from '../../platform/db/tx.js';

type Conn = Db | Tx;

const TENDER_COLUMNS = [
  't.id',
  't.authority_id',
  't.ocid',
  't.status',
  't.procedure',
  't.contract_type',
  't.estimated_value',
  't.intellectual_services',
  't.social_services',
  't.urgent',
  't.prior_information_notice',
  't.routine_purchase',
  't.published_at',
  't.participation_deadline',
  't.tender_deadline',
  't.invited_at',
] as const;

export async function tenderOfAuthority(db: Conn, authorityId: string, tenderId: string, lock = false) {
  let q = db
    .selectFrom('tender as t')
    .select(TENDER_COLUMNS)
    .where('t.authority_id', '=', authorityId)
    .where('t.id', '=', tenderId);
  if (lock) q = q.forUpdate();
  return q.executeTakeFirst();
}

export async function tenderByOcid(db: Conn, ocid: string, lock: 'share' | 'none' = 'none') {
  let q = db.selectFrom('tender as t').select(TENDER_COLUMNS).where('t.ocid', '=', ocid);
  if (lock === 'share') q = q.forShare();
  return q.executeTakeFirst();
}

export type SelectionTenderRow = NonNullable<Awaited<ReturnType<typeof tenderOfAuthority>>>;

export async function insertRequest(
  trx: Tx,
  row: {
    id: string;
    tender_id: string;
    authority_id: string;
    company_id: string;
    statement: string;
    submitted_by: string;
    submitted_at: Date;
  },
): Promise<boolean> {
  const inserted = await trx
    .insertInto('participation_request')
    .values(row)
    .onConflict((oc) => oc.columns(['tender_id', 'company_id']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return inserted !== undefined;
}

export async function requestOfCompany(db: Conn, tenderId: string, companyId: string) {
  return db
    .selectFrom('participation_request')
    .selectAll()
    .where('tender_id', '=', tenderId)
    .where('company_id', '=', companyId)
    .executeTakeFirst();
}

export async function listRequests(db: Conn, authorityId: string, tenderId: string) {
  return db
    .selectFrom('participation_request as r')
    .innerJoin('company as c', 'c.id', 'r.company_id')
    .select([
      'r.id',
      'r.company_id',
      'c.legal_name',
      'c.tax_id',
      'r.statement',
      'r.submitted_at',
      'r.decision',
      'r.reasons',
      'r.decided_at',
      'r.version',
    ])
    .where('r.authority_id', '=', authorityId)
    .where('r.tender_id', '=', tenderId)
    .orderBy('r.submitted_at')
    .orderBy('r.id')
    .execute();
}

export type RequestRow = Awaited<ReturnType<typeof listRequests>>[number];

export async function lockRequest(trx: Tx, authorityId: string, tenderId: string, requestId: string) {
  return trx
    .selectFrom('participation_request')
    .selectAll()
    .where('authority_id', '=', authorityId)
    .where('tender_id', '=', tenderId)
    .where('id', '=', requestId)
    .forUpdate()
    .executeTakeFirst();
}

export async function saveDecision(
  trx: Tx,
  requestId: string,
  version: number,
  set: { decision: string; reasons: string | null; decided_by: string; decided_at: Date },
): Promise<void> {
  await trx
    .updateTable('participation_request')
    .set({ ...set, version: version + 1 })
    .where('id', '=', requestId)
    .execute();
}

export async function insertInvitations(
  trx: Tx,
  rows: {
    tender_id: string;
    authority_id: string;
    company_id: string;
    request_id: string | null;
    invited_by: string;
    invited_at: Date;
  }[],
): Promise<void> {
  if (rows.length > 0) await trx.insertInto('tender_invitation').values(rows).execute();
}

export async function markInvited(trx: Tx, tenderId: string, at: Date): Promise<void> {
  await trx.updateTable('tender').set({ invited_at: at }).where('id', '=', tenderId).execute();
}

export async function isInvited(db: Conn, tenderId: string, companyId: string): Promise<boolean> {
  const row = await db
    .selectFrom('tender_invitation')
    .select('company_id')
    .where('tender_id', '=', tenderId)
    .where('company_id', '=', companyId)
    .executeTakeFirst();
  return row !== undefined;
}

export async function listInvitations(db: Conn, tenderId: string) {
  return db
    .selectFrom('tender_invitation as i')
    .innerJoin('company as c', 'c.id', 'i.company_id')
    .select(['i.company_id', 'c.legal_name', 'c.tax_id', 'i.invited_at'])
    .where('i.tender_id', '=', tenderId)
    .orderBy('c.legal_name')
    .orderBy('i.company_id')
    .execute();
}

/** Companies' legal names by id, for the mails that name them. */
export async function companiesNamed(db: Conn, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('company')
    .select(['id', 'legal_name'])
    .where('id', 'in', [...ids])
    .execute();
  return new Map(rows.map((r) => [r.id, r.legal_name]));
}

/** Registered companies by tax id (as stored, normalised), for an invitation naming them. */
export async function companyIdsByTaxId(db: Conn, taxIds: readonly string[]): Promise<Map<string, string>> {
  if (taxIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('company')
    .select(['id', 'tax_id'])
    .where('tax_id', 'in', [...taxIds])
    .execute();
  return new Map(rows.map((r) => [r.tax_id, r.id]));
}

export async function listRounds(db: Conn, tenderId: string) {
  return db
    .selectFrom('negotiation_round')
    .selectAll()
    .where('tender_id', '=', tenderId)
    .orderBy('number')
    .execute();
}

export type RoundRow = Awaited<ReturnType<typeof listRounds>>[number];

export async function insertRound(
  trx: Tx,
  row: {
    id: string;
    tender_id: string;
    authority_id: string;
    number: number;
    subject: string;
    message: string;
    responses_due: Date;
    opened_by: string;
    opened_at: Date;
  },
): Promise<void> {
  await trx.insertInto('negotiation_round').values(row).execute();
}

export async function insertResponse(
  trx: Tx,
  row: {
    round_id: string;
    tender_id: string;
    company_id: string;
    text: string;
    submitted_by: string;
    submitted_at: Date;
  },
): Promise<boolean> {
  const inserted = await trx
    .insertInto('negotiation_response')
    .values(row)
    .onConflict((oc) => oc.columns(['round_id', 'company_id']).doNothing())
    .returning('round_id')
    .executeTakeFirst();
  return inserted !== undefined;
}

/** Answers to the tender's rounds: all of them, or one company's own. */
export async function listResponses(db: Conn, tenderId: string, companyId?: string) {
  let q = db
    .selectFrom('negotiation_response as r')
    .innerJoin('company as c', 'c.id', 'r.company_id')
    .select(['r.round_id', 'r.company_id', 'c.legal_name', 'r.text', 'r.submitted_at'])
    .where('r.tender_id', '=', tenderId);
  if (companyId) q = q.where('r.company_id', '=', companyId);
  return q.orderBy('r.submitted_at').orderBy('r.company_id').execute();
}
