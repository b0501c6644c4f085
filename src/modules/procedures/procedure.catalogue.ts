import type { ContractType, PeriodRule, ProcedureCode, ProcedureDefinition } from './procedure.types.js';

const ORDINARY_TYPES: readonly ContractType[] = ['works', 'supplies', 'services', 'mixed'];
const ALL_TYPES: readonly ContractType[] = [
  'works',
  'supplies',
  'services',
  'works_concession',
  'services_concession',
  'mixed',
];

/**
 * Minimum periods of the open procedure (art. 156). Harmonised contracts count from the
 * dispatch of the notice to the EU Publications Office; others from publication in the perfil.
 */
const OPEN_PERIODS: readonly PeriodRule[] = [
  {
    days: 30,
    unit: 'calendar',
    from: 'dispatch_to_eu',
    when: { harmonised: true, isConcession: true },
    source: 'LCSP art. 156.6',
  },
  {
    days: 15,
    unit: 'calendar',
    from: 'dispatch_to_eu',
    when: { harmonised: true, urgent: true },
    source: 'LCSP art. 156.3.b',
  },
  {
    days: 15,
    unit: 'calendar',
    from: 'dispatch_to_eu',
    when: { harmonised: true, priorInformationNotice: true },
    source: 'LCSP art. 156.3.a',
  },
  {
    days: 30,
    unit: 'calendar',
    from: 'dispatch_to_eu',
    when: { harmonised: true, electronicSubmission: true },
    source: 'LCSP art. 156.3.c (35 days less 5 for electronic submission)',
  },
  {
    days: 35,
    unit: 'calendar',
    from: 'dispatch_to_eu',
    when: { harmonised: true },
    source: 'LCSP art. 156.2',
  },
  {
    days: 26,
    unit: 'calendar',
    from: 'publication',
    when: { harmonised: false, isWorks: true },
    source: 'LCSP art. 156.6',
  },
  { days: 15, unit: 'calendar', from: 'publication', when: { harmonised: false }, source: 'LCSP art. 156.6' },
];

/** Tender periods of the restricted procedure after the invitation (art. 164.1); also negotiation with publication (art. 169). */
const INVITED_TENDER_PERIODS: readonly PeriodRule[] = [
  {
    days: 10,
    unit: 'calendar',
    from: 'invitation',
    when: { harmonised: true, urgent: true },
    source: 'LCSP art. 164.1 with art. 119',
  },
  { days: 30, unit: 'calendar', from: 'invitation', when: { harmonised: true }, source: 'LCSP art. 164.1' },
  { days: 10, unit: 'calendar', from: 'invitation', when: { harmonised: false }, source: 'LCSP art. 164.1' },
];

/** Periods for requests to participate (art. 161). */
const REQUEST_PERIODS: readonly PeriodRule[] = [
  {
    days: 15,
    unit: 'calendar',
    from: 'dispatch_to_eu',
    when: { harmonised: true, urgent: true },
    source: 'LCSP art. 161.1 with art. 119',
  },
  {
    days: 30,
    unit: 'calendar',
    from: 'dispatch_to_eu',
    when: { harmonised: true },
    source: 'LCSP art. 161.1',
  },
  { days: 15, unit: 'calendar', from: 'publication', when: { harmonised: false }, source: 'LCSP art. 161.2' },
];

/**
 * The procedure catalogue. Adding a procedure, or changing a period, is a change to this data;
 * the rules in `procedure.rules.ts` read it and have no branch per procedure.
 * Periods marked [K] in the reference (restricted and negotiated request periods) are to be
 * confirmed against the consolidated BOE text; they live here, in one place, for that reason.
 */
