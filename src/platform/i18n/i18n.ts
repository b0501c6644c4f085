import type { FastifyRequest } from 'fastify';
import i18next, { type TFunction } from 'i18next';
import ca from './locales/ca.json' with { type: 'json' };
import en from './locales/en.json' with { type: 'json' };
import es from './locales/es.json' with { type: 'json' };

export const LOCALES = ['ca', 'es', 'en'] as const;
export type Locale = (typeof LOCALES)[number];
/** Catalan is the default: the platform serves Catalan municipalities first. */
export const DEFAULT_LOCALE: Locale = 'ca';

export const RESOURCES = { ca, es, en } as const;

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
