import type { TFunction } from 'i18next';
import type { AbnormalRule, AbnormalSettings } from '../evaluation/abnormal.types.js';
import type { FormulaProblem, FormulaSpec, ScaleKind } from '../evaluation/formula.types.js';

/**
 * Formula specs as the back-office form writes them (one select for the formula, a few fields for
 * the rest) and as people read them (the formula in words, with its parameters). Pure. The words
 * are rendered through a map of translation keys so that the public tender page can use its own
 * locale area with the same sentences (each key stays literal for the i18n test).
 */

/** The choices of the form's formula select: the price formulas F1–F7 and the three scales. */
export const FORMULA_CHOICES = [
  'F1',
  'F2',
  'F3',
  'F4',
  'F5',
  'F6',
  'F7',
  'linear',
  'proportional',
  'threshold',
] as const;
export type FormulaChoice = (typeof FORMULA_CHOICES)[number];
const SCALES: readonly string[] = ['linear', 'proportional', 'threshold'];

/** The parameters a formula takes, as `name=value` in the form's parameters field. */
export const FORMULA_PARAM_NAMES: Record<FormulaChoice, readonly string[]> = {
  F1: [],
  F2: [],
  F3: ['minPoints'],
  F4: ['significantDiscount'],
  F5: ['satiety'],
  F6: ['rootIndex'],
  F7: ['axis', 'breakpoints'],
  linear: ['worst', 'best'],
  proportional: ['cap'],
  threshold: ['steps'],
};

/** The form's fields of one formula, as posted strings. */
export type FormulaFields = {
  formula: string;
  direction: string;
  decimals: string;
  zeroDivisor: string;
  /** `name=value` pairs separated by semicolons; lists as `x:share, x:share`. */
  params: string;
};

export const emptyFormulaFields = (): FormulaFields => ({
  formula: '',
  direction: 'higher_better',
  decimals: '2',
  zeroDivisor: 'all_zero',
  params: '',
});

/** Which form field a problem of the pure validator belongs to. */
export type FormulaField = 'formula' | 'direction' | 'decimals' | 'zeroDivisor' | 'params';

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** `x:share` pairs separated by commas or spaces, as written in the parameters field. */
function pairs(text: string, key: 'at' | 'value'): { [k: string]: string }[] | undefined {
  const items = text.split(/[,\s]+/).filter(Boolean);
  const out: { [k: string]: string }[] = [];
  for (const item of items) {
    const m = /^([^:]+):([^:]+)$/.exec(item);
    if (!m?.[1] || !m[2]) return undefined;
    out.push({ [key]: m[1], share: m[2] });
  }
  return out;
}

/**
 * The spec the form's fields describe, or a problem on one field. The spec is not validated here
 * beyond its shape: the caller runs the pure validator, so the form and the API refuse the same.
 */
export function specFromFields(
  f: FormulaFields,
):
  | { spec: FormulaSpec | undefined }
  | { field: FormulaField; problem: 'choice' | 'formulaParams' | 'integer' } {
  if (f.formula === '') return { spec: undefined };
  if (!(FORMULA_CHOICES as readonly string[]).includes(f.formula))
    return { field: 'formula', problem: 'choice' };
  const choice = f.formula as FormulaChoice;
  if (!/^\d{1,2}$/.test(f.decimals)) return { field: 'decimals', problem: 'integer' };
  const decimals = Number(f.decimals);
  const params: Record<string, unknown> = {};
  for (const pair of f.params
    .split(/[;\n]/)
    .map((p) => p.trim())
    .filter(Boolean)) {
    const m = /^([A-Za-z]{1,40})\s*=\s*(.{1,400})$/.exec(pair);
    const name = m?.[1];
    const raw = m?.[2]?.trim();
    if (!name || !raw || name in params) return { field: 'params', problem: 'formulaParams' };
    if (name === 'breakpoints' || name === 'steps') {
      const list = pairs(raw, name === 'breakpoints' ? 'at' : 'value');
      if (!list) return { field: 'params', problem: 'formulaParams' };
      params[name] = list;
    } else if (name === 'rootIndex') {
      params[name] = /^\d{1,3}$/.test(raw) ? Number(raw) : raw;
    } else params[name] = raw;
  }
  if (SCALES.includes(choice)) {
    const direction = f.direction === 'lower_better' ? 'lower_better' : 'higher_better';
    if (f.direction !== direction) return { field: 'direction', problem: 'choice' };
    return {
      spec: {
        kind: 'scale',
        scale: choice as ScaleKind,
        direction,
        params,
        decimals,
        // Only the proportional scale divides by the best value; the others need no rule.
        ...(choice === 'proportional' ? { zeroDivisor: zeroDivisorOf(f.zeroDivisor) } : {}),
      } as FormulaSpec,
    };
  }
  if (f.zeroDivisor !== 'all_zero' && f.zeroDivisor !== 'all_max')
    return { field: 'zeroDivisor', problem: 'choice' };
  return {
    spec: {
      kind: 'price',
      formula: choice,
      params,
      decimals,
      zeroDivisor: zeroDivisorOf(f.zeroDivisor),
    } as FormulaSpec,
  };
}

