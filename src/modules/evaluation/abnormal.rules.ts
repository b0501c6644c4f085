import { DomainError } from '../../platform/errors.js';
import { Dec, parseDecimal } from '../../platform/money.js';
import type {
  AbnormalCase,
  AbnormalCheck,
  AbnormalInput,
  AbnormalOfferResult,
  AbnormalResult,
  AbnormalSettings,
  AbnormalTestKind,
  NoticeAbnormalTest,
} from './abnormal.types.js';

/**
 * Which offers are presumed abnormally low (LCSP art. 149; RGLCAP art. 85 by default for
 * price-only tenders with no pliego parameters, art. 149.2.a). Pure. The reference algorithm and
 * its test vectors are procurement-rules.md §6.2; the open points of §6 are `AbnormalSettings`.
 *
 * A presumption only: no offer is excluded here. Exclusion needs the adversarial procedure of
 * art. 149.4 (abnormal-review.rules.ts), E1.
 */

/** The defaults: the common reading of art. 85 (§6.2 reference algorithm). */
export const DEFAULT_ABNORMAL_SETTINGS: AbnormalSettings = Object.freeze({
  comparison: 'strict',
  units: 'percent_of_base',
  threeBidders: 'mean_of_remaining',
});

/** RGLCAP art. 85 thresholds, in percentage units. */
const UNITS_ONE_BIDDER = new Dec(25); // 85.1, and 85.3 "in any case"
const UNITS_TWO_BIDDERS = new Dec(20); // 85.2
const UNITS_MEAN = new Dec(10); // 85.3, 85.4 (below the mean, and above it to leave an offer out)

type Counted = { index: number; id: string; amount: Dec };

const fig = (d: Dec) => d.toFixed(2);

function invalid(problems: { code: string; path: string }[]): DomainError {
  return new DomainError('UNPROCESSABLE', 'The offers or the rule for abnormal offers are not valid', {
    problems,
  });
}

function mean(list: readonly Counted[]): Dec {
  return list.reduce((sum, o) => sum.plus(o.amount), new Dec(0)).div(list.length);
}

/**
 * The comparisons, with the settings applied. "Lower than `base` by more than N units" and "higher
 * than `base` by more than N units" under either reading of "units", strict or inclusive.
 */
function comparator(budget: Dec, settings: AbnormalSettings) {
  const delta = (base: Dec, units: Dec) =>
    settings.units === 'percent_of_base' ? base.times(units).div(100) : budget.times(units).div(100);
  const strict = settings.comparison === 'strict';
  return {
    check(test: AbnormalTestKind, amount: Dec, base: Dec, units: Dec): AbnormalCheck & { exact: Dec } {
      const threshold = base.minus(delta(base, units));
      const triggered = strict ? amount.lt(threshold) : amount.lte(threshold);
      return { test, base: fig(base), threshold: fig(threshold), triggered, exact: threshold };
    },
    exceeds(amount: Dec, base: Dec, units: Dec): boolean {
      const limit = base.plus(delta(base, units));
      return strict ? amount.gt(limit) : amount.gte(limit);
    },
  };
}

