import type { ServiceContext } from '../../platform/context.js';
import type { Db } from '../../platform/db/client.js';
import { type Tx, withTransaction } from '../../platform/db/tx.js';
import { DomainError } from '../../platform/errors.js';
import { recordEvent } from '../audit/audit.service.js';
import { authorizeOnAuthority } from '../tenancy/tenancy.policy.js';
import {
  checkEditableDay,
  type HolidayKind,
  type HolidayView,
  mergeHolidays,
  officialFor,
} from './holiday.rules.js';
import {
  deleteExclusion,
  deleteOwnHoliday,
  findCalendarSettings,
  insertExclusion,
  insertOwnHoliday,
  listExcludedDays,
  listOwnHolidays,
} from './holiday.repo.js';
import { HOLIDAY_YEARS, HOLIDAYS } from './holidays.data.js';

export type HolidayCalendarView = {
  authorityId: string;
  year: number | null;
  /** How sure the official rows of each year are (a provisional year may still change). */
  officialYears: { year: number; status: 'official' | 'provisional'; source: string }[];
  holidays: HolidayView[];
};

async function load(db: Db | Tx, authorityId: string, region: string, year?: number) {
  const [own, excluded] = await Promise.all([
    listOwnHolidays(db, authorityId),
    listExcludedDays(db, authorityId),
  ]);
  return mergeHolidays(officialFor(HOLIDAYS, region), own, excluded, year);
}

/**
 * An authority's holidays, official and its own, with the official days it removed marked as not
 * applying. Public: which days count in a legal period is no secret (companies compute their
 * deadlines on the same calendar).
 */
export async function listAuthorityHolidays(
  ctx: ServiceContext,
  authorityId: string,
  year?: number,
): Promise<HolidayCalendarView> {
  const a = await findCalendarSettings(ctx.db, authorityId);
  if (!a) throw new DomainError('NOT_FOUND', 'Authority not found');
  return {
    authorityId,
    year: year ?? null,
    officialYears: HOLIDAY_YEARS.map((y) => ({ ...y })),
    holidays: await load(ctx.db, authorityId, a.holiday_region, year),
  };
}

/**
 * Adds a holiday to the authority's calendar. A day that is an official holiday the authority
 * had removed is restored (its official names come back; `name` is not needed for it); a day
 * that is a holiday already is refused (CONFLICT).
 */
export async function addAuthorityHoliday(
  ctx: ServiceContext,
  authorityId: string,
  input: { day: string; name: string; kind?: HolidayKind | undefined },
): Promise<HolidayView> {
  authorizeOnAuthority(ctx.actor, 'holiday.manage', authorityId);
  const name = input.name.trim();
  if (name === '') {
    throw new DomainError('VALIDATION_FAILED', 'name is empty', [
      { path: '/name', message: 'name is empty' },
    ]);
  }
  return withTransaction(ctx.db as Db, async (trx) => {
    // The row lock serialises edits of one calendar: two administrators adding the same day
    // get one success and one CONFLICT, never a unique-violation 500.
    const a = await findCalendarSettings(trx, authorityId, { forUpdate: true });
    if (!a) throw new DomainError('NOT_FOUND', 'Authority not found');
    const day = checkEditableDay(input.day, ctx.clock.now(), a.time_zone);
    const current = (await load(trx, authorityId, a.holiday_region)).find((h) => h.day === day);
    if (current?.applies) {
      throw new DomainError('CONFLICT', 'This day is a holiday already', { day, origin: current.origin });
    }
    if (current) {
      await deleteExclusion(trx, authorityId, day);
      await recordEvent(trx, ctx, {
        action: 'holiday.restored',
        objectType: 'authority_holiday',
        objectId: `${authorityId}:${day}`,
        authorityId,
        isPublic: true,
        data: { day, name: current.name.ca, kind: current.kind },
      });
      return { ...current, applies: true };
    }
    const kind = input.kind ?? 'local';
    await insertOwnHoliday(trx, authorityId, day, name, kind);
    await recordEvent(trx, ctx, {
      action: 'holiday.added',
      objectType: 'authority_holiday',
      objectId: `${authorityId}:${day}`,
      authorityId,
      isPublic: true,
      data: { day, name, kind },
    });
    return { day, name: { ca: name, es: name, en: name }, kind, origin: 'authority', applies: true };
  });
}

/**
 * Removes a holiday from the authority's calendar: its own day is deleted; an official day is
 * excluded (it stays in the official data, and can be restored by adding it again). The day is
 * a business day there afterwards. A day that is no holiday is NOT_FOUND.
 */
export async function removeAuthorityHoliday(
  ctx: ServiceContext,
  authorityId: string,
  day: string,
): Promise<void> {
  authorizeOnAuthority(ctx.actor, 'holiday.manage', authorityId);
  await withTransaction(ctx.db as Db, async (trx) => {
    const a = await findCalendarSettings(trx, authorityId, { forUpdate: true });
    if (!a) throw new DomainError('NOT_FOUND', 'Authority not found');
    checkEditableDay(day, ctx.clock.now(), a.time_zone);
    const current = (await load(trx, authorityId, a.holiday_region)).find((h) => h.day === day);
    if (!current?.applies) throw new DomainError('NOT_FOUND', 'This day is not a holiday of the authority');
    const event = {
      objectType: 'authority_holiday',
      objectId: `${authorityId}:${day}`,
      authorityId,
      isPublic: true,
      data: { day, name: current.name.ca, kind: current.kind },
    };
    if (current.origin === 'official') {
      await insertExclusion(trx, authorityId, day, ctx.clock.now());
      // An own row for the same day (added before the official data listed it) would show again
      // once the official day is excluded: one removal must make the day a business day.
      await deleteOwnHoliday(trx, authorityId, day);
      await recordEvent(trx, ctx, { action: 'holiday.excluded', ...event });
    } else {
      await deleteOwnHoliday(trx, authorityId, day);
      await recordEvent(trx, ctx, { action: 'holiday.removed', ...event });
    }
  });
}
