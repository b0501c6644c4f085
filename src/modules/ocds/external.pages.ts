/**
 * Public pages of third-party open data (issue 6 point 5): an external authority's imported
 * processes, paged, and one process read from its compiled release, each under a notice that the
 * data is a third party's, imported on a date and not verified by the platform.
 *
 * Everything shown comes from someone else's JSON: it is untrusted input, printed as published
 * (codes untranslated, texts as written) and always through the escaping `html` template. Values of
 * an unexpected shape are left out rather than guessed at.
 */
import type { FastifyInstance } from 'fastify';
import type { App } from '../../app.js';
import { type Html, html } from '../../platform/http/html.js';
import { formatDateTime, formatMoney, type Locale } from '../../platform/i18n/i18n.js';
import { layout, type PageContext, sendPage } from '../portal/layout.js';
import { pageContext } from '../portal/portal.context.js';
import { isJsonObject, type Json, type JsonObject } from './merge.types.js';
import {
  countImportProcesses,
  findExternalAuthorityBySlug,
  findImportRecord,
  type ImportAuthorityRow,
  lastImportedAt,
  listImportProcesses,
} from './ocds-import.repo.js';

const PAGE_SIZE = 50;

/** A scalar as text; objects, arrays and nulls give null (not shown). */
function text(value: Json | undefined): string | null {
  if (typeof value === 'string') return value.trim() === '' ? null : value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return null;
}

function obj(value: Json | undefined): JsonObject | undefined {
  return isJsonObject(value) ? value : undefined;
}

function objects(value: Json | undefined): JsonObject[] {
  return Array.isArray(value) ? value.filter(isJsonObject) : [];
}

const DECIMAL = /^-?\d+(\.\d+)?$/;
const CURRENCY = /^[A-Z]{3}$/;

/** An OCDS Value: formatted when it is a plain decimal in an ISO 4217 code, else as published. */
function money(locale: Locale, amount: string | null, currency: string | null): string | null {
  if (amount === null) return null;
  if (currency && CURRENCY.test(currency) && DECIMAL.test(amount)) {
    try {
      return formatMoney(locale, amount, currency);
    } catch {
      // A well-formed code Intl does not know: shown as published below.
    }
  }
  return currency ? `${amount} ${currency}` : amount;
}

function ocdsValue(locale: Locale, value: Json | undefined): string | null {
  const v = obj(value);
  if (!v) return null;
  return money(locale, text(v.amount), text(v.currency));
}

/** An OCDS date: in UTC when it parses (third-party data has no time zone of ours), else as published. */
function when(locale: Locale, value: Json | Date | null | undefined): string | null {
  if (value instanceof Date) return `${formatDateTime(locale, value, 'UTC')} UTC`;
  const raw = text(value as Json | undefined);
  if (raw === null) return null;
  // A date without a time stays as published: a time of day would be invented.
  if (/^\d{4}-\d{2}-\d{2}$/.test(raw)) return raw;
  const ms = /^\d{4}-\d{2}-\d{2}/.test(raw) ? Date.parse(raw) : Number.NaN;
  return Number.isNaN(ms) ? raw : `${formatDateTime(locale, new Date(ms), 'UTC')} UTC`;
}

function period(locale: Locale, value: Json | undefined): string | null {
  const p = obj(value);
  if (!p) return null;
  const start = when(locale, p.startDate);
  const end = when(locale, p.endDate);
  if (!start && !end) return null;
  return `${start ?? '…'} – ${end ?? '…'}`;
}

function authorityName(a: ImportAuthorityRow, locale: Locale): string {
  return { ca: a.name_ca, es: a.name_es, en: a.name_en }[locale];
}

const processesHref = (slug: string) => `/authorities/${encodeURIComponent(slug)}/processes`;
const processHref = (slug: string, ocid: string) => `${processesHref(slug)}/${encodeURIComponent(ocid)}`;

/** The notice every page of imported data carries: whose data, from where, when, not verified. */
function thirdPartyNotice(pc: PageContext, a: ImportAuthorityRow, importedAt: Date | null): Html {
  const t = pc.t;
  const url = a.external_source_url;
  const linkable = url !== null && /^https?:\/\//i.test(url);
  return html`<aside class="notice" aria-labelledby="third-party-h">
    <h2 id="third-party-h">${t('external.notice.title')}</h2>
    <p>${t('external.notice.text', { publisher: authorityName(a, pc.locale) })}</p>
    <dl class="facts">
      <dt>${t('external.notice.source')}</dt>
      <dd>${url ? (linkable ? html`<a href="${url}" rel="nofollow noopener">${url}</a>` : url) : t('external.notice.noSource')}</dd>
      <dt>${t('external.notice.importedAt')}</dt>
      <dd>${importedAt ? when(pc.locale, importedAt) : t('external.notice.never')}</dd>
    </dl>
  </aside>`;
}

