import { describe, expect, it } from 'vitest';
import { toCsv } from '../../platform/csv.js';
import { DomainError } from '../../platform/errors.js';
import {
  amountInclVat,
  assertQuotesUnsealed,
  assertQuotingOpen,
  checkAwardAmount,
  checkInvitationCount,
  checkSplitting,
  fileVatRate,
  interestMatch,
  monthsBefore,
  nextMinorStatus,
  quarterOf,
  publishedTaxId,
  quarterRange,
  quoteCommitment,
  quoteInclVat,
  quotesSealed,
  rankSuggestions,
  splittingGuard,
} from './minor-contract.rules.js';
import type { MinorEvent, MinorStatus, PriorMinorAward } from './minor-contract.types.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof DomainError) return err.code;
    throw err;
  }
  return undefined;
}

describe('minor contract state machine', () => {
  const events: MinorEvent['type'][] = ['invite', 'quote', 'award', 'void'];
  const allowed: Record<MinorStatus, Partial<Record<MinorEvent['type'], MinorStatus>>> = {
    inviting: { invite: 'inviting', quote: 'inviting', award: 'awarded', void: 'void' },
    awarded: {},
    void: {},
  };
  for (const from of ['inviting', 'awarded', 'void'] as const) {
    for (const type of events) {
      const to = allowed[from][type];
      it(`${from} + ${type} → ${to ?? 'INVALID_TRANSITION'}`, () => {
        if (to) expect(nextMinorStatus(from, { type })).toBe(to);
        else expect(codeOf(() => nextMinorStatus(from, { type }))).toBe('INVALID_TRANSITION');
      });
    }
  }
});

describe('invitations and deadlines', () => {
  it('asks for three companies or written reasons', () => {
    expect(codeOf(() => checkInvitationCount(3, null))).toBeUndefined();
    expect(codeOf(() => checkInvitationCount(2, null))).toBe('MINOR_TOO_FEW_INVITATIONS');
    expect(codeOf(() => checkInvitationCount(2, '   '))).toBe('MINOR_TOO_FEW_INVITATIONS');
    expect(codeOf(() => checkInvitationCount(2, 'ok'))).toBe('MINOR_TOO_FEW_INVITATIONS');
    expect(
      codeOf(() => checkInvitationCount(1, 'Únic proveïdor amb exclusiva de la patent')),
    ).toBeUndefined();
  });

  it('closes quoting at the deadline instant and unseals quotes then', () => {
    const deadline = new Date('2026-12-01T22:59:59.999Z');
    const before = new Date(deadline.getTime() - 1);
    expect(codeOf(() => assertQuotingOpen(before, deadline))).toBeUndefined();
    expect(codeOf(() => assertQuotingOpen(deadline, deadline))).toBe('DEADLINE_PASSED');
    expect(codeOf(() => assertQuotesUnsealed(before, deadline))).toBe('QUOTES_SEALED');
    expect(codeOf(() => assertQuotesUnsealed(deadline, deadline))).toBeUndefined();
  });
});

describe('award amount (art. 118.1)', () => {
  const day = '2026-11-26';
  const cases: [string, 'works' | 'services' | 'supplies', string, string | undefined][] = [
    ['services 1 € under', 'services', '14999.00', undefined],
    ['services one cent under', 'services', '14999.99', undefined],
    ['services at the threshold', 'services', '15000.00', 'MINOR_THRESHOLD_EXCEEDED'],
    ['services 1 € over', 'services', '15001.00', 'MINOR_THRESHOLD_EXCEEDED'],
    ['supplies 1 € under', 'supplies', '14999.00', undefined],
    ['supplies at the threshold', 'supplies', '15000.00', 'MINOR_THRESHOLD_EXCEEDED'],
    ['works 1 € under', 'works', '39999.00', undefined],
    ['works at the threshold', 'works', '40000.00', 'MINOR_THRESHOLD_EXCEEDED'],
    ['works 1 € over', 'works', '40001.00', 'MINOR_THRESHOLD_EXCEEDED'],
  ];
  for (const [name, contractType, amount, code] of cases) {
    it(name, () => {
      expect(
        codeOf(() =>
          checkAwardAmount({ contractType, estimatedValue: '99999999', amountExclVat: amount, day }),
        ),
      ).toBe(code);
    });
  }

  it('refuses more than the estimated value, and nothing', () => {
    const facts = { contractType: 'services' as const, estimatedValue: '12000.00', day };
    expect(codeOf(() => checkAwardAmount({ ...facts, amountExclVat: '12000.00' }))).toBeUndefined();
    expect(codeOf(() => checkAwardAmount({ ...facts, amountExclVat: '12000.01' }))).toBe('UNPROCESSABLE');
    expect(codeOf(() => checkAwardAmount({ ...facts, amountExclVat: '0' }))).toBe('UNPROCESSABLE');
  });

  it('refuses a contract type that cannot be minor', () => {
    expect(
      codeOf(() =>
        checkAwardAmount({
          contractType: 'works_concession',
          estimatedValue: '1000',
          amountExclVat: '10',
          day,
        }),
      ),
    ).toBe('UNPROCESSABLE');
  });

  it('adds VAT at the file rate, rounded to the cent', () => {
    expect(amountInclVat('10000.00', '150000.00', '181500.00')).toBe('12100.00');
    expect(amountInclVat('0.05', '100', '121')).toBe('0.06');
    expect(amountInclVat('100.00', '100', '110')).toBe('110.00');
    expect(amountInclVat('100.00', '0', '0')).toBe('100.00');
  });
});

