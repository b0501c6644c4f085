import { requireSignedIn } from './account.pages.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../../app.js';
import { type DomainError, ErrorCodes } from '../../platform/errors.js';
import { type Html, html } from '../../platform/http/html.js';
import { CONTRACT_TYPES, PROCEDURE_CODES } from '../procedures/procedure.types.js';
import { ENVELOPE_CODES } from '../tenders/bid-document.rules.js';
import { authorizeOnTender } from '../tenders/tender.policy.js';
import { createTender, getTender, listTenders, updateTender } from '../tenders/tender.service.js';
import {
  applyFormAction,
  bidDocumentField,
  CRITERION_EVALUATIONS,
  CRITERION_KINDS,
  criterionField,
  emptyForm,
  FLAGS,
  type Flag,
  formFromPost,
  formFromStored,
  formToInput,
  lotField,
  parseFormAction,
  type CriterionForm,
  type TenderForm,
  VALUE_PARTS,
  valueField,
} from './backoffice-tender-form.js';
import {
  ABNORMAL_CHOICES,
  type AbnormalFields,
  FORMULA_CHOICES,
  SETTING_CHOICES,
  specFromFields,
} from './backoffice-formula.js';
import { formulaSimulatorPages } from '../evaluation/formula-simulator.pages.js';
import { backofficeUploadRoutes } from './backoffice-upload.js';
import {
  can,
  checkbox,
  contractTypeLabel,
  envelopeLabel,
  evaluationLabel,
  formulaChoiceLabel,
  formulaWords,
  kindLabel,
  money,
  officeAuthorities,
  officeNav,
  optionLabel,
  problemMessage,
  procedureLabel,
  selectField,
  statusLabel,
  textArea,
  textField,
  when,
} from './backoffice-view.js';
import { backofficeWorkflowPages } from './backoffice-workflow.pages.js';
import { csrfField, errorSummary, type FieldError, layout, type PageContext, sendPage } from './layout.js';
import { errorMessage, formFields, isDomainError, pageContext, validIds } from './portal.context.js';

type AuthorityParams = { Params: { authorityId: string } };
type TenderParams = { Params: { authorityId: string; tenderId: string } };

const FLAG_KEYS: Record<Flag, string> = {
  urgent: 'backoffice.form.urgent',
  intellectualServices: 'backoffice.form.intellectualServices',
  socialServices: 'backoffice.form.socialServices',
  priorInformationNotice: 'backoffice.form.priorInformationNotice',
  routinePurchase: 'backoffice.form.routinePurchase',
};

const VALUE_KEYS: Record<(typeof VALUE_PARTS)[number], string> = {
  base: 'backoffice.form.valueBase',
  options: 'backoffice.form.valueOptions',
  extensions: 'backoffice.form.valueExtensions',
  modifications: 'backoffice.form.valueModifications',
  prizes: 'backoffice.form.valuePrizes',
};

/** Moves a service refusal onto the field it concerns, so the error summary links to it. */
export function serviceErrorFields(pc: PageContext, err: DomainError, form: TenderForm): FieldError[] {
  const message = errorMessage(pc.t, err.code);
  const details = (err.details ?? {}) as { field?: unknown; codes?: { cpv: string }[]; position?: unknown };
  if (err.code === 'INVALID_CPV' && Array.isArray(details.codes)) {
    const bad = new Set(details.codes.map((c) => c.cpv));
    const fields: FieldError[] = [];
    if (bad.has(form.mainCpv)) fields.push({ field: 'mainCpv', message });
    if (form.additionalCpvs.split(/[\s,;]+/).some((c) => bad.has(c)))
      fields.push({ field: 'additionalCpvs', message });
    form.lots.forEach((l, i) => {
      if (bad.has(l.mainCpv)) fields.push({ field: lotField(i + 1, 'mainCpv'), message });
    });
    if (fields.length) return fields;
  }
  const byCode: Partial<Record<string, string>> = {
    ESTIMATED_VALUE_MISMATCH: valueField('base'),
    BUDGET_INCONSISTENT: 'budgetInclVat',
    REFERENCE_TAKEN: 'reference',
  };
  // A document named twice in one envelope: the second one's name (its position counts from 1).
  if (details.field === 'bidDocuments' && typeof details.position === 'number') {
    return [{ field: bidDocumentField(details.position, 'nameCa'), message }];
  }
  const named = typeof details.field === 'string' ? details.field : undefined;
  const known = new Set(['questionsDeadline', 'tenderDeadline', 'openingAt', 'budgetInclVat', 'reference']);
  const field =
    byCode[err.code] ?? (named && known.has(named) ? named : named === 'lots' ? 'add-lot' : 'save');
  return [{ field, message }];
}

