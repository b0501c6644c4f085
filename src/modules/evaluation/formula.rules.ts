import { DomainError } from '../../platform/errors.js';
import { Dec, parseDecimal } from '../../platform/money.js';
import type {
  Breakpoint,
  FormulaProblem,
  FormulaProblemCode,
  FormulaSpec,
  OfferScore,
  PriceFormula,
  PriceFormulaSpec,
  ScaleFormulaSpec,
  ScoringInput,
  ScoringResult,
  ZeroDivisorRule,
} from './formula.types.js';

/**
 * Formula scoring (envelope C): validation of a published formula spec, and the scores it gives.
 * Pure; decimal arithmetic throughout (decimal.js, 40 significant digits), one rounding at the end
 * to the decimals the notice states (procurement-rules.md §5). Doctrine the formulas keep: the
 * cheapest offer gets the most points and intermediate offers keep proportionality (D5, [TARCYL-61]).
 *
 * The caller passes only valid offers not rejected as abnormally low: O_min and O_max are taken over
 * the offers given, so a rejected offer never sets them (D6, Abogacía General dictamen 9/08).
 */

/** Decimals of a published score when the notice states none (§5: "default 2"). */
export const DEFAULT_DECIMALS = 2;
/** More decimals than this are never needed for points and hide input mistakes. */
export const MAX_DECIMALS = 6;
/** F6: a root beyond the 10th flattens every discount to P_max; no notice uses one. */
export const MAX_ROOT_INDEX = 10;

const PRICE_FORMULAS: readonly PriceFormula[] = ['F1', 'F2', 'F3', 'F4', 'F5', 'F6', 'F7'];

/** The parameters each formula takes; any other key is refused so a typo cannot go unnoticed. */
const PRICE_PARAMS: Record<PriceFormula, readonly string[]> = {
  F1: [],
  F2: [],
  F3: ['minPoints'],
  F4: ['significantDiscount'],
  F5: ['satiety'],
  F6: ['rootIndex'],
  F7: ['axis', 'breakpoints'],
};

const SCALE_PARAMS: Record<ScaleFormulaSpec['scale'], readonly string[]> = {
  linear: ['worst', 'best'],
  proportional: ['cap'],
  threshold: ['steps'],
};

const ZERO = new Dec(0);
const ONE = new Dec(1);

type Rec = Record<string, unknown>;
const isRecord = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);
const decOf = (v: unknown): Dec | undefined => (typeof v === 'string' ? parseDecimal(v) : undefined);
const isZeroDivisorRule = (v: unknown): v is ZeroDivisorRule => v === 'all_zero' || v === 'all_max';

/** Collects problems with their paths. */
class Problems {
  readonly list: FormulaProblem[] = [];
  add(code: FormulaProblemCode, path: string): void {
    this.list.push({ code, path });
  }
  /** A required decimal parameter, or undefined after recording why not. */
  decimal(params: Rec, key: string): Dec | undefined {
    const raw = params[key];
    if (raw === undefined) {
      this.add('PARAM_MISSING', `params.${key}`);
      return undefined;
    }
    const d = decOf(raw);
    if (!d) this.add('PARAM_NOT_DECIMAL', `params.${key}`);
    return d;
  }
}

/**
 * Points in a [0, 1] list, strictly increasing in the key and non-decreasing in `share` (a later
 * step never earns less: monotonicity, D5). `keyRange` bounds the key; returns the parsed list or
 * undefined after recording BREAKPOINTS_INVALID.
 */
function checkSteps(
  raw: unknown,
  path: string,
  keyName: 'at' | 'value',
  keyOk: (d: Dec) => boolean,
  increasing: boolean,
  p: Problems,
): { key: Dec; share: Dec }[] | undefined {
  if (!Array.isArray(raw) || raw.length === 0) {
    p.add(raw === undefined ? 'PARAM_MISSING' : 'BREAKPOINTS_INVALID', path);
    return undefined;
  }
  const out: { key: Dec; share: Dec }[] = [];
  for (const [i, item] of raw.entries()) {
    const key = isRecord(item) ? decOf(item[keyName]) : undefined;
    const share = isRecord(item) ? decOf(item.share) : undefined;
    const prev = out[out.length - 1];
    const ordered =
      key !== undefined && (prev === undefined || (increasing ? key.gt(prev.key) : key.lt(prev.key)));
    if (
      !isRecord(item) ||
      Object.keys(item).some((k) => k !== keyName && k !== 'share') ||
      key === undefined ||
      share === undefined ||
      !keyOk(key) ||
      share.isNegative() ||
      share.gt(ONE) ||
      !ordered ||
      (prev !== undefined && share.lt(prev.share))
    ) {
      p.add('BREAKPOINTS_INVALID', `${path}[${i}]`);
      return undefined;
    }
    out.push({ key, share });
  }
  return out;
}

