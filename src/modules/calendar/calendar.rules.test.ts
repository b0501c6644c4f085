import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../../platform/errors.js';
import {
  type Calendar,
  addBusinessDays,
  addCalendarDays,
  earliestDeadline,
  endOfDay,
  isBusinessDay,
  isDeadlineAllowed,
  localDate,
  makeCalendar,
  nextBusinessDay,
  type PeriodUnit,
  periodEnd,
  startOfDay,
} from './calendar.rules.js';
import { HOLIDAY_YEARS, HOLIDAYS } from './holidays.data.js';

/**
 * Golden cases. Every expected value was worked out by hand from a printed 2026/2027 calendar;
 * the reasoning is in each case's label. Weekdays: 1 Jan 2026 is a Thursday, 1 Jan 2027 a Friday.
 * Madrid is UTC+1 (CET) in winter and UTC+2 (CEST) from the last Sunday of March (29 Mar 2026,
 * 28 Mar 2027) to the last Sunday of October (25 Oct 2026, 31 Oct 2027), changing at 01:00 UTC.
 */
const TZ = 'Europe/Madrid';
const OFFICIAL = HOLIDAYS.map((h) => h.day);
/** Catalonia-wide holidays only. */
const CAT = makeCalendar(TZ, OFFICIAL);
/** Barcelona 2026: the official days plus its local ones, Pasqua Granada (25 May) and La Mercè (24 Sep). */
const BCN = makeCalendar(TZ, [...OFFICIAL, '2026-05-25', '2026-09-24']);

const utc = (iso: string) => new Date(iso);
const previous = (day: string) => DateTime.fromISO(day, { zone: 'utc' }).minus({ days: 1 }).toISODate()!;

function expectUnprocessable(fn: () => unknown): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(DomainError);
  expect((caught as DomainError).code).toBe('UNPROCESSABLE');
}

describe('isBusinessDay', () => {
  const cases: [string, Calendar, string, boolean][] = [
    ['Good Friday 2026 (Fri 3 Apr)', CAT, '2026-04-03', false],
    ['Easter Monday 2026 (Mon 6 Apr)', CAT, '2026-04-06', false],
    ['Tuesday after Easter 2026', CAT, '2026-04-07', true],
    ['Sant Joan (Wed 24 Jun 2026)', CAT, '2026-06-24', false],
    ['Diada (Fri 11 Sep 2026)', CAT, '2026-09-11', false],
    ['Fiesta Nacional (Mon 12 Oct 2026)', CAT, '2026-10-12', false],
    ['Saturday 28 Mar 2026', CAT, '2026-03-28', false],
    ['Sunday 29 Mar 2026 (DST starts)', CAT, '2026-03-29', false],
    ['Christmas Eve is a working Thursday', CAT, '2026-12-24', true],
    ['New Year’s Eve is a working Thursday', CAT, '2026-12-31', true],
    ['Reis 2027 (Wed 6 Jan)', CAT, '2027-01-06', false],
    ['Sant Esteve 2026 is also a Saturday', CAT, '2026-12-26', false],
    ['La Mercè (Thu 24 Sep 2026): working day Catalonia-wide', CAT, '2026-09-24', true],
    ['La Mercè: local holiday in Barcelona', BCN, '2026-09-24', false],
    ['Pasqua Granada (Mon 25 May 2026): working day Catalonia-wide', CAT, '2026-05-25', true],
    ['Pasqua Granada: local holiday in Barcelona', BCN, '2026-05-25', false],
    ['a plain Wednesday (2 Sep 2026)', BCN, '2026-09-02', true],
  ];
  it.each(cases)('%s', (_label, cal, day, expected) => {
    expect(isBusinessDay(day, cal)).toBe(expected);
  });
});

describe('addCalendarDays', () => {
  const cases: [string, string, number, string][] = [
    ['n = 0 is the day itself', '2026-04-03', 0, '2026-04-03'],
    ['across year end: 20 Dec + 15 = 35 Dec = 4 Jan', '2026-12-20', 15, '2027-01-04'],
    ['February 2026 has 28 days: 20 Feb + 10 = 2 Mar', '2026-02-20', 10, '2026-03-02'],
    ['leap year: 28 Feb 2028 + 1 = 29 Feb', '2028-02-28', 1, '2028-02-29'],
    ['the 23-hour day does not skip a date: 28 Mar + 1 = 29 Mar 2026', '2026-03-28', 1, '2026-03-29'],
    ['the 25-hour day does not repeat a date: 25 Oct + 1 = 26 Oct 2026', '2026-10-25', 1, '2026-10-26'],
  ];
  it.each(cases)('%s', (_label, day, n, expected) => {
    expect(addCalendarDays(day, n)).toBe(expected);
  });
});

