import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../../platform/errors.js';
import { presumedAbnormal } from './abnormal.rules.js';
import type { AbnormalInput, AbnormalSettings } from './abnormal.types.js';

const offers = (...amounts: string[]) => amounts.map((amount, i) => ({ id: `o${i + 1}`, amount }));

function flags(input: AbnormalInput): Record<string, string> {
  const r = presumedAbnormal(input);
  return Object.fromEntries(r.offers.map((o) => [o.id, o.abnormal ? `abnormal:${o.reason}` : o.reason]));
}

describe('RGLCAP art. 85: the test vectors of procurement-rules.md §6.2 (PBL 100,000)', () => {
  it('[70,000] → abnormal (a 30 % discount is more than 25)', () => {
    const r = presumedAbnormal({ budget: '100000', offers: offers('70000') });
    expect(r.case).toBe('one');
    expect(r.offers[0]).toEqual({
      id: 'o1',
      amount: '70000',
      counted: true,
      abnormal: true,
      reason: 'below_budget',
      checks: [{ test: 'below_budget', base: '100000.00', threshold: '75000.00', triggered: true }],
    });
  });

  it('[80,000, 100,000] → 80,000 is not abnormal (exactly 20 %, not "more than")', () => {
    const r = presumedAbnormal({ budget: '100000', offers: offers('80000', '100000') });
    expect(r.case).toBe('two');
    expect(r.offers.map((o) => o.abnormal)).toEqual([false, false]);
    expect(r.offers[0]!.checks).toEqual([
      { test: 'below_other_offer', base: '100000.00', threshold: '80000.00', triggered: false },
    ]);
  });

  it('[60,000, 90,000, 95,000] → 95,000 left out of the mean, M′ = 75,000, 60,000 abnormal', () => {
    const r = presumedAbnormal({ budget: '100000', offers: offers('60000', '90000', '95000') });
    expect(r.case).toBe('three');
    expect(r.excludedFromMean).toEqual(['o3']);
    expect(r.mean).toBe('75000.00');
    expect(r.meanOfferIds).toEqual(['o1', 'o2']);
    expect(r.offers[0]!.abnormal).toBe(true);
    expect(r.offers[0]!.reason).toBe('below_mean');
    // Its 40 % discount also exceeds 25 units ("in any case", 85.3).
    expect(r.offers[0]!.checks).toEqual([
      { test: 'below_mean', base: '75000.00', threshold: '67500.00', triggered: true },
      { test: 'below_budget', base: '100000.00', threshold: '75000.00', triggered: true },
    ]);
    expect(r.offers.slice(1).map((o) => o.abnormal)).toEqual([false, false]);
  });

  it('[50k, 90k, 95k, 140k] → M = 93,750, 140k left out, M′ = 78,333.33, 50k abnormal', () => {
    const r = presumedAbnormal({ budget: '100000', offers: offers('50000', '90000', '95000', '140000') });
    expect(r.case).toBe('four_or_more');
    expect(r.excludedFromMean).toEqual(['o4']);
    expect(r.mean).toBe('78333.33');
    expect(r.offers[0]!.checks).toEqual([
      { test: 'below_mean', base: '78333.33', threshold: '70500.00', triggered: true },
    ]);
    expect(flags({ budget: '100000', offers: offers('50000', '90000', '95000', '140000') })).toEqual({
      o1: 'abnormal:below_mean',
      o2: 'not_abnormal',
      o3: 'not_abnormal',
      o4: 'not_abnormal',
    });
  });
});

describe('boundaries: "more than" is strict by default; the inclusive setting flips them', () => {
  const inclusive: Partial<AbnormalSettings> = { comparison: 'inclusive' };
  it('exactly 25 % with one bidder', () => {
    expect(flags({ budget: '100000', offers: offers('75000') })).toEqual({ o1: 'not_abnormal' });
    expect(flags({ budget: '100000', offers: offers('75000'), settings: inclusive })).toEqual({
      o1: 'abnormal:below_budget',
    });
    expect(flags({ budget: '100000', offers: offers('74999.99') })).toEqual({ o1: 'abnormal:below_budget' });
  });
  it('exactly 20 % with two bidders', () => {
    expect(flags({ budget: '100000', offers: offers('80000', '100000'), settings: inclusive })).toEqual({
      o1: 'abnormal:below_other_offer',
      o2: 'not_abnormal',
    });
  });
  it('exactly 10 % above the mean is kept in the mean (strict) or left out (inclusive)', () => {
    const edge = offers('90000', '100000', '100000', '110000');
    // M = 100,000: 110,000 is exactly 1.1 × M, so it stays; threshold 90,000, and 90,000 is not below it.
    const strict = presumedAbnormal({ budget: '200000', offers: edge });
    expect(strict.excludedFromMean).toEqual([]);
    expect(strict.offers[0]!.checks[0]!.threshold).toBe('90000.00');
    expect(strict.offers[0]!.abnormal).toBe(false);
    // Inclusive: 110,000 is left out → M′ = 96,666.67, threshold 87,000: 90,000 is still not abnormal.
    const inc = presumedAbnormal({ budget: '200000', offers: edge, settings: inclusive });
    expect(inc.excludedFromMean).toEqual(['o4']);
    expect(inc.mean).toBe('96666.67');
    expect(inc.offers[0]!.abnormal).toBe(false);
    // Exactly 10 % below the mean: not abnormal (strict), abnormal (inclusive).
    const atMean = offers('90000', '100000', '105000', '105000');
    expect(presumedAbnormal({ budget: '200000', offers: atMean }).offers[0]!.abnormal).toBe(false);
    expect(
      presumedAbnormal({ budget: '200000', offers: atMean, settings: inclusive }).offers[0]!.reason,
    ).toBe('below_mean');
  });
});

