import { Decimal } from 'decimal.js';
import type { ServiceContext } from '../../platform/context.js';
import type { Db } from '../../platform/db/client.js';
import { withTransaction } from '../../platform/db/tx.js';
import { DomainError } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import { recordEvent } from '../audit/audit.service.js';
import { publishPlanStage } from '../ocds/ocds-plan.publish.js';
import { checkCpv, formatCpv, parseCpv } from '../cpv/cpv.rules.js';
import { normaliseQuery } from '../search/tender-search.service.js';
import { createTender } from '../tenders/tender.service.js';
import type { TenderInput } from '../tenders/tender.input.js';
import { knownCpvs } from '../tenders/tender.repo.js';
import { authorizeOnPlan } from './planned-contract.policy.js';
import { presentPlannedContract, presentPublicPlannedContract } from './planned-contract.presenter.js';
import {
  countPlan,
  findPlannedContract,
  findPlanPage,
  insertPlannedContract,
  linkTenderToPlan,
  listPlannedContracts as listRows,
  type PlanCriteria,
  plannedContractColumns,
  updatePlannedContract as updateRow,
} from './planned-contract.repo.js';
import {
  checkPlanInput,
  cpvPrefix,
  nextPlanStatus,
  splitValue,
  withGeneralVat,
} from './planned-contract.rules.js';
import type {
  PlannedContractInput,
  PlannedContractView,
  PlanSearchInput,
  PlanSearchResult,
  PlanStatus,
} from './planned-contract.types.js';

export const PLAN_PAGE_SIZE = 20;
export const PLAN_MAX_PAGE_SIZE = 100;
export const PLAN_MAX_PAGE = 500;

/** The authority's time zone: quarters are counted on its local calendar. */
async function timeZoneOf(ctx: ServiceContext, authorityId: string): Promise<string> {
  const a = await ctx.db
    .selectFrom('authority')
    .select('time_zone')
    .where('id', '=', authorityId)
    .executeTakeFirst();
  if (!a) throw new DomainError('NOT_FOUND', 'Authority not found');
  return a.time_zone;
}

/**
 * Validates an entry and returns it with its CPV in canonical form (official check digit), checked
 * against the loaded vocabulary as files' CPVs are.
 */
async function validated(
  ctx: ServiceContext,
  authorityId: string,
  input: PlannedContractInput,
): Promise<PlannedContractInput> {
  checkPlanInput(input, ctx.clock.now(), await timeZoneOf(ctx, authorityId));
  const parts = parseCpv(input.mainCpv);
  const known = await knownCpvs(ctx.db, parts ? [parts.code] : []);
  const problem = checkCpv(input.mainCpv, known);
  if (problem || !parts) {
    throw new DomainError('INVALID_CPV', 'Invalid CPV code', { codes: [{ cpv: input.mainCpv, problem }] });
  }
  return { ...input, mainCpv: formatCpv(parts.code, known.get(parts.code) ?? '') };
}

async function view(ctx: ServiceContext, authorityId: string, id: string): Promise<PlannedContractView> {
  const row = await findPlannedContract(ctx.db, authorityId, id);
  if (!row) throw new DomainError('NOT_FOUND', 'Planned contract not found');
  return presentPlannedContract(row);
}

/** Adds an entry to the authority's plan; public at once. */
export async function createPlannedContract(
  ctx: ServiceContext,
  authorityId: string,
  input: PlannedContractInput,
): Promise<PlannedContractView> {
  const actor = authorizeOnPlan(ctx.actor, 'plan.edit', authorityId);
  const clean = await validated(ctx, authorityId, input);
  const id = newId();
  await withTransaction(ctx.db as Db, async (trx) => {
    await insertPlannedContract(trx, {
      id,
      authorityId,
      createdBy: actor.userId,
      at: ctx.clock.now(),
      input: clean,
    });
    const eventId = await recordEvent(trx, ctx, {
      action: 'planned_contract.created',
      objectType: 'planned_contract',
      objectId: id,
      authorityId,
      isPublic: true,
      data: {
        title: clean.title.ca,
        procedure: clean.procedure,
        expectedYear: clean.expectedYear,
        expectedQuarter: clean.expectedQuarter,
      },
    });
    // The entry as an OCDS `planning` release, committed with the act (issue 6).
    await publishPlanStage(trx, { stage: 'planning', authorityId, plannedContractId: id, eventId });
  });
  return view(ctx, authorityId, id);
}

