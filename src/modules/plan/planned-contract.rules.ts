import { DomainError } from '../../platform/errors.js';
import { Dec, parseDecimal } from '../../platform/money.js';
import { localDate } from '../calendar/calendar.rules.js';
import { checkProcedure } from '../procedures/procedure.rules.js';
import type { PlanFinding, PlannedContractInput, PlanStatus } from './planned-contract.types.js';

/**
 * Pure rules of the procurement plan (LCSP art. 28.4: the authority makes known its contracting
 * plan for the year, at least the contracts subject to harmonised regulation). The clock and the
 * time zone are arguments.
 */

export type PlanEvent = 'edit' | 'withdraw' | 'start_file';

const TRANSITIONS: Record<PlanStatus, Partial<Record<PlanEvent, PlanStatus>>> = {
  planned: { edit: 'planned', withdraw: 'withdrawn', start_file: 'file_started' },
  // Once its file exists, the file is what changes (by its own rules); the plan entry stays as
  // announced, linked to it. A withdrawn entry stays on record as withdrawn.
  file_started: {},
  withdrawn: {},
};

/** The status after `event`, or INVALID_TRANSITION when the status does not allow it. */
export function nextPlanStatus(from: PlanStatus, event: PlanEvent): PlanStatus {
  const to = TRANSITIONS[from][event];
  if (!to) {
    throw new DomainError('INVALID_TRANSITION', `A ${from} planned contract does not allow ${event}`, {
      status: from,
      event,
    });
  }
  return to;
}

/** The quarter (1–4) and year of an instant in a time zone. */
export function quarterOf(now: Date, timeZone: string): { year: number; quarter: number } {
  const day = localDate(now, timeZone);
  return { year: Number(day.slice(0, 4)), quarter: Math.floor((Number(day.slice(5, 7)) - 1) / 3) + 1 };
}

/**
 * Refuses what no plan entry may hold: an estimated value that is not a positive amount with at
 * most two decimals, more reserved lots than lots (LCSP DA 4ª reserves lots, not more than there
 * are), and an expected quarter already over (a plan announces future contracts; an entry whose
 * quarter passed is rescheduled or withdrawn).
 */
export function checkPlanInput(input: PlannedContractInput, now: Date, timeZone: string): void {
  const value = parseDecimal(input.estimatedValue);
  if (!value?.isPositive() || value.isZero() || value.decimalPlaces() > 2) {
    throw new DomainError(
      'UNPROCESSABLE',
      'estimatedValue must be a positive amount with at most two decimals',
      {
        field: 'estimatedValue',
      },
    );
  }
  const lots = input.lotCount ?? 1;
  const reserved = input.reservedLots ?? 0;
  if (reserved > lots) {
    throw new DomainError('UNPROCESSABLE', 'reservedLots cannot exceed lotCount', { field: 'reservedLots' });
  }
  const current = quarterOf(now, timeZone);
  if (
    input.expectedYear < current.year ||
    (input.expectedYear === current.year && input.expectedQuarter < current.quarter)
  ) {
    throw new DomainError('DEADLINE_IN_PAST', 'The expected quarter is over', {
      field: 'expectedQuarter',
      current,
    });
  }
}

/**
 * Whether the procedure suits the type and value on the first day of the expected quarter, with
 * the thresholds then in force. Warnings only: the value of a planned contract is an estimate,
 * and the file's pre-publication checks are where this blocks.
 */
export function planFindings(
  input: Pick<
    PlannedContractInput,
    'procedure' | 'contractType' | 'estimatedValue' | 'expectedYear' | 'expectedQuarter'
  >,
): PlanFinding[] {
  const month = String((input.expectedQuarter - 1) * 3 + 1).padStart(2, '0');
  const day = `${input.expectedYear}-${month}-01`;
  return checkProcedure(
    input.procedure,
    { contractType: input.contractType, estimatedValue: input.estimatedValue },
    day,
  ).map((v) => ({ code: v.code, source: v.source, ...(v.limit ? { limit: v.limit } : {}) }));
}

/**
 * The estimated value spread over `count` lots in cents, the remainder on the last lot, so that the
 * lots add up to the whole exactly: a first split for the draft file, which the officer then sets.
 */
export function splitValue(total: string, count: number): string[] {
  const cents = new Dec(total).times(100).toDecimalPlaces(0);
  const each = cents.dividedToIntegerBy(count);
  const last = cents.minus(each.times(count - 1));
  return Array.from({ length: count }, (_, i) => (i === count - 1 ? last : each).dividedBy(100).toFixed(2));
}

/** General VAT rate (Ley 37/1992 art. 90): the draft file's first budget including VAT. */
export const GENERAL_VAT = '0.21';

/** The budget including VAT at the general rate, to two decimals: a starting figure to correct. */
export function withGeneralVat(amount: string): string {
  return new Dec(amount).times(new Dec(1).plus(GENERAL_VAT)).toFixed(2);
}

/** A CPV filter as typed ("9091", "90910000-9") as the digits a prefix match needs. */
export function cpvPrefix(value: string): string {
  return value.replace(/-\d$/, '');
}