/** Definition-list rows for the values that are there. */
function facts(rows: [string, string | Html | null][]): Html {
  const shown = rows.filter((r): r is [string, string | Html] => r[1] !== null);
  if (shown.length === 0) return html``;
  return html`<dl class="facts">${shown.map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}</dl>`;
}

function notFound(pc: PageContext): Html {
  return layout(pc, pc.t('errors.pageNotFound'), html`<p>${pc.t('errors.NOT_FOUND')}</p>`);
}

/** The names of an award's suppliers (organisation references), or of the parties they point to. */
function supplierNames(award: JsonObject, parties: Map<string, string>): string | null {
  const names = objects(award.suppliers)
    .map(
      (s) => text(s.name) ?? (text(s.id) !== null ? (parties.get(text(s.id) as string) ?? text(s.id)) : null),
    )
    .filter((n): n is string => n !== null);
  return names.length > 0 ? names.join(' · ') : null;
}

function processBody(pc: PageContext, a: ImportAuthorityRow, compiled: JsonObject): Html {
  const t = pc.t;
  const l = pc.locale;
  const tender = obj(compiled.tender) ?? {};
  const parties = new Map<string, string>();
  for (const p of objects(compiled.parties)) {
    const id = text(p.id);
    const name = text(p.name);
    if (id !== null && name !== null) parties.set(id, name);
  }
  const buyerRef = obj(compiled.buyer);
  const buyer =
    text(buyerRef?.name) ??
    (text(buyerRef?.id) !== null ? (parties.get(text(buyerRef?.id) as string) ?? null) : null) ??
    objects(compiled.parties)
      .filter((p) => Array.isArray(p.roles) && p.roles.includes('buyer'))
      .map((p) => text(p.name))
      .find((n) => n !== null) ??
    null;
  const lots = objects(tender.lots);
  const awards = objects(compiled.awards);
  const contracts = objects(compiled.contracts);
  return html`${facts([
    [t('external.process.ocid'), html`<code>${text(compiled.ocid) ?? ''}</code>`],
    [t('external.process.buyer'), buyer],
    [t('external.process.updated'), when(l, compiled.date)],
  ])}
  <section aria-labelledby="tender-h">
    <h2 id="tender-h">${t('external.process.tender')}</h2>
    ${facts([
      [t('external.process.title'), text(tender.title)],
      [t('external.process.description'), text(tender.description)],
      [t('external.process.status'), text(tender.status)],
      [t('external.process.method'), text(tender.procurementMethodDetails) ?? text(tender.procurementMethod)],
      [t('external.process.value'), ocdsValue(l, tender.value)],
      [t('external.process.tenderPeriod'), period(l, tender.tenderPeriod)],
    ])}
  </section>
  ${
    lots.length > 0
      ? html`<section aria-labelledby="lots-h"><h2 id="lots-h">${t('external.process.lots')}</h2>
    <table><caption>${t('external.process.lotsCaption', { count: lots.length })}</caption>
    <thead><tr><th scope="col">${t('external.process.id')}</th><th scope="col">${t('external.process.title')}</th><th scope="col">${t('external.process.status')}</th><th scope="col">${t('external.process.value')}</th></tr></thead>
    <tbody>${lots.map((lot) => html`<tr><td>${text(lot.id) ?? '—'}</td><td>${text(lot.title) ?? '—'}</td><td>${text(lot.status) ?? '—'}</td><td>${ocdsValue(l, lot.value) ?? '—'}</td></tr>`)}</tbody></table></section>`
      : ''
  }
  <section aria-labelledby="awards-h"><h2 id="awards-h">${t('external.process.awards')}</h2>
  ${
    awards.length > 0
      ? html`<table><caption>${t('external.process.awardsCaption', { count: awards.length })}</caption>
    <thead><tr><th scope="col">${t('external.process.id')}</th><th scope="col">${t('external.process.title')}</th><th scope="col">${t('external.process.status')}</th><th scope="col">${t('external.process.date')}</th><th scope="col">${t('external.process.suppliers')}</th><th scope="col">${t('external.process.value')}</th></tr></thead>
    <tbody>${awards.map((aw) => html`<tr><td>${text(aw.id) ?? '—'}</td><td>${text(aw.title) ?? '—'}</td><td>${text(aw.status) ?? '—'}</td><td>${when(l, aw.date) ?? '—'}</td><td>${supplierNames(aw, parties) ?? '—'}</td><td>${ocdsValue(l, aw.value) ?? '—'}</td></tr>`)}</tbody></table>`
      : html`<p>${t('external.process.noAwards')}</p>`
  }</section>
  <section aria-labelledby="contracts-h"><h2 id="contracts-h">${t('external.process.contracts')}</h2>
  ${
    contracts.length > 0
      ? html`<table><caption>${t('external.process.contractsCaption', { count: contracts.length })}</caption>
    <thead><tr><th scope="col">${t('external.process.id')}</th><th scope="col">${t('external.process.title')}</th><th scope="col">${t('external.process.status')}</th><th scope="col">${t('external.process.dateSigned')}</th><th scope="col">${t('external.process.period')}</th><th scope="col">${t('external.process.value')}</th></tr></thead>
    <tbody>${contracts.map((c) => html`<tr><td>${text(c.id) ?? '—'}</td><td>${text(c.title) ?? '—'}</td><td>${text(c.status) ?? '—'}</td><td>${when(l, c.dateSigned) ?? '—'}</td><td>${period(l, c.period) ?? '—'}</td><td>${ocdsValue(l, c.value) ?? '—'}</td></tr>`)}</tbody></table>`
      : html`<p>${t('external.process.noContracts')}</p>`
  }</section>
  <p><a href="${processesHref(a.slug)}">${t('external.process.back')}</a></p>`;
}

