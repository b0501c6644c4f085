/**
 * evaluation: the committee's computation after envelope C for one lot of BENCH_EVAL_BIDS (200)
 * offers and BENCH_EVAL_CRITERIA (10) criteria — the abnormal-price screening (RGLCAP art. 85), the
 * price formula (F3 with minimum points) and nine other formula criteria (linear, proportional and
 * threshold scales in turn), then the totals and the art. 147 ranking: the same pure functions the
 * scoring service calls (src/modules/evaluation), in decimal arithmetic. No database: the service's
 * reads are a few indexed rows. BENCH_EVAL_RUNS (50) timed runs after 5 warm-up runs; target < 100 ms.
 */
import { presumedAbnormal } from '../src/modules/evaluation/abnormal.rules.js';
import { scoreOffers } from '../src/modules/evaluation/formula.rules.js';
import type { FormulaSpec } from '../src/modules/evaluation/formula.types.js';
import { ART_147_2_TIE_BREAK, rankOffers, sumPoints } from '../src/modules/evaluation/ranking.rules.js';
import { type Benchmark, envInt, percentile } from './support.js';

const TARGET_MS = 100;

function scaleFor(i: number): FormulaSpec {
  const kinds = [
    {
      kind: 'scale',
      scale: 'linear',
      direction: 'higher_better',
      params: { worst: '0', best: '60' },
      decimals: 2,
    },
    {
      kind: 'scale',
      scale: 'proportional',
      direction: 'lower_better',
      params: {},
      decimals: 2,
      zeroDivisor: 'all_zero',
    },
    {
      kind: 'scale',
      scale: 'threshold',
      direction: 'higher_better',
      params: {
        steps: [
          { value: '10', share: '0.5' },
          { value: '40', share: '1' },
        ],
      },
      decimals: 2,
    },
  ] as const;
  return kinds[i % kinds.length] as FormulaSpec;
}

/** One evaluation of the lot, as the scoring service runs it. */
function evaluate(offers: { id: string; price: string; values: string[] }[], criteria: number): number {
  const budget = '1000000';
  const abnormal = presumedAbnormal({ budget, offers: offers.map((o) => ({ id: o.id, amount: o.price })) });
  const kept = offers.filter((o) => !abnormal.offers.find((a) => a.id === o.id)?.abnormal);
  const points = new Map<string, string[]>(kept.map((o) => [o.id, []]));
  const price: FormulaSpec = {
    kind: 'price',
    formula: 'F3',
    params: { minPoints: '5' },
    decimals: 2,
    zeroDivisor: 'all_zero',
  };
  for (const s of scoreOffers(price, {
    maxPoints: '40',
    budget,
    offers: kept.map((o) => ({ id: o.id, amount: o.price })),
  }).scores) {
    points.get(s.id)?.push(s.points);
  }
  for (let c = 1; c < criteria; c++) {
    const result = scoreOffers(scaleFor(c), {
      maxPoints: '6.66',
      offers: kept.map((o) => ({ id: o.id, amount: o.values[c - 1] ?? '0' })),
    });
    for (const s of result.scores) points.get(s.id)?.push(s.points);
  }
  const ranking = rankOffers({
    offers: kept.map((o) => ({
      id: o.id,
      judgementPoints: '0',
      formulaPoints: sumPoints(points.get(o.id) ?? []),
    })),
    tieBreak: ART_147_2_TIE_BREAK,
  });
  return ranking.ranking.length;
}

export const evaluationBench: Benchmark = {
  name: 'evaluation',
  title: 'Evaluating 200 bids × 10 criteria with the abnormal-offer pass',
  async run(log) {
    const bids = envInt('BENCH_EVAL_BIDS', 200);
    const criteria = envInt('BENCH_EVAL_CRITERIA', 10);
    const runs = envInt('BENCH_EVAL_RUNS', 50);
    // Deterministic offers around 800 000 € with a few very low ones (abnormal), values 0–60.
    let seed = 42;
    const next = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648;
    };
    const offers = Array.from({ length: bids }, (_, i) => ({
      id: `bid-${i}`,
      price: (i % 25 === 0 ? 400_000 + next() * 100_000 : 700_000 + next() * 250_000).toFixed(2),
      values: Array.from({ length: criteria - 1 }, () => (next() * 60).toFixed(0)),
    }));
    for (let i = 0; i < 5; i++) evaluate(offers, criteria);
    const times: number[] = [];
    let ranked = 0;
    for (let i = 0; i < runs; i++) {
      const start = process.hrtime.bigint();
      ranked = evaluate(offers, criteria);
      times.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
    times.sort((a, b) => a - b);
    log(`${bids} bids × ${criteria} criteria, ${runs} runs; ${ranked} offers ranked after the abnormal pass`);
    return {
      metrics: [
        { label: 'evaluation median', value: percentile(times, 50), unit: 'ms', target: TARGET_MS },
        { label: 'evaluation p95', value: percentile(times, 95), unit: 'ms', target: TARGET_MS },
        { label: 'evaluation max', value: times.at(-1) ?? null, unit: 'ms' },
      ],
      notes: [`${bids} bids × ${criteria} criteria; ${ranked} ranked (presumed abnormal offers left out)`],
    };
  },
};