describe('groups, small and large counts', () => {
  it('only the lowest offer of a group counts; the others are reported not_counted_group', () => {
    const input: AbnormalInput = {
      budget: '100000',
      offers: [
        { id: 'b', amount: '62000', groupId: 'g1' },
        { id: 'a', amount: '60000', groupId: 'g1' },
        { id: 'c', amount: '90000', groupId: null },
        { id: 'd', amount: '95000' },
      ],
    };
    const r = presumedAbnormal(input);
    // Three counted offers, as in the §6.2 three-bidder vector.
    expect(r.counted).toBe(3);
    expect(r.case).toBe('three');
    expect(r.mean).toBe('75000.00');
    expect(r.offers.map((o) => [o.id, o.counted, o.abnormal, o.reason])).toEqual([
      ['b', false, false, 'not_counted_group'],
      ['a', true, true, 'below_mean'],
      ['c', true, false, 'not_abnormal'],
      ['d', true, false, 'not_abnormal'],
    ]);
    // Without the group, four bidders and a different mean.
    const ungrouped = presumedAbnormal({ ...input, offers: input.offers.map(({ groupId: _g, ...o }) => o) });
    expect(ungrouped.case).toBe('four_or_more');
  });

  it('equal amounts in a group: the first given counts', () => {
    const r = presumedAbnormal({
      budget: '100000',
      offers: [
        { id: 'x', amount: '70000', groupId: 'g' },
        { id: 'y', amount: '70000', groupId: 'g' },
      ],
    });
    expect(r.offers.map((o) => o.reason)).toEqual(['below_budget', 'not_counted_group']);
  });

  it('4+ bidders with fewer than 3 remaining: the mean of the 3 lowest', () => {
    const r = presumedAbnormal({ budget: '100000', offers: offers('100000', '10000', '100000', '100000') });
    // M = 77,500; the three 100,000 offers exceed 85,250 → one offer remains → mean of the 3 lowest.
    expect(r.excludedFromMean).toEqual(['o1', 'o3', 'o4']);
    expect(r.meanOfferIds).toEqual(['o2', 'o1', 'o3']);
    expect(r.mean).toBe('70000.00');
    expect(flags({ budget: '100000', offers: offers('100000', '10000', '100000', '100000') })).toEqual({
      o1: 'not_abnormal',
      o2: 'abnormal:below_mean',
      o3: 'not_abnormal',
      o4: 'not_abnormal',
    });
  });

  it('n = 0: nothing to compute', () => {
    expect(presumedAbnormal({ budget: '100000', offers: [] })).toMatchObject({
      case: 'none',
      counted: 0,
      mean: null,
      meanOfferIds: [],
      excludedFromMean: [],
      offers: [],
    });
  });

  it('equal offers with two bidders are not abnormal', () => {
    expect(flags({ budget: '100000', offers: offers('50000', '50000') })).toEqual({
      o1: 'not_abnormal',
      o2: 'not_abnormal',
    });
  });
});

describe('open points as settings', () => {
  it('(a) 3 bidders, highest left out: mean of the two (default) or the 2-bidder rule', () => {
    const input: AbnormalInput = { budget: '107000', offers: offers('80500', '99000', '105000') };
    // M = 94,833.33 → 105,000 > 104,316.67 is left out; M′ = 89,750 → threshold 80,775.
    expect(flags(input).o1).toBe('abnormal:below_mean');
    // 2-bidder rule: 80,500 is not below 0.8 × 99,000 = 79,200.
    const r = presumedAbnormal({ ...input, settings: { threeBidders: 'two_bidder_rule' } });
    expect(r.offers[0]!.abnormal).toBe(false);
    expect(r.offers[0]!.checks[0]).toEqual({
      test: 'below_other_offer',
      base: '99000.00',
      threshold: '79200.00',
      triggered: false,
    });
    expect(r.mean).toBeNull();
    expect(r.excludedFromMean).toEqual(['o3']);
  });

  it('(units) percentage of the base, or points of the budget', () => {
    const input: AbnormalInput = { budget: '200000', offers: offers('79000', '100000') };
    expect(flags(input).o1).toBe('abnormal:below_other_offer');
    // The bajas are 60.5 % and 50 %: they differ by 10.5 points, not more than 20.
    const r = presumedAbnormal({ ...input, settings: { units: 'points_of_budget' } });
    expect(r.offers[0]!.abnormal).toBe(false);
    expect(r.offers[0]!.checks[0]!.threshold).toBe('60000.00');
  });
});

