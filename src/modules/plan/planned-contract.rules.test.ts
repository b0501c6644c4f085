import { describe, expect, it } from 'vitest';
import { DomainError } from '../../platform/errors.js';
import {
  checkPlanInput,
  cpvPrefix,
  nextPlanStatus,
  planFindings,
  quarterOf,
  splitValue,
  withGeneralVat,
} from './planned-contract.rules.js';
import type { PlannedContractInput, PlanStatus } from './planned-contract.types.js';

const base: PlannedContractInput = {
  title: { ca: 'Neteja', es: 'Limpieza', en: 'Cleaning' },
  contractType: 'services',
  procedure: 'abierto',
  mainCpv: '90910000',
  estimatedValue: '100000',
  expectedYear: 2027,
  expectedQuarter: 1,
};
const NOW = new Date('2026-11-26T10:00:00Z');
const codeOf = (fn: () => unknown) => {
  try {
    fn();
    return 'ok';
  } catch (err) {
    return err instanceof DomainError ? err.code : 'other';
  }
};

describe('planned contract states', () => {
  it.each([
    ['planned', 'edit', 'planned'],
    ['planned', 'withdraw', 'withdrawn'],
    ['planned', 'start_file', 'file_started'],
  ] as const)('%s --%s--> %s', (from, event, to) => {
    expect(nextPlanStatus(from, event)).toBe(to);
  });
  it.each(
    (['file_started', 'withdrawn'] as PlanStatus[]).flatMap((from) =>
      (['edit', 'withdraw', 'start_file'] as const).map((event) => [from, event] as const),
    ),
  )('refuses %s --%s', (from, event) => {
    expect(codeOf(() => nextPlanStatus(from, event))).toBe('INVALID_TRANSITION');
  });
});

describe('planned contract input', () => {
  it.each([
    ['a valid entry', {}, 'ok'],
    ['the current quarter', { expectedYear: 2026, expectedQuarter: 4 }, 'ok'],
    ['a past quarter', { expectedYear: 2026, expectedQuarter: 3 }, 'DEADLINE_IN_PAST'],
    ['a past year', { expectedYear: 2025, expectedQuarter: 4 }, 'DEADLINE_IN_PAST'],
    ['a zero value', { estimatedValue: '0' }, 'UNPROCESSABLE'],
    ['three decimals', { estimatedValue: '1.005' }, 'UNPROCESSABLE'],
    ['an exponent', { estimatedValue: '1e5' }, 'UNPROCESSABLE'],
    ['all lots reserved', { lotCount: 2, reservedLots: 2 }, 'ok'],
    ['more reserved than lots', { lotCount: 2, reservedLots: 3 }, 'UNPROCESSABLE'],
    ['a reserved lot with the default single lot', { reservedLots: 2 }, 'UNPROCESSABLE'],
  ] as const)('%s', (_name, override, want) => {
    expect(codeOf(() => checkPlanInput({ ...base, ...override }, NOW, 'Europe/Madrid'))).toBe(want);
  });

  it('counts quarters in the authority zone: 30 September 22:30 UTC is already Q4 in Madrid', () => {
    expect(quarterOf(new Date('2026-09-30T22:30:00Z'), 'Europe/Madrid')).toEqual({ year: 2026, quarter: 4 });
    expect(quarterOf(new Date('2026-09-30T21:30:00Z'), 'Europe/Madrid')).toEqual({ year: 2026, quarter: 3 });
  });

  it('warns, on the thresholds of the expected quarter, when the procedure does not suit the value', () => {
    expect(planFindings(base)).toEqual([]);
    expect(planFindings({ ...base, procedure: 'menor', estimatedValue: '15000' }).map((f) => f.code)).toEqual(
      ['VALUE_ABOVE_LIMIT'],
    );
    expect(planFindings({ ...base, procedure: 'menor', estimatedValue: '14999.99' })).toEqual([]);
    expect(planFindings({ ...base, procedure: 'menor', contractType: 'works_concession' })[0]?.code).toBe(
      'CONTRACT_TYPE_NOT_ALLOWED',
    );
  });
});

describe('prefilling the file', () => {
  it('splits the value over the lots to the cent, the remainder on the last', () => {
    expect(splitValue('100.00', 3)).toEqual(['33.33', '33.33', '33.34']);
    expect(splitValue('250000', 1)).toEqual(['250000.00']);
    expect(splitValue('0.05', 4)).toEqual(['0.01', '0.01', '0.01', '0.02']);
  });
  it('adds the general VAT rate without floats', () => {
    expect(withGeneralVat('260000')).toBe('314600.00');
    expect(withGeneralVat('0.10')).toBe('0.12');
  });
  it('reads a CPV filter as digits', () => {
    expect(cpvPrefix('90910000-9')).toBe('90910000');
    expect(cpvPrefix('9091')).toBe('9091');
  });
});