const zeroDivisorOf = (v: string) => (v === 'all_max' ? 'all_max' : 'all_zero');

/** The form's fields for a stored spec (anything: a draft may hold an invalid one). */
export function fieldsFromSpec(value: unknown): FormulaFields {
  const f = emptyFormulaFields();
  if (!isRecord(value)) return f;
  const choice = value.kind === 'price' ? value.formula : value.kind === 'scale' ? value.scale : undefined;
  if (typeof choice !== 'string' || !(FORMULA_CHOICES as readonly string[]).includes(choice)) return f;
  f.formula = choice;
  if (value.direction === 'lower_better') f.direction = 'lower_better';
  if (typeof value.decimals === 'number') f.decimals = String(value.decimals);
  if (value.zeroDivisor === 'all_max') f.zeroDivisor = 'all_max';
  const params = isRecord(value.params) ? value.params : {};
  f.params = Object.entries(params)
    .map(([k, v]) => {
      if (Array.isArray(v)) {
        const list = v
          .filter(isRecord)
          .map((p) => `${String(p.at ?? p.value ?? '')}:${String(p.share ?? '')}`)
          .join(', ');
        return `${k}=${list}`;
      }
      return `${k}=${String(v)}`;
    })
    .join('; ');
  return f;
}

/** Where a validator problem shows in the form. */
export function fieldOfProblem(p: FormulaProblem): FormulaField {
  if (p.code === 'DECIMALS_INVALID' || p.code === 'MAX_POINTS_INVALID') return 'decimals';
  if (p.code === 'ZERO_DIVISOR_INVALID') return 'zeroDivisor';
  if (p.code === 'SCALE_UNKNOWN') return 'direction';
  if (p.code === 'FORMULA_UNKNOWN' || p.code === 'SPEC_INVALID') return 'formula';
  return 'params';
}

/**
 * The translation keys of the words, per locale area. Each sentence takes the parameters as
 * interpolation values: max, minPoints, significantDiscount, satiety, rootIndex, points, worst,
 * best, cap, steps, decimals.
 */
export type FormulaWordKeys = Record<
  | FormulaChoice
  | 'proportionalLower'
  | 'cap'
  | 'decimals'
  | 'zeroAllZero'
  | 'zeroAllMax'
  | 'axisDiscount'
  | 'axisRelative'
  | 'lowerBetter'
  | 'higherBetter',
  string
>;

const text = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v) : '?');

/**
 * A formula in words, with its parameters and the criterion's points: "Proportional inverse:
 * points = 35 × lowest offer / offer. Rounded to 2 decimals." Empty for something that is no spec.
 */
export function formulaInWords(
  t: TFunction,
  keys: FormulaWordKeys,
  value: unknown,
  maxPoints: string,
): string {
  const f = fieldsFromSpec(value);
  if (f.formula === '' || !isRecord(value)) return '';
  const choice = f.formula as FormulaChoice;
  const params = isRecord(value.params) ? value.params : {};
  const list = (v: unknown, key: 'at' | 'value') =>
    Array.isArray(v)
      ? v
          .filter(isRecord)
          .map((p) => `${text(p[key])} → ${text(p.share)}`)
          .join('; ')
      : '?';
  const vars = {
    max: maxPoints,
    minPoints: text(params.minPoints),
    significantDiscount: text(params.significantDiscount),
    satiety: text(params.satiety),
    rootIndex: text(params.rootIndex),
    worst: text(params.worst),
    best: text(params.best),
    points: list(params.breakpoints, 'at'),
    steps: list(params.steps, 'value'),
    axis: params.axis === 'relative_discount' ? t(keys.axisRelative) : t(keys.axisDiscount),
    direction: value.direction === 'lower_better' ? t(keys.lowerBetter) : t(keys.higherBetter),
    decimals: f.decimals,
  };
  const main =
    choice === 'proportional' && value.direction === 'lower_better'
      ? t(keys.proportionalLower, vars)
      : t(keys[choice], vars);
  const parts = [main];
  if (choice === 'proportional' && params.cap !== undefined)
    parts.push(t(keys.cap, { cap: text(params.cap) }));
  const usesDivisor = value.kind === 'price' ? choice !== 'F1' : choice === 'proportional';
  if (usesDivisor) parts.push(t(f.zeroDivisor === 'all_max' ? keys.zeroAllMax : keys.zeroAllZero, vars));
  parts.push(t(keys.decimals, vars));
  return parts.join(' ');
}

