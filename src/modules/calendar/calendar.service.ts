import type { Db } from '../../platform/db/client.js';
import type { Tx } from '../../platform/db/tx.js';
import { DomainError } from '../../platform/errors.js';
import { type Calendar, makeCalendar } from './calendar.rules.js';
import { effectiveDays, mergeHolidays, officialFor } from './holiday.rules.js';
import { findCalendarSettings, listExcludedDays, listOwnHolidays } from './holiday.repo.js';
import { HOLIDAYS } from './holidays.data.js';

/**
 * The business-day calendar of one authority: the official national and regional holidays of its
 * region, less the official days its administrator removed, plus the days in its own table (local
 * holidays, and any official day it added). Every deadline computation reads it here, so an edit
 * of the calendar (holiday.service.ts) moves every deadline computed afterwards.
 */
export async function authorityCalendar(db: Db | Tx, authorityId: string): Promise<Calendar> {
  const authority = await findCalendarSettings(db, authorityId);
  // An id from a request (a page's path): unknown is a 404 like any other, never a 500.
  if (!authority) throw new DomainError('NOT_FOUND', 'Authority not found');
  const [own, excluded] = await Promise.all([
    listOwnHolidays(db, authorityId),
    listExcludedDays(db, authorityId),
  ]);
  const views = mergeHolidays(officialFor(HOLIDAYS, authority.holiday_region), own, excluded);
  return makeCalendar(authority.time_zone, effectiveDays(views));
}
