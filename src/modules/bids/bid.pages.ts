/**
 * The company's page for sealing and submitting a bid to a published tender (issue 4, browser
 * part): `/tenders/:ocid/bid`. The server renders what the published notice fixes (deadline, lots,
 * envelopes and the documents each must hold) and the company's receipts; the sealing itself runs
 * in the browser (src/browser/bid-seal.ts), because the platform must never receive an envelope
 * key or a plaintext file (LCSP DA 17ª; docs/SEALING.md). Without JavaScript the page says so and
 * points to the CLI (`contracta bid seal | submit`), which seals with the same library.
 * Withdrawal and the receipt downloads are plain server requests and work without JavaScript.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../../app.js';
import type { UserActor } from '../../platform/context.js';
import { DomainError, type ErrorCode, statusOf } from '../../platform/errors.js';
import { type Html, html } from '../../platform/http/html.js';
import { formatDateTime } from '../../platform/i18n/i18n.js';
import { requireSignedIn } from '../portal/account.pages.js';
import {
  csrfField,
  errorSummary,
  type FieldError,
  layout,
  type PageContext,
  sendPage,
} from '../portal/layout.js';
import { errorMessage, formFields, isDomainError, pageContext } from '../portal/portal.context.js';
import { envelopeLabel } from '../portal/tenders-public.labels.js';
import { OCID_RE } from '../portal/tenders-public.tender.js';
import { OFFER_FILE_NAME } from '../sealing/offer.rules.js';
import { ENVELOPE_LETTERS, type EnvelopeLetter } from '../sealing/sealing.types.js';
import { chooseCompany, companyPicker } from '../portal/page-forms.js';
import { getPublicNotice } from '../tenders/tender-public.service.js';
import { type CompanyBid, findCompanyBidByOcid } from './bid-company.repo.js';
import { listBidReceipts, withdrawBid } from './bid.service.js';

type OcidParams = { Params: { ocid: string }; Querystring: { companyId?: string; done?: string } };
type Names = { ca: string; es: string; en: string };
type Obj = Record<string, unknown>;

/*
 * The notice is the frozen canonical JSON of publication: read it field by field, as the public
 * tender page does, so that a notice written by another version of the platform still renders.
 */
