/**
 * Ranking of the offers of a lot (art. 150.1 LCSP: the committee ranks the offers in descending
 * order of score), ties (art. 147) and the per-company award limit across lots (art. 99.4).
 */

/**
 * A tie-break criterion of the notice (art. 147.1) or of art. 147.2: a key the caller supplies per
 * offer (a decimal string, e.g. a percentage of the workforce) and which way is better.
 */
export type TieBreakCriterion = { key: string; direction: 'higher_better' | 'lower_better' };

export type RankingOfferInput = {
  id: string;
  /** Points of the judgement criteria (envelope B), decimal string. */
  judgementPoints: string;
  /** Points of the formula criteria (envelope C), decimal string. */
  formulaPoints: string;
  /**
   * The tie-break figures, by criterion key, as documented by the bidder when the tie arises
   * (art. 147.2, last paragraph). A missing figure ranks last for that criterion.
   */
  tieBreak?: Record<string, string>;
};

export type RankingInput = {
  offers: readonly RankingOfferInput[];
  /** The notice's tie-break list, in order (art. 147.1), or ART_147_2_TIE_BREAK. */
  tieBreak: readonly TieBreakCriterion[];
  /**
   * The recorded draw (sorteo, art. 147.2.d): offer ids in the order drawn. It decides only
   * among offers still tied after every criterion, and must name all of them.
   */
  draw?: readonly string[];
};

/** How an offer's place was decided: by total, by a tie-break criterion, by the draw, or not yet. */
export type RankDecision = 'score' | 'tie_break' | 'draw' | 'unresolved';

export type RankedOffer = {
  id: string;
  /** 1 is the best; offers still tied share the rank of their best place. */
  rank: number;
  /** judgementPoints + formulaPoints, exact. */
  total: string;
  decidedBy: RankDecision;
  /** With `tie_break`: the criterion that separated it from the offers tied with it. */
  tieBreakKey?: string;
};

export type RankingResult = {
  /** `needs_draw` while some offers are tied after every criterion and no draw covers them. */
  status: 'ranked' | 'needs_draw';
  ranking: RankedOffer[];
  /** The groups of offers a draw must order (empty when ranked). */
  ties: string[][];
};

/**
 * How extra wins are allocated when a company ranks first in more lots than it may be awarded
 * (art. 99.4; the notice states the rule, G2):
 * - `lot_order`: lots are awarded in their order in the notice;
 * - `value_desc`: lots of higher estimated value first;
 * - `best_relative_score`: the lots where the company's score is highest relative to the lot's
 *   maximum points first;
 * - `company_choice`: the company states which lots it prefers (`choices`).
 * In every case the lots it cannot keep go to the next company in each lot's ranking.
 */
export type AllocationRule = 'lot_order' | 'value_desc' | 'best_relative_score' | 'company_choice';

export type AllocationLotInput = {
  lotId: string;
  /** Estimated value of the lot, excl. VAT (for `value_desc`). */
  value: string;
  /** Maximum points of the lot (for `best_relative_score`). */
  maxPoints?: string;
  /** The lot's final ranking, best first (ties already resolved), one entry per company. */
  ranking: readonly { companyId: string; total?: string }[];
};

export type AllocationInput = {
  /** In the notice's order. */
  lots: readonly AllocationLotInput[];
  /** The maximum number of lots one company may be awarded; null for no limit. */
  maxLotsPerCompany: number | null;
  rule: AllocationRule;
  /** `company_choice`: each company's lots in order of preference. */
  choices?: Readonly<Record<string, readonly string[]>>;
};

export type LotAllocation = {
  lotId: string;
  /** Null when no company in the ranking can take the lot (the lot may be declared void). */
  companyId: string | null;
  /** The company's place in the lot's ranking (1-based), or null. */
  position: number | null;
  /** Better-ranked companies passed over because they reached the limit. */
  skipped: string[];
};

export type AllocationResult =
  | { status: 'allocated'; lots: LotAllocation[] }
  /** `company_choice`: the company must choose among `lotIds` before allocation can finish. */
  | { status: 'needs_choice'; companyId: string; lotIds: string[]; keep: number };
