import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { App } from '../../app.js';
import { html } from '../../platform/http/html.js';
import type { Locale } from '../../platform/i18n/i18n.js';
import { requireSignedIn } from '../portal/account.pages.js';
import { adminNav } from '../portal/admin.pages.js';
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
import { getAuthoritySettings } from '../tenancy/authority.service.js';
import { canOnAuthority } from '../tenancy/tenancy.policy.js';
import { localDate } from './calendar.rules.js';
import { HOLIDAY_KINDS, type HolidayKind, type HolidayView } from './holiday.rules.js';
import { addAuthorityHoliday, listAuthorityHolidays, removeAuthorityHoliday } from './holiday.service.js';

const DAY_RE = /^\d{4}-\d{2}-\d{2}$/;
const INTL_TAGS: Record<Locale, string> = { ca: 'ca-ES', es: 'es-ES', en: 'en-GB' };

/** A calendar day written out in the page's language ("dimecres, 24 de juny de 2026"). */
function formatDay(locale: Locale, day: string): string {
  return new Intl.DateTimeFormat(INTL_TAGS[locale], { dateStyle: 'full', timeZone: 'UTC' }).format(
    new Date(`${day}T00:00:00Z`),
  );
}

function kindLabel(pc: PageContext, kind: HolidayKind): string {
  const labels: Record<HolidayKind, string> = {
    national: pc.t('calendar.kindNational'),
    regional: pc.t('calendar.kindRegional'),
    local: pc.t('calendar.kindLocal'),
  };
  return labels[kind];
}

type Opts = {
  year?: number | undefined;
  errors?: FieldError[];
  values?: Record<string, string>;
  notice?: string;
};

/**
 * The authority's holiday calendar for one year, and, for its administrator, the forms that add a
 * day, remove one (an official day is then excluded) and restore an excluded official day.
 */