function validate(input: AbnormalInput): { budget: Dec; amounts: Dec[]; tests: NoticeAbnormalTest[] } {
  const problems: { code: string; path: string }[] = [];
  const budget = typeof input.budget === 'string' ? parseDecimal(input.budget) : undefined;
  if (!budget?.gt(0)) problems.push({ code: 'BUDGET_INVALID', path: 'budget' });
  const seen = new Set<string>();
  const amounts: Dec[] = [];
  for (const [i, o] of input.offers.entries()) {
    const a = typeof o.amount === 'string' ? parseDecimal(o.amount) : undefined;
    if (!a?.gt(0)) problems.push({ code: 'OFFER_AMOUNT_INVALID', path: `offers[${i}].amount` });
    else amounts.push(a);
    if (typeof o.id !== 'string' || seen.has(o.id)) {
      problems.push({ code: 'OFFER_ID_DUPLICATE', path: `offers[${i}].id` });
    }
    seen.add(o.id);
  }
  const rule = input.rule ?? 'rglcap85';
  let tests: NoticeAbnormalTest[] = [];
  if (rule !== 'rglcap85') {
    const ok =
      typeof rule === 'object' &&
      rule !== null &&
      rule.kind === 'notice' &&
      Array.isArray(rule.tests) &&
      rule.tests.length > 0 &&
      (rule.combine === undefined || rule.combine === 'any' || rule.combine === 'all');
    if (!ok) problems.push({ code: 'RULE_INVALID', path: 'rule' });
    else {
      tests = rule.tests;
      for (const [i, t] of tests.entries()) {
        const isObject = typeof t === 'object' && t !== null;
        const units = isObject && typeof t.units === 'string' ? parseDecimal(t.units) : undefined;
        const kindOk = isObject && (t.kind === 'percent_below_mean' || t.kind === 'percent_below_budget');
        if (!kindOk || !units || units.isNegative() || units.gte(100)) {
          problems.push({ code: 'RULE_INVALID', path: `rule.tests[${i}]` });
        }
      }
    }
  }
  const s = input.settings ?? {};
  if (
    (s.comparison !== undefined && s.comparison !== 'strict' && s.comparison !== 'inclusive') ||
    (s.units !== undefined && s.units !== 'percent_of_base' && s.units !== 'points_of_budget') ||
    (s.threeBidders !== undefined &&
      s.threeBidders !== 'mean_of_remaining' &&
      s.threeBidders !== 'two_bidder_rule')
  ) {
    problems.push({ code: 'SETTINGS_INVALID', path: 'settings' });
  }
  if (problems.length > 0) throw invalid(problems);
  return { budget: budget!, amounts, tests };
}

/**
 * Only the lowest offer of each corporate group counts, alone or in a UTE (art. 149.3 LCSP, RGLCAP
 * art. 86.1; §6.1 point 4). On equal amounts the group's first offer as given counts.
 */
function dedupGroups(input: AbnormalInput, amounts: readonly Dec[]): Set<number> {
  const lowest = new Map<string, number>();
  input.offers.forEach((o, i) => {
    if (o.groupId === undefined || o.groupId === null || o.groupId === '') return;
    const prev = lowest.get(o.groupId);
    if (prev === undefined || amounts[i]!.lt(amounts[prev]!)) lowest.set(o.groupId, i);
  });
  const counted = new Set<number>();
  input.offers.forEach((o, i) => {
    const g = o.groupId;
    if (g === undefined || g === null || g === '' || lowest.get(g) === i) counted.add(i);
  });
  return counted;
}

/**
 * The presumption of abnormality for every offer, with the figures used, so that the committee
 * minutes can show the computation. Throws DomainError UNPROCESSABLE with `details.problems`
 * (`{ code, path }`; codes BUDGET_INVALID, OFFER_AMOUNT_INVALID, OFFER_ID_DUPLICATE, RULE_INVALID,
 * SETTINGS_INVALID) on a non-positive budget or amount, duplicate ids, or an invalid rule or setting.
 */
