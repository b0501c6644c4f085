import type { FastifyRequest } from 'fastify';
import i18next, { type TFunction } from 'i18next';
import biddingCa from './locales/bidding.ca.json' with { type: 'json' };
import biddingEn from './locales/bidding.en.json' with { type: 'json' };
import biddingEs from './locales/bidding.es.json' with { type: 'json' };
import openingCa from './locales/opening.ca.json' with { type: 'json' };
import openingEn from './locales/opening.en.json' with { type: 'json' };
import openingEs from './locales/opening.es.json' with { type: 'json' };
import backofficeCa from './locales/backoffice.ca.json' with { type: 'json' };
import backofficeEn from './locales/backoffice.en.json' with { type: 'json' };
import backofficeEs from './locales/backoffice.es.json' with { type: 'json' };
import calendarCa from './locales/calendar.ca.json' with { type: 'json' };
import calendarEn from './locales/calendar.en.json' with { type: 'json' };
import calendarEs from './locales/calendar.es.json' with { type: 'json' };
import custodyCa from './locales/custody.ca.json' with { type: 'json' };
import custodyEn from './locales/custody.en.json' with { type: 'json' };
import custodyEs from './locales/custody.es.json' with { type: 'json' };
import coreCa from './locales/ca.json' with { type: 'json' };
import coreEn from './locales/en.json' with { type: 'json' };
import coreEs from './locales/es.json' with { type: 'json' };
import minorCa from './locales/minor.ca.json' with { type: 'json' };
import minorEn from './locales/minor.en.json' with { type: 'json' };
import minorEs from './locales/minor.es.json' with { type: 'json' };
import planCa from './locales/plan.ca.json' with { type: 'json' };
import planEn from './locales/plan.en.json' with { type: 'json' };
import planEs from './locales/plan.es.json' with { type: 'json' };
import publicTendersCa from './locales/public-tenders.ca.json' with { type: 'json' };
import publicTendersEn from './locales/public-tenders.en.json' with { type: 'json' };
import publicTendersEs from './locales/public-tenders.es.json' with { type: 'json' };
// Committee workspace pages (evaluation.pages.ts).
import evaluationCa from './locales/evaluation.ca.json' with { type: 'json' };
import evaluationEn from './locales/evaluation.en.json' with { type: 'json' };
import evaluationEs from './locales/evaluation.es.json' with { type: 'json' };
// Award notification mails (award.service.ts, art. 151 LCSP).
import awardMailCa from './locales/award-mail.ca.json' with { type: 'json' };
import awardMailEn from './locales/award-mail.en.json' with { type: 'json' };
import awardMailEs from './locales/award-mail.es.json' with { type: 'json' };
// Abnormal-offer review, award and contract pages (abnormal-review.pages.ts, award.pages.ts, contract.pages.ts).
import awardCa from './locales/award.ca.json' with { type: 'json' };
import awardEn from './locales/award.en.json' with { type: 'json' };
import awardEs from './locales/award.es.json' with { type: 'json' };
// Selection phase and negotiation pages (selection.pages.ts, arts. 160–171 LCSP).
import selectionCa from './locales/selection.ca.json' with { type: 'json' };
import selectionEn from './locales/selection.en.json' with { type: 'json' };
import selectionEs from './locales/selection.es.json' with { type: 'json' };
// Invitation and selection mails (selection.service.ts, arts. 155 and 163 LCSP).
import selectionMailCa from './locales/selection-mail.ca.json' with { type: 'json' };
import selectionMailEn from './locales/selection-mail.en.json' with { type: 'json' };
import selectionMailEs from './locales/selection-mail.es.json' with { type: 'json' };
// The committee's minutes (minutes.pages.ts, art. 63.3.e LCSP).
import minutesCa from './locales/minutes.ca.json' with { type: 'json' };
import minutesEn from './locales/minutes.en.json' with { type: 'json' };
import minutesEs from './locales/minutes.es.json' with { type: 'json' };
// Third-party open data pages (external.pages.ts, issue 6 point 5).
import externalCa from './locales/external.ca.json' with { type: 'json' };
import externalEn from './locales/external.en.json' with { type: 'json' };
import externalEs from './locales/external.es.json' with { type: 'json' };
import opendataCa from './locales/opendata.ca.json' with { type: 'json' };
import opendataEn from './locales/opendata.en.json' with { type: 'json' };
import opendataEs from './locales/opendata.es.json' with { type: 'json' };

