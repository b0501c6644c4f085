import type { FastifyRequest } from 'fastify';
import type { TFunction } from 'i18next';
import { type Html, html, type HtmlValue } from '../../platform/http/html.js';
import { formatDateTime, formatMoney } from '../../platform/i18n/i18n.js';
import type { ContractType, ProcedureCode } from '../procedures/procedure.types.js';
import { canOnTender, TENDER_PERMISSIONS } from '../tenders/tender.policy.js';
import { EVALUATION_PERMISSIONS } from '../evaluation/evaluation.policy.js';
import type { CheckCode, CheckFinding, CriterionEvaluation, CriterionKind } from '../tenders/tender.types.js';
import { noticeAbnormal } from '../tenders/criterion-formula.rules.js';
import {
  type FormulaChoice,
  type FormulaWordKeys,
  fieldsFromAbnormal,
  formulaInWords,
} from './backoffice-formula.js';
import type { FormProblem } from './backoffice-tender-form.js';
import type { FieldError, PageContext } from './layout.js';

/**
 * Labels, small form controls and guards shared by the back-office pages. Every translation key
 * is written out literally so that the i18n test can see it is used.
 */

/** Authorities whose files the user may read (any staff role of tender.read). */
export function officeAuthorities(pc: PageContext): { id: string; name: string }[] {
  const a = pc.actor;
  if (a.kind !== 'user') return [];
  return pc.authorities.filter((x) =>
    (a.authorityRoles.get(x.id) ?? []).some((r) => TENDER_PERMISSIONS['tender.read'].includes(r)),
  );
}

export const can = (
  pc: PageContext,
  action: 'tender.edit' | 'tender.submit' | 'tender.publish',
  authorityId: string,
) => canOnTender(pc.actor, action, authorityId) === 'allow';

const PROCEDURE_KEYS: Record<ProcedureCode, string> = {
  menor: 'backoffice.procedure.menor',
  abierto_simplificado_abreviado: 'backoffice.procedure.abierto_simplificado_abreviado',
  abierto_simplificado: 'backoffice.procedure.abierto_simplificado',
  abierto: 'backoffice.procedure.abierto',
  restringido: 'backoffice.procedure.restringido',
  licitacion_con_negociacion: 'backoffice.procedure.licitacion_con_negociacion',
  negociado_sin_publicidad: 'backoffice.procedure.negociado_sin_publicidad',
};

const CONTRACT_TYPE_KEYS: Record<ContractType, string> = {
  works: 'backoffice.contractType.works',
  supplies: 'backoffice.contractType.supplies',
  services: 'backoffice.contractType.services',
  works_concession: 'backoffice.contractType.works_concession',
  services_concession: 'backoffice.contractType.services_concession',
  mixed: 'backoffice.contractType.mixed',
};

const STATUS_KEYS: Record<string, string> = {
  draft: 'backoffice.status.draft',
  in_approval: 'backoffice.status.in_approval',
  approved: 'backoffice.status.approved',
  published: 'backoffice.status.published',
  cancelled: 'backoffice.status.cancelled',
};

const KIND_KEYS: Record<CriterionKind, string> = {
  price: 'backoffice.criterionKind.price',
  cost: 'backoffice.criterionKind.cost',
  quality: 'backoffice.criterionKind.quality',
};

const EVALUATION_KEYS: Record<CriterionEvaluation, string> = {
  formula: 'backoffice.evaluation.formula',
  judgement: 'backoffice.evaluation.judgement',
};

const DOCUMENT_KIND_KEYS: Record<string, string> = {
  memoria_justificativa: 'backoffice.documentKind.memoria_justificativa',
  pcap: 'backoffice.documentKind.pcap',
  ppt: 'backoffice.documentKind.ppt',
  informe_necesidad: 'backoffice.documentKind.informe_necesidad',
  other: 'backoffice.documentKind.other',
};