/**
 * A criterion's formula: the formula (F1–F7 or a scale), its direction, parameters, decimals and
 * zero-divisor rule, with the chosen formula in words underneath (as the notice will state it)
 * and a link to the simulator to try it on sample offers. Plain fields: no JavaScript needed.
 */
function criterionFormulaFields(
  pc: PageContext,
  cf: (k: string) => string,
  c: CriterionForm,
  errors: FieldError[],
): Html {
  const t = pc.t;
  const spec = specFromFields({
    formula: c.formula,
    direction: c.direction,
    decimals: c.decimals,
    zeroDivisor: c.zeroDivisor,
    params: c.formulaParams,
  });
  const words = 'spec' in spec && spec.spec ? formulaWords(t, spec.spec, c.weight || '?') : '';
  return html`<fieldset class="formula" id="${cf('formula-fieldset')}">
    <legend>${t('backoffice.form.formulaLegend')}</legend>
    ${selectField({ name: cf('formula'), label: t('backoffice.form.formula'), value: c.formula, errors, hint: t('backoffice.form.formulaHint'), options: [['', t('backoffice.form.formulaNone')], ...FORMULA_CHOICES.map((k): [string, string] => [k, formulaChoiceLabel(t, k)])] })}
    ${selectField({ name: cf('direction'), label: t('backoffice.form.direction'), value: c.direction, errors, hint: t('backoffice.form.directionHint'), options: ['higher_better', 'lower_better'].map((k): [string, string] => [k, optionLabel(t, k)]) })}
    ${textField({ name: cf('formulaParams'), label: t('backoffice.form.formulaParams'), value: c.formulaParams, errors, hint: t('backoffice.form.formulaParamsHint') })}
    ${textField({ name: cf('decimals'), label: t('backoffice.form.decimals'), value: c.decimals, errors, inputmode: 'numeric' })}
    ${selectField({ name: cf('zeroDivisor'), label: t('backoffice.form.zeroDivisor'), value: c.zeroDivisor, errors, hint: t('backoffice.form.zeroDivisorHint'), options: ['all_zero', 'all_max'].map((k): [string, string] => [k, optionLabel(t, k)]) })}
    ${words ? html`<p class="formula-words" id="${cf('words')}">${words}</p>` : ''}
  </fieldset>`;
}

/**
 * A lot's parameters for offers presumed abnormally low (art. 149.2): not declared (RGLCAP
 * art. 85 for price-only lots), RGLCAP art. 85 by reference, or the notice's own thresholds; and
 * the readings of the open points of §6 (blank: the default reading).
 */
