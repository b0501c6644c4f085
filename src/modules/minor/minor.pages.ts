import { isUuid } from '../../platform/ids.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../../app.js';
import { DomainError, statusOf } from '../../platform/errors.js';
import { type Html, html } from '../../platform/http/html.js';
import { formatDateTime, formatMoney } from '../../platform/i18n/i18n.js';
import { parsePercentage } from '../../platform/money.js';
import { endOfDay, localDate } from '../calendar/calendar.rules.js';
import { authorityCalendar } from '../calendar/calendar.service.js';
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
import { findAuthorityBySlug } from '../tenancy/authority.repo.js';
import { authorizeOnMinor, canOnMinor } from './minor-contract.policy.js';
import type { MinorContractView } from './minor-contract.presenter.js';
import { quarterOf } from './minor-contract.rules.js';
import {
  awardMinorContract,
  getMinorContract,
  inviteCompanies,
  listCompanyInvitations,
  listMinorContracts,
  quarterlyList,
  startMinorContract,
  submitQuote,
  suggestCompanies,
  voidMinorContract,
} from './minor-contract.service.js';

const DAY_RE = /^\d{4}-\d{2}-\d{2}$/;
const AMOUNT_RE = /^\d{1,13}(\.\d{1,2})?$/;
const VAT_RE = /^\d{1,3}(\.\d{1,2})?$/;

/** Labels of the fast path's states, written out so that every key appears in the code. */
const STATUS_KEYS: Record<string, string> = {
  not_started: 'minor.status.not_started',
  inviting: 'minor.status.inviting',
  awarded: 'minor.status.awarded',
  void: 'minor.status.void',
};

/** The form field an error code belongs to, for the error summary's link. */
const FIELD_OF: Record<string, string> = {
  MINOR_TOO_FEW_INVITATIONS: 'justification',
  DEADLINE_IN_PAST: 'quoteDeadline',
  MINOR_SPLITTING_RISK: 'splittingJustification',
  MINOR_THRESHOLD_EXCEEDED: 'quoteId',
  QUOTES_SEALED: 'quoteId',
  DEADLINE_PASSED: 'companyIds',
};

function textarea(name: string, label: string, hint: string, errors: FieldError[], value = '') {
  const err = errors.find((e) => e.field === name);
  const describedBy = [`${name}-hint`, err ? `${name}-error` : ''].filter(Boolean).join(' ');
  return html`<div class="field${err ? ' field-error' : ''}">
    <label for="${name}">${label}</label>
    <p class="hint" id="${name}-hint">${hint}</p>
    ${err ? html`<p class="error" id="${name}-error">${err.message}</p>` : ''}
    <textarea id="${name}" name="${name}" rows="4" maxlength="5000" aria-describedby="${describedBy}" ${err ? html`aria-invalid="true"` : ''}>${value}</textarea>
  </div>`;
}

type OfficeParams = { Params: { authorityId: string; tenderId: string } };

