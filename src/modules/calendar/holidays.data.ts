/**
 * Official holidays in Catalonia, national (Spain) and regional, as data. Under Ley 39/2015
 * art. 30.7 and Decret 319/1993 the Catalan labour calendar is also the calendar of non-business
 * days (dies inhàbils) for computing administrative periods in Catalonia, so these rows feed
 * `makeCalendar`. Local holidays (two per municipality, fixed each year by a separate order on
 * the town councils' proposals) are NOT here: each authority keeps its own and passes them in.
 *
 * A new year is new rows plus an entry in `HOLIDAY_YEARS`: no code changes.
 *
 * The days are those the Catalan order lists. Like the orders, the rows omit national holidays
 * that fall on a Sunday and that Catalonia does not move (2026: 1 November and 6 December): they
 * change nothing, a Sunday is never a business day.
 *
 * Easter-dependent days: Divendres Sant (Good Friday, Easter Sunday − 2) and Dilluns de Pasqua
 * Florida (Easter Monday, Easter Sunday + 1). Easter Sunday is 5 April 2026 and 28 March 2027.
 *
 * Val d'Aran: the orders replace 26 December (Sant Esteve) with 17 June (Festa d'Aran) there
 * (Decrets 152/1997 and 146/1998). These rows are for the rest of Catalonia; an authority in Aran
 * must pass 17 June among its local days. In 2026, 26 December is a Saturday anyway.
 *
 * VERIFIED — 2026: Ordre EMT/66/2025, de 30 d'abril (DOGC 6 May 2025), as reported by several
 * concordant secondary sources (Generalitat press coverage by 3Cat, El Periódico, Empordà, Segre,
 * a labour-law firm's note quoting the order, a town council's notice); the DOGC text itself was
 * not read. The ES / ES-CT split follows the State's resolution for 2026 as reported by the press
 * (national: 1 and 6 January, Good Friday, 1 May, 15 August, 12 October, 8 and 25 December;
 * Catalan: Easter Monday, 24 June, 11 September, 26 December).
 *
 * UNVERIFIED — 2027: no Catalan order for 2027 was found. The rows are provisional:
 * - fixed by statute, certain: 1 January, Good Friday (26 March), 1 May, 12 October, 1 November,
 *   6 and 8 December, 25 December (the national days the regions cannot substitute, Estatuto de
 *   los Trabajadores art. 37.2 with RD 2001/1983 art. 45), and 11 September (Diada Nacional de
 *   Catalunya, Llei 1/1980);
 * - customary, NOT confirmed: 6 January, Easter Monday (29 March) and 24 June. Catalonia has listed
 *   each of them whenever it fell on a weekday, in every order seen from 2012 to 2026, and the 2021
 *   order (2021 has the same weekdays as 2027) listed exactly these twelve days. They are
 *   included because leaving out a real holiday would shorten a legal period, the worse mistake
 *   for a minimum tender period;
 * - left out: 15 August and 26 December 2027 fall on a Sunday (the 2021 order did not move them).
 *   The 2027 order may still add a day in their place, as the 2022 order added Pasqua Granada
 *   (6 June 2022) when two holidays fell on a Sunday.
 * Replace the 2027 rows with the order's list once it is published (usually in spring of 2026).
 */
import type { LocalDate } from './calendar.rules.js';

/** One official holiday. `ES` is a national day kept in Catalonia; `ES-CT` a Catalan one. */
export type HolidayRow = {
  day: LocalDate;
  name: { ca: string; es: string; en: string };
  scope: 'ES' | 'ES-CT';
};

/** How sure each year's rows are, so that callers can warn when a period runs into a provisional year. */
export const HOLIDAY_YEARS: readonly { year: number; status: 'official' | 'provisional'; source: string }[] =
  [
    { year: 2026, status: 'official', source: "Ordre EMT/66/2025, de 30 d'abril (DOGC 6.5.2025)" },
    {
      year: 2027,
      status: 'provisional',
      source:
        'ET art. 37.2, RD 2001/1983 art. 45, Llei 1/1980; 6 Jan, 29 Mar and 24 Jun customary, unconfirmed',
    },
  ];

