import { isUuid } from '../../platform/ids.js';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../../app.js';
import { DomainError } from '../../platform/errors.js';
import { type Html, html } from '../../platform/http/html.js';
import { formatMoney, isLocale } from '../../platform/i18n/i18n.js';
import { Dec } from '../../platform/money.js';
import { makeCalendar, endOfDay, startOfDay } from '../calendar/calendar.rules.js';
import { PROCEDURE_CODES } from '../procedures/procedure.types.js';
import {
  MAX_PAGE,
  MAX_QUERY_LENGTH,
  PUBLIC_STATUSES,
  type SortDirection,
  type SortKey,
  searchTenders,
  type TenderSearchInput,
  type TenderSearchResult,
} from '../search/tender-search.service.js';
import { listPublicAuthorities } from '../tenancy/authority.service.js';
import { errorSummary, type FieldError, input, layout, type PageContext, sendPage } from './layout.js';
import { pageContext } from './portal.context.js';
import { procedureLabel, statusLabel, when } from './tenders-public.labels.js';

/** The fields of the search form, named as the API's query parameters where they mean the same. */
const FIELDS = [
  'q',
  'authority',
  'cpv',
  'procedure',
  'status',
  'minValue',
  'maxValue',
  'deadlineFrom',
  'deadlineTo',
  'sort',
  'page',
  // A language asked for in the address (?lang=) is kept by the form and the page links.
  'lang',
] as const;
type Field = (typeof FIELDS)[number];
export type SearchValues = Partial<Record<Field, string>>;

/** The page's sort choices: a key and its direction, as one select. */
const SORT_CHOICES: { value: string; key: SortKey; order: SortDirection; label: string }[] = [
  { value: 'relevance', key: 'relevance', order: 'desc', label: 'publicTenders.sort.relevance' },
  { value: 'deadline-asc', key: 'deadline', order: 'asc', label: 'publicTenders.sort.deadlineAsc' },
  { value: 'deadline-desc', key: 'deadline', order: 'desc', label: 'publicTenders.sort.deadlineDesc' },
  { value: 'published-desc', key: 'published', order: 'desc', label: 'publicTenders.sort.publishedDesc' },
  { value: 'published-asc', key: 'published', order: 'asc', label: 'publicTenders.sort.publishedAsc' },
  { value: 'value-desc', key: 'value', order: 'desc', label: 'publicTenders.sort.valueDesc' },
  { value: 'value-asc', key: 'value', order: 'asc', label: 'publicTenders.sort.valueAsc' },
];

const PAGE_SIZE = 20;
const CPV_RE = /^(\d{2,8}|\d{8}-\d)$/;
/** Euros with at most two decimals; a decimal comma is accepted, as people in Catalonia and Spain write it. */
const AMOUNT_RE = /^\d{1,13}([.,]\d{1,2})?$/;
const DAY_RE = /^\d{4}-\d{2}-\d{2}$/;
/** Deadlines are legal instants in Madrid time: a day typed in the form means that local day. */
const MADRID = makeCalendar('Europe/Madrid', []);

/** The query string as single strings: the first of repeated parameters, cut to a sane length. */
export function readSearchValues(query: unknown): SearchValues {
  const q = (query ?? {}) as Record<string, unknown>;
  const out: SearchValues = {};
  for (const f of FIELDS) {
    const raw = q[f];
    const v = Array.isArray(raw) ? raw[0] : raw;
    if (typeof v !== 'string') continue;
    const trimmed = v.trim().slice(0, f === 'q' ? MAX_QUERY_LENGTH * 2 : 100);
    if (trimmed !== '') out[f] = trimmed;
  }
  if (!isLocale(out.lang)) delete out.lang;
  return out;
}

type Validated = { input: TenderSearchInput; errors: FieldError[] };

/**
 * Checks the form's values and turns them into the service's input. Every value the API schema
 * would refuse is refused here with a message naming the field, so that no bad value reaches SQL
 * (a malformed uuid or amount would otherwise fail in the database).
 */