export function minorPages(app: App, r: FastifyInstance): void {
  r.get<{ Params: { authorityId: string } }>(
    '/office/:authorityId/minor-contracts',
    async (request, reply) => {
      if (!requireSignedIn(request, reply)) return reply;
      if (!validIds(reply, request.params.authorityId)) return reply;
      const pc = await pageContext(app, request, reply);
      const t = pc.t;
      const { authorityId } = request.params;
      const files = await listMinorContracts(app.serviceContext(request), authorityId);
      const body = html`<p>${t('minor.office.lead')}</p>
      <table><caption>${t('minor.office.caption', { count: files.length })}</caption>
      <thead><tr><th scope="col">${t('minor.reference')}</th><th scope="col">${t('minor.object')}</th>
        <th scope="col">${t('minor.estimatedValue')}</th><th scope="col">${t('minor.state')}</th><th scope="col">${t('minor.quoteDeadline')}</th></tr></thead>
      <tbody>${files.map(
        (
          f,
        ) => html`<tr><td><a href="/office/${authorityId}/minor-contracts/${f.tenderId}">${f.reference}</a></td>
          <td>${f.title[pc.locale]}</td><td>${formatMoney(pc.locale, f.estimatedValue)}</td>
          <td>${t(STATUS_KEYS[f.status] ?? 'minor.status.not_started')}</td>
          <td>${f.quoteDeadline ? formatDateTime(pc.locale, new Date(f.quoteDeadline)) : '—'}</td></tr>`,
      )}</tbody></table>`;
      return sendPage(reply, layout(pc, t('minor.office.title'), body));
    },
  );

  const detailPage = async (
    request: FastifyRequest<OfficeParams>,
    pc: PageContext,
    errors: FieldError[] = [],
    v: Record<string, string> = {},
  ): Promise<Html> => {
    const t = pc.t;
    const { authorityId, tenderId } = request.params;
    const ctx = app.serviceContext(request);
    const m: MinorContractView = await getMinorContract(ctx, authorityId, tenderId);
    // Reading is open to every role of the file; the forms only to those who may act, so that an
    // administrator, approver or auditor sees the page instead of a 403 from the suggestions.
    const mayInvite = canOnMinor(ctx.actor, 'minor.invite', authorityId) === 'allow';
    const mayAward = canOnMinor(ctx.actor, 'minor.award', authorityId) === 'allow';
    const mayStart =
      mayInvite && m.tenderStatus === 'approved' && (m.status === 'not_started' || m.status === 'void');
    const mayInviteMore =
      mayInvite && m.tenderStatus === 'approved' && m.status === 'inviting' && m.quotesSealed;
    const suggestions = mayStart || mayInviteMore ? await suggestCompanies(ctx, authorityId, tenderId) : [];
    const base = `/office/${authorityId}/minor-contracts/${tenderId}`;
    const money = (a: string) => formatMoney(pc.locale, a);
    const suggestionBoxes = html`<fieldset><legend>${t('minor.suggestions')}</legend>
      <p class="hint">${t('minor.suggestionsHint')}</p>
      ${
        suggestions.length === 0
          ? html`<p>${t('minor.noSuggestions')}</p>`
          : suggestions.map(
              (
                s,
              ) => html`<div class="checkbox"><input type="checkbox" id="c-${s.id}" name="companyIds" value="${s.id}">
              <label for="c-${s.id}">${s.legalName} (${s.taxId})${s.isSme ? html` · ${t('minor.sme')}` : ''}${
                s.recentMinorAwards > 0
                  ? html` · ${t('minor.recentAwards', { count: s.recentMinorAwards, amount: money(s.recentAmount) })}`
                  : ''
              }</label></div>`,
            )
      }
      ${input({ name: 'otherCompanyIds', label: t('minor.otherCompanies'), hint: t('minor.otherCompaniesHint'), value: v.otherCompanyIds, errors })}
    </fieldset>`;
    const facts = html`<dl class="facts">
      <dt>${t('minor.reference')}</dt><dd>${m.reference}</dd>
      <dt>${t('minor.estimatedValue')}</dt><dd>${money(m.estimatedValue)}</dd>
      <dt>${t('minor.threshold')}</dt><dd>${money(m.threshold)}</dd>
      <dt>${t('minor.state')}</dt><dd>${t(STATUS_KEYS[m.status] ?? 'minor.status.not_started')}</dd>
      ${m.quoteDeadline ? html`<dt>${t('minor.quoteDeadline')}</dt><dd>${formatDateTime(pc.locale, new Date(m.quoteDeadline))}</dd>` : ''}
    </dl>`;
    // The request for quotes: the first one, or a new round after a void one.
    const startSection =
      m.tenderStatus !== 'approved'
        ? html`<p>${t('minor.needsApproval')}</p>`
        : !mayStart
          ? html`<p>${t('minor.notAskedYet')}</p>`
          : html`<section aria-labelledby="start-h"><h2 id="start-h">${t('minor.startTitle')}</h2>
          ${m.status === 'void' ? html`<p>${t('minor.newRound')}</p>` : ''}
          <form method="post" action="${base}/start" novalidate>${csrfField(pc)}
          ${suggestionBoxes}
          ${input({ name: 'quoteDeadline', label: t('minor.quoteDeadlineDay'), type: 'date', hint: t('minor.quoteDeadlineHint'), value: v.quoteDeadline, required: true, errors })}
          ${textarea('justification', t('minor.fewerJustification'), t('minor.fewerJustificationHint', { count: m.minInvitations }), errors, v.justification)}
          <button type="submit">${t('minor.startSubmit')}</button></form></section>`;
    let main: Html;
    if (m.status === 'not_started') {
      main = startSection;
    } else {
      const invitations = html`<table><caption>${t('minor.invitationsCaption', { count: m.invitations.length })}</caption>
        <thead><tr><th scope="col">${t('minor.company')}</th><th scope="col">${t('minor.taxId')}</th><th scope="col">${t('minor.quoted')}</th></tr></thead>
        <tbody>${m.invitations.map(
          (i) => html`<tr><td>${i.legalName}</td><td>${i.taxId}</td>
            <td>${i.hasQuoted === null ? t('minor.sealed') : i.hasQuoted ? t('minor.yes') : t('minor.no')}</td></tr>`,
        )}</tbody></table>`;
      const more = mayInviteMore
        ? html`<section aria-labelledby="more-h"><h2 id="more-h">${t('minor.inviteMore')}</h2>
            <form method="post" action="${base}/invite" novalidate>${csrfField(pc)}${suggestionBoxes}
            <button type="submit">${t('minor.inviteSubmit')}</button></form></section>`
        : '';
      const quotes = m.quotesSealed
        ? html`<p role="status">${t('minor.quotesSealed')}</p>`
        : html`<table><caption>${t('minor.quotesCaption', { count: m.quotes.length })}</caption>
          <thead><tr><th scope="col">${t('minor.company')}</th><th scope="col">${t('minor.amountExcl')}</th><th scope="col">${t('minor.amountIncl')}</th>
            <th scope="col">${t('minor.note')}</th><th scope="col">${t('minor.warnings')}</th></tr></thead>
          <tbody>${m.quotes.map(
            (
              q,
            ) => html`<tr><td>${q.legalName} (${q.taxId})</td><td>${money(q.amountExclVat)}</td><td>${money(q.amountInclVat)}</td><td>${q.note}</td>
              <td>${
                [
                  q.thresholdExceeded ? t('minor.warnThreshold') : '',
                  q.aboveEstimate ? t('minor.warnEstimate') : '',
                  q.splitting.reachesThreshold
                    ? t('minor.warnSplitting', { amount: money(q.splitting.cumulative) })
                    : '',
                ]
                  .filter(Boolean)
                  .join(' · ') || '—'
              }</td></tr>`,
          )}</tbody></table>`;
      const award =
        mayAward && m.status === 'inviting' && !m.quotesSealed && m.quotes.length > 0
          ? html`<section aria-labelledby="award-h"><h2 id="award-h">${t('minor.awardTitle')}</h2>
            <form method="post" action="${base}/award" novalidate>${csrfField(pc)}
            <fieldset id="quoteId"><legend>${t('minor.chooseQuote')}</legend>${m.quotes.map(
              (
                q,
              ) => html`<div class="radio"><input type="radio" id="q-${q.id}" name="quoteId" value="${q.id}" ${v.quoteId === q.id ? html`checked` : ''}>
                <label for="q-${q.id}">${q.legalName} · ${money(q.amountExclVat)}</label></div>`,
            )}</fieldset>
            ${textarea('awardJustification', t('minor.awardJustification'), t('minor.awardJustificationHint'), errors, v.awardJustification)}
            ${textarea('splittingJustification', t('minor.splittingJustification'), t('minor.splittingJustificationHint'), errors, v.splittingJustification)}
            <button type="submit">${t('minor.awardSubmit')}</button></form></section>`
          : '';
      const voidForm =
        mayAward && m.status === 'inviting'
          ? html`<section aria-labelledby="void-h"><h2 id="void-h">${t('minor.voidTitle')}</h2>
            <form method="post" action="${base}/void" novalidate>${csrfField(pc)}
            ${textarea('reason', t('minor.voidReason'), t('minor.voidReasonHint'), errors, v.reason)}
            <button type="submit">${t('minor.voidSubmit')}</button></form></section>`
          : '';
      const result = m.award
        ? html`<section aria-labelledby="result-h"><h2 id="result-h">${t('minor.awardedTitle')}</h2><dl class="facts">
          <dt>${t('minor.awardee')}</dt><dd>${m.award.legalName} (${m.award.taxId})</dd>
          <dt>${t('minor.amountExcl')}</dt><dd>${money(m.award.amountExclVat)}</dd>
          <dt>${t('minor.amountIncl')}</dt><dd>${money(m.award.amountInclVat)}</dd>
          <dt>${t('minor.awardJustification')}</dt><dd>${m.award.justification}</dd>
          ${m.award.splittingJustification ? html`<dt>${t('minor.splittingJustification')}</dt><dd>${m.award.splittingJustification}</dd>` : ''}
          </dl></section>`
        : m.voidReason
          ? html`<p>${t('minor.voidedBecause', { reason: m.voidReason })}</p>`
          : '';
      main = html`${result}<section aria-labelledby="inv-h"><h2 id="inv-h">${t('minor.invitationsTitle')}</h2>${invitations}</section>
        ${more}<section aria-labelledby="quotes-h"><h2 id="quotes-h">${t('minor.quotesTitle')}</h2>${quotes}</section>${award}${voidForm}
        ${m.status === 'void' && mayInvite ? startSection : ''}`;
    }
    return layout(
      pc,
      m.title[pc.locale],
      html`${errorSummary(pc, errors)}${facts}${main}
      <p><a href="/office/${authorityId}/minor-contracts">${t('minor.office.back')}</a></p>`,
    );
  };

  r.get<OfficeParams>('/office/:authorityId/minor-contracts/:tenderId', async (request, reply) => {
    if (!requireSignedIn(request, reply)) return reply;
    if (!validIds(reply, request.params.authorityId, request.params.tenderId)) return reply;
    const pc = await pageContext(app, request, reply);
    return sendPage(reply, await detailPage(request, pc));
  });

  /** Runs a form's action; on a refusal, shows the page again with the error next to its field. */
  const officeAction =
    (
      field: string,
      act: (request: FastifyRequest<OfficeParams>, f: ReturnType<typeof formFields>) => Promise<unknown>,
    ) =>
    async (request: FastifyRequest<OfficeParams>, reply: FastifyReply) => {
      if (!requireSignedIn(request, reply)) return reply;
      const { authorityId, tenderId } = request.params;
      if (!validIds(reply, authorityId, tenderId)) return reply;
      const f = formFields(request);
      try {
        await act(request, f);
      } catch (err) {
        if (!isDomainError(err) || err.code === 'NOT_FOUND' || err.code === 'FORBIDDEN') throw err;
        const pc = await pageContext(app, request, reply);
        const names = [
          'quoteDeadline',
          'justification',
          'otherCompanyIds',
          'quoteId',
          'awardJustification',
          'splittingJustification',
          'reason',
        ];
        const v = Object.fromEntries(names.map((n) => [n, f.get(n).slice(0, 5000)]));
        const target = FIELD_OF[err.code] ?? field;
        return sendPage(
          reply,
          await detailPage(request, pc, [{ field: target, message: errorMessage(pc.t, err.code) }], v),
          statusOf(err.code),
        );
      }
      return reply.redirect(`/office/${authorityId}/minor-contracts/${tenderId}`, 303);
    };

  /** Company ids from the suggestion boxes and the free field (ids separated by spaces or commas). */
  const companyIdsOf = (f: ReturnType<typeof formFields>) => [
    ...f.all('companyIds'),
    ...f
      .get('otherCompanyIds')
      .split(/[\s,;]+/)
      .filter(Boolean),
  ];
  const badIds = (ids: string[]) => ids.some((id) => !isUuid(id));
  const formError = (): never => {
    throw new DomainError('VALIDATION_FAILED', 'The form has invalid values');
  };

  r.post<OfficeParams>(
    '/office/:authorityId/minor-contracts/:tenderId/start',
    officeAction('quoteDeadline', async (request, f) => {
      const { authorityId, tenderId } = request.params;
      // Policy first: nothing of the authority (not even its calendar) is read for someone who
      // may not invite, and an unknown authority is a 404, not a 500.
      authorizeOnMinor(request.actor, 'minor.invite', authorityId);
      const ids = companyIdsOf(f);
      const day = f.get('quoteDeadline');
      if (badIds(ids) || ids.length > 50 || !DAY_RE.test(day)) formError();
      const cal = await authorityCalendar(app.deps.database.db, authorityId);
      // Quotes are received until the end of the chosen day, in the authority's time zone.
      const deadline = endOfDay(day, cal);
      await startMinorContract(app.serviceContext(request), authorityId, tenderId, {
        quoteDeadline: deadline.toISOString(),
        companyIds: ids,
        justification: f.get('justification').slice(0, 5000),
      });
    }),
  );

  r.post<OfficeParams>(
    '/office/:authorityId/minor-contracts/:tenderId/invite',
    officeAction('otherCompanyIds', async (request, f) => {
      const ids = companyIdsOf(f);
      if (badIds(ids) || ids.length === 0 || ids.length > 50) formError();
      await inviteCompanies(
        app.serviceContext(request),
        request.params.authorityId,
        request.params.tenderId,
        {
          companyIds: ids,
        },
      );
    }),
  );

  r.post<OfficeParams>(
    '/office/:authorityId/minor-contracts/:tenderId/award',
    officeAction('awardJustification', async (request, f) => {
      const quoteId = f.get('quoteId');
      if (!isUuid(quoteId)) formError();
      await awardMinorContract(
        app.serviceContext(request),
        request.params.authorityId,
        request.params.tenderId,
        {
          quoteId,
          justification: f.get('awardJustification').slice(0, 5000),
          splittingJustification: f.get('splittingJustification').slice(0, 5000),
        },
      );
    }),
  );

  r.post<OfficeParams>(
    '/office/:authorityId/minor-contracts/:tenderId/void',
    officeAction('reason', async (request, f) => {
      await voidMinorContract(
        app.serviceContext(request),
        request.params.authorityId,
        request.params.tenderId,
        {
          reason: f.get('reason').slice(0, 5000),
        },
      );
    }),
  );

  // --- companies: invitations and quotes ---
  const invitationsPage = async (request: FastifyRequest, pc: PageContext, errors: FieldError[] = []) => {
    const t = pc.t;
    const ctx = app.serviceContext(request);
    const sections = await Promise.all(
      pc.companies.map(async (c) => ({ company: c, invitations: await listCompanyInvitations(ctx, c.id) })),
    );
    const money = (a: string) => formatMoney(pc.locale, a);
    return layout(
      pc,
      t('minor.company.title'),
      html`${errorSummary(pc, errors)}<p>${t('minor.company.lead')}</p>
      ${sections.length === 0 ? html`<p>${t('minor.company.none')}</p>` : ''}
      ${sections.map(
        ({
          company,
          invitations,
        }) => html`<section aria-labelledby="co-${company.id}"><h2 id="co-${company.id}">${company.name}</h2>
        ${invitations.length === 0 ? html`<p>${t('minor.company.none')}</p>` : ''}
        ${invitations.map((i) => {
          const fid = `amount-${i.tenderId}`;
          return html`<article class="card"><h3>${i.title[pc.locale]}</h3>
          <dl class="facts"><dt>${t('minor.authority')}</dt><dd>${i.authorityName[pc.locale]}</dd>
            <dt>${t('minor.reference')}</dt><dd>${i.reference}</dd>
            <dt>${t('minor.quoteDeadline')}</dt><dd>${formatDateTime(pc.locale, new Date(i.quoteDeadline))}</dd>
            <dt>${t('minor.state')}</dt><dd>${t(STATUS_KEYS[i.status] ?? 'minor.status.inviting')}${
              i.awardedToYou === null
                ? ''
                : i.awardedToYou
                  ? html` · ${t('minor.company.won')}`
                  : html` · ${t('minor.company.lost')}`
            }</dd>
            <dt>${t('minor.company.yourQuote')}</dt><dd>${
              i.myQuote
                ? t('minor.company.quoteWithVat', {
                    amount: money(i.myQuote.amountExclVat),
                    rate: i.myQuote.vatRate,
                    total: money(i.myQuote.amountInclVat),
                  })
                : '—'
            }</dd></dl>
          ${
            i.open
              ? html`<form method="post" action="/account/minor-invitations/${company.id}/${i.tenderId}" novalidate>${csrfField(pc)}
              ${input({ name: fid, label: t('minor.amountExcl'), hint: t('minor.company.amountHint'), required: true, value: i.myQuote?.amountExclVat, errors, maxlength: 16 })}
              ${input({ name: `vat-${i.tenderId}`, label: t('minor.company.vatRate'), hint: t('minor.company.vatHint', { rate: i.defaultVatRate }), value: i.myQuote?.vatRate ?? i.defaultVatRate, errors, maxlength: 6 })}
              ${input({ name: `note-${i.tenderId}`, label: t('minor.note'), value: i.myQuote?.note, errors, maxlength: 2000 })}
              <button type="submit">${i.myQuote ? t('minor.company.replace') : t('minor.company.submit')}</button></form>`
              : html`<p>${t('minor.company.closed')}</p>`
          }</article>`;
        })}</section>`,
      )}`,
    );
  };

  r.get('/account/minor-invitations', async (request, reply) => {
    if (!requireSignedIn(request, reply)) return reply;
    const pc = await pageContext(app, request, reply);
    return sendPage(reply, await invitationsPage(request, pc));
  });

  r.post<{ Params: { companyId: string; tenderId: string } }>(
    '/account/minor-invitations/:companyId/:tenderId',
    async (request, reply) => {
      if (!requireSignedIn(request, reply)) return reply;
      const { companyId, tenderId } = request.params;
      if (!validIds(reply, companyId, tenderId)) return reply;
      const f = formFields(request);
      const field = `amount-${tenderId}`;
      const amount = f.get(field).replace(',', '.');
      const vatField = `vat-${tenderId}`;
      // Blank: the file's rate. A comma is accepted as the decimal separator, as for the amount.
      const vatRate = f.get(vatField).trim().replace(',', '.').replace(/\s*%$/, '');
      const pc = await pageContext(app, request, reply);
      if (!AMOUNT_RE.test(amount)) {
        return sendPage(
          reply,
          await invitationsPage(request, pc, [{ field, message: pc.t('minor.company.amountInvalid') }]),
          400,
        );
      }
      if (vatRate !== '' && (!VAT_RE.test(vatRate) || !parsePercentage(vatRate))) {
        return sendPage(
          reply,
          await invitationsPage(request, pc, [
            { field: vatField, message: pc.t('minor.company.vatInvalid') },
          ]),
          400,
        );
      }
      try {
        await submitQuote(app.serviceContext(request), companyId, tenderId, {
          amountExclVat: amount,
          vatRate: vatRate === '' ? undefined : vatRate,
          note: f.get(`note-${tenderId}`).slice(0, 2000),
        });
      } catch (err) {
        if (!isDomainError(err) || err.code === 'NOT_FOUND') throw err;
        return sendPage(
          reply,
          await invitationsPage(request, pc, [{ field, message: errorMessage(pc.t, err.code) }]),
          statusOf(err.code),
        );
      }
      return reply.redirect('/account/minor-invitations', 303);
    },
  );

  // --- public: the quarterly list (art. 63.4) ---
  r.get<{ Params: { slug: string }; Querystring: { year?: string; quarter?: string } }>(
    '/authorities/:slug/minor-contracts',
    async (request, reply) => {
      const authority = await findAuthorityBySlug(app.deps.database.db, request.params.slug.slice(0, 80));
      if (!authority) return reply.callNotFound();
      const pc = await pageContext(app, request, reply);
      const t = pc.t;
      const current = quarterOf(localDate(app.deps.clock.now(), authority.time_zone));
      const yearText = request.query.year ?? '';
      const quarterText = request.query.quarter ?? '';
      const year = /^\d{4}$/.test(yearText) ? Number(yearText) : current.year;
      const quarter = /^[1-4]$/.test(quarterText) ? Number(quarterText) : current.quarter;
      const list = await quarterlyList(app.serviceContext(request), authority.id, { year, quarter });
      const name = { ca: authority.name_ca, es: authority.name_es, en: authority.name_en }[pc.locale];
      const api = `/api/v1/authorities/${authority.id}/minor-contracts?year=${year}&quarter=${quarter}`;
      const years = Array.from({ length: 5 }, (_, i) => current.year - i);
      const money = (a: string) => formatMoney(pc.locale, a);
      const body = html`<p>${t('minor.public.lead', { authority: name })}</p>
        <form method="get" action="/authorities/${authority.slug}/minor-contracts" class="filters">
          <div class="field"><label for="year">${t('minor.public.year')}</label><select id="year" name="year">${years.map(
            (y) => html`<option value="${y}" ${y === year ? html`selected` : ''}>${y}</option>`,
          )}</select></div>
          <div class="field"><label for="quarter">${t('minor.public.quarter')}</label><select id="quarter" name="quarter">${[
            1, 2, 3, 4,
          ].map(
            (q) =>
              html`<option value="${q}" ${q === quarter ? html`selected` : ''}>${t('minor.public.quarterN', { n: q })}</option>`,
          )}</select></div>
          <button type="submit">${t('minor.public.show')}</button>
        </form>
        <p>${t('minor.public.download')}: <a href="${api}&format=csv&lang=${pc.locale}" download>${t('minor.public.csv')}</a> ·
          <a href="${api}&format=json">${t('minor.public.json')}</a></p>
        <table><caption>${t('minor.public.caption', { quarter, year, count: list.contracts.length })}</caption>
        <thead><tr><th scope="col">${t('minor.awardee')}</th><th scope="col">${t('minor.taxId')}</th><th scope="col">${t('minor.object')}</th>
          <th scope="col">${t('minor.duration')}</th><th scope="col">${t('minor.amountExcl')}</th><th scope="col">${t('minor.amountIncl')}</th>
          <th scope="col">${t('minor.awardDate')}</th></tr></thead>
        <tbody>${
          list.contracts.length === 0
            ? html`<tr><td colspan="7">${t('minor.public.empty')}</td></tr>`
            : list.contracts.map(
                (
                  c,
                ) => html`<tr><td>${c.awardee.name}</td><td>${c.awardee.taxId}</td><td>${c.object[pc.locale]} (${c.reference})</td>
                <td>${c.durationMonths === null ? '—' : t('minor.months', { count: c.durationMonths })}</td>
                <td>${money(c.amountExclVat)}</td><td>${money(c.amountInclVat)}</td><td>${c.awardedOn}</td></tr>`,
              )
        }</tbody></table>
        <p><a href="/authorities/${authority.slug}">${t('minor.public.back', { authority: name })}</a></p>`;
      return sendPage(reply, layout(pc, t('minor.public.title'), body));
    },
  );
}
