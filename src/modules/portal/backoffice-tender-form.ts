import { DateTime } from 'luxon';
import {
  CONTRACT_TYPES,
  type ContractType,
  PROCEDURE_CODES,
  type ProcedureCode,
} from '../procedures/procedure.types.js';
import {
  type BidDocument,
  ENVELOPE_CODES,
  ESPD_NAMES,
  MAX_BID_DOCUMENTS,
} from '../tenders/bid-document.rules.js';
import { validateFormula } from '../evaluation/formula.rules.js';
import type { FormulaProblemCode } from '../evaluation/formula.types.js';
import type { TenderInput, ValueBreakdown } from '../tenders/tender.input.js';
import type { CriterionEvaluation, CriterionKind } from '../tenders/tender.types.js';
import {
  type AbnormalFields,
  abnormalFromFields,
  emptyAbnormalFields,
  emptyFormulaFields,
  type FormulaFields,
  fieldOfProblem,
  fieldsFromAbnormal,
  fieldsFromSpec,
  specFromFields,
} from './backoffice-formula.js';

/**
 * The back-office form of a procurement file, as the strings the browser posts, and its mapping
 * to and from `TenderInput`. Pure: no I/O, no clock. The form is one HTML form with no
 * JavaScript, so adding or removing a lot, a criterion or a bid document is a submit that re-renders the posted
 * values (`applyFormAction`); only "save" maps the form to an input and calls the service.
 */

/** Legal deadlines are set in the authority's time zone (Europe/Madrid), whatever the browser's. */
export const FORM_TIME_ZONE = 'Europe/Madrid';

export const CRITERION_KINDS = ['price', 'cost', 'quality'] as const satisfies readonly CriterionKind[];
export const CRITERION_EVALUATIONS = [
  'formula',
  'judgement',
] as const satisfies readonly CriterionEvaluation[];
export const VALUE_PARTS = ['base', 'options', 'extensions', 'modifications', 'prizes'] as const;
export const FLAGS = [
  'urgent',
  'intellectualServices',
  'socialServices',
  'priorInformationNotice',
  'routinePurchase',
] as const;
export type Flag = (typeof FLAGS)[number];

/** Most lots and criteria the API accepts (tender.routes.ts). */
export const MAX_LOTS = 500;
export const MAX_CRITERIA = 30;

export type CriterionForm = {
  kind: string;
  evaluation: string;
  weight: string;
  nameCa: string;
  nameEs: string;
  nameEn: string;
  /** F1–F7, linear, proportional, threshold, or '' (none: judgement criteria). */
  formula: string;
  /** Scales: higher_better or lower_better. */
  direction: string;
  /** Decimals of the published score (default 2). */
  decimals: string;
  /** all_zero or all_max: what a zero divisor gives (procurement-rules.md §5). */
  zeroDivisor: string;
  /** `name=value` pairs separated by semicolons; lists as `x:share, x:share`. */
  formulaParams: string;
};

/** A document bidders must submit: its envelope, names and whether it is mandatory. */
export type BidDocumentForm = {
  envelope: string;
  nameCa: string;
  nameEs: string;
  nameEn: string;
  mandatory: boolean;
};

export type LotForm = {
  titleCa: string;
  titleEs: string;
  titleEn: string;
  estimatedValue: string;
  budgetExclVat: string;
  mainCpv: string;
  reserved: boolean;
  /** The notice's parameters for abnormally low offers (art. 149.2). */
  abnormal: AbnormalFields;
  criteria: CriterionForm[];
};

export type TenderForm = {
  /** The version read, for optimistic concurrency; empty for a new file. */
  version: string;
  reference: string;
  procedure: string;
  contractType: string;
  titleCa: string;
  titleEs: string;
  titleEn: string;
  descriptionCa: string;
  descriptionEs: string;
  descriptionEn: string;
  mainCpv: string;
  /** Comma- or space-separated codes. */
  additionalCpvs: string;
  value: Record<(typeof VALUE_PARTS)[number], string>;
  budgetExclVat: string;
  budgetInclVat: string;
  durationMonths: string;
  nutsCode: string;
  flags: Record<Flag, boolean>;
  singleLotJustification: string;
  priceWeightJustification: string;
  maxLotsPerBidder: string;
  maxLotsAwarded: string;
  /** `datetime-local` values, wall-clock time in Europe/Madrid. */
  questionsDeadline: string;
  tenderDeadline: string;
  openingAt: string;
  custodianQuorum: string;
  lots: LotForm[];
  bidDocuments: BidDocumentForm[];
};

