/**
 * Contract management pages (issue 5, point 8; arts. 188–213 LCSP): the authority's contracts, and
 * one contract with its execution — status, price as amended, what has been paid, every event —
 * and the forms of its next events: start, amendment with its legal ground (art. 204 foreseen,
 * art. 205 not foreseen, with its case) and value change, extension (art. 29.2), milestone,
 * payment, suspension and resumption (art. 208), termination (arts. 211–213), completion (art.
 * 210). The procurement officer acts, auditors and admins read (evaluation.policy.ts);
 * contract.service.ts checks every limit, the page only pre-checks the form and never writes.
 * The documents of the contract (contract-document.*) are uploaded with a form of their own
 * (multipart, streamed like the API's) and picked in the amendment form by checkbox; they are
 * published by the event that names them.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, ErrorCodes } from '../../platform/errors.js';
import type { App } from '../../app.js';
import { type Html, type HtmlValue, html } from '../../platform/http/html.js';
import { isUuid } from '../../platform/ids.js';
import { money, officeNav, when } from '../portal/backoffice-view.js';
import {
  csrfField,
  errorSummary,
  type FieldError,
  layout,
  type PageContext,
  sendPage,
} from '../portal/layout.js';
import { requireSignedIn } from '../portal/account.pages.js';
import { errorMessage, formFields, pageContext } from '../portal/portal.context.js';
import {
  fieldKit,
  fieldOf,
  forged,
  guardIds,
  REASONS_MAX,
  reasonsOk,
  refusal,
  shownOnPage,
  statusOf,
  versionOf,
  dayText,
  doneNotice,
  groupError,
} from './award.pages.js';
import { type ContractDocumentView, listContractDocuments } from './contract-document.service.js';
import { receiveContractDocument, registerContractMultipart } from './contract-document.upload.js';
import {
  CONTRACT_EVENT_TYPES,
  type ContractEventInput,
  type ContractEventKind,
  type ContractView,
  getContract,
  listAuthorityContracts,
  recordContractEvent,
} from './contract.service.js';
import type { ContractStatus } from './contract.types.js';
import { canOnEvaluation } from './evaluation.policy.js';
import { MIN_REASONS_LENGTH } from './transition.js';

type AuthorityParams = { Params: { authorityId: string } };
type ContractParams = { Params: { authorityId: string; contractId: string } };

const STATUS_KEYS: Record<ContractStatus, string> = {
  formalised: 'award.contract.status.formalised',
  in_execution: 'award.contract.status.in_execution',
  suspended: 'award.contract.status.suspended',
  completed: 'award.contract.status.completed',
  terminated: 'award.contract.status.terminated',
};

const EVENT_KEYS: Record<ContractEventKind, string> = {
  start: 'award.contract.event.start',
  amendment: 'award.contract.event.amendment',
  extension: 'award.contract.event.extension',
  milestone: 'award.contract.event.milestone',
  payment: 'award.contract.event.payment',
  suspension: 'award.contract.event.suspension',
  resumption: 'award.contract.event.resumption',
  termination: 'award.contract.event.termination',
  completion: 'award.contract.event.completion',
};

const GROUND_KEYS: Record<'art_204' | 'art_205', string> = {
  art_204: 'award.contract.ground.art_204',
  art_205: 'award.contract.ground.art_205',
};
const CASE_KEYS: Record<'a' | 'b' | 'c', string> = {
  a: 'award.contract.case.a',
  b: 'award.contract.case.b',
  c: 'award.contract.case.c',
};

/** Events the contract can take in each status (contract.rules.ts; payments also after the end, art. 210.4). */
const NEXT: Record<ContractStatus, readonly ContractEventKind[]> = {
  formalised: ['start'],
  in_execution: ['milestone', 'payment', 'amendment', 'extension', 'suspension', 'completion', 'termination'],
  suspended: ['resumption', 'milestone', 'payment', 'amendment', 'extension', 'termination'],
  completed: ['payment'],
  terminated: ['payment'],
};

/** Each event's fields, as the contracts API names them. */
const FIELDS: Record<ContractEventKind, readonly (keyof ContractEventInput)[]> = {
  start: ['endDate'],
  amendment: ['legalGround', 'groundCase', 'valueChange', 'reasons', 'documents'],
  extension: ['newEndDate', 'reasons'],
  milestone: ['description', 'dueDate'],
  payment: ['amount', 'paidOn', 'invoiceRef'],
  suspension: ['reasons'],
  resumption: [],
  termination: ['grounds', 'reasons'],
  completion: ['completedOn'],
};

