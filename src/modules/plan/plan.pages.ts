import { isUuid } from '../../platform/ids.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TFunction } from 'i18next';
import type { App } from '../../app.js';
import type { ErrorCode } from '../../platform/errors.js';
import { type Html, html } from '../../platform/http/html.js';
import { formatMoney } from '../../platform/i18n/i18n.js';
import { requireSignedIn } from '../portal/account.pages.js';
import {
  csrfField,
  errorSummary,
  type FieldError,
  input,
  layout,
  type PageContext,
  sendPage,
} from '../portal/layout.js';
import { errorMessage, formFields, isDomainError, pageContext, validIds } from '../portal/portal.context.js';
import {
  CONTRACT_TYPES,
  type ContractType,
  PROCEDURE_CODES,
  type ProcedureCode,
} from '../procedures/procedure.types.js';
import { getAuthoritySettings, listPublicAuthorities } from '../tenancy/authority.service.js';
import { canOnPlan } from './planned-contract.policy.js';
import {
  createPlannedContract,
  getPlannedContract,
  listPlannedContracts,
  searchPlan,
  startFileFromPlan,
  updatePlannedContract,
  withdrawPlannedContract,
} from './planned-contract.service.js';
import type {
  PlannedContractInput,
  PlannedContractView,
  PlanSearchInput,
  PlanStatus,
} from './planned-contract.types.js';
import { PLAN_STATUSES } from './planned-contract.types.js';

const AMOUNT_RE = /^\d{1,13}(\.\d{1,2})?$/;

/** Translation keys written out, so that each appears literally in the code. */
const PROCEDURE_KEYS: Record<ProcedureCode, string> = {
  menor: 'plan.procedure.menor',
  abierto_simplificado_abreviado: 'plan.procedure.abierto_simplificado_abreviado',
  abierto_simplificado: 'plan.procedure.abierto_simplificado',
  abierto: 'plan.procedure.abierto',
  restringido: 'plan.procedure.restringido',
  licitacion_con_negociacion: 'plan.procedure.licitacion_con_negociacion',
  negociado_sin_publicidad: 'plan.procedure.negociado_sin_publicidad',
};
const TYPE_KEYS: Record<ContractType, string> = {
  works: 'plan.type.works',
  supplies: 'plan.type.supplies',
  services: 'plan.type.services',
  works_concession: 'plan.type.works_concession',
  services_concession: 'plan.type.services_concession',
  mixed: 'plan.type.mixed',
};
const STATUS_KEYS: Record<PlanStatus, string> = {
  planned: 'plan.status.planned',
  file_started: 'plan.status.file_started',
  withdrawn: 'plan.status.withdrawn',
};
const FINDING_KEYS: Record<string, string> = {
  CONTRACT_TYPE_NOT_ALLOWED: 'plan.finding.CONTRACT_TYPE_NOT_ALLOWED',
  VALUE_ABOVE_LIMIT: 'plan.finding.VALUE_ABOVE_LIMIT',
  INTELLECTUAL_SERVICES_EXCLUDED: 'plan.finding.INTELLECTUAL_SERVICES_EXCLUDED',
  INVALID_VALUE: 'plan.finding.INVALID_VALUE',
};

const label = (t: TFunction, keys: Record<string, string>, v: string) => (keys[v] ? t(keys[v]) : v);
const quarter = (t: TFunction, year: number, q: number) => t('plan.quarterOf', { quarter: q, year });

function select(o: {
  name: string;
  label: string;
  value: string;
  options: [string, string][];
  errors?: FieldError[];
  blank?: string;
}): Html {
  const err = o.errors?.find((e) => e.field === o.name);
  return html`<div class="field${err ? ' field-error' : ''}"><label for="${o.name}">${o.label}</label>
    ${err ? html`<p class="error" id="${o.name}-error">${err.message}</p>` : ''}
    <select id="${o.name}" name="${o.name}" ${err ? html`aria-invalid="true" aria-describedby="${o.name}-error"` : ''}>
    ${o.blank !== undefined ? html`<option value="">${o.blank}</option>` : ''}
    ${o.options.map(([v, l]) => html`<option value="${v}" ${v === o.value ? html`selected` : ''}>${l}</option>`)}
    </select></div>`;
}