const FINDING_KEYS: Record<CheckCode, string> = {
  PROCEDURE_NOT_ALLOWED: 'backoffice.finding.PROCEDURE_NOT_ALLOWED',
  TENDER_PERIOD_TOO_SHORT: 'backoffice.finding.TENDER_PERIOD_TOO_SHORT',
  REQUEST_PERIOD_TOO_SHORT: 'backoffice.finding.REQUEST_PERIOD_TOO_SHORT',
  PARTICIPATION_DEADLINE_MISSING: 'backoffice.finding.PARTICIPATION_DEADLINE_MISSING',
  PARTICIPATION_AFTER_TENDER_DEADLINE: 'backoffice.finding.PARTICIPATION_AFTER_TENDER_DEADLINE',
  DEADLINE_MISSING: 'backoffice.finding.DEADLINE_MISSING',
  QUESTIONS_AFTER_DEADLINE: 'backoffice.finding.QUESTIONS_AFTER_DEADLINE',
  PRICE_WEIGHT_ABOVE_CAP: 'backoffice.finding.PRICE_WEIGHT_ABOVE_CAP',
  JUDGEMENT_WEIGHT_ABOVE_CAP: 'backoffice.finding.JUDGEMENT_WEIGHT_ABOVE_CAP',
  WEIGHTS_NOT_100: 'backoffice.finding.WEIGHTS_NOT_100',
  NO_CRITERIA: 'backoffice.finding.NO_CRITERIA',
  SINGLE_LOT_WITHOUT_JUSTIFICATION: 'backoffice.finding.SINGLE_LOT_WITHOUT_JUSTIFICATION',
  VALUE_NEAR_THRESHOLD: 'backoffice.finding.VALUE_NEAR_THRESHOLD',
  LOTS_EXCEED_VALUE: 'backoffice.finding.LOTS_EXCEED_VALUE',
  MODIFICATIONS_ABOVE_LIMIT: 'backoffice.finding.MODIFICATIONS_ABOVE_LIMIT',
  MINOR_CONTRACT_SPLITTING: 'backoffice.finding.MINOR_CONTRACT_SPLITTING',
  MANDATORY_DOCUMENTS_MISSING: 'backoffice.finding.MANDATORY_DOCUMENTS_MISSING',
  BID_DOCUMENT_WITHOUT_ENVELOPE: 'backoffice.finding.BID_DOCUMENT_WITHOUT_ENVELOPE',
  CUSTODIAN_QUORUM_INVALID: 'backoffice.finding.CUSTODIAN_QUORUM_INVALID',
  CUSTODIAN_KEY_MISSING: 'custody.finding.CUSTODIAN_KEY_MISSING',
  EXPERT_COMMITTEE_REQUIRED: 'backoffice.finding.EXPERT_COMMITTEE_REQUIRED',
  FORMULA_MISSING: 'backoffice.finding.FORMULA_MISSING',
  FORMULA_INVALID: 'backoffice.finding.FORMULA_INVALID',
  FORMULA_NOT_ALLOWED: 'backoffice.finding.FORMULA_NOT_ALLOWED',
  FORMULA_KIND_MISMATCH: 'backoffice.finding.FORMULA_KIND_MISMATCH',
  FORMULA_CONTESTED: 'backoffice.finding.FORMULA_CONTESTED',
  ABNORMAL_PARAMETERS_MISSING: 'backoffice.finding.ABNORMAL_PARAMETERS_MISSING',
  ABNORMAL_PARAMETERS_INVALID: 'backoffice.finding.ABNORMAL_PARAMETERS_INVALID',
};

/** Envelopes by what they hold (art. 157 LCSP): the letter alone says little to a newcomer. */
const ENVELOPE_KEYS: Record<string, string> = {
  A: 'backoffice.envelope.A',
  B: 'backoffice.envelope.B',
  C: 'backoffice.envelope.C',
};

const PROBLEM_KEYS: Record<FormProblem, string> = {
  required: 'backoffice.problem.required',
  tooLong: 'backoffice.problem.tooLong',
  amount: 'backoffice.problem.amount',
  percent: 'backoffice.problem.percent',
  integer: 'backoffice.problem.integer',
  cpv: 'backoffice.problem.cpv',
  nuts: 'backoffice.problem.nuts',
  choice: 'backoffice.problem.choice',
  dateTime: 'backoffice.problem.dateTime',
  dateTimeGap: 'backoffice.problem.dateTimeGap',
  formulaParams: 'backoffice.problem.formulaParams',
  tooMany: 'backoffice.problem.tooMany',
  formulaParamMissing: 'backoffice.problem.formulaParamMissing',
  formulaParamRange: 'backoffice.problem.formulaParamRange',
  formulaParamUnknown: 'backoffice.problem.formulaParamUnknown',
  formulaSteps: 'backoffice.problem.formulaSteps',
  formulaDecimals: 'backoffice.problem.formulaDecimals',
};