const NEW_YEAR = { ca: "Cap d'Any", es: 'Año Nuevo', en: "New Year's Day" };
const EPIPHANY = { ca: 'Reis', es: 'Epifanía del Señor', en: 'Epiphany' };
const GOOD_FRIDAY = { ca: 'Divendres Sant', es: 'Viernes Santo', en: 'Good Friday' };
const EASTER_MONDAY = { ca: 'Dilluns de Pasqua Florida', es: 'Lunes de Pascua', en: 'Easter Monday' };
const LABOUR_DAY = { ca: 'Festa del Treball', es: 'Fiesta del Trabajo', en: 'Labour Day' };
const SANT_JOAN = { ca: 'Sant Joan', es: 'San Juan', en: "Saint John's Day" };
const ASSUMPTION = { ca: "L'Assumpció", es: 'Asunción de la Virgen', en: 'Assumption Day' };
const DIADA = {
  ca: 'Diada Nacional de Catalunya',
  es: 'Fiesta Nacional de Cataluña',
  en: 'National Day of Catalonia',
};
const SPAIN_DAY = {
  ca: "Festa Nacional d'Espanya",
  es: 'Fiesta Nacional de España',
  en: 'National Day of Spain',
};
const ALL_SAINTS = { ca: 'Tots Sants', es: 'Todos los Santos', en: "All Saints' Day" };
const CONSTITUTION = { ca: 'Dia de la Constitució', es: 'Día de la Constitución', en: 'Constitution Day' };
const IMMACULATE = { ca: 'La Immaculada', es: 'Inmaculada Concepción', en: 'Immaculate Conception' };
const CHRISTMAS = { ca: 'Nadal', es: 'Navidad', en: 'Christmas Day' };
const SANT_ESTEVE = { ca: 'Sant Esteve', es: 'San Esteban', en: "Saint Stephen's Day" };

/** Catalonia-wide holidays, in date order. */
export const HOLIDAYS: readonly HolidayRow[] = [
  // 2026 — Ordre EMT/66/2025 (verified, see above). Twelve days.
  { day: '2026-01-01', name: NEW_YEAR, scope: 'ES' }, // Thursday
  { day: '2026-01-06', name: EPIPHANY, scope: 'ES' }, // Tuesday
  { day: '2026-04-03', name: GOOD_FRIDAY, scope: 'ES' }, // Friday; Easter 5 April
  { day: '2026-04-06', name: EASTER_MONDAY, scope: 'ES-CT' }, // Monday
  { day: '2026-05-01', name: LABOUR_DAY, scope: 'ES' }, // Friday
  { day: '2026-06-24', name: SANT_JOAN, scope: 'ES-CT' }, // Wednesday
  { day: '2026-08-15', name: ASSUMPTION, scope: 'ES' }, // Saturday
  { day: '2026-09-11', name: DIADA, scope: 'ES-CT' }, // Friday
  { day: '2026-10-12', name: SPAIN_DAY, scope: 'ES' }, // Monday
  { day: '2026-12-08', name: IMMACULATE, scope: 'ES' }, // Tuesday
  { day: '2026-12-25', name: CHRISTMAS, scope: 'ES' }, // Friday
  { day: '2026-12-26', name: SANT_ESTEVE, scope: 'ES-CT' }, // Saturday

  // 2027 — PROVISIONAL (no order found, see above). Twelve days, as in 2021.
  { day: '2027-01-01', name: NEW_YEAR, scope: 'ES' }, // Friday; statute
  { day: '2027-01-06', name: EPIPHANY, scope: 'ES' }, // Wednesday; customary, unconfirmed
  { day: '2027-03-26', name: GOOD_FRIDAY, scope: 'ES' }, // Friday; statute; Easter 28 March
  { day: '2027-03-29', name: EASTER_MONDAY, scope: 'ES-CT' }, // Monday; customary, unconfirmed
  { day: '2027-05-01', name: LABOUR_DAY, scope: 'ES' }, // Saturday; statute
  { day: '2027-06-24', name: SANT_JOAN, scope: 'ES-CT' }, // Thursday; customary, unconfirmed
  { day: '2027-09-11', name: DIADA, scope: 'ES-CT' }, // Saturday; Llei 1/1980
  { day: '2027-10-12', name: SPAIN_DAY, scope: 'ES' }, // Tuesday; statute
  { day: '2027-11-01', name: ALL_SAINTS, scope: 'ES' }, // Monday; statute
  { day: '2027-12-06', name: CONSTITUTION, scope: 'ES' }, // Monday; statute
  { day: '2027-12-08', name: IMMACULATE, scope: 'ES' }, // Wednesday; statute
  { day: '2027-12-25', name: CHRISTMAS, scope: 'ES' }, // Saturday; statute
];