const DAY = /^\d{4}-\d{2}-\d{2}$/;
/** An amount people type: "1234,50" as often as "1234.50"; a change may be negative. */
const AMOUNT = /^-?\d{1,13}(\.\d{1,2})?$/;
const SHA256 = /^[0-9a-f]{64}$/;
const decimalText = (v: string) => v.replace(/\s/g, '').replace(',', '.');
const validDay = (v: string) => DAY.test(v) && !Number.isNaN(Date.parse(`${v}T00:00:00Z`));

type EventForm = { type: ContractEventKind; values: Record<string, string> };

/** A size in the page's language: kB below a megabyte, MB above. */
function sizeText(pc: PageContext, bytes: number): string {
  const mb = bytes >= 1024 * 1024;
  return new Intl.NumberFormat(pc.locale, {
    style: 'unit',
    unit: mb ? 'megabyte' : 'kilobyte',
    maximumFractionDigits: 1,
  }).format(mb ? bytes / (1024 * 1024) : Math.max(bytes / 1024, 0.1));
}

/** A refusal of the upload form, on its field (the title or the file). */
function uploadRefusal(pc: PageContext, err: DomainError): FieldError {
  const t = pc.t;
  const named = (err.details as { field?: unknown } | undefined)?.field;
  const field = named === 'title' ? 'cdoc-title' : 'cdoc-file';
  const reason = (err.details as { reason?: unknown } | undefined)?.reason;
  const message =
    reason === 'duplicate_document'
      ? t('award.reason.duplicate_document')
      : err.code === 'VALIDATION_FAILED'
        ? t(field === 'cdoc-title' ? 'award.contract.docs.titleRequired' : 'award.contract.docs.fileRequired')
        : errorMessage(t, err.code);
  return { field, message };
}