/** Why a field was refused; the page turns each into a translated message. */
export type FormProblem =
  | 'required'
  | 'tooLong'
  | 'amount'
  | 'percent'
  | 'integer'
  | 'cpv'
  | 'nuts'
  | 'choice'
  | 'dateTime'
  | 'dateTimeGap'
  | 'formulaParams'
  | 'tooMany'
  | 'formulaParamMissing'
  | 'formulaParamRange'
  | 'formulaParamUnknown'
  | 'formulaSteps'
  | 'formulaDecimals';

export type FormError = { field: string; problem: FormProblem };

/** HTML ids and names of the per-lot and per-criterion fields (1-based, as people count lots). */
export const lotField = (lot: number, key: string) => `lot${lot}-${key}`;
export const criterionField = (lot: number, criterion: number, key: string) =>
  `lot${lot}-criterion${criterion}-${key}`;
export const bidDocumentField = (doc: number, key: string) => `biddoc${doc}-${key}`;

export function emptyCriterion(kind: CriterionKind = 'price'): CriterionForm {
  return {
    kind,
    evaluation: 'formula',
    weight: '',
    nameCa: '',
    nameEs: '',
    nameEn: '',
    ...criterionFormulaFields(emptyFormulaFields()),
  };
}

/** The formula part of a criterion's form from the shared formula fields. */
function criterionFormulaFields(f: FormulaFields) {
  return {
    formula: f.formula,
    direction: f.direction,
    decimals: f.decimals,
    zeroDivisor: f.zeroDivisor,
    formulaParams: f.params,
  };
}

export function emptyBidDocument(): BidDocumentForm {
  return { envelope: 'A', nameCa: '', nameEs: '', nameEn: '', mandatory: true };
}

/**
 * A new file asks for the ESPD in envelope A (arts. 140–141, 157.1), as the API does when no list
 * is given; the officer sees it and may move or remove it.
 */
function espd(): BidDocumentForm {
  return {
    envelope: 'A',
    nameCa: ESPD_NAMES.ca,
    nameEs: ESPD_NAMES.es,
    nameEn: ESPD_NAMES.en,
    mandatory: true,
  };
}

export function emptyLot(): LotForm {
  return {
    titleCa: '',
    titleEs: '',
    titleEn: '',
    estimatedValue: '',
    budgetExclVat: '',
    mainCpv: '',
    reserved: false,
    abnormal: emptyAbnormalFields(),
    criteria: [emptyCriterion()],
  };
}

export function emptyForm(): TenderForm {
  return {
    version: '',
    reference: '',
    procedure: 'abierto',
    contractType: 'services',
    titleCa: '',
    titleEs: '',
    titleEn: '',
    descriptionCa: '',
    descriptionEs: '',
    descriptionEn: '',
    mainCpv: '',
    additionalCpvs: '',
    value: { base: '', options: '0', extensions: '0', modifications: '0', prizes: '0' },
    budgetExclVat: '',
    budgetInclVat: '',
    durationMonths: '',
    nutsCode: 'ES511',
    flags: {
      urgent: false,
      intellectualServices: false,
      socialServices: false,
      priorInformationNotice: false,
      routinePurchase: false,
    },
    singleLotJustification: '',
    priceWeightJustification: '',
    maxLotsPerBidder: '',
    maxLotsAwarded: '',
    questionsDeadline: '',
    tenderDeadline: '',
    openingAt: '',
    custodianQuorum: '2',
    lots: [emptyLot()],
    bidDocuments: [espd()],
  };
}

/** Reads a posted body (`get`: one value, trimmed; `has`: whether a checkbox was sent). */
export type PostedFields = { get(name: string): string; has(name: string): boolean };

/** A count posted in a hidden field, kept within [0, max]; anything else counts as `fallback`. */
function count(value: string, max: number, fallback: number): number {
  if (!/^\d{1,4}$/.test(value)) return fallback;
  return Math.min(Number(value), max);
}

