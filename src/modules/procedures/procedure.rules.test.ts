import { describe, expect, it } from 'vitest';
import { Dec } from '../../platform/money.js';
import { PROCEDURES } from './procedure.catalogue.js';
import {
  allowedProcedures,
  checkProcedure,
  envelopesFor,
  isHarmonised,
  isSpecialAppealEligible,
  judgementWeightCap,
  minimumRequestPeriod,
  minimumTenderPeriod,
  thresholdOn,
} from './procedure.rules.js';
import { PROCEDURE_CODES, type ContractType, type ProcedureCode } from './procedure.types.js';
import { THRESHOLDS } from './thresholds.data.js';

const DAY_2026 = '2026-11-26';
const DAY_2025 = '2025-06-30';
const plus = (amount: string, delta: string) => new Dec(amount).plus(delta).toFixed(2);

describe('threshold table', () => {
  it('has exactly one row in force per key on any day from 2024 to 2027', () => {
    const keys = [...new Set(THRESHOLDS.map((r) => r.key))];
    for (const day of ['2024-01-01', '2025-12-31', '2026-01-01', '2027-12-31']) {
      for (const key of keys) {
        const rows = THRESHOLDS.filter(
          (r) => r.key === key && r.validFrom <= day && (r.validTo === undefined || day <= r.validTo),
        );
        expect(rows.length, `${key} on ${day}`).toBe(1);
      }
    }
  });

  it('switches to the 2026 values on 1 January 2026', () => {
    expect(thresholdOn('harmonised_services_supplies', '2025-12-31').toFixed()).toBe('221000');
    expect(thresholdOn('harmonised_services_supplies', '2026-01-01').toFixed()).toBe('216000');
    expect(thresholdOn('harmonised_works', '2026-01-01').toFixed()).toBe('5404000');
    expect(thresholdOn('simplified_services_supplies', '2025-12-31').toFixed()).toBe('143000');
    expect(thresholdOn('simplified_services_supplies', '2026-01-01').toFixed()).toBe('140000');
  });

  it('refuses a day with no value in force', () => {
    expect(() => thresholdOn('harmonised_works', '2010-01-01')).toThrow(/No harmonised_works threshold/);
  });
});

/**
 * Each procedure's value limit at the threshold, 1 € below and 1 € above: `lt` limits refuse the
 * threshold itself, `lte` limits accept it (art. 118.1 "inferior a"; art. 159.1.a "igual o inferior").
 */
type LimitCase = [ProcedureCode, ContractType, string, 'lt' | 'lte', string];
const LIMIT_CASES: LimitCase[] = [
  ['menor', 'works', '40000', 'lt', DAY_2026],
  ['menor', 'services', '15000', 'lt', DAY_2026],
  ['menor', 'supplies', '15000', 'lt', DAY_2026],
  ['abierto_simplificado_abreviado', 'works', '80000', 'lt', DAY_2026],
  ['abierto_simplificado_abreviado', 'services', '60000', 'lt', DAY_2026],
  ['abierto_simplificado_abreviado', 'supplies', '60000', 'lt', DAY_2026],
  ['abierto_simplificado', 'works', '2000000', 'lte', DAY_2026],
  ['abierto_simplificado', 'services', '140000', 'lt', DAY_2026],
  ['abierto_simplificado', 'supplies', '140000', 'lt', DAY_2026],
  ['abierto_simplificado', 'services', '143000', 'lt', DAY_2025],
];

describe.each(LIMIT_CASES)(
  '%s for %s (limit %s €, %s, on %s)',
  (code, contractType, amount, comparison, day) => {
    const ok = (value: string) => checkProcedure(code, { contractType, estimatedValue: value }, day);
    it('allows 1 € below the limit', () => {
      expect(ok(plus(amount, '-1'))).toEqual([]);
    });
    it(`${comparison === 'lt' ? 'refuses' : 'allows'} the limit itself`, () => {
      const violations = ok(plus(amount, '0'));
      if (comparison === 'lt') expect(violations.map((v) => v.code)).toEqual(['VALUE_ABOVE_LIMIT']);
      else expect(violations).toEqual([]);
    });
    it('refuses 1 € above the limit, citing its source', () => {
      const [violation] = ok(plus(amount, '1'));
      expect(violation?.code).toBe('VALUE_ABOVE_LIMIT');
      expect(violation?.limit).toBe(new Dec(amount).toFixed(2));
      expect(violation?.source).toMatch(/LCSP art\. (118|159)/);
    });
  },
);

