/**
 * Pieces the server-rendered form pages of several modules share (bids, selection, evaluation,
 * award): a service's refusal in words for the error summary, the fields it names, the PRG notice,
 * labelled controls wired with aria-describedby, the guard of office pages, and the company a
 * company-side page acts for. The pages keep their own texts (keys passed in); this file holds
 * only the logic, so that one fix reaches every page.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { TFunction } from 'i18next';
import type { UserActor } from '../../platform/context.js';
import { DomainError, ErrorCodes } from '../../platform/errors.js';
import { type Html, type HtmlValue, html } from '../../platform/http/html.js';
import { requireSignedIn } from './account.pages.js';
import type { FieldError, PageContext } from './layout.js';
import { errorMessage, isDomainError, validIds } from './portal.context.js';

/**
 * A service's refusal in words: the page's text for `details.reason` when it has one, else its text
 * for the error code (CONFLICT, STALE_VERSION…), else the platform's text for the code.
 */
export function refusalText(
  t: TFunction,
  err: DomainError,
  reasonKeys: Readonly<Record<string, string>>,
  codeKeys: Readonly<Partial<Record<string, string>>> = {},
): string {
  const reason = (err.details as { reason?: unknown } | undefined)?.reason;
  const key = typeof reason === 'string' ? reasonKeys[reason] : undefined;
  if (key) return t(key);
  const codeKey = codeKeys[err.code];
  if (codeKey) return t(codeKey);
  return errorMessage(t, err.code);
}

/** Service refusals the page shows in its error summary; the rest become the error page. */
export function shownOnPage(err: unknown): err is DomainError {
  return isDomainError(err) && !['NOT_FOUND', 'FORBIDDEN', 'UNAUTHENTICATED', 'INTERNAL'].includes(err.code);
}

/** The HTTP status of a refusal the page shows again. */
export function statusOf(err: DomainError): number {
  return ErrorCodes[err.code];
}

/** The field a service named in `details.field`, if any. */
export function fieldOf(err: DomainError): string | undefined {
  const f = (err.details as { field?: unknown } | undefined)?.field;
  return typeof f === 'string' ? f : undefined;
}

/** A hidden field the page wrote itself is wrong: only a forged post gets here. */
export function forged(): never {
  throw new DomainError('VALIDATION_FAILED', 'The form is incomplete; reload the page');
}

/** The version a form sends back (hidden field). */
export function versionOf(text: string): number {
  if (!/^\d{1,9}$/.test(text)) forged();
  return Number(text);
}

/**
 * The confirmation after a redirect (PRG, `?done=`), from the page's fixed list so that the query
 * cannot inject text.
 */
export function noticeLine(
  pc: PageContext,
  request: FastifyRequest,
  keys: Readonly<Record<string, string>>,
): HtmlValue {
  const done = (request.query as { done?: unknown } | undefined)?.done;
  const key = typeof done === 'string' ? keys[done] : undefined;
  return key ? html`<p class="notice" role="status" id="notice">${pc.t(key)}</p>` : '';
}

type FieldOptions = {
  id: string;
  name: string;
  label: string;
  hint?: string;
  control: (attrs: Html) => Html;
};