/** The words of the formulas in the back office (backoffice-formula.ts formulaInWords). */
export const FORMULA_WORD_KEYS: FormulaWordKeys = {
  F1: 'backoffice.formulaWords.F1',
  F2: 'backoffice.formulaWords.F2',
  F3: 'backoffice.formulaWords.F3',
  F4: 'backoffice.formulaWords.F4',
  F5: 'backoffice.formulaWords.F5',
  F6: 'backoffice.formulaWords.F6',
  F7: 'backoffice.formulaWords.F7',
  linear: 'backoffice.formulaWords.linear',
  proportional: 'backoffice.formulaWords.proportional',
  proportionalLower: 'backoffice.formulaWords.proportionalLower',
  threshold: 'backoffice.formulaWords.threshold',
  cap: 'backoffice.formulaWords.cap',
  decimals: 'backoffice.formulaWords.decimals',
  zeroAllZero: 'backoffice.formulaWords.zeroAllZero',
  zeroAllMax: 'backoffice.formulaWords.zeroAllMax',
  axisDiscount: 'backoffice.formulaWords.axisDiscount',
  axisRelative: 'backoffice.formulaWords.axisRelative',
  lowerBetter: 'backoffice.formulaWords.lowerBetter',
  higherBetter: 'backoffice.formulaWords.higherBetter',
};

/**
 * A lot's abnormal-offer parameters in words, as the notice will state them (RGLCAP art. 85 is
 * written out for a price-only lot that declares none, art. 149.2.a).
 */
export function abnormalSummary(
  pc: { t: TFunction },
  lot: { abnormal: unknown; abnormalSettings: unknown; criteria: readonly { kind: string }[] },
): string {
  const t = pc.t;
  const { abnormal } = noticeAbnormal(lot);
  if (abnormal === null) return t('backoffice.abnormal.none');
  if (abnormal === 'rglcap85') {
    return lot.abnormal === null || lot.abnormal === undefined
      ? t('backoffice.abnormal.rglcap85Default')
      : t('backoffice.abnormal.rglcap85');
  }
  const f = fieldsFromAbnormal(abnormal, lot.abnormalSettings);
  const tests = [
    ...(f.belowMean ? [t('backoffice.abnormal.belowMean', { units: f.belowMean })] : []),
    ...(f.belowBudget ? [t('backoffice.abnormal.belowBudget', { units: f.belowBudget })] : []),
  ];
  return t('backoffice.abnormal.notice', {
    tests: tests.join(f.combine === 'all' ? t('backoffice.abnormal.and') : t('backoffice.abnormal.or')),
  });
}

/** The names of the formula choices in selects. */
const FORMULA_CHOICE_KEYS: Record<FormulaChoice, string> = {
  F1: 'backoffice.formulaChoice.F1',
  F2: 'backoffice.formulaChoice.F2',
  F3: 'backoffice.formulaChoice.F3',
  F4: 'backoffice.formulaChoice.F4',
  F5: 'backoffice.formulaChoice.F5',
  F6: 'backoffice.formulaChoice.F6',
  F7: 'backoffice.formulaChoice.F7',
  linear: 'backoffice.formulaChoice.linear',
  proportional: 'backoffice.formulaChoice.proportional',
  threshold: 'backoffice.formulaChoice.threshold',
};

/** The options of the other formula and abnormal-offer selects. */
const OPTION_KEYS: Record<string, string> = {
  higher_better: 'backoffice.formulaWords.higherBetter',
  lower_better: 'backoffice.formulaWords.lowerBetter',
  all_zero: 'backoffice.form.zeroAllZero',
  all_max: 'backoffice.form.zeroAllMax',
  rglcap85: 'backoffice.form.abnormalRglcap85',
  notice: 'backoffice.form.abnormalNotice',
  any: 'backoffice.form.abnormalAny',
  all: 'backoffice.form.abnormalAll',
  strict: 'backoffice.form.comparisonStrict',
  inclusive: 'backoffice.form.comparisonInclusive',
  percent_of_base: 'backoffice.form.unitsPercentOfBase',
  points_of_budget: 'backoffice.form.unitsPointsOfBudget',
  mean_of_remaining: 'backoffice.form.threeMeanOfRemaining',
  two_bidder_rule: 'backoffice.form.threeTwoBidderRule',
};