function checkPrice(spec: Rec, p: Problems, maxPoints: Dec | undefined): void {
  const formula = spec.formula;
  if (typeof formula !== 'string' || !PRICE_FORMULAS.includes(formula as PriceFormula)) {
    p.add('FORMULA_UNKNOWN', 'formula');
    return;
  }
  const f = formula as PriceFormula;
  if (!isZeroDivisorRule(spec.zeroDivisor)) p.add('ZERO_DIVISOR_INVALID', 'zeroDivisor');
  const params = spec.params;
  if (!isRecord(params) || Object.keys(params).some((k) => !PRICE_PARAMS[f].includes(k))) {
    p.add('PARAMS_INVALID', 'params');
    return;
  }
  switch (f) {
    case 'F3': {
      const p0 = p.decimal(params, 'minPoints');
      if (p0 && (p0.isNegative() || (maxPoints !== undefined && p0.gte(maxPoints)))) {
        p.add('MIN_POINTS_OUT_OF_RANGE', 'params.minPoints');
      }
      break;
    }
    case 'F4': {
      const bs = p.decimal(params, 'significantDiscount');
      if (bs && (bs.isNegative() || bs.gte(ONE))) {
        p.add('SIGNIFICANT_DISCOUNT_OUT_OF_RANGE', 'params.significantDiscount');
      }
      break;
    }
    case 'F5': {
      const u = p.decimal(params, 'satiety');
      if (u && (u.lte(ZERO) || u.gt(ONE))) p.add('SATIETY_OUT_OF_RANGE', 'params.satiety');
      break;
    }
    case 'F6': {
      const n = params.rootIndex;
      if (n === undefined) p.add('PARAM_MISSING', 'params.rootIndex');
      else if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > MAX_ROOT_INDEX) {
        p.add('ROOT_INDEX_INVALID', 'params.rootIndex');
      }
      break;
    }
    case 'F7': {
      const axis = params.axis;
      if (axis === undefined) {
        p.add('PARAM_MISSING', 'params.axis');
        return;
      }
      if (axis !== 'discount' && axis !== 'relative_discount') {
        p.add('PARAMS_INVALID', 'params.axis');
        return;
      }
      // Relative axis: (0, 0) and (1, 1) are implied, so the interior points lie strictly inside.
      // Discount axis: (0, 0) is implied and the last point must reach P_max, else no offer could.
      const steps = checkSteps(
        params.breakpoints,
        'params.breakpoints',
        'at',
        axis === 'relative_discount' ? (d) => d.gt(ZERO) && d.lt(ONE) : (d) => d.gt(ZERO) && d.lte(ONE),
        true,
        p,
      );
      if (steps && axis === 'discount' && !steps[steps.length - 1]!.share.eq(ONE)) {
        p.add('BREAKPOINTS_NEVER_REACH_MAX', 'params.breakpoints');
      }
      break;
    }
    default:
      break;
  }
}

