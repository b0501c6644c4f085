import { requireSignedIn } from './account.pages.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../../app.js';
import { ErrorCodes } from '../../platform/errors.js';
import { type Html, html } from '../../platform/http/html.js';
import { activeCustodianKeys, custodianKeyLabel } from '../custody/custody.pages.js';
import { DOCUMENT_KINDS } from '../tenders/tender-document.rules.js';
import { listDocuments } from '../tenders/tender-document.service.js';
import { type NoticeChange, noticeDiff } from '../tenders/notice-diff.rules.js';
import { getTender } from '../tenders/tender.service.js';
import { answerQuestion, getPublicNotice, listQuestions } from '../tenders/tender-public.service.js';
import {
  approvalsInbox,
  assignmentCandidates,
  type CorrigendumInput,
  cancelTender,
  currentApprovalRound,
  decideApproval,
  getAssignments,
  publishCorrigendum,
  publishTender,
  setAssignments,
  submitTender,
} from '../tenders/tender-workflow.service.js';
import type { TenderView } from '../tenders/tender.presenter.js';
import { authorizeOnTender } from '../tenders/tender.policy.js';
import { instantFromLocalInput, localInputFromInstant } from './backoffice-tender-form.js';
import {
  can,
  checkbox,
  contractTypeLabel,
  documentKindLabel,
  envelopeLabel,
  abnormalSummary,
  evaluationLabel,
  findingsList,
  formulaWords,
  kindLabel,
  money,
  noticeFor,
  officeNav,
  problemMessage,
  procedureLabel,
  selectField,
  statusLabel,
  textArea,
  textField,
  when,
} from './backoffice-view.js';
import { csrfField, errorSummary, type FieldError, layout, type PageContext, sendPage } from './layout.js';
import { errorMessage, formFields, isDomainError, pageContext, validIds } from './portal.context.js';
import { roleLabel } from './roles.js';
import { bidsByInvitation } from '../procedures/procedure.rules.js';
import type { ProcedureCode } from '../procedures/procedure.types.js';

type TenderParams = { Params: { authorityId: string; tenderId: string } };

/** The corrigendum form as posted: what a corrigendum may change (CorrigendumInput), plus its reasons. */
export type CorrigendumForm = {
  reason: string;
  substantial: boolean;
  titleCa: string;
  titleEs: string;
  titleEn: string;
  descriptionCa: string;
  descriptionEs: string;
  descriptionEn: string;
  questionsDeadline: string;
  tenderDeadline: string;
  openingAt: string;
};

export type FilePageOptions = {
  errors?: FieldError[];
  status?: number;
  corrigendum?: CorrigendumForm;
  preview?: NoticeChange[];
  cancel?: { kind: string; reason: string };
  answers?: Record<string, string>;
  upload?: { kind: string; title: string };
};

const DEADLINES = ['questionsDeadline', 'tenderDeadline', 'openingAt'] as const;

function corrigendumFromView(view: TenderView): CorrigendumForm {
  return {
    reason: '',
    substantial: false,
    titleCa: view.title.ca,
    titleEs: view.title.es,
    titleEn: view.title.en,
    descriptionCa: view.description.ca,
    descriptionEs: view.description.es,
    descriptionEn: view.description.en,
    questionsDeadline: localInputFromInstant(view.questionsDeadline),
    tenderDeadline: localInputFromInstant(view.tenderDeadline),
    openingAt: localInputFromInstant(view.openingAt),
  };
}

/**
 * What the corrigendum changes relative to the file: only fields that differ are sent, so an
 * untouched deadline is not "moved" to itself. Problems are per field.
 */
export function corrigendumInput(
  form: CorrigendumForm,
  view: TenderView,
  version: number,
): { input: CorrigendumInput; errors: { field: string; problem: Parameters<typeof problemMessage>[1] }[] } {
  const errors: { field: string; problem: Parameters<typeof problemMessage>[1] }[] = [];
  if (form.reason === '') errors.push({ field: 'corrigendum-reason', problem: 'required' });
  else if (form.reason.length > 5000) errors.push({ field: 'corrigendum-reason', problem: 'tooLong' });
  const input: CorrigendumInput = { version, reason: form.reason, substantial: form.substantial };
  const title = { ca: form.titleCa, es: form.titleEs, en: form.titleEn };
  if (title.ca !== view.title.ca || title.es !== view.title.es || title.en !== view.title.en) {
    for (const [k, v] of [
      ['titleCa', title.ca],
      ['titleEs', title.es],
      ['titleEn', title.en],
    ] as const) {
      if (v === '') errors.push({ field: `corrigendum-${k}`, problem: 'required' });
      else if (v.length > 200) errors.push({ field: `corrigendum-${k}`, problem: 'tooLong' });
    }
    input.title = title;
  }
  const description = { ca: form.descriptionCa, es: form.descriptionEs, en: form.descriptionEn };
  const d = view.description;
  if (description.ca !== d.ca || description.es !== d.es || description.en !== d.en) {
    for (const [k, v] of [
      ['descriptionCa', description.ca],
      ['descriptionEs', description.es],
      ['descriptionEn', description.en],
    ] as const) {
      if (v.length > 5000) errors.push({ field: `corrigendum-${k}`, problem: 'tooLong' });
    }
    input.description = description;
  }
  for (const k of DEADLINES) {
    const value = form[k];
    if (value === '' || value === localInputFromInstant(view[k])) continue;
    const x = instantFromLocalInput(value);
    if ('problem' in x) errors.push({ field: `corrigendum-${k}`, problem: x.problem });
    else input[k] = new Date(x.iso).toISOString();
  }
  return { input, errors };
}

