/**
 * Contract management after formalisation (issue 5 point 7; arts. 188–213 LCSP). The contract row
 * is created by award.service.ts at `formalise`; here the contracting body (its procurement
 * officer) records its execution: start, suspension and resumption (art. 208), amendments
 * (arts. 203–205) with their legal limits, extensions (art. 29.2), milestones and payments (OCDS
 * implementation), completion (reception, art. 210) and termination (arts. 211–213). The state
 * moves through contract.rules.ts `nextContract`; milestones and payments leave it as it is.
 * Every event is a published act (art. 63 LCSP): a row in contract_event and a public audit event,
 * in one transaction, behind the contract's version.
 */
import type { ServiceContext } from '../../platform/context.js';
import type { Db } from '../../platform/db/client.js';
import { withTransaction } from '../../platform/db/tx.js';
import { DomainError } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import { Dec, parseDecimal } from '../../platform/money.js';
import { recordEvent } from '../audit/audit.service.js';
import { contractStageOf, publishContractStage } from '../ocds/ocds-contract.publish.js';
import { type LocalDate, localDate } from '../calendar/calendar.rules.js';
import {
  type ContractEventRow,
  type ContractRow,
  contractById,
  contractEvents,
  insertContractEvent,
  listContracts,
  lockContract,
  type NewContractEvent,
  saveContractState,
} from './contract.repo.js';
import {
  contractDocumentIndex,
  type PublicContractDocument,
  unknownContractDocuments,
} from './contract-document.service.js';
import { initialContract, nextContract } from './contract.rules.js';
import type { ContractEvent, ContractState, ContractStatus } from './contract.types.js';
import { authorizeOnEvaluation } from './evaluation.policy.js';
import { invalidTransition, requireReasons } from './transition.js';
import { publishedTaxId } from '../minor/minor-contract.rules.js';

const TZ = 'Europe/Madrid';

export const CONTRACT_EVENT_TYPES = [
  'start',
  'amendment',
  'extension',
  'milestone',
  'payment',
  'suspension',
  'resumption',
  'termination',
  'completion',
] as const;
export type ContractEventKind = (typeof CONTRACT_EVENT_TYPES)[number];

/** The body of POST …/contracts/:id/events; each type reads its own fields. */
export type ContractEventInput = {
  version: number;
  type: ContractEventKind;
  endDate?: string | undefined;
  legalGround?: 'art_204' | 'art_205' | undefined;
  groundCase?: 'a' | 'b' | 'c' | undefined;
  valueChange?: string | undefined;
  documents?: string[] | undefined;
  reasons?: string | undefined;
  newEndDate?: string | undefined;
  description?: string | undefined;
  dueDate?: string | undefined;
  amount?: string | undefined;
  paidOn?: string | undefined;
  invoiceRef?: string | undefined;
  grounds?: string | undefined;
  completedOn?: string | undefined;
};

/**
 * Legal limits of amendments, as fractions of the initial price excl. VAT, counting every
 * amendment on the same ground together ("aislada o conjuntamente"), reductions included:
 * art. 204.1 foreseen modifications up to 20 %; art. 205.2.a.3º and 205.2.b.2º up to 50 %;
 * art. 205.2.c.3º a non-substantial change adds no more than 15 % (works) or 10 % (others).
 */
export const ART_204_LIMIT = new Dec('0.20');
export const ART_205_LIMIT = new Dec('0.50');
const art205cLimit = (contractType: string) => new Dec(contractType === 'works' ? '0.15' : '0.10');

export type ContractEventView = {
  version: number;
  type: ContractEventKind;
  at: string;
  legalGround: string | null;
  groundCase: string | null;
  valueChange: string | null;
  newTotal: string | null;
  documents: string[];
  reasons: string | null;
  grounds: string | null;
  endDate: string | null;
  description: string | null;
  dueDate: string | null;
  amount: string | null;
  paidOn: string | null;
  invoiceRef: string | null;
  completedOn: string | null;
};

export type ContractView = {
  id: string;
  tenderId: string;
  ocid: string;
  lots: number[];
  bidId: string;
  company: { id: string; legalName: string; taxId: string };
  /** The price at formalisation, excl. VAT. */
  amountExclVat: string;
  /** The price as amended. */
  totalExclVat: string;
  paidExclVat: string;
  signedAt: string;
  status: ContractStatus;
  /** 0 before the first event; send it back with the next one. */
  version: number;
  startedAt: string | null;
  endDate: string | null;
  completedAt: string | null;
  termination: { grounds: string; reasons: string; at: string } | null;
  events: ContractEventView[];
};

