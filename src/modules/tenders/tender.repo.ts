import type { Db } from '../../platform/db/client.js';
import type { Tx } from '../../platform/db/tx.js';
import { newId } from '../../platform/ids.js';
import type { BidDocument } from './bid-document.rules.js';
import type { TenderInput, ValueBreakdown } from './tender.input.js';

type Q = Db | Tx;

/** One file with its lots, criteria and the documents bidders must submit, always read within its authority. */
export async function loadTender(db: Q, authorityId: string, id: string, opts: { forUpdate?: boolean } = {}) {
  let q = db.selectFrom('tender').selectAll().where('authority_id', '=', authorityId).where('id', '=', id);
  if (opts.forUpdate) q = q.forUpdate();
  const tender = await q.executeTakeFirst();
  if (!tender) return undefined;
  const [lots, criteria, documents, custodians, bidDocuments] = await Promise.all([
    db.selectFrom('tender_lot').selectAll().where('tender_id', '=', id).orderBy('number').execute(),
    db
      .selectFrom('award_criterion')
      .innerJoin('tender_lot', 'tender_lot.id', 'award_criterion.lot_id')
      .selectAll('award_criterion')
      .where('tender_lot.tender_id', '=', id)
      .orderBy('award_criterion.position')
      .execute(),
    db
      .selectFrom('tender_document')
      .select(['kind'])
      .where('tender_id', '=', id)
      .where('superseded_at', 'is', null)
      .execute(),
    db
      .selectFrom('tender_assignment')
      .select(['user_id', 'role'])
      .where('tender_id', '=', id)
      .where('role', 'in', ['key_custodian', 'expert'])
      .execute(),
    db
      .selectFrom('tender_bid_document')
      .select(['envelope', 'name_ca', 'name_es', 'name_en', 'mandatory'])
      .where('tender_id', '=', id)
      .where('authority_id', '=', authorityId)
      .orderBy('position')
      .execute(),
  ]);
  return {
    tender,
    lots: lots.map((l) => ({ ...l, criteria: criteria.filter((c) => c.lot_id === l.id) })),
    documentKinds: documents.map((d) => d.kind),
    custodianCount: custodians.filter((c) => c.role === 'key_custodian').length,
    /** The key custodians assigned, by user id. */
    custodianIds: custodians
      .filter((c) => c.role === 'key_custodian')
      .map((c) => c.user_id)
      .sort(),
    /** The experts assigned (art. 146.2.a LCSP). */
    expertCount: custodians.filter((c) => c.role === 'expert').length,
    bidDocuments,
  };
}

export type TenderAggregate = NonNullable<Awaited<ReturnType<typeof loadTender>>>;

export function listTenderRows(db: Q, authorityId: string) {
  return db
    .selectFrom('tender')
    .select([
      'id',
      'reference',
      'status',
      'procedure',
      'contract_type',
      'title_ca',
      'title_es',
      'title_en',
      'estimated_value',
      'tender_deadline',
      'updated_at',
      'version',
    ])
    .where('authority_id', '=', authorityId)
    .orderBy('updated_at', 'desc')
    .execute();
}

/** The art. 101 components stored with a file, or null when it was drafted with one figure. */
export function breakdownOf(t: {
  value_base: string | null;
  value_options: string | null;
  value_extensions: string | null;
  value_modifications: string | null;
  value_prizes: string | null;
}): ValueBreakdown | null {
  if (t.value_base === null) return null;
  return {
    base: t.value_base,
    options: t.value_options ?? '0.00',
    extensions: t.value_extensions ?? '0.00',
    modifications: t.value_modifications ?? '0.00',
    prizes: t.value_prizes ?? '0.00',
  };
}

/** The tender row's columns from an input (everything but lots), with the resolved estimated value. */
export function tenderColumns(input: TenderInput, estimatedValue: string) {
  const b = input.valueBreakdown ?? null;
  return {
    reference: input.reference,
    procedure: input.procedure,
    contract_type: input.contractType,
    title_ca: input.title.ca,
    title_es: input.title.es,
    title_en: input.title.en,
    description_ca: input.description?.ca ?? '',
    description_es: input.description?.es ?? '',
    description_en: input.description?.en ?? '',
    main_cpv: input.mainCpv,
    additional_cpvs: input.additionalCpvs ?? [],
    estimated_value: estimatedValue,
    value_base: b?.base ?? null,
    value_options: b?.options ?? null,
    value_extensions: b?.extensions ?? null,
    value_modifications: b?.modifications ?? null,
    value_prizes: b?.prizes ?? null,
    budget_excl_vat: input.budgetExclVat,
    budget_incl_vat: input.budgetInclVat,
    duration_months: input.durationMonths ?? null,
    nuts_code: input.nutsCode ?? 'ES511',
    intellectual_services: input.intellectualServices ?? false,
    social_services: input.socialServices ?? false,
    urgent: input.urgent ?? false,
    prior_information_notice: input.priorInformationNotice ?? false,
    routine_purchase: input.routinePurchase ?? false,
    single_lot_justification: input.singleLotJustification ?? null,
    price_weight_justification: input.priceWeightJustification ?? null,
    max_lots_per_bidder: input.maxLotsPerBidder ?? null,
    max_lots_awarded: input.maxLotsAwarded ?? null,
    questions_deadline: input.questionsDeadline ? new Date(input.questionsDeadline) : null,
    tender_deadline: input.tenderDeadline ? new Date(input.tenderDeadline) : null,
    participation_deadline: input.participationDeadline ? new Date(input.participationDeadline) : null,
    opening_at: input.openingAt ? new Date(input.openingAt) : null,
    custodian_quorum: input.custodianQuorum ?? 2,
  };
}

