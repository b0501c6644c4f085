import { describe, expect, it } from 'vitest';
import { DEFAULT_ABNORMAL_SETTINGS } from '../evaluation/abnormal.rules.js';
import { noticeAbnormal } from './criterion-formula.rules.js';

const price = { kind: 'price' };
const quality = { kind: 'quality' };

describe('the abnormal-offer parameters a notice states', () => {
  it('states RGLCAP art. 85 for a price-only lot that declares nothing (art. 149.2.a)', () => {
    expect(noticeAbnormal({ abnormal: undefined, abnormalSettings: undefined, criteria: [price] })).toEqual({
      abnormal: 'rglcap85',
      abnormalSettings: DEFAULT_ABNORMAL_SETTINGS,
    });
  });

  it('states nothing for a lot with several criteria that declares nothing (the checks block it)', () => {
    expect(
      noticeAbnormal({ abnormal: undefined, abnormalSettings: undefined, criteria: [price, quality] }),
    ).toEqual({
      abnormal: null,
      abnormalSettings: null,
    });
  });

  it('keeps readings declared without a rule, as art. 85 with them, like the checks read them', () => {
    const stated = noticeAbnormal({
      abnormal: undefined,
      abnormalSettings: { comparison: 'inclusive' },
      criteria: [price, quality],
    });
    expect(stated).toEqual({
      abnormal: 'rglcap85',
      abnormalSettings: { ...DEFAULT_ABNORMAL_SETTINGS, comparison: 'inclusive' },
    });
  });

  it('keeps a declared rule and fills in the readings not declared', () => {
    const rule = { kind: 'notice', tests: [{ kind: 'percent_below_mean', units: '10' }] };
    expect(
      noticeAbnormal({ abnormal: rule, abnormalSettings: undefined, criteria: [price, quality] }),
    ).toEqual({
      abnormal: rule,
      abnormalSettings: DEFAULT_ABNORMAL_SETTINGS,
    });
  });
});
