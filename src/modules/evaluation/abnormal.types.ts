/**
 * Detection of offers presumed abnormally low (ofertas anormalmente bajas, LCSP art. 149; RGLCAP
 * art. 85 as the default for price-only tenders). See procurement-rules.md §6.
 */

/** A test a notice may define for the offer "as a whole" (art. 149.2.b), in percentage units. */
export type NoticeAbnormalTest =
  /** Lower than the arithmetic mean of the counted offers by more than `units`. */
  | { kind: 'percent_below_mean'; units: string }
  /** Lower than the budget (PBL) by more than `units` (a discount above `units` %). */
  | { kind: 'percent_below_budget'; units: string };

/**
 * The rule of the notice: RGLCAP art. 85 (the default when price is the only criterion and the
 * pliego sets no parameters, art. 149.2.a), or the notice's own tests, combined with "or"
 * (`any`, the usual wording) or "and" (`all`).
 */
export type AbnormalRule =
  | 'rglcap85'
  | { kind: 'notice'; tests: NoticeAbnormalTest[]; combine?: 'any' | 'all' };

/**
 * The authority's settings for the open points of §6 (decided in the pliego template, [D]).
 * - `comparison`: "more than" is strict (`strict`, default); `inclusive` also catches the boundary.
 * - `units`: how "N percentage units" below a base reads. `percent_of_base` (default, the common
 *   reading): below base × (1 − N/100). `points_of_budget`: the difference is N % of the budget,
 *   i.e. the discounts (bajas) over PBL differ by more than N points: below base − PBL × N/100.
 * - `threeBidders`: with 3 bidders, once the highest is left out of the mean, compare the other
 *   two by the mean of the two (`mean_of_remaining`, default, the reference algorithm) or by the
 *   2-bidder rule (`two_bidder_rule`, the disputed reading [DL-3030]).
 */
export type AbnormalSettings = {
  comparison: 'strict' | 'inclusive';
  units: 'percent_of_base' | 'points_of_budget';
  threeBidders: 'mean_of_remaining' | 'two_bidder_rule';
};

export type AbnormalOfferInput = {
  id: string;
  /** The price offered, excl. VAT, decimal string. */
  amount: string;
  /** The corporate group (art. 42 Código de Comercio) the bidder belongs to, if any. */
  groupId?: string | null;
};

export type AbnormalInput = {
  /** PBL, excl. VAT. */
  budget: string;
  /** Valid offers only: inadmissible or irregular offers are excluded first (§6 open point c). */
  offers: readonly AbnormalOfferInput[];
  rule?: AbnormalRule;
  settings?: Partial<AbnormalSettings>;
};

/** Which comparison a check made. */
export type AbnormalTestKind = 'below_budget' | 'below_other_offer' | 'below_mean';

/**
 * One comparison made for an offer, as the committee minutes show it: the base (budget, the other
 * offer or the mean), the threshold derived from it, and whether the offer fell below it. Figures
 * are shown to the cent; the comparison itself uses exact values.
 */
export type AbnormalCheck = { test: AbnormalTestKind; base: string; threshold: string; triggered: boolean };

/** Why an offer is (or is not) presumed abnormal. */
export type AbnormalReason =
  | 'not_abnormal'
  /** Another offer of the same group is lower: only the group's lowest counts (art. 149.3, RGLCAP 86). */
  | 'not_counted_group'
  | AbnormalTestKind;

export type AbnormalOfferResult = {
  id: string;
  amount: string;
  /** False for the group offers left out (reason `not_counted_group`). */
  counted: boolean;
  abnormal: boolean;
  /** The first triggered test in `checks`, else `not_abnormal` / `not_counted_group`. */
  reason: AbnormalReason;
  checks: AbnormalCheck[];
};

/** Which paragraph of RGLCAP art. 85 applied, by the number of counted offers, or the notice's rule. */
export type AbnormalCase = 'none' | 'one' | 'two' | 'three' | 'four_or_more' | 'notice';

export type AbnormalResult = {
  rule: 'rglcap85' | 'notice';
  case: AbnormalCase;
  settings: AbnormalSettings;
  /** Offers that took part in the computation (after group deduplication). */
  counted: number;
  /** The mean finally used (to the cent), or null when the case uses none. */
  mean: string | null;
  /** The offers whose amounts make up `mean`. */
  meanOfferIds: string[];
  /** Offers left out of the mean for exceeding it by more than 10 units (art. 85.3 and 85.4). */
  excludedFromMean: string[];
  /** In the order given. */
  offers: AbnormalOfferResult[];
};