/** The notice as it would read after the corrigendum, for the visible-diff preview. */
function previewChanges(notice: Record<string, unknown>, input: CorrigendumInput): NoticeChange[] {
  const after: Record<string, unknown> = { ...notice };
  if (input.title) after.title = input.title;
  if (input.description) after.description = input.description;
  for (const k of DEADLINES) if (input[k]) after[k] = input[k];
  return noticeDiff(notice, after);
}

function formatLeaf(pc: PageContext, path: string, value: string | null): string {
  if (value === null || value === '') return '—';
  return /(Deadline|At)$/.test(path) && !Number.isNaN(Date.parse(value)) ? when(pc, value) : value;
}

function diffTable(pc: PageContext, changes: NoticeChange[]): Html {
  const t = pc.t;
  if (changes.length === 0)
    return html`<p id="corrigendum-preview">${t('backoffice.corrigendum.noChanges')}</p>`;
  return html`<table id="corrigendum-preview"><caption>${t('backoffice.corrigendum.previewCaption')}</caption>
    <thead><tr><th scope="col">${t('backoffice.corrigendum.field')}</th><th scope="col">${t('backoffice.corrigendum.before')}</th><th scope="col">${t('backoffice.corrigendum.after')}</th></tr></thead>
    <tbody>${changes.map(
      (c) =>
        html`<tr><th scope="row"><code>${c.path}</code></th><td><del>${formatLeaf(pc, c.path, c.before)}</del></td><td><ins>${formatLeaf(pc, c.path, c.after)}</ins></td></tr>`,
    )}</tbody></table>`;
}

/**
 * The envelopes of the file and, per envelope, the documents bidders must submit. A document
 * declared for an envelope the file lacks is still listed, said to be so in words (the check
 * BID_DOCUMENT_WITHOUT_ENVELOPE blocks publication until it is moved).
 */
function bidEnvelopes(pc: PageContext, view: TenderView): Html {
  const t = pc.t;
  const lang = pc.locale;
  const codes = [...new Set([...view.envelopes, ...view.bidDocuments.map((d) => d.envelope)])].sort();
  return html`<section aria-labelledby="envelopes-h" id="envelopes"><h2 id="envelopes-h">${t('backoffice.file.envelopes')}</h2>
    ${
      view.envelopes.length
        ? html`<p id="envelope-list">${t('backoffice.file.envelopesLead', { envelopes: view.envelopes.join(', ') })}</p>`
        : html`<p id="envelope-list">${t('backoffice.file.noEnvelopes')}</p>`
    }
    ${codes.map((e) => {
      const docs = view.bidDocuments.filter((d) => d.envelope === e);
      const absent = view.envelopes.includes(e)
        ? ''
        : html` — <strong>${t('backoffice.file.envelopeAbsent')}</strong>`;
      return docs.length
        ? html`<table id="envelope-${e}"><caption>${envelopeLabel(t, e)}${absent}</caption>
        <thead><tr><th scope="col">${t('backoffice.file.bidDocument')}</th><th scope="col">${t('backoffice.file.mandatory')}</th></tr></thead>
        <tbody>${docs.map(
          (d) =>
            html`<tr><th scope="row">${d.name[lang]}</th><td>${d.mandatory ? t('backoffice.file.mandatoryYes') : t('backoffice.file.mandatoryNo')}</td></tr>`,
        )}</tbody></table>`
        : html`<p id="envelope-${e}">${envelopeLabel(t, e)}: ${t('backoffice.file.noBidDocuments')}</p>`;
    })}</section>`;
}

const bytes = (pc: PageContext, n: number) =>
  pc.t('backoffice.documents.size', { size: new Intl.NumberFormat(pc.locale).format(n) });

const editable = (status: string) => status === 'draft' || status === 'in_approval' || status === 'approved';

