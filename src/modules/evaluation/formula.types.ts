/**
 * Formula criteria as published in the notice. A spec is plain JSON: the notice (PCAP) stores it
 * as it is, and the same object drives the computation, so what bidders read and what the
 * committee computes cannot drift apart (procurement-rules.md §5 "Implementation notes").
 *
 * Numbers are decimal strings ('0.05', '12'), never JS numbers, except small integer settings
 * (`decimals`, the root index `n`).
 */

/**
 * The price formulas of procurement-rules.md §5. F8 ("relative difference to the lowest") is left
 * out on purpose: it has no captured source ([K]), and it scores an offer at twice O_min or more
 * with 0 points, which flattens scores in a way tribunals contest; add it only once a primary
 * source is found (§8 "Open points").
 */
export type PriceFormula = 'F1' | 'F2' | 'F3' | 'F4' | 'F5' | 'F6' | 'F7';

/**
 * What the notice says happens when a baja-based formula has a zero divisor (no offer below the
 * budget, so `O_min = PBL` / `B_max = 0`): the ratio B_i/B_max is taken as 0 (`all_zero`: every
 * offer scores 0, or P_0 under F3) or as 1 (`all_max`: every offer at the budget scores P_max).
 * Offers above the budget score 0 in both cases.
 */
export type ZeroDivisorRule = 'all_zero' | 'all_max';

/** A breakpoint of F7: at this abscissa the offer gets `share` × P_max (both in [0, 1]). */
export type Breakpoint = { at: string; share: string };

/**
 * F7's abscissa: `discount` is B_i itself (a baja of 10 % is 0.10); `relative_discount` is
 * B_i / B_max, so the best offer always sits at 1.
 */
export type BreakpointAxis = 'discount' | 'relative_discount';

export type PriceParams = {
  /** F3: P_0, the points an offer exactly at the budget gets (0 ≤ P_0 < P_max). */
  minPoints?: string;
  /** F4: B_s, the "baja significativa" as a fraction in [0, 1) (0.03 = 3 %). */
  significantDiscount?: string;
  /** F5: U, the satiety discount as a fraction in (0, 1]: discounts beyond it earn nothing more. */
  satiety?: string;
  /** F6: the root index n (integer ≥ 1; n = 1 is F2). */
  rootIndex?: number;
  /** F7: the axis of the breakpoints. */
  axis?: BreakpointAxis;
  /** F7: interior breakpoints, increasing in `at`, non-decreasing in `share`; (0, 0) is implied. */
  breakpoints?: Breakpoint[];
};

/** A price criterion's formula, e.g. `{ kind: 'price', formula: 'F3', params: { minPoints: '5' }, … }`. */
export type PriceFormulaSpec = {
  kind: 'price';
  formula: PriceFormula;
  params: PriceParams;
  /** Decimals of the published score (default 2); rounding ROUND_HALF_UP, applied once at the end. */
  decimals: number;
  zeroDivisor: ZeroDivisorRule;
};

/**
 * Scales for other formula criteria (delivery time, warranty, social or environmental
 * commitments):
 * - `linear`: 0 points at `worst` (or worse), P_max at `best` (or better), a straight line between;
 * - `proportional`: relative to the best offered value (v/v_best, or v_best/v when lower is better),
 *   optionally capped (values beyond `cap` count as `cap`);
 * - `threshold`: steps; reaching a step's value (or better) earns its share of P_max.
 */
export type ScaleKind = 'linear' | 'proportional' | 'threshold';
export type ScaleDirection = 'higher_better' | 'lower_better';

/** A step of a threshold scale: offering `value` or better earns `share` × P_max. */
export type ScaleStep = { value: string; share: string };

export type ScaleParams = {
  /** linear: the value that earns 0 points. */
  worst?: string;
  /** linear: the value that earns P_max. */
  best?: string;
  /** proportional: values better than this count as this (a satiety cap). */
  cap?: string;
  /** threshold: steps ordered from the easiest to the hardest to reach; shares non-decreasing. */
  steps?: ScaleStep[];
};