/** The form as posted. Counts of lots, criteria and bid documents travel in hidden fields. */
export function formFromPost(f: PostedFields): TenderForm {
  const lots: LotForm[] = [];
  const lotCount = count(f.get('lotCount'), MAX_LOTS, 1);
  for (let l = 1; l <= lotCount; l++) {
    const criteria: CriterionForm[] = [];
    const n = count(f.get(lotField(l, 'criterionCount')), MAX_CRITERIA, 0);
    for (let c = 1; c <= n; c++) {
      const g = (k: string) => f.get(criterionField(l, c, k));
      criteria.push({
        kind: g('kind'),
        evaluation: g('evaluation'),
        weight: g('weight'),
        nameCa: g('nameCa'),
        nameEs: g('nameEs'),
        nameEn: g('nameEn'),
        formula: g('formula'),
        direction: g('direction'),
        decimals: g('decimals'),
        zeroDivisor: g('zeroDivisor'),
        formulaParams: g('formulaParams'),
      });
    }
    const g = (k: string) => f.get(lotField(l, k));
    lots.push({
      titleCa: g('titleCa'),
      titleEs: g('titleEs'),
      titleEn: g('titleEn'),
      estimatedValue: g('estimatedValue'),
      budgetExclVat: g('budgetExclVat'),
      mainCpv: g('mainCpv'),
      reserved: f.has(lotField(l, 'reserved')),
      abnormal: {
        rule: g('abnormal'),
        belowMean: g('abnormalBelowMean'),
        belowBudget: g('abnormalBelowBudget'),
        combine: g('abnormalCombine'),
        comparison: g('abnormalComparison'),
        units: g('abnormalUnits'),
        threeBidders: g('abnormalThreeBidders'),
      },
      criteria,
    });
  }
  const bidDocuments: BidDocumentForm[] = [];
  const docCount = count(f.get('bidDocumentCount'), MAX_BID_DOCUMENTS, 0);
  for (let d = 1; d <= docCount; d++) {
    const g = (k: string) => f.get(bidDocumentField(d, k));
    bidDocuments.push({
      envelope: g('envelope'),
      nameCa: g('nameCa'),
      nameEs: g('nameEs'),
      nameEn: g('nameEn'),
      mandatory: f.has(bidDocumentField(d, 'mandatory')),
    });
  }
  const flags = Object.fromEntries(FLAGS.map((k) => [k, f.has(k)])) as Record<Flag, boolean>;
  const value = Object.fromEntries(
    VALUE_PARTS.map((k) => [k, f.get(`value${k[0]?.toUpperCase()}${k.slice(1)}`)]),
  ) as TenderForm['value'];
  return {
    version: f.get('version'),
    reference: f.get('reference'),
    procedure: f.get('procedure'),
    contractType: f.get('contractType'),
    titleCa: f.get('titleCa'),
    titleEs: f.get('titleEs'),
    titleEn: f.get('titleEn'),
    descriptionCa: f.get('descriptionCa'),
    descriptionEs: f.get('descriptionEs'),
    descriptionEn: f.get('descriptionEn'),
    mainCpv: f.get('mainCpv'),
    additionalCpvs: f.get('additionalCpvs'),
    value,
    budgetExclVat: f.get('budgetExclVat'),
    budgetInclVat: f.get('budgetInclVat'),
    durationMonths: f.get('durationMonths'),
    nutsCode: f.get('nutsCode'),
    flags,
    singleLotJustification: f.get('singleLotJustification'),
    priceWeightJustification: f.get('priceWeightJustification'),
    maxLotsPerBidder: f.get('maxLotsPerBidder'),
    maxLotsAwarded: f.get('maxLotsAwarded'),
    questionsDeadline: f.get('questionsDeadline'),
    tenderDeadline: f.get('tenderDeadline'),
    openingAt: f.get('openingAt'),
    custodianQuorum: f.get('custodianQuorum'),
    lots,
    bidDocuments,
  };
}

/** The name of a breakdown field in the form (`valueBase`, `valueOptions`, …). */
export const valueField = (part: (typeof VALUE_PARTS)[number]) =>
  `value${part[0]?.toUpperCase()}${part.slice(1)}`;

