import { addBusinessDays, type Calendar, endOfDay, localDate } from '../calendar/calendar.rules.js';
import { DomainError } from '../../platform/errors.js';

/**
 * What every state machine of this module receives besides the state and the event: the clock
 * and the business-day calendar, as arguments (style.md §5.8: unlike Prozorro, no globals), so
 * the transitions stay pure and testable at any instant.
 */
export type TransitionContext = {
  now: Date;
  /**
   * The instant a period of `days` business days counted from `from` ends: the end of the
   * `days`-th business day after the local day of `from` (Ley 39/2015 art. 30.2–30.3).
   * `businessDeadlineOn(calendar)` builds it from the authority's calendar.
   */
  businessDeadline: (from: Date, days: number) => Date;
};

/** The business-day deadline function of a calendar (calendar.rules.ts), for `TransitionContext`. */
export function businessDeadlineOn(cal: Calendar): TransitionContext['businessDeadline'] {
  return (from, days) => endOfDay(addBusinessDays(localDate(from, cal.timeZone), days, cal), cal);
}

/** The one error of a forbidden move; `details.reason` says why when a guard, not the table, refused. */
export function invalidTransition(
  machine: string,
  from: string,
  event: string,
  reason?: string,
): DomainError {
  const why = reason === undefined ? '' : ` (${reason})`;
  return new DomainError(
    'INVALID_TRANSITION',
    `A ${machine} in state ${from} cannot take the step "${event}"${why}`,
    {
      machine,
      from,
      event,
      ...(reason === undefined ? {} : { reason }),
    },
  );
}

/** Written reasons must say something: a few words at least (same bar as minor contracts). */
export const MIN_REASONS_LENGTH = 10;

/** Refuses blank or token reasons: decisions that close a bidder's chances must be reasoned (art. 151.1 LCSP). */
export function requireReasons(text: unknown, field: string): string {
  if (typeof text !== 'string' || text.trim().length < MIN_REASONS_LENGTH) {
    throw new DomainError('UNPROCESSABLE', `${field} must give written reasons`, { field });
  }
  return text.trim();
}

/** Refuses an empty list of codes, or codes outside `allowed`. */
export function requireCodes<T extends string>(codes: unknown, allowed: readonly T[], field: string): T[] {
  if (
    !Array.isArray(codes) ||
    codes.length === 0 ||
    codes.some((c) => !allowed.includes(c as T)) ||
    new Set(codes).size !== codes.length
  ) {
    throw new DomainError('UNPROCESSABLE', `${field} must list one or more of: ${allowed.join(', ')}`, {
      field,
      allowed,
    });
  }
  return codes as T[];
}

/** A whole number of days within [min, max]. */
export function requireDays(days: unknown, min: number, max: number, field: string): number {
  if (typeof days !== 'number' || !Number.isInteger(days) || days < min || days > max) {
    throw new DomainError('UNPROCESSABLE', `${field} must be a whole number of days from ${min} to ${max}`, {
      field,
      min,
      max,
    });
  }
  return days;
}