function textarea(o: { name: string; label: string; value: string; errors?: FieldError[] }): Html {
  const err = o.errors?.find((e) => e.field === o.name);
  return html`<div class="field${err ? ' field-error' : ''}"><label for="${o.name}">${o.label}</label>
    ${err ? html`<p class="error" id="${o.name}-error">${err.message}</p>` : ''}
    <textarea id="${o.name}" name="${o.name}" rows="3" maxlength="5000" ${err ? html`aria-invalid="true" aria-describedby="${o.name}-error"` : ''}>${o.value}</textarea></div>`;
}

const FORM_FIELDS = [
  'titleCa',
  'titleEs',
  'titleEn',
  'descriptionCa',
  'descriptionEs',
  'descriptionEn',
  'contractType',
  'procedure',
  'mainCpv',
  'estimatedValue',
  'expectedYear',
  'expectedQuarter',
  'lotCount',
  'reservedLots',
] as const;
type FormValues = Record<(typeof FORM_FIELDS)[number], string>;

function valuesOf(v: PlannedContractView): FormValues {
  return {
    titleCa: v.title.ca,
    titleEs: v.title.es,
    titleEn: v.title.en,
    descriptionCa: v.description.ca,
    descriptionEs: v.description.es,
    descriptionEn: v.description.en,
    contractType: v.contractType,
    procedure: v.procedure,
    mainCpv: v.mainCpv,
    estimatedValue: v.estimatedValue,
    expectedYear: String(v.expectedYear),
    expectedQuarter: String(v.expectedQuarter),
    lotCount: String(v.lotCount),
    reservedLots: String(v.reservedLots),
  };
}

/** Reads and checks the form; returns the input, or the fields in error. */
function parseForm(
  request: FastifyRequest,
  t: TFunction,
): { values: FormValues; input?: PlannedContractInput; errors: FieldError[] } {
  const f = formFields(request);
  const values = Object.fromEntries(FORM_FIELDS.map((n) => [n, f.get(n)])) as FormValues;
  const errors: FieldError[] = [];
  const req = (n: keyof FormValues, max = 200) => {
    if (!values[n] || values[n].length > max) errors.push({ field: n, message: t('form.required') });
  };
  const int = (n: keyof FormValues, min: number, max: number) => {
    const x = Number(values[n]);
    if (!/^\d{1,4}$/.test(values[n]) || x < min || x > max)
      errors.push({ field: n, message: t('form.invalidFormat') });
    return x;
  };
  req('titleCa');
  req('titleEs');
  req('titleEn');
  for (const n of ['descriptionCa', 'descriptionEs', 'descriptionEn'] as const)
    if (values[n].length > 5000) errors.push({ field: n, message: t('form.invalidFormat') });
  const contractType = CONTRACT_TYPES.find((c) => c === values.contractType);
  if (!contractType) errors.push({ field: 'contractType', message: t('form.required') });
  const procedure = PROCEDURE_CODES.find((p) => p === values.procedure);
  if (!procedure) errors.push({ field: 'procedure', message: t('form.required') });
  if (!/^\d{8}(-\d)?$/.test(values.mainCpv))
    errors.push({ field: 'mainCpv', message: t('form.invalidFormat') });
  if (!AMOUNT_RE.test(values.estimatedValue))
    errors.push({ field: 'estimatedValue', message: t('form.invalidFormat') });
  const expectedYear = int('expectedYear', 2000, 2100);
  const expectedQuarter = int('expectedQuarter', 1, 4);
  const lotCount = int('lotCount', 1, 500);
  const reservedLots = int('reservedLots', 0, 500);
  if (errors.length > 0 || !contractType || !procedure) return { values, errors };
  return {
    values,
    errors,
    input: {
      title: { ca: values.titleCa, es: values.titleEs, en: values.titleEn },
      description: { ca: values.descriptionCa, es: values.descriptionEs, en: values.descriptionEn },
      contractType,
      procedure,
      mainCpv: values.mainCpv,
      estimatedValue: values.estimatedValue,
      expectedYear,
      expectedQuarter,
      lotCount,
      reservedLots,
    },
  };
}