// --- state (de)serialisation: the ContractState as JSON, instants as ISO strings ---

type Stored = Omit<
  ContractState,
  'startedAt' | 'suspensions' | 'amendments' | 'extensions' | 'completedAt' | 'termination'
> & {
  startedAt: string | null;
  suspensions: { reasons: string; from: string; to: string | null }[];
  amendments: (Omit<ContractState['amendments'][number], 'at'> & { at: string })[];
  extensions: (Omit<ContractState['extensions'][number], 'at'> & { at: string })[];
  completedAt: string | null;
  termination: { grounds: string; reasons: string; at: string } | null;
};

const date = (s: string | null) => (s === null ? null : new Date(s));
const iso = (d: Date | null) => d?.toISOString() ?? null;

function parseState(text: string | null): ContractState {
  if (text === null) return initialContract();
  const s = JSON.parse(text) as Stored;
  return {
    ...s,
    startedAt: date(s.startedAt),
    suspensions: s.suspensions.map((x) => ({ ...x, from: new Date(x.from), to: date(x.to) })),
    amendments: s.amendments.map((x) => ({ ...x, at: new Date(x.at) })),
    extensions: s.extensions.map((x) => ({ ...x, at: new Date(x.at) })),
    completedAt: date(s.completedAt),
    termination: s.termination ? { ...s.termination, at: new Date(s.termination.at) } : null,
  };
}

const money = (v: string | null) => (v === null ? null : new Dec(v).toFixed(2));

/** The price as amended (the last amendment's new total) and what has been paid. */
function totals(row: ContractRow, events: readonly ContractEventRow[]) {
  let total = new Dec(row.amount_excl_vat);
  let paid = new Dec(0);
  for (const e of events) {
    if (e.type === 'amendment' && e.new_total !== null) total = new Dec(e.new_total);
    if (e.type === 'payment' && e.amount !== null) paid = paid.plus(e.amount);
  }
  return { total, paid };
}

function eventView(e: ContractEventRow): ContractEventView {
  return {
    version: e.version,
    type: e.type as ContractEventKind,
    at: e.created_at.toISOString(),
    legalGround: e.legal_ground,
    groundCase: e.ground_case,
    valueChange: money(e.value_change),
    newTotal: money(e.new_total),
    documents: e.documents ?? [],
    reasons: e.reasons,
    grounds: e.grounds,
    endDate: e.end_date,
    description: e.description,
    dueDate: e.due_date,
    amount: money(e.amount),
    paidOn: e.paid_on,
    invoiceRef: e.invoice_ref,
    completedOn: e.completed_on,
  };
}

function present(row: ContractRow, events: readonly ContractEventRow[]): ContractView {
  const state = parseState(row.state);
  const { total, paid } = totals(row, events);
  return {
    id: row.id,
    tenderId: row.tender_id,
    ocid: row.ocid ?? '',
    lots: row.lots,
    bidId: row.bid_id,
    company: { id: row.company_id, legalName: row.legal_name, taxId: row.tax_id },
    amountExclVat: new Dec(row.amount_excl_vat).toFixed(2),
    totalExclVat: total.toFixed(2),
    paidExclVat: paid.toFixed(2),
    signedAt: row.signed_at.toISOString(),
    status: state.status,
    version: row.version,
    startedAt: iso(state.startedAt),
    endDate: state.endDate,
    completedAt: iso(state.completedAt),
    termination: state.termination ? { ...state.termination, at: state.termination.at.toISOString() } : null,
    events: events.map(eventView),
  };
}

async function views(db: ServiceContext['db'], authorityId: string, rows: readonly ContractRow[]) {
  const events = await contractEvents(
    db,
    authorityId,
    rows.map((r) => r.id),
  );
  return rows.map((r) =>
    present(
      r,
      events.filter((e) => e.contract_id === r.id),
    ),
  );
}

/** The authority's contracts, of one tender when `tenderId` is given. */
export async function listAuthorityContracts(
  ctx: ServiceContext,
  authorityId: string,
  tenderId: string | undefined,
): Promise<ContractView[]> {
  authorizeOnEvaluation(ctx.actor, 'evaluation.read_contracts', authorityId);
  return views(ctx.db, authorityId, await listContracts(ctx.db, authorityId, tenderId));
}

export async function getContract(
  ctx: ServiceContext,
  authorityId: string,
  contractId: string,
): Promise<ContractView> {
  authorizeOnEvaluation(ctx.actor, 'evaluation.read_contracts', authorityId);
  const row = await contractById(ctx.db, authorityId, contractId);
  if (!row) throw new DomainError('NOT_FOUND', 'Contract not found');
  const [view] = await views(ctx.db, authorityId, [row]);
  if (!view) throw new DomainError('INTERNAL', 'The contract cannot be read');
  return view;
}