describe('12-month splitting guard (arts. 99.2, 118.3)', () => {
  const today = '2026-11-26';
  const prior = (over: Partial<PriorMinorAward>): PriorMinorAward => ({
    tenderId: 'p1',
    companyId: 'c1',
    mainCpv: '90911200-8',
    amountExclVat: '8000.00',
    awardedOn: '2026-06-01',
    ...over,
  });
  const candidate = {
    companyId: 'c1',
    mainCpv: '90910000-9',
    amountExclVat: '7000.00',
    contractType: 'services' as const,
  };

  it('blocks when same company and CPV group reach the threshold in 12 months', () => {
    const r = splittingGuard(candidate, [prior({})], today);
    expect(r).toMatchObject({ reachesThreshold: true, cumulative: '15000.00', threshold: '15000.00' });
    expect(codeOf(() => checkSplitting(r, null))).toBe('MINOR_SPLITTING_RISK');
    expect(
      codeOf(() => checkSplitting(r, 'Objectes diferents: neteja de vidres i de façanes')),
    ).toBeUndefined();
  });

  it('passes one cent under the threshold', () => {
    const r = splittingGuard(candidate, [prior({ amountExclVat: '7999.99' })], today);
    expect(r).toMatchObject({ reachesThreshold: false, cumulative: '14999.99' });
    expect(codeOf(() => checkSplitting(r, null))).toBeUndefined();
  });

  it('ignores another company, another CPV group, and awards outside the window', () => {
    expect(splittingGuard(candidate, [prior({ companyId: 'c2' })], today).reachesThreshold).toBe(false);
    expect(splittingGuard(candidate, [prior({ mainCpv: '90600000-3' })], today).reachesThreshold).toBe(false);
    expect(splittingGuard(candidate, [prior({ awardedOn: '2025-11-25' })], today).matches).toHaveLength(0);
    // The same day a year earlier is inside the window.
    expect(splittingGuard(candidate, [prior({ awardedOn: '2025-11-26' })], today).reachesThreshold).toBe(
      true,
    );
  });

  it('takes the window and the CPV match as parameters', () => {
    const p = [prior({ mainCpv: '90600000-3', awardedOn: '2026-01-10' })];
    expect(splittingGuard(candidate, p, today, { digits: 2 }).reachesThreshold).toBe(true);
    expect(splittingGuard(candidate, p, today, { digits: 2, months: 6 }).reachesThreshold).toBe(false);
  });

  it('counts months on the calendar, clamping to the month end', () => {
    expect(monthsBefore('2026-11-26', 12)).toBe('2025-11-26');
    expect(monthsBefore('2028-02-29', 12)).toBe('2027-02-28');
    expect(monthsBefore('2026-03-31', 1)).toBe('2026-02-28');
    expect(monthsBefore('2026-01-15', 1)).toBe('2025-12-15');
  });
});

describe('suggestions', () => {
  it('matches CPV interests by division and group', () => {
    expect(interestMatch('90000000', '90910000-9')).toBe(2);
    expect(interestMatch('90910000', '90910000-9')).toBe(8);
    expect(interestMatch('90911000-6', '90910000-9')).toBe(4);
    expect(interestMatch('90600000', '90910000-9')).toBe(0);
    expect(interestMatch('45000000', '90910000-9')).toBe(0);
    expect(interestMatch('garbage', '90910000-9')).toBe(0);
  });

  it('ranks SMEs first, then the closest match, then by name; skips the excluded', () => {
    const base = { taxId: 'x' };
    const ranked = rankSuggestions(
      [
        { ...base, id: 'big', legalName: 'Big Corp', isSme: false, cpvInterests: ['90910000'] },
        { ...base, id: 'sme-div', legalName: 'Alfa', isSme: true, cpvInterests: ['90000000'] },
        { ...base, id: 'sme-class', legalName: 'Zeta', isSme: true, cpvInterests: ['90910000'] },
        { ...base, id: 'other', legalName: 'Obres', isSme: true, cpvInterests: ['45000000'] },
        { ...base, id: 'gone', legalName: 'Beta', isSme: true, cpvInterests: ['90910000'] },
      ],
      '90910000-9',
      new Set(['gone']),
    );
    expect(ranked.map((r) => r.id)).toEqual(['sme-class', 'sme-div', 'big']);
  });
});