function checkVersion(stored: number, given: number): void {
  if (stored !== given) {
    throw new DomainError('STALE_VERSION', 'The planned contract changed since you read it', {
      version: stored,
    });
  }
}

/** Replaces an entry's content while it is planned; `version` must be the stored one. */
export async function updatePlannedContract(
  ctx: ServiceContext,
  authorityId: string,
  id: string,
  input: PlannedContractInput & { version: number },
): Promise<PlannedContractView> {
  authorizeOnPlan(ctx.actor, 'plan.edit', authorityId);
  await withTransaction(ctx.db as Db, async (trx) => {
    const row = await findPlannedContract(trx, authorityId, id, { forUpdate: true });
    if (!row) throw new DomainError('NOT_FOUND', 'Planned contract not found');
    nextPlanStatus(row.status as PlanStatus, 'edit');
    checkVersion(row.version, input.version);
    const clean = await validated({ ...ctx, db: trx }, authorityId, input);
    const cols = plannedContractColumns(clean);
    const changed = (Object.keys(cols) as (keyof typeof cols)[]).filter(
      (k) => String(cols[k]) !== String(row[k]),
    );
    // numeric comes back as "180000.00": compare amounts as amounts.
    const same = (k: string) =>
      k === 'estimated_value' && new Decimal(cols.estimated_value).eq(row.estimated_value);
    await updateRow(trx, authorityId, id, { ...cols, version: row.version + 1, updated_at: ctx.clock.now() });
    const eventId = await recordEvent(trx, ctx, {
      action: 'planned_contract.updated',
      objectType: 'planned_contract',
      objectId: id,
      authorityId,
      isPublic: true,
      data: { version: row.version + 1, changed: changed.filter((k) => !same(k)) },
    });
    await publishPlanStage(trx, { stage: 'planningUpdate', authorityId, plannedContractId: id, eventId });
  });
  return view(ctx, authorityId, id);
}

/** Withdraws a planned entry, with its reason; it stays in the plan, shown as withdrawn. */
export async function withdrawPlannedContract(
  ctx: ServiceContext,
  authorityId: string,
  id: string,
  input: { version: number; reason: string },
): Promise<PlannedContractView> {
  authorizeOnPlan(ctx.actor, 'plan.edit', authorityId);
  const reason = input.reason.trim();
  if (reason === '') {
    throw new DomainError('VALIDATION_FAILED', 'reason is empty', [
      { path: '/reason', message: 'reason is empty' },
    ]);
  }
  await withTransaction(ctx.db as Db, async (trx) => {
    const row = await findPlannedContract(trx, authorityId, id, { forUpdate: true });
    if (!row) throw new DomainError('NOT_FOUND', 'Planned contract not found');
    const status = nextPlanStatus(row.status as PlanStatus, 'withdraw');
    checkVersion(row.version, input.version);
    await updateRow(trx, authorityId, id, {
      status,
      withdrawal_reason: reason,
      version: row.version + 1,
      updated_at: ctx.clock.now(),
    });
    const eventId = await recordEvent(trx, ctx, {
      action: 'planned_contract.withdrawn',
      objectType: 'planned_contract',
      objectId: id,
      authorityId,
      isPublic: true,
      data: { version: row.version + 1, reason },
    });
    await publishPlanStage(trx, { stage: 'planningUpdate', authorityId, plannedContractId: id, eventId });
  });
  return view(ctx, authorityId, id);
}

const LOT_WORD = { ca: 'Lot', es: 'Lote', en: 'Lot' } as const;

/** The draft file's content prefilled from a planned entry; everything remains editable in the file. */
export function tenderDraftFrom(
  row: NonNullable<Awaited<ReturnType<typeof findPlannedContract>>>,
  reference: string,
): TenderInput {
  const values = splitValue(row.estimated_value, row.lot_count);
  return {
    reference,
    procedure: row.procedure as TenderInput['procedure'],
    contractType: row.contract_type as TenderInput['contractType'],
    title: { ca: row.title_ca, es: row.title_es, en: row.title_en },
    description: { ca: row.description_ca, es: row.description_es, en: row.description_en },
    mainCpv: row.main_cpv,
    estimatedValue: row.estimated_value,
    // The planned value excludes options and extensions the file may add (art. 101); as a first
    // budget it is the best figure there is.
    budgetExclVat: row.estimated_value,
    budgetInclVat: withGeneralVat(row.estimated_value),
    lots: values.map((value, i) => ({
      number: i + 1,
      title: {
        ca: `${LOT_WORD.ca} ${i + 1}`,
        es: `${LOT_WORD.es} ${i + 1}`,
        en: `${LOT_WORD.en} ${i + 1}`,
      },
      estimatedValue: value,
      budgetExclVat: value,
      mainCpv: row.main_cpv,
      // The first `reserved_lots` lots carry the reservation announced in the plan (LCSP DA 4ª).
      reserved: i < row.reserved_lots,
      criteria: [],
    })),
  };
}