export const PROCEDURES: Record<ProcedureCode, ProcedureDefinition> = {
  menor: {
    code: 'menor',
    articles: 'LCSP art. 118',
    contractTypes: ['works', 'supplies', 'services'],
    valueLimits: {
      works: { threshold: 'minor_works', comparison: 'lt' },
      supplies: { threshold: 'minor_services_supplies', comparison: 'lt' },
      services: { threshold: 'minor_services_supplies', comparison: 'lt' },
    },
    envelopes: 'none',
    published: false,
    twoPhase: false,
    negotiated: false,
    committeeRequired: false,
    tenderPeriod: [],
    eformsCode: null,
  },
  abierto_simplificado_abreviado: {
    code: 'abierto_simplificado_abreviado',
    articles: 'LCSP art. 159.6',
    contractTypes: ['works', 'supplies', 'services'],
    valueLimits: {
      works: { threshold: 'abbreviated_works', comparison: 'lt' },
      supplies: { threshold: 'abbreviated_services_supplies', comparison: 'lt' },
      services: { threshold: 'abbreviated_services_supplies', comparison: 'lt' },
    },
    excludesIntellectualServices: true,
    // No judgement criteria at all (art. 159.6.c).
    judgementWeightCap: { default: '0' },
    envelopes: 'single',
    published: true,
    twoPhase: false,
    negotiated: false,
    committeeRequired: false,
    tenderPeriod: [
      {
        days: 5,
        unit: 'business',
        from: 'publication',
        when: { routinePurchase: true },
        source: 'LCSP art. 159.6.a',
      },
      { days: 10, unit: 'business', from: 'publication', source: 'LCSP art. 159.6.a' },
    ],
    eformsCode: 'open',
  },
  abierto_simplificado: {
    code: 'abierto_simplificado',
    articles: 'LCSP art. 159.1–5',
    contractTypes: ['works', 'supplies', 'services'],
    valueLimits: {
      works: { threshold: 'simplified_works', comparison: 'lte' },
      supplies: { threshold: 'simplified_services_supplies', comparison: 'lt' },
      services: { threshold: 'simplified_services_supplies', comparison: 'lt' },
    },
    judgementWeightCap: { default: '25', intellectualServices: '45' },
    envelopes: 'simplified',
    published: true,
    twoPhase: false,
    negotiated: false,
    committeeRequired: true,
    tenderPeriod: [
      { days: 20, unit: 'calendar', from: 'publication', when: { isWorks: true }, source: 'LCSP art. 159.3' },
      { days: 15, unit: 'calendar', from: 'publication', source: 'LCSP art. 159.3' },
    ],
    eformsCode: 'open',
  },
  abierto: {
    code: 'abierto',
    articles: 'LCSP arts. 156–158',
    contractTypes: ALL_TYPES,
    valueLimits: {},
    envelopes: 'abc',
    published: true,
    twoPhase: false,
    negotiated: false,
    committeeRequired: true,
    tenderPeriod: OPEN_PERIODS,
    eformsCode: 'open',
  },
  restringido: {
    code: 'restringido',
    articles: 'LCSP arts. 160–165',
    contractTypes: ALL_TYPES,
    valueLimits: {},
    envelopes: 'abc',
    published: true,
    twoPhase: true,
    negotiated: false,
    minimumCandidates: 5,
    committeeRequired: true,
    tenderPeriod: INVITED_TENDER_PERIODS,
    requestPeriod: REQUEST_PERIODS,
    eformsCode: 'restricted',
  },
  licitacion_con_negociacion: {
    code: 'licitacion_con_negociacion',
    articles: 'LCSP arts. 166–171',
    contractTypes: ORDINARY_TYPES,
    valueLimits: {},
    envelopes: 'abc',
    published: true,
    twoPhase: true,
    negotiated: true,
    minimumCandidates: 3,
    committeeRequired: true,
    tenderPeriod: INVITED_TENDER_PERIODS,
    requestPeriod: REQUEST_PERIODS,
    eformsCode: 'neg-w-call',
  },
  negociado_sin_publicidad: {
    code: 'negociado_sin_publicidad',
    articles: 'LCSP art. 168',
    contractTypes: ORDINARY_TYPES,
    valueLimits: {},
    envelopes: 'abc',
    published: false,
    twoPhase: false,
    negotiated: true,
    // The committee is optional here (art. 326.1).
    committeeRequired: false,
    tenderPeriod: [],
    eformsCode: 'neg-wo-call',
  },
};