describe('addBusinessDays (counting starts the day after)', () => {
  const cases: [string, Calendar, string, number, string][] = [
    ['n = 0 is the day itself, even on a holiday', CAT, '2026-04-03', 0, '2026-04-03'],
    [
      'Easter 2026: Wed 1 Apr +3 → Thu 2 (1), skip Fri 3–Mon 6, Tue 7 (2), Wed 8 (3)',
      CAT,
      '2026-04-01',
      3,
      '2026-04-08',
    ],
    [
      'Sant Joan: Mon 22 Jun +3 → Tue 23 (1), skip Wed 24, Thu 25 (2), Fri 26 (3)',
      CAT,
      '2026-06-22',
      3,
      '2026-06-26',
    ],
    ['Diada: Wed 9 Sep +2 → Thu 10 (1), skip Fri 11–Sun 13, Mon 14 (2)', CAT, '2026-09-09', 2, '2026-09-14'],
    [
      'Christmas: Wed 23 Dec +5 → 24 (1), skip 25–27, 28, 29, 30 (4), Thu 31 (5)',
      CAT,
      '2026-12-23',
      5,
      '2026-12-31',
    ],
    [
      'year end: Wed 23 Dec +8 → … 31 (5), skip 1–3 Jan, 4 (6), 5 (7), skip 6 Jan, Thu 7 (8)',
      CAT,
      '2026-12-23',
      8,
      '2027-01-07',
    ],
    ['from a Saturday: Sat 28 Mar +1 → skip Sun 29, Mon 30', CAT, '2026-03-28', 1, '2026-03-30'],
    ['Fiesta Nacional: Fri 9 Oct +1 → skip Sat, Sun, Mon 12, Tue 13', CAT, '2026-10-09', 1, '2026-10-13'],
    ['Easter 2027: Thu 25 Mar +1 → skip Fri 26–Mon 29, Tue 30', CAT, '2027-03-25', 1, '2027-03-30'],
    [
      'DST end 2027: Fri 29 Oct +2 → skip Sat 30, Sun 31, Mon 1 Nov; Tue 2 (1), Wed 3 (2)',
      CAT,
      '2027-10-29',
      2,
      '2027-11-03',
    ],
    [
      'Tue 1 Sep +16, Catalonia: 2,3,4,7,8,9,10 (7), skip 11, 14–18 (12), 21,22,23 (15), Thu 24 (16)',
      CAT,
      '2026-09-01',
      16,
      '2026-09-24',
    ],
    [
      'the same in Barcelona: La Mercè (24) is skipped, so the 16th is Fri 25',
      BCN,
      '2026-09-01',
      16,
      '2026-09-25',
    ],
  ];
  it.each(cases)('%s', (_label, cal, day, n, expected) => {
    const end = addBusinessDays(day, n, cal);
    expect(end).toBe(expected);
    if (n > 0) expect(isBusinessDay(end, cal)).toBe(true);
  });
});

describe('nextBusinessDay', () => {
  const cases: [string, Calendar, string, string][] = [
    ['a business day is its own next business day', CAT, '2026-04-07', '2026-04-07'],
    ['Good Friday → skip Sat, Sun, Easter Monday → Tue 7 Apr', CAT, '2026-04-03', '2026-04-07'],
    ['Christmas (Fri) → skip Sant Esteve (Sat) and Sun → Mon 28 Dec', CAT, '2026-12-25', '2026-12-28'],
    ['New Year 2027 (Fri) → Mon 4 Jan', CAT, '2027-01-01', '2027-01-04'],
    ['Assumption 2026 is a Saturday → Mon 17 Aug', CAT, '2026-08-15', '2026-08-17'],
    ['La Mercè, Catalonia-wide: itself', CAT, '2026-09-24', '2026-09-24'],
    ['La Mercè, Barcelona: Fri 25 Sep', BCN, '2026-09-24', '2026-09-25'],
  ];
  it.each(cases)('%s', (_label, cal, day, expected) => {
    expect(nextBusinessDay(day, cal)).toBe(expected);
  });
});

