import type { ServiceContext } from '../../platform/context.js';
import type { Db } from '../../platform/db/client.js';
import { isUniqueViolation } from '../../platform/db/errors.js';
import { withTransaction } from '../../platform/db/tx.js';
import { DomainError } from '../../platform/errors.js';
import { Dec } from '../../platform/money.js';
import { newId } from '../../platform/ids.js';
import { recordEvent } from '../audit/audit.service.js';
import { earliestDeadline, localDate } from '../calendar/calendar.rules.js';
import { PROCEDURES } from '../procedures/procedure.catalogue.js';
import { authorityCalendar } from '../calendar/calendar.service.js';
import { checkCpv, parseCpv } from '../cpv/cpv.rules.js';
import { activeKeysOf } from '../custody/custodian-key.repo.js';
import type { AbnormalRule, AbnormalSettings } from '../evaluation/abnormal.types.js';
import type { FormulaSpec } from '../evaluation/formula.types.js';
import { findMinorContract } from '../minor/minor-contract.repo.js';
import { minorFactsForChecks } from '../minor/minor-contract.service.js';
import type { ContractType, EnvelopeCode, ProcedureCode } from '../procedures/procedure.types.js';
import {
  type BidDocument,
  defaultBidDocuments,
  fileEnvelopes,
  repeatedBidDocument,
} from './bid-document.rules.js';
import { resolveEstimatedValue } from './estimated-value.rules.js';
import { checkTender } from './tender.checks.js';
import type { TenderInput } from './tender.input.js';
import { assertAuthorityWritable } from '../tenancy/authority.read-only.js';
import { authorizeOnTender } from './tender.policy.js';
import { presentTender, type TenderView } from './tender.presenter.js';
import {
  breakdownOf,
  jsonOf,
  knownCpvs,
  listTenderRows,
  loadTender,
  replaceBidDocuments,
  replaceLots,
  type TenderAggregate,
  tenderColumns,
} from './tender.repo.js';
import { nextStatus, type TenderStatus } from './tender.rules.js';
import type {
  CheckFinding,
  CriterionEvaluation,
  CriterionKind,
  DocumentKind,
  TenderDraft,
} from './tender.types.js';

/** The estimated value a draft states (art. 101), or the refusal when its parts disagree. */
function estimatedValueOf(input: TenderInput): string {
  const r = resolveEstimatedValue(input.estimatedValue, input.valueBreakdown);
  if (r.ok) return r.value;
  throw new DomainError(
    'ESTIMATED_VALUE_MISMATCH',
    r.problem === 'missing'
      ? 'Give the estimated value or its breakdown'
      : `The estimated value must be the sum of its breakdown, ${r.computed}`,
    r.problem === 'missing' ? { field: 'estimatedValue' } : { field: 'estimatedValue', computed: r.computed },
  );
}

/**
 * Refuses what no draft may hold: unknown CPVs, dates in the past, lot numbers repeated, an
 * estimated value that is not the sum of its parts, a document named twice in one envelope.
 * Returns the estimated value to store.
 */
async function validateInput(ctx: ServiceContext, input: TenderInput): Promise<string> {
  const estimatedValue = estimatedValueOf(input);
  const cpvs = [input.mainCpv, ...(input.additionalCpvs ?? []), ...input.lots.map((l) => l.mainCpv)];
  const codes = [...new Set(cpvs.map((c) => parseCpv(c)?.code).filter((c): c is string => c !== undefined))];
  const known = await knownCpvs(ctx.db, codes);
  const bad = cpvs.map((c) => ({ cpv: c, problem: checkCpv(c, known) })).filter((x) => x.problem);
  if (bad.length > 0) throw new DomainError('INVALID_CPV', 'Invalid CPV codes', { codes: bad });
  const now = ctx.clock.now();
  for (const [field, value] of [
    ['questionsDeadline', input.questionsDeadline],
    ['tenderDeadline', input.tenderDeadline],
    ['participationDeadline', input.participationDeadline],
    ['openingAt', input.openingAt],
  ] as const) {
    if (value && new Date(value) <= now) {
      throw new DomainError('DEADLINE_IN_PAST', `${field} is in the past`, { field });
    }
  }
  if (new Dec(input.budgetInclVat).lessThan(input.budgetExclVat)) {
    throw new DomainError(
      'BUDGET_INCONSISTENT',
      'The budget including VAT is below the budget excluding VAT',
      {
        field: 'budgetInclVat',
      },
    );
  }
  // Only the two-phase procedures take requests to participate (arts. 160–171).
  if (input.participationDeadline && !PROCEDURES[input.procedure].twoPhase) {
    throw new DomainError('UNPROCESSABLE', 'This procedure takes no requests to participate', {
      field: 'participationDeadline',
    });
  }
  const numbers = input.lots.map((l) => l.number);
  if (new Set(numbers).size !== numbers.length) {
    throw new DomainError('UNPROCESSABLE', 'Lot numbers must be unique', { field: 'lots' });
  }
  const repeated = repeatedBidDocument(input.bidDocuments ?? []);
  if (repeated !== undefined) {
    throw new DomainError('UNPROCESSABLE', 'Two documents of one envelope have the same name', {
      field: 'bidDocuments',
      position: repeated + 1,
    });
  }
  return estimatedValue;
}

