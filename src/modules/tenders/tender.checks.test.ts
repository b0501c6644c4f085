import { describe, expect, it } from 'vitest';
import { checkTender, isPublishable, type CheckContext } from './tender.checks.js';
import type { AbnormalRule } from '../evaluation/abnormal.types.js';
import type { FormulaSpec } from '../evaluation/formula.types.js';
import type { CheckCode, TenderDraft } from './tender.types.js';

const NOW = new Date('2026-11-26T10:00:00Z');
const DAY = 86_400_000;

/** Calendar days only: the business-day calendar has its own tests; here the checks' logic is under test. */
const ctx: CheckContext = {
  now: NOW,
  today: '2026-11-26',
  priceWeightCap: '35',
  earliestDeadline: (start, rule) => new Date(start.getTime() + rule.days * DAY),
  recentMinorContracts: [],
};

/** An open, non-harmonised services tender with two lots that passes every check. */
function draft(overrides: Partial<TenderDraft> = {}): TenderDraft {
  const criteria = [
    { kind: 'price', evaluation: 'formula', weight: '35', name: 'Preu', formula: F1 },
    { kind: 'quality', evaluation: 'formula', weight: '25', name: 'Criteris socials', formula: STEPS },
    { kind: 'quality', evaluation: 'judgement', weight: '40', name: 'Memòria tècnica' },
  ] as const;
  return {
    procedure: 'abierto',
    contractType: 'services',
    estimatedValue: '180000',
    valueBreakdown: null,
    mainCpv: '90910000-9',
    intellectualServices: false,
    socialServices: false,
    urgent: false,
    priorInformationNotice: false,
    routinePurchase: false,
    lots: [
      {
        number: 1,
        title: 'Lot 1',
        estimatedValue: '100000',
        abnormal: NOTICE_RULE,
        criteria: criteria.map((c) => ({ ...c })),
      },
      {
        number: 2,
        title: 'Lot 2',
        estimatedValue: '80000',
        abnormal: NOTICE_RULE,
        criteria: criteria.map((c) => ({ ...c })),
      },
    ],
    singleLotJustification: null,
    priceWeightJustification: null,
    tenderDeadline: new Date(NOW.getTime() + 20 * DAY),
    questionsDeadline: new Date(NOW.getTime() + 14 * DAY),
    participationDeadline: null,
    documents: ['memoria_justificativa', 'pcap', 'ppt'],
    bidDocuments: [
      { envelope: 'A', name: 'DEUC', mandatory: true },
      { envelope: 'B', name: 'Memòria tècnica', mandatory: true },
      { envelope: 'C', name: 'Oferta econòmica', mandatory: true },
    ],
    custodians: { count: 3, quorum: 2, withKey: 3 },
    experts: 0,
    invitedCompanyIds: [],
    ...overrides,
  };
}

/** F1 (proporcional inversa) and a threshold scale: valid specs (formula.rules.ts). */
const F1: FormulaSpec = { kind: 'price', formula: 'F1', params: {}, decimals: 2, zeroDivisor: 'all_zero' };
const STEPS: FormulaSpec = {
  kind: 'scale',
  scale: 'threshold',
  direction: 'higher_better',
  params: {
    steps: [
      { value: '1', share: '0.5' },
      { value: '3', share: '1' },
    ],
  },
  decimals: 2,
};
const NOTICE_RULE: AbnormalRule = { kind: 'notice', tests: [{ kind: 'percent_below_mean', units: '10' }] };

const codes = (d: TenderDraft, c: CheckContext = ctx): CheckCode[] => checkTender(d, c).map((f) => f.code);