/** Form controls with their label, hint and inline error, wired with aria-describedby. */
export function fieldKit(errors: readonly FieldError[]) {
  const errorOf = (id: string) => errors.find((e) => e.field === id);
  const errorLine = (id: string): HtmlValue => {
    const e = errorOf(id);
    return e ? html`<p class="error" id="${id}-error">${e.message}</p>` : '';
  };
  /** aria-describedby (hint, error) and aria-invalid of a control. */
  const describe = (id: string, hint: boolean) => {
    const by = [hint ? `${id}-hint` : '', errorOf(id) ? `${id}-error` : ''].filter(Boolean).join(' ');
    return html`${by ? html`aria-describedby="${by}"` : ''} ${errorOf(id) ? html`aria-invalid="true"` : ''}`;
  };
  const attrs = (id: string, name: string, hint: boolean) =>
    html`id="${id}" name="${name}" ${describe(id, hint)}`;
  const field = (o: FieldOptions): Html => html`<div class="field${errorOf(o.id) ? ' field-error' : ''}">
      <label for="${o.id}">${o.label}</label>
      ${o.hint ? html`<p class="hint" id="${o.id}-hint">${o.hint}</p>` : ''}
      ${errorLine(o.id)}
      ${o.control(attrs(o.id, o.name, o.hint !== undefined))}
    </div>`;
  /** Radios or checkboxes in a fieldset; an error is shown on the group and linked to its first box. */
  const choices = (o: {
    id: string;
    name: string;
    legend: string;
    type: 'radio' | 'checkbox';
    options: readonly [string, string][];
    checked: readonly string[];
  }): Html => {
    const first = `${o.id}-${o.options[0]?.[0] ?? ''}`;
    const err = errorOf(first);
    return html`<fieldset class="choices${err ? ' field-error' : ''}">
      <legend>${o.legend}</legend>
      ${err ? html`<p class="error" id="${first}-error">${err.message}</p>` : ''}
      ${o.options.map(([value, text], i) => {
        const id = `${o.id}-${value}`;
        const described = i === 0 && err ? html`aria-describedby="${first}-error" aria-invalid="true"` : '';
        return html`<div class="checkbox"><input type="${o.type}" id="${id}" name="${o.name}" value="${value}" ${o.checked.includes(value) ? html`checked` : ''} ${described}>
          <label for="${id}">${text}</label></div>`;
      })}
    </fieldset>`;
  };
  return { field, choices, errorOf, errorLine, describe };
}

/** One labelled control (fieldKit `field`) for a page that needs no other piece of the kit. */
export function formField(errors: readonly FieldError[], o: FieldOptions): Html {
  return fieldKit(errors).field(o);
}

/** The error summary links to the first box of a group (fieldKit `choices`). */
export const groupError = (id: string, firstValue: string, message: string): FieldError => ({
  field: `${id}-${firstValue}`,
  message,
});

/** The guard of an office page: signed in, ids that are UUIDs (others name nothing: 404). */
export const guardIds = (request: FastifyRequest, reply: FastifyReply, ...ids: string[]) =>
  requireSignedIn(request, reply) && validIds(reply, ...ids);

/** guardIds for the pages of one tender (`/office/:authorityId/tenders/:tenderId/…`). */
export const guardTender = (
  request: FastifyRequest<{ Params: { authorityId: string; tenderId: string } }>,
  reply: FastifyReply,
) => guardIds(request, reply, request.params.authorityId, request.params.tenderId);

type Company = { id: string; name: string };

/** The user's companies that may act on a company-side page (bid.policy.ts: company_admin or bidder). */
export function actingCompanies(actor: UserActor, pc: PageContext): Company[] {
  return pc.companies.filter((c) =>
    (actor.companyRoles.get(c.id) ?? []).some((r) => r === 'company_admin' || r === 'bidder'),
  );
}

/**
 * The company a company-side page acts for: the one asked for in the query, else the active
 * company, else the first. A company the user cannot act for is no company here (404, as ids
 * cannot be probed); a user with no such company (authority staff, say) may not use the page at
 * all (403, with `forbidden` as the message).
 */
export function chooseCompany(
  actor: UserActor,
  pc: PageContext,
  asked: string | undefined,
  forbidden: string,
): { company: Company; companies: Company[] } {
  const companies = actingCompanies(actor, pc);
  const first = companies.find((c) => c.id === actor.activeCompanyId) ?? companies[0];
  if (!first) throw new DomainError('FORBIDDEN', forbidden);
  if (!asked) return { company: first, companies };
  const company = companies.find((c) => c.id === asked);
  if (!company) throw new DomainError('NOT_FOUND', 'Company not found');
  return { company, companies };
}

/** The form that switches the company a page acts for, when the user has more than one. */
export function companyPicker(
  s: { company: Company; companies: readonly Company[] },
  action: string,
  texts: { choose: string; submit: string },
): HtmlValue {
  if (s.companies.length <= 1) return '';
  return html`<form method="get" action="${action}" class="filters" id="choose-company">
          <div class="field"><label for="companyId">${texts.choose}</label>
          <select id="companyId" name="companyId">${s.companies.map(
            (c) =>
              html`<option value="${c.id}" ${c.id === s.company.id ? html`selected` : ''}>${c.name}</option>`,
          )}</select></div>
          <button type="submit">${texts.submit}</button></form>`;
}
