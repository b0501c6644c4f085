import { describe, expect, it } from 'vitest';
import { breakdownTotal, modificationsExcess, resolveEstimatedValue } from './estimated-value.rules.js';

const b = {
  base: '100000.00',
  options: '5000.50',
  extensions: '50000',
  modifications: '20000',
  prizes: '0.01',
};

describe('estimated value (art. 101 LCSP)', () => {
  it('sums the components exactly, in decimals', () => {
    expect(breakdownTotal(b)).toBe('175000.51');
    expect(
      breakdownTotal({ ...b, base: '0.1', options: '0.2', extensions: '0', modifications: '0', prizes: '0' }),
    ).toBe('0.30');
  });

  it('derives the value from the breakdown, and refuses a figure that disagrees', () => {
    expect(resolveEstimatedValue(undefined, b)).toEqual({ ok: true, value: '175000.51' });
    expect(resolveEstimatedValue('175000.51', b)).toEqual({ ok: true, value: '175000.51' });
    expect(resolveEstimatedValue('175000.5', b)).toEqual({
      ok: false,
      problem: 'mismatch',
      computed: '175000.51',
    });
    expect(resolveEstimatedValue('1000', null)).toEqual({ ok: true, value: '1000.00' });
    expect(resolveEstimatedValue(undefined, undefined)).toEqual({ ok: false, problem: 'missing' });
  });

  it('caps foreseen modifications at 20 % of the base (art. 204.1), the boundary included', () => {
    expect(modificationsExcess(b)).toBeUndefined();
    expect(modificationsExcess({ ...b, modifications: '20000.01' })).toEqual({ limit: '20000.00' });
  });
});