describe('pre-publication checks', () => {
  it('passes a complete, lawful draft', () => {
    const findings = checkTender(draft(), ctx);
    expect(findings).toEqual([]);
    expect(isPublishable(findings)).toBe(true);
  });

  it('blocks a procedure not allowed for the value', () => {
    const f = checkTender(draft({ procedure: 'abierto_simplificado', estimatedValue: '150000' }), ctx).find(
      (x) => x.code === 'PROCEDURE_NOT_ALLOWED',
    );
    expect(f).toMatchObject({
      severity: 'error',
      details: { reason: 'VALUE_ABOVE_LIMIT', limit: '140000.00' },
    });
    expect(f?.source).toMatch(/159\.1/);
  });

  it('blocks a tender period below the minimum, and accepts it at the minimum', () => {
    // Non-harmonised open services: 15 calendar days (art. 156.6).
    expect(codes(draft({ tenderDeadline: new Date(NOW.getTime() + 15 * DAY - 1) }))).toContain(
      'TENDER_PERIOD_TOO_SHORT',
    );
    expect(
      codes(draft({ tenderDeadline: new Date(NOW.getTime() + 15 * DAY), questionsDeadline: null })),
    ).not.toContain('TENDER_PERIOD_TOO_SHORT');
    // Harmonised (≥ 216 000 €): 30 days from dispatch to the EU with electronic submission.
    const harmonised = draft({
      estimatedValue: '216000',
      lots: draft().lots.map((l) => ({ ...l, estimatedValue: '108000' })),
    });
    const f = checkTender({ ...harmonised, tenderDeadline: new Date(NOW.getTime() + 29 * DAY) }, ctx).find(
      (x) => x.code === 'TENDER_PERIOD_TOO_SHORT',
    );
    expect(f?.details).toMatchObject({ minimumDays: 30, unit: 'calendar' });
  });

  it('requires a deadline, and a questions deadline before it', () => {
    expect(codes(draft({ tenderDeadline: null }))).toContain('DEADLINE_MISSING');
    expect(codes(draft({ questionsDeadline: new Date(NOW.getTime() + 20 * DAY) }))).toContain(
      'QUESTIONS_AFTER_DEADLINE',
    );
  });

  it('requires requests to participate in two-phase procedures, due first and after their minimum (arts. 161, 163, 164)', () => {
    // Non-harmonised restricted services: requests ≥ 15 days from publication (art. 161.2), bids
    // ≥ 10 days from the invitation (art. 164.1), which cannot leave before requests close.
    const restricted = (participation: number | null, tender: number) =>
      draft({
        procedure: 'restringido',
        participationDeadline: participation === null ? null : new Date(NOW.getTime() + participation * DAY),
        tenderDeadline: new Date(NOW.getTime() + tender * DAY),
        questionsDeadline: null,
      });
    expect(codes(restricted(null, 40))).toContain('PARTICIPATION_DEADLINE_MISSING');
    expect(codes(restricted(15, 25))).not.toEqual(
      expect.arrayContaining(['REQUEST_PERIOD_TOO_SHORT', 'TENDER_PERIOD_TOO_SHORT']),
    );
    const short = checkTender(restricted(14, 25), ctx).find((f) => f.code === 'REQUEST_PERIOD_TOO_SHORT');
    expect(short).toMatchObject({ severity: 'error', details: { minimumDays: 15, unit: 'calendar' } });
    expect(short?.source).toMatch(/161/);
    // Ten days from the earliest invitation (day 15) end on day 25: day 24 is short.
    expect(codes(restricted(15, 24))).toContain('TENDER_PERIOD_TOO_SHORT');
    expect(codes(restricted(30, 30))).toContain('PARTICIPATION_AFTER_TENDER_DEADLINE');
    // The open procedure takes no requests: nothing is asked of it.
    expect(codes(draft())).not.toContain('PARTICIPATION_DEADLINE_MISSING');
    // The negotiated procedure without publication still needs the deadline its invitation states.
    expect(codes(draft({ procedure: 'negociado_sin_publicidad', tenderDeadline: null }))).toContain(
      'DEADLINE_MISSING',
    );
  });

  it("blocks a price weight above the authority's cap unless justified, then warns", () => {
    const heavy = draft().lots.map((l) => ({
      ...l,
      criteria: [
        { kind: 'price' as const, evaluation: 'formula' as const, weight: '60', name: 'Preu', formula: F1 },
        { kind: 'quality' as const, evaluation: 'judgement' as const, weight: '40', name: 'Qualitat' },
      ],
    }));
    const blocked = checkTender(draft({ lots: heavy }), ctx).filter(
      (f) => f.code === 'PRICE_WEIGHT_ABOVE_CAP',
    );
    expect(blocked.map((f) => [f.lot, f.severity])).toEqual([
      [1, 'error'],
      [2, 'error'],
    ]);
    const justified = checkTender(
      draft({ lots: heavy, priceWeightJustification: 'Subministrament homogeni' }),
      ctx,
    );
    expect(
      justified.filter((f) => f.code === 'PRICE_WEIGHT_ABOVE_CAP').every((f) => f.severity === 'warning'),
    ).toBe(true);
    expect(isPublishable(justified)).toBe(true);
    // At the cap exactly: fine.
    expect(codes(draft(), { ...ctx, priceWeightCap: '35.00' })).not.toContain('PRICE_WEIGHT_ABOVE_CAP');
  });

  it('blocks judgement criteria above the procedure cap (simplified: 25 %)', () => {
    const simplified = draft({
      procedure: 'abierto_simplificado',
      estimatedValue: '120000',
      lots: draft().lots.map((l) => ({ ...l, estimatedValue: '60000' })),
    });
    const f = checkTender(simplified, ctx).find((x) => x.code === 'JUDGEMENT_WEIGHT_ABOVE_CAP');
    expect(f?.details).toMatchObject({ judgement: '40.00', cap: '25.00' });
    expect(codes({ ...simplified, intellectualServices: true })).not.toContain('JUDGEMENT_WEIGHT_ABOVE_CAP');
  });

  it('blocks weights that do not sum to 100, in decimals', () => {
    const lots = draft().lots.map((l) => ({
      ...l,
      criteria: [
        { kind: 'price' as const, evaluation: 'formula' as const, weight: '33.33', name: 'a', formula: F1 },
        {
          kind: 'quality' as const,
          evaluation: 'formula' as const,
          weight: '33.33',
          name: 'b',
          formula: STEPS,
        },
        {
          kind: 'quality' as const,
          evaluation: 'formula' as const,
          weight: '33.33',
          name: 'c',
          formula: STEPS,
        },
      ],
    }));
    const f = checkTender(draft({ lots }), ctx).find((x) => x.code === 'WEIGHTS_NOT_100');
    expect(f?.details).toEqual({ total: '99.99' });
    const exact = lots.map((l) => ({
      ...l,
      criteria: l.criteria.map((c, i) => (i === 2 ? { ...c, weight: '33.34' } : c)),
    }));
    expect(codes(draft({ lots: exact }))).not.toContain('WEIGHTS_NOT_100');
  });

  it('requires a justification for a single lot (art. 99.3)', () => {
    const one = [{ ...draft().lots[0]!, estimatedValue: '180000' }];
    expect(codes(draft({ lots: one }))).toContain('SINGLE_LOT_WITHOUT_JUSTIFICATION');
    expect(codes(draft({ lots: one, singleLotJustification: 'Prestació indivisible' }))).not.toContain(
      'SINGLE_LOT_WITHOUT_JUSTIFICATION',
    );
  });

  it('warns of a value within 5 % below a threshold, not further or above', () => {
    const near = (value: string) =>
      checkTender(
        draft({ estimatedValue: value, lots: draft().lots.map((l) => ({ ...l, estimatedValue: '1' })) }),
        ctx,
      ).filter((f) => f.code === 'VALUE_NEAR_THRESHOLD');
    expect(near('205200').map((f) => f.details?.threshold)).toEqual(['harmonised_services_supplies']);
    expect(near('215999.99')).toHaveLength(1);
    expect(near('205199.99')).toHaveLength(0);
    expect(near('216000')).toHaveLength(0);
  });

  it('refuses lots worth more than the whole', () => {
    expect(codes(draft({ estimatedValue: '179999.99' }))).toContain('LOTS_EXCEED_VALUE');
  });

  it('warns of a minor contract with the same object and company in the last 12 months', () => {
    const minor = draft({
      procedure: 'menor',
      estimatedValue: '14000',
      lots: [{ number: 1, title: 'Únic', estimatedValue: '14000', criteria: [] }],
      documents: ['informe_necesidad'],
      // A minor contract has no envelopes (art. 118), so no bid documents either.
      bidDocuments: [],
      invitedCompanyIds: ['company-1'],
      tenderDeadline: null,
      questionsDeadline: null,
    });
    const recent = (awardedOn: string, cpv = '90910000-9', companyId = 'company-1') => ({
      ...ctx,
      recentMinorContracts: [{ id: 'm1', mainCpv: cpv, companyId, awardedOn, amount: '9000' }],
    });
    expect(codes(minor, recent('2026-03-01'))).toEqual(['MINOR_CONTRACT_SPLITTING']);
    expect(codes(minor, recent('2025-11-01'))).toEqual([]);
    expect(codes(minor, recent('2026-03-01', '72000000-5'))).toEqual([]);
    // The same CPV group (909: cleaning services) is the same object for this purpose.
    expect(codes(minor, recent('2026-03-01', '90911200-8'))).toEqual(['MINOR_CONTRACT_SPLITTING']);
    expect(codes(minor, recent('2026-03-01', '90500000-2'))).toEqual([]);
    expect(codes(minor, recent('2026-03-01', '90910000-9', 'company-2'))).toEqual([]);
  });

  it('lists the mandatory documents that are missing', () => {
    const f = checkTender(draft({ documents: ['pcap'] }), ctx).find(
      (x) => x.code === 'MANDATORY_DOCUMENTS_MISSING',
    );
    expect(f?.details).toEqual({ missing: ['memoria_justificativa', 'ppt'] });
  });

  it('requires every custodian to hold a public key, since bids are sealed to those keys', () => {
    expect(codes(draft({ custodians: { count: 3, quorum: 2, withKey: 2 } }))).toContain(
      'CUSTODIAN_KEY_MISSING',
    );
    expect(codes(draft({ custodians: { count: 3, quorum: 2, withKey: 3 } }))).not.toContain(
      'CUSTODIAN_KEY_MISSING',
    );
    const finding = checkTender(draft({ custodians: { count: 3, quorum: 2, withKey: 1 } }), ctx).find(
      (f) => f.code === 'CUSTODIAN_KEY_MISSING',
    );
    expect(finding).toMatchObject({ severity: 'error', details: { custodians: 3, withKey: 1 } });
    // A minor contract has no sealed bids and no custodians.
    expect(
      codes(draft({ procedure: 'menor', custodians: { count: 0, quorum: 2, withKey: 0 } })),
    ).not.toContain('CUSTODIAN_KEY_MISSING');
  });

  it('requires a quorum of at least two custodians, and no more than there are', () => {
    expect(codes(draft({ custodians: { count: 3, quorum: 1, withKey: 3 } }))).toContain(
      'CUSTODIAN_QUORUM_INVALID',
    );
    expect(codes(draft({ custodians: { count: 2, quorum: 3, withKey: 2 } }))).toContain(
      'CUSTODIAN_QUORUM_INVALID',
    );
    expect(codes(draft({ custodians: { count: 2, quorum: 2, withKey: 2 } }))).not.toContain(
      'CUSTODIAN_QUORUM_INVALID',
    );
  });

  it('requires three experts when judgement outweighs formulas, then only reminds of them (art. 146.2.a)', () => {
    const lots = draft().lots.map((l) => ({
      ...l,
      criteria: [
        { kind: 'price' as const, evaluation: 'formula' as const, weight: '35', name: 'Preu', formula: F1 },
        { kind: 'quality' as const, evaluation: 'judgement' as const, weight: '65', name: 'Projecte' },
      ],
    }));
    const severities = (experts: number) =>
      checkTender(draft({ lots, experts }), ctx)
        .filter((x) => x.code === 'EXPERT_COMMITTEE_REQUIRED')
        .map((x) => x.severity);
    // The assignments freeze at publication: without three experts the judgement report could never be approved.
    expect(severities(0)).toEqual(['error', 'error']);
    expect(severities(2)).toEqual(['error', 'error']);
    expect(severities(3)).toEqual(['warning', 'warning']);
    // Equal weights do not call for experts ("more than", art. 146.2.a).
    const even = lots.map((l) => ({
      ...l,
      criteria: l.criteria.map((c) => ({ ...c, weight: '50' })),
    }));
    expect(codes(draft({ lots: even }))).not.toContain('EXPERT_COMMITTEE_REQUIRED');
  });

  it('blocks a bid document declared for an envelope the file does not have', () => {
    // Without judgement criteria there is no envelope B (art. 157.2).
    const formulaOnly = draft().lots.map((l) => ({
      ...l,
      criteria: [
        { kind: 'price' as const, evaluation: 'formula' as const, weight: '35', name: 'Preu', formula: F1 },
        {
          kind: 'quality' as const,
          evaluation: 'formula' as const,
          weight: '65',
          name: 'Termini',
          formula: STEPS,
        },
      ],
    }));
    const findings = checkTender(
      draft({
        lots: formulaOnly,
        bidDocuments: [
          { envelope: 'A', name: 'DEUC', mandatory: true },
          { envelope: 'B', name: 'Memòria tècnica', mandatory: true },
          { envelope: 'B', name: 'Pla de treball', mandatory: false },
          { envelope: 'C', name: 'Oferta econòmica', mandatory: true },
        ],
      }),
      ctx,
    ).filter((f) => f.code === 'BID_DOCUMENT_WITHOUT_ENVELOPE');
    expect(findings).toEqual([
      {
        code: 'BID_DOCUMENT_WITHOUT_ENVELOPE',
        severity: 'error',
        source: 'LCSP art. 157.1–2',
        details: { envelope: 'B', envelopes: ['A', 'C'], documents: ['Memòria tècnica', 'Pla de treball'] },
      },
    ]);
    expect(isPublishable(findings)).toBe(false);
  });

  it('knows the envelopes of the simplified procedures and of minor contracts', () => {
    // Simplified with judgement criteria: B and C, no A (art. 159.4.d); one finding per envelope.
    const simplified = checkTender(
      draft({
        procedure: 'abierto_simplificado',
        estimatedValue: '100000',
        lots: draft().lots.map((l) => ({
          ...l,
          estimatedValue: '50000',
          criteria: [
            {
              kind: 'price' as const,
              evaluation: 'formula' as const,
              weight: '75',
              name: 'Preu',
              formula: F1,
            },
            { kind: 'quality' as const, evaluation: 'judgement' as const, weight: '25', name: 'Projecte' },
          ],
        })),
      }),
      ctx,
    ).filter((f) => f.code === 'BID_DOCUMENT_WITHOUT_ENVELOPE');
    expect(simplified.map((f) => [f.details?.envelope, f.source])).toEqual([['A', 'LCSP art. 159.4.d']]);
    // A minor contract has no envelopes at all: any declared document is misplaced.
    const minor = checkTender(draft({ procedure: 'menor', estimatedValue: '10000' }), ctx).filter(
      (f) => f.code === 'BID_DOCUMENT_WITHOUT_ENVELOPE',
    );
    expect(minor.map((f) => f.details?.envelope)).toEqual(['A', 'B', 'C']);
    expect(codes(draft({ procedure: 'menor', estimatedValue: '10000', bidDocuments: [] }))).not.toContain(
      'BID_DOCUMENT_WITHOUT_ENVELOPE',
    );
  });

  it('gives every finding its legal source', () => {
    const bad = draft({
      lots: [{ number: 1, title: 'x', estimatedValue: '999999', criteria: [] }],
      documents: [],
      tenderDeadline: null,
      custodians: { count: 1, quorum: 1, withKey: 0 },
    });
    const findings = checkTender(bad, ctx);
    expect(findings.length).toBeGreaterThanOrEqual(5);
    for (const f of findings) expect(f.source.length, f.code).toBeGreaterThan(5);
  });
});

