import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../../platform/errors.js';
import { ART_147_2_TIE_BREAK, allocateLots, rankOffers, sumPoints } from './ranking.rules.js';
import type { AllocationInput, AllocationRule, RankingOfferInput } from './ranking.types.js';

const offer = (id: string, j: string, f: string, tieBreak?: Record<string, string>): RankingOfferInput =>
  tieBreak === undefined
    ? { id, judgementPoints: j, formulaPoints: f }
    : { id, judgementPoints: j, formulaPoints: f, tieBreak };

function problems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof DomainError)
      return (err.details as { problems: { code: string }[] }).problems.map((p) => p.code);
    throw err;
  }
  return [];
}

describe('ranking a lot', () => {
  it('sums judgement and formula points exactly and ranks by total', () => {
    const r = rankOffers({
      offers: [offer('a', '30.10', '40.20'), offer('b', '0.1', '0.2'), offer('c', '45.50', '40.25')],
      tieBreak: ART_147_2_TIE_BREAK,
    });
    expect(r.status).toBe('ranked');
    expect(r.ranking).toEqual([
      { id: 'c', rank: 1, total: '85.75', decidedBy: 'score' },
      { id: 'a', rank: 2, total: '70.30', decidedBy: 'score' },
      { id: 'b', rank: 3, total: '0.3', decidedBy: 'score' },
    ]);
  });

  it('breaks ties by the criteria of art. 147.2 in order', () => {
    const r = rankOffers({
      offers: [
        offer('a', '40', '40', { disabled_or_exclusion_workers_pct: '3', temporary_contracts_pct: '20' }),
        offer('b', '40', '40', { disabled_or_exclusion_workers_pct: '5', temporary_contracts_pct: '30' }),
        offer('c', '40', '40', { disabled_or_exclusion_workers_pct: '3', temporary_contracts_pct: '10' }),
        offer('d', '50', '40'),
      ],
      tieBreak: ART_147_2_TIE_BREAK,
    });
    expect(r.ranking.map((o) => [o.id, o.rank, o.decidedBy, o.tieBreakKey])).toEqual([
      ['d', 1, 'score', undefined],
      ['b', 2, 'tie_break', 'disabled_or_exclusion_workers_pct'],
      // a and c tie on (a); the lower share of temporary contracts wins (b).
      ['c', 3, 'tie_break', 'temporary_contracts_pct'],
      ['a', 4, 'tie_break', 'temporary_contracts_pct'],
    ]);
  });

  it('a missing figure ranks last for its criterion', () => {
    const r = rankOffers({
      offers: [offer('a', '10', '10'), offer('b', '10', '10', { women_pct: '0' })],
      tieBreak: [{ key: 'women_pct', direction: 'higher_better' }],
    });
    expect(r.ranking.map((o) => o.id)).toEqual(['b', 'a']);
  });

  it('still tied after every criterion: needs_draw, then the recorded draw decides', () => {
    const offers = [
      offer('a', '10', '10', { women_pct: '50' }),
      offer('b', '10', '10', { women_pct: '50' }),
      offer('c', '10', '10', { women_pct: '40' }),
      offer('d', '5', '5'),
      offer('e', '5', '5'),
    ];
    const tieBreak = [{ key: 'women_pct', direction: 'higher_better' as const }];
    const pending = rankOffers({ offers, tieBreak });
    expect(pending.status).toBe('needs_draw');
    expect(pending.ties).toEqual([
      ['a', 'b'],
      ['d', 'e'],
    ]);
    expect(pending.ranking.map((o) => [o.id, o.rank, o.decidedBy])).toEqual([
      ['a', 1, 'unresolved'],
      ['b', 1, 'unresolved'],
      ['c', 3, 'tie_break'],
      ['d', 4, 'unresolved'],
      ['e', 4, 'unresolved'],
    ]);
    // A draw that covers only the first tie leaves the second pending.
    const partial = rankOffers({ offers, tieBreak, draw: ['b', 'a'] });
    expect(partial.ties).toEqual([['d', 'e']]);
    const drawn = rankOffers({ offers, tieBreak, draw: ['e', 'b', 'd', 'a'] });
    expect(drawn.status).toBe('ranked');
    expect(drawn.ranking.map((o) => [o.id, o.rank, o.decidedBy])).toEqual([
      ['b', 1, 'draw'],
      ['a', 2, 'draw'],
      ['c', 3, 'tie_break'],
      ['e', 4, 'draw'],
      ['d', 5, 'draw'],
    ]);
  });

  it('refuses invalid input', () => {
    expect(
      problems(() => rankOffers({ offers: [offer('a', 'x', '1'), offer('a', '1', '1')], tieBreak: [] })),
    ).toEqual(['POINTS_INVALID', 'OFFER_ID_DUPLICATE']);
    expect(
      problems(() =>
        rankOffers({
          offers: [offer('a', '1', '1', { k: '1e2' })],
          tieBreak: [
            { key: 'k', direction: 'higher_better' },
            { key: 'k', direction: 'lower_better' },
          ],
        }),
      ),
    ).toEqual(['TIE_BREAK_INVALID', 'TIE_BREAK_VALUE_INVALID', 'TIE_BREAK_VALUE_INVALID']);
    expect(problems(() => rankOffers({ offers: [], tieBreak: [], draw: ['a', 'a'] }))).toEqual([
      'DRAW_INVALID',
    ]);
    expect(rankOffers({ offers: [], tieBreak: [] })).toEqual({ status: 'ranked', ranking: [], ties: [] });
  });

  it('sumPoints keeps the most precise number of decimals', () => {
    expect(sumPoints(['1.5', '2.25', '3'])).toBe('6.75');
    expect(sumPoints(['1.50', '2.50'])).toBe('4.00');
    expect(sumPoints([])).toBe('0');
  });

  it('property: ranks are non-decreasing and totals non-increasing; a full draw always ranks', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ j: fc.nat(5), f: fc.nat(5), w: fc.option(fc.nat(3)) }), { maxLength: 12 }),
        (list) => {
          const offers = list.map((o, i) =>
            offer(`o${i}`, String(o.j), String(o.f), o.w === null ? undefined : { women_pct: String(o.w) }),
          );
          const tieBreak = [{ key: 'women_pct', direction: 'higher_better' as const }];
          const r = rankOffers({ offers, tieBreak });
          for (let i = 1; i < r.ranking.length; i += 1) {
            expect(r.ranking[i]!.rank).toBeGreaterThanOrEqual(r.ranking[i - 1]!.rank);
            expect(Number(r.ranking[i]!.total)).toBeLessThanOrEqual(Number(r.ranking[i - 1]!.total));
          }
          const full = rankOffers({ offers, tieBreak, draw: offers.map((o) => o.id) });
          expect(full.status).toBe('ranked');
          expect(full.ranking.map((o) => o.rank)).toEqual(offers.map((_, i) => i + 1));
        },
      ),
    );
  });
});