export const LOCALES = ['ca', 'es', 'en'] as const;
export type Locale = (typeof LOCALES)[number];
/** Catalan is the default: the platform serves Catalan municipalities first. */
export const DEFAULT_LOCALE: Locale = 'ca';

/**
 * Translations are split by area (core, back office, public tenders, minor contracts, plan,
 * calendar) so that each area's texts live together; the i18n test refuses a key defined twice.
 */
export const LOCALE_PARTS = {
  ca: [
    coreCa,
    backofficeCa,
    publicTendersCa,
    minorCa,
    planCa,
    calendarCa,
    custodyCa,
    biddingCa,
    openingCa,
    evaluationCa,
    awardMailCa,
    awardCa,
    selectionCa,
    minutesCa,
    externalCa,
    opendataCa,
    selectionMailCa,
  ],
  es: [
    coreEs,
    backofficeEs,
    publicTendersEs,
    minorEs,
    planEs,
    calendarEs,
    custodyEs,
    biddingEs,
    openingEs,
    evaluationEs,
    awardMailEs,
    awardEs,
    selectionEs,
    minutesEs,
    externalEs,
    opendataEs,
    selectionMailEs,
  ],
  en: [
    coreEn,
    backofficeEn,
    publicTendersEn,
    minorEn,
    planEn,
    calendarEn,
    custodyEn,
    biddingEn,
    openingEn,
    evaluationEn,
    awardMailEn,
    awardEn,
    selectionEn,
    minutesEn,
    externalEn,
    opendataEn,
    selectionMailEn,
  ],
} as const;

type Messages = Record<string, string>;
const merge = (parts: readonly object[]): Messages => Object.assign({}, ...parts) as Messages;
const ca = merge(LOCALE_PARTS.ca);
const es = merge(LOCALE_PARTS.es);
const en = merge(LOCALE_PARTS.en);

export const RESOURCES: Record<Locale, Messages> = { ca, es, en };

const instance = i18next.createInstance();
void instance.init({
  initAsync: false,
  lng: DEFAULT_LOCALE,
  fallbackLng: false,
  supportedLngs: [...LOCALES],
  resources: { ca: { translation: ca }, es: { translation: es }, en: { translation: en } },
  keySeparator: false,
  interpolation: { escapeValue: false },
  returnNull: false,
});

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value);
}

/** A translator bound to one language. Text is escaped by the HTML templates, not here. */
export function translator(locale: Locale): TFunction {
  return instance.getFixedT(locale);
}

/** Language of a request: ?lang=, then the `lang` cookie, then Accept-Language, then Catalan. */
export function detectLocale(request: FastifyRequest): Locale {
  const q = (request.query as Record<string, unknown> | undefined)?.lang;
  if (isLocale(q)) return q;
  const c = request.cookies?.lang;
  if (isLocale(c)) return c;
  const header = request.headers['accept-language'] ?? '';
  for (const part of header.split(',')) {
    const tag = part.split(';')[0]?.trim().slice(0, 2).toLowerCase();
    if (isLocale(tag)) return tag;
  }
  return DEFAULT_LOCALE;
}

const INTL_TAGS: Record<Locale, string> = { ca: 'ca-ES', es: 'es-ES', en: 'en-GB' };

/** Date and time in the authority's time zone (Europe/Madrid by default), for the language. */
export function formatDateTime(locale: Locale, date: Date, timeZone = 'Europe/Madrid'): string {
  return new Intl.DateTimeFormat(INTL_TAGS[locale], {
    dateStyle: 'medium',
    timeStyle: 'short',
    timeZone,
  }).format(date);
}

/**
 * Formats a decimal amount given as a string. Intl accepts the string form directly, so the
 * value never passes through a binary float.
 */
export function formatMoney(locale: Locale, amount: string, currency = 'EUR'): string {
  return new Intl.NumberFormat(INTL_TAGS[locale], { style: 'currency', currency }).format(
    amount as unknown as number,
  );
}

export function formatPercent(locale: Locale, value: string): string {
  return `${new Intl.NumberFormat(INTL_TAGS[locale], { maximumFractionDigits: 2 }).format(value as unknown as number)} %`;
}