describe('pre-publication checks on the real business-day calendar', () => {
  it('moves a 15-day period ending on Christmas to the next business day, 28 December 2026', async () => {
    const { earliestDeadline, makeCalendar } = await import('../calendar/calendar.rules.js');
    const { HOLIDAYS } = await import('../calendar/holidays.data.js');
    const cal = makeCalendar(
      'Europe/Madrid',
      HOLIDAYS.map((h) => h.day),
    );
    // Published on Thursday 10 December 2026 (Madrid); day 15 is Friday 25 December (holiday),
    // then Saturday 26 (Sant Esteve), Sunday 27: the first business day is Monday 28 (art. 30.5).
    const published = new Date('2026-12-10T09:00:00Z');
    const realCtx: CheckContext = {
      ...ctx,
      now: published,
      today: '2026-12-10',
      earliestDeadline: (s, r) => earliestDeadline(s, r, cal),
    };
    const at = (iso: string) =>
      codes(draft({ tenderDeadline: new Date(iso), questionsDeadline: null }), realCtx);
    expect(at('2026-12-27T22:59:59Z')).toContain('TENDER_PERIOD_TOO_SHORT');
    expect(at('2026-12-27T23:00:00Z')).not.toContain('TENDER_PERIOD_TOO_SHORT');
  });
});