function lotAbnormalFields(
  pc: PageContext,
  lf: (k: string) => string,
  a: AbnormalFields,
  errors: FieldError[],
): Html {
  const t = pc.t;
  const opts = (list: readonly string[], blank: string): [string, string][] =>
    list.map((k): [string, string] => [k, k === '' ? blank : optionLabel(t, k)]);
  return html`<fieldset class="abnormal" id="${lf('abnormal-fieldset')}">
    <legend>${t('backoffice.form.abnormalLegend')}</legend>
    ${selectField({ name: lf('abnormal'), label: t('backoffice.form.abnormal'), value: a.rule, errors, hint: t('backoffice.form.abnormalHint'), options: opts(ABNORMAL_CHOICES, t('backoffice.form.abnormalNone')) })}
    ${textField({ name: lf('abnormalBelowMean'), label: t('backoffice.form.abnormalBelowMean'), value: a.belowMean, errors, inputmode: 'decimal', hint: t('backoffice.form.abnormalUnitsHint') })}
    ${textField({ name: lf('abnormalBelowBudget'), label: t('backoffice.form.abnormalBelowBudget'), value: a.belowBudget, errors, inputmode: 'decimal' })}
    ${selectField({ name: lf('abnormalCombine'), label: t('backoffice.form.abnormalCombine'), value: a.combine, errors, options: opts(['any', 'all'], '') })}
    ${selectField({ name: lf('abnormalComparison'), label: t('backoffice.form.abnormalComparison'), value: a.comparison, errors, options: opts(SETTING_CHOICES.comparison, t('backoffice.form.settingDefault')) })}
    ${selectField({ name: lf('abnormalUnits'), label: t('backoffice.form.abnormalUnits'), value: a.units, errors, options: opts(SETTING_CHOICES.units, t('backoffice.form.settingDefault')) })}
    ${selectField({ name: lf('abnormalThreeBidders'), label: t('backoffice.form.abnormalThreeBidders'), value: a.threeBidders, errors, options: opts(SETTING_CHOICES.threeBidders, t('backoffice.form.settingDefault')) })}
  </fieldset>`;
}