export async function renderFilePage(
  app: App,
  request: FastifyRequest,
  reply: FastifyReply,
  authorityId: string,
  tenderId: string,
  opts: FilePageOptions = {},
): Promise<FastifyReply> {
  const ctx = app.serviceContext(request);
  const view = await getTender(ctx, authorityId, tenderId);
  const [assigned, steps, documents, candidates, keys] = await Promise.all([
    getAssignments(ctx, authorityId, tenderId),
    currentApprovalRound(ctx, authorityId, tenderId),
    listDocuments(ctx, authorityId, tenderId),
    assignmentCandidates(ctx, authorityId),
    activeCustodianKeys(app, request, authorityId),
  ]);
  const published = view.status === 'published' || view.status === 'cancelled';
  const questions = published ? await listQuestions(ctx, authorityId, tenderId) : [];
  const pc = await pageContext(app, request, reply);
  const t = pc.t;
  const lang = pc.locale;
  const errors = opts.errors ?? [];
  const base = `/office/${authorityId}/tenders/${tenderId}`;
  const canEdit = can(pc, 'tender.edit', authorityId) && editable(view.status);
  const canPublish = can(pc, 'tender.publish', authorityId);
  const version = html`<input type="hidden" name="version" value="${view.version}">`;
  const names = new Map([...candidates.committee, ...candidates.custodians].map((c) => [c.id, c.name]));

  const facts = html`<dl class="facts" id="facts">
    <dt>${t('backoffice.form.reference')}</dt><dd>${view.reference}</dd>
    <dt>${t('backoffice.list.status')}</dt><dd id="tender-status" data-status="${view.status}">${statusLabel(t, view.status)}</dd>
    <dt>${t('backoffice.form.procedure')}</dt><dd>${procedureLabel(t, view.procedure)}</dd>
    <dt>${t('backoffice.form.contractType')}</dt><dd>${contractTypeLabel(t, view.contractType)}</dd>
    <dt>${t('backoffice.form.estimatedValue')}</dt><dd id="tender-estimated-value">${money(pc, view.estimatedValue)}
      ${view.valueBreakdown ? html`<br><small>${t('backoffice.form.valueBase')}: ${money(pc, view.valueBreakdown.base)} · ${t('backoffice.form.valueOptions')}: ${money(pc, view.valueBreakdown.options)} · ${t('backoffice.form.valueExtensions')}: ${money(pc, view.valueBreakdown.extensions)} · ${t('backoffice.form.valueModifications')}: ${money(pc, view.valueBreakdown.modifications)} · ${t('backoffice.form.valuePrizes')}: ${money(pc, view.valueBreakdown.prizes)}</small>` : ''}</dd>
    <dt>${t('backoffice.form.budgetExclVat')}</dt><dd>${money(pc, view.budgetExclVat)}</dd>
    <dt>${t('backoffice.form.budgetInclVat')}</dt><dd>${money(pc, view.budgetInclVat)}</dd>
    <dt>${t('backoffice.form.mainCpv')}</dt><dd><code>${view.mainCpv}</code>${view.additionalCpvs.length ? html` + <code>${view.additionalCpvs.join(', ')}</code>` : ''}</dd>
    <dt>${t('backoffice.form.questionsDeadline')}</dt><dd>${when(pc, view.questionsDeadline)}</dd>
    <dt>${t('backoffice.form.tenderDeadline')}</dt><dd>${when(pc, view.tenderDeadline)}</dd>
    <dt>${t('backoffice.form.openingAt')}</dt><dd>${when(pc, view.openingAt)}</dd>
    <dt>${t('backoffice.file.version')}</dt><dd>${view.version}</dd>
    ${view.ocid ? html`<dt>OCID</dt><dd><code>${view.ocid}</code> · <a href="/tenders/${view.ocid}" id="public-page">${t('backoffice.file.publicPage')}</a> · <a href="${base}/opening" id="opening-page">${t('opening.page.link')}</a> · <a href="${base}/qualification" id="committee-workspace">${t('evaluation.workspace')}</a>${bidsByInvitation(view.procedure as ProcedureCode) ? html` · <a href="${base}/selection" id="selection-page">${t('selection.office.link')}</a>` : ''}</dd>` : ''}
    ${view.cancellation ? html`<dt>${t('backoffice.cancel.title')}</dt><dd>${view.cancellation.kind === 'renuncia' ? t('backoffice.cancel.renuncia') : t('backoffice.cancel.desistimiento')}: ${view.cancellation.reason} (${when(pc, view.cancellation.at)})</dd>` : ''}
  </dl>`;

  const actions = html`<section aria-labelledby="actions-h"><h2 id="actions-h">${t('backoffice.file.actions')}</h2>
    ${canEdit ? html`<p><a href="${base}/edit" id="edit-tender">${t('backoffice.file.edit')}</a></p>` : ''}
    ${
      can(pc, 'tender.submit', authorityId) && view.status === 'draft'
        ? html`<form method="post" action="${base}/submit" class="inline">${csrfField(pc)}${version}
          <button type="submit" id="submit-tender">${t('backoffice.file.submit')}</button></form>`
        : ''
    }
    ${
      canPublish && view.status === 'approved'
        ? view.publishable
          ? html`<form method="post" action="${base}/publish" class="inline">${csrfField(pc)}${version}
            <button type="submit" id="publish-tender">${t('backoffice.file.publish')}</button></form>`
          : html`<p>${t('backoffice.file.blocked')}</p>`
        : ''
    }
    ${view.status === 'in_approval' ? html`<p>${t('backoffice.file.waiting')} <a href="/office/approvals">${t('backoffice.approvals.title')}</a></p>` : ''}
  </section>`;

  const checks = html`<section aria-labelledby="checks-h"><h2 id="checks-h">${t('backoffice.findings.title')}</h2>
    ${findingsList(pc, view.findings)}</section>`;

  const approvals = steps.length
    ? html`<section aria-labelledby="approvals-h"><h2 id="approvals-h">${t('backoffice.file.approvalSteps')}</h2>
      <table id="approval-steps"><caption>${t('backoffice.file.approvalRound', { round: steps[0]?.round ?? 1 })}</caption>
      <thead><tr><th scope="col">${t('backoffice.approvals.step')}</th><th scope="col">${t('backoffice.approvals.decision')}</th><th scope="col">${t('backoffice.approvals.by')}</th><th scope="col">${t('backoffice.approvals.comment')}</th></tr></thead>
      <tbody>${steps.map(
        (s) => html`<tr><td>${s.position + 1}. ${roleLabel(t, s.role)}</td>
          <td>${s.decision === 'approved' ? t('backoffice.approvals.approved') : s.decision === 'rejected' ? t('backoffice.approvals.rejected') : t('backoffice.approvals.pending')}</td>
          <td>${s.decidedBy?.name ?? '—'}${s.decidedAt ? html` (${when(pc, s.decidedAt)})` : ''}</td><td>${s.comment ?? ''}</td></tr>`,
      )}</tbody></table></section>`
    : '';

  const lots = html`<section aria-labelledby="lots-h"><h2 id="lots-h">${t('backoffice.form.lots')}</h2>
    ${view.lots.map(
      (
        l,
      ) => html`<table id="lot-${l.number}"><caption>${t('backoffice.lot', { number: l.number })}: ${l.title[lang]} — ${money(pc, l.estimatedValue)} · CPV <code>${l.mainCpv}</code>${l.reserved ? html` · ${t('backoffice.form.reserved')}` : ''}</caption>
      <thead><tr><th scope="col">${t('backoffice.file.criterion')}</th><th scope="col">${t('backoffice.form.criterionKind')}</th><th scope="col">${t('backoffice.form.evaluation')}</th><th scope="col">${t('backoffice.form.weight')}</th><th scope="col">${t('backoffice.form.formula')}</th></tr></thead>
      <tbody>${l.criteria.map(
        (c) =>
          html`<tr><td>${c.name[lang]}</td><td>${kindLabel(t, c.kind)}</td><td>${evaluationLabel(t, c.evaluation)}</td><td>${c.weight} %</td><td>${formulaWords(t, c.formula, c.weight) || '—'}</td></tr>`,
      )}</tbody></table>
      <p class="abnormal-rule" id="lot-${l.number}-abnormal">${abnormalSummary(pc, l)}</p>`,
    )}</section>`;

  const envelopes = bidEnvelopes(pc, view);

  const simulator = html`<p><a href="/office/formula-simulator">${t('backoffice.simulator.link')}</a></p>`;
  const upload = opts.upload ?? { kind: 'pcap', title: '' };
  const docs = html`<section aria-labelledby="documents-h"><h2 id="documents-h">${t('backoffice.documents.title')}</h2>
    ${
      documents.length
        ? html`<table id="documents"><caption>${t('backoffice.documents.caption', { count: documents.length })}</caption>
        <thead><tr><th scope="col">${t('backoffice.documents.kind')}</th><th scope="col">${t('backoffice.documents.name')}</th><th scope="col">${t('backoffice.documents.size')}</th><th scope="col">SHA-256</th></tr></thead>
        <tbody>${documents.map(
          (
            d,
          ) => html`<tr><td>${documentKindLabel(t, d.kind)}</td><td><a href="/api/v1/authorities/${authorityId}/tenders/${tenderId}/documents/${d.id}/content">${d.title}</a><br><small>${d.fileName}</small></td>
            <td>${bytes(pc, d.size)}</td><td><code class="secret">${d.sha256}</code></td></tr>`,
        )}</tbody></table>`
        : html`<p id="no-documents">${t('backoffice.documents.none')}</p>`
    }
    ${
      canEdit
        ? html`<form method="post" action="${base}/documents?_csrf=${encodeURIComponent(pc.csrf)}" enctype="multipart/form-data" id="upload-form">
          <fieldset><legend>${t('backoffice.documents.upload')}</legend>
          ${selectField({ name: 'doc-kind', label: t('backoffice.documents.kind'), value: upload.kind, errors, options: DOCUMENT_KINDS.map((k) => [k, documentKindLabel(t, k)]) })}
          ${textField({ name: 'doc-title', label: t('backoffice.documents.docTitle'), value: upload.title, errors, required: true })}
          ${textField({ name: 'doc-file', label: t('backoffice.documents.file'), value: '', type: 'file', errors, required: true, hint: t('backoffice.documents.fileHint') })}
          <button type="submit" id="upload-document">${t('backoffice.documents.uploadButton')}</button>
          </fieldset></form>`
        : ''
    }</section>`;

  const quorum = t('backoffice.assign.quorum', { k: view.custodianQuorum, n: assigned.custodians.length });
  const assignments = html`<section aria-labelledby="assign-h"><h2 id="assign-h">${t('backoffice.assign.title')}</h2>
    <p id="quorum">${quorum}</p>
    ${keys ? html`<p id="custodian-keys">${t('custody.assign.keys', { withKey: assigned.custodians.filter((id) => keys.has(id)).length, total: assigned.custodians.length })}</p>` : ''}
    ${
      canEdit
        ? html`<form method="post" action="${base}/assignments" id="assign-form">${csrfField(pc)}${version}
        <fieldset><legend>${t('backoffice.assign.committee')}</legend>
          ${candidates.committee.length ? candidates.committee.map((c) => checkbox({ name: 'committee', id: `committee-${c.id}`, value: c.id, label: c.name, checked: assigned.committee.includes(c.id) })) : html`<p>${t('backoffice.assign.nobody')}</p>`}
        </fieldset>
        <fieldset><legend>${t('backoffice.assign.custodians')}</legend>
          ${candidates.custodians.length ? candidates.custodians.map((c) => checkbox({ name: 'custodians', id: `custodian-${c.id}`, value: c.id, label: custodianKeyLabel(pc, c.name, keys, c.id), checked: assigned.custodians.includes(c.id) })) : html`<p>${t('backoffice.assign.nobody')}</p>`}
        </fieldset>
        <fieldset aria-describedby="experts-hint"><legend>${t('backoffice.assign.experts')}</legend>
          <p class="hint" id="experts-hint">${t('backoffice.assign.expertsHint')}</p>
          ${candidates.experts.length ? candidates.experts.map((c) => checkbox({ name: 'experts', id: `expert-${c.id}`, value: c.id, label: c.name, checked: assigned.experts.includes(c.id) })) : html`<p>${t('backoffice.assign.nobody')}</p>`}
        </fieldset>
        <button type="submit" id="assign">${t('backoffice.assign.save')}</button></form>`
        : html`<ul>${[...assigned.committee.map((id) => `${names.get(id) ?? id} — ${roleLabel(t, 'committee_member')}`), ...assigned.custodians.map((id) => `${custodianKeyLabel(pc, names.get(id) ?? id, keys, id)} — ${roleLabel(t, 'key_custodian')}`), ...assigned.experts.map((id) => `${names.get(id) ?? id} — ${t('backoffice.assign.expert')}`)].map((x) => html`<li>${x}</li>`)}</ul>`
    }</section>`;

  const cf = opts.corrigendum ?? corrigendumFromView(view);
  const ctf = (k: keyof CorrigendumForm, label: string, type?: string) =>
    textField({ name: `corrigendum-${k}`, label, value: String(cf[k]), errors, ...(type ? { type } : {}) });
  const corrigendum =
    view.status === 'published' && canPublish
      ? html`<section aria-labelledby="corrigendum-h"><h2 id="corrigendum-h">${t('backoffice.corrigendum.title')}</h2>
      <p class="hint">${t('backoffice.corrigendum.lead')}</p>
      ${opts.preview ? diffTable(pc, opts.preview) : ''}
      <form method="post" action="${base}/corrigendum" id="corrigendum-form" novalidate>${csrfField(pc)}${version}
        ${textArea({ name: 'corrigendum-reason', label: t('backoffice.corrigendum.reason'), value: cf.reason, errors, required: true })}
        ${checkbox({ name: 'corrigendum-substantial', label: t('backoffice.corrigendum.substantial'), checked: cf.substantial })}
        <fieldset><legend>${t('backoffice.form.texts')}</legend>
        ${ctf('titleCa', t('backoffice.form.titleCa'))}${ctf('titleEs', t('backoffice.form.titleEs'))}${ctf('titleEn', t('backoffice.form.titleEn'))}
        ${textArea({ name: 'corrigendum-descriptionCa', label: t('backoffice.form.descriptionCa'), value: cf.descriptionCa, errors })}
        ${textArea({ name: 'corrigendum-descriptionEs', label: t('backoffice.form.descriptionEs'), value: cf.descriptionEs, errors })}
        ${textArea({ name: 'corrigendum-descriptionEn', label: t('backoffice.form.descriptionEn'), value: cf.descriptionEn, errors })}
        </fieldset>
        <fieldset><legend>${t('backoffice.form.dates')}</legend><p class="hint">${t('backoffice.corrigendum.datesHint')}</p>
        ${ctf('questionsDeadline', t('backoffice.form.questionsDeadline'), 'datetime-local')}
        ${ctf('tenderDeadline', t('backoffice.form.tenderDeadline'), 'datetime-local')}
        ${ctf('openingAt', t('backoffice.form.openingAt'), 'datetime-local')}
        </fieldset>
        <button type="submit" name="action" value="preview" id="preview-corrigendum">${t('backoffice.corrigendum.preview')}</button>
        <button type="submit" name="action" value="publish" id="publish-corrigendum">${t('backoffice.corrigendum.publish')}</button>
      </form></section>`
      : '';

  const cancelValues = opts.cancel ?? { kind: 'desistimiento', reason: '' };
  const cancel =
    canPublish && view.status !== 'cancelled'
      ? html`<section aria-labelledby="cancel-h"><h2 id="cancel-h">${t('backoffice.cancel.title')}</h2>
      <form method="post" action="${base}/cancel" id="cancel-form" novalidate>${csrfField(pc)}${version}
        ${selectField({
          name: 'cancel-kind',
          label: t('backoffice.cancel.kind'),
          value: cancelValues.kind,
          errors,
          options: [
            ['desistimiento', t('backoffice.cancel.desistimiento')],
            ['renuncia', t('backoffice.cancel.renuncia')],
          ],
          hint: t('backoffice.cancel.hint'),
        })}
        ${textArea({ name: 'cancel-reason', label: t('backoffice.cancel.reason'), value: cancelValues.reason, errors, required: true })}
        <button type="submit" id="cancel-tender" class="danger">${t('backoffice.cancel.button')}</button>
      </form></section>`
      : '';

  const qa = published
    ? html`<section aria-labelledby="questions-h"><h2 id="questions-h">${t('backoffice.questions.title')}</h2>
      ${
        questions.length === 0
          ? html`<p id="no-questions">${t('backoffice.questions.none')}</p>`
          : html`<ol class="questions">${questions.map(
              (
                q,
              ) => html`<li id="question-${q.id}"><p>${q.company === null ? '' : html`<strong>${q.company}</strong> · `}${when(pc, q.askedAt)}</p><blockquote>${q.question}</blockquote>
            ${
              q.answer !== null
                ? html`<p><strong>${t('backoffice.questions.answer')}</strong> (${when(pc, q.answeredAt)}): ${q.answer}</p>`
                : canPublish
                  ? html`<form method="post" action="${base}/questions/${q.id}/answer" novalidate>${csrfField(pc)}
                  ${textArea({ name: `answer-${q.id}`, label: t('backoffice.questions.answerLabel'), value: opts.answers?.[q.id] ?? '', errors, required: true })}
                  <button type="submit" id="answer-button-${q.id}">${t('backoffice.questions.send')}</button></form>`
                  : html`<p>${t('backoffice.questions.unanswered')}</p>`
            }</li>`,
            )}</ol>`
      }</section>`
    : '';

  const page = layout(
    pc,
    t('backoffice.file.title', { reference: view.reference }),
    html`${officeNav(pc, `/office/${authorityId}/tenders`)}${noticeFor(pc, request)}${errorSummary(pc, errors)}
    <p class="lead">${view.title[lang]}</p>
    ${facts}${actions}${checks}${approvals}${lots}${simulator}${envelopes}${docs}${assignments}${corrigendum}${qa}${cancel}`,
  );
  return sendPage(reply, page, opts.status ?? 200);
}