describe('formulas and abnormal-offer parameters (arts. 145.5, 146.2, 149.2)', () => {
  const withCriteria = (
    criteria: TenderDraft['lots'][number]['criteria'],
    lot: Partial<TenderDraft['lots'][number]> = {},
  ) => draft({ lots: draft().lots.map((l) => ({ ...l, ...lot, criteria })) });
  const lot1 = (d: TenderDraft) => checkTender(d, ctx).filter((f) => f.lot === 1);

  it('blocks a formula criterion without a spec and a judgement criterion with one', () => {
    const d = withCriteria([
      { kind: 'price', evaluation: 'formula', weight: '35', name: 'Preu' },
      { kind: 'quality', evaluation: 'formula', weight: '25', name: 'Social', formula: STEPS },
      { kind: 'quality', evaluation: 'judgement', weight: '40', name: 'Memòria', formula: STEPS },
    ]);
    const found = lot1(d).map((f) => [f.code, f.severity, f.details?.criterion]);
    expect(found).toEqual([
      ['FORMULA_MISSING', 'error', 1],
      ['FORMULA_NOT_ALLOWED', 'error', 3],
    ]);
    expect(isPublishable(checkTender(d, ctx))).toBe(false);
  });

  it('blocks an invalid spec with the validator’s problem codes', () => {
    const bad = {
      kind: 'price',
      formula: 'F3',
      params: {},
      decimals: 2,
      zeroDivisor: 'all_zero',
    } as FormulaSpec;
    const tooHigh = { ...bad, params: { minPoints: '35' } } as FormulaSpec;
    const d = withCriteria([
      { kind: 'price', evaluation: 'formula', weight: '35', name: 'Preu', formula: bad },
      { kind: 'quality', evaluation: 'formula', weight: '25', name: 'Social', formula: STEPS },
      { kind: 'quality', evaluation: 'judgement', weight: '40', name: 'Memòria' },
    ]);
    const [f] = lot1(d);
    expect(f).toMatchObject({ code: 'FORMULA_INVALID', severity: 'error', lot: 1 });
    expect(f?.details?.problems).toEqual(['PARAM_MISSING:params.minPoints']);
    // P_0 must stay below P_max, the criterion's weight.
    const d2 = withCriteria([
      { kind: 'price', evaluation: 'formula', weight: '35', name: 'Preu', formula: tooHigh },
      { kind: 'quality', evaluation: 'formula', weight: '65', name: 'Social', formula: STEPS },
    ]);
    expect(lot1(d2)[0]?.details?.problems).toEqual(['MIN_POINTS_OUT_OF_RANGE:params.minPoints']);
  });

  it('blocks a price criterion with a scale and another criterion with a price formula', () => {
    const d = withCriteria([
      { kind: 'price', evaluation: 'formula', weight: '35', name: 'Preu', formula: STEPS },
      { kind: 'quality', evaluation: 'formula', weight: '25', name: 'Social', formula: F1 },
      { kind: 'cost', evaluation: 'formula', weight: '40', name: 'Cicle de vida', formula: F1 },
    ]);
    const mismatches = lot1(d).filter((f) => f.code === 'FORMULA_KIND_MISMATCH');
    expect(mismatches.map((f) => [f.code, f.details?.criterion])).toEqual([
      ['FORMULA_KIND_MISMATCH', 1],
      ['FORMULA_KIND_MISMATCH', 2],
      ['FORMULA_KIND_MISMATCH', 3],
    ]);
  });

  it('warns about F5 and F6 (contested doctrine, §5) without blocking', () => {
    const f5 = {
      kind: 'price',
      formula: 'F5',
      params: { satiety: '0.2' },
      decimals: 2,
      zeroDivisor: 'all_zero',
    } as const;
    const d = withCriteria([
      { kind: 'price', evaluation: 'formula', weight: '35', name: 'Preu', formula: f5 },
      { kind: 'quality', evaluation: 'formula', weight: '25', name: 'Social', formula: STEPS },
      { kind: 'quality', evaluation: 'judgement', weight: '40', name: 'Memòria' },
    ]);
    const findings = checkTender(d, ctx);
    expect(findings.map((f) => [f.code, f.severity, f.lot])).toEqual([
      ['FORMULA_CONTESTED', 'warning', 1],
      ['FORMULA_CONTESTED', 'warning', 2],
    ]);
    expect(isPublishable(findings)).toBe(true);
  });

  it('requires the notice’s abnormal-offer parameters with several criteria, not with price alone', () => {
    const several = withCriteria(draft().lots[0]!.criteria, { abnormal: undefined });
    const missing = checkTender(several, ctx).filter((f) => f.code === 'ABNORMAL_PARAMETERS_MISSING');
    expect(missing.map((f) => [f.lot, f.severity, f.source])).toEqual([
      [1, 'error', 'LCSP art. 149.2.b; procurement-rules.md §3 E2'],
      [2, 'error', 'LCSP art. 149.2.b; procurement-rules.md §3 E2'],
    ]);
    // Art. 85 adopted by reference is a parameter the notice states.
    expect(codes(withCriteria(draft().lots[0]!.criteria, { abnormal: 'rglcap85' }))).toEqual([]);
    // Price alone: RGLCAP art. 85 applies by default (art. 149.2.a).
    const priceOnly = withCriteria(
      [{ kind: 'price', evaluation: 'formula', weight: '100', name: 'Preu', formula: F1 }],
      { abnormal: undefined },
    );
    const noB = { ...priceOnly, bidDocuments: priceOnly.bidDocuments.filter((x) => x.envelope !== 'B') };
    expect(codes(noB, { ...ctx, priceWeightCap: '100' })).toEqual([]);
  });

  it('blocks invalid abnormal-offer parameters', () => {
    const bad = { kind: 'notice', tests: [{ kind: 'percent_below_mean', units: '150' }] } as AbnormalRule;
    const d = withCriteria(draft().lots[0]!.criteria, { abnormal: bad });
    const f = checkTender(d, ctx).find((x) => x.code === 'ABNORMAL_PARAMETERS_INVALID');
    expect(f).toMatchObject({
      severity: 'error',
      lot: 1,
      details: { problems: ['RULE_INVALID:rule.tests[0]'] },
    });
    const settings = withCriteria(draft().lots[0]!.criteria, {
      abnormalSettings: { comparison: 'loose' } as unknown as TenderDraft['lots'][number]['abnormalSettings'],
    });
    expect(codes(settings)).toContain('ABNORMAL_PARAMETERS_INVALID');
  });
});