export type FormAction =
  | { type: 'save' }
  | { type: 'addLot' }
  | { type: 'removeLot'; lot: number }
  | { type: 'addCriterion'; lot: number }
  | { type: 'removeCriterion'; lot: number; criterion: number }
  | { type: 'addBidDocument' }
  | { type: 'removeBidDocument'; doc: number };

/**
 * The button pressed: `save`, `addLot`, `removeLot:2`, `addCriterion:1`, `removeCriterion:1:3`,
 * `addBidDocument`, `removeBidDocument:2`.
 */
export function parseFormAction(value: string): FormAction | undefined {
  if (value === 'save' || value === '') return { type: 'save' };
  if (value === 'addLot') return { type: 'addLot' };
  if (value === 'addBidDocument') return { type: 'addBidDocument' };
  const doc = /^removeBidDocument:(\d{1,2})$/.exec(value);
  if (doc) return { type: 'removeBidDocument', doc: Number(doc[1]) };
  const m = /^(removeLot|addCriterion|removeCriterion):(\d{1,3})(?::(\d{1,2}))?$/.exec(value);
  if (!m) return undefined;
  const lot = Number(m[2]);
  if (m[1] === 'removeCriterion') {
    return m[3] ? { type: 'removeCriterion', lot, criterion: Number(m[3]) } : undefined;
  }
  if (m[3]) return undefined;
  return m[1] === 'removeLot' ? { type: 'removeLot', lot } : { type: 'addCriterion', lot };
}

/** Applies an edit-in-place button to the form; nothing is saved. Out-of-range positions change nothing. */
export function applyFormAction(form: TenderForm, action: FormAction): TenderForm {
  const lots = form.lots.map((l) => ({ ...l, criteria: [...l.criteria] }));
  const bidDocuments = [...form.bidDocuments];
  switch (action.type) {
    case 'save':
      return form;
    case 'addLot':
      if (lots.length < MAX_LOTS) lots.push(emptyLot());
      break;
    case 'removeLot':
      // A file has at least one lot (a single-lot file is one lot, art. 99.3).
      if (lots.length > 1 && action.lot >= 1 && action.lot <= lots.length) lots.splice(action.lot - 1, 1);
      break;
    case 'addCriterion': {
      const lot = lots[action.lot - 1];
      if (lot && lot.criteria.length < MAX_CRITERIA) lot.criteria.push(emptyCriterion('quality'));
      break;
    }
    case 'removeCriterion': {
      const lot = lots[action.lot - 1];
      if (lot && action.criterion >= 1 && action.criterion <= lot.criteria.length) {
        lot.criteria.splice(action.criterion - 1, 1);
      }
      break;
    }
    case 'addBidDocument':
      if (bidDocuments.length < MAX_BID_DOCUMENTS) bidDocuments.push(emptyBidDocument());
      break;
    case 'removeBidDocument':
      // A file may ask for no document at all (the list may end empty, unlike lots).
      if (action.doc >= 1 && action.doc <= bidDocuments.length) bidDocuments.splice(action.doc - 1, 1);
      break;
  }
  return { ...form, lots, bidDocuments };
}

/** A `datetime-local` value (wall-clock time in Madrid) from a stored instant. */
export function localInputFromInstant(iso: string | null | undefined): string {
  if (!iso) return '';
  const dt = DateTime.fromISO(iso, { zone: 'utc' }).setZone(FORM_TIME_ZONE);
  return dt.isValid ? dt.toFormat("yyyy-MM-dd'T'HH:mm") : '';
}

/**
 * The instant of a `datetime-local` value read as wall-clock time in Madrid. A time that does not
 * exist there (the hour skipped when summer time starts) is refused rather than shifted, so a
 * deadline is never silently an hour off; a time that happens twice (the hour repeated in
 * October) is the first of the two, the earlier and thus safer deadline.
 */
