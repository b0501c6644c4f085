import { describe, expect, it } from 'vitest';
import {
  EXPERT_COMMITTEE_MINIMUM,
  expertLots,
  expertReadiness,
  expertsOnCommittee,
  mayScoreLot,
  scorersOf,
  sitsOnCommittee,
  weighLots,
} from './expert.rules.js';

const lot = (number: number, ...criteria: [evaluation: string, weight: string][]) => ({
  number,
  criteria: criteria.map(([evaluation, weight]) => ({ evaluation, weight })),
});

describe('art. 146.2.a LCSP: when the committee of experts is required', () => {
  it('applies when judgement criteria weigh more than formula criteria, per lot', () => {
    const lots = [
      lot(1, ['formula', '35'], ['judgement', '40'], ['formula', '25']),
      lot(2, ['formula', '30'], ['judgement', '45'], ['judgement', '25']),
    ];
    expect(weighLots(lots)).toEqual([
      { lot: 1, judgement: '40.00', formula: '60.00', expertsRequired: false },
      { lot: 2, judgement: '70.00', formula: '30.00', expertsRequired: true },
    ]);
    expect(expertLots(lots)).toEqual([2]);
  });

  it('does not apply when both weigh the same (formulas must weigh less)', () => {
    expect(expertLots([lot(1, ['formula', '50'], ['judgement', '50'])])).toEqual([]);
  });

  it('compares decimals exactly, not as floats', () => {
    // 0.1 + 0.2 is 0.30000000000000004 in binary floating point, which would wrongly exceed 0.3.
    expect(expertLots([lot(1, ['judgement', '0.1'], ['judgement', '0.2'], ['formula', '0.3'])])).toEqual([]);
    expect(expertLots([lot(1, ['judgement', '50.01'], ['formula', '49.99'])])).toEqual([1]);
    expect(expertLots([lot(1, ['judgement', '49.99'], ['formula', '50.01'])])).toEqual([]);
    // A string compare would put '9' above '10'.
    expect(expertLots([lot(1, ['judgement', '9'], ['formula', '10'])])).toEqual([]);
  });

  it('applies to a lot with judgement criteria only and never to one with formulas only or none', () => {
    expect(expertLots([lot(1, ['judgement', '100']), lot(2, ['formula', '100']), lot(3)])).toEqual([1]);
    expect(expertLots([{ number: 4 }])).toEqual([]);
  });
});

describe('the experts and the committee of one tender', () => {
  it('finds people named both as experts and committee members', () => {
    expect(expertsOnCommittee(['a', 'b'], ['c', 'b', 'd', 'b'])).toEqual(['b']);
    expect(expertsOnCommittee(['a'], ['c', 'd', 'e'])).toEqual([]);
  });

  it('lets only the experts score a lot where the article applies', () => {
    const assigned = { committee: ['m1'], experts: ['e1', 'e2', 'e3'] };
    expect(scorersOf(true, assigned)).toEqual(['e1', 'e2', 'e3']);
    expect(mayScoreLot('e1', true, assigned)).toBe(true);
    expect(mayScoreLot('m1', true, assigned)).toBe(false);
    // With no expert named nobody can score it yet.
    expect(mayScoreLot('m1', true, { committee: ['m1'], experts: [] })).toBe(false);
  });

  it('leaves the other lots to the committee, as before', () => {
    const assigned = { committee: ['m1'], experts: ['e1'] };
    expect(scorersOf(false, assigned)).toEqual(['m1']);
    expect(mayScoreLot('m1', false, assigned)).toBe(true);
    expect(mayScoreLot('e1', false, assigned)).toBe(false);
    // No committee named: any committee member of the authority, but not the tender's experts.
    const open = { committee: [], experts: ['e1'] };
    expect(scorersOf(false, open)).toBeNull();
    expect(mayScoreLot('anyone', false, open)).toBe(true);
    expect(mayScoreLot('e1', false, open)).toBe(false);
  });

  it('keeps an expert off the committee even when none is named', () => {
    expect(sitsOnCommittee('m1', { committee: ['m1'], experts: ['e1'] })).toBe(true);
    expect(sitsOnCommittee('x', { committee: ['m1'], experts: [] })).toBe(false);
    expect(sitsOnCommittee('x', { committee: [], experts: ['e1'] })).toBe(true);
    expect(sitsOnCommittee('e1', { committee: [], experts: ['e1'] })).toBe(false);
  });

  it('needs at least three distinct experts before the report, only where the article applies', () => {
    expect(EXPERT_COMMITTEE_MINIMUM).toBe(3);
    expect(expertReadiness([], [])).toEqual({ ready: true });
    expect(expertReadiness([1], ['e1', 'e2', 'e3'])).toEqual({ ready: true });
    expect(expertReadiness([1], ['e1', 'e2', 'e2'])).toEqual({
      ready: false,
      reason: 'too_few_experts',
      required: 3,
      assigned: 2,
    });
    expect(expertReadiness([2], [])).toMatchObject({ ready: false, assigned: 0 });
  });
});