// --- input checks ---

const LOCAL_DATE = /^\d{4}-\d{2}-\d{2}$/;
const SHA256 = /^[0-9a-f]{64}$/;

function requireField(value: string | undefined, field: string): string {
  if (value === undefined || value.trim() === '') {
    throw new DomainError('UNPROCESSABLE', `${field} is required`, { field });
  }
  return value.trim();
}

/** A money amount: a decimal with at most two decimals (numeric(16, 2)). */
function requireMoney(value: string | undefined, field: string): Dec {
  const d = value === undefined ? undefined : parseDecimal(value);
  if (!d || d.decimalPlaces() > 2) {
    throw new DomainError('UNPROCESSABLE', `${field} must be an amount with at most two decimals`, { field });
  }
  return d;
}

/** A calendar day not before the day of formalisation (nothing is executed before, art. 153.6). */
function requireDayFrom(value: string | undefined, signedDay: LocalDate, field: string): LocalDate {
  if (value === undefined || !LOCAL_DATE.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) {
    throw new DomainError('UNPROCESSABLE', `${field} must be a date written YYYY-MM-DD`, { field });
  }
  if (value < signedDay) {
    throw new DomainError('UNPROCESSABLE', `${field} must not be before the formalisation`, {
      field,
      reason: 'before_formalisation',
      signedOn: signedDay,
    });
  }
  return value;
}

/** A day that has happened already (a payment made, a reception held). */
function requirePast(day: LocalDate, today: LocalDate, field: string): LocalDate {
  if (day > today) {
    throw new DomainError('UNPROCESSABLE', `${field} must not be in the future`, {
      field,
      reason: 'in_the_future',
    });
  }
  return day;
}

const guard = (reason: string, message: string, details: Record<string, string> = {}) =>
  new DomainError('UNPROCESSABLE', message, { reason, ...details });

/**
 * Records one event of a contract. `version` must be the contract's current version (0 before
 * the first event). Guards (UNPROCESSABLE with `details.reason`): amendments within the limits of
 * arts. 204–205 and never below what was paid, payments within the amended price, dates not
 * before the formalisation.
 */