describe('periodEnd', () => {
  const cases: [string, Calendar, string, number, PeriodUnit, string][] = [
    // Calendar days (LCSP DA 12ª): start + days, then forward to a business day (Ley 39/2015 art. 30.5).
    [
      '19 Mar + 15 = Good Friday 3 Apr → Easter Monday too → Tue 7 Apr',
      CAT,
      '2026-03-19',
      15,
      'calendar',
      '2026-04-07',
    ],
    ['9 Jun + 15 = Sant Joan (Wed 24) → Thu 25 Jun', CAT, '2026-06-09', 15, 'calendar', '2026-06-25'],
    [
      '27 Aug + 15 = Diada (Fri 11 Sep) → Sat, Sun → Mon 14 Sep',
      CAT,
      '2026-08-27',
      15,
      'calendar',
      '2026-09-14',
    ],
    [
      '10 Dec + 15 = Christmas (Fri) → Sant Esteve (Sat), Sun → Mon 28 Dec',
      CAT,
      '2026-12-10',
      15,
      'calendar',
      '2026-12-28',
    ],
    [
      '17 Dec + 15 = 1 Jan 2027 (Fri) → Sat, Sun → Mon 4 Jan',
      CAT,
      '2026-12-17',
      15,
      'calendar',
      '2027-01-04',
    ],
    ['22 Dec + 15 = Reis (Wed 6 Jan 2027) → Thu 7 Jan', CAT, '2026-12-22', 15, 'calendar', '2027-01-07'],
    ['13 Mar + 15 = Sat 28 Mar → Sun 29 (DST) → Mon 30 Mar', CAT, '2026-03-13', 15, 'calendar', '2026-03-30'],
    ['10 Oct + 15 = Sun 25 Oct (DST ends) → Mon 26 Oct', CAT, '2026-10-10', 15, 'calendar', '2026-10-26'],
    [
      '13 Mar 2027 + 15 = Sun 28 Mar (DST, Easter) → Easter Monday → Tue 30 Mar',
      CAT,
      '2027-03-13',
      15,
      'calendar',
      '2027-03-30',
    ],
    [
      '16 Oct 2027 + 15 = Sun 31 Oct (DST ends) → All Saints (Mon) → Tue 2 Nov',
      CAT,
      '2027-10-16',
      15,
      'calendar',
      '2027-11-02',
    ],
    ['1 Sep + 15 = Wed 16 Sep, a business day: no move', CAT, '2026-09-01', 15, 'calendar', '2026-09-16'],
    [
      '20 Nov + 35 (art. 156.2) = 55 Nov = 25 Dec → Mon 28 Dec',
      CAT,
      '2026-11-20',
      35,
      'calendar',
      '2026-12-28',
    ],
    [
      '9 Sep + 15 = Thu 24 Sep: a business day Catalonia-wide',
      CAT,
      '2026-09-09',
      15,
      'calendar',
      '2026-09-24',
    ],
    ['9 Sep + 15 = La Mercè in Barcelona → Fri 25 Sep', BCN, '2026-09-09', 15, 'calendar', '2026-09-25'],
    [
      '10 May + 15 = Mon 25 May: a business day Catalonia-wide',
      CAT,
      '2026-05-10',
      15,
      'calendar',
      '2026-05-25',
    ],
    [
      '10 May + 15 = Pasqua Granada in Barcelona → Tue 26 May',
      BCN,
      '2026-05-10',
      15,
      'calendar',
      '2026-05-26',
    ],
    // Business days (Ley 39/2015 art. 30.2).
    [
      'Tue 31 Mar + 5 business: 1, 2 Apr (2), skip 3–6, 7, 8, 9 Apr (5)',
      CAT,
      '2026-03-31',
      5,
      'business',
      '2026-04-09',
    ],
    [
      'Fri 18 Dec + 10 business: 21–24 (4), skip 25, 28–31 (8), skip 1 Jan, 4 (9), 5 Jan (10)',
      CAT,
      '2026-12-18',
      10,
      'business',
      '2027-01-05',
    ],
    [
      'Fri 9 Oct + 15 business: skip Mon 12; 13–16 (4), 19–23 (9), 26–30 (14), Mon 2 Nov (15)',
      CAT,
      '2026-10-09',
      15,
      'business',
      '2026-11-02',
    ],
    [
      'Mon 21 Sep + 5 business, Catalonia-wide: 22, 23, 24, 25, Mon 28',
      CAT,
      '2026-09-21',
      5,
      'business',
      '2026-09-28',
    ],
    [
      'Mon 21 Sep + 5 business, Barcelona: 22, 23, skip 24, 25, 28, Tue 29',
      BCN,
      '2026-09-21',
      5,
      'business',
      '2026-09-29',
    ],
  ];
  it.each(cases)('%s', (_label, cal, start, days, unit, expected) => {
    const end = periodEnd(start, days, unit, cal);
    expect(end).toBe(expected);
    expect(isBusinessDay(end, cal)).toBe(true);
  });
});