/** Codes that are the page's answer rather than a message on the form. */
const PASS_THROUGH = new Set(['NOT_FOUND', 'FORBIDDEN', 'UNAUTHENTICATED', 'CSRF_INVALID']);

export function backofficeWorkflowPages(app: App, r: FastifyInstance): void {
  const versionOf = (request: FastifyRequest) => {
    const v = Number(formFields(request).get('version'));
    return Number.isInteger(v) && v >= 1 ? v : 0;
  };

  /** Runs an action; a refusal re-renders the file page with the message on `field`. */
  const act = async (
    request: FastifyRequest<TenderParams>,
    reply: FastifyReply,
    field: string,
    run: () => Promise<unknown>,
    done: string,
    opts: FilePageOptions = {},
  ) => {
    const { authorityId, tenderId } = request.params;
    try {
      await run();
    } catch (err) {
      if (!isDomainError(err) || PASS_THROUGH.has(err.code)) throw err;
      const t = (await pageContext(app, request, reply)).t;
      const target = err.code === 'CHECKS_FAILED' ? 'findings' : field;
      return renderFilePage(app, request, reply, authorityId, tenderId, {
        ...opts,
        errors: [{ field: target, message: errorMessage(t, err.code) }],
        status: ErrorCodes[err.code],
      });
    }
    return reply.redirect(`/office/${authorityId}/tenders/${tenderId}?done=${done}`, 303);
  };

  const guard = (request: FastifyRequest<TenderParams>, reply: FastifyReply) =>
    requireSignedIn(request, reply) && validIds(reply, request.params.authorityId, request.params.tenderId);

  r.get<TenderParams>('/office/:authorityId/tenders/:tenderId', async (request, reply) => {
    if (!guard(request, reply)) return reply;
    return renderFilePage(app, request, reply, request.params.authorityId, request.params.tenderId);
  });

  r.post<TenderParams>('/office/:authorityId/tenders/:tenderId/submit', async (request, reply) => {
    if (!guard(request, reply)) return reply;
    const { authorityId, tenderId } = request.params;
    const ctx = app.serviceContext(request);
    return act(
      request,
      reply,
      'submit-tender',
      () => submitTender(ctx, authorityId, tenderId, versionOf(request)),
      'submitted',
    );
  });

  r.post<TenderParams>('/office/:authorityId/tenders/:tenderId/publish', async (request, reply) => {
    if (!guard(request, reply)) return reply;
    const { authorityId, tenderId } = request.params;
    const ctx = app.serviceContext(request);
    return act(
      request,
      reply,
      'actions-h',
      () => publishTender(ctx, authorityId, tenderId, versionOf(request)),
      'published',
    );
  });

  r.post<TenderParams>('/office/:authorityId/tenders/:tenderId/assignments', async (request, reply) => {
    if (!guard(request, reply)) return reply;
    const { authorityId, tenderId } = request.params;
    const f = formFields(request);
    const ids = (name: string) =>
      f
        .all(name)
        .filter((x) => /^[0-9a-f-]{36}$/i.test(x))
        .slice(0, 20);
    const ctx = app.serviceContext(request);
    return act(
      request,
      reply,
      'assign',
      () =>
        setAssignments(ctx, authorityId, tenderId, {
          version: versionOf(request),
          committee: ids('committee'),
          custodians: ids('custodians'),
          experts: ids('experts'),
        }),
      'assigned',
    );
  });

  r.post<TenderParams>('/office/:authorityId/tenders/:tenderId/cancel', async (request, reply) => {
    if (!guard(request, reply)) return reply;
    const { authorityId, tenderId } = request.params;
    const f = formFields(request);
    const values = { kind: f.get('cancel-kind'), reason: f.get('cancel-reason') };
    const ctx = app.serviceContext(request);
    const pc = await pageContext(app, request, reply);
    await getTender(ctx, authorityId, tenderId);
    const errors: FieldError[] = [];
    if (values.kind !== 'desistimiento' && values.kind !== 'renuncia')
      errors.push({ field: 'cancel-kind', message: problemMessage(pc.t, 'choice') });
    if (values.reason === '')
      errors.push({ field: 'cancel-reason', message: problemMessage(pc.t, 'required') });
    else if (values.reason.length > 5000)
      errors.push({ field: 'cancel-reason', message: problemMessage(pc.t, 'tooLong') });
    if (errors.length) {
      // Policy first: a caller who may not cancel gets 404/403, not a form error.
      authorizeOnTender(request.actor, 'tender.publish', authorityId);
      return renderFilePage(app, request, reply, authorityId, tenderId, {
        errors,
        status: 422,
        cancel: values,
      });
    }
    const kind = values.kind as 'desistimiento' | 'renuncia';
    return act(
      request,
      reply,
      'cancel-reason',
      () =>
        cancelTender(ctx, authorityId, tenderId, {
          version: versionOf(request),
          kind,
          reason: values.reason,
        }),
      'cancelled',
      { cancel: values },
    );
  });

  r.post<TenderParams>('/office/:authorityId/tenders/:tenderId/corrigendum', async (request, reply) => {
    if (!guard(request, reply)) return reply;
    const { authorityId, tenderId } = request.params;
    const ctx = app.serviceContext(request);
    const view = await getTender(ctx, authorityId, tenderId);
    authorizeOnTender(request.actor, 'tender.publish', authorityId);
    const pc = await pageContext(app, request, reply);
    const f = formFields(request);
    const form: CorrigendumForm = {
      reason: f.get('corrigendum-reason'),
      substantial: f.all('corrigendum-substantial').length > 0,
      titleCa: f.get('corrigendum-titleCa'),
      titleEs: f.get('corrigendum-titleEs'),
      titleEn: f.get('corrigendum-titleEn'),
      descriptionCa: f.get('corrigendum-descriptionCa'),
      descriptionEs: f.get('corrigendum-descriptionEs'),
      descriptionEn: f.get('corrigendum-descriptionEn'),
      questionsDeadline: f.get('corrigendum-questionsDeadline'),
      tenderDeadline: f.get('corrigendum-tenderDeadline'),
      openingAt: f.get('corrigendum-openingAt'),
    };
    const { input, errors } = corrigendumInput(form, view, versionOf(request));
    const fieldErrors = errors.map((e) => ({ field: e.field, message: problemMessage(pc.t, e.problem) }));
    if (f.get('action') === 'preview') {
      // The preview needs no reasons yet: only malformed values are reported.
      const shown = fieldErrors.filter((e) => e.field !== 'corrigendum-reason');
      const preview =
        view.ocid && shown.length === 0
          ? previewChanges((await getPublicNotice(ctx, view.ocid)).notice, input)
          : undefined;
      return renderFilePage(app, request, reply, authorityId, tenderId, {
        corrigendum: form,
        errors: shown,
        status: shown.length ? 422 : 200,
        ...(preview ? { preview } : {}),
      });
    }
    if (fieldErrors.length) {
      return renderFilePage(app, request, reply, authorityId, tenderId, {
        corrigendum: form,
        errors: fieldErrors,
        status: 422,
      });
    }
    const deadlineField = (err: unknown) => {
      const field = isDomainError(err) ? (err.details as { field?: unknown } | undefined)?.field : undefined;
      return typeof field === 'string' && (DEADLINES as readonly string[]).includes(field)
        ? `corrigendum-${field}`
        : 'corrigendum-reason';
    };
    try {
      await publishCorrigendum(ctx, authorityId, tenderId, input);
    } catch (err) {
      if (!isDomainError(err) || PASS_THROUGH.has(err.code)) throw err;
      const field =
        err.code === 'PERIOD_TOO_SHORT' && !(err.details as { field?: unknown } | undefined)?.field
          ? 'corrigendum-tenderDeadline'
          : deadlineField(err);
      return renderFilePage(app, request, reply, authorityId, tenderId, {
        corrigendum: form,
        errors: [{ field, message: errorMessage(pc.t, err.code) }],
        status: ErrorCodes[err.code],
      });
    }
    return reply.redirect(`/office/${authorityId}/tenders/${tenderId}?done=corrected`, 303);
  });

  r.post<{ Params: { authorityId: string; tenderId: string; questionId: string } }>(
    '/office/:authorityId/tenders/:tenderId/questions/:questionId/answer',
    async (request, reply) => {
      const { authorityId, tenderId, questionId } = request.params;
      if (!requireSignedIn(request, reply) || !validIds(reply, authorityId, tenderId, questionId))
        return reply;
      const answer = formFields(request).get(`answer-${questionId}`);
      const ctx = app.serviceContext(request);
      const field = `answer-${questionId}`;
      if (answer === '' || answer.length > 10000) {
        await getTender(ctx, authorityId, tenderId);
        authorizeOnTender(request.actor, 'tender.publish', authorityId);
        const t = (await pageContext(app, request, reply)).t;
        return renderFilePage(app, request, reply, authorityId, tenderId, {
          errors: [{ field, message: problemMessage(t, answer === '' ? 'required' : 'tooLong') }],
          status: 422,
          answers: { [questionId]: answer },
        });
      }
      return act(
        request,
        reply,
        field,
        () => answerQuestion(ctx, authorityId, tenderId, questionId, answer),
        'answered',
        {
          answers: { [questionId]: answer },
        },
      );
    },
  );

  // The approvals inbox: the pending steps the signed-in person can decide, across authorities.
  const inboxPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    errors: FieldError[] = [],
    status = 200,
    comments: Record<string, string> = {},
  ) => {
    const items = await approvalsInbox(app.serviceContext(request));
    const pc = await pageContext(app, request, reply);
    const t = pc.t;
    const lang = pc.locale;
    const authorityName = new Map(pc.authorities.map((a) => [a.id, a.name]));
    return sendPage(
      reply,
      layout(
        pc,
        t('backoffice.approvals.title'),
        html`${officeNav(pc, '/office/approvals')}${noticeFor(pc, request)}${errorSummary(pc, errors)}
        <p class="hint">${t('backoffice.approvals.lead')}</p>
        ${
          items.length === 0
            ? html`<p id="inbox-empty">${t('backoffice.approvals.empty')}</p>`
            : html`<ul class="inbox" id="inbox">${items.map((it) => {
                const action = `/office/approvals/${it.authorityId}/${it.tenderId}`;
                const commentId = `reject-comment-${it.tenderId}`;
                return html`<li id="inbox-${it.tenderId}"><h2><a href="/office/${it.authorityId}/tenders/${it.tenderId}">${it.reference}</a>: ${it.title[lang]}</h2>
                <p>${authorityName.get(it.authorityId) ?? ''} · ${t('backoffice.approvals.step')}: ${it.position + 1}. ${roleLabel(t, it.role)}</p>
                <form method="post" action="${action}" class="inline">${csrfField(pc)}<input type="hidden" name="decision" value="approved">
                  <button type="submit" id="approve-${it.tenderId}">${t('backoffice.approvals.approve')}<span class="visually-hidden"> ${it.reference}</span></button></form>
                <form method="post" action="${action}" novalidate>${csrfField(pc)}<input type="hidden" name="decision" value="rejected">
                  ${textArea({ name: commentId, label: t('backoffice.approvals.rejectComment'), value: comments[it.tenderId] ?? '', errors, hint: t('backoffice.approvals.rejectHint') })}
                  <button type="submit" id="reject-${it.tenderId}" class="danger">${t('backoffice.approvals.reject')}<span class="visually-hidden"> ${it.reference}</span></button></form></li>`;
              })}</ul>`
        }`,
      ),
      status,
    );
  };

  r.get('/office/approvals', async (request, reply) => {
    if (!requireSignedIn(request, reply)) return reply;
    return inboxPage(request, reply);
  });

  r.post<TenderParams>('/office/approvals/:authorityId/:tenderId', async (request, reply) => {
    if (!guard(request, reply)) return reply;
    const { authorityId, tenderId } = request.params;
    const f = formFields(request);
    const decision = f.get('decision');
    const comment = f.get(`reject-comment-${tenderId}`);
    if (decision !== 'approved' && decision !== 'rejected') return reply.callNotFound();
    try {
      await decideApproval(app.serviceContext(request), authorityId, tenderId, {
        decision,
        ...(comment ? { comment: comment.slice(0, 5000) } : {}),
      });
    } catch (err) {
      if (!isDomainError(err) || err.code === 'NOT_FOUND' || err.code === 'UNAUTHENTICATED') throw err;
      const t = (await pageContext(app, request, reply)).t;
      const field = err.code === 'UNPROCESSABLE' ? `reject-comment-${tenderId}` : 'inbox';
      // Four eyes (one person, one step per round) and a step of someone else's role both come back as FORBIDDEN.
      const message =
        err.code === 'FORBIDDEN'
          ? t('backoffice.approvals.forbidden')
          : err.code === 'UNPROCESSABLE'
            ? t('backoffice.approvals.commentRequired')
            : errorMessage(t, err.code);
      return inboxPage(request, reply, [{ field, message }], ErrorCodes[err.code], { [tenderId]: comment });
    }
    return reply.redirect(`/office/approvals?done=${decision}`, 303);
  });
}
