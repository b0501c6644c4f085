import { DateTime } from 'luxon';
import { DomainError } from '../../platform/errors.js';
import { isBusinessDay, type LocalDate, localDate, makeCalendar } from './calendar.rules.js';
import type { HolidayRow } from './holidays.data.js';

/**
 * The holidays of one authority, and what its administrator may change in them. Pure: the
 * official rows, the authority's rows and the clock are arguments.
 *
 * Model (why not seeded copies). The official national and Catalan days stay data
 * (`holidays.data.ts`); an authority's tables hold only its deviations from them:
 * - `authority_holiday`: days it adds: its two local days (fixed each year by the Generalitat's
 *   order on the town councils' proposals), or an official day the data does not have yet
 *   (a provisional year's order that adds one), with kind local, regional or national;
 * - `authority_holiday_exclusion`: official days that do not apply there (Val d'Aran works on
 *   26 December and rests on 17 June instead: exclude one, add the other).
 * Seeding a copy of the official days into every authority for 2026–2027 would have let each
 * copy drift: correcting the provisional 2027 rows once the order is published (see
 * holidays.data.ts) would then need a data migration per authority, and an authority created
 * later would need seeding. With deviations only, the correction reaches every authority at once,
 * a new authority starts with the official calendar, and every edit is an explicit, audited
 * difference from the official one.
 */

export type HolidayKind = 'national' | 'regional' | 'local';
export const HOLIDAY_KINDS = ['national', 'regional', 'local'] as const satisfies readonly HolidayKind[];

type Names = { ca: string; es: string; en: string };

/** One day of an authority's calendar as shown and edited. */
export type HolidayView = {
  day: LocalDate;
  name: Names;
  kind: HolidayKind;
  /** Where the day comes from: the official data, or the authority's own table. */
  origin: 'official' | 'authority';
  /** False for an official day the authority removed: it is then a business day there. */
  applies: boolean;
};

/** An authority's own row. */
export type OwnHoliday = { day: LocalDate; name: string; kind: string };

/** How far ahead a day may be edited: official calendars are published about a year ahead. */
export const MAX_YEARS_AHEAD = 5;

const kindOf = (scope: HolidayRow['scope']): HolidayKind => (scope === 'ES' ? 'national' : 'regional');
const asKind = (kind: string): HolidayKind =>
  (HOLIDAY_KINDS as readonly string[]).includes(kind) ? (kind as HolidayKind) : 'local';

/** The official rows that apply in a region: the national ones and the region's own. */
export function officialFor(rows: readonly HolidayRow[], region: string): HolidayRow[] {
  return rows.filter((h) => h.scope === 'ES' || h.scope === region);
}

/**
 * The authority's calendar, day by day and in date order: the official days of its region (marked
 * `applies: false` when excluded) and its own days. `year` keeps one year only.
 */
export function mergeHolidays(
  official: readonly HolidayRow[],
  own: readonly OwnHoliday[],
  excluded: readonly LocalDate[],
  year?: number,
): HolidayView[] {
  const out = new Map<LocalDate, HolidayView>();
  const gone = new Set(excluded);
  for (const h of official) {
    out.set(h.day, {
      day: h.day,
      name: h.name,
      kind: kindOf(h.scope),
      origin: 'official',
      applies: !gone.has(h.day),
    });
  }
  for (const h of own) {
    // An own row on an official day adds nothing (the service refuses to write one); the
    // official row, with its three names, is the one shown.
    if (out.get(h.day)?.applies) continue;
    out.set(h.day, {
      day: h.day,
      name: { ca: h.name, es: h.name, en: h.name },
      kind: asKind(h.kind),
      origin: 'authority',
      applies: true,
    });
  }
  const prefix = year === undefined ? '' : `${year}-`;
  return [...out.values()].filter((h) => h.day.startsWith(prefix)).sort((a, b) => a.day.localeCompare(b.day));
}

/** The non-business days besides weekends that deadlines use (Ley 39/2015 art. 30.2 and 30.7). */
export function effectiveDays(views: readonly HolidayView[]): LocalDate[] {
  return views.filter((h) => h.applies).map((h) => h.day);
}

const unprocessable = (message: string, field: string, value: unknown) =>
  new DomainError('UNPROCESSABLE', message, { field, value });

/**
 * Refuses a day the administrator may not add or remove: not a calendar date; a Saturday or
 * Sunday (never a business day anyway: the edit would change nothing, and is most likely a
 * mistaken date); a day already past in the authority's zone (periods that ran over it were
 * counted on the calendar as it was: changing it now would silently move deadlines already
 * computed and published), or more than MAX_YEARS_AHEAD years ahead.
 */
export function checkEditableDay(day: string, now: Date, timeZone: string): LocalDate {
  const parsed = /^\d{4}-\d{2}-\d{2}$/.test(day) ? DateTime.fromISO(day, { zone: 'utc' }) : undefined;
  if (!parsed?.isValid) throw unprocessable('day is not a calendar date (YYYY-MM-DD)', 'day', day);
  const today = localDate(now, timeZone);
  const thisYear = Number(today.slice(0, 4));
  if (day < today) throw unprocessable('day is already past', 'day', day);
  if (parsed.year > thisYear + MAX_YEARS_AHEAD) {
    throw unprocessable(`day is more than ${MAX_YEARS_AHEAD} years ahead`, 'day', day);
  }
  if (!isBusinessDay(day, makeCalendar(timeZone, []))) {
    throw unprocessable('day is a Saturday or a Sunday, never a business day', 'day', day);
  }
  return day;
}