export function validateSearch(pc: PageContext, v: SearchValues, authorityIds: Set<string>): Validated {
  const t = pc.t;
  const errors: FieldError[] = [];
  const bad = (field: Field, key: string) => errors.push({ field, message: t(key) });
  const input: TenderSearchInput = { pageSize: PAGE_SIZE };
  if (v.q) input.q = v.q;
  if (v.authority) {
    if (isUuid(v.authority) && authorityIds.has(v.authority.toLowerCase()))
      input.authority = v.authority.toLowerCase();
    else bad('authority', 'publicTenders.error.authority');
  }
  if (v.cpv) {
    const cpv = v.cpv.replace(/\s+/g, '');
    if (CPV_RE.test(cpv)) input.cpv = cpv;
    else bad('cpv', 'publicTenders.error.cpv');
  }
  if (v.procedure) {
    if ((PROCEDURE_CODES as readonly string[]).includes(v.procedure)) input.procedure = v.procedure;
    else bad('procedure', 'publicTenders.error.procedure');
  }
  if (v.status) {
    const s = PUBLIC_STATUSES.find((x) => x === v.status);
    if (s) input.status = s;
    else bad('status', 'publicTenders.error.status');
  }
  const amount = (field: 'minValue' | 'maxValue') => {
    const raw = v[field]?.replace(/\s+/g, '');
    if (!raw) return undefined;
    if (AMOUNT_RE.test(raw)) return raw.replace(',', '.');
    bad(field, 'publicTenders.error.amount');
    return undefined;
  };
  input.minValue = amount('minValue');
  input.maxValue = amount('maxValue');
  if (
    input.minValue !== undefined &&
    input.maxValue !== undefined &&
    new Dec(input.minValue).greaterThan(input.maxValue)
  ) {
    bad('maxValue', 'publicTenders.error.valueRange');
  }
  const day = (field: 'deadlineFrom' | 'deadlineTo') => {
    const raw = v[field];
    if (!raw) return undefined;
    if (DAY_RE.test(raw)) {
      try {
        return (field === 'deadlineFrom' ? startOfDay(raw, MADRID) : endOfDay(raw, MADRID)).toISOString();
      } catch {
        // An impossible day (2026-02-30): reported below.
      }
    }
    bad(field, 'publicTenders.error.date');
    return undefined;
  };
  input.deadlineFrom = day('deadlineFrom');
  input.deadlineTo = day('deadlineTo');
  if (input.deadlineFrom && input.deadlineTo && input.deadlineFrom > input.deadlineTo) {
    bad('deadlineTo', 'publicTenders.error.dateRange');
  }
  if (v.sort) {
    const choice = SORT_CHOICES.find((c) => c.value === v.sort);
    if (choice) {
      input.sort = choice.key;
      input.order = choice.order;
    } else bad('sort', 'publicTenders.error.sort');
  }
  // A page number is not something people type: a bad one (edited by hand) shows the first page.
  if (v.page && /^\d{1,6}$/.test(v.page)) input.page = Math.min(Math.max(Number(v.page), 1), MAX_PAGE);
  return { input, errors };
}

/** The search's address with some values changed (paging keeps every filter). */
export function searchHref(v: SearchValues, changes: SearchValues = {}): string {
  const merged: SearchValues = { ...v, ...changes };
  const params = new URLSearchParams();
  for (const f of FIELDS) {
    const value = merged[f];
    if (value !== undefined && value !== '' && !(f === 'page' && value === '1')) params.set(f, value);
  }
  const qs = params.toString();
  return qs ? `/tenders?${qs}` : '/tenders';
}

type Option = { value: string; label: string };

function select(
  _pc: PageContext,
  name: Field,
  label: string,
  options: Option[],
  value: string | undefined,
  errors: FieldError[],
  anyLabel?: string,
): Html {
  const err = errors.find((e) => e.field === name);
  return html`<div class="field${err ? ' field-error' : ''}">
    <label for="${name}">${label}</label>
    ${err ? html`<p class="error" id="${name}-error">${err.message}</p>` : ''}
    <select id="${name}" name="${name}" ${err ? html`aria-describedby="${name}-error" aria-invalid="true"` : ''}>
      ${anyLabel ? html`<option value="">${anyLabel}</option>` : ''}
      ${options.map((o) => html`<option value="${o.value}" ${o.value === value ? html`selected` : ''}>${o.label}</option>`)}
    </select>
  </div>`;
}

