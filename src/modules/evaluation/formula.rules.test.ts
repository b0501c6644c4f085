import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../../platform/errors.js';
import { Dec } from '../../platform/money.js';
import { nthRoot, parseFormulaSpec, roundPoints, scoreOffers, validateFormula } from './formula.rules.js';
import type { FormulaSpec, PriceFormulaSpec, ScaleFormulaSpec, ZeroDivisorRule } from './formula.types.js';

const price = (
  formula: PriceFormulaSpec['formula'],
  params: PriceFormulaSpec['params'] = {},
  extra: Partial<PriceFormulaSpec> = {},
): PriceFormulaSpec => ({ kind: 'price', formula, params, decimals: 2, zeroDivisor: 'all_zero', ...extra });

/** Scores by id for a quick look. */
function points(spec: FormulaSpec, amounts: string[], maxPoints = '60', budget = '100000'): string[] {
  const offers = amounts.map((amount, i) => ({ id: `o${i}`, amount }));
  return scoreOffers(spec, { maxPoints, budget, offers }).scores.map((s) => s.points);
}

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof DomainError) {
      return (err.details as { problems: { code: string }[] }).problems.map((p) => p.code);
    }
    throw err;
  }
  return [];
}

describe('price formulas: hand-computed examples (PBL 100,000, P_max 60)', () => {
  const offers = ['80000', '90000', '100000'];
  it('F1 proporcional inversa: P_max × O_min / O_i', () => {
    expect(points(price('F1'), offers)).toEqual(['60.00', '53.33', '48.00']);
  });
  it('F2 lineal sobre la baja: zero for no discount', () => {
    expect(points(price('F2'), offers)).toEqual(['60.00', '30.00', '0.00']);
  });
  it('F3 lineal with P_0 at the budget', () => {
    expect(points(price('F3', { minPoints: '10' }), offers)).toEqual(['60.00', '35.00', '10.00']);
  });
  it('F4 baja significativa: the best gets P_max only if B_max ≥ B_s', () => {
    expect(points(price('F4', { significantDiscount: '0.25' }), offers)).toEqual(['48.00', '24.00', '0.00']);
    expect(points(price('F4', { significantDiscount: '0.05' }), offers)).toEqual(['60.00', '30.00', '0.00']);
  });
  it('F5 satiety: discounts beyond U earn nothing more', () => {
    expect(points(price('F5', { satiety: '0.15' }), [...offers, '85000'])).toEqual([
      '60.00',
      '40.00',
      '0.00',
      '60.00',
    ]);
  });
  it('F6 square root', () => {
    // 60 × √0.5 = 42.4264…
    expect(points(price('F6', { rootIndex: 2 }), offers)).toEqual(['60.00', '42.43', '0.00']);
    // 60 × 0.5^(1/3) = 47.6220…
    expect(points(price('F6', { rootIndex: 3 }), offers)).toEqual(['60.00', '47.62', '0.00']);
    expect(points(price('F6', { rootIndex: 1 }), offers)).toEqual(points(price('F2'), offers));
  });
  it('F7 on the relative axis: (0,0) → (0.5, 0.8) → (1,1)', () => {
    const spec = price('F7', { axis: 'relative_discount', breakpoints: [{ at: '0.5', share: '0.8' }] });
    expect(points(spec, [...offers, '95000'])).toEqual(['60.00', '48.00', '0.00', '24.00']);
  });
  it('F7 on the discount axis: flat beyond the last breakpoint', () => {
    const spec = price('F7', {
      axis: 'discount',
      breakpoints: [
        { at: '0.1', share: '0.5' },
        { at: '0.3', share: '1' },
      ],
    });
    expect(points(spec, [...offers, '60000'])).toEqual(['45.00', '30.00', '0.00', '60.00']);
  });
  it('a single offer gets P_max (or P_max × O/O under F1)', () => {
    for (const f of ['F1', 'F2', 'F5'] as const) {
      const spec = f === 'F5' ? price(f, { satiety: '0.1' }) : price(f);
      expect(points(spec, ['70000'])).toEqual(['60.00']);
    }
  });
  it('rounds once at the end, ROUND_HALF_UP (1.25 → 1.3, not banker’s 1.2)', () => {
    const spec = price('F1', {}, { decimals: 1 });
    const r = scoreOffers(spec, {
      maxPoints: '10',
      budget: '10',
      offers: [
        { id: 'a', amount: '1' },
        { id: 'b', amount: '8' },
      ],
    });
    expect(r.scores[1]).toEqual({ id: 'b', points: '1.3', exact: '1.25' });
    expect(r.reference).toEqual({ lowest: '1', highest: '8', maxDiscount: '0.9', divisorZero: false });
  });
  it('offers above the budget: 0 under baja-based formulas, positive under F1, never negative', () => {
    expect(points(price('F2'), ['90000', '120000'])).toEqual(['60.00', '0.00']);
    expect(points(price('F3', { minPoints: '10' }), ['90000', '120000'])).toEqual(['60.00', '0.00']);
    expect(points(price('F1'), ['90000', '120000'])).toEqual(['60.00', '45.00']);
  });
  it('D6: a rejected abnormal offer left out no longer sets O_min', () => {
    // With the rejected 50,000 offer, 80,000 would score 60 × 0.2/0.5 = 24; without it, 60.
    expect(points(price('F2'), ['50000', '80000'])).toEqual(['60.00', '24.00']);
    expect(points(price('F2'), ['80000'])).toEqual(['60.00']);
  });
  it('no offers: no scores', () => {
    expect(scoreOffers(price('F2'), { maxPoints: '60', budget: '100', offers: [] })).toEqual({
      scores: [],
      reference: { lowest: null, highest: null, maxDiscount: null, divisorZero: false },
    });
  });
});