export function contractPages(app: App, r: FastifyInstance): void {
  // The document upload needs its own multipart parser, registered in an encapsulated plugin.
  void r.register(async (sub) => {
    const maxBytes = app.deps.config.documentMaxBytes;
    await registerContractMultipart(sub, maxBytes);
    sub.post<ContractParams>(
      '/office/:authorityId/contracts/:contractId/documents',
      {
        // CSRF: the global check runs before a multipart body is read, so the form sends its token
        // in the query string (as the file page's upload does, backoffice-upload.ts).
        onRequest: async (request) => {
          const token = (request.query as Record<string, unknown>)._csrf;
          if (typeof token === 'string' && request.headers['x-csrf-token'] === undefined) {
            request.raw.headers['x-csrf-token'] = token;
          }
        },
      },
      async (request, reply) => {
        const { authorityId, contractId } = request.params;
        if (!requireSignedIn(request, reply) || !guardIds(request, reply, authorityId, contractId)) {
          request.raw.unpipe();
          reply.header('connection', 'close');
          return reply;
        }
        let title = '';
        try {
          await receiveContractDocument(
            request,
            reply,
            app.serviceContext(request),
            { store: app.deps.blobStore, maxBytes, log: request.log },
            { authorityId, contractId },
            (fields) => {
              title = fields.get('title') ?? '';
            },
          );
        } catch (err) {
          if (!(err instanceof DomainError) || !shownOnPage(err)) throw err;
          const pc = await pageContext(app, request, reply);
          return render(request, reply, {
            errors: [uploadRefusal(pc, err)],
            status: ErrorCodes[err.code],
            uploadTitle: title,
          });
        }
        return reply.redirect(
          `/office/${authorityId}/contracts/${contractId}?done=uploaded#contract-documents`,
          303,
        );
      },
    );
  });
  // ───────────────────────────── list ─────────────────────────────

  r.get<AuthorityParams>('/office/:authorityId/contracts', async (request, reply) => {
    const { authorityId } = request.params;
    if (!guardIds(request, reply, authorityId)) return reply;
    const q = (request.query as { tenderId?: unknown }).tenderId;
    const tenderId = typeof q === 'string' && isUuid(q) ? q : undefined;
    const ctx = app.serviceContext(request);
    const contracts = await listAuthorityContracts(ctx, authorityId, tenderId);
    const pc = await pageContext(app, request, reply);
    const t = pc.t;
    const here = `/office/${authorityId}/contracts`;
    const body = html`${officeNav(pc, here)}
      <p>${t('award.contracts.lead')}</p>
      ${tenderId ? html`<p id="filtered">${t('award.contracts.filtered')} <a href="${here}" id="all-contracts">${t('award.contracts.all')}</a></p>` : ''}
      ${
        contracts.length === 0
          ? html`<p id="no-contracts">${t('award.contracts.none')}</p>`
          : html`<table id="contracts">
        <caption>${t('award.contracts.caption')}</caption>
        <thead><tr>
          <th scope="col">${t('award.contracts.contract')}</th>
          <th scope="col">${t('evaluation.company')}</th>
          <th scope="col">${t('award.contracts.lots')}</th>
          <th scope="col">${t('award.contract.amount')}</th>
          <th scope="col">${t('award.contract.total')}</th>
          <th scope="col">${t('award.contract.paid')}</th>
          <th scope="col">${t('award.contract.signedAt')}</th>
          <th scope="col">${t('award.contract.status')}</th>
        </tr></thead>
        <tbody>${contracts.map(
          (c) => html`<tr id="contract-${c.id}" data-status="${c.status}">
          <th scope="row"><a href="${here}/${c.id}">${c.ocid}</a></th>
          <td>${c.company.legalName}</td><td>${c.lots.join(', ')}</td>
          <td class="num">${money(pc, c.amountExclVat)}</td><td class="num">${money(pc, c.totalExclVat)}</td>
          <td class="num">${money(pc, c.paidExclVat)}</td><td>${when(pc, c.signedAt)}</td>
          <td>${t(STATUS_KEYS[c.status])}</td></tr>`,
        )}</tbody></table>`
      }`;
    return sendPage(reply, layout(pc, t('award.contracts.title'), body));
  });

  // ───────────────────────────── one contract ─────────────────────────────

  const render = async (
    request: FastifyRequest<ContractParams>,
    reply: FastifyReply,
    opts: { errors?: FieldError[]; form?: EventForm; status?: number; uploadTitle?: string } = {},
  ) => {
    const errors = opts.errors ?? [];
    const { authorityId, contractId } = request.params;
    const ctx = app.serviceContext(request);
    // Policy and tenancy first: another authority's contract does not exist for the user.
    const c = await getContract(ctx, authorityId, contractId);
    const documents = await listContractDocuments(ctx, authorityId, contractId);
    const pc = await pageContext(app, request, reply);
    const t = pc.t;
    const canAct = canOnEvaluation(pc.actor, 'evaluation.manage_contracts', authorityId) === 'allow';
    const kit = fieldKit(errors);
    const base = `/office/${authorityId}/contracts/${contractId}`;
    const tenderBase = `/office/${authorityId}/tenders/${c.tenderId}`;

    const summary: [string, HtmlValue][] = [
      [
        t('award.contract.tender'),
        html`<code>${c.ocid}</code> · <a href="${tenderBase}/award" id="award-link">${t('award.award.title')}</a> · <a href="/tenders/${c.ocid}" id="public-link">${t('award.contract.publicPage')}</a>`,
      ],
      [t('evaluation.company'), html`${c.company.legalName} (${c.company.taxId})`],
      [t('award.contracts.lots'), c.lots.join(', ')],
      [
        t('award.contract.status'),
        html`<strong id="contract-status" data-status="${c.status}">${t(STATUS_KEYS[c.status])}</strong>`,
      ],
      [t('award.contract.signedAt'), when(pc, c.signedAt)],
      [t('award.contract.amount'), money(pc, c.amountExclVat)],
      [t('award.contract.total'), html`<span id="contract-total">${money(pc, c.totalExclVat)}</span>`],
      [t('award.contract.paid'), html`<span id="contract-paid">${money(pc, c.paidExclVat)}</span>`],
      [t('award.contract.startedAt'), when(pc, c.startedAt)],
      [t('award.contract.endDate'), dayText(pc, c.endDate)],
    ];
    if (c.completedAt) summary.push([t('award.contract.completedAt'), when(pc, c.completedAt)]);
    if (c.termination) {
      summary.push([
        t('award.contract.terminatedAt'),
        html`${c.termination.grounds}: ${c.termination.reasons} (${when(pc, c.termination.at)})`,
      ]);
    }

    const docHref = (d: ContractDocumentView) =>
      `/api/v1/authorities/${authorityId}/contracts/${contractId}/documents/${d.id}/content`;
    const eventDetails = (e: ContractView['events'][number]): HtmlValue => {
      const parts: HtmlValue[] = [];
      if (e.legalGround === 'art_204' || e.legalGround === 'art_205') {
        parts.push(
          html`${t(GROUND_KEYS[e.legalGround])}${e.groundCase === 'a' || e.groundCase === 'b' || e.groundCase === 'c' ? html` (${t(CASE_KEYS[e.groundCase])})` : ''}`,
        );
      }
      if (e.valueChange !== null) {
        parts.push(
          t('award.contract.change', { change: money(pc, e.valueChange), total: money(pc, e.newTotal) }),
        );
      }
      if (e.amount !== null) {
        parts.push(
          t('award.contract.paidLine', {
            amount: money(pc, e.amount),
            day: dayText(pc, e.paidOn),
            invoice: e.invoiceRef ?? '',
          }),
        );
      }
      if (e.description !== null) parts.push(html`${e.description} (${dayText(pc, e.dueDate)})`);
      if (e.endDate !== null) parts.push(t('award.contract.endLine', { day: dayText(pc, e.endDate) }));
      if (e.completedOn !== null)
        parts.push(t('award.contract.completedLine', { day: dayText(pc, e.completedOn) }));
      if (e.grounds !== null) parts.push(e.grounds);
      if (e.reasons !== null) parts.push(e.reasons);
      if (e.documents.length)
        parts.push(
          html`<ul class="hashes">${e.documents.map((d) => {
            const doc = documents.find((x) => x.sha256 === d);
            return html`<li>${doc ? html`<a href="${docHref(doc)}">${doc.title}</a> ` : ''}<code class="hash">${d}</code></li>`;
          })}</ul>`,
        );
      return parts.length ? parts.map((p) => html`<p>${p}</p>`) : '—';
    };

    const events =
      c.events.length === 0
        ? html`<p id="no-events">${t('award.contract.noEvents')}</p>`
        : html`<table id="events"><caption>${t('award.contract.eventsCaption')}</caption>
      <thead><tr><th scope="col">#</th><th scope="col">${t('award.contract.eventType')}</th><th scope="col">${t('award.contract.details')}</th><th scope="col">${t('award.contract.recordedAt')}</th></tr></thead>
      <tbody>${c.events.map(
        (
          e,
        ) => html`<tr id="event-${e.version}" data-type="${e.type}"><td>${e.version}</td><th scope="row">${t(EVENT_KEYS[e.type])}</th>
        <td>${eventDetails(e)}</td><td>${when(pc, e.at)}</td></tr>`,
      )}</tbody></table>`;

    const typed = (type: ContractEventKind, name: string) =>
      opts.form?.type === type ? (opts.form.values[name] ?? '') : '';
    const text = (type: ContractEventKind, name: string, label: string, hint?: string, input = 'text') =>
      kit.field({
        id: `${type}-${name}`,
        name,
        label,
        ...(hint ? { hint } : {}),
        control: (a) => html`<input ${a} type="${input}" value="${typed(type, name)}">`,
      });
    const area = (type: ContractEventKind, name: string, label: string, hint?: string) =>
      kit.field({
        id: `${type}-${name}`,
        name,
        label,
        ...(hint ? { hint } : {}),
        control: (a) => html`<textarea ${a} rows="3">${typed(type, name)}</textarea>`,
      });
    const reasonsHint = t('award.reasonsHint', { min: MIN_REASONS_LENGTH });
    const dayHint = t('award.contract.dayHint');

    const fieldsOf = (type: ContractEventKind): HtmlValue => {
      switch (type) {
        case 'start':
          return text(
            'start',
            'endDate',
            t('award.contract.endDate'),
            t('award.contract.endDateHint'),
            'date',
          );
        case 'amendment':
          return html`${kit.field({
            id: 'amendment-legalGround',
            name: 'legalGround',
            label: t('award.contract.legalGround'),
            control: (a) =>
              html`<select ${a}><option value="">—</option>${(['art_204', 'art_205'] as const).map((g) => html`<option value="${g}" ${typed('amendment', 'legalGround') === g ? html`selected` : ''}>${t(GROUND_KEYS[g])}</option>`)}</select>`,
          })}
          ${kit.field({
            id: 'amendment-groundCase',
            name: 'groundCase',
            label: t('award.contract.groundCase'),
            hint: t('award.contract.groundCaseHint'),
            control: (a) =>
              html`<select ${a}><option value="">—</option>${(['a', 'b', 'c'] as const).map((g) => html`<option value="${g}" ${typed('amendment', 'groundCase') === g ? html`selected` : ''}>${t(CASE_KEYS[g])}</option>`)}</select>`,
          })}
          ${text('amendment', 'valueChange', t('award.contract.valueChange'), t('award.contract.valueChangeHint'))}
          ${area('amendment', 'reasons', t('award.contract.reasons'), reasonsHint)}
          ${
            documents.length === 0
              ? html`<p class="hint" id="amendment-documents-none">${t('award.contract.docs.noneToPick')}</p>`
              : html`${kit.choices({
                  id: 'amendment-documents',
                  name: 'documents',
                  legend: t('award.contract.documents'),
                  type: 'checkbox',
                  options: documents.map((d): [string, string] => [d.sha256, `${d.title} (${d.fileName})`]),
                  checked: typed('amendment', 'documents').split(' '),
                })}<p class="hint" id="amendment-documents-hint">${t('award.contract.documentsHint')}</p>`
          }`;
        case 'extension':
          return html`${text('extension', 'newEndDate', t('award.contract.newEndDate'), dayHint, 'date')}
          ${area('extension', 'reasons', t('award.contract.reasons'), reasonsHint)}`;
        case 'milestone':
          return html`${text('milestone', 'description', t('award.contract.description'))}
          ${text('milestone', 'dueDate', t('award.contract.dueDate'), dayHint, 'date')}`;
        case 'payment':
          return html`${text('payment', 'amount', t('award.contract.amountPaid'), t('award.contract.amountHint'))}
          ${text('payment', 'paidOn', t('award.contract.paidOn'), dayHint, 'date')}
          ${text('payment', 'invoiceRef', t('award.contract.invoiceRef'))}`;
        case 'suspension':
          return area('suspension', 'reasons', t('award.contract.reasons'), reasonsHint);
        case 'termination':
          return html`${text('termination', 'grounds', t('award.contract.grounds'), t('award.contract.groundsHint'))}
          ${area('termination', 'reasons', t('award.contract.reasons'), reasonsHint)}`;
        case 'completion':
          return text('completion', 'completedOn', t('award.contract.completedOn'), dayHint, 'date');
        case 'resumption':
          return '';
      }
    };

    const form = (type: ContractEventKind): Html => {
      const fields = fieldsOf(type);
      return html`<section class="contract-event" id="section-${type}" aria-labelledby="${type}-h">
        <h3 id="${type}-h" tabindex="-1">${t(EVENT_KEYS[type])}</h3>
        <form method="post" action="${base}/events" id="form-${type}" novalidate>
          ${csrfField(pc)}<input type="hidden" name="version" value="${c.version}"><input type="hidden" name="type" value="${type}">
          ${fields}
          <button type="submit" id="record-${type}">${t('award.contract.record', { event: t(EVENT_KEYS[type]) })}</button>
        </form></section>`;
    };

    const uploaded = (request.query as { done?: unknown } | undefined)?.done === 'uploaded';
    const maxBytes = app.deps.config.documentMaxBytes;
    const documentsSection = html`<section aria-labelledby="documents-h" id="contract-documents">
      <h2 id="documents-h">${t('award.contract.docs.title')}</h2>
      <p class="hint">${t('award.contract.docs.lead')}</p>
      ${
        documents.length === 0
          ? html`<p id="no-documents">${t('award.contract.docs.none')}</p>`
          : html`<table id="documents"><caption>${t('award.contract.docs.caption')}</caption>
        <thead><tr><th scope="col">${t('award.contract.docs.name')}</th><th scope="col">${t('award.contract.docs.file')}</th>
          <th scope="col">${t('award.contract.docs.size')}</th><th scope="col">SHA-256</th><th scope="col">${t('award.contract.docs.state')}</th></tr></thead>
        <tbody>${documents.map(
          (d) => html`<tr id="document-${d.id}" data-published="${d.published ? 'yes' : 'no'}">
          <th scope="row"><a href="${docHref(d)}">${d.title}</a></th><td>${d.fileName}</td>
          <td class="num">${sizeText(pc, d.size)}</td><td><code class="hash">${d.sha256}</code></td>
          <td>${d.published ? t('award.contract.docs.published') : t('award.contract.docs.draft')}</td></tr>`,
        )}</tbody></table>`
      }
      ${
        canAct
          ? html`<h3 id="upload-h">${t('award.contract.docs.upload')}</h3>
        <form method="post" action="${base}/documents?_csrf=${encodeURIComponent(pc.csrf)}" enctype="multipart/form-data" id="document-form" aria-labelledby="upload-h" novalidate>
          ${kit.field({
            id: 'cdoc-title',
            name: 'title',
            label: t('award.contract.docs.titleLabel'),
            control: (a) => html`<input ${a} type="text" maxlength="200" value="${opts.uploadTitle ?? ''}">`,
          })}
          ${kit.field({
            id: 'cdoc-file',
            name: 'file',
            label: t('award.contract.docs.fileLabel'),
            hint: t('award.contract.docs.fileHint', { max: sizeText(pc, maxBytes) }),
            control: (a) =>
              html`<input ${a} type="file" accept=".pdf,.docx,.xlsx,.odt,.ods,.png,.jpg,.jpeg,.txt,.csv">`,
          })}
          <button type="submit" id="upload-document">${t('award.contract.docs.submit')}</button>
        </form>`
          : ''
      }
    </section>`;
    const body = html`${officeNav(pc, `/office/${authorityId}/contracts`)}
      ${uploaded ? html`<p class="notice" role="status" id="notice">${t('award.contract.docs.uploaded')}</p>` : doneNotice(pc, request)}
      ${errorSummary(pc, errors)}
      <p><a href="/office/${authorityId}/contracts" id="contracts-link">${t('award.contracts.back')}</a></p>
      <dl class="facts" id="contract-facts">${summary.map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}</dl>
      <h2>${t('award.contract.events')}</h2>
      ${events}
      ${documentsSection}
      ${
        canAct
          ? html`<h2>${t('award.contract.next')}</h2>${NEXT[c.status].map(form)}`
          : html`<p class="hint" id="read-only">${t('award.contract.readOnly')}</p>`
      }`;
    const title = t('award.contract.pageTitle', { company: c.company.legalName });
    return sendPage(reply, layout(pc, title, body), opts.status ?? 200);
  };

  r.get<ContractParams>('/office/:authorityId/contracts/:contractId', async (request, reply) => {
    if (!guardIds(request, reply, request.params.authorityId, request.params.contractId)) return reply;
    return render(request, reply);
  });

  r.post<ContractParams>('/office/:authorityId/contracts/:contractId/events', async (request, reply) => {
    const { authorityId, contractId } = request.params;
    if (!guardIds(request, reply, authorityId, contractId)) return reply;
    const f = formFields(request);
    const pc = await pageContext(app, request, reply);
    const t = pc.t;
    const version = versionOf(f.get('version'));
    const name = f.get('type');
    if (!(CONTRACT_EVENT_TYPES as readonly string[]).includes(name)) forged();
    const type = name as ContractEventKind;
    const values: Record<string, string> = {};
    for (const field of FIELDS[type]) values[field] = f.get(field);
    // The documents are checkboxes: every ticked value, kept space-separated to tick them again.
    if (type === 'amendment') values.documents = f.all('documents').join(' ');
    const form: EventForm = { type, values };
    const errors: FieldError[] = [];
    const fail = (field: string, message: string) => errors.push({ field: `${type}-${field}`, message });
    const input: ContractEventInput = { version, type };

    const day = (
      field: 'endDate' | 'newEndDate' | 'dueDate' | 'paidOn' | 'completedOn',
      required: boolean,
    ) => {
      const v = values[field] ?? '';
      if (v === '' && !required) return;
      if (!validDay(v)) fail(field, t('award.error.day'));
      else input[field] = v;
    };
    const reasons = () => {
      const v = values.reasons ?? '';
      if (!reasonsOk(v))
        fail('reasons', t('award.error.reasons', { min: MIN_REASONS_LENGTH, max: REASONS_MAX }));
      else input.reasons = v;
    };
    const required = (field: 'description' | 'invoiceRef' | 'grounds', max: number) => {
      const v = values[field] ?? '';
      if (v === '' || v.length > max) fail(field, t('award.error.required', { max }));
      else input[field] = v;
    };
    const amount = (field: 'valueChange' | 'amount', positive: boolean) => {
      const v = decimalText(values[field] ?? '');
      if (!AMOUNT.test(v) || (positive && (v.startsWith('-') || /^0+(\.0+)?$/.test(v)))) {
        fail(field, positive ? t('award.error.amount') : t('award.error.valueChange'));
      } else input[field] = v;
    };

    switch (type) {
      case 'start':
        day('endDate', false);
        break;
      case 'amendment': {
        const g = values.legalGround;
        if (g !== 'art_204' && g !== 'art_205') fail('legalGround', t('award.error.legalGround'));
        else input.legalGround = g;
        const k = values.groundCase;
        if (k === 'a' || k === 'b' || k === 'c') {
          if (g === 'art_204') fail('groundCase', t('award.error.groundCase204'));
          else input.groundCase = k;
        } else if (k !== '') forged();
        else if (g === 'art_205') fail('groundCase', t('award.error.groundCase205'));
        amount('valueChange', false);
        reasons();
        const documents = (values.documents ?? '')
          .split(/\s+/)
          .map((d) => d.trim().toLowerCase())
          .filter(Boolean);
        if (
          documents.some((d) => !SHA256.test(d)) ||
          new Set(documents).size !== documents.length ||
          documents.length > 50
        ) {
          // The boxes send the digests the page listed: anything else is a hand-made post, shown on
          // the section's heading (the group's first box may not exist).
          errors.push({ field: 'amendment-h', message: t('award.error.documents') });
        } else input.documents = documents;
        break;
      }
      case 'extension':
        day('newEndDate', true);
        reasons();
        break;
      case 'milestone':
        required('description', 1000);
        day('dueDate', true);
        break;
      case 'payment':
        amount('amount', true);
        day('paidOn', true);
        required('invoiceRef', 200);
        break;
      case 'suspension':
        reasons();
        break;
      case 'termination':
        required('grounds', 1000);
        reasons();
        break;
      case 'completion':
        day('completedOn', true);
        break;
      case 'resumption':
        break;
    }
    if (errors.length > 0) return render(request, reply, { errors, form, status: 422 });
    /** The field an error belongs to; the documents' is their group's first box (fieldKit `choices`). */
    const errorTarget = async (kind: ContractEventKind, named: string | undefined) => {
      if (!named || !(FIELDS[kind] as readonly string[]).includes(named)) return `${kind}-h`;
      if (named !== 'documents') return `${kind}-${named}`;
      const [first] = await listContractDocuments(app.serviceContext(request), authorityId, contractId);
      return first ? groupError(`${kind}-documents`, first.sha256, '').field : `${kind}-h`;
    };
    try {
      await recordContractEvent(app.serviceContext(request), authorityId, contractId, input);
    } catch (err) {
      if (!shownOnPage(err)) throw err;
      const field = fieldOf(err);
      const target = await errorTarget(type, field);
      return render(request, reply, {
        errors: [{ field: target, message: refusalFor(pc, err) }],
        form,
        status: statusOf(err),
      });
    }
    return reply.redirect(`/office/${authorityId}/contracts/${contractId}?done=recorded`, 303);
  });
}

/** The refusal, with the legal limit in figures where the service gave one. */
function refusalFor(pc: PageContext, err: Parameters<typeof refusal>[1]): string {
  const t = pc.t;
  const d = err.details as { limit?: unknown; endDate?: unknown } | undefined;
  const reason = (err.details as { reason?: unknown } | undefined)?.reason;
  if (reason === 'unknown_document') return t('award.reason.unknown_document');
  const base = refusal(t, err);
  if (err.code === 'UNPROCESSABLE' && typeof d?.endDate === 'string') return t('award.error.extensionAfter');
  if (typeof d?.limit === 'string')
    return `${base} (${t('award.contract.limit', { limit: money(pc, d.limit) })})`;
  return base;
}