function searchForm(
  pc: PageContext,
  v: SearchValues,
  errors: FieldError[],
  authorities: { id: string; name: string }[],
): Html {
  const t = pc.t;
  const any = t('publicTenders.search.any');
  return html`<form method="get" action="/tenders" role="search" id="tender-search" novalidate>
    ${input({ name: 'q', label: t('publicTenders.search.words'), type: 'search', value: v.q, hint: t('publicTenders.search.wordsHint'), errors, maxlength: MAX_QUERY_LENGTH })}
    <fieldset class="filters"><legend>${t('publicTenders.search.filters')}</legend>
      ${select(
        pc,
        'authority',
        t('publicTenders.search.authority'),
        authorities.map((a) => ({ value: a.id, label: a.name })),
        v.authority,
        errors,
        any,
      )}
      ${input({ name: 'cpv', label: t('publicTenders.search.cpv'), value: v.cpv, hint: t('publicTenders.search.cpvHint'), errors, maxlength: 10 })}
      ${select(
        pc,
        'procedure',
        t('publicTenders.search.procedure'),
        PROCEDURE_CODES.map((p) => ({ value: p, label: procedureLabel(t, p) })),
        v.procedure,
        errors,
        any,
      )}
      ${select(
        pc,
        'status',
        t('publicTenders.search.status'),
        PUBLIC_STATUSES.map((s) => ({ value: s, label: statusLabel(t, s) })),
        v.status,
        errors,
        any,
      )}
      ${input({ name: 'minValue', label: t('publicTenders.search.minValue'), value: v.minValue, hint: t('publicTenders.search.valueHint'), errors, maxlength: 17 })}
      ${input({ name: 'maxValue', label: t('publicTenders.search.maxValue'), value: v.maxValue, hint: t('publicTenders.search.valueHint'), errors, maxlength: 17 })}
      ${input({ name: 'deadlineFrom', label: t('publicTenders.search.deadlineFrom'), type: 'date', value: v.deadlineFrom, hint: t('publicTenders.search.dateHint'), errors })}
      ${input({ name: 'deadlineTo', label: t('publicTenders.search.deadlineTo'), type: 'date', value: v.deadlineTo, hint: t('publicTenders.search.dateHint'), errors })}
    </fieldset>
    ${select(
      pc,
      'sort',
      t('publicTenders.search.sort'),
      SORT_CHOICES.map((c) => ({ value: c.value, label: t(c.label) })),
      v.sort,
      errors,
    )}
    ${v.lang ? html`<input type="hidden" name="lang" value="${v.lang}">` : ''}
    <button type="submit" id="search-submit">${t('publicTenders.search.submit')}</button>
    <a href="${v.lang ? `/tenders?lang=${v.lang}` : '/tenders'}">${t('publicTenders.search.clear')}</a>
  </form>`;
}

function pager(pc: PageContext, v: SearchValues, result: TenderSearchResult): Html {
  const pages = Math.min(Math.ceil(result.total / result.pageSize), MAX_PAGE);
  if (pages <= 1 && result.page <= 1) return html``;
  const t = pc.t;
  const current = result.page;
  const shown = [...new Set([1, current - 2, current - 1, current, current + 1, current + 2, pages])]
    .filter((n) => n >= 1 && n <= pages)
    .sort((a, b) => a - b);
  const link = (n: number) =>
    n === current
      ? html`<li><a href="${searchHref(v, { page: String(n) })}" aria-current="page">${t('publicTenders.results.pageN', { n })}</a></li>`
      : html`<li><a href="${searchHref(v, { page: String(n) })}">${t('publicTenders.results.pageN', { n })}</a></li>`;
  return html`<nav class="pager" aria-label="${t('publicTenders.results.pages')}"><ul>
    ${current > 1 ? html`<li><a href="${searchHref(v, { page: String(Math.min(current - 1, Math.max(pages, 1))) })}" rel="prev">${t('publicTenders.results.previous')}</a></li>` : ''}
    ${shown.map(link)}
    ${current < pages ? html`<li><a href="${searchHref(v, { page: String(current + 1) })}" rel="next">${t('publicTenders.results.next')}</a></li>` : ''}
  </ul></nav>`;
}