function checkScale(spec: Rec, p: Problems): void {
  const scale = spec.scale;
  const direction = spec.direction;
  if (
    (scale !== 'linear' && scale !== 'proportional' && scale !== 'threshold') ||
    (direction !== 'higher_better' && direction !== 'lower_better')
  ) {
    const scaleOk = scale === 'linear' || scale === 'proportional' || scale === 'threshold';
    p.add('SCALE_UNKNOWN', scaleOk ? 'direction' : 'scale');
    return;
  }
  const higher = direction === 'higher_better';
  if (scale === 'proportional' && !isZeroDivisorRule(spec.zeroDivisor)) {
    p.add('ZERO_DIVISOR_INVALID', 'zeroDivisor');
  } else if (spec.zeroDivisor !== undefined && !isZeroDivisorRule(spec.zeroDivisor)) {
    p.add('ZERO_DIVISOR_INVALID', 'zeroDivisor');
  }
  const params = spec.params;
  if (!isRecord(params) || Object.keys(params).some((k) => !SCALE_PARAMS[scale].includes(k))) {
    p.add('PARAMS_INVALID', 'params');
    return;
  }
  if (scale === 'linear') {
    const worst = p.decimal(params, 'worst');
    const best = p.decimal(params, 'best');
    if (worst && best && (higher ? !best.gt(worst) : !best.lt(worst))) {
      p.add('SCALE_BOUNDS_INVALID', 'params.best');
    }
  } else if (scale === 'proportional') {
    if (params.cap !== undefined) {
      const cap = p.decimal(params, 'cap');
      // A cap of 0 for "higher is better" would make every offer equal; for "lower is better" a
      // cap of 0 is the same as no cap. Both are refused as meaningless.
      if (cap && !cap.gt(ZERO)) p.add('SCALE_BOUNDS_INVALID', 'params.cap');
    }
  } else {
    const steps = checkSteps(params.steps, 'params.steps', 'value', (d) => !d.isNegative(), higher, p);
    if (steps?.some((s) => s.share.isZero())) p.add('BREAKPOINTS_INVALID', 'params.steps');
    else if (steps && !steps[steps.length - 1]!.share.eq(ONE)) {
      p.add('BREAKPOINTS_NEVER_REACH_MAX', 'params.steps');
    }
  }
}

/**
 * The problems of a formula spec as stored or received (any JSON value), in a stable order; an
 * empty list means the spec is valid. With `maxPoints` (the criterion's weight), the checks that
 * depend on it run too (F3: P_0 < P_max; the weight itself is a positive decimal with no more
 * decimals than the score).
 */
export function validateFormula(spec: unknown, opts: { maxPoints?: string } = {}): FormulaProblem[] {
  const p = new Problems();
  if (!isRecord(spec) || (spec.kind !== 'price' && spec.kind !== 'scale')) {
    p.add('SPEC_INVALID', isRecord(spec) ? 'kind' : '');
    return p.list;
  }
  const decimals = spec.decimals;
  const decimalsOk =
    typeof decimals === 'number' && Number.isInteger(decimals) && decimals >= 0 && decimals <= MAX_DECIMALS;
  if (!decimalsOk) p.add('DECIMALS_INVALID', 'decimals');
  const extra = Object.keys(spec).filter(
    (k) => !['kind', 'formula', 'scale', 'direction', 'params', 'decimals', 'zeroDivisor'].includes(k),
  );
  if (extra.length > 0 || (spec.kind === 'price' && ('scale' in spec || 'direction' in spec))) {
    p.add('SPEC_INVALID', extra[0] ?? 'kind');
  }
  if (spec.kind === 'scale' && 'formula' in spec) p.add('SPEC_INVALID', 'formula');
  let maxPoints: Dec | undefined;
  if (opts.maxPoints !== undefined) {
    maxPoints = decOf(opts.maxPoints);
    // A weight with more decimals than the score could round the best offer above P_max.
    if (!maxPoints?.gt(ZERO) || (decimalsOk && maxPoints.decimalPlaces() > Number(decimals))) {
      p.add('MAX_POINTS_INVALID', 'maxPoints');
      maxPoints = undefined;
    }
  }
  if (spec.kind === 'price') checkPrice(spec, p, maxPoints);
  else checkScale(spec, p);
  return p.list;
}

/**
 * The spec as a typed value, or DomainError UNPROCESSABLE with `details.problems` (the codes of
 * `validateFormula`). The value is returned as received: the stored spec is the published one.
 */
export function parseFormulaSpec(value: unknown, opts: { maxPoints?: string } = {}): FormulaSpec {
  const problems = validateFormula(value, opts);
  if (problems.length > 0) {
    throw new DomainError('UNPROCESSABLE', 'The formula is not valid', { problems });
  }
  return value as FormulaSpec;
}

/**
 * r^(1/n) for r in [0, 1], by Newton's method on y^n = r from y = 1. decimal.js computes a
 * non-integer power through exp and ln, some 10× slower, and scoring 200 bids must stay fast
 * (issue 5 benchmark). From y = 1 (≥ the root) the iterates decrease to the root; the loop stops
 * when they stop decreasing, i.e. at the working precision. Decimal only, so deterministic.
 */