export function instantFromLocalInput(value: string): { iso: string } | { problem: FormProblem } {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value);
  if (!m) return { problem: 'dateTime' };
  const [y, mo, d, h, mi, s] = m.slice(1).map((x) => Number(x ?? 0)) as number[];
  const dt = DateTime.fromObject(
    { year: y, month: mo, day: d, hour: h, minute: mi, second: s },
    { zone: FORM_TIME_ZONE },
  );
  if (!dt.isValid) return { problem: 'dateTime' };
  if (dt.hour !== h || dt.minute !== mi || dt.day !== d) return { problem: 'dateTimeGap' };
  // In the repeated hour luxon takes the later instant; an hour earlier reads the same on the clock.
  const earlier = dt.minus({ hours: 1 });
  const wall = (x: DateTime) => x.setZone(FORM_TIME_ZONE).toFormat("yyyy-MM-dd'T'HH:mm");
  const chosen = wall(earlier) === wall(dt) ? earlier : dt;
  return { iso: chosen.toUTC().toISO({ suppressMilliseconds: true }) ?? '' };
}

const AMOUNT_RE = /^\d{1,13}(\.\d{1,2})?$/;
const PERCENT_RE = /^(100(\.0{1,2})?|\d{1,2}(\.\d{1,2})?)$/;
const CPV_RE = /^\d{8}(-\d)?$/;
const NUTS_RE = /^[A-Z]{2}[0-9A-Z]{0,3}$/;

/** People type "1234,50" as often as "1234.50"; thousands separators are not guessed at. */
const decimalText = (v: string) => v.replace(/\s/g, '').replace(',', '.');

type Reader = {
  errors: FormError[];
  text(field: string, value: string, max: number, required?: boolean): string;
  amount(field: string, value: string): string;
};

function reader(): Reader {
  const errors: FormError[] = [];
  return {
    errors,
    text(field, value, max, required = true) {
      if (required && value === '') errors.push({ field, problem: 'required' });
      else if ([...value].length > max) errors.push({ field, problem: 'tooLong' });
      return value;
    },
    amount(field, value) {
      const v = decimalText(value);
      if (v === '') errors.push({ field, problem: 'required' });
      else if (!AMOUNT_RE.test(v)) errors.push({ field, problem: 'amount' });
      return v;
    },
  };
}

function optionalInteger(r: Reader, field: string, value: string, min: number, max: number) {
  if (value === '') return undefined;
  const n = /^\d{1,4}$/.test(value) ? Number(value) : Number.NaN;
  if (!(n >= min && n <= max)) {
    r.errors.push({ field, problem: 'integer' });
    return undefined;
  }
  return n;
}

function choice<T extends string>(r: Reader, field: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) r.errors.push({ field, problem: 'choice' });
  return value as T;
}

function cpv(r: Reader, field: string, value: string): string {
  if (value === '') r.errors.push({ field, problem: 'required' });
  else if (!CPV_RE.test(value)) r.errors.push({ field, problem: 'cpv' });
  return value;
}

function optionalInstant(r: Reader, field: string, value: string): string | null {
  if (value === '') return null;
  const x = instantFromLocalInput(value);
  if ('problem' in x) {
    r.errors.push({ field, problem: x.problem });
    return null;
  }
  return x.iso;
}

/** Validator problems in the form's terms: which message, on which field. */
const FORMULA_PROBLEMS: Partial<Record<FormulaProblemCode, FormProblem>> = {
  PARAM_MISSING: 'formulaParamMissing',
  PARAM_NOT_DECIMAL: 'formulaParamRange',
  MIN_POINTS_OUT_OF_RANGE: 'formulaParamRange',
  SIGNIFICANT_DISCOUNT_OUT_OF_RANGE: 'formulaParamRange',
  SATIETY_OUT_OF_RANGE: 'formulaParamRange',
  ROOT_INDEX_INVALID: 'formulaParamRange',
  SCALE_BOUNDS_INVALID: 'formulaParamRange',
  PARAMS_INVALID: 'formulaParamUnknown',
  BREAKPOINTS_INVALID: 'formulaSteps',
  BREAKPOINTS_NEVER_REACH_MAX: 'formulaSteps',
  DECIMALS_INVALID: 'formulaDecimals',
  MAX_POINTS_INVALID: 'formulaDecimals',
  ZERO_DIVISOR_INVALID: 'choice',
  SCALE_UNKNOWN: 'choice',
  FORMULA_UNKNOWN: 'choice',
};

