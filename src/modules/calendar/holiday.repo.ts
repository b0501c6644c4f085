import type { Db } from '../../platform/db/client.js';
import type { Tx } from '../../platform/db/tx.js';

type Q = Db | Tx;

/** The calendar settings of one authority; undefined when there is no such authority. */
export function findCalendarSettings(db: Q, authorityId: string, opts: { forUpdate?: boolean } = {}) {
  let q = db
    .selectFrom('authority')
    .select(['id', 'time_zone', 'holiday_region'])
    .where('id', '=', authorityId);
  if (opts.forUpdate) q = q.forUpdate();
  return q.executeTakeFirst();
}

/** The days an authority added to the official calendar. */
export function listOwnHolidays(db: Q, authorityId: string) {
  return db
    .selectFrom('authority_holiday')
    .select(['day', 'name', 'kind'])
    .where('authority_id', '=', authorityId)
    .orderBy('day')
    .execute();
}

/** The official days an authority removed. */
export async function listExcludedDays(db: Q, authorityId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('authority_holiday_exclusion')
    .select('day')
    .where('authority_id', '=', authorityId)
    .execute();
  return rows.map((r) => r.day);
}

export function insertOwnHoliday(trx: Tx, authorityId: string, day: string, name: string, kind: string) {
  return trx.insertInto('authority_holiday').values({ authority_id: authorityId, day, name, kind }).execute();
}

export function deleteOwnHoliday(trx: Tx, authorityId: string, day: string) {
  return trx
    .deleteFrom('authority_holiday')
    .where('authority_id', '=', authorityId)
    .where('day', '=', day)
    .execute();
}

export function insertExclusion(trx: Tx, authorityId: string, day: string, at: Date) {
  return trx
    .insertInto('authority_holiday_exclusion')
    .values({ authority_id: authorityId, day, created_at: at })
    .execute();
}

export function deleteExclusion(trx: Tx, authorityId: string, day: string) {
  return trx
    .deleteFrom('authority_holiday_exclusion')
    .where('authority_id', '=', authorityId)
    .where('day', '=', day)
    .execute();
}