function tenderForm(
  pc: PageContext,
  action: string,
  form: TenderForm,
  errors: FieldError[],
  estimatedValue?: string,
): Html {
  const t = pc.t;
  const v = form;
  const tf = (
    name: string,
    label: string,
    value: string,
    extra: { hint?: string; type?: string; required?: boolean; inputmode?: string } = {},
  ) => textField({ name, label, value, errors, ...extra });
  const lots = form.lots.map((lot, i) => {
    const n = i + 1;
    const lf = (k: string) => lotField(n, k);
    const criteria = lot.criteria.map((c, j) => {
      const m = j + 1;
      const cf = (k: string) => criterionField(n, m, k);
      return html`<fieldset class="criterion" id="${cf('fieldset')}">
        <legend>${t('backoffice.form.criterionLegend', { criterion: m, lot: n })}</legend>
        ${selectField({ name: cf('kind'), label: t('backoffice.form.criterionKind'), value: c.kind, errors, options: CRITERION_KINDS.map((k) => [k, kindLabel(t, k)]) })}
        ${selectField({ name: cf('evaluation'), label: t('backoffice.form.evaluation'), value: c.evaluation, errors, options: CRITERION_EVALUATIONS.map((k) => [k, evaluationLabel(t, k)]) })}
        ${tf(cf('weight'), t('backoffice.form.weight'), c.weight, { inputmode: 'decimal', required: true })}
        ${tf(cf('nameCa'), t('backoffice.form.nameCa'), c.nameCa, { required: true })}
        ${tf(cf('nameEs'), t('backoffice.form.nameEs'), c.nameEs, { required: true })}
        ${tf(cf('nameEn'), t('backoffice.form.nameEn'), c.nameEn, { required: true })}
        ${criterionFormulaFields(pc, cf, c, errors)}
        <button type="submit" name="action" value="removeCriterion:${n}:${m}" id="${cf('remove')}" class="danger">${t('backoffice.form.removeCriterion', { criterion: m, lot: n })}</button>
      </fieldset>`;
    });
    return html`<fieldset class="lot" id="${lf('fieldset')}">
      <legend>${t('backoffice.lot', { number: n })}</legend>
      <input type="hidden" name="${lf('criterionCount')}" value="${lot.criteria.length}">
      ${tf(lf('titleCa'), t('backoffice.form.titleCa'), lot.titleCa, { required: true })}
      ${tf(lf('titleEs'), t('backoffice.form.titleEs'), lot.titleEs, { required: true })}
      ${tf(lf('titleEn'), t('backoffice.form.titleEn'), lot.titleEn, { required: true })}
      ${tf(lf('estimatedValue'), t('backoffice.form.lotValue'), lot.estimatedValue, { inputmode: 'decimal', required: true })}
      ${tf(lf('budgetExclVat'), t('backoffice.form.lotBudget'), lot.budgetExclVat, { inputmode: 'decimal', required: true })}
      ${tf(lf('mainCpv'), t('backoffice.form.lotCpv'), lot.mainCpv, { hint: t('backoffice.form.cpvHint'), required: true })}
      ${checkbox({ name: lf('reserved'), label: t('backoffice.form.reserved'), checked: lot.reserved })}
      ${criteria}
      ${lotAbnormalFields(pc, lf, lot.abnormal, errors)}
      <p>
        <button type="submit" name="action" value="addCriterion:${n}" id="${lf('add-criterion')}">${t('backoffice.form.addCriterion', { lot: n })}</button>
        ${form.lots.length > 1 ? html`<button type="submit" name="action" value="removeLot:${n}" id="${lf('remove')}" class="danger">${t('backoffice.form.removeLot', { lot: n })}</button>` : ''}
      </p>
    </fieldset>`;
  });
  const bidDocuments = form.bidDocuments.map((d, i) => {
    const n = i + 1;
    const df = (k: string) => bidDocumentField(n, k);
    return html`<fieldset class="bid-document" id="${df('fieldset')}">
      <legend>${t('backoffice.form.bidDocumentLegend', { n })}</legend>
      ${selectField({ name: df('envelope'), label: t('backoffice.form.envelope'), value: d.envelope, errors, options: ENVELOPE_CODES.map((e) => [e, envelopeLabel(t, e)]) })}
      ${tf(df('nameCa'), t('backoffice.form.nameCa'), d.nameCa, { required: true })}
      ${tf(df('nameEs'), t('backoffice.form.nameEs'), d.nameEs, { required: true })}
      ${tf(df('nameEn'), t('backoffice.form.nameEn'), d.nameEn, { required: true })}
      ${checkbox({ name: df('mandatory'), label: t('backoffice.form.bidDocumentMandatory'), checked: d.mandatory })}
      <button type="submit" name="action" value="removeBidDocument:${n}" id="${df('remove')}" class="danger">${t('backoffice.form.removeBidDocument', { n })}</button>
    </fieldset>`;
  });
  return html`${errorSummary(pc, errors)}
  <form method="post" action="${action}" novalidate id="tender-form">${csrfField(pc)}
    <!-- Pressing Enter in a field saves, rather than pressing the first add/remove button. -->
    <button type="submit" name="action" value="save" class="visually-hidden" tabindex="-1" aria-hidden="true">${t('backoffice.form.save')}</button>
    <input type="hidden" name="version" value="${v.version}">
    <input type="hidden" name="lotCount" value="${form.lots.length}">
    <input type="hidden" name="bidDocumentCount" value="${form.bidDocuments.length}">
    <fieldset><legend>${t('backoffice.form.general')}</legend>
      ${tf('reference', t('backoffice.form.reference'), v.reference, { required: true, hint: t('backoffice.form.referenceHint') })}
      ${selectField({ name: 'procedure', label: t('backoffice.form.procedure'), value: v.procedure, errors, options: PROCEDURE_CODES.map((p) => [p, procedureLabel(t, p)]) })}
      ${selectField({ name: 'contractType', label: t('backoffice.form.contractType'), value: v.contractType, errors, options: CONTRACT_TYPES.map((c) => [c, contractTypeLabel(t, c)]) })}
    </fieldset>
    <fieldset><legend>${t('backoffice.form.texts')}</legend>
      ${tf('titleCa', t('backoffice.form.titleCa'), v.titleCa, { required: true })}
      ${tf('titleEs', t('backoffice.form.titleEs'), v.titleEs, { required: true })}
      ${tf('titleEn', t('backoffice.form.titleEn'), v.titleEn, { required: true })}
      ${textArea({ name: 'descriptionCa', label: t('backoffice.form.descriptionCa'), value: v.descriptionCa, errors })}
      ${textArea({ name: 'descriptionEs', label: t('backoffice.form.descriptionEs'), value: v.descriptionEs, errors })}
      ${textArea({ name: 'descriptionEn', label: t('backoffice.form.descriptionEn'), value: v.descriptionEn, errors })}
    </fieldset>
    <fieldset><legend>${t('backoffice.form.cpvs')}</legend>
      ${tf('mainCpv', t('backoffice.form.mainCpv'), v.mainCpv, { required: true, hint: t('backoffice.form.cpvHint') })}
      ${tf('additionalCpvs', t('backoffice.form.additionalCpvs'), v.additionalCpvs, { hint: t('backoffice.form.additionalCpvsHint') })}
    </fieldset>
    <fieldset><legend>${t('backoffice.form.value')}</legend>
      <p class="hint">${t('backoffice.form.valueHint')}</p>
      ${VALUE_PARTS.map((p) => tf(valueField(p), t(VALUE_KEYS[p]), v.value[p], { inputmode: 'decimal', required: true }))}
      ${estimatedValue ? html`<p id="estimated-value">${t('backoffice.form.estimatedValue')}: <strong>${money(pc, estimatedValue)}</strong></p>` : ''}
      ${tf('budgetExclVat', t('backoffice.form.budgetExclVat'), v.budgetExclVat, { inputmode: 'decimal', required: true })}
      ${tf('budgetInclVat', t('backoffice.form.budgetInclVat'), v.budgetInclVat, { inputmode: 'decimal', required: true })}
    </fieldset>
    <fieldset><legend>${t('backoffice.form.performance')}</legend>
      ${tf('durationMonths', t('backoffice.form.durationMonths'), v.durationMonths, { inputmode: 'numeric' })}
      ${tf('nutsCode', t('backoffice.form.nutsCode'), v.nutsCode, { hint: t('backoffice.form.nutsHint') })}
    </fieldset>
    <fieldset><legend>${t('backoffice.form.circumstances')}</legend>
      ${FLAGS.map((f) => checkbox({ name: f, label: t(FLAG_KEYS[f]), checked: v.flags[f] }))}
    </fieldset>
    <fieldset><legend>${t('backoffice.form.justifications')}</legend>
      ${textArea({ name: 'singleLotJustification', label: t('backoffice.form.singleLotJustification'), value: v.singleLotJustification, errors, hint: t('backoffice.form.singleLotHint') })}
      ${textArea({ name: 'priceWeightJustification', label: t('backoffice.form.priceWeightJustification'), value: v.priceWeightJustification, errors, hint: t('backoffice.form.priceWeightHint') })}
    </fieldset>
    <fieldset><legend>${t('backoffice.form.lotLimits')}</legend>
      ${tf('maxLotsPerBidder', t('backoffice.form.maxLotsPerBidder'), v.maxLotsPerBidder, { inputmode: 'numeric' })}
      ${tf('maxLotsAwarded', t('backoffice.form.maxLotsAwarded'), v.maxLotsAwarded, { inputmode: 'numeric' })}
    </fieldset>
    <fieldset><legend>${t('backoffice.form.dates')}</legend>
      <p class="hint">${t('backoffice.form.datesHint')}</p>
      ${tf('questionsDeadline', t('backoffice.form.questionsDeadline'), v.questionsDeadline, { type: 'datetime-local' })}
      ${tf('tenderDeadline', t('backoffice.form.tenderDeadline'), v.tenderDeadline, { type: 'datetime-local' })}
      ${tf('openingAt', t('backoffice.form.openingAt'), v.openingAt, { type: 'datetime-local' })}
      ${tf('custodianQuorum', t('backoffice.form.custodianQuorum'), v.custodianQuorum, { inputmode: 'numeric', hint: t('backoffice.form.quorumHint') })}
    </fieldset>
    <h2>${t('backoffice.form.lots')}</h2>
    <p class="hint">${t('backoffice.simulator.formHint')} <a href="/office/formula-simulator">${t('backoffice.simulator.link')}</a></p>
    ${lots}
    <p><button type="submit" name="action" value="addLot" id="add-lot">${t('backoffice.form.addLot')}</button></p>
    <h2 id="bid-documents-h">${t('backoffice.form.bidDocuments')}</h2>
    <p class="hint" id="bid-documents-hint">${t('backoffice.form.bidDocumentsHint')}</p>
    ${bidDocuments.length ? bidDocuments : html`<p id="no-bid-documents">${t('backoffice.form.noBidDocuments')}</p>`}
    <p><button type="submit" name="action" value="addBidDocument" id="add-biddoc">${t('backoffice.form.addBidDocument')}</button></p>
    <p><button type="submit" name="action" value="save" id="save">${t('backoffice.form.save')}</button></p>
  </form>`;
}