describe('notice-defined rules (several criteria, art. 149.2.b)', () => {
  const tests = [
    { kind: 'percent_below_mean' as const, units: '10' },
    { kind: 'percent_below_budget' as const, units: '25' },
  ];
  it('combined with "or": any test flags the offer', () => {
    const r = presumedAbnormal({
      budget: '100000',
      offers: offers('74000', '76000', '78000'),
      rule: { kind: 'notice', tests },
    });
    expect(r.rule).toBe('notice');
    expect(r.mean).toBe('76000.00');
    expect(r.offers.map((o) => (o.abnormal ? o.reason : '-'))).toEqual(['below_budget', '-', '-']);
  });
  it('combined with "and": every test must flag it', () => {
    const rule = { kind: 'notice' as const, tests, combine: 'all' as const };
    expect(
      presumedAbnormal({ budget: '100000', offers: offers('74000', '76000', '78000'), rule }).offers[0]!
        .abnormal,
    ).toBe(false);
    expect(
      presumedAbnormal({ budget: '100000', offers: offers('60000', '90000', '95000'), rule }).offers[0]!
        .abnormal,
    ).toBe(true);
  });
});

describe('invalid input', () => {
  function codes(input: AbnormalInput): string[] {
    try {
      presumedAbnormal(input);
    } catch (err) {
      if (err instanceof DomainError)
        return (err.details as { problems: { code: string }[] }).problems.map((p) => p.code);
      throw err;
    }
    return [];
  }
  it('refuses bad budgets, amounts, ids, rules and settings', () => {
    expect(codes({ budget: '0', offers: [] })).toEqual(['BUDGET_INVALID']);
    expect(
      codes({
        budget: '100',
        offers: [
          { id: 'a', amount: '-1' },
          { id: 'a', amount: '1' },
        ],
      }),
    ).toEqual(['OFFER_AMOUNT_INVALID', 'OFFER_ID_DUPLICATE']);
    expect(codes({ budget: '100', offers: [], rule: { kind: 'notice', tests: [] } })).toEqual([
      'RULE_INVALID',
    ]);
    expect(
      codes({
        budget: '100',
        offers: [],
        rule: { kind: 'notice', tests: [{ kind: 'percent_below_mean', units: '100' }] },
      }),
    ).toEqual(['RULE_INVALID']);
    expect(codes({ budget: '100', offers: [], settings: { comparison: 'loose' as 'strict' } })).toEqual([
      'SETTINGS_INVALID',
    ]);
  });
});

describe('properties', () => {
  const amounts = fc.array(fc.integer({ min: 1_000, max: 200_000 }), { minLength: 0, maxLength: 15 });
  it('inclusive comparison flags a superset of the strict one', () => {
    fc.assert(
      fc.property(amounts, (list) => {
        const input = { budget: '150000', offers: offers(...list.map(String)) };
        const strict = presumedAbnormal(input).offers;
        const inclusive = presumedAbnormal({ ...input, settings: { comparison: 'inclusive' } }).offers;
        strict.forEach((o, i) => {
          if (o.abnormal && !inclusive[i]!.abnormal) {
            // Only possible when inclusive left more offers out of the mean, lowering it.
            expect(
              presumedAbnormal({ ...input, settings: { comparison: 'inclusive' } }).excludedFromMean.length,
            ).toBeGreaterThan(presumedAbnormal(input).excludedFromMean.length);
          }
        });
      }),
    );
  });
  it('the lowest counted offer is flagged whenever any offer is (under art. 85)', () => {
    fc.assert(
      fc.property(amounts, (list) => {
        const r = presumedAbnormal({ budget: '150000', offers: offers(...list.map(String)) });
        if (r.offers.some((o) => o.abnormal)) {
          const min = Math.min(...list);
          expect(r.offers[list.indexOf(min)]!.abnormal).toBe(true);
        }
      }),
    );
  });
  it('an extra, higher offer of a group already present changes nothing else', () => {
    fc.assert(
      fc.property(amounts, fc.integer({ min: 0, max: 50_000 }), (list, extra) => {
        if (list.length === 0) return;
        const base = list.map((a, i) => ({ id: `o${i}`, amount: String(a), groupId: `g${i}` }));
        const withExtra = [...base, { id: 'x', amount: String(list[0]! + extra + 1), groupId: 'g0' }];
        const a = presumedAbnormal({ budget: '150000', offers: base });
        const b = presumedAbnormal({ budget: '150000', offers: withExtra });
        expect(b.offers.slice(0, -1)).toEqual(a.offers);
        expect(b.offers[b.offers.length - 1]!.reason).toBe('not_counted_group');
        expect(b.mean).toBe(a.mean);
      }),
    );
  });
});

describe('malformed notice rules from JSON', () => {
  it('refuses a test that is not an object', () => {
    const rule = { kind: 'notice', tests: [null] } as unknown as AbnormalInput['rule'];
    expect(() => presumedAbnormal({ budget: '100', offers: [], rule })).toThrow(DomainError);
  });
});