describe('startOfDay and endOfDay in Europe/Madrid', () => {
  const cases: [string, string, string, string][] = [
    ['winter day: CET, UTC+1', '2026-12-31', '2026-12-30T23:00:00.000Z', '2026-12-31T22:59:59.999Z'],
    ['summer day: CEST, UTC+2', '2026-06-24', '2026-06-23T22:00:00.000Z', '2026-06-24T21:59:59.999Z'],
    [
      'Sat 28 Mar 2026: still CET all day',
      '2026-03-28',
      '2026-03-27T23:00:00.000Z',
      '2026-03-28T22:59:59.999Z',
    ],
    [
      'Sun 29 Mar 2026 (23 h): starts in CET, ends in CEST',
      '2026-03-29',
      '2026-03-28T23:00:00.000Z',
      '2026-03-29T21:59:59.999Z',
    ],
    ['Mon 30 Mar 2026: CEST', '2026-03-30', '2026-03-29T22:00:00.000Z', '2026-03-30T21:59:59.999Z'],
    [
      'Sun 25 Oct 2026 (25 h): starts in CEST, ends in CET',
      '2026-10-25',
      '2026-10-24T22:00:00.000Z',
      '2026-10-25T22:59:59.999Z',
    ],
    ['Sun 28 Mar 2027 (23 h)', '2027-03-28', '2027-03-27T23:00:00.000Z', '2027-03-28T21:59:59.999Z'],
    ['Sun 31 Oct 2027 (25 h)', '2027-10-31', '2027-10-30T22:00:00.000Z', '2027-10-31T22:59:59.999Z'],
  ];
  it.each(cases)('%s', (_label, day, start, end) => {
    expect(startOfDay(day, CAT).toISOString()).toBe(start);
    expect(endOfDay(day, CAT).toISOString()).toBe(end);
  });

  it('gives the DST Sundays 23 and 25 hours, and every other day 24', () => {
    const hours = (day: string) =>
      (endOfDay(day, CAT).getTime() + 1 - startOfDay(day, CAT).getTime()) / 3_600_000;
    expect(hours('2026-03-29')).toBe(23);
    expect(hours('2026-10-25')).toBe(25);
    expect(hours('2027-03-28')).toBe(23);
    expect(hours('2027-10-31')).toBe(25);
    expect(hours('2026-03-28')).toBe(24);
    expect(hours('2026-10-26')).toBe(24);
  });
});

describe('startOfDay and endOfDay in any zone', () => {
  it.each([TZ, 'America/Santiago', 'UTC', 'Pacific/Auckland'])(
    'in %s, every day of 2026–2027 starts and ends on itself, and its neighbours touch it',
    (timeZone) => {
      // America/Santiago moves its clocks at midnight: the day then starts at 01:00, its first instant.
      const cal = makeCalendar(timeZone, []);
      const wrong: string[] = [];
      for (let day = '2026-01-01'; day <= '2027-12-31'; day = addCalendarDays(day, 1)) {
        const start = startOfDay(day, cal).getTime();
        const end = endOfDay(day, cal).getTime();
        const ok =
          localDate(new Date(start), timeZone) === day &&
          localDate(new Date(end), timeZone) === day &&
          localDate(new Date(start - 1), timeZone) === previous(day) &&
          localDate(new Date(end + 1), timeZone) === addCalendarDays(day, 1);
        if (!ok) wrong.push(day);
      }
      expect(wrong).toEqual([]);
    },
  );
});

