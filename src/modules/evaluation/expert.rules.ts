/**
 * The committee of experts of art. 146.2.a LCSP, as pure rules. When, in a lot, the criteria that
 * depend on a value judgement weigh more than the criteria scored by formulas, the judgement
 * criteria must be evaluated by a committee of at least three suitably qualified experts who are
 * not part of the body that proposes the contract (or by a specialised technical body named in
 * the pliego; RGLCAP arts. 28–29). Contracta models the experts as staff assigned to the tender
 * with the role `expert`: they score the judgement criteria of those lots, the committee (mesa)
 * does not, and an expert is never a committee member of the same tender.
 */
import { Dec, parseDecimal } from '../../platform/money.js';

/** At least three experts (art. 146.2.a LCSP). */
export const EXPERT_COMMITTEE_MINIMUM = 3;

/** What the rules read of a lot in the published notice. */
export type NoticeLotWeights = {
  number: number;
  criteria?: readonly { evaluation?: string; weight?: string }[];
};

export type LotWeighing = {
  lot: number;
  /** Sum of the weights of the judgement criteria, 2 decimals. */
  judgement: string;
  /** Sum of the weights of the formula criteria, 2 decimals. */
  formula: string;
  /** Whether art. 146.2.a applies: judgement weighs strictly more than formula. */
  expertsRequired: boolean;
};

const sum = (weights: readonly (string | undefined)[]): Dec =>
  weights.reduce((acc: Dec, w) => acc.plus(parseDecimal(w ?? '0') ?? new Dec(0)), new Dec(0));

/**
 * Per lot, the weights of its judgement and formula criteria and whether the committee of experts
 * is required. The comparison is decimal (weights are strings in the notice, never floats): a lot
 * whose judgement criteria weigh exactly as much as its formula criteria does not need experts, as
 * the article requires formulas to weigh *less* ("una ponderación inferior").
 */
export function weighLots(lots: readonly NoticeLotWeights[]): LotWeighing[] {
  return lots.map((lot) => {
    const criteria = lot.criteria ?? [];
    const judgement = sum(criteria.filter((c) => c.evaluation === 'judgement').map((c) => c.weight));
    const formula = sum(criteria.filter((c) => c.evaluation === 'formula').map((c) => c.weight));
    return {
      lot: lot.number,
      judgement: judgement.toFixed(2),
      formula: formula.toFixed(2),
      expertsRequired: judgement.greaterThan(formula),
    };
  });
}

/** The lots of the notice whose judgement criteria the committee of experts must score. */
export function expertLots(lots: readonly NoticeLotWeights[]): number[] {
  return weighLots(lots)
    .filter((l) => l.expertsRequired)
    .map((l) => l.lot);
}

/**
 * People named both as experts and as committee members of one tender: none may be (art. 146.2.a
 * LCSP: the experts may not belong to the body proposing the contract, whose committee the mesa
 * is here). Returned sorted, without duplicates.
 */
export function expertsOnCommittee(committee: readonly string[], experts: readonly string[]): string[] {
  const seated = new Set(committee);
  return [...new Set(experts.filter((u) => seated.has(u)))].sort();
}

export type Assigned = { committee: readonly string[]; experts: readonly string[] };

/**
 * Who scores the judgement criteria of a lot: the experts where art. 146.2.a applies; otherwise
 * the tender's committee, or `null` when no committee is named (then any committee member of the
 * authority acts, except the tender's experts, who are not the mesa).
 */
export function scorersOf(expertsRequired: boolean, assigned: Assigned): readonly string[] | null {
  if (expertsRequired) return assigned.experts;
  return assigned.committee.length > 0 ? assigned.committee : null;
}

/**
 * Whether `userId` may score the judgement criteria of a lot. The role (committee_member of the
 * authority) is the policy's, checked before; this decides the seat on this tender.
 */
export function mayScoreLot(userId: string, expertsRequired: boolean, assigned: Assigned): boolean {
  const scorers = scorersOf(expertsRequired, assigned);
  if (scorers === null) return !assigned.experts.includes(userId);
  return scorers.includes(userId);
}

/**
 * Whether `userId` sits on the tender's committee (mesa): a named member, or, with none named, any
 * committee member of the authority who is not one of the tender's experts.
 */
export function sitsOnCommittee(userId: string, assigned: Assigned): boolean {
  if (assigned.committee.length > 0) return assigned.committee.includes(userId);
  return !assigned.experts.includes(userId);
}

export type ExpertReadiness =
  | { ready: true }
  | { ready: false; reason: 'too_few_experts'; required: number; assigned: number };

/**
 * Before the report on envelope B is approved: where art. 146.2.a applies to some lot, at least
 * three experts must be assigned (that each scored is the sheet's list of missing scores).
 */
export function expertReadiness(
  lotsNeedingExperts: readonly number[],
  experts: readonly string[],
): ExpertReadiness {
  const assigned = new Set(experts).size;
  if (lotsNeedingExperts.length === 0 || assigned >= EXPERT_COMMITTEE_MINIMUM) return { ready: true };
  return { ready: false, reason: 'too_few_experts', required: EXPERT_COMMITTEE_MINIMUM, assigned };
}
