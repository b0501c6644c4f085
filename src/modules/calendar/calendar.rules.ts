import { DateTime, IANAZone } from 'luxon';
import { DomainError } from '../../platform/errors.js';

/**
 * The business-day calendar behind every legal period: what a día hábil is, how a period in days
 * is counted and where it ends, and which instant a deadline on a local day is. Pure: the clock,
 * the time zone and the holidays are arguments.
 *
 * Law applied:
 * - LCSP (Ley 9/2017) DA 12ª: periods in days in the LCSP are calendar days (días naturales) unless
 *   it says business days; a calendar-day period whose last day is not a business day runs to the
 *   next business day.
 * - Ley 39/2015 art. 30: business days exclude Saturdays, Sundays and holidays (30.2); periods in
 *   days count from the day after the notification or publication (30.3); a last day that is not a
 *   business day moves to the next business day (30.5); the calendar of non-business days is the
 *   official holidays of the territory (30.7; in Catalonia the labour calendar, Decret 319/1993).
 *
 * Periods in months or years (art. 30.4) are not handled here.
 */

/** A calendar day with no time and no zone, as 'YYYY-MM-DD'. */
export type LocalDate = string;

/**
 * The days that are not business days besides weekends, and the zone in which an instant becomes
 * a day. Build it with `makeCalendar`, which validates and normalises.
 */
export type Calendar = { readonly timeZone: string; readonly holidays: ReadonlySet<LocalDate> };

/** How a period's days are counted. */
export type PeriodUnit = 'calendar' | 'business';

/** A minimum period: structurally the same as the procedures module's `PeriodRule` (days and unit). */
export type MinimumPeriod = { days: number; unit: PeriodUnit };

const LOCAL_DATE = /^\d{4}-\d{2}-\d{2}$/;

// Why a cap: the loops below walk day by day, and a count from a bad input (1e12) must not hang
// the process. No legal period comes near a century.
const MAX_DAYS = 36_600;

const unprocessable = (message: string, details?: unknown) =>
  new DomainError('UNPROCESSABLE', message, details);

/**
 * A local date as a luxon DateTime at midnight UTC. Date arithmetic is done in UTC, where every day
 * has 24 hours, so daylight-saving changes in the authority's zone cannot shift a day.
 */
function parseDay(day: LocalDate, what: string): DateTime {
  if (typeof day !== 'string' || !LOCAL_DATE.test(day)) {
    throw unprocessable(`${what} must be a date written YYYY-MM-DD`, { [what]: day });
  }
  const parsed = DateTime.fromISO(day, { zone: 'utc' });
  if (!parsed.isValid) throw unprocessable(`${what} is not a calendar date`, { [what]: day });
  return parsed;
}

function toLocalDate(dt: DateTime): LocalDate {
  const iso = dt.toISODate();
  if (iso === null) throw unprocessable('Date out of range');
  return iso;
}

function checkCount(n: number, what: string, min: number): void {
  if (!Number.isInteger(n) || n < min || n > MAX_DAYS) {
    throw unprocessable(`${what} must be a whole number from ${min} to ${MAX_DAYS}`, { [what]: n });
  }
}

/**
 * Zones already found valid. Checking builds an Intl formatter, and every deadline computation
 * checks its zone (a tender view runs dozens), while an installation uses one or two zones.
 */
const VALID_ZONES = new Set<string>();

function checkZone(timeZone: string): void {
  if (VALID_ZONES.has(timeZone)) return;
  if (typeof timeZone !== 'string' || !IANAZone.isValidZone(timeZone)) {
    throw unprocessable('Unknown time zone', { timeZone });
  }
  VALID_ZONES.add(timeZone);
}

function checkInstant(instant: Date, what: string): void {
  if (!(instant instanceof Date) || Number.isNaN(instant.getTime())) {
    throw unprocessable(`${what} must be a valid instant`, { [what]: String(instant) });
  }
}

/** Saturday (6) and Sunday (7) are never business days (Ley 39/2015 art. 30.2). */
function isBusiness(dt: DateTime, cal: Calendar): boolean {
  return dt.weekday <= 5 && !cal.holidays.has(toLocalDate(dt));
}

/**
 * A calendar from a time zone (IANA, e.g. 'Europe/Madrid') and its holidays: the official national
 * and regional days (`HOLIDAYS`) plus the authority's two local days. Throws on an unknown zone or a
 * malformed day.
 */
export function makeCalendar(timeZone: string, holidays: Iterable<LocalDate>): Calendar {
  checkZone(timeZone);
  const days = new Set<LocalDate>();
  for (const day of holidays) days.add(toLocalDate(parseDay(day, 'holiday')));
  return Object.freeze({ timeZone, holidays: days });
}

/**
 * The calendar day of an instant in a time zone: 2026-03-28T23:30Z is 29 March in Madrid. Uses the
 * zone's real offset at that instant, so it is right on both sides of a daylight-saving change.
 */
export function localDate(instant: Date, timeZone: string): LocalDate {
  checkInstant(instant, 'instant');
  checkZone(timeZone);
  return toLocalDate(DateTime.fromJSDate(instant, { zone: timeZone }));
}