/**
 * A criterion's formula from its fields, checked by the same validator as the pre-publication
 * checks (with the weight as P_max) so that the officer sees the problem next to the field.
 */
function criterionFormula(r: Reader, cf: (k: string) => string, c: CriterionForm, weight: string) {
  const parsed = specFromFields({
    formula: c.formula,
    direction: c.direction,
    decimals: c.decimals,
    zeroDivisor: c.zeroDivisor,
    params: c.formulaParams,
  });
  if ('field' in parsed) {
    r.errors.push({
      field: cf(parsed.field === 'params' ? 'formulaParams' : parsed.field),
      problem: parsed.problem,
    });
    return undefined;
  }
  if (!parsed.spec) return undefined;
  const problems = validateFormula(parsed.spec, PERCENT_RE.test(weight) ? { maxPoints: weight } : {});
  const seen = new Set<string>();
  for (const p of problems) {
    const field = fieldOfProblem(p);
    const key = field === 'params' ? 'formulaParams' : field;
    if (seen.has(key)) continue;
    seen.add(key);
    r.errors.push({ field: cf(key), problem: FORMULA_PROBLEMS[p.code] ?? 'formulaParams' });
  }
  return problems.length > 0 ? undefined : parsed.spec;
}

/** A lot's abnormal-offer parameters from its fields. */
function lotAbnormal(r: Reader, lf: (k: string) => string, lot: LotForm) {
  const parsed = abnormalFromFields(lot.abnormal);
  if ('field' in parsed) {
    const name = `abnormal${parsed.field === 'rule' ? '' : parsed.field[0]?.toUpperCase() + parsed.field.slice(1)}`;
    r.errors.push({ field: lf(name), problem: parsed.problem });
    return {};
  }
  return {
    ...(parsed.rule !== undefined ? { abnormal: parsed.rule } : {}),
    ...(parsed.settings !== undefined ? { abnormalSettings: parsed.settings } : {}),
  };
}