/**
 * The documents bidders must submit, as stored. A file that declares no list gets the ESPD
 * (arts. 140–141) stored as its declaration, not merely shown: the notice, the officer's form
 * and the bid upload of the next stage then all read the same rows, a later change of the
 * default cannot alter a file already drafted, and an explicit empty list stays distinguishable
 * from "not declared". The default follows the envelopes of this very input, so it is always in
 * an envelope the file has.
 */
function bidDocumentsOf(input: TenderInput): BidDocument[] {
  if (input.bidDocuments === undefined) {
    return defaultBidDocuments(fileEnvelopes(input.procedure, input.lots));
  }
  return input.bidDocuments.map((d) => ({
    envelope: d.envelope,
    name: { ca: d.name.ca, es: d.name.es, en: d.name.en },
    mandatory: d.mandatory ?? true,
  }));
}

function draftOf(agg: TenderAggregate): TenderDraft {
  const t = agg.tender;
  return {
    procedure: t.procedure as ProcedureCode,
    contractType: t.contract_type as ContractType,
    estimatedValue: t.estimated_value,
    valueBreakdown: breakdownOf(t),
    mainCpv: t.main_cpv,
    intellectualServices: t.intellectual_services,
    socialServices: t.social_services,
    urgent: t.urgent,
    priorInformationNotice: t.prior_information_notice,
    routinePurchase: t.routine_purchase,
    lots: agg.lots.map((l) => ({
      number: l.number,
      title: l.title_ca,
      estimatedValue: l.estimated_value,
      // Stored JSON, typed as declared; the checks validate it before anything computes with it.
      ...(l.abnormal === null ? {} : { abnormal: jsonOf(l.abnormal) as AbnormalRule }),
      ...(l.abnormal_settings === null
        ? {}
        : { abnormalSettings: jsonOf(l.abnormal_settings) as Partial<AbnormalSettings> }),
      criteria: l.criteria.map((c) => ({
        kind: c.kind as CriterionKind,
        evaluation: c.evaluation as CriterionEvaluation,
        weight: c.weight,
        name: c.name_ca,
        ...(c.formula_spec === null ? {} : { formula: jsonOf(c.formula_spec) as FormulaSpec }),
      })),
    })),
    singleLotJustification: t.single_lot_justification,
    priceWeightJustification: t.price_weight_justification,
    tenderDeadline: t.tender_deadline,
    questionsDeadline: t.questions_deadline,
    participationDeadline: t.participation_deadline,
    documents: agg.documentKinds as DocumentKind[],
    bidDocuments: agg.bidDocuments.map((d) => ({
      envelope: d.envelope as EnvelopeCode,
      name: d.name_ca,
      mandatory: d.mandatory,
    })),
    // withKey is filled in by runChecks, which reads the custodians' keys.
    custodians: { count: agg.custodianCount, quorum: t.custodian_quorum, withKey: 0 },
    experts: agg.expertCount,
    invitedCompanyIds: [],
  };
}

/** Runs the pre-publication checks of a stored file against the authority's settings and calendar. */
export async function runChecks(ctx: ServiceContext, agg: TenderAggregate): Promise<CheckFinding[]> {
  const authorityId = agg.tender.authority_id;
  const [cal, authority, keys] = await Promise.all([
    authorityCalendar(ctx.db, authorityId),
    ctx.db
      .selectFrom('authority')
      .select(['price_weight_cap'])
      .where('id', '=', authorityId)
      .executeTakeFirstOrThrow(),
    activeKeysOf(ctx.db, authorityId, agg.custodianIds),
  ]);
  const now = ctx.clock.now();
  const today = localDate(now, cal.timeZone);
  // Minor files: the authority's minor awards of the last 12 months and the companies invited to
  // quote for this file, for the splitting check (art. 118.3).
  const minor =
    agg.tender.procedure === 'menor'
      ? await minorFactsForChecks(ctx.db, authorityId, agg.tender.id, today)
      : { recentMinorContracts: [], invitedCompanyIds: [] };
  const draft = draftOf(agg);
  return checkTender(
    {
      ...draft,
      custodians: { ...draft.custodians, withKey: keys.length },
      invitedCompanyIds: minor.invitedCompanyIds,
    },
    {
      now,
      today,
      priceWeightCap: authority.price_weight_cap,
      earliestDeadline: (start, rule) => earliestDeadline(start, rule, cal),
      recentMinorContracts: minor.recentMinorContracts,
    },
  );
}