describe('harmonised (SARA) status at the threshold ±1 €', () => {
  const cases: [ContractType, string, string][] = [
    ['services', '216000', DAY_2026],
    ['supplies', '216000', DAY_2026],
    ['works', '5404000', DAY_2026],
    ['works_concession', '5404000', DAY_2026],
    ['services_concession', '5404000', DAY_2026],
    ['services', '221000', DAY_2025],
    ['works', '5538000', DAY_2025],
  ];
  it.each(cases)('%s at %s € on %s', (contractType, amount, day) => {
    expect(isHarmonised({ contractType, estimatedValue: plus(amount, '-1') }, day)).toBe(false);
    expect(isHarmonised({ contractType, estimatedValue: plus(amount, '0') }, day)).toBe(true);
    expect(isHarmonised({ contractType, estimatedValue: plus(amount, '1') }, day)).toBe(true);
  });
  it('uses the 750 000 € threshold for Annex IV social services', () => {
    expect(
      isHarmonised({ contractType: 'services', socialServices: true, estimatedValue: '749999' }, DAY_2026),
    ).toBe(false);
    expect(
      isHarmonised({ contractType: 'services', socialServices: true, estimatedValue: '750000' }, DAY_2026),
    ).toBe(true);
  });
});

describe('special appeal (art. 44.1.a): strictly above the threshold', () => {
  it.each([
    ['services', '100000'],
    ['supplies', '100000'],
    ['works', '3000000'],
    ['works_concession', '3000000'],
  ] as [ContractType, string][])('%s at %s €', (contractType, amount) => {
    expect(isSpecialAppealEligible({ contractType, estimatedValue: plus(amount, '-1') }, DAY_2026)).toBe(
      false,
    );
    expect(isSpecialAppealEligible({ contractType, estimatedValue: amount }, DAY_2026)).toBe(false);
    expect(isSpecialAppealEligible({ contractType, estimatedValue: plus(amount, '1') }, DAY_2026)).toBe(true);
  });
});

describe('procedure eligibility', () => {
  it('refuses a contract type the procedure does not take', () => {
    expect(
      checkProcedure('menor', { contractType: 'works_concession', estimatedValue: '1000' }, DAY_2026).map(
        (v) => v.code,
      ),
    ).toEqual(['CONTRACT_TYPE_NOT_ALLOWED']);
  });
  it('keeps intellectual services out of the abbreviated procedure (art. 159.6)', () => {
    const v = checkProcedure(
      'abierto_simplificado_abreviado',
      { contractType: 'services', intellectualServices: true, estimatedValue: '20000' },
      DAY_2026,
    );
    expect(v.map((x) => x.code)).toEqual(['INTELLECTUAL_SERVICES_EXCLUDED']);
  });
  it('refuses negative or malformed values', () => {
    expect(
      checkProcedure('abierto', { contractType: 'works', estimatedValue: '-1' }, DAY_2026)[0]?.code,
    ).toBe('INVALID_VALUE');
    expect(
      checkProcedure('abierto', { contractType: 'works', estimatedValue: 'abc' }, DAY_2026)[0]?.code,
    ).toBe('INVALID_VALUE');
  });
  it('lists the procedures open to a contract', () => {
    expect(allowedProcedures({ contractType: 'services', estimatedValue: '14999.99' }, DAY_2026)).toEqual([
      ...PROCEDURE_CODES,
    ]);
    expect(allowedProcedures({ contractType: 'services', estimatedValue: '139999.99' }, DAY_2026)).toEqual([
      'abierto_simplificado',
      'abierto',
      'restringido',
      'licitacion_con_negociacion',
      'negociado_sin_publicidad',
    ]);
    expect(allowedProcedures({ contractType: 'services', estimatedValue: '140000' }, DAY_2026)).not.toContain(
      'abierto_simplificado',
    );
  });
});

describe('judgement-criteria caps', () => {
  it('caps the simplified procedure at 25 %, 45 % for intellectual services (art. 159.1.b)', () => {
    expect(judgementWeightCap('abierto_simplificado', {})?.toFixed()).toBe('25');
    expect(judgementWeightCap('abierto_simplificado', { intellectualServices: true })?.toFixed()).toBe('45');
  });
  it('allows no judgement criteria in the abbreviated procedure and sets no cap in the open one', () => {
    expect(judgementWeightCap('abierto_simplificado_abreviado', {})?.toFixed()).toBe('0');
    expect(judgementWeightCap('abierto', {})).toBeUndefined();
  });
});