/** The form in the order fields appear, so the error summary reads top to bottom. */
export function formToInput(
  form: TenderForm,
): { ok: true; input: TenderInput; version: number | undefined } | { ok: false; errors: FormError[] } {
  const r = reader();
  const reference = r.text('reference', form.reference, 60);
  const procedure = choice<ProcedureCode>(r, 'procedure', form.procedure, PROCEDURE_CODES);
  const contractType = choice<ContractType>(r, 'contractType', form.contractType, CONTRACT_TYPES);
  const title = {
    ca: r.text('titleCa', form.titleCa, 200),
    es: r.text('titleEs', form.titleEs, 200),
    en: r.text('titleEn', form.titleEn, 200),
  };
  const description = {
    ca: r.text('descriptionCa', form.descriptionCa, 5000, false),
    es: r.text('descriptionEs', form.descriptionEs, 5000, false),
    en: r.text('descriptionEn', form.descriptionEn, 5000, false),
  };
  const mainCpv = cpv(r, 'mainCpv', form.mainCpv);
  const additionalCpvs = form.additionalCpvs.split(/[\s,;]+/).filter(Boolean);
  if (additionalCpvs.length > 30) r.errors.push({ field: 'additionalCpvs', problem: 'tooMany' });
  else if (additionalCpvs.some((c) => !CPV_RE.test(c)))
    r.errors.push({ field: 'additionalCpvs', problem: 'cpv' });
  const valueBreakdown = Object.fromEntries(
    VALUE_PARTS.map((p) => [p, r.amount(valueField(p), form.value[p])]),
  ) as ValueBreakdown;
  const budgetExclVat = r.amount('budgetExclVat', form.budgetExclVat);
  const budgetInclVat = r.amount('budgetInclVat', form.budgetInclVat);
  const durationMonths = optionalInteger(r, 'durationMonths', form.durationMonths, 1, 600);
  const nutsCode = form.nutsCode.toUpperCase();
  if (nutsCode !== '' && !NUTS_RE.test(nutsCode)) r.errors.push({ field: 'nutsCode', problem: 'nuts' });
  const singleLotJustification = r.text('singleLotJustification', form.singleLotJustification, 5000, false);
  const priceWeightJustification = r.text(
    'priceWeightJustification',
    form.priceWeightJustification,
    5000,
    false,
  );
  const maxLotsPerBidder = optionalInteger(r, 'maxLotsPerBidder', form.maxLotsPerBidder, 1, 500);
  const maxLotsAwarded = optionalInteger(r, 'maxLotsAwarded', form.maxLotsAwarded, 1, 500);
  const questionsDeadline = optionalInstant(r, 'questionsDeadline', form.questionsDeadline);
  const tenderDeadline = optionalInstant(r, 'tenderDeadline', form.tenderDeadline);
  const openingAt = optionalInstant(r, 'openingAt', form.openingAt);
  const custodianQuorum = optionalInteger(r, 'custodianQuorum', form.custodianQuorum, 1, 20);
  if (form.lots.length === 0) r.errors.push({ field: 'add-lot', problem: 'required' });
  const lots = form.lots.map((lot, i) => {
    const n = i + 1;
    const f = (k: string) => lotField(n, k);
    return {
      number: n,
      title: {
        ca: r.text(f('titleCa'), lot.titleCa, 200),
        es: r.text(f('titleEs'), lot.titleEs, 200),
        en: r.text(f('titleEn'), lot.titleEn, 200),
      },
      estimatedValue: r.amount(f('estimatedValue'), lot.estimatedValue),
      budgetExclVat: r.amount(f('budgetExclVat'), lot.budgetExclVat),
      mainCpv: cpv(r, f('mainCpv'), lot.mainCpv),
      reserved: lot.reserved,
      ...lotAbnormal(r, f, lot),
      criteria: lot.criteria.map((c, j) => {
        const cf = (k: string) => criterionField(n, j + 1, k);
        const weight = decimalText(c.weight);
        if (weight === '') r.errors.push({ field: cf('weight'), problem: 'required' });
        else if (!PERCENT_RE.test(weight)) r.errors.push({ field: cf('weight'), problem: 'percent' });
        const formula = criterionFormula(r, cf, c, weight);
        return {
          kind: choice<CriterionKind>(r, cf('kind'), c.kind, CRITERION_KINDS),
          evaluation: choice<CriterionEvaluation>(r, cf('evaluation'), c.evaluation, CRITERION_EVALUATIONS),
          weight,
          name: {
            ca: r.text(cf('nameCa'), c.nameCa, 200),
            es: r.text(cf('nameEs'), c.nameEs, 200),
            en: r.text(cf('nameEn'), c.nameEn, 200),
          },
          ...(formula ? { formula } : {}),
        };
      }),
    };
  });
  const bidDocuments = form.bidDocuments.map((d, i): BidDocument => {
    const df = (k: string) => bidDocumentField(i + 1, k);
    return {
      envelope: choice(r, df('envelope'), d.envelope, ENVELOPE_CODES),
      name: {
        ca: r.text(df('nameCa'), d.nameCa, 200),
        es: r.text(df('nameEs'), d.nameEs, 200),
        en: r.text(df('nameEn'), d.nameEn, 200),
      },
      mandatory: d.mandatory,
    };
  });
  const version = form.version === '' ? undefined : Number(form.version);
  if (version !== undefined && !(Number.isInteger(version) && version >= 1)) {
    r.errors.push({ field: 'version', problem: 'integer' });
  }
  if (r.errors.length) return { ok: false, errors: r.errors };
  const input: TenderInput = {
    reference,
    procedure,
    contractType,
    title,
    description,
    mainCpv,
    additionalCpvs,
    // The estimated value is the sum of the breakdown, computed by the server (art. 101.2).
    valueBreakdown,
    budgetExclVat,
    budgetInclVat,
    ...(durationMonths !== undefined ? { durationMonths } : {}),
    ...(nutsCode ? { nutsCode } : {}),
    ...form.flags,
    singleLotJustification: singleLotJustification || null,
    priceWeightJustification: priceWeightJustification || null,
    ...(maxLotsPerBidder !== undefined ? { maxLotsPerBidder } : {}),
    ...(maxLotsAwarded !== undefined ? { maxLotsAwarded } : {}),
    questionsDeadline,
    tenderDeadline,
    openingAt,
    ...(custodianQuorum !== undefined ? { custodianQuorum } : {}),
    // Always the list shown, even empty: the form declares exactly what the officer sees.
    bidDocuments,
    lots,
  };
  return { ok: true, input, version };
}