async function view(ctx: ServiceContext, authorityId: string, id: string): Promise<TenderView> {
  const agg = await loadTender(ctx.db, authorityId, id);
  if (!agg) throw new DomainError('NOT_FOUND', 'Tender not found');
  return presentTender(agg, await runChecks(ctx, agg));
}

function referenceTaken(err: unknown): never {
  if (isUniqueViolation(err))
    throw new DomainError('REFERENCE_TAKEN', 'Another file of the authority uses this reference');
  throw err;
}

/** Creates a draft file. The checks run and come back with it; they block submission, not saving. */
export async function createTender(
  ctx: ServiceContext,
  authorityId: string,
  input: TenderInput,
): Promise<TenderView> {
  const actor = authorizeOnTender(ctx.actor, 'tender.edit', authorityId);
  const estimatedValue = await validateInput(ctx, input);
  const id = newId();
  await withTransaction(ctx.db as Db, async (trx) => {
    // No file is started in an external authority (imported open data, 0023).
    await assertAuthorityWritable(trx, authorityId);
    await trx
      .insertInto('tender')
      .values({
        id,
        authority_id: authorityId,
        created_by: actor.userId,
        // The use-case's clock, not the database's: a file is dated when the officer drafted it.
        created_at: ctx.clock.now(),
        updated_at: ctx.clock.now(),
        ...tenderColumns(input, estimatedValue),
      })
      .execute()
      .catch(referenceTaken);
    await replaceLots(trx, authorityId, id, input.lots);
    await replaceBidDocuments(trx, authorityId, id, bidDocumentsOf(input));
    await recordEvent(trx, ctx, {
      action: 'tender.created',
      objectType: 'tender',
      objectId: id,
      authorityId,
      data: { reference: input.reference, procedure: input.procedure },
    });
  });
  return view(ctx, authorityId, id);
}

/**
 * Replaces a file's content. Refused once published (a published notice changes only by
 * corrigendum, art. 136) and when `version` is not the stored one (someone else edited meanwhile).
 * An edit during or after approval sends the file back to draft.
 */
export async function updateTender(
  ctx: ServiceContext,
  authorityId: string,
  id: string,
  input: TenderInput & { version: number },
): Promise<TenderView> {
  authorizeOnTender(ctx.actor, 'tender.edit', authorityId);
  await withTransaction(ctx.db as Db, async (trx) => {
    const agg = await loadTender(trx, authorityId, id, { forUpdate: true });
    if (!agg) throw new DomainError('NOT_FOUND', 'Tender not found');
    const from = agg.tender.status as TenderStatus;
    const to = nextStatus(from, { type: 'edit' });
    // Once companies were asked to quote for a minor contract, they quote for this text: it may
    // not change under them (equal treatment, art. 1 LCSP). Void the request first.
    const minor =
      agg.tender.procedure === 'menor' ? await findMinorContract(trx, authorityId, id) : undefined;
    if (minor && minor.status !== 'void') {
      throw new DomainError('INVALID_TRANSITION', `Companies were invited to quote (${minor.status})`, {
        from,
        event: 'edit',
      });
    }
    if (agg.tender.version !== input.version) {
      throw new DomainError('STALE_VERSION', 'The file changed since you read it', {
        version: agg.tender.version,
      });
    }
    const estimatedValue = await validateInput({ ...ctx, db: trx }, input);
    await trx
      .updateTable('tender')
      .set({
        ...tenderColumns(input, estimatedValue),
        status: to,
        version: input.version + 1,
        updated_at: ctx.clock.now(),
      })
      .where('id', '=', id)
      .where('authority_id', '=', authorityId)
      .execute()
      .catch(referenceTaken);
    await replaceLots(trx, authorityId, id, input.lots);
    await replaceBidDocuments(trx, authorityId, id, bidDocumentsOf(input));
    await recordEvent(trx, ctx, {
      action: 'tender.updated',
      objectType: 'tender',
      objectId: id,
      authorityId,
      data: { version: input.version + 1, restartedApprovals: from !== 'draft' },
    });
  });
  return view(ctx, authorityId, id);
}

export async function getTender(ctx: ServiceContext, authorityId: string, id: string): Promise<TenderView> {
  authorizeOnTender(ctx.actor, 'tender.read', authorityId);
  return view(ctx, authorityId, id);
}

export async function listTenders(ctx: ServiceContext, authorityId: string) {
  authorizeOnTender(ctx.actor, 'tender.read', authorityId);
  const rows = await listTenderRows(ctx.db, authorityId);
  return rows.map((r) => ({
    id: r.id,
    reference: r.reference,
    status: r.status,
    procedure: r.procedure,
    contractType: r.contract_type,
    title: { ca: r.title_ca, es: r.title_es, en: r.title_en },
    estimatedValue: r.estimated_value,
    tenderDeadline: r.tender_deadline?.toISOString() ?? null,
    updatedAt: r.updated_at.toISOString(),
    version: r.version,
  }));
}