describe('nthRoot (F6)', () => {
  it('agrees with decimal.js pow to 35 significant digits', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), fc.integer({ min: 1, max: 10 }), (k, n) => {
        const r = new Dec(k).div(1_000_000);
        const expected = r.pow(new Dec(1).div(n));
        expect(nthRoot(r, n).toSignificantDigits(35).eq(expected.toSignificantDigits(35))).toBe(true);
      }),
      { numRuns: 200 },
    );
    expect(nthRoot(new Dec('0.125'), 3).toFixed()).toBe('0.5');
    expect(nthRoot(new Dec(0), 4).isZero()).toBe(true);
  });
});

describe('price formulas: divisor zero as the notice states', () => {
  const atBudget = ['100000', '100000', '120000'];
  it('F2: O_min = PBL → all_zero gives 0, all_max gives P_max at the budget and 0 above', () => {
    expect(points(price('F2'), atBudget)).toEqual(['0.00', '0.00', '0.00']);
    expect(points(price('F2', {}, { zeroDivisor: 'all_max' }), atBudget)).toEqual(['60.00', '60.00', '0.00']);
  });
  it('F3: the ratio is 0 or 1, so all_zero gives P_0 at the budget', () => {
    expect(points(price('F3', { minPoints: '10' }), atBudget)).toEqual(['10.00', '10.00', '0.00']);
    expect(points(price('F3', { minPoints: '10' }, { zeroDivisor: 'all_max' }), atBudget)).toEqual([
      '60.00',
      '60.00',
      '0.00',
    ]);
  });
  it('F4 divides by max(B_s, B_max): zero only when B_s = 0 too', () => {
    expect(
      points(price('F4', { significantDiscount: '0.03' }, { zeroDivisor: 'all_max' }), atBudget),
    ).toEqual(['0.00', '0.00', '0.00']);
    expect(points(price('F4', { significantDiscount: '0' }, { zeroDivisor: 'all_max' }), atBudget)).toEqual([
      '60.00',
      '60.00',
      '0.00',
    ]);
  });
  it('F5, F6, F7 (relative) with B_max = 0', () => {
    const specs: PriceFormulaSpec[] = [
      price('F5', { satiety: '0.2' }),
      price('F6', { rootIndex: 2 }),
      price('F7', { axis: 'relative_discount', breakpoints: [{ at: '0.5', share: '0.7' }] }),
    ];
    for (const spec of specs) {
      const r = scoreOffers(spec, {
        maxPoints: '60',
        budget: '100000',
        offers: atBudget.map((amount, i) => ({ id: `o${i}`, amount })),
      });
      expect(r.reference.divisorZero).toBe(true);
      expect(r.scores.map((s) => s.points)).toEqual(['0.00', '0.00', '0.00']);
      expect(points({ ...spec, zeroDivisor: 'all_max' }, atBudget)).toEqual(['60.00', '60.00', '0.00']);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Property tests: every formula keeps the doctrine of §5 (D5) on random offers.

const cents = (n: number) => new Dec(n).div(100).toFixed(2);

/** A budget and 1–12 offers, most below it, some at or above it. */
const market = fc.integer({ min: 1_000_00, max: 5_000_000_00 }).chain((budget) =>
  fc.record({
    budget: fc.constant(cents(budget)),
    offers: fc.array(
      fc.oneof(
        { weight: 8, arbitrary: fc.integer({ min: Math.floor(budget / 3), max: budget }) },
        { weight: 1, arbitrary: fc.constant(budget) },
        { weight: 1, arbitrary: fc.integer({ min: budget, max: Math.floor(budget * 1.2) }) },
      ),
      { minLength: 1, maxLength: 12 },
    ),
  }),
);

const share = fc.integer({ min: 0, max: 100 }).map((n) => new Dec(n).div(100).toFixed(2));

/** Strictly increasing abscissas in (0, 1) (or (0, 1] when `last1`) with non-decreasing shares. */
const breakpoints = (axis: 'discount' | 'relative_discount') =>
  fc
    .uniqueArray(fc.integer({ min: 1, max: axis === 'discount' ? 100 : 99 }), { minLength: 1, maxLength: 4 })
    .chain((xs) =>
      fc.array(share, { minLength: xs.length, maxLength: xs.length }).map((ys) => {
        const sortedX = [...xs].sort((a, b) => a - b);
        const sortedY = [...ys].sort((a, b) => Number(a) - Number(b));
        if (axis === 'discount') sortedY[sortedY.length - 1] = '1';
        return sortedX.map((x, i) => ({ at: new Dec(x).div(100).toFixed(2), share: sortedY[i]! }));
      }),
    );

const zeroDivisor = fc.constantFrom<ZeroDivisorRule>('all_zero', 'all_max');
const decimals = fc.integer({ min: 0, max: 4 });

const specArb: Record<PriceFormulaSpec['formula'], fc.Arbitrary<PriceFormulaSpec>> = {
  F1: fc
    .record({ z: zeroDivisor, d: decimals })
    .map(({ z, d }) => price('F1', {}, { zeroDivisor: z, decimals: d })),
  F2: fc
    .record({ z: zeroDivisor, d: decimals })
    .map(({ z, d }) => price('F2', {}, { zeroDivisor: z, decimals: d })),
  F3: fc
    .record({ z: zeroDivisor, d: decimals, p0: fc.integer({ min: 0, max: 9 }) })
    .map(({ z, d, p0 }) => price('F3', { minPoints: String(p0) }, { zeroDivisor: z, decimals: d })),
  F4: fc
    .record({ z: zeroDivisor, d: decimals, bs: fc.integer({ min: 0, max: 10 }) })
    .map(({ z, d, bs }) =>
      price('F4', { significantDiscount: new Dec(bs).div(100).toFixed(2) }, { zeroDivisor: z, decimals: d }),
    ),
  F5: fc
    .record({ z: zeroDivisor, d: decimals, u: fc.integer({ min: 1, max: 100 }) })
    .map(({ z, d, u }) =>
      price('F5', { satiety: new Dec(u).div(100).toFixed(2) }, { zeroDivisor: z, decimals: d }),
    ),
  F6: fc
    .record({ z: zeroDivisor, d: decimals, n: fc.integer({ min: 1, max: 5 }) })
    .map(({ z, d, n }) => price('F6', { rootIndex: n }, { zeroDivisor: z, decimals: d })),
  F7: fc
    .constantFrom<'discount' | 'relative_discount'>('discount', 'relative_discount')
    .chain((axis) =>
      fc
        .record({ z: zeroDivisor, d: decimals, bps: breakpoints(axis) })
        .map(({ z, d, bps }) => price('F7', { axis, breakpoints: bps }, { zeroDivisor: z, decimals: d })),
    ),
};

/** Points the best offer must get when the divisor is not zero; null when the formula caps it. */
function expectedBest(spec: PriceFormulaSpec, budget: Dec, oMin: Dec, maxPoints: Dec): Dec | null {
  if (spec.formula === 'F1') return maxPoints;
  const bMax = budget.minus(oMin).div(budget);
  if (!bMax.gt(0)) return null;
  if (spec.formula === 'F4') {
    return bMax.gte(spec.params.significantDiscount!) ? maxPoints : null;
  }
  if (spec.formula === 'F7' && spec.params.axis === 'discount') {
    const last = spec.params.breakpoints![spec.params.breakpoints!.length - 1]!;
    return bMax.gte(last.at) ? maxPoints : null;
  }
  return maxPoints;
}

describe.each(Object.keys(specArb) as PriceFormulaSpec['formula'][])('%s properties', (formula) => {
  const maxPointsArb = fc.integer({ min: 10, max: 100 }).map(String);
  const run = (spec: PriceFormulaSpec, budget: string, amounts: number[], maxPoints: string) =>
    scoreOffers(spec, {
      maxPoints,
      budget,
      offers: amounts.map((a, i) => ({ id: `o${i}`, amount: cents(a) })),
    });

  it('every score is within [0, P_max]', () => {
    fc.assert(
      fc.property(specArb[formula], market, maxPointsArb, (spec, m, maxPoints) => {
        for (const s of run(spec, m.budget, m.offers, maxPoints).scores) {
          expect(new Dec(s.points).gte(0)).toBe(true);
          expect(new Dec(s.points).lte(maxPoints)).toBe(true);
          expect(new Dec(s.exact).gte(0) && new Dec(s.exact).lte(maxPoints)).toBe(true);
        }
      }),
    );
  });

  it('is monotonic: a lower price never scores less', () => {
    fc.assert(
      fc.property(specArb[formula], market, maxPointsArb, (spec, m, maxPoints) => {
        const scores = run(spec, m.budget, m.offers, maxPoints).scores;
        for (let i = 0; i < m.offers.length; i += 1) {
          for (let j = 0; j < m.offers.length; j += 1) {
            if (m.offers[i]! < m.offers[j]!) {
              expect(new Dec(scores[i]!.exact).gte(scores[j]!.exact)).toBe(true);
              expect(new Dec(scores[i]!.points).gte(scores[j]!.points)).toBe(true);
            }
          }
        }
      }),
    );
  });

  it('gives P_max to the best offer when the divisor is not zero, and no one scores more than it', () => {
    fc.assert(
      fc.property(specArb[formula], market, maxPointsArb, (spec, m, maxPoints) => {
        const r = run(spec, m.budget, m.offers, maxPoints);
        const minCents = Math.min(...m.offers);
        const best = r.scores[m.offers.indexOf(minCents)]!;
        for (const s of r.scores) expect(new Dec(best.exact).gte(s.exact)).toBe(true);
        const expected = expectedBest(spec, new Dec(m.budget), new Dec(cents(minCents)), new Dec(maxPoints));
        if (expected !== null) {
          expect(best.points).toBe(roundPoints(expected, spec.decimals));
          expect(r.reference.divisorZero).toBe(false);
        }
      }),
    );
  });

  it('is deterministic, independent of order, and rounds only the exact value at the end', () => {
    fc.assert(
      fc.property(specArb[formula], market, maxPointsArb, (spec, m, maxPoints) => {
        const a = run(spec, m.budget, m.offers, maxPoints);
        expect(run(spec, m.budget, m.offers, maxPoints)).toEqual(a);
        const reversed = scoreOffers(spec, {
          maxPoints,
          budget: m.budget,
          offers: m.offers.map((x, i) => ({ id: `o${i}`, amount: cents(x) })).reverse(),
        });
        const byId = new Map(reversed.scores.map((s) => [s.id, s]));
        for (const s of a.scores) {
          expect(byId.get(s.id)).toEqual(s);
          expect(s.points).toBe(roundPoints(new Dec(s.exact), spec.decimals));
          expect(s.points.split('.')[1]?.length ?? 0).toBe(spec.decimals);
        }
      }),
    );
  });

  it('with no offer below the budget, follows zeroDivisor', () => {
    if (formula === 'F1') return;
    fc.assert(
      fc.property(
        specArb[formula],
        fc.integer({ min: 1_000_00, max: 5_000_000_00 }),
        fc.array(fc.integer({ min: 0, max: 20_000 }), { minLength: 0, maxLength: 5 }),
        (spec, budgetCents, aboveBy) => {
          const budget = cents(budgetCents);
          const amounts = [budgetCents, ...aboveBy.map((d) => budgetCents + d)];
          const r = run(spec, budget, amounts, '50');
          const capped =
            (spec.formula === 'F4' && !new Dec(spec.params.significantDiscount!).isZero()) ||
            (spec.formula === 'F7' && spec.params.axis === 'discount');
          amounts.forEach((a, i) => {
            const s = r.scores[i]!;
            if (a > budgetCents || capped) {
              expect(new Dec(s.points).isZero()).toBe(true);
              return;
            }
            expect(r.reference.divisorZero).toBe(true);
            const base =
              spec.zeroDivisor === 'all_max' ? '50' : spec.formula === 'F3' ? spec.params.minPoints! : '0';
            expect(s.points).toBe(roundPoints(new Dec(base), spec.decimals));
          });
        },
      ),
    );
  });
});

// ---------------------------------------------------------------------------------------------

const scale = (
  kind: ScaleFormulaSpec['scale'],
  direction: ScaleFormulaSpec['direction'],
  params: ScaleFormulaSpec['params'],
  extra: Partial<ScaleFormulaSpec> = {},
): ScaleFormulaSpec => ({ kind: 'scale', scale: kind, direction, params, decimals: 2, ...extra });

describe('scales for other formula criteria (P_max 10)', () => {
  const pts = (spec: ScaleFormulaSpec, values: string[]) => points(spec, values, '10', undefined);
  it('linear warranty: 12 months → 0, 36 → 10, clamped outside', () => {
    const spec = scale('linear', 'higher_better', { worst: '12', best: '36' });
    expect(pts(spec, ['6', '12', '24', '36', '48'])).toEqual(['0.00', '0.00', '5.00', '10.00', '10.00']);
  });
  it('linear delivery time: 30 days → 0, 10 days → 10', () => {
    const spec = scale('linear', 'lower_better', { worst: '30', best: '10' });
    expect(pts(spec, ['40', '30', '20', '10', '5'])).toEqual(['0.00', '0.00', '5.00', '10.00', '10.00']);
  });
  it('proportional warranty with a cap at 36 months', () => {
    const spec = scale('proportional', 'higher_better', { cap: '36' }, { zeroDivisor: 'all_zero' });
    expect(pts(spec, ['24', '36', '48'])).toEqual(['6.67', '10.00', '10.00']);
  });
  it('proportional delivery time: v_best / v; an offer of 0 days takes all', () => {
    const spec = scale('proportional', 'lower_better', {}, { zeroDivisor: 'all_zero' });
    expect(pts(spec, ['10', '20', '40'])).toEqual(['10.00', '5.00', '2.50']);
    expect(pts(spec, ['0', '5'])).toEqual(['10.00', '0.00']);
  });
  it('proportional, higher is better, every offer 0: zeroDivisor decides', () => {
    expect(pts(scale('proportional', 'higher_better', {}, { zeroDivisor: 'all_zero' }), ['0', '0'])).toEqual([
      '0.00',
      '0.00',
    ]);
    expect(pts(scale('proportional', 'higher_better', {}, { zeroDivisor: 'all_max' }), ['0', '0'])).toEqual([
      '10.00',
      '10.00',
    ]);
  });
  it('threshold: a yes/no commitment, and steps for delivery time', () => {
    expect(
      pts(scale('threshold', 'higher_better', { steps: [{ value: '1', share: '1' }] }), ['0', '1']),
    ).toEqual(['0.00', '10.00']);
    const steps = [
      { value: '30', share: '0.5' },
      { value: '15', share: '1' },
    ];
    expect(pts(scale('threshold', 'lower_better', { steps }), ['40', '30', '20', '15', '1'])).toEqual([
      '0.00',
      '5.00',
      '5.00',
      '10.00',
      '10.00',
    ]);
  });

  const scaleSpec = fc.oneof(
    fc
      .record({
        dir: fc.constantFrom<'higher_better' | 'lower_better'>('higher_better', 'lower_better'),
        a: fc.nat(50),
        w: fc.integer({ min: 1, max: 50 }),
      })
      .map(({ dir, a, w }) =>
        scale(
          'linear',
          dir,
          dir === 'higher_better'
            ? { worst: String(a), best: String(a + w) }
            : { worst: String(a + w), best: String(a) },
        ),
      ),
    fc
      .record({
        dir: fc.constantFrom<'higher_better' | 'lower_better'>('higher_better', 'lower_better'),
        cap: fc.option(fc.integer({ min: 1, max: 100 })),
      })
      .map(({ dir, cap }) =>
        scale('proportional', dir, cap === null ? {} : { cap: String(cap) }, { zeroDivisor: 'all_zero' }),
      ),
    fc
      .record({
        dir: fc.constantFrom<'higher_better' | 'lower_better'>('higher_better', 'lower_better'),
        vals: fc.uniqueArray(fc.nat(100), { minLength: 1, maxLength: 4 }),
      })
      .map(({ dir, vals }) => {
        const ordered = [...vals].sort((a, b) => (dir === 'higher_better' ? a - b : b - a));
        const steps = ordered.map((v, i) => ({
          value: String(v),
          share: new Dec(i + 1).div(ordered.length).toFixed(4),
        }));
        steps[steps.length - 1]!.share = '1';
        return scale('threshold', dir, { steps });
      }),
  );

  it('every scale: within [0, P_max] and monotonic in the direction', () => {
    fc.assert(
      fc.property(scaleSpec, fc.array(fc.nat(120), { minLength: 1, maxLength: 10 }), (spec, values) => {
        const r = scoreOffers(spec, {
          maxPoints: '10',
          offers: values.map((v, i) => ({ id: `v${i}`, amount: String(v) })),
        });
        values.forEach((vi, i) => {
          const si = new Dec(r.scores[i]!.exact);
          expect(si.gte(0) && si.lte(10)).toBe(true);
          values.forEach((vj, j) => {
            const better = spec.direction === 'higher_better' ? vi > vj : vi < vj;
            if (better) expect(si.gte(r.scores[j]!.exact)).toBe(true);
          });
        });
        if (
          spec.scale === 'proportional' &&
          !(spec.direction === 'higher_better' && Math.max(...values) === 0)
        ) {
          // The best offered value takes P_max under a proportional scale.
          expect(r.scores.some((s) => s.points === '10.00')).toBe(true);
        }
      }),
    );
  });
});

describe('spec validation: stable problem codes', () => {
  const codes = (spec: unknown, maxPoints?: string) =>
    validateFormula(spec, maxPoints === undefined ? {} : { maxPoints }).map((p) => `${p.code}@${p.path}`);

  it('accepts every valid example', () => {
    expect(codes(price('F1'))).toEqual([]);
    expect(codes(price('F3', { minPoints: '0' }), '60')).toEqual([]);
    expect(codes(price('F4', { significantDiscount: '0' }))).toEqual([]);
    expect(codes(price('F5', { satiety: '1' }))).toEqual([]);
    expect(codes(price('F6', { rootIndex: 1 }))).toEqual([]);
    expect(codes(scale('proportional', 'higher_better', {}, { zeroDivisor: 'all_max' }))).toEqual([]);
  });
  it('refuses malformed specs', () => {
    expect(codes(null)).toEqual(['SPEC_INVALID@']);
    expect(codes({ kind: 'judgement' })).toEqual(['SPEC_INVALID@kind']);
    expect(codes({ ...price('F2'), weight: 3 })).toEqual(['SPEC_INVALID@weight']);
    expect(codes({ ...price('F2'), formula: 'F8' })).toEqual(['FORMULA_UNKNOWN@formula']);
    expect(codes(price('F2', {}, { decimals: 7 }))).toEqual(['DECIMALS_INVALID@decimals']);
    expect(codes(price('F2', {}, { decimals: 1.5 }))).toEqual(['DECIMALS_INVALID@decimals']);
    expect(codes({ ...price('F2'), zeroDivisor: 'all_half' })).toEqual(['ZERO_DIVISOR_INVALID@zeroDivisor']);
    expect(codes(price('F2', { satiety: '0.1' }))).toEqual(['PARAMS_INVALID@params']);
    expect(codes({ ...scale('linear', 'higher_better', { worst: '1', best: '2' }), formula: 'F1' })).toEqual([
      'SPEC_INVALID@formula',
    ]);
  });
  it('checks each parameter range', () => {
    expect(codes(price('F3'))).toEqual(['PARAM_MISSING@params.minPoints']);
    expect(codes(price('F3', { minPoints: '60' }), '60')).toEqual([
      'MIN_POINTS_OUT_OF_RANGE@params.minPoints',
    ]);
    expect(codes(price('F3', { minPoints: '-1' }))).toEqual(['MIN_POINTS_OUT_OF_RANGE@params.minPoints']);
    expect(codes(price('F3', { minPoints: '1e3' }))).toEqual(['PARAM_NOT_DECIMAL@params.minPoints']);
    expect(codes(price('F4', { significantDiscount: '1' }))).toEqual([
      'SIGNIFICANT_DISCOUNT_OUT_OF_RANGE@params.significantDiscount',
    ]);
    expect(codes(price('F5', { satiety: '0' }))).toEqual(['SATIETY_OUT_OF_RANGE@params.satiety']);
    expect(codes(price('F5', { satiety: '1.01' }))).toEqual(['SATIETY_OUT_OF_RANGE@params.satiety']);
    expect(codes(price('F6', { rootIndex: 0 }))).toEqual(['ROOT_INDEX_INVALID@params.rootIndex']);
    expect(codes(price('F6', { rootIndex: 2.5 }))).toEqual(['ROOT_INDEX_INVALID@params.rootIndex']);
    expect(codes(price('F6'))).toEqual(['PARAM_MISSING@params.rootIndex']);
  });
  it('checks F7 breakpoints', () => {
    const f7 = (axis: string, breakpoints: unknown) =>
      codes({ ...price('F7'), params: { axis, breakpoints } });
    expect(f7('relative_discount', [{ at: '0.5', share: '0.5' }])).toEqual([]);
    expect(f7('sideways', [])).toEqual(['PARAMS_INVALID@params.axis']);
    expect(f7('relative_discount', [])).toEqual(['BREAKPOINTS_INVALID@params.breakpoints']);
    expect(f7('relative_discount', [{ at: '1', share: '0.5' }])).toEqual([
      'BREAKPOINTS_INVALID@params.breakpoints[0]',
    ]);
    expect(
      f7('relative_discount', [
        { at: '0.5', share: '0.5' },
        { at: '0.4', share: '0.6' },
      ]),
    ).toEqual(['BREAKPOINTS_INVALID@params.breakpoints[1]']);
    expect(
      f7('relative_discount', [
        { at: '0.3', share: '0.5' },
        { at: '0.4', share: '0.4' },
      ]),
    ).toEqual(['BREAKPOINTS_INVALID@params.breakpoints[1]']);
    expect(f7('discount', [{ at: '0.2', share: '0.9' }])).toEqual([
      'BREAKPOINTS_NEVER_REACH_MAX@params.breakpoints',
    ]);
    expect(f7('discount', [{ at: '0.2', share: '1', extra: 1 }])).toEqual([
      'BREAKPOINTS_INVALID@params.breakpoints[0]',
    ]);
  });
  it('checks scales', () => {
    expect(codes({ ...scale('linear', 'higher_better', {}), scale: 'log' })).toEqual(['SCALE_UNKNOWN@scale']);
    expect(codes({ ...scale('threshold', 'higher_better', {}), direction: 'up' })).toEqual([
      'SCALE_UNKNOWN@direction',
    ]);
    expect(codes(scale('linear', 'higher_better', { worst: '36', best: '12' }))).toEqual([
      'SCALE_BOUNDS_INVALID@params.best',
    ]);
    expect(codes(scale('linear', 'lower_better', { worst: '10', best: '30' }))).toEqual([
      'SCALE_BOUNDS_INVALID@params.best',
    ]);
    expect(codes(scale('proportional', 'lower_better', {}))).toEqual(['ZERO_DIVISOR_INVALID@zeroDivisor']);
    expect(codes(scale('proportional', 'higher_better', { cap: '0' }, { zeroDivisor: 'all_zero' }))).toEqual([
      'SCALE_BOUNDS_INVALID@params.cap',
    ]);
    expect(
      codes(scale('proportional', 'higher_better', { worst: '1' }, { zeroDivisor: 'all_zero' })),
    ).toEqual(['PARAMS_INVALID@params']);
    expect(
      codes(
        scale('threshold', 'higher_better', {
          steps: [
            { value: '1', share: '0' },
            { value: '2', share: '1' },
          ],
        }),
      ),
    ).toEqual(['BREAKPOINTS_INVALID@params.steps']);
    expect(codes(scale('threshold', 'higher_better', { steps: [{ value: '2', share: '0.5' }] }))).toEqual([
      'BREAKPOINTS_NEVER_REACH_MAX@params.steps',
    ]);
    expect(
      codes(
        scale('threshold', 'lower_better', {
          steps: [
            { value: '10', share: '0.5' },
            { value: '20', share: '1' },
          ],
        }),
      ),
    ).toEqual(['BREAKPOINTS_INVALID@params.steps[1]']);
  });
  it('checks the scoring input', () => {
    const ok = { maxPoints: '60', budget: '100', offers: [{ id: 'a', amount: '90' }] };
    expect(problemsOf(() => scoreOffers(price('F2'), ok))).toEqual([]);
    expect(problemsOf(() => scoreOffers(price('F2'), { ...ok, maxPoints: '0' }))).toEqual([
      'MAX_POINTS_INVALID',
    ]);
    expect(problemsOf(() => scoreOffers(price('F2'), { ...ok, maxPoints: '10.555' }))).toEqual([
      'MAX_POINTS_INVALID',
    ]);
    expect(problemsOf(() => scoreOffers(price('F2'), { ...ok, budget: undefined }))).toEqual([
      'BUDGET_INVALID',
    ]);
    expect(
      problemsOf(() =>
        scoreOffers(price('F2'), {
          ...ok,
          offers: [
            { id: 'a', amount: '0' },
            { id: 'a', amount: '1.5' },
          ],
        }),
      ),
    ).toEqual(['OFFER_AMOUNT_INVALID', 'OFFER_ID_DUPLICATE']);
    expect(problemsOf(() => parseFormulaSpec({ kind: 'price' }))).toEqual([
      'DECIMALS_INVALID',
      'FORMULA_UNKNOWN',
    ]);
    expect(parseFormulaSpec(price('F1'))).toEqual(price('F1'));
  });
});