export async function recordContractEvent(
  ctx: ServiceContext,
  authorityId: string,
  contractId: string,
  input: ContractEventInput,
): Promise<ContractView> {
  const actor = authorizeOnEvaluation(ctx.actor, 'evaluation.manage_contracts', authorityId);
  const now = ctx.clock.now();
  await withTransaction(ctx.db as Db, async (trx) => {
    const row = await lockContract(trx, authorityId, contractId);
    if (!row) throw new DomainError('NOT_FOUND', 'Contract not found');
    if (input.version !== row.version) {
      throw new DomainError('CONFLICT', 'The contract changed meanwhile; reload it', {
        version: row.version,
      });
    }
    const state = parseState(row.state);
    const events = await contractEvents(trx, authorityId, [contractId]);
    const { total, paid } = totals(row, events);
    const initial = new Dec(row.amount_excl_vat);
    const signedDay = localDate(row.signed_at, TZ);
    const today = localDate(now, TZ);
    const tctx = { now, businessDeadline: () => now };
    const step = (event: ContractEvent) => nextContract(state, event, tctx);
    let next: ContractState = state;
    let fields: NewContractEvent = {};

    switch (input.type) {
      case 'start': {
        // The machine first (a refused move is INVALID_TRANSITION whatever the fields say).
        next = step({ type: 'start', endDate: input.endDate ?? null });
        const endDate =
          input.endDate === undefined ? null : requireDayFrom(input.endDate, signedDay, 'endDate');
        fields = { end_date: endDate };
        break;
      }
      case 'amendment': {
        const legalGround = input.legalGround;
        if (legalGround === undefined) {
          throw new DomainError('UNPROCESSABLE', 'legalGround is required', { field: 'legalGround' });
        }
        // Art. 205 modifications must say which of its cases applies; art. 204 ones have none.
        const groundCase = legalGround === 'art_205' ? input.groundCase : undefined;
        if (legalGround === 'art_205' && groundCase === undefined) {
          throw new DomainError('UNPROCESSABLE', 'groundCase (art. 205.2 a, b or c) is required', {
            field: 'groundCase',
          });
        }
        if (legalGround === 'art_204' && input.groundCase !== undefined) {
          throw new DomainError('UNPROCESSABLE', 'groundCase applies to art. 205 only', {
            field: 'groundCase',
          });
        }
        const change = requireMoney(input.valueChange, 'valueChange');
        const documents = input.documents ?? [];
        if (documents.some((d) => !SHA256.test(d)) || new Set(documents).size !== documents.length) {
          throw new DomainError('UNPROCESSABLE', 'documents must be distinct SHA-256 digests', {
            field: 'documents',
          });
        }
        // The machine first: nothing is amended outside execution (art. 203), whatever the figures.
        next = step({
          type: 'amend',
          legalGround,
          valueChange: change.toFixed(2),
          reasons: input.reasons ?? '',
          documents,
        });
        // Every document named must have been uploaded to this very contract (contract-document.*):
        // the event publishes them, so a digest of nothing, or of another contract's draft, is refused.
        const unknown = await unknownContractDocuments(trx, authorityId, contractId, documents);
        if (unknown.length > 0) {
          throw new DomainError('UNPROCESSABLE', 'documents must be documents uploaded to this contract', {
            field: 'documents',
            reason: 'unknown_document',
            unknown,
          });
        }
        const sameGround = events
          .filter((e) => e.type === 'amendment' && e.legal_ground === legalGround)
          .reduce((sum, e) => sum.plus(new Dec(e.value_change ?? '0').abs()), new Dec(0))
          .plus(change.abs());
        const limit = legalGround === 'art_204' ? ART_204_LIMIT : ART_205_LIMIT;
        if (sameGround.greaterThan(initial.times(limit))) {
          throw guard(
            legalGround === 'art_204' ? 'art_204_limit' : 'art_205_limit',
            `Amendments on ${legalGround} would exceed ${limit.times(100).toFixed()} % of the initial price`,
            { field: 'valueChange', limit: initial.times(limit).toFixed(2) },
          );
        }
        if (groundCase === 'c' && change.abs().greaterThan(initial.times(art205cLimit(row.contract_type)))) {
          throw guard('art_205_2_c_limit', 'A non-substantial change cannot exceed art. 205.2.c.3º', {
            field: 'valueChange',
            limit: initial.times(art205cLimit(row.contract_type)).toFixed(2),
          });
        }
        const newTotal = total.plus(change);
        if (newTotal.lessThan(paid)) {
          throw guard('below_paid', 'The amended price cannot be lower than what was paid', {
            field: 'valueChange',
            paid: paid.toFixed(2),
          });
        }
        fields = {
          legal_ground: legalGround,
          ground_case: groundCase ?? null,
          value_change: change.toFixed(2),
          new_total: newTotal.toFixed(2),
          documents,
          reasons: requireReasons(input.reasons, 'reasons'),
        };
        break;
      }
      case 'extension': {
        next = step({ type: 'extend', newEndDate: input.newEndDate ?? '', reasons: input.reasons ?? '' });
        fields = {
          end_date: requireDayFrom(input.newEndDate, signedDay, 'newEndDate'),
          reasons: requireReasons(input.reasons, 'reasons'),
        };
        break;
      }
      case 'milestone': {
        if (state.status !== 'in_execution' && state.status !== 'suspended') {
          throw invalidTransition('contract', state.status, 'milestone');
        }
        fields = {
          description: requireField(input.description, 'description'),
          due_date: requireDayFrom(input.dueDate, signedDay, 'dueDate'),
        };
        break;
      }
      case 'payment': {
        // Paid during execution, or at the liquidation after reception or termination (arts. 210.4, 213).
        if (state.status === 'formalised') throw invalidTransition('contract', state.status, 'payment');
        const amount = requireMoney(input.amount, 'amount');
        if (!amount.isPositive() || amount.isZero()) {
          throw new DomainError('UNPROCESSABLE', 'amount must be positive', { field: 'amount' });
        }
        const paidOn = requirePast(requireDayFrom(input.paidOn, signedDay, 'paidOn'), today, 'paidOn');
        if (paid.plus(amount).greaterThan(total)) {
          throw guard('payments_exceed_total', 'Payments cannot exceed the price of the contract', {
            field: 'amount',
            total: total.toFixed(2),
            paid: paid.toFixed(2),
          });
        }
        fields = {
          amount: amount.toFixed(2),
          paid_on: paidOn,
          invoice_ref: requireField(input.invoiceRef, 'invoiceRef'),
        };
        break;
      }
      case 'suspension':
        next = step({ type: 'suspend', reasons: input.reasons ?? '' });
        fields = { reasons: requireReasons(input.reasons, 'reasons') };
        break;
      case 'resumption':
        next = step({ type: 'resume' });
        break;
      case 'termination':
        next = step({ type: 'terminate', grounds: input.grounds ?? '', reasons: input.reasons ?? '' });
        fields = {
          grounds: requireField(input.grounds, 'grounds'),
          reasons: requireReasons(input.reasons, 'reasons'),
        };
        break;
      case 'completion': {
        next = step({ type: 'complete' });
        const completedOn = requirePast(
          requireDayFrom(input.completedOn, signedDay, 'completedOn'),
          today,
          'completedOn',
        );
        fields = { completed_on: completedOn };
        break;
      }
    }

    const version = row.version + 1;
    await saveContractState(trx, {
      id: contractId,
      authorityId,
      status: next.status,
      state: JSON.stringify(next),
      version,
      userId: actor.userId,
      at: now,
    });
    await insertContractEvent(trx, {
      id: newId(),
      contractId,
      authorityId,
      tenderId: row.tender_id,
      version,
      type: input.type,
      fields,
      userId: actor.userId,
      at: now,
    });
    const eventId = await recordEvent(trx, ctx, {
      action: 'contract.event',
      objectType: 'contract',
      objectId: contractId,
      authorityId,
      isPublic: true,
      data: {
        ocid: row.ocid ?? '',
        contractId,
        type: input.type,
        status: next.status,
        version,
        fields: Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, v ?? null])),
      },
    });
    // The event as an OCDS release, committed with it (issue 6; ocds-contract.publish.ts).
    await publishContractStage(trx, {
      stage: contractStageOf(input.type),
      authorityId,
      tenderId: row.tender_id,
      eventId,
    });
  });
  return getContract(ctx, authorityId, contractId);
}