export function nthRoot(r: Dec, n: number): Dec {
  if (r.isZero() || r.eq(ONE) || n === 1) return r;
  let y = ONE;
  // Each step at least shrinks y by a factor (n−1)/n until near the root, then converges
  // quadratically: 40 digits with r ≥ 1e-15 need well under 500 steps even for n = 10.
  for (let i = 0; i < 2000; i += 1) {
    const next = y
      .times(n - 1)
      .plus(r.div(y.pow(n - 1)))
      .div(n);
    if (next.gte(y)) break;
    y = next;
  }
  return y;
}

/** Linear interpolation over points sorted by x; flat beyond the last point. */
function interpolate(points: readonly { x: Dec; y: Dec }[], x: Dec): Dec {
  let prev = points[0]!;
  for (const point of points.slice(1)) {
    if (x.lte(point.x)) {
      return prev.y.plus(point.y.minus(prev.y).times(x.minus(prev.x)).div(point.x.minus(prev.x)));
    }
    prev = point;
  }
  return prev.y;
}

const toPoints = (bps: readonly Breakpoint[]) => bps.map((b) => ({ x: new Dec(b.at), y: new Dec(b.share) }));

/**
 * The ratio r ∈ [0, 1] of a baja-based formula for an offer with discount `b` (≥ 0), given
 * B_max > 0 where the formula divides by it. Returns null when the divisor is zero.
 */
function bajaRatio(spec: PriceFormulaSpec, b: Dec, bMax: Dec): Dec | null {
  const params = spec.params;
  switch (spec.formula) {
    case 'F2':
    case 'F3':
      return bMax.gt(ZERO) ? b.div(bMax) : null;
    case 'F4': {
      // The best offer gets P_max only when its baja reaches B_s (Aragón JCCA Informe 6/2014):
      // small discounts do not take all the points.
      const d = Dec.max(new Dec(params.significantDiscount!), bMax);
      return d.gt(ZERO) ? b.div(d) : null;
    }
    case 'F5': {
      // Satiety: discounts beyond U earn nothing more (TACRC 976/2018, 97/2019, 822/2019).
      const u = new Dec(params.satiety!);
      return bMax.gt(ZERO) ? Dec.min(b, u).div(Dec.min(bMax, u)) : null;
    }
    case 'F6': {
      if (!bMax.gt(ZERO)) return null;
      const r = b.div(bMax);
      const n = params.rootIndex!;
      if (n === 1) return r;
      if (n === 2) return r.sqrt();
      return nthRoot(r, n);
    }
    case 'F7': {
      const bps = toPoints(params.breakpoints!);
      if (params.axis === 'discount') return interpolate([{ x: ZERO, y: ZERO }, ...bps], b);
      if (!bMax.gt(ZERO)) return null;
      return interpolate([{ x: ZERO, y: ZERO }, ...bps, { x: ONE, y: ONE }], b.div(bMax));
    }
    default:
      throw new Error(`not a baja-based formula: ${spec.formula}`);
  }
}

function scorePrice(
  spec: PriceFormulaSpec,
  maxPoints: Dec,
  budget: Dec,
  amounts: readonly Dec[],
): { exact: Dec[]; divisorZero: boolean; bMax: Dec } {
  const oMin = Dec.min(...amounts);
  const bMax = budget.minus(oMin).div(budget);
  if (spec.formula === 'F1') {
    // Proporcional inversa: hyperbolic, so an offer at (or above) the budget still scores > 0.
    return { exact: amounts.map((o) => maxPoints.times(oMin).div(o)), divisorZero: false, bMax };
  }
  let divisorZero = false;
  const exact = amounts.map((o) => {
    // Baja-based formulas give an offer above the budget 0 points, never a negative score.
    if (o.gt(budget)) return ZERO;
    const b = budget.minus(o).div(budget);
    let r = bajaRatio(spec, b, bMax);
    if (r === null) {
      divisorZero = true;
      r = spec.zeroDivisor === 'all_max' ? ONE : ZERO;
    }
    if (spec.formula === 'F3') {
      const p0 = new Dec(spec.params.minPoints!);
      return p0.plus(maxPoints.minus(p0).times(r));
    }
    return maxPoints.times(r);
  });
  return { exact, divisorZero, bMax };
}