/** The choices of the lot's abnormal-offer fields. */
export const ABNORMAL_CHOICES = ['', 'rglcap85', 'notice'] as const;
export const SETTING_CHOICES = {
  comparison: ['', 'strict', 'inclusive'],
  units: ['', 'percent_of_base', 'points_of_budget'],
  threeBidders: ['', 'mean_of_remaining', 'two_bidder_rule'],
} as const;

/** A lot's abnormal-offer fields, as posted strings ('' = not declared / the default reading). */
export type AbnormalFields = {
  rule: string;
  belowMean: string;
  belowBudget: string;
  combine: string;
  comparison: string;
  units: string;
  threeBidders: string;
};

export const emptyAbnormalFields = (): AbnormalFields => ({
  rule: '',
  belowMean: '',
  belowBudget: '',
  combine: 'any',
  comparison: '',
  units: '',
  threeBidders: '',
});

const PCT_RE = /^\d{1,2}(\.\d{1,2})?$/;

/** The rule and settings the fields declare, or the field at fault. */
export function abnormalFromFields(
  f: AbnormalFields,
):
  | { rule: AbnormalRule | undefined; settings: Partial<AbnormalSettings> | undefined }
  | { field: keyof AbnormalFields; problem: 'choice' | 'percent' | 'required' } {
  if (!(ABNORMAL_CHOICES as readonly string[]).includes(f.rule)) return { field: 'rule', problem: 'choice' };
  const settings: Partial<AbnormalSettings> = {};
  for (const key of ['comparison', 'units', 'threeBidders'] as const) {
    const v = f[key];
    if (!(SETTING_CHOICES[key] as readonly string[]).includes(v)) return { field: key, problem: 'choice' };
    if (v !== '') (settings as Record<string, string>)[key] = v;
  }
  const declared = Object.keys(settings).length > 0 ? settings : undefined;
  if (f.rule === '') return { rule: undefined, settings: declared };
  if (f.rule === 'rglcap85') return { rule: 'rglcap85', settings: declared };
  const tests: { kind: 'percent_below_mean' | 'percent_below_budget'; units: string }[] = [];
  const mean = f.belowMean.replace(',', '.');
  const budget = f.belowBudget.replace(',', '.');
  if (mean !== '') {
    if (!PCT_RE.test(mean)) return { field: 'belowMean', problem: 'percent' };
    tests.push({ kind: 'percent_below_mean', units: mean });
  }
  if (budget !== '') {
    if (!PCT_RE.test(budget)) return { field: 'belowBudget', problem: 'percent' };
    tests.push({ kind: 'percent_below_budget', units: budget });
  }
  if (tests.length === 0) return { field: 'belowMean', problem: 'required' };
  if (f.combine !== 'any' && f.combine !== 'all') return { field: 'combine', problem: 'choice' };
  return { rule: { kind: 'notice', tests, combine: f.combine }, settings: declared };
}

/** The fields of a stored rule and settings (anything: a draft may hold an invalid one). */
export function fieldsFromAbnormal(rule: unknown, settings: unknown): AbnormalFields {
  const f = emptyAbnormalFields();
  if (rule === 'rglcap85') f.rule = 'rglcap85';
  else if (isRecord(rule) && rule.kind === 'notice' && Array.isArray(rule.tests)) {
    f.rule = 'notice';
    for (const t of rule.tests.filter(isRecord)) {
      if (t.kind === 'percent_below_mean') f.belowMean = text(t.units);
      if (t.kind === 'percent_below_budget') f.belowBudget = text(t.units);
    }
    if (rule.combine === 'all') f.combine = 'all';
  }
  if (isRecord(settings)) {
    for (const key of ['comparison', 'units', 'threeBidders'] as const) {
      const v = settings[key];
      if (typeof v === 'string' && (SETTING_CHOICES[key] as readonly string[]).includes(v)) f[key] = v;
    }
  }
  return f;
}