/** Whether a day is a business day (día hábil): not a Saturday, a Sunday or a holiday (Ley 39/2015 art. 30.2). */
export function isBusinessDay(day: LocalDate, cal: Calendar): boolean {
  return isBusiness(parseDay(day, 'day'), cal);
}

/** The day `n` calendar days after `day` (n ≥ 0; 0 gives `day`). */
export function addCalendarDays(day: LocalDate, n: number): LocalDate {
  const start = parseDay(day, 'day');
  checkCount(n, 'n', 0);
  return toLocalDate(start.plus({ days: n }));
}

/**
 * The `n`-th business day after `day`: counting starts the day after (Ley 39/2015 art. 30.3), and
 * only business days count (art. 30.2). `day` itself need not be a business day. n = 0 gives `day`.
 */
export function addBusinessDays(day: LocalDate, n: number, cal: Calendar): LocalDate {
  let current = parseDay(day, 'day');
  checkCount(n, 'n', 0);
  let left = n;
  while (left > 0) {
    current = current.plus({ days: 1 });
    if (isBusiness(current, cal)) left -= 1;
  }
  return toLocalDate(current);
}

/** `day` if it is a business day, else the first business day after it (Ley 39/2015 art. 30.5). */
export function nextBusinessDay(day: LocalDate, cal: Calendar): LocalDate {
  let current = parseDay(day, 'day');
  // Terminates: the holiday set is finite, and weekends are at most two days in a row.
  while (!isBusiness(current, cal)) current = current.plus({ days: 1 });
  return toLocalDate(current);
}

/**
 * The last day of a period of `days` days counted from the day after `start` (art. 30.3).
 *
 * - `business`: the `days`-th business day after `start` (art. 30.2); it is a business day already.
 * - `calendar`: `start` + `days`; when that day is a Saturday, Sunday or holiday the period runs to
 *   the next business day (LCSP DA 12ª, Ley 39/2015 art. 30.5). The EU rule for periods from
 *   harmonised notices (Reg. 1182/71 art. 3.4) gives the same last day.
 *
 * `days` must be at least 1: a period of no days has no last day.
 */
export function periodEnd(start: LocalDate, days: number, unit: PeriodUnit, cal: Calendar): LocalDate {
  parseDay(start, 'start');
  checkCount(days, 'days', 1);
  switch (unit) {
    case 'business':
      return addBusinessDays(start, days, cal);
    case 'calendar':
      return nextBusinessDay(addCalendarDays(start, days), cal);
    default:
      throw unprocessable("unit must be 'calendar' or 'business'", { unit });
  }
}

/**
 * The first instant of a local day in the calendar's zone, as a UTC `Date`: 00:00 local in
 * Europe/Madrid. Where a zone skips midnight (a daylight-saving change at 00:00, as in some American
 * zones), it is the first instant that exists on that day.
 */
export function startOfDay(day: LocalDate, cal: Calendar): Date {
  const d = parseDay(day, 'day');
  checkZone(cal.timeZone);
  const local = DateTime.fromObject({ year: d.year, month: d.month, day: d.day }, { zone: cal.timeZone });
  if (!local.isValid)
    throw unprocessable('Day cannot be placed in the time zone', { day, timeZone: cal.timeZone });
  return local.toJSDate();
}

/**
 * The last instant of a local day in the calendar's zone, as a UTC `Date`: 23:59:59.999 local in
 * Europe/Madrid. Computed as one millisecond before the next day starts, so that a 23- or 25-hour
 * day (the last Sundays of March and October) ends at the right instant.
 */
export function endOfDay(day: LocalDate, cal: Calendar): Date {
  const next = addCalendarDays(toLocalDate(parseDay(day, 'day')), 1);
  return new Date(startOfDay(next, cal).getTime() - 1);
}

/**
 * The earliest deadline allowed for a minimum period (`rule`, e.g. 15 calendar days, LCSP art.
 * 156.6) counted from the day after the local day of `start` (the publication or invitation).
 *
 * [D] The answer is the START (00:00 local) of the period's last day, not its end: periods are
 * counted in whole days, so a deadline at any time on the last day is taken to satisfy "no less
 * than N days". This matches practice, where announcements close at a set hour of the last day
 * (often 14:00 or 23:59). A stricter reading (the whole last day must be available) would use
 * `endOfDay` of the same day instead; callers that want it can compose `periodEnd` and `endOfDay`.
 */
export function earliestDeadline(start: Date, rule: MinimumPeriod, cal: Calendar): Date {
  checkInstant(start, 'start');
  const last = periodEnd(localDate(start, cal.timeZone), rule.days, rule.unit, cal);
  return startOfDay(last, cal);
}

/**
 * Whether `deadline` leaves at least the minimum period `rule` after `start`: it is on or after
 * `earliestDeadline` (see [D] there). It checks the minimum only: a deadline that itself falls on a
 * non-business day would also be extended to the next business day (LCSP DA 12ª), which is the
 * caller's concern.
 */
export function isDeadlineAllowed(deadline: Date, start: Date, rule: MinimumPeriod, cal: Calendar): boolean {
  checkInstant(deadline, 'deadline');
  return deadline.getTime() >= earliestDeadline(start, rule, cal).getTime();
}