const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const list = (v: unknown): Obj[] => (Array.isArray(v) ? v.map(obj) : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const names = (v: unknown): Names | undefined => {
  const o = obj(v);
  return typeof o.ca === 'string' && typeof o.es === 'string' && typeof o.en === 'string'
    ? { ca: o.ca, es: o.es, en: o.en }
    : undefined;
};
const _isLetter = (v: unknown): v is EnvelopeLetter => ENVELOPE_LETTERS.includes(v as EnvelopeLetter);

/** Receipt kinds, written out so that every key appears in the code. */
const KIND_KEYS: Record<string, string> = {
  submission: 'bidding.receipts.kind.submission',
  withdrawal: 'bidding.receipts.kind.withdrawal',
};

/**
 * The refusals the script can meet while uploading and submitting, with the texts the page shows
 * for them (the shared `errors.*` texts); any other code is shown with the generic text and the code.
 */
const SCRIPT_ERROR_CODES: readonly ErrorCode[] = [
  'DEADLINE_PASSED',
  'BID_ID_TAKEN',
  'CONFLICT',
  'MANIFEST_INVALID',
  'BLOB_MISSING',
  'BLOB_HASH_MISMATCH',
  'ENVELOPE_TOO_LARGE',
  'PAYLOAD_TOO_LARGE',
  'UNPROCESSABLE',
  'INVALID_TRANSITION',
  'VALIDATION_FAILED',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'CSRF_INVALID',
  'NOT_FOUND',
  'RATE_LIMITED',
  'INTERNAL',
];

/** Texts of this page for the refusals a bidder most often meets, written out for the i18n test. */
const BIDDING_ERROR_KEYS: Partial<Record<ErrorCode, string>> = {
  DEADLINE_PASSED: 'bidding.error.DEADLINE_PASSED',
  CONFLICT: 'bidding.error.CONFLICT',
  BID_ID_TAKEN: 'bidding.error.BID_ID_TAKEN',
  BLOB_HASH_MISMATCH: 'bidding.error.BLOB_HASH_MISMATCH',
  BLOB_MISSING: 'bidding.error.BLOB_MISSING',
  ENVELOPE_TOO_LARGE: 'bidding.error.ENVELOPE_TOO_LARGE',
  INVALID_TRANSITION: 'bidding.error.INVALID_TRANSITION',
  UNAUTHENTICATED: 'bidding.error.UNAUTHENTICATED',
};

/** The text for a refusal on this page: its own when it has one, else the platform's. */
function bidErrorText(t: PageContext['t'], code: ErrorCode): string {
  const key = BIDDING_ERROR_KEYS[code];
  return key ? t(key) : errorMessage(t, code);
}

/** What the page needs from the notice. */
type Terms = {
  title: string;
  status: string;
  deadline: Date | null;
  lots: { number: number; title: string }[];
  maxLotsPerBidder: number | null;
  envelopes: EnvelopeLetter[];
  documents: { envelope: string; name: string; mandatory: boolean }[];
  sealing: { quorum: number; custodians: number } | null;
};

function termsOf(notice: Obj, locale: PageContext['locale'], ocid: string, status: string): Terms {
  const deadlineText = str(notice.tenderDeadline);
  const deadline = deadlineText ? new Date(deadlineText) : null;
  const sealing = obj(notice.sealing);
  return {
    title: names(notice.title)?.[locale] ?? ocid,
    status,
    deadline: deadline && !Number.isNaN(deadline.getTime()) ? deadline : null,
    lots: list(notice.lots).flatMap((l) =>
      typeof l.number === 'number' ? [{ number: l.number, title: names(l.title)?.[locale] ?? '' }] : [],
    ),
    maxLotsPerBidder: typeof notice.maxLotsPerBidder === 'number' ? notice.maxLotsPerBidder : null,
    envelopes: ENVELOPE_LETTERS.filter(
      (e) => Array.isArray(notice.envelopes) && notice.envelopes.includes(e),
    ),
    documents: list(notice.bidDocuments).map((d) => ({
      envelope: str(d.envelope) ?? '',
      name: names(d.name)?.[locale] ?? '',
      mandatory: d.mandatory === true,
    })),
    sealing:
      typeof sealing.quorum === 'number' && Array.isArray(sealing.custodians)
        ? { quorum: sealing.quorum, custodians: sealing.custodians.length }
        : null,
  };
}

/**
 * The envelope that holds the formula criteria and so the structured offer (offer.rules.ts): C, or
 * the only envelope of a one-envelope procedure (art. 159.6 LCSP).
 */
export function formulaEnvelope(envelopes: readonly EnvelopeLetter[]): EnvelopeLetter | null {
  if (envelopes.includes('C')) return 'C';
  return envelopes.length === 1 ? (envelopes[0] ?? null) : null;
}

/** Why a user of no bidding company may not use the page (403). */
const BIDDERS_ONLY = 'Only members of a bidding company may submit bids';

function ocidOf(request: FastifyRequest<OcidParams>): string {
  const ocid = request.params.ocid;
  if (!OCID_RE.test(ocid)) throw new DomainError('NOT_FOUND', 'Tender not found');
  return ocid;
}

const bidUrl = (ocid: string, companyId: string) =>
  `/tenders/${ocid}/bid?companyId=${encodeURIComponent(companyId)}`;
const receiptFileName = (ocid: string, version: number) => `receipt-${ocid}-v${version}.json`;

/** "30 de nov. 2026, 14:00 (Europe/Madrid) · 30 de nov. 2026, 13:00 UTC": the deadline in both clocks. */
function bothClocks(pc: PageContext, d: Date): Html {
  return html`<time datetime="${d.toISOString()}">${formatDateTime(pc.locale, d)}</time> (Europe/Madrid) ·
    ${formatDateTime(pc.locale, d, 'UTC')} UTC`;
}

type PageState = {
  ocid: string;
  terms: Terms;
  company: { id: string; name: string };
  companies: { id: string; name: string }[];
  bid: CompanyBid | undefined;
  receipts: Awaited<ReturnType<typeof listBidReceipts>>;
  open: boolean;
  errors: FieldError[];
  notice?: string | undefined;
};

function factsSection(pc: PageContext, s: PageState): Html {
  const t = pc.t;
  const { terms } = s;
  return html`<section aria-labelledby="facts-h" id="facts">
    <h2 id="facts-h">${t('bidding.facts.title')}</h2>
    <dl class="facts">
      <dt>${t('bidding.facts.tender')}</dt><dd><a href="/tenders/${s.ocid}">${terms.title}</a></dd>
      <dt>${t('bidding.facts.ocid')}</dt><dd><code>${s.ocid}</code></dd>
      <dt>${t('bidding.facts.deadline')}</dt><dd id="deadline">${terms.deadline ? bothClocks(pc, terms.deadline) : '—'}</dd>
      <dt>${t('bidding.facts.company')}</dt><dd id="bidding-company">${s.company.name}</dd>
      ${
        terms.sealing
          ? html`<dt>${t('bidding.facts.custodians')}</dt><dd>${t('bidding.facts.quorum', { quorum: terms.sealing.quorum, count: terms.sealing.custodians })}</dd>`
          : ''
      }
    </dl>
    ${companyPicker(s, `/tenders/${s.ocid}/bid`, {
      choose: t('bidding.company.choose'),
      submit: t('bidding.company.submit'),
    })}
  </section>`;
}

/** Why the page has no form: the deadline passed, the tender was cancelled, or it takes no sealed bids. */
function closedReason(pc: PageContext, s: PageState): string {
  const t = pc.t;
  if (s.terms.status !== 'published') return t('bidding.closed.cancelled');
  if (!s.terms.sealing || s.terms.envelopes.length === 0) return t('bidding.closed.noSealing');
  return t('bidding.closed.deadline');
}

/** The texts the script shows, in the page's language (the script has no translations of its own). */
function scriptTexts(pc: PageContext): string {
  const t = pc.t;
  // Placeholders ({{envelope}}…) are left for the script to fill: i18next keeps unknown ones.
  const texts = {
    target: t('bidding.js.target'),
    sealing: t('bidding.js.sealing'),
    uploading: t('bidding.js.uploading'),
    committing: t('bidding.js.committing'),
    done: t('bidding.js.done'),
    failed: t('bidding.js.failed'),
    noLots: t('bidding.js.noLots'),
    tooManyLots: t('bidding.js.tooManyLots'),
    noFiles: t('bidding.js.noFiles'),
    price: t('bidding.js.price'),
    fileName: t('bidding.js.fileName'),
    receiptMismatch: t('bidding.js.receiptMismatch'),
    network: t('bidding.js.network'),
    unexpected: t('bidding.js.unexpected'),
    noTarget: t('bidding.js.noTarget'),
    manifest: t('bidding.receipt.manifest'),
    file: t('bidding.receipt.file'),
    share: t('bidding.receipt.share'),
    replace: t('bidding.form.replace'),
    envelopes: Object.fromEntries(ENVELOPE_LETTERS.map((e) => [e, envelopeLabel(t, e)])),
    errors: Object.fromEntries(SCRIPT_ERROR_CODES.map((c) => [c, bidErrorText(t, c)])),
  };
  return JSON.stringify(texts);
}

function envelopeFieldset(pc: PageContext, s: PageState, e: EnvelopeLetter, formula: EnvelopeLetter | null) {
  const t = pc.t;
  const docs = s.terms.documents.filter((d) => d.envelope === e);
  const lots = s.terms.lots;
  return html`<fieldset class="envelope" id="envelope-${e}" aria-describedby="envelope-${e}-docs">
    <legend>${envelopeLabel(t, e)}</legend>
    <div id="envelope-${e}-docs">${
      docs.length
        ? html`<p class="hint">${t('bidding.envelope.documents')}</p>
          <ul class="bid-documents">${docs.map(
            (d) =>
              html`<li>${d.name} (${d.mandatory ? t('bidding.envelope.mandatory') : t('bidding.envelope.optional')})</li>`,
          )}</ul>`
        : html`<p class="hint">${t('bidding.envelope.noDocuments')}</p>`
    }</div>
    <div class="field">
      <label for="files-${e}">${t('bidding.envelope.files', { envelope: envelopeLabel(t, e) })}</label>
      <p class="hint" id="files-${e}-hint">${t('bidding.envelope.filesHint')}</p>
      <input type="file" id="files-${e}" name="files-${e}" multiple aria-describedby="files-${e}-hint" data-envelope="${e}">
    </div>
    ${
      e === formula
        ? html`<p class="hint" id="prices-hint">${t('bidding.price.offerNote', { file: OFFER_FILE_NAME })}</p>
        ${lots.map(
          (l) => html`<div class="field price-field" id="price-field-${l.number}" data-lot="${l.number}">
          <label for="price-${l.number}">${t('bidding.price.label', { n: l.number })}</label>
          <p class="hint" id="price-${l.number}-hint">${t('bidding.price.hint')}</p>
          <input type="text" id="price-${l.number}" name="price-${l.number}" inputmode="decimal" autocomplete="off"
            maxlength="20" aria-describedby="price-${l.number}-hint prices-hint">
        </div>`,
        )}`
        : ''
    }
  </fieldset>`;
}

function formSection(pc: PageContext, s: PageState): Html {
  const t = pc.t;
  const { terms } = s;
  const formula = formulaEnvelope(terms.envelopes);
  const single = terms.lots.length === 1;
  const replacing = s.bid !== undefined;
  return html`<section aria-labelledby="form-h" id="bid">
    <h2 id="form-h">${t('bidding.form.title')}</h2>
    <p>${t('bidding.form.lead', { quorum: terms.sealing?.quorum ?? 0, count: terms.sealing?.custodians ?? 0 })}</p>
    <noscript><p class="notice" id="bid-noscript">${t('bidding.noscript')}</p></noscript>
    ${
      s.bid?.status === 'submitted'
        ? html`<p class="notice" id="replace-note">${t('bidding.form.replaceNote')}</p>`
        : s.bid?.status === 'withdrawn'
          ? html`<p class="notice" id="replace-note">${t('bidding.form.withdrawnNote')}</p>`
          : ''
    }
    <div class="error-summary" id="bid-errors" role="alert" tabindex="-1" hidden>
      <h2>${t('form.errorTitle')}</h2><ul></ul>
    </div>
    <form id="bid-form" novalidate hidden data-ocid="${s.ocid}" data-company="${s.company.id}"
      data-bid="${s.bid?.id ?? ''}" data-envelopes="${terms.envelopes.join(',')}" data-formula="${formula ?? ''}"
      data-max-lots="${terms.maxLotsPerBidder ?? ''}" data-texts="${scriptTexts(pc)}">
      <fieldset id="lots" aria-describedby="lots-hint">
        <legend>${t('bidding.lots.legend')}</legend>
        <p class="hint" id="lots-hint">${
          terms.maxLotsPerBidder !== null
            ? t('bidding.lots.max', { count: terms.maxLotsPerBidder })
            : t('bidding.lots.hint')
        }</p>
        ${terms.lots.map(
          (
            l,
          ) => html`<div class="checkbox"><input type="checkbox" id="lot-${l.number}" name="lot" value="${l.number}" ${single ? html`checked` : ''}>
          <label for="lot-${l.number}">${t('bidding.lots.lot', { n: l.number, title: l.title })}</label></div>`,
        )}
      </fieldset>
      ${terms.envelopes.map((e) => envelopeFieldset(pc, s, e, formula))}
      <button type="submit" id="bid-submit">${replacing ? t('bidding.form.replace') : t('bidding.form.submit')}</button>
    </form>
    <p id="bid-progress" role="status" aria-live="polite"></p>
    <section id="bid-result" aria-labelledby="bid-result-h" hidden>
      <h2 id="bid-result-h" tabindex="-1">${t('bidding.receipt.title')}</h2>
      <p class="notice">${t('bidding.receipt.lead')}</p>
      <dl class="facts">
        <dt>${t('bidding.receipt.version')}</dt><dd id="r-version"></dd>
        <dt>${t('bidding.receipt.sequence')}</dt><dd id="r-sequence"></dd>
        <dt>${t('bidding.receipt.receivedAt')}</dt><dd id="r-received"></dd>
        <dt>${t('bidding.receipt.lots')}</dt><dd id="r-lots"></dd>
        <dt>${t('bidding.receipt.bidId')}</dt><dd><code id="r-bid"></code></dd>
        <dt>${t('bidding.receipt.keyId')}</dt><dd><code id="r-key"></code></dd>
      </dl>
      <div id="r-envelopes"></div>
      <p><a id="r-download" href="#bid-result" download>${t('bidding.receipt.download')}</a></p>
      ${verifyNote(pc)}
    </section>
  </section>`;
}

function verifyNote(pc: PageContext): Html {
  const t = pc.t;
  return html`<p class="hint verify-note">${t('bidding.verify.lead')}
    <code>contracta receipt verify receipt.json --key key.pem</code>
    ${t('bidding.verify.openssl')} <a href="/api/v1/receipt-keys">/api/v1/receipt-keys</a></p>`;
}

function receiptsSection(pc: PageContext, s: PageState): Html {
  const t = pc.t;
  const rows = s.receipts;
  const withdraw =
    s.open && s.bid?.status === 'submitted'
      ? html`<form method="post" action="/tenders/${s.ocid}/bid/withdraw" id="withdraw-form" novalidate>
        ${csrfField(pc)}<input type="hidden" name="companyId" value="${s.company.id}">
        <h3 id="withdraw-h">${t('bidding.withdraw.title')}</h3>
        <p>${t('bidding.withdraw.lead')}</p>
        <div class="checkbox${s.errors.some((e) => e.field === 'confirm') ? ' field-error' : ''}">
          <input type="checkbox" id="confirm" name="confirm" value="yes">
          <label for="confirm">${t('bidding.withdraw.confirm')}</label></div>
        <button type="submit" class="danger" id="withdraw-submit">${t('bidding.withdraw.submit')}</button>
      </form>`
      : '';
  return html`<section aria-labelledby="receipts-h" id="receipts">
    <h2 id="receipts-h">${t('bidding.receipts.title')}</h2>
    ${
      rows.length === 0
        ? html`<p id="no-receipts">${t('bidding.receipts.none')}</p>`
        : html`<table class="receipts">
      <caption>${t('bidding.receipts.caption', { count: rows.length })}</caption>
      <thead><tr><th scope="col">${t('bidding.receipts.version')}</th><th scope="col">${t('bidding.receipts.kind')}</th>
        <th scope="col">${t('bidding.receipts.sequence')}</th><th scope="col">${t('bidding.receipts.receivedAt')}</th>
        <th scope="col">${t('bidding.receipts.file')}</th></tr></thead>
      <tbody>${rows.map((r) => {
        const receivedAt = str(obj(r.file.receipt).receivedAt);
        const key = KIND_KEYS[r.kind];
        return html`<tr id="receipt-v${r.version}"><th scope="row">${r.version}</th>
          <td>${key ? t(key) : r.kind}</td><td>${r.sequence}</td>
          <td>${receivedAt ? html`<time datetime="${receivedAt}">${formatDateTime(pc.locale, new Date(receivedAt))}</time> · <code>${receivedAt}</code>` : '—'}</td>
          <td><a href="/tenders/${s.ocid}/bid/receipts/${r.version}?companyId=${s.company.id}" download="${receiptFileName(s.ocid, r.version)}">${t('bidding.receipts.download', { version: r.version })}</a></td></tr>`;
      })}</tbody></table>
      ${verifyNote(pc)}`
    }
    ${withdraw}
  </section>`;
}

export function bidPages(app: App, r: FastifyInstance): void {
  /** Everything the page shows, read through the services (their policies apply). */
  const load = async (
    request: FastifyRequest<OcidParams>,
    reply: FastifyReply,
    askedCompany: string | undefined,
  ): Promise<{ pc: PageContext; state: PageState }> => {
    const ocid = ocidOf(request);
    const ctx = app.serviceContext(request);
    const n = await getPublicNotice(ctx, ocid);
    const pc = await pageContext(app, request, reply);
    const { company, companies } = chooseCompany(request.actor as UserActor, pc, askedCompany, BIDDERS_ONLY);
    const terms = termsOf(obj(n.notice), pc.locale, ocid, n.status);
    const bid = await findCompanyBidByOcid(app.deps.database.db, ocid, company.id);
    const receipts = bid ? await listBidReceipts(ctx, ocid, bid.id) : [];
    // The server clock decides (LCSP DA 17ª); the page only avoids offering what would be refused.
    const open =
      terms.status === 'published' &&
      terms.sealing !== null &&
      terms.envelopes.length > 0 &&
      terms.deadline !== null &&
      terms.deadline > app.deps.clock.now();
    return { pc, state: { ocid, terms, company, companies, bid, receipts, open, errors: [] } };
  };

  const render = (pc: PageContext, s: PageState): Html => {
    const t = pc.t;
    const body = html`${s.notice ? html`<p class="notice" role="status" id="confirmation">${s.notice}</p>` : ''}
      ${errorSummary(pc, s.errors)}
      ${factsSection(pc, s)}
      ${s.open ? formSection(pc, s) : html`<p class="notice" id="bid-closed">${closedReason(pc, s)}</p>`}
      ${receiptsSection(pc, s)}
      <p><a href="/tenders/${s.ocid}">${t('bidding.back')}</a></p>`;
    return layout(pc, t('bidding.title'), body, s.open ? { script: 'bid-seal' } : {});
  };

  r.get<OcidParams>('/tenders/:ocid/bid', async (request, reply) => {
    if (!requireSignedIn(request, reply)) return reply;
    const { pc, state } = await load(request, reply, request.query.companyId || undefined);
    if (request.query.done === 'withdrawn') state.notice = pc.t('bidding.withdraw.done');
    return sendPage(reply, render(pc, state));
  });

  // The receipt file exactly as the API gives it, so that `contracta receipt verify FILE` checks it.
  r.get<{ Params: { ocid: string; version: string }; Querystring: { companyId?: string } }>(
    '/tenders/:ocid/bid/receipts/:version',
    async (request, reply) => {
      if (!requireSignedIn(request, reply)) return reply;
      const ocid = request.params.ocid;
      const version = /^[1-9]\d{0,5}$/.test(request.params.version) ? Number(request.params.version) : 0;
      if (!OCID_RE.test(ocid) || version === 0) return reply.callNotFound();
      const pc = await pageContext(app, request, reply);
      const { company } = chooseCompany(
        request.actor as UserActor,
        pc,
        request.query.companyId || undefined,
        BIDDERS_ONLY,
      );
      const bid = await findCompanyBidByOcid(app.deps.database.db, ocid, company.id);
      if (!bid) return reply.callNotFound();
      const row = (await listBidReceipts(app.serviceContext(request), ocid, bid.id)).find(
        (x) => x.version === version,
      );
      if (!row) return reply.callNotFound();
      return reply
        .header('content-disposition', `attachment; filename="${receiptFileName(ocid, version)}"`)
        .header('cache-control', 'private, no-store')
        .type('application/json; charset=utf-8')
        .send(JSON.stringify(row.file));
    },
  );

  r.post<OcidParams>('/tenders/:ocid/bid/withdraw', async (request, reply) => {
    if (!requireSignedIn(request, reply)) return reply;
    const f = formFields(request);
    const { pc, state } = await load(request, reply, f.get('companyId') || undefined);
    const again = (field: string, message: string, status: number) =>
      sendPage(reply, render(pc, { ...state, errors: [{ field, message }] }), status);
    if (!state.bid) return reply.callNotFound();
    if (f.get('confirm') !== 'yes') return again('confirm', pc.t('bidding.withdraw.confirmMissing'), 400);
    try {
      await withdrawBid(
        app.serviceContext(request),
        {
          store: app.deps.blobStore,
          maxBytes: app.deps.config.bidEnvelopeMaxBytes,
          signingKey: app.deps.signingKey.current,
          log: request.log,
        },
        state.ocid,
        state.bid.id,
        state.company.id,
      );
    } catch (err) {
      // The bid or tender missing is the 404 page; a refusal (the deadline, withdrawn already) goes
      // back to the page with its code's text.
      if (!isDomainError(err) || err.code === 'NOT_FOUND') throw err;
      return again('receipts-h', bidErrorText(pc.t, err.code), statusOf(err.code));
    }
    return reply.redirect(`${bidUrl(state.ocid, state.company.id)}&done=withdrawn#receipts`, 303);
  });
}