export function backofficePages(app: App, r: FastifyInstance): void {
  // The document upload needs its own multipart parser, registered in an encapsulated plugin.
  void r.register(backofficeUploadRoutes(app));
  backofficeWorkflowPages(app, r);
  void r.register(formulaSimulatorPages(app));

  r.get('/office', async (request, reply) => {
    if (!requireSignedIn(request, reply)) return reply;
    const pc = await pageContext(app, request, reply);
    const authorities = officeAuthorities(pc);
    const only = authorities[0];
    if (authorities.length === 1 && only) return reply.redirect(`/office/${only.id}/tenders`, 303);
    const t = pc.t;
    return sendPage(
      reply,
      layout(
        pc,
        t('backoffice.title'),
        html`${officeNav(pc)}${authorities.length === 0 ? html`<p>${t('backoffice.noAuthorities')}</p>` : html`<p>${t('backoffice.chooseAuthority')}</p>`}`,
      ),
    );
  });

  r.get<AuthorityParams>('/office/:authorityId/tenders', async (request, reply) => {
    if (!requireSignedIn(request, reply) || !validIds(reply, request.params.authorityId)) return reply;
    const { authorityId } = request.params;
    const ctx = app.serviceContext(request);
    const files = await listTenders(ctx, authorityId);
    const pc = await pageContext(app, request, reply);
    const t = pc.t;
    const authority = pc.authorities.find((a) => a.id === authorityId)?.name ?? '';
    const lang = pc.locale;
    return sendPage(
      reply,
      layout(
        pc,
        t('backoffice.list.title', { authority }),
        html`${officeNav(pc, `/office/${authorityId}/tenders`)}
        ${can(pc, 'tender.edit', authorityId) ? html`<p><a class="button" id="new-tender" href="/office/${authorityId}/tenders/new">${t('backoffice.list.new')}</a></p>` : ''}
        ${
          files.length === 0
            ? html`<p id="no-tenders">${t('backoffice.list.empty')}</p>`
            : html`<table id="tenders"><caption>${t('backoffice.list.caption', { count: files.length })}</caption>
          <thead><tr><th scope="col">${t('backoffice.list.reference')}</th><th scope="col">${t('backoffice.list.tenderTitle')}</th><th scope="col">${t('backoffice.form.procedure')}</th><th scope="col">${t('backoffice.list.status')}</th><th scope="col">${t('backoffice.form.estimatedValue')}</th><th scope="col">${t('backoffice.form.tenderDeadline')}</th></tr></thead>
          <tbody>${files.map(
            (
              f,
            ) => html`<tr><td><a href="/office/${authorityId}/tenders/${f.id}">${f.reference}</a></td><td>${f.title[lang]}</td>
              <td>${procedureLabel(t, f.procedure)}</td><td>${statusLabel(t, f.status)}</td><td>${money(pc, f.estimatedValue)}</td><td>${when(pc, f.tenderDeadline)}</td></tr>`,
          )}</tbody></table>`
        }`,
      ),
    );
  });

  const formPage = (
    pc: PageContext,
    title: string,
    action: string,
    form: TenderForm,
    errors: FieldError[],
    authorityId: string,
    estimatedValue?: string,
  ) =>
    layout(
      pc,
      title,
      html`${officeNav(pc, `/office/${authorityId}/tenders`)}${tenderForm(pc, action, form, errors, estimatedValue)}`,
    );

  r.get<AuthorityParams>('/office/:authorityId/tenders/new', async (request, reply) => {
    if (!requireSignedIn(request, reply) || !validIds(reply, request.params.authorityId)) return reply;
    const { authorityId } = request.params;
    authorizeOnTender(request.actor, 'tender.edit', authorityId);
    const pc = await pageContext(app, request, reply);
    const action = `/office/${authorityId}/tenders/new`;
    return sendPage(
      reply,
      formPage(pc, pc.t('backoffice.form.newTitle'), action, emptyForm(), [], authorityId),
    );
  });

  /** One handler for both forms: edit-in-place buttons re-render, "save" validates and saves. */
  const handlePost = async (
    request: FastifyRequest,
    reply: FastifyReply,
    authorityId: string,
    tenderId?: string,
  ) => {
    authorizeOnTender(request.actor, 'tender.edit', authorityId);
    // An unknown file (or another authority's) is a 404 even for the add/remove buttons.
    if (tenderId) await getTender(app.serviceContext(request), authorityId, tenderId);
    const body = formFields(request);
    const form = formFromPost({ get: body.get, has: (n) => body.all(n).length > 0 });
    const pc = await pageContext(app, request, reply);
    const t = pc.t;
    const action = tenderId
      ? `/office/${authorityId}/tenders/${tenderId}/edit`
      : `/office/${authorityId}/tenders/new`;
    const title = tenderId
      ? t('backoffice.form.editTitle', { reference: form.reference })
      : t('backoffice.form.newTitle');
    const render = (f: TenderForm, errors: FieldError[], status: number) =>
      sendPage(reply, formPage(pc, title, action, f, errors, authorityId), status);
    const pressed = parseFormAction(body.get('action'));
    if (!pressed) return render(form, [], 400);
    if (pressed.type !== 'save') return render(applyFormAction(form, pressed), [], 200);
    const mapped = formToInput(form);
    if (!mapped.ok) {
      return render(
        form,
        mapped.errors.map((e) => ({ field: e.field, message: problemMessage(t, e.problem) })),
        422,
      );
    }
    const ctx = app.serviceContext(request);
    try {
      if (tenderId) {
        await updateTender(ctx, authorityId, tenderId, { ...mapped.input, version: mapped.version ?? 0 });
        return reply.redirect(`/office/${authorityId}/tenders/${tenderId}?done=saved`, 303);
      }
      const created = await createTender(ctx, authorityId, mapped.input);
      return reply.redirect(`/office/${authorityId}/tenders/${created.id}?done=created`, 303);
    } catch (err) {
      if (!isDomainError(err) || ['NOT_FOUND', 'FORBIDDEN', 'UNAUTHENTICATED'].includes(err.code)) throw err;
      return render(form, serviceErrorFields(pc, err, form), ErrorCodes[err.code]);
    }
  };

  r.post<AuthorityParams>('/office/:authorityId/tenders/new', async (request, reply) => {
    if (!requireSignedIn(request, reply) || !validIds(reply, request.params.authorityId)) return reply;
    return handlePost(request, reply, request.params.authorityId);
  });

  r.get<TenderParams>('/office/:authorityId/tenders/:tenderId/edit', async (request, reply) => {
    const { authorityId, tenderId } = request.params;
    if (!requireSignedIn(request, reply) || !validIds(reply, authorityId, tenderId)) return reply;
    const ctx = app.serviceContext(request);
    const view = await getTender(ctx, authorityId, tenderId);
    authorizeOnTender(request.actor, 'tender.edit', authorityId);
    const pc = await pageContext(app, request, reply);
    const t = pc.t;
    const title = t('backoffice.form.editTitle', { reference: view.reference });
    const action = `/office/${authorityId}/tenders/${tenderId}/edit`;
    const form = formFromStored(view);
    const errors: FieldError[] =
      view.status === 'published' || view.status === 'cancelled'
        ? [{ field: 'save', message: errorMessage(t, 'INVALID_TRANSITION') }]
        : [];
    return sendPage(reply, formPage(pc, title, action, form, errors, authorityId, view.estimatedValue));
  });

  r.post<TenderParams>('/office/:authorityId/tenders/:tenderId/edit', async (request, reply) => {
    const { authorityId, tenderId } = request.params;
    if (!requireSignedIn(request, reply) || !validIds(reply, authorityId, tenderId)) return reply;
    return handlePost(request, reply, authorityId, tenderId);
  });
}