describe('localDate: instants near midnight UTC', () => {
  const cases: [string, string, string, string][] = [
    ['23:30Z on 28 Mar is 00:30 CET on the 29th', '2026-03-28T23:30:00.000Z', TZ, '2026-03-29'],
    ['22:59:59.999Z on 28 Mar is 23:59:59.999 CET on the 28th', '2026-03-28T22:59:59.999Z', TZ, '2026-03-28'],
    [
      '21:59:59.999Z on 29 Mar is 23:59:59.999 CEST on the 29th',
      '2026-03-29T21:59:59.999Z',
      TZ,
      '2026-03-29',
    ],
    ['22:00Z on 29 Mar is 00:00 CEST on the 30th', '2026-03-29T22:00:00.000Z', TZ, '2026-03-30'],
    ['22:30Z on 24 Oct is 00:30 CEST on the 25th', '2026-10-24T22:30:00.000Z', TZ, '2026-10-25'],
    ['22:30Z on 25 Oct is 23:30 CET, still the 25th', '2026-10-25T22:30:00.000Z', TZ, '2026-10-25'],
    ['23:00Z on 25 Oct is 00:00 CET on the 26th', '2026-10-25T23:00:00.000Z', TZ, '2026-10-26'],
    ['23:00Z on 31 Dec 2026 is already 1 Jan 2027 in Madrid', '2026-12-31T23:00:00.000Z', TZ, '2027-01-01'],
    ['22:59:59.999Z on 31 Dec 2026 is still 31 Dec', '2026-12-31T22:59:59.999Z', TZ, '2026-12-31'],
    ['22:15Z on 23 Jun is Sant Joan (24th) in Madrid', '2026-06-23T22:15:00.000Z', TZ, '2026-06-24'],
    ['…and still the 23rd in UTC', '2026-06-23T22:15:00.000Z', 'UTC', '2026-06-23'],
  ];
  it.each(cases)('%s', (_label, instant, timeZone, expected) => {
    expect(localDate(utc(instant), timeZone)).toBe(expected);
  });
});