/** The part of the back-office view of a file (`TenderView`) that the form shows. */
export type StoredFileView = {
  version: number;
  reference: string;
  procedure: string;
  contractType: string;
  title: { ca: string; es: string; en: string };
  description: { ca: string; es: string; en: string };
  mainCpv: string;
  additionalCpvs: string[];
  estimatedValue: string;
  valueBreakdown: ValueBreakdown | null;
  budgetExclVat: string;
  budgetInclVat: string;
  durationMonths: number | null;
  nutsCode: string;
  questionsDeadline: string | null;
  tenderDeadline: string | null;
  openingAt: string | null;
  flags: Record<Flag, boolean>;
  singleLotJustification: string | null;
  priceWeightJustification: string | null;
  maxLotsPerBidder: number | null;
  maxLotsAwarded: number | null;
  custodianQuorum: number;
  lots: {
    title: { ca: string; es: string; en: string };
    estimatedValue: string;
    budgetExclVat: string;
    mainCpv: string;
    reserved: boolean;
    abnormal: unknown;
    abnormalSettings: unknown;
    criteria: {
      kind: string;
      evaluation: string;
      weight: string;
      name: { ca: string; es: string; en: string };
      formula: unknown;
    }[];
  }[];
  bidDocuments: { envelope: string; name: { ca: string; es: string; en: string }; mandatory: boolean }[];
};

/** The form filled in from a stored file. A file drafted with one figure gets it as its base amount. */
export function formFromStored(view: StoredFileView): TenderForm {
  const b = view.valueBreakdown ?? {
    base: view.estimatedValue,
    options: '0',
    extensions: '0',
    modifications: '0',
    prizes: '0',
  };
  const opt = (n: number | null) => (n === null ? '' : String(n));
  return {
    version: String(view.version),
    reference: view.reference,
    procedure: view.procedure,
    contractType: view.contractType,
    titleCa: view.title.ca,
    titleEs: view.title.es,
    titleEn: view.title.en,
    descriptionCa: view.description.ca,
    descriptionEs: view.description.es,
    descriptionEn: view.description.en,
    mainCpv: view.mainCpv,
    additionalCpvs: view.additionalCpvs.join(', '),
    value: { ...b },
    budgetExclVat: view.budgetExclVat,
    budgetInclVat: view.budgetInclVat,
    durationMonths: opt(view.durationMonths),
    nutsCode: view.nutsCode,
    flags: { ...view.flags },
    singleLotJustification: view.singleLotJustification ?? '',
    priceWeightJustification: view.priceWeightJustification ?? '',
    maxLotsPerBidder: opt(view.maxLotsPerBidder),
    maxLotsAwarded: opt(view.maxLotsAwarded),
    questionsDeadline: localInputFromInstant(view.questionsDeadline),
    tenderDeadline: localInputFromInstant(view.tenderDeadline),
    openingAt: localInputFromInstant(view.openingAt),
    custodianQuorum: String(view.custodianQuorum),
    lots: view.lots.map((l) => ({
      titleCa: l.title.ca,
      titleEs: l.title.es,
      titleEn: l.title.en,
      estimatedValue: l.estimatedValue,
      budgetExclVat: l.budgetExclVat,
      mainCpv: l.mainCpv,
      reserved: l.reserved,
      abnormal: fieldsFromAbnormal(l.abnormal, l.abnormalSettings),
      criteria: l.criteria.map((c) => ({
        kind: c.kind,
        evaluation: c.evaluation,
        weight: c.weight,
        nameCa: c.name.ca,
        nameEs: c.name.es,
        nameEn: c.name.en,
        ...criterionFormulaFields(fieldsFromSpec(c.formula)),
      })),
    })),
    bidDocuments: view.bidDocuments.map((d) => ({
      envelope: d.envelope,
      nameCa: d.name.ca,
      nameEs: d.name.es,
      nameEn: d.name.en,
      mandatory: d.mandatory,
    })),
  };
}