describe('minimum tender periods', () => {
  const base = { electronicSubmission: true } as const;
  it.each([
    ['abierto', { ...base, harmonised: true, contractType: 'services' }, 30, 'calendar', 'dispatch_to_eu'],
    [
      'abierto',
      { ...base, harmonised: true, contractType: 'services', electronicSubmission: false },
      35,
      'calendar',
      'dispatch_to_eu',
    ],
    [
      'abierto',
      { ...base, harmonised: true, contractType: 'services', priorInformationNotice: true },
      15,
      'calendar',
      'dispatch_to_eu',
    ],
    [
      'abierto',
      { ...base, harmonised: true, contractType: 'supplies', urgent: true },
      15,
      'calendar',
      'dispatch_to_eu',
    ],
    [
      'abierto',
      { ...base, harmonised: true, contractType: 'services_concession' },
      30,
      'calendar',
      'dispatch_to_eu',
    ],
    ['abierto', { ...base, harmonised: false, contractType: 'services' }, 15, 'calendar', 'publication'],
    ['abierto', { ...base, harmonised: false, contractType: 'works' }, 26, 'calendar', 'publication'],
    [
      'abierto_simplificado',
      { ...base, harmonised: false, contractType: 'services' },
      15,
      'calendar',
      'publication',
    ],
    [
      'abierto_simplificado',
      { ...base, harmonised: false, contractType: 'works' },
      20,
      'calendar',
      'publication',
    ],
    [
      'abierto_simplificado_abreviado',
      { ...base, harmonised: false, contractType: 'supplies' },
      10,
      'business',
      'publication',
    ],
    [
      'abierto_simplificado_abreviado',
      { ...base, harmonised: false, contractType: 'supplies', routinePurchase: true },
      5,
      'business',
      'publication',
    ],
    ['restringido', { ...base, harmonised: true, contractType: 'services' }, 30, 'calendar', 'invitation'],
    ['restringido', { ...base, harmonised: false, contractType: 'services' }, 10, 'calendar', 'invitation'],
  ] as const)('%s %o → %i %s days from %s', (code, facts, days, unit, from) => {
    const rule = minimumTenderPeriod(code, facts);
    expect(rule).toMatchObject({ days, unit, from });
    expect(rule?.source).toMatch(/^LCSP art\./);
  });
  it('sets no period for minor contracts and negotiated procedures without publication', () => {
    expect(
      minimumTenderPeriod('menor', { ...base, harmonised: false, contractType: 'services' }),
    ).toBeUndefined();
    expect(
      minimumTenderPeriod('negociado_sin_publicidad', {
        ...base,
        harmonised: true,
        contractType: 'services',
      }),
    ).toBeUndefined();
  });
  it('gives two-phase procedures a request period', () => {
    expect(
      minimumRequestPeriod('restringido', { ...base, harmonised: true, contractType: 'works' }),
    ).toMatchObject({ days: 30 });
    expect(
      minimumRequestPeriod('licitacion_con_negociacion', {
        ...base,
        harmonised: false,
        contractType: 'works',
      }),
    ).toMatchObject({ days: 15 });
    expect(
      minimumRequestPeriod('abierto', { ...base, harmonised: false, contractType: 'works' }),
    ).toBeUndefined();
  });
  it('has a period rule that matches every harmonised and non-harmonised case of every published one-phase procedure', () => {
    for (const code of PROCEDURE_CODES.filter((c) => PROCEDURES[c].published)) {
      for (const contractType of PROCEDURES[code].contractTypes) {
        for (const harmonised of [true, false]) {
          expect(
            minimumTenderPeriod(code, { ...base, harmonised, contractType }),
            `${code} ${contractType} ${harmonised}`,
          ).toBeDefined();
        }
      }
    }
  });
});

describe('envelopes', () => {
  it('derives them from the procedure and the criteria', () => {
    expect(envelopesFor('abierto', { hasJudgement: true, hasFormula: true })).toEqual(['A', 'B', 'C']);
    expect(envelopesFor('abierto', { hasJudgement: false, hasFormula: true })).toEqual(['A', 'C']);
    expect(envelopesFor('abierto_simplificado', { hasJudgement: true, hasFormula: true })).toEqual([
      'B',
      'C',
    ]);
    expect(envelopesFor('abierto_simplificado', { hasJudgement: false, hasFormula: true })).toEqual(['C']);
    expect(envelopesFor('abierto_simplificado_abreviado', { hasJudgement: false, hasFormula: true })).toEqual(
      ['C'],
    );
    expect(envelopesFor('menor', { hasJudgement: false, hasFormula: true })).toEqual([]);
  });
});