/** The field a service error belongs to, so that the form shows it where it applies. */
function fieldOf(code: ErrorCode, details: unknown): string {
  if (code === 'INVALID_CPV') return 'mainCpv';
  if (code === 'DEADLINE_IN_PAST') return 'expectedQuarter';
  if (code === 'REFERENCE_TAKEN') return 'reference';
  const field = (details as { field?: unknown } | undefined)?.field;
  return typeof field === 'string' ? field : 'titleCa';
}

function planForm(
  pc: PageContext,
  action: string,
  v: Partial<FormValues>,
  errors: FieldError[],
  extra?: Html,
): Html {
  const t = pc.t;
  const years = Array.from({ length: 6 }, (_, i) => String(new Date().getUTCFullYear() - 1 + i));
  return html`<form method="post" action="${action}" novalidate>${csrfField(pc)}${extra ?? ''}
    <fieldset><legend>${t('plan.form.object')}</legend>
    ${input({ name: 'titleCa', label: t('plan.form.titleCa'), value: v.titleCa, required: true, maxlength: 200, errors })}
    ${input({ name: 'titleEs', label: t('plan.form.titleEs'), value: v.titleEs, required: true, maxlength: 200, errors })}
    ${input({ name: 'titleEn', label: t('plan.form.titleEn'), value: v.titleEn, required: true, maxlength: 200, errors })}
    ${textarea({ name: 'descriptionCa', label: t('plan.form.descriptionCa'), value: v.descriptionCa ?? '', errors })}
    ${textarea({ name: 'descriptionEs', label: t('plan.form.descriptionEs'), value: v.descriptionEs ?? '', errors })}
    ${textarea({ name: 'descriptionEn', label: t('plan.form.descriptionEn'), value: v.descriptionEn ?? '', errors })}
    </fieldset>
    <fieldset><legend>${t('plan.form.contract')}</legend>
    ${select({ name: 'contractType', label: t('plan.contractType'), value: v.contractType ?? 'services', options: CONTRACT_TYPES.map((c) => [c, label(t, TYPE_KEYS, c)]), errors })}
    ${select({ name: 'procedure', label: t('plan.procedure'), value: v.procedure ?? 'abierto', options: PROCEDURE_CODES.map((p) => [p, label(t, PROCEDURE_KEYS, p)]), errors })}
    ${input({ name: 'mainCpv', label: t('plan.cpv'), value: v.mainCpv, required: true, hint: t('plan.form.cpvHint'), errors })}
    ${input({ name: 'estimatedValue', label: t('plan.value'), value: v.estimatedValue, required: true, hint: t('plan.form.valueHint'), errors })}
    </fieldset>
    <fieldset><legend>${t('plan.form.when')}</legend>
    ${select({ name: 'expectedYear', label: t('plan.year'), value: v.expectedYear ?? years[1] ?? '', options: years.map((y) => [y, y]), errors })}
    ${select({ name: 'expectedQuarter', label: t('plan.quarter'), value: v.expectedQuarter ?? '1', options: ['1', '2', '3', '4'].map((q) => [q, t('plan.quarterN', { quarter: q })]), errors })}
    </fieldset>
    <fieldset><legend>${t('plan.form.lots')}</legend>
    ${input({ name: 'lotCount', label: t('plan.lotCount'), type: 'number', value: v.lotCount ?? '1', required: true, errors })}
    ${input({ name: 'reservedLots', label: t('plan.reservedLots'), type: 'number', value: v.reservedLots ?? '0', required: true, hint: t('plan.form.reservedHint'), errors })}
    </fieldset>
    <button type="submit">${t('plan.form.save')}</button></form>`;
}

/** The back office's links around the plan: the authority's files and its plan. */
function planNav(pc: PageContext, authorityId: string): Html {
  const plan = `/office/${authorityId}/plan`;
  return html`<nav class="sub-nav" aria-label="${pc.t('plan.officeSections')}"><ul>
    <li><a href="/office/${authorityId}/tenders">${pc.t('plan.files')}</a></li>
    <li><a href="${plan}" ${pc.path === plan ? html`aria-current="page"` : ''}>${pc.t('plan.navPlan')}</a></li>
  </ul></nav>`;
}

/**
 * The procurement plan's pages: the public plan of every authority, searchable (art. 28.4), and
 * the back office where the procurement office keeps its authority's plan and starts files from it.
 */
