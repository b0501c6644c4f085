import type { Db } from '../../platform/db/client.js';
import type { Tx } from '../../platform/db/tx.js';
import { type Calendar, makeCalendar } from './calendar.rules.js';
import { HOLIDAYS } from './holidays.data.js';

/**
 * The business-day calendar of one authority: the official national and regional holidays of its
 * region, plus the days in its own table (local holidays, and any official day it added).
 */
export async function authorityCalendar(db: Db | Tx, authorityId: string): Promise<Calendar> {
  const authority = await db
    .selectFrom('authority')
    .select(['time_zone', 'holiday_region'])
    .where('id', '=', authorityId)
    .executeTakeFirstOrThrow();
  const own = await db
    .selectFrom('authority_holiday')
    .select('day')
    .where('authority_id', '=', authorityId)
    .execute();
  const official = HOLIDAYS.filter((h) => h.scope === 'ES' || h.scope === authority.holiday_region).map(
    (h) => h.day,
  );
  return makeCalendar(authority.time_zone, [...official, ...own.map((h) => h.day)]);
}