/** Replaces the lots and criteria of a file (the whole structure is edited as one). */
export async function replaceLots(
  trx: Tx,
  authorityId: string,
  tenderId: string,
  lots: TenderInput['lots'],
): Promise<void> {
  await trx.deleteFrom('tender_lot').where('tender_id', '=', tenderId).execute();
  for (const lot of lots) {
    const lotId = newId();
    await trx
      .insertInto('tender_lot')
      .values({
        id: lotId,
        tender_id: tenderId,
        authority_id: authorityId,
        number: lot.number,
        title_ca: lot.title.ca,
        title_es: lot.title.es,
        title_en: lot.title.en,
        estimated_value: lot.estimatedValue,
        budget_excl_vat: lot.budgetExclVat,
        main_cpv: lot.mainCpv,
        reserved: lot.reserved ?? false,
        // Stored exactly as received: the notice publishes this very value (checks judge it).
        abnormal: lot.abnormal === undefined ? null : JSON.stringify(lot.abnormal),
        abnormal_settings: lot.abnormalSettings === undefined ? null : JSON.stringify(lot.abnormalSettings),
      })
      .execute();
    if (lot.criteria.length > 0) {
      await trx
        .insertInto('award_criterion')
        .values(
          lot.criteria.map((c, position) => ({
            id: newId(),
            lot_id: lotId,
            authority_id: authorityId,
            position,
            kind: c.kind,
            evaluation: c.evaluation,
            weight: c.weight,
            name_ca: c.name.ca,
            name_es: c.name.es,
            name_en: c.name.en,
            formula_spec: c.formula === undefined ? null : JSON.stringify(c.formula),
          })),
        )
        .execute();
    }
  }
}

/**
 * A jsonb value as stored. PostgreSQL and PGlite both return it parsed; a string (an older driver)
 * is parsed here. Null stays null.
 */
export function jsonOf(value: unknown): unknown {
  if (typeof value !== 'string') return value ?? null;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}

/** Replaces the documents bidders must submit (edited with the file, as its lots are). */
export async function replaceBidDocuments(
  trx: Tx,
  authorityId: string,
  tenderId: string,
  docs: readonly BidDocument[],
): Promise<void> {
  await trx
    .deleteFrom('tender_bid_document')
    .where('tender_id', '=', tenderId)
    .where('authority_id', '=', authorityId)
    .execute();
  if (docs.length === 0) return;
  await trx
    .insertInto('tender_bid_document')
    .values(
      docs.map((d, position) => ({
        id: newId(),
        tender_id: tenderId,
        authority_id: authorityId,
        position,
        envelope: d.envelope,
        name_ca: d.name.ca,
        name_es: d.name.es,
        name_en: d.name.en,
        mandatory: d.mandatory,
      })),
    )
    .execute();
}

/** Official check digits of the given CPV codes (8 digits), from the loaded vocabulary. */
export async function knownCpvs(db: Q, codes: string[]): Promise<Map<string, string>> {
  if (codes.length === 0) return new Map();
  const rows = await db
    .selectFrom('cpv_code')
    .select(['code', 'check_digit'])
    .where('code', 'in', codes)
    .execute();
  return new Map(rows.map((r) => [r.code, r.check_digit]));
}

/** What a mail about a file names: its reference and title, and the authority (award, invitation). */
export function tenderMailFacts(db: Q, authorityId: string, tenderId: string) {
  return db
    .selectFrom('tender as t')
    .innerJoin('authority as a', 'a.id', 't.authority_id')
    .select(['t.reference', 't.title_ca', 't.title_es', 't.title_en', 'a.name_ca', 'a.name_es', 'a.name_en'])
    .where('t.authority_id', '=', authorityId)
    .where('t.id', '=', tenderId)
    .executeTakeFirst();
}