describe('earliestDeadline and isDeadlineAllowed', () => {
  const fifteen = { days: 15, unit: 'calendar' } as const;

  const cases: [string, Calendar, string, { days: number; unit: PeriodUnit }, string][] = [
    [
      'published 23:30Z 18 Mar = 19 Mar in Madrid; +15 = Good Friday → Tue 7 Apr, 00:00 CEST',
      CAT,
      '2026-03-18T23:30:00.000Z',
      fifteen,
      '2026-04-06T22:00:00.000Z',
    ],
    [
      'published 22:59:59.999Z 18 Mar = still 18 Mar; +15 = Thu 2 Apr, a business day, 00:00 CEST',
      CAT,
      '2026-03-18T22:59:59.999Z',
      fifteen,
      '2026-04-01T22:00:00.000Z',
    ],
    [
      'published Fri 13 Mar; +15 = Sat 28 Mar → Mon 30 Mar, 00:00 CEST (after the change)',
      CAT,
      '2026-03-13T10:00:00.000Z',
      fifteen,
      '2026-03-29T22:00:00.000Z',
    ],
    [
      'published 22:30Z 9 Oct = 10 Oct in Madrid; +15 = Sun 25 Oct → Mon 26 Oct, 00:00 CET',
      CAT,
      '2026-10-09T22:30:00.000Z',
      fifteen,
      '2026-10-25T23:00:00.000Z',
    ],
    [
      'published Fri 18 Dec; 10 business days → Tue 5 Jan 2027, 00:00 CET',
      CAT,
      '2026-12-18T12:00:00.000Z',
      { days: 10, unit: 'business' },
      '2027-01-04T23:00:00.000Z',
    ],
    [
      'published Wed 9 Sep, Catalonia-wide: +15 = Thu 24 Sep, 00:00 CEST',
      CAT,
      '2026-09-09T08:00:00.000Z',
      fifteen,
      '2026-09-23T22:00:00.000Z',
    ],
    [
      'published Wed 9 Sep, Barcelona: +15 = La Mercè → Fri 25 Sep, 00:00 CEST',
      BCN,
      '2026-09-09T08:00:00.000Z',
      fifteen,
      '2026-09-24T22:00:00.000Z',
    ],
  ];
  it.each(cases)('%s', (_label, cal, start, rule, expected) => {
    expect(earliestDeadline(utc(start), rule, cal).toISOString()).toBe(expected);
  });

  it('[D] allows any time on the last day and refuses the last instant of the day before', () => {
    const start = utc('2026-03-18T23:30:00.000Z'); // 19 Mar in Madrid; last day Tue 7 Apr
    const allowed = (iso: string) => isDeadlineAllowed(utc(iso), start, fifteen, CAT);
    expect(allowed('2026-04-06T21:59:59.999Z')).toBe(false); // 23:59:59.999 on Easter Monday
    expect(allowed('2026-04-06T22:00:00.000Z')).toBe(true); // 00:00 on 7 Apr
    expect(allowed('2026-04-07T12:00:00.000Z')).toBe(true); // 14:00 on 7 Apr
    expect(allowed('2026-04-07T21:59:59.999Z')).toBe(true); // 23:59:59.999 on 7 Apr
    expect(allowed('2026-05-01T10:00:00.000Z')).toBe(true); // longer than the minimum
  });

  it('depends on the local day of publication, not the UTC day', () => {
    // 14:00 on Thu 2 Apr: enough after a publication late on 18 Mar, not after one on 19 Mar (Madrid).
    const deadline = utc('2026-04-02T12:00:00.000Z');
    expect(isDeadlineAllowed(deadline, utc('2026-03-18T22:59:59.999Z'), fifteen, CAT)).toBe(true);
    expect(isDeadlineAllowed(deadline, utc('2026-03-18T23:00:00.000Z'), fifteen, CAT)).toBe(false);
  });

  it('takes the procedures module’s period rules as they are (days and unit)', () => {
    const rule = { days: 26, unit: 'calendar' as const, from: 'publication', source: 'LCSP art. 156.6' };
    // Published Mon 1 Jun 2026; 1 + 26 = Sat 27 Jun → Mon 29 Jun, 00:00 CEST.
    expect(earliestDeadline(utc('2026-06-01T08:00:00.000Z'), rule, CAT).toISOString()).toBe(
      '2026-06-28T22:00:00.000Z',
    );
  });
});

describe('input validation', () => {
  const bad: [string, () => unknown][] = [
    ['a date without zero padding', () => isBusinessDay('2026-4-3', CAT)],
    ['a date without dashes', () => isBusinessDay('20260403', CAT)],
    ['a date with a time', () => isBusinessDay('2026-04-03T00:00', CAT)],
    ['30 February', () => isBusinessDay('2026-02-30', CAT)],
    ['month 13', () => addCalendarDays('2026-13-01', 1)],
    ['a non-string day', () => nextBusinessDay(20260403 as unknown as string, CAT)],
    ['negative calendar days', () => addCalendarDays('2026-04-03', -1)],
    ['fractional calendar days', () => addCalendarDays('2026-04-03', 1.5)],
    ['NaN calendar days', () => addCalendarDays('2026-04-03', Number.NaN)],
    ['negative business days', () => addBusinessDays('2026-04-03', -1, CAT)],
    ['an absurdly long period', () => addBusinessDays('2026-04-03', 1e12, CAT)],
    ['a period of zero days', () => periodEnd('2026-04-03', 0, 'calendar', CAT)],
    ['an unknown unit', () => periodEnd('2026-04-03', 5, 'weeks' as PeriodUnit, CAT)],
    ['a malformed period start', () => periodEnd('3/4/2026', 5, 'calendar', CAT)],
    ['an invalid instant', () => localDate(new Date('not a date'), TZ)],
    ['an unknown time zone', () => localDate(new Date(), 'Europe/Atlantis')],
    ['a malformed holiday', () => makeCalendar(TZ, ['2026-1-1'])],
    ['a calendar with an unknown zone', () => makeCalendar('Mars/Olympus', [])],
    [
      'an invalid publication instant',
      () => earliestDeadline(new Date(Number.NaN), { days: 15, unit: 'calendar' }, CAT),
    ],
    [
      'an invalid deadline',
      () => isDeadlineAllowed(new Date(Number.NaN), new Date(), { days: 15, unit: 'calendar' }, CAT),
    ],
    ['a negative minimum period', () => earliestDeadline(new Date(), { days: -15, unit: 'calendar' }, CAT)],
  ];
  it.each(bad)('refuses %s with UNPROCESSABLE', (_label, fn) => {
    expectUnprocessable(fn);
  });

  it('copies the holidays, so later changes to the caller’s list do not leak in', () => {
    const list = ['2026-09-24'];
    const cal = makeCalendar(TZ, list);
    list.push('2026-09-25');
    expect(cal.holidays.has('2026-09-25')).toBe(false);
    expect(Object.isFrozen(cal)).toBe(true);
  });
});