function pager(pc: PageContext, slug: string, current: number, pages: number): Html {
  if (pages <= 1) return html``;
  const t = pc.t;
  const href = (n: number) => `${processesHref(slug)}?page=${n}`;
  return html`<nav class="pager" aria-label="${t('external.list.pages')}"><ul>
    ${current > 1 ? html`<li><a href="${href(current - 1)}" rel="prev">${t('external.list.previous')}</a></li>` : ''}
    <li><span aria-current="page">${t('external.list.pageOf', { n: current, pages })}</span></li>
    ${current < pages ? html`<li><a href="${href(current + 1)}" rel="next">${t('external.list.next')}</a></li>` : ''}
  </ul></nav>`;
}

export function externalPages(app: App, r: FastifyInstance): void {
  r.get<{ Params: { slug: string }; Querystring: { page?: string } }>(
    '/authorities/:slug/processes',
    async (request, reply) => {
      const db = app.deps.database.db;
      const pc = await pageContext(app, request, reply);
      const a = await findExternalAuthorityBySlug(db, request.params.slug.slice(0, 80));
      if (!a) return sendPage(reply, notFound(pc), 404);
      const t = pc.t;
      const total = await countImportProcesses(db, a.id);
      const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
      const asked = Number.parseInt(String(request.query.page ?? '1'), 10);
      const page = Number.isInteger(asked) && asked >= 1 ? Math.min(asked, pages) : 1;
      const [lines, importedAt] = await Promise.all([
        listImportProcesses(db, a.id, { limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE }),
        lastImportedAt(db, a.id),
      ]);
      const l = pc.locale;
      const body = html`${thirdPartyNotice(pc, a, importedAt)}
      ${
        lines.length === 0
          ? html`<p>${t('external.list.empty')}</p>`
          : html`<table>
        <caption>${t('external.list.caption', { count: total })}</caption>
        <thead><tr><th scope="col">${t('external.list.title')}</th><th scope="col">${t('external.list.buyer')}</th><th scope="col">${t('external.list.status')}</th><th scope="col">${t('external.list.value')}</th><th scope="col">${t('external.list.date')}</th></tr></thead>
        <tbody>${lines.map(
          (p) => html`<tr><td><a href="${processHref(a.slug, p.ocid)}">${p.title ?? p.ocid}</a></td>
          <td>${p.buyer ?? '—'}</td><td>${p.status ?? '—'}</td><td>${money(l, p.amount, p.currency) ?? '—'}</td><td>${when(l, p.date) ?? '—'}</td></tr>`,
        )}</tbody></table>`
      }
      ${pager(pc, a.slug, page, pages)}
      <p><a href="/authorities">${t('authority.back')}</a></p>`;
      return sendPage(reply, layout(pc, t('external.list.heading', { name: authorityName(a, l) }), body));
    },
  );

  r.get<{ Params: { slug: string; ocid: string } }>(
    '/authorities/:slug/processes/:ocid',
    async (request, reply) => {
      const db = app.deps.database.db;
      const pc = await pageContext(app, request, reply);
      const a = await findExternalAuthorityBySlug(db, request.params.slug.slice(0, 80));
      const record = a ? await findImportRecord(db, a.id, request.params.ocid.slice(0, 1000)) : undefined;
      if (!a || !record || !isJsonObject(record.compiled)) return sendPage(reply, notFound(pc), 404);
      const compiled = record.compiled as JsonObject;
      const title = text(obj(compiled.tender)?.title) ?? record.ocid;
      const body = html`${thirdPartyNotice(pc, a, await lastImportedAt(db, a.id))}${processBody(pc, a, compiled)}`;
      return sendPage(reply, layout(pc, title, body));
    },
  );
}