export function presumedAbnormal(input: AbnormalInput): AbnormalResult {
  const { budget, amounts, tests } = validate(input);
  const settings: AbnormalSettings = { ...DEFAULT_ABNORMAL_SETTINGS, ...input.settings };
  const cmp = comparator(budget, settings);
  const countedIdx = dedupGroups(input, amounts);
  const counted: Counted[] = [...countedIdx].map((index) => ({
    index,
    id: input.offers[index]!.id,
    amount: amounts[index]!,
  }));
  // Ascending by amount; ties keep the order given, so the result is deterministic.
  const sorted = [...counted].sort((a, b) => a.amount.comparedTo(b.amount) || a.index - b.index);

  const checks = new Map<number, AbnormalCheck[]>();
  const add = (o: Counted, c: AbnormalCheck & { exact?: Dec }) => {
    const { exact: _exact, ...shown } = c;
    checks.set(o.index, [...(checks.get(o.index) ?? []), shown]);
  };
  let meanUsed: Dec | null = null;
  let meanSet: Counted[] = [];
  const excluded: Counted[] = [];
  let theCase: AbnormalCase;
  let combineAll = false;

  const n = counted.length;
  if (input.rule !== undefined && input.rule !== 'rglcap85') {
    theCase = 'notice';
    combineAll = input.rule.combine === 'all';
    meanSet = sorted;
    for (const t of tests) {
      const units = new Dec(t.units);
      if (t.kind === 'percent_below_budget') {
        for (const o of sorted) add(o, cmp.check('below_budget', o.amount, budget, units));
      } else if (n > 0) {
        meanUsed = mean(sorted);
        for (const o of sorted) add(o, cmp.check('below_mean', o.amount, meanUsed, units));
      }
    }
  } else if (n === 0) {
    theCase = 'none';
  } else if (n === 1) {
    // 85.1: lower than the budget by more than 25 units.
    theCase = 'one';
    add(sorted[0]!, cmp.check('below_budget', sorted[0]!.amount, budget, UNITS_ONE_BIDDER));
  } else if (n === 2) {
    // 85.2: the lower offer, lower than the other by more than 20 units. Each is compared with the
    // other; the higher one can never fall below it, and equal offers are both not abnormal.
    theCase = 'two';
    const [lo, hi] = sorted as [Counted, Counted];
    add(lo, cmp.check('below_other_offer', lo.amount, hi.amount, UNITS_TWO_BIDDERS));
    add(hi, cmp.check('below_other_offer', hi.amount, lo.amount, UNITS_TWO_BIDDERS));
  } else if (n === 3) {
    // 85.3: the mean of the three, leaving out the highest when it exceeds the mean by more than
    // 10 units (only one: the text speaks of "the" highest offer; on a tie, the last given).
    theCase = 'three';
    meanSet = sorted;
    meanUsed = mean(sorted);
    const highest = sorted[2]!;
    if (cmp.exceeds(highest.amount, meanUsed, UNITS_MEAN)) {
      excluded.push(highest);
      meanSet = sorted.slice(0, 2);
      meanUsed = mean(meanSet);
    }
    for (const o of sorted) {
      if (excluded.length > 0 && settings.threeBidders === 'two_bidder_rule') {
        // Disputed reading (§6 open point a): the two remaining offers are compared by 85.2.
        if (o !== highest) {
          const other = o === sorted[0] ? sorted[1]! : sorted[0]!;
          add(o, cmp.check('below_other_offer', o.amount, other.amount, UNITS_TWO_BIDDERS));
        }
      } else {
        add(o, cmp.check('below_mean', o.amount, meanUsed, UNITS_MEAN));
      }
      // 85.3 "in any case": a discount of more than 25 units is disproportionate.
      add(o, cmp.check('below_budget', o.amount, budget, UNITS_ONE_BIDDER));
    }
    if (excluded.length > 0 && settings.threeBidders === 'two_bidder_rule') meanUsed = null;
  } else {
    // 85.4: the mean of all; if some exceed it by more than 10 units, a new mean without them, or
    // of the 3 lowest offers when fewer than 3 remain.
    theCase = 'four_or_more';
    const first = mean(sorted);
    meanSet = sorted;
    meanUsed = first;
    const high = sorted.filter((o) => cmp.exceeds(o.amount, first, UNITS_MEAN));
    if (high.length > 0) {
      excluded.push(...high);
      const rest = sorted.filter((o) => !high.includes(o));
      meanSet = rest.length >= 3 ? rest : sorted.slice(0, 3);
      meanUsed = mean(meanSet);
    }
    for (const o of sorted) add(o, cmp.check('below_mean', o.amount, meanUsed, UNITS_MEAN));
  }

  const offers: AbnormalOfferResult[] = input.offers.map((o, i) => {
    const amount = amounts[i]!.toFixed();
    if (!countedIdx.has(i)) {
      return { id: o.id, amount, counted: false, abnormal: false, reason: 'not_counted_group', checks: [] };
    }
    const list = checks.get(i) ?? [];
    const hits = list.filter((c) => c.triggered);
    const abnormal = combineAll ? list.length > 0 && hits.length === list.length : hits.length > 0;
    return {
      id: o.id,
      amount,
      counted: true,
      abnormal,
      reason: abnormal ? hits[0]!.test : 'not_abnormal',
      checks: list,
    };
  });

  return {
    rule: theCase === 'notice' ? 'notice' : 'rglcap85',
    case: theCase,
    settings,
    counted: n,
    mean: meanUsed === null ? null : fig(meanUsed),
    meanOfferIds: meanUsed === null ? [] : meanSet.map((o) => o.id),
    excludedFromMean: excluded.map((o) => o.id),
    offers,
  };
}