export function holidayPages(app: App, r: FastifyInstance): void {
  const page = async (request: FastifyRequest, pc: PageContext, id: string, opts: Opts = {}) => {
    const ctx = app.serviceContext(request);
    const s = await getAuthoritySettings(ctx, id);
    const t = pc.t;
    const thisYear = Number(localDate(ctx.clock.now(), s.timeZone).slice(0, 4));
    const year = opts.year ?? thisYear;
    const cal = await listAuthorityHolidays(ctx, id, year);
    const canManage = canOnAuthority(request.actor, 'holiday.manage', id) === 'allow';
    const errors = opts.errors ?? [];
    const v = opts.values ?? {};
    const years = [...new Set([thisYear, thisYear + 1, ...cal.officialYears.map((y) => y.year)])].sort();
    const status = cal.officialYears.find((y) => y.year === year);
    const action = (h: HolidayView) => {
      if (!canManage) return '';
      const label = html`<span class="visually-hidden"> ${formatDay(pc.locale, h.day)}</span>`;
      if (h.applies) {
        return html`<form method="post" action="/admin/authorities/${id}/holidays/${h.day}/remove" class="inline">${csrfField(pc)}
          <button type="submit" class="danger">${h.origin === 'official' ? t('calendar.exclude') : t('calendar.remove')}${label}</button></form>`;
      }
      return html`<form method="post" action="/admin/authorities/${id}/holidays" class="inline">${csrfField(pc)}
        <input type="hidden" name="day" value="${h.day}"><input type="hidden" name="name" value="${h.name[pc.locale]}">
        <button type="submit">${t('calendar.restore')}${label}</button></form>`;
    };
    return layout(
      pc,
      `${t('calendar.title')}: ${s.name[pc.locale]}`,
      html`${adminNav(pc, id)}${opts.notice ? html`<p class="notice" role="status">${opts.notice}</p>` : ''}${errorSummary(pc, errors)}
      <p>${t('calendar.lead')}</p>
      <nav aria-label="${t('calendar.years')}" class="sub-nav"><ul>${years.map(
        (y) =>
          html`<li><a href="/admin/authorities/${id}/holidays?year=${y}" ${y === year ? html`aria-current="page"` : ''}>${y}</a></li>`,
      )}</ul></nav>
      ${
        status?.status === 'provisional'
          ? html`<p class="notice">${t('calendar.provisional', { source: status.source })}</p>`
          : status
            ? html`<p>${t('calendar.officialSource', { source: status.source })}</p>`
            : html`<p class="notice">${t('calendar.noOfficial')}</p>`
      }
      <table><caption>${t('calendar.caption', { year, count: cal.holidays.filter((h) => h.applies).length })}</caption>
      <thead><tr><th scope="col">${t('calendar.day')}</th><th scope="col">${t('calendar.name')}</th><th scope="col">${t('calendar.kind')}</th><th scope="col">${t('calendar.applies')}</th>${canManage ? html`<th scope="col">${t('calendar.actions')}</th>` : ''}</tr></thead>
      <tbody>${cal.holidays.map(
        (
          h,
        ) => html`<tr><td><time datetime="${h.day}">${formatDay(pc.locale, h.day)}</time></td><td>${h.name[pc.locale]}</td>
          <td>${kindLabel(pc, h.kind)}${h.origin === 'authority' ? html` (${t('calendar.addedHere')})` : ''}</td>
          <td>${h.applies ? t('calendar.appliesYes') : t('calendar.appliesNo')}</td>${canManage ? html`<td>${action(h)}</td>` : ''}</tr>`,
      )}</tbody></table>
      ${
        canManage
          ? html`<section aria-labelledby="add-h"><h2 id="add-h">${t('calendar.add')}</h2>
        <form method="post" action="/admin/authorities/${id}/holidays" novalidate>${csrfField(pc)}
        ${input({ name: 'day', label: t('calendar.day'), type: 'date', value: v.day, required: true, hint: t('calendar.dayHint'), errors })}
        ${input({ name: 'name', label: t('calendar.name'), value: v.name, required: true, maxlength: 120, errors })}
        <fieldset><legend>${t('calendar.kind')}</legend>
        ${HOLIDAY_KINDS.map(
          (k) =>
            html`<div class="checkbox"><input type="radio" id="kind-${k}" name="kind" value="${k}" ${(v.kind ?? 'local') === k ? html`checked` : ''}>
            <label for="kind-${k}">${kindLabel(pc, k)}</label></div>`,
        )}</fieldset>
        <button type="submit">${t('calendar.addSubmit')}</button></form></section>`
          : ''
      }`,
    );
  };

  const yearOf = (value: string | undefined) => (value && /^\d{4}$/.test(value) ? Number(value) : undefined);
  const PAGE_ERRORS = ['FORBIDDEN', 'NOT_FOUND', 'UNAUTHENTICATED'];

  r.get<{ Params: { id: string }; Querystring: { year?: string; done?: string } }>(
    '/admin/authorities/:id/holidays',
    async (request, reply) => {
      if (!requireSignedIn(request, reply) || !validIds(reply, request.params.id)) return reply;
      const pc = await pageContext(app, request, reply);
      const done = request.query.done;
      const notice =
        done === 'added' ? pc.t('calendar.added') : done === 'removed' ? pc.t('calendar.removed') : undefined;
      return sendPage(
        reply,
        await page(request, pc, request.params.id, {
          year: yearOf(request.query.year),
          ...(notice ? { notice } : {}),
        }),
      );
    },
  );

  r.post<{ Params: { id: string } }>('/admin/authorities/:id/holidays', async (request, reply) => {
    if (!requireSignedIn(request, reply) || !validIds(reply, request.params.id)) return reply;
    const f = formFields(request);
    const pc = await pageContext(app, request, reply);
    const values = { day: f.get('day'), name: f.get('name'), kind: f.get('kind') || 'local' };
    const errors: FieldError[] = [];
    if (!DAY_RE.test(values.day)) errors.push({ field: 'day', message: pc.t('form.invalidFormat') });
    if (!values.name || values.name.length > 120)
      errors.push({ field: 'name', message: pc.t('form.required') });
    const kind = HOLIDAY_KINDS.find((k) => k === values.kind);
    if (!kind) errors.push({ field: 'kind-local', message: pc.t('form.invalidFormat') });
    const year = yearOf(values.day.slice(0, 4));
    if (errors.length)
      return sendPage(reply, await page(request, pc, request.params.id, { year, errors, values }), 400);
    try {
      await addAuthorityHoliday(app.serviceContext(request), request.params.id, {
        day: values.day,
        name: values.name,
        kind,
      });
    } catch (err) {
      if (!isDomainError(err) || PAGE_ERRORS.includes(err.code)) throw err;
      return sendPage(
        reply,
        await page(request, pc, request.params.id, {
          year,
          values,
          errors: [{ field: 'day', message: errorMessage(pc.t, err.code) }],
        }),
        err.code === 'CONFLICT' ? 409 : 422,
      );
    }
    return reply.redirect(`/admin/authorities/${request.params.id}/holidays?year=${year}&done=added`, 303);
  });

  r.post<{ Params: { id: string; day: string } }>(
    '/admin/authorities/:id/holidays/:day/remove',
    async (request, reply) => {
      if (!requireSignedIn(request, reply) || !validIds(reply, request.params.id)) return reply;
      const day = request.params.day;
      if (!DAY_RE.test(day)) return reply.callNotFound();
      const pc = await pageContext(app, request, reply);
      const year = yearOf(day.slice(0, 4));
      try {
        await removeAuthorityHoliday(app.serviceContext(request), request.params.id, day);
      } catch (err) {
        if (!isDomainError(err) || ['FORBIDDEN', 'UNAUTHENTICATED'].includes(err.code)) throw err;
        return sendPage(
          reply,
          await page(request, pc, request.params.id, {
            year,
            errors: [{ field: 'day', message: errorMessage(pc.t, err.code) }],
          }),
          err.code === 'NOT_FOUND' ? 404 : 422,
        );
      }
      return reply.redirect(
        `/admin/authorities/${request.params.id}/holidays?year=${year}&done=removed`,
        303,
      );
    },
  );
}