describe('quarters and CSV', () => {
  it('finds quarters and their days', () => {
    expect(quarterOf('2026-03-31')).toEqual({ year: 2026, quarter: 1 });
    expect(quarterOf('2026-04-01')).toEqual({ year: 2026, quarter: 2 });
    expect(quarterRange(2026, 1)).toEqual({ from: '2026-01-01', to: '2026-03-31' });
    expect(quarterRange(2028, 1)).toEqual({ from: '2028-01-01', to: '2028-03-31' });
    expect(quarterRange(2026, 4)).toEqual({ from: '2026-10-01', to: '2026-12-31' });
    expect(codeOf(() => quarterRange(2026, 5))).toBe('UNPROCESSABLE');
  });

  it('escapes CSV fields and defuses formulas', () => {
    expect(toCsv([['a', 'b,c', 'say "hi"', 'two\nlines', null, 12]])).toBe(
      'a,"b,c","say ""hi""","two\nlines",,12\r\n',
    );
    expect(toCsv([['=SUM(A1)', '+34', '-12.50', '@x', 'Neteges Vallès, SL']])).toBe(
      "'=SUM(A1),'+34,-12.50,'@x,\"Neteges Vallès, SL\"\r\n",
    );
  });
});

describe('sealing, VAT and publication', () => {
  const deadline = new Date('2026-12-01T12:00:00Z');
  const before = new Date('2026-12-01T11:59:59.999Z');
  const after = new Date('2026-12-01T12:00:00Z');

  it('keeps quotes sealed until the deadline, and for ever when voided before it', () => {
    const round = (status: string, voidedAt: Date | null) => ({
      status,
      quote_deadline: deadline,
      voided_at: voidedAt,
    });
    expect(quotesSealed(before, round('inviting', null))).toBe(true);
    expect(quotesSealed(after, round('inviting', null))).toBe(false);
    expect(quotesSealed(after, round('awarded', null))).toBe(false);
    expect(quotesSealed(after, round('void', before))).toBe(true);
    expect(quotesSealed(new Date('2027-06-01T00:00:00Z'), round('void', before))).toBe(true);
    expect(quotesSealed(after, round('void', after))).toBe(false);
  });

  it('takes the file’s VAT rate and adds the quoted VAT to the cent', () => {
    expect(fileVatRate('1000.00', '1210.00')).toBe('21.00');
    expect(fileVatRate('14999.99', '18149.99')).toBe('21.00');
    expect(fileVatRate('1000.00', '1100.00')).toBe('10.00');
    expect(fileVatRate('0.00', '0.00')).toBe('0.00');
    expect(quoteInclVat('9800.00', '21.00')).toBe('11858.00');
    expect(quoteInclVat('2000.05', '10')).toBe('2200.06');
    expect(quoteInclVat('2500.00', '0')).toBe('2500.00');
    expect(quoteInclVat('0.10', '21')).toBe('0.12');
  });

  it('commits to a quote with its nonce: another nonce or amount gives another hash', () => {
    const content = {
      nonce: 'a'.repeat(64),
      tenderId: 't',
      round: 1,
      companyId: 'c',
      quoteId: 'q',
      amountExclVat: '9000.00',
      vatRate: '21.00',
      amountInclVat: '10890.00',
      note: '',
      submittedAt: '2026-11-26T10:00:00.000Z',
    };
    const h = quoteCommitment(content);
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(quoteCommitment({ ...content })).toBe(h);
    expect(quoteCommitment({ ...content, nonce: 'b'.repeat(64) })).not.toBe(h);
    expect(quoteCommitment({ ...content, amountExclVat: '9000.01' })).not.toBe(h);
  });

  it('masks a natural person’s NIF or NIE as LOPDGDD DA 7ª asks, and publishes companies in full', () => {
    expect(publishedTaxId('12345678Z', 'NIF')).toBe('***4567**');
    expect(publishedTaxId('X1234567L', 'NIE')).toBe('****4567*');
    expect(publishedTaxId('K1234567L', 'NIF')).toBe('****4567*');
    expect(publishedTaxId('ES12345678Z', 'VAT')).toBe('***4567**');
    expect(publishedTaxId('B12345674', 'CIF')).toBe('B12345674');
    expect(publishedTaxId('ESB12345674', 'VAT')).toBe('ESB12345674');
    expect(publishedTaxId('FR40303265045', 'VAT')).toBe('FR40303265045');
    expect(publishedTaxId('odd-id', 'NIF')).toBe('******');
  });
});