function results(pc: PageContext, v: SearchValues, result: TenderSearchResult, now: Date): Html {
  const t = pc.t;
  const l = pc.locale;
  let how: Html | string = '';
  if (result.match === 'similar' && result.correctedQuery) {
    how = html`<p class="notice" id="did-you-mean">${t('publicTenders.results.didYouMean', { words: v.q ?? '' })}
      <a href="${searchHref(v, { q: result.correctedQuery, page: '1' })}">${result.correctedQuery}</a></p>`;
  } else if (result.match === 'partial') {
    how = html`<p class="notice">${t('publicTenders.results.partial', { words: v.q ?? '' })}</p>`;
  }
  const first = (result.page - 1) * result.pageSize + 1;
  const count =
    result.total === 0
      ? t('publicTenders.results.none')
      : result.items.length === 0
        ? t('publicTenders.results.pastEnd', { total: result.total })
        : t('publicTenders.results.count', {
            total: result.total,
            from: first,
            to: first + result.items.length - 1,
          });
  return html`<section aria-labelledby="results-h" id="results">
    <h2 id="results-h">${t('publicTenders.results.title')}</h2>
    ${how}
    <p role="status" id="result-count">${count}</p>
    ${result.total === 0 ? html`<p>${t('publicTenders.results.emptyHint')}</p>` : ''}
    ${
      result.items.length
        ? html`<ol class="results" start="${first}">${result.items.map((i) => {
            const closed =
              i.status === 'published' && i.tenderDeadline !== null && new Date(i.tenderDeadline) <= now;
            return html`<li class="result">
              <h3>${i.ocid ? html`<a href="/tenders/${i.ocid}">${i.title[l]}</a>` : i.title[l]}</h3>
              <dl class="facts">
                <dt>${t('publicTenders.fact.authority')}</dt><dd>${i.authority.name[l]}</dd>
                <dt>${t('publicTenders.fact.procedure')}</dt><dd>${procedureLabel(t, i.procedure)}</dd>
                <dt>${t('publicTenders.fact.status')}</dt><dd>${statusLabel(t, i.status)}${closed ? html` (${t('publicTenders.status.deadlinePassed')})` : ''}</dd>
                <dt>${t('publicTenders.fact.estimatedValue')}</dt><dd>${formatMoney(l, i.estimatedValue)}</dd>
                <dt>${t('publicTenders.fact.tenderDeadline')}</dt><dd>${when(l, i.tenderDeadline)}</dd>
              </dl>
            </li>`;
          })}</ol>`
        : ''
    }
    ${pager(pc, v, result)}
  </section>`;
}

/** GET /tenders: the public search, filters and results on one page that works without JavaScript. */
export async function searchPage(app: App, request: FastifyRequest, reply: FastifyReply) {
  const pc = await pageContext(app, request, reply);
  const t = pc.t;
  const ctx = app.serviceContext(request);
  const all = await listPublicAuthorities(ctx);
  const authorities = all
    .map((a) => ({ id: a.id, name: a.name[pc.locale] }))
    .sort((a, b) => a.name.localeCompare(b.name, pc.locale));
  const v = readSearchValues(request.query);
  const { input: searchInput, errors } = validateSearch(pc, v, new Set(all.map((a) => a.id)));
  const title = t('publicTenders.search.title');
  const intro = html`<p class="lead">${t('publicTenders.search.lead')}</p>`;
  if (errors.length) {
    return sendPage(
      reply,
      layout(pc, title, html`${intro}${errorSummary(pc, errors)}${searchForm(pc, v, errors, authorities)}`),
      400,
    );
  }
  let result: TenderSearchResult;
  try {
    result = await searchTenders(ctx, searchInput);
  } catch (err) {
    // The service's own checks (a range the wrong way round): shown like the form's.
    if (!(err instanceof DomainError) || err.code !== 'VALIDATION_FAILED') throw err;
    const field = /minValue|maxValue/.test(err.message) ? 'maxValue' : 'deadlineTo';
    const message = t(
      field === 'maxValue' ? 'publicTenders.error.valueRange' : 'publicTenders.error.dateRange',
    );
    const errs = [{ field, message }];
    return sendPage(
      reply,
      layout(pc, title, html`${intro}${errorSummary(pc, errs)}${searchForm(pc, v, errs, authorities)}`),
      400,
    );
  }
  return sendPage(
    reply,
    layout(
      pc,
      title,
      html`${intro}${searchForm(pc, v, [], authorities)}${results(pc, v, result, app.deps.clock.now())}`,
    ),
  );
}