/**
 * Starts the procurement file of a planned entry: a draft file prefilled from it (through
 * `createTender`, with its policy, validation and audit event), linked both ways, and the entry
 * marked `file_started`. One transaction: the entry is locked first, so two officers starting
 * the same entry get one file and one INVALID_TRANSITION, and a refused file leaves the entry
 * planned.
 */
export async function startFileFromPlan(
  ctx: ServiceContext,
  authorityId: string,
  id: string,
  input: { reference: string },
): Promise<{ plannedContract: PlannedContractView; tenderId: string }> {
  authorizeOnPlan(ctx.actor, 'plan.edit', authorityId);
  const tenderId = await withTransaction(ctx.db as Db, async (trx) => {
    const row = await findPlannedContract(trx, authorityId, id, { forUpdate: true });
    if (!row) throw new DomainError('NOT_FOUND', 'Planned contract not found');
    const status = nextPlanStatus(row.status as PlanStatus, 'start_file');
    const tender = await createTender(
      { ...ctx, db: trx },
      authorityId,
      tenderDraftFrom(row, input.reference),
    );
    await linkTenderToPlan(trx, authorityId, tender.id, id);
    await updateRow(trx, authorityId, id, {
      status,
      tender_id: tender.id,
      version: row.version + 1,
      updated_at: ctx.clock.now(),
    });
    await recordEvent(trx, ctx, {
      action: 'planned_contract.file_started',
      objectType: 'planned_contract',
      objectId: id,
      authorityId,
      isPublic: true,
      data: { tenderId: tender.id, reference: input.reference },
    });
    return tender.id;
  });
  return { plannedContract: await view(ctx, authorityId, id), tenderId };
}

export async function getPlannedContract(
  ctx: ServiceContext,
  authorityId: string,
  id: string,
): Promise<PlannedContractView> {
  authorizeOnPlan(ctx.actor, 'plan.read', authorityId);
  return view(ctx, authorityId, id);
}

/** The authority's whole plan for its staff, withdrawn entries included. */
export async function listPlannedContracts(
  ctx: ServiceContext,
  authorityId: string,
): Promise<PlannedContractView[]> {
  authorizeOnPlan(ctx.actor, 'plan.read', authorityId);
  return (await listRows(ctx.db, authorityId)).map(presentPlannedContract);
}

function invalid(message: string, field: string): DomainError {
  return new DomainError('VALIDATION_FAILED', message, [{ path: `/${field}`, message }]);
}

/**
 * The public plan of every authority, searched. Open to everyone: the plan is published to be
 * read (art. 28.4), so there is no policy to ask. Withdrawn entries are shown only when asked for.
 */
export async function searchPlan(ctx: ServiceContext, input: PlanSearchInput): Promise<PlanSearchResult> {
  if (input.minValue !== undefined && input.maxValue !== undefined) {
    if (new Decimal(input.minValue).greaterThan(input.maxValue))
      throw invalid('minValue is greater than maxValue', 'minValue');
  }
  const criteria: PlanCriteria = {
    text: normaliseQuery(input.q),
    authorityId: input.authority,
    cpvPrefix: input.cpv === undefined ? undefined : cpvPrefix(input.cpv),
    year: input.year,
    quarter: input.quarter,
    procedure: input.procedure,
    contractType: input.contractType,
    statuses: input.status ? [input.status] : ['planned', 'file_started'],
    minValue: input.minValue,
    maxValue: input.maxValue,
  };
  const pageSize = Math.min(Math.max(Math.trunc(input.pageSize ?? PLAN_PAGE_SIZE), 1), PLAN_MAX_PAGE_SIZE);
  const page = Math.min(Math.max(Math.trunc(input.page ?? 1), 1), PLAN_MAX_PAGE);
  const [total, rows] = await Promise.all([
    countPlan(ctx.db, criteria),
    findPlanPage(ctx.db, criteria, { limit: pageSize, offset: (page - 1) * pageSize }),
  ]);
  return { total, page, pageSize, items: rows.map(presentPublicPlannedContract) };
}
