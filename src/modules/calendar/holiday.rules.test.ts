import { describe, expect, it } from 'vitest';
import { DomainError } from '../../platform/errors.js';
import { addBusinessDays, makeCalendar } from './calendar.rules.js';
import { checkEditableDay, effectiveDays, mergeHolidays, officialFor } from './holiday.rules.js';
import { HOLIDAYS } from './holidays.data.js';

const NOW = new Date('2026-11-26T10:00:00Z');
const official = officialFor(HOLIDAYS, 'ES-CT');

describe('an authority calendar from the official days and its deviations', () => {
  it('keeps every official day of the region when nothing was edited', () => {
    const views = mergeHolidays(official, [], []);
    expect(effectiveDays(views)).toEqual(HOLIDAYS.map((h) => h.day));
    expect(officialFor(HOLIDAYS, 'ES-XX').every((h) => h.scope === 'ES')).toBe(true);
  });

  it('adds local days, drops excluded official days, and filters a year', () => {
    const views = mergeHolidays(
      official,
      [{ day: '2026-09-24', name: 'La Mercè', kind: 'local' }],
      ['2026-12-26', '2026-06-24'],
      2026,
    );
    expect(views.every((h) => h.day.startsWith('2026-'))).toBe(true);
    expect(views.find((h) => h.day === '2026-09-24')).toMatchObject({
      origin: 'authority',
      kind: 'local',
      applies: true,
    });
    expect(views.find((h) => h.day === '2026-06-24')).toMatchObject({ origin: 'official', applies: false });
    const days = effectiveDays(views);
    expect(days).toContain('2026-09-24');
    expect(days).not.toContain('2026-06-24');
  });

  it('moves a business-day period when a local day is added or an official one removed', () => {
    const cal = (own: { day: string; name: string; kind: string }[], excluded: string[]) =>
      makeCalendar('Europe/Madrid', effectiveDays(mergeHolidays(official, own, excluded)));
    expect(addBusinessDays('2026-11-26', 10, cal([], []))).toBe('2026-12-11');
    expect(
      addBusinessDays('2026-11-26', 10, cal([{ day: '2026-12-02', name: 'X', kind: 'local' }], [])),
    ).toBe('2026-12-14');
    expect(addBusinessDays('2026-11-26', 10, cal([], ['2026-12-08']))).toBe('2026-12-10');
  });
});

describe('which days the administrator may edit', () => {
  const code = (day: string) => {
    try {
      checkEditableDay(day, NOW, 'Europe/Madrid');
      return 'ok';
    } catch (err) {
      return err instanceof DomainError ? err.code : 'other';
    }
  };
  it.each([
    ['2026-12-02', 'ok'],
    ['2026-11-27', 'ok'],
    ['2026-11-26', 'ok'], // today: a day declared at short notice still counts from now on
    ['2026-11-25', 'UNPROCESSABLE'], // already past: periods already ran over it
    ['2026-01-02', 'UNPROCESSABLE'],
    ['2031-12-03', 'ok'],
    ['2032-01-05', 'UNPROCESSABLE'], // more than five years ahead
    ['2025-12-31', 'UNPROCESSABLE'], // a year already over
    ['2026-12-05', 'UNPROCESSABLE'], // Saturday
    ['2026-12-06', 'UNPROCESSABLE'], // Sunday
    ['2026-02-29', 'UNPROCESSABLE'], // no such day
    ['2026-2-3', 'UNPROCESSABLE'],
  ])('%s → %s', (day, want) => {
    expect(code(day)).toBe(want);
  });

  it('counts the day in the authority zone: 31 December 23:30 UTC is already next year in Madrid', () => {
    expect(() => checkEditableDay('2026-12-31', new Date('2026-12-31T23:30:00Z'), 'Europe/Madrid')).toThrow(
      DomainError,
    );
  });
});