// --- public ---

export type PublicContract = {
  id: string;
  lots: number[];
  company: { legalName: string; taxId: string };
  amountExclVat: string;
  totalExclVat: string;
  signedAt: string;
  status: ContractStatus;
  endDate: string | null;
  amendments: {
    legalGround: string;
    groundCase: string | null;
    valueChange: string;
    newTotal: string;
    reasons: string;
    /** The supporting documents, each with its title and public download. */
    documents: PublicContractDocument[];
    at: string;
  }[];
  extensions: { newEndDate: string; reasons: string; at: string }[];
  payments: { count: number; totalExclVat: string };
  completedOn: string | null;
  termination: { grounds: string; reasons: string; at: string } | null;
};

/**
 * The contracts of a published tender with their published acts (art. 63.3 LCSP: modifications,
 * extensions, termination; OCDS implementation totals). Each payment and milestone is in the
 * public audit trail (contract.event); this summary gives the payments' count and total.
 */
export async function publicContracts(
  db: ServiceContext['db'],
  authorityId: string,
  tenderId: string,
): Promise<PublicContract[]> {
  const rows = await listContracts(db, authorityId, tenderId);
  const all = await contractEvents(
    db,
    authorityId,
    rows.map((r) => r.id),
  );
  const documentOf = await contractDocumentIndex(
    db,
    authorityId,
    rows.map((r) => r.id),
  );
  return rows.map((r) => {
    const events = all.filter((e) => e.contract_id === r.id);
    const view = present(r, events);
    const payments = events.filter((e) => e.type === 'payment');
    return {
      id: r.id,
      lots: r.lots,
      // A natural person's NIF/NIE is published masked (LOPDGDD DA 7ª), as in the minor contracts list.
      company: { legalName: r.legal_name, taxId: publishedTaxId(r.tax_id, r.tax_id_kind) },
      amountExclVat: view.amountExclVat,
      totalExclVat: view.totalExclVat,
      signedAt: view.signedAt,
      status: view.status,
      endDate: view.endDate,
      amendments: events
        .filter((e) => e.type === 'amendment')
        .map((e) => ({
          legalGround: e.legal_ground ?? '',
          groundCase: e.ground_case,
          valueChange: money(e.value_change) ?? '',
          newTotal: money(e.new_total) ?? '',
          reasons: e.reasons ?? '',
          documents: (e.documents ?? []).map((d) => documentOf(r.id, r.ocid ?? '', d)),
          at: e.created_at.toISOString(),
        })),
      extensions: events
        .filter((e) => e.type === 'extension')
        .map((e) => ({
          newEndDate: e.end_date ?? '',
          reasons: e.reasons ?? '',
          at: e.created_at.toISOString(),
        })),
      payments: { count: payments.length, totalExclVat: view.paidExclVat },
      completedOn: events.find((e) => e.type === 'completion')?.completed_on ?? null,
      termination: view.termination,
    };
  });
}