function scoreScale(
  spec: ScaleFormulaSpec,
  maxPoints: Dec,
  values: readonly Dec[],
): { exact: Dec[]; divisorZero: boolean } {
  const higher = spec.direction === 'higher_better';
  const params = spec.params;
  if (spec.scale === 'linear') {
    const worst = new Dec(params.worst!);
    const best = new Dec(params.best!);
    const exact = values.map((v) => {
      const r = v.minus(worst).div(best.minus(worst));
      return maxPoints.times(Dec.min(ONE, Dec.max(ZERO, r)));
    });
    return { exact, divisorZero: false };
  }
  if (spec.scale === 'threshold') {
    const exact = values.map((v) => {
      let share = ZERO;
      for (const step of params.steps!) {
        const reached = higher ? v.gte(step.value) : v.lte(step.value);
        if (reached) share = new Dec(step.share);
      }
      return maxPoints.times(share);
    });
    return { exact, divisorZero: false };
  }
  // Proportional, with the cap applied first: beyond it an offer earns nothing more.
  const cap = params.cap === undefined ? undefined : new Dec(params.cap);
  const capped = values.map((v) => (cap === undefined ? v : higher ? Dec.min(v, cap) : Dec.max(v, cap)));
  const best = higher ? Dec.max(...capped) : Dec.min(...capped);
  if (higher && best.isZero()) {
    const all = spec.zeroDivisor === 'all_max' ? maxPoints : ZERO;
    return { exact: capped.map(() => all), divisorZero: true };
  }
  const exact = capped.map((c) => {
    if (c.eq(best)) return maxPoints;
    return maxPoints.times(higher ? c.div(best) : best.div(c));
  });
  return { exact, divisorZero: false };
}

/**
 * Points per offer for a formula criterion, in the order given. Scores are computed exactly and
 * rounded once, ROUND_HALF_UP to `spec.decimals` (§5: "round only at the end"). Throws
 * DomainError UNPROCESSABLE with `details.problems` when the spec or the input is invalid.
 */
export function scoreOffers(spec: FormulaSpec, input: ScoringInput): ScoringResult {
  const problems = validateFormula(spec, { maxPoints: input.maxPoints });
  const isPrice = spec.kind === 'price';
  let budget: Dec | undefined;
  if (isPrice) {
    budget = input.budget === undefined ? undefined : decOf(input.budget);
    if (!budget?.gt(ZERO)) problems.push({ code: 'BUDGET_INVALID', path: 'budget' });
  }
  const seen = new Set<string>();
  const amounts: Dec[] = [];
  for (const [i, offer] of input.offers.entries()) {
    const a = decOf(offer.amount);
    // Prices must be positive (F1 divides by them); scale figures (days, months) may be 0.
    if (!a || a.isNegative() || (isPrice && a.isZero())) {
      problems.push({ code: 'OFFER_AMOUNT_INVALID', path: `offers[${i}].amount` });
    } else amounts.push(a);
    if (typeof offer.id !== 'string' || seen.has(offer.id)) {
      problems.push({ code: 'OFFER_ID_DUPLICATE', path: `offers[${i}].id` });
    }
    seen.add(offer.id);
  }
  if (problems.length > 0) {
    throw new DomainError('UNPROCESSABLE', 'The formula or the offers to score are not valid', { problems });
  }
  const empty = { lowest: null, highest: null, maxDiscount: null, divisorZero: false };
  if (amounts.length === 0) return { scores: [], reference: empty };

  const maxPoints = new Dec(input.maxPoints);
  let exact: Dec[];
  let divisorZero: boolean;
  let maxDiscount: string | null = null;
  if (spec.kind === 'price') {
    const r = scorePrice(spec, maxPoints, budget!, amounts);
    exact = r.exact;
    divisorZero = r.divisorZero;
    maxDiscount = r.bMax.toFixed();
  } else {
    ({ exact, divisorZero } = scoreScale(spec, maxPoints, amounts));
  }
  const scores: OfferScore[] = input.offers.map((offer, i) => ({
    id: offer.id,
    points: roundPoints(exact[i]!, spec.decimals),
    exact: exact[i]!.toFixed(),
  }));
  return {
    scores,
    reference: {
      lowest: Dec.min(...amounts).toFixed(),
      highest: Dec.max(...amounts).toFixed(),
      maxDiscount,
      divisorZero,
    },
  };
}

/** The one rounding of a score: ROUND_HALF_UP to the notice's decimals, written with all of them. */
export function roundPoints(exact: Dec, decimals: number): string {
  return exact.toDecimalPlaces(decimals, Dec.ROUND_HALF_UP).toFixed(decimals);
}