describe('allocating lots under a per-company limit (art. 99.4)', () => {
  // X is first in both lots; Y second in both; lot 2 is worth more.
  const base = (rule: AllocationRule, extra: Partial<AllocationInput> = {}): AllocationInput => ({
    rule,
    maxLotsPerCompany: 1,
    lots: [
      {
        lotId: 'L1',
        value: '100000',
        maxPoints: '100',
        ranking: [
          { companyId: 'X', total: '90' },
          { companyId: 'Y', total: '85' },
        ],
      },
      {
        lotId: 'L2',
        value: '200000',
        maxPoints: '100',
        ranking: [
          { companyId: 'X', total: '80' },
          { companyId: 'Y', total: '70' },
        ],
      },
    ],
    ...extra,
  });
  const winners = (r: ReturnType<typeof allocateLots>) =>
    r.status === 'allocated' ? r.lots.map((l) => `${l.lotId}:${l.companyId}`) : r;

  it('lot_order: the first lot goes to X, the second to the next company', () => {
    const r = allocateLots(base('lot_order'));
    expect(r).toEqual({
      status: 'allocated',
      lots: [
        { lotId: 'L1', companyId: 'X', position: 1, skipped: [] },
        { lotId: 'L2', companyId: 'Y', position: 2, skipped: ['X'] },
      ],
    });
  });
  it('value_desc: X keeps the lot of higher value', () => {
    expect(winners(allocateLots(base('value_desc')))).toEqual(['L1:Y', 'L2:X']);
  });
  it('best_relative_score: X keeps the lot where it scored best', () => {
    expect(winners(allocateLots(base('best_relative_score')))).toEqual(['L1:X', 'L2:Y']);
    expect(
      problems(() =>
        allocateLots(
          base('best_relative_score', { lots: [{ lotId: 'L', value: '1', ranking: [{ companyId: 'X' }] }] }),
        ),
      ),
    ).toEqual(['SCORE_MISSING']);
  });
  it('company_choice: asks X, then follows its choice', () => {
    expect(allocateLots(base('company_choice'))).toEqual({
      status: 'needs_choice',
      companyId: 'X',
      lotIds: ['L1', 'L2'],
      keep: 1,
    });
    expect(winners(allocateLots(base('company_choice', { choices: { X: ['L2'] } })))).toEqual([
      'L1:Y',
      'L2:X',
    ]);
  });
  it('no limit: X takes both', () => {
    expect(winners(allocateLots(base('lot_order', { maxLotsPerCompany: null })))).toEqual(['L1:X', 'L2:X']);
  });
  it('a lot nobody can take any more is left without a company', () => {
    const r = allocateLots({
      rule: 'lot_order',
      maxLotsPerCompany: 1,
      lots: [
        { lotId: 'L1', value: '1', ranking: [{ companyId: 'X' }] },
        { lotId: 'L2', value: '1', ranking: [{ companyId: 'X' }] },
        { lotId: 'L3', value: '1', ranking: [] },
      ],
    });
    expect(r).toEqual({
      status: 'allocated',
      lots: [
        { lotId: 'L1', companyId: 'X', position: 1, skipped: [] },
        { lotId: 'L2', companyId: null, position: null, skipped: ['X'] },
        { lotId: 'L3', companyId: null, position: null, skipped: [] },
      ],
    });
  });
  it('refuses invalid input', () => {
    expect(
      problems(() =>
        allocateLots({
          rule: 'lot_order',
          maxLotsPerCompany: 0,
          lots: [
            { lotId: 'L', value: '-1', ranking: [{ companyId: 'X' }, { companyId: 'X' }] },
            { lotId: 'L', value: '1', ranking: [] },
          ],
        }),
      ),
    ).toEqual(['LIMIT_INVALID', 'LOT_VALUE_INVALID', 'COMPANY_DUPLICATE', 'LOT_ID_DUPLICATE']);
  });

  it('property: nobody exceeds the limit, and a company is passed over only when it is full', () => {
    const companies = ['A', 'B', 'C', 'D'];
    const lotArb = fc.record({
      value: fc.integer({ min: 1, max: 1000 }),
      ranking: fc.shuffledSubarray(companies, { minLength: 0, maxLength: 4 }),
      scores: fc.array(fc.integer({ min: 0, max: 100 }), { minLength: 4, maxLength: 4 }),
    });
    fc.assert(
      fc.property(
        fc.array(lotArb, { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 1, max: 3 }),
        fc.constantFrom<AllocationRule>('lot_order', 'value_desc', 'best_relative_score', 'company_choice'),
        (lots, limit, rule) => {
          const input: AllocationInput = {
            rule,
            maxLotsPerCompany: limit,
            choices: { A: [], B: [], C: [], D: [] },
            lots: lots.map((l, i) => ({
              lotId: `L${i}`,
              value: String(l.value),
              maxPoints: '100',
              ranking: l.ranking.map((c, k) => ({ companyId: c, total: String(l.scores[k]) })),
            })),
          };
          const r = allocateLots(input);
          expect(r.status).toBe('allocated');
          if (r.status !== 'allocated') return;
          const count = new Map<string, number>();
          for (const l of r.lots) if (l.companyId) count.set(l.companyId, (count.get(l.companyId) ?? 0) + 1);
          for (const n of count.values()) expect(n).toBeLessThanOrEqual(limit);
          for (const l of r.lots) for (const c of l.skipped) expect(count.get(c)).toBe(limit);
        },
      ),
    );
  });
});