export const formulaChoiceLabel = (t: TFunction, v: string) => label(t, FORMULA_CHOICE_KEYS, v);
export const optionLabel = (t: TFunction, v: string) => label(t, OPTION_KEYS, v);
/** A formula spec in words with its parameters, for the criterion's points. */
export const formulaWords = (t: TFunction, spec: unknown, maxPoints: string) =>
  formulaInWords(t, FORMULA_WORD_KEYS, spec, maxPoints);

const label = (t: TFunction, keys: Record<string, string>, value: string) => {
  const key = keys[value];
  return key ? t(key) : value;
};

export const procedureLabel = (t: TFunction, v: string) => label(t, PROCEDURE_KEYS, v);
export const contractTypeLabel = (t: TFunction, v: string) => label(t, CONTRACT_TYPE_KEYS, v);
export const statusLabel = (t: TFunction, v: string) => label(t, STATUS_KEYS, v);
export const kindLabel = (t: TFunction, v: string) => label(t, KIND_KEYS, v);
export const evaluationLabel = (t: TFunction, v: string) => label(t, EVALUATION_KEYS, v);
export const documentKindLabel = (t: TFunction, v: string) => label(t, DOCUMENT_KIND_KEYS, v);
export const envelopeLabel = (t: TFunction, v: string) => label(t, ENVELOPE_KEYS, v);
export const problemMessage = (t: TFunction, p: FormProblem) => t(PROBLEM_KEYS[p]);

/** Where a rule comes from: articles of law read the same in every language; the authority's own policy is translated. */
function sourceLabel(t: TFunction, source: string): string {
  return source === 'Authority policy on price weight' ? t('backoffice.finding.authorityPolicy') : source;
}