export type ScaleFormulaSpec = {
  kind: 'scale';
  scale: ScaleKind;
  direction: ScaleDirection;
  params: ScaleParams;
  decimals: number;
  /** proportional, higher is better, every offer 0: required for that scale only. */
  zeroDivisor?: ZeroDivisorRule;
};

export type FormulaSpec = PriceFormulaSpec | ScaleFormulaSpec;

/**
 * Stable problem codes of a formula spec or a scoring input. Clients (the notice builder, the
 * simulator) map them to messages; never rename one.
 */
export const FORMULA_PROBLEM_CODES = [
  /** The spec is not an object, or `kind` is neither 'price' nor 'scale'. */
  'SPEC_INVALID',
  /** `formula` is not one of F1–F7 (F8 included: see PriceFormula). */
  'FORMULA_UNKNOWN',
  /** `scale` or `direction` is not one of the known values. */
  'SCALE_UNKNOWN',
  /** `decimals` is not an integer from 0 to MAX_DECIMALS. */
  'DECIMALS_INVALID',
  /** `zeroDivisor` is missing where needed or not 'all_zero' / 'all_max'. */
  'ZERO_DIVISOR_INVALID',
  /** `params` is not an object, or carries a parameter the formula does not use. */
  'PARAMS_INVALID',
  /** A parameter the formula needs is missing. */
  'PARAM_MISSING',
  /** A parameter is not a plain decimal string (or integer, for `rootIndex`). */
  'PARAM_NOT_DECIMAL',
  /** F3: P_0 is negative or not below P_max. */
  'MIN_POINTS_OUT_OF_RANGE',
  /** F4: B_s is not in [0, 1). */
  'SIGNIFICANT_DISCOUNT_OUT_OF_RANGE',
  /** F5: U is not in (0, 1]. */
  'SATIETY_OUT_OF_RANGE',
  /** F6: n is not an integer from 1 to MAX_ROOT_INDEX. */
  'ROOT_INDEX_INVALID',
  /** F7 breakpoints or threshold steps: empty, out of [0, 1], or not in increasing order. */
  'BREAKPOINTS_INVALID',
  /** F7 on the discount axis or a threshold scale: no breakpoint or step earns P_max (share 1). */
  'BREAKPOINTS_NEVER_REACH_MAX',
  /** Linear scale: `best` is not better than `worst` for the direction; proportional: `cap` is not positive. */
  'SCALE_BOUNDS_INVALID',
  /** The maximum points are not a positive decimal with at most `decimals` decimals. */
  'MAX_POINTS_INVALID',
  /** A price formula without a positive budget (PBL). */
  'BUDGET_INVALID',
  /** An offer's amount is not a decimal (positive for prices, ≥ 0 for scales). */
  'OFFER_AMOUNT_INVALID',
  /** Two offers share an id. */
  'OFFER_ID_DUPLICATE',
] as const;

export type FormulaProblemCode = (typeof FORMULA_PROBLEM_CODES)[number];

/** One problem found in a spec or an input; `path` points at the field ('params.satiety', 'offers[2].amount'). */
export type FormulaProblem = { code: FormulaProblemCode; path: string };

/**
 * What scoring needs besides the spec. `amount` is the offered figure for the criterion: the price
 * (excl. VAT) for a price formula, the days, months or units offered for a scale.
 */
export type ScoringInput = {
  /** P_max: the criterion's weight in points. */
  maxPoints: string;
  /** PBL, excl. VAT: required by price formulas, ignored by scales. */
  budget?: string;
  /** Only valid offers not rejected as abnormally low (D6: rejected offers never set O_min). */
  offers: readonly { id: string; amount: string }[];
};

/** One offer's score: `points` rounded as the notice states, `exact` before rounding (for the minutes). */
export type OfferScore = { id: string; points: string; exact: string };

export type ScoringResult = {
  scores: OfferScore[];
  /** The figures the formula used, as decimal strings (null with no offers). */
  reference: {
    /** Lowest and highest figure offered (O_min, O_max for prices). */
    lowest: string | null;
    highest: string | null;
    /** B_max for price formulas (may be ≤ 0 when no offer is below the budget); null for scales. */
    maxDiscount: string | null;
    /** True when the formula's divisor was zero and `zeroDivisor` decided the scores. */
    divisorZero: boolean;
  };
};