/** Easter Sunday by the anonymous Gregorian algorithm (Meeus/Jones/Butcher), to check the data independently. */
function easterSunday(year: number): string {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return DateTime.utc(year, month, day).toISODate()!;
}

describe('holiday data', () => {
  it('has no duplicate days', () => {
    const days = HOLIDAYS.map((h) => h.day);
    expect(new Set(days).size).toBe(days.length);
  });

  it('is in date order', () => {
    const days = HOLIDAYS.map((h) => h.day);
    expect([...days].sort()).toEqual(days);
  });

  it.each(HOLIDAYS.map((h) => [h.day, h] as const))(
    '%s parses, has a scope and names in ca, es and en',
    (_day, h) => {
      expect(h.day).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(DateTime.fromISO(h.day, { zone: 'utc' }).toISODate()).toBe(h.day);
      expect(['ES', 'ES-CT']).toContain(h.scope);
      for (const lang of ['ca', 'es', 'en'] as const) expect(h.name[lang].trim().length).toBeGreaterThan(0);
      // Documented choice: like the Catalan orders, the rows leave out holidays that fall on a Sunday.
      expect(DateTime.fromISO(h.day, { zone: 'utc' }).weekday).not.toBe(7);
    },
  );

  it('covers exactly the years it declares, with twelve days each', () => {
    const years = [...new Set(HOLIDAYS.map((h) => Number(h.day.slice(0, 4))))];
    expect(years).toEqual(HOLIDAY_YEARS.map((y) => y.year));
    for (const y of years) expect(HOLIDAYS.filter((h) => h.day.startsWith(`${y}-`))).toHaveLength(12);
  });

  it('matches the 2026 order (Ordre EMT/66/2025) day for day', () => {
    expect(HOLIDAYS.filter((h) => h.day.startsWith('2026-')).map((h) => h.day.slice(5))).toEqual([
      '01-01',
      '01-06',
      '04-03',
      '04-06',
      '05-01',
      '06-24',
      '08-15',
      '09-11',
      '10-12',
      '12-08',
      '12-25',
      '12-26',
    ]);
    expect(
      HOLIDAYS.filter((h) => h.scope === 'ES-CT' && h.day.startsWith('2026-')).map((h) => h.day),
    ).toEqual(['2026-04-06', '2026-06-24', '2026-09-11', '2026-12-26']);
  });

  it.each([2026, 2027])('puts Good Friday and Easter Monday %i around the computed Easter Sunday', (year) => {
    const easter = DateTime.fromISO(easterSunday(year), { zone: 'utc' });
    const named = (ca: string) =>
      HOLIDAYS.filter((h) => h.name.ca === ca && h.day.startsWith(`${year}-`)).map((h) => h.day);
    expect(named('Divendres Sant')).toEqual([easter.minus({ days: 2 }).toISODate()]);
    expect(named('Dilluns de Pasqua Florida')).toEqual([easter.plus({ days: 1 }).toISODate()]);
  });

  it('knows Easter Sunday: 5 April 2026, 28 March 2027', () => {
    expect(easterSunday(2026)).toBe('2026-04-05');
    expect(easterSunday(2027)).toBe('2027-03-28');
  });

  it('marks 2026 official and 2027 provisional', () => {
    expect(HOLIDAY_YEARS.map((y) => [y.year, y.status])).toEqual([
      [2026, 'official'],
      [2027, 'provisional'],
    ]);
  });
});