function detailsText(details: CheckFinding['details']): string {
  if (!details) return '';
  return Object.entries(details)
    .map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(', ') : String(v)}`)
    .join(' · ');
}

/** The findings of the pre-publication checks, errors first, each with its legal source. */
export function findingsList(pc: PageContext, findings: CheckFinding[]): Html {
  const t = pc.t;
  if (findings.length === 0) return html`<p id="findings-none">${t('backoffice.findings.none')}</p>`;
  const sorted = [...findings].sort((a, b) =>
    a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1,
  );
  return html`<ul class="findings" id="findings">${sorted.map(
    (f) => html`<li class="finding finding-${f.severity}" data-code="${f.code}">
      <strong>${f.severity === 'error' ? t('backoffice.findings.error') : t('backoffice.findings.warning')}:</strong>
      ${t(FINDING_KEYS[f.code] ?? 'backoffice.findings.unknown')}
      ${f.lot !== undefined ? html` (${t('backoffice.lot', { number: f.lot })})` : ''}
      <span class="source">— ${sourceLabel(t, f.source)}</span>
      ${f.details ? html`<br><small>${detailsText(f.details)}</small>` : ''}
    </li>`,
  )}</ul>`;
}

export const money = (pc: PageContext, amount: string | null | undefined) =>
  amount ? formatMoney(pc.locale, amount) : '—';
export const when = (pc: PageContext, iso: string | null | undefined) =>
  iso ? formatDateTime(pc.locale, new Date(iso)) : '—';

function described(name: string, hint: string | undefined, err: FieldError | undefined) {
  return [hint ? `${name}-hint` : '', err ? `${name}-error` : ''].filter(Boolean).join(' ');
}

type ControlOpts = { name: string; label: string; hint?: string | undefined; errors?: FieldError[] };

function fieldShell(o: ControlOpts, control: (attrs: Html) => Html): Html {
  const err = o.errors?.find((e) => e.field === o.name);
  const by = described(o.name, o.hint, err);
  const attrs = html`id="${o.name}" name="${o.name}" ${by ? html`aria-describedby="${by}"` : ''} ${err ? html`aria-invalid="true"` : ''}`;
  return html`<div class="field${err ? ' field-error' : ''}">
    <label for="${o.name}">${o.label}</label>
    ${o.hint ? html`<p class="hint" id="${o.name}-hint">${o.hint}</p>` : ''}
    ${err ? html`<p class="error" id="${o.name}-error">${err.message}</p>` : ''}
    ${control(attrs)}
  </div>`;
}

/** A labelled text input; `type` may be datetime-local, number… */
export function textField(
  o: ControlOpts & { value: string; type?: string; required?: boolean; inputmode?: string },
): Html {
  return fieldShell(
    o,
    (attrs) =>
      html`<input ${attrs} type="${o.type ?? 'text'}" value="${o.value}" ${o.required ? html`required` : ''} ${o.inputmode ? html`inputmode="${o.inputmode}"` : ''}>`,
  );
}

export function textArea(o: ControlOpts & { value: string; rows?: number; required?: boolean }): Html {
  return fieldShell(
    o,
    (attrs) =>
      html`<textarea ${attrs} rows="${o.rows ?? 3}" ${o.required ? html`required` : ''}>${o.value}</textarea>`,
  );
}

export function selectField(o: ControlOpts & { value: string; options: [string, string][] }): Html {
  return fieldShell(
    o,
    (attrs) =>
      html`<select ${attrs}>${o.options.map(([v, l]) => html`<option value="${v}" ${v === o.value ? html`selected` : ''}>${l}</option>`)}</select>`,
  );
}

export function checkbox(o: {
  name: string;
  label: string;
  checked: boolean;
  value?: string;
  id?: string;
}): Html {
  const id = o.id ?? o.name;
  return html`<div class="checkbox"><input type="checkbox" id="${id}" name="${o.name}" value="${o.value ?? 'on'}" ${o.checked ? html`checked` : ''}>
    <label for="${id}">${o.label}</label></div>`;
}

/** A status message after a redirect (PRG), from a fixed list so the query cannot inject text. */
const NOTICE_KEYS: Record<string, string> = {
  created: 'backoffice.notice.created',
  saved: 'backoffice.notice.saved',
  uploaded: 'backoffice.notice.uploaded',
  assigned: 'backoffice.notice.assigned',
  submitted: 'backoffice.notice.submitted',
  published: 'backoffice.notice.published',
  corrected: 'backoffice.notice.corrected',
  cancelled: 'backoffice.notice.cancelled',
  answered: 'backoffice.notice.answered',
  approved: 'backoffice.notice.approved',
  rejected: 'backoffice.notice.rejected',
};

export function noticeFor(pc: PageContext, request: FastifyRequest): HtmlValue {
  const done = (request.query as Record<string, unknown> | undefined)?.done;
  const key = typeof done === 'string' ? NOTICE_KEYS[done] : undefined;
  return key ? html`<p class="notice" role="status" id="notice">${pc.t(key)}</p>` : '';
}

/** The back office's own navigation: files of each authority and the approvals inbox. */
export function officeNav(pc: PageContext, current?: string): Html {
  const authorities = officeAuthorities(pc);
  const links: [string, string][] = [
    ...authorities.flatMap((a): [string, string][] => [
      [`/office/${a.id}/tenders`, a.name],
      [`/office/${a.id}/plan`, `${a.name}: ${pc.t('plan.navPlan')}`],
      [`/office/${a.id}/minor-contracts`, `${a.name}: ${pc.t('minor.office.title')}`],
      // Contract management (evaluation/contract.pages.ts): the officer, auditors and admins read contracts.
      ...(pc.actor.kind === 'user' &&
      (pc.actor.authorityRoles.get(a.id) ?? []).some((r) =>
        EVALUATION_PERMISSIONS['evaluation.read_contracts'].includes(r),
      )
        ? [[`/office/${a.id}/contracts`, `${a.name}: ${pc.t('award.contracts.title')}`] as [string, string]]
        : []),
      // Key custodians register their public key here (custody.pages.ts).
      ...(pc.actor.kind === 'user' && pc.actor.authorityRoles.get(a.id)?.includes('key_custodian')
        ? [[`/office/${a.id}/custodian-key`, `${a.name}: ${pc.t('custody.nav')}`] as [string, string]]
        : []),
    ]),
    ['/office/approvals', pc.t('backoffice.approvals.title')],
    // The scoring simulator (evaluation/formula-simulator.pages.ts), for staff drafting notices.
    ...(authorities.length > 0
      ? [['/office/formula-simulator', pc.t('backoffice.simulator.title')] as [string, string]]
      : []),
  ];
  return html`<nav class="sub-nav" aria-label="${pc.t('backoffice.sections')}"><ul>
    ${links.map(([href, text]) => html`<li><a href="${href}" ${current === href ? html`aria-current="page"` : ''}>${text}</a></li>`)}
  </ul></nav>`;
}