export function planPages(app: App, r: FastifyInstance): void {
  // --- public ---
  r.get<{ Querystring: Record<string, string | undefined> }>('/plan', async (request, reply) => {
    const pc = await pageContext(app, request, reply);
    const t = pc.t;
    const ctx = app.serviceContext(request);
    const q = request.query;
    const get = (n: string) => (q[n] ?? '').trim().slice(0, 200);
    const errors: FieldError[] = [];
    const search: PlanSearchInput = {};
    const text = get('q');
    if (text) search.q = text;
    const authority = get('authority');
    if (authority) {
      if (isUuid(authority)) search.authority = authority;
      else errors.push({ field: 'authority', message: t('form.invalidFormat') });
    }
    const cpv = get('cpv');
    if (cpv) {
      if (/^(\d{2,8}|\d{8}-\d)$/.test(cpv)) search.cpv = cpv;
      else errors.push({ field: 'cpv', message: t('form.invalidFormat') });
    }
    const year = get('year');
    if (year) {
      if (/^\d{4}$/.test(year)) search.year = Number(year);
      else errors.push({ field: 'year', message: t('form.invalidFormat') });
    }
    const qr = get('quarter');
    if (qr) {
      if (/^[1-4]$/.test(qr)) search.quarter = Number(qr);
      else errors.push({ field: 'quarter', message: t('form.invalidFormat') });
    }
    const procedure = PROCEDURE_CODES.find((p) => p === get('procedure'));
    if (procedure) search.procedure = procedure;
    const status = PLAN_STATUSES.find((s) => s === get('status'));
    if (status) search.status = status;
    for (const n of ['minValue', 'maxValue'] as const) {
      const v = get(n);
      if (!v) continue;
      if (AMOUNT_RE.test(v)) search[n] = v;
      else errors.push({ field: n, message: t('form.invalidFormat') });
    }
    const page = /^\d{1,3}$/.test(get('page')) ? Math.max(1, Number(get('page'))) : 1;
    search.page = page;
    const authorities = await listPublicAuthorities(ctx);
    let result: Awaited<ReturnType<typeof searchPlan>> | undefined;
    if (errors.length === 0) {
      try {
        result = await searchPlan(ctx, search);
      } catch (err) {
        if (!isDomainError(err) || err.code !== 'VALIDATION_FAILED') throw err;
        errors.push({ field: 'minValue', message: errorMessage(t, err.code) });
      }
    }
    const link = (p: number) => {
      const params = new URLSearchParams(
        Object.entries({ ...q, page: String(p) }).filter(
          (e): e is [string, string] => typeof e[1] === 'string' && e[1] !== '',
        ),
      );
      return `/plan?${params.toString()}`;
    };
    const pages = result ? Math.max(1, Math.ceil(result.total / result.pageSize)) : 1;
    const body = html`<p class="lead">${t('plan.publicLead')}</p>${errorSummary(pc, errors)}
      <form method="get" action="/plan" class="filters" role="search" aria-label="${t('plan.searchLabel')}">
        ${input({ name: 'q', label: t('plan.words'), value: text, hint: t('plan.wordsHint'), errors })}
        ${select({ name: 'authority', label: t('plan.authority'), value: authority, blank: t('plan.any'), options: authorities.map((a) => [a.id, a.name[pc.locale]]), errors })}
        ${input({ name: 'cpv', label: t('plan.cpv'), value: cpv, hint: t('plan.cpvHint'), errors })}
        ${input({ name: 'year', label: t('plan.year'), value: year, errors, maxlength: 4 })}
        ${select({ name: 'quarter', label: t('plan.quarter'), value: qr, blank: t('plan.any'), options: ['1', '2', '3', '4'].map((x) => [x, t('plan.quarterN', { quarter: x })]), errors })}
        ${select({ name: 'procedure', label: t('plan.procedure'), value: procedure ?? '', blank: t('plan.any'), options: PROCEDURE_CODES.map((p) => [p, label(t, PROCEDURE_KEYS, p)]), errors })}
        ${select({ name: 'status', label: t('plan.statusLabel'), value: status ?? '', blank: t('plan.statusDefault'), options: PLAN_STATUSES.map((s) => [s, label(t, STATUS_KEYS, s)]), errors })}
        ${input({ name: 'minValue', label: t('plan.minValue'), value: get('minValue'), errors })}
        ${input({ name: 'maxValue', label: t('plan.maxValue'), value: get('maxValue'), errors })}
        <button type="submit">${t('plan.search')}</button>
      </form>
      ${
        result
          ? html`<table><caption>${t('plan.resultsCaption', { count: result.total })}</caption>
        <thead><tr><th scope="col">${t('plan.object')}</th><th scope="col">${t('plan.authority')}</th><th scope="col">${t('plan.cpv')}</th><th scope="col">${t('plan.procedure')}</th><th scope="col">${t('plan.value')}</th><th scope="col">${t('plan.expected')}</th><th scope="col">${t('plan.lots')}</th><th scope="col">${t('plan.statusLabel')}</th></tr></thead>
        <tbody>${result.items.map(
          (
            i,
          ) => html`<tr><td><strong>${i.title[pc.locale]}</strong>${i.description[pc.locale] ? html`<br>${i.description[pc.locale]}` : ''}</td>
            <td>${i.authority.name[pc.locale]}</td><td><code>${i.mainCpv}</code></td>
            <td>${label(t, PROCEDURE_KEYS, i.procedure)}<br>${label(t, TYPE_KEYS, i.contractType)}</td>
            <td>${formatMoney(pc.locale, i.estimatedValue)}</td><td>${quarter(t, i.expectedYear, i.expectedQuarter)}</td>
            <td>${t('plan.lotsValue', { count: i.lotCount, reserved: i.reservedLots })}</td><td>${label(t, STATUS_KEYS, i.status)}</td></tr>`,
        )}</tbody></table>
        ${
          pages > 1
            ? html`<nav aria-label="${t('plan.pages')}"><ul class="pager">
            ${result.page > 1 ? html`<li><a href="${link(result.page - 1)}" rel="prev">${t('plan.previous')}</a></li>` : ''}
            <li>${t('plan.pageOf', { page: result.page, pages })}</li>
            ${result.page < pages ? html`<li><a href="${link(result.page + 1)}" rel="next">${t('plan.next')}</a></li>` : ''}
            </ul></nav>`
            : ''
        }`
          : ''
      }`;
    return sendPage(reply, layout(pc, t('plan.publicTitle'), body), errors.length ? 400 : 200);
  });

  // --- back office ---
  const listPage = async (
    request: FastifyRequest,
    pc: PageContext,
    id: string,
    o: { errors?: FieldError[]; values?: Partial<FormValues> } = {},
  ) => {
    const ctx = app.serviceContext(request);
    const items = await listPlannedContracts(ctx, id);
    const s = await getAuthoritySettings(ctx, id);
    const t = pc.t;
    const canEdit = canOnPlan(request.actor, 'plan.edit', id) === 'allow';
    const errors = o.errors ?? [];
    return layout(
      pc,
      `${t('plan.officeTitle')}: ${s.name[pc.locale]}`,
      html`${planNav(pc, id)}${errorSummary(pc, errors)}<p>${t('plan.officeLead')}</p>
      <table><caption>${t('plan.officeCaption', { count: items.length })}</caption>
      <thead><tr><th scope="col">${t('plan.object')}</th><th scope="col">${t('plan.procedure')}</th><th scope="col">${t('plan.value')}</th><th scope="col">${t('plan.expected')}</th><th scope="col">${t('plan.statusLabel')}</th></tr></thead>
      <tbody>${items.map(
        (i) => html`<tr><td><a href="/office/${id}/plan/${i.id}">${i.title[pc.locale]}</a></td>
          <td>${label(t, PROCEDURE_KEYS, i.procedure)}</td><td>${formatMoney(pc.locale, i.estimatedValue)}</td>
          <td>${quarter(t, i.expectedYear, i.expectedQuarter)}</td><td>${label(t, STATUS_KEYS, i.status)}</td></tr>`,
      )}</tbody></table>
      ${canEdit ? html`<section aria-labelledby="new-h"><h2 id="new-h">${t('plan.new')}</h2>${planForm(pc, `/office/${id}/plan`, o.values ?? {}, errors)}</section>` : ''}`,
    );
  };

  r.get<{ Params: { authorityId: string } }>('/office/:authorityId/plan', async (request, reply) => {
    if (!requireSignedIn(request, reply) || !validIds(reply, request.params.authorityId)) return reply;
    const pc = await pageContext(app, request, reply);
    return sendPage(reply, await listPage(request, pc, request.params.authorityId));
  });

  const PASS_THROUGH = ['FORBIDDEN', 'NOT_FOUND', 'UNAUTHENTICATED'];

  r.post<{ Params: { authorityId: string } }>('/office/:authorityId/plan', async (request, reply) => {
    if (!requireSignedIn(request, reply) || !validIds(reply, request.params.authorityId)) return reply;
    const pc = await pageContext(app, request, reply);
    const id = request.params.authorityId;
    const parsed = parseForm(request, pc.t);
    if (!parsed.input) {
      return sendPage(
        reply,
        await listPage(request, pc, id, { errors: parsed.errors, values: parsed.values }),
        400,
      );
    }
    try {
      const created = await createPlannedContract(app.serviceContext(request), id, parsed.input);
      return reply.redirect(`/office/${id}/plan/${created.id}?done=saved`, 303);
    } catch (err) {
      if (!isDomainError(err) || PASS_THROUGH.includes(err.code)) throw err;
      const errors = [{ field: fieldOf(err.code, err.details), message: errorMessage(pc.t, err.code) }];
      return sendPage(reply, await listPage(request, pc, id, { errors, values: parsed.values }), 422);
    }
  });

  const itemPage = async (
    request: FastifyRequest,
    pc: PageContext,
    id: string,
    itemId: string,
    o: { errors?: FieldError[]; values?: Partial<FormValues>; notice?: string } = {},
  ) => {
    const ctx = app.serviceContext(request);
    const item = await getPlannedContract(ctx, id, itemId);
    const t = pc.t;
    const canEdit = canOnPlan(request.actor, 'plan.edit', id) === 'allow' && item.status === 'planned';
    const errors = o.errors ?? [];
    const facts = html`<dl class="facts">
      <dt>${t('plan.statusLabel')}</dt><dd>${label(t, STATUS_KEYS, item.status)}</dd>
      <dt>${t('plan.procedure')}</dt><dd>${label(t, PROCEDURE_KEYS, item.procedure)}</dd>
      <dt>${t('plan.value')}</dt><dd>${formatMoney(pc.locale, item.estimatedValue)}</dd>
      <dt>${t('plan.expected')}</dt><dd>${quarter(t, item.expectedYear, item.expectedQuarter)}</dd>
      ${item.tenderId ? html`<dt>${t('plan.file')}</dt><dd><a href="/office/${id}/tenders/${item.tenderId}">${t('plan.openFile')}</a></dd>` : ''}
      ${item.withdrawalReason ? html`<dt>${t('plan.withdrawalReason')}</dt><dd>${item.withdrawalReason}</dd>` : ''}
    </dl>`;
    const findings = item.findings.length
      ? html`<section aria-labelledby="findings-h"><h2 id="findings-h">${t('plan.findings')}</h2><ul>${item.findings.map(
          (f) =>
            html`<li>${label(t, FINDING_KEYS, f.code)} (${f.source}${f.limit ? html`; ${formatMoney(pc.locale, f.limit)}` : ''})</li>`,
        )}</ul></section>`
      : '';
    const base = `/office/${id}/plan/${itemId}`;
    const version = html`<input type="hidden" name="version" value="${item.version}">`;
    return layout(
      pc,
      item.title[pc.locale],
      html`${planNav(pc, id)}${o.notice ? html`<p class="notice" role="status">${o.notice}</p>` : ''}${errorSummary(pc, errors)}
      ${facts}${findings}
      ${
        canEdit
          ? html`<section aria-labelledby="start-h"><h2 id="start-h">${t('plan.startFile')}</h2><p>${t('plan.startFileLead')}</p>
          <form method="post" action="${base}/start-file" novalidate>${csrfField(pc)}
          ${input({ name: 'reference', label: t('plan.reference'), required: true, maxlength: 60, hint: t('plan.referenceHint'), errors })}
          <button type="submit">${t('plan.startFileSubmit')}</button></form></section>
          <section aria-labelledby="edit-h"><h2 id="edit-h">${t('plan.edit')}</h2>${planForm(pc, base, o.values ?? valuesOf(item), errors, version)}</section>
          <section aria-labelledby="withdraw-h"><h2 id="withdraw-h">${t('plan.withdraw')}</h2>
          <form method="post" action="${base}/withdraw" novalidate>${csrfField(pc)}${version}
          ${input({ name: 'reason', label: t('plan.withdrawalReason'), required: true, maxlength: 2000, errors })}
          <button type="submit" class="danger">${t('plan.withdrawSubmit')}</button></form></section>`
          : ''
      }
      <p><a href="/office/${id}/plan">${t('plan.back')}</a></p>`,
    );
  };

  type ItemReq = FastifyRequest<{
    Params: { authorityId: string; itemId: string };
    Querystring: { done?: string };
  }>;

  r.get('/office/:authorityId/plan/:itemId', async (request: ItemReq, reply) => {
    const { authorityId: id, itemId } = request.params;
    if (!requireSignedIn(request, reply) || !validIds(reply, id, itemId)) return reply;
    const pc = await pageContext(app, request, reply);
    const done = request.query.done;
    const notice =
      done === 'saved'
        ? pc.t('plan.saved')
        : done === 'started'
          ? pc.t('plan.started')
          : done === 'withdrawn'
            ? pc.t('plan.withdrawn')
            : undefined;
    return sendPage(reply, await itemPage(request, pc, id, itemId, notice ? { notice } : {}));
  });

  /** Runs an item action; a refused one re-renders the page with the error next to `field`. */
  const itemAction = async (
    request: ItemReq,
    reply: FastifyReply,
    run: (pc: PageContext) => Promise<{ errors?: FieldError[]; values?: Partial<FormValues> } | string>,
  ) => {
    const { authorityId: id, itemId } = request.params;
    if (!requireSignedIn(request, reply) || !validIds(reply, id, itemId)) return reply;
    const pc = await pageContext(app, request, reply);
    try {
      const outcome = await run(pc);
      if (typeof outcome === 'string')
        return reply.redirect(`/office/${id}/plan/${itemId}?done=${outcome}`, 303);
      return sendPage(reply, await itemPage(request, pc, id, itemId, outcome), 400);
    } catch (err) {
      if (!isDomainError(err) || PASS_THROUGH.includes(err.code)) throw err;
      const errors = [{ field: fieldOf(err.code, err.details), message: errorMessage(pc.t, err.code) }];
      const status =
        err.code === 'STALE_VERSION' || err.code === 'INVALID_TRANSITION' || err.code === 'REFERENCE_TAKEN'
          ? 409
          : 422;
      return sendPage(reply, await itemPage(request, pc, id, itemId, { errors }), status);
    }
  };

  const versionOf = (request: FastifyRequest) => {
    const v = formFields(request).get('version');
    return /^\d{1,9}$/.test(v) ? Number(v) : 0;
  };

  r.post('/office/:authorityId/plan/:itemId', async (request: ItemReq, reply) =>
    itemAction(request, reply, async (pc) => {
      const parsed = parseForm(request, pc.t);
      if (!parsed.input) return { errors: parsed.errors, values: parsed.values };
      await updatePlannedContract(
        app.serviceContext(request),
        request.params.authorityId,
        request.params.itemId,
        {
          ...parsed.input,
          version: versionOf(request),
        },
      );
      return 'saved';
    }),
  );

  r.post('/office/:authorityId/plan/:itemId/withdraw', async (request: ItemReq, reply) =>
    itemAction(request, reply, async (pc) => {
      const reason = formFields(request).get('reason').slice(0, 2000);
      if (!reason) return { errors: [{ field: 'reason', message: pc.t('form.required') }] };
      await withdrawPlannedContract(
        app.serviceContext(request),
        request.params.authorityId,
        request.params.itemId,
        {
          version: versionOf(request),
          reason,
        },
      );
      return 'withdrawn';
    }),
  );

  r.post('/office/:authorityId/plan/:itemId/start-file', async (request: ItemReq, reply) =>
    itemAction(request, reply, async (pc) => {
      const reference = formFields(request).get('reference').slice(0, 60);
      if (!reference) return { errors: [{ field: 'reference', message: pc.t('form.required') }] };
      await startFileFromPlan(
        app.serviceContext(request),
        request.params.authorityId,
        request.params.itemId,
        { reference },
      );
      return 'started';
    }),
  );
}
