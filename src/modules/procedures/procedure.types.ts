/** Contract types (LCSP arts. 12–18). Mapped to eForms BT-23 by `CONTRACT_NATURE`. */
export const CONTRACT_TYPES = [
  'works',
  'supplies',
  'services',
  'works_concession',
  'services_concession',
  'mixed',
] as const;
export type ContractType = (typeof CONTRACT_TYPES)[number];

/** The LCSP procedures Contracta runs. */
export const PROCEDURE_CODES = [
  'menor',
  'abierto_simplificado_abreviado',
  'abierto_simplificado',
  'abierto',
  'restringido',
  'licitacion_con_negociacion',
  'negociado_sin_publicidad',
] as const;
export type ProcedureCode = (typeof PROCEDURE_CODES)[number];

/** Envelopes (sobres): A administrative/ESPD, B judgement criteria, C formula criteria. */
export type EnvelopeCode = 'A' | 'B' | 'C';

/** Keys of the date-effective threshold table. */
export type ThresholdKey =
  | 'minor_works'
  | 'minor_services_supplies'
  | 'simplified_works'
  | 'simplified_services_supplies'
  | 'abbreviated_works'
  | 'abbreviated_services_supplies'
  | 'harmonised_works'
  | 'harmonised_services_supplies'
  | 'harmonised_social_services'
  | 'special_appeal_works'
  | 'special_appeal_services_supplies';

/**
 * One row of the threshold table. Amounts exclude VAT and are compared against the estimated
 * value (valor estimado, art. 101), never against the budget including VAT.
 */
export type ThresholdRow = {
  key: ThresholdKey;
  /** Euros, decimal string. */
  amount: string;
  /** First day the value applies (inclusive), ISO date. */
  validFrom: string;
  /** Last day the value applies (inclusive), ISO date; undefined while in force. */
  validTo?: string;
  source: string;
};

/** What the facts of a file are, as far as the procedure rules care. */
export type ProcedureFacts = {
  contractType: ContractType;
  /** Estimated value (art. 101), euros excluding VAT, decimal string. */
  estimatedValue: string;
  /** Services of an intellectual nature (architecture, engineering, consultancy…): art. 159.1 and 159.6. */
  intellectualServices?: boolean;
  /** Social and other specific services of Annex IV LCSP. */
  socialServices?: boolean;
};

/** Conditions a minimum-period rule may depend on. */
export type PeriodFacts = {
  harmonised: boolean;
  contractType: ContractType;
  /** A prior information notice was published (art. 156.3.a). */
  priorInformationNotice?: boolean;
  /** Urgent processing declared (art. 119). */
  urgent?: boolean;
  /** Routine purchase of goods available on the market (art. 159.6.b). */
  routinePurchase?: boolean;
  /** Tenders are submitted electronically: always true on Contracta, kept explicit for the rule. */
  electronicSubmission: boolean;
};

export type DayUnit = 'calendar' | 'business';

/** Where a period is counted from. */
export type PeriodStart = 'publication' | 'dispatch_to_eu' | 'invitation';

/** A minimum tender period: the first rule whose `when` holds applies. */
export type PeriodRule = {
  days: number;
  unit: DayUnit;
  from: PeriodStart;
  when?: Partial<
    Record<
      | 'harmonised'
      | 'priorInformationNotice'
      | 'urgent'
      | 'routinePurchase'
      | 'electronicSubmission'
      | 'isWorks'
      | 'isConcession',
      boolean
    >
  >;
  source: string;
};

export type ProcedureDefinition = {
  code: ProcedureCode;
  /** LCSP articles that govern it. */
  articles: string;
  contractTypes: readonly ContractType[];
  /**
   * Value limits per contract type: the estimated value must be below (`lt`) or at most (`lte`)
   * the threshold. Types not listed have no limit.
   */
  valueLimits: Partial<Record<ContractType, { threshold: ThresholdKey; comparison: 'lt' | 'lte' }>>;
  /** Intellectual services are excluded (art. 159.6). */
  excludesIntellectualServices?: boolean;
  /** Maximum weight of judgement criteria, percent; undefined means no cap. */
  judgementWeightCap?: { default: string; intellectualServices?: string };
  /** How envelopes follow from the criteria. */
  envelopes: 'none' | 'single' | 'simplified' | 'abc';
  /** A published call for tenders (false for minor contracts and negotiated without publication). */
  published: boolean;
  /** Two phases: requests to participate, then invited tenders. */
  twoPhase: boolean;
  /** Offers are negotiated in rounds before the final, sealed offers (arts. 166–171). */
  negotiated: boolean;
  /** Minimum candidates invited in the second phase. */
  minimumCandidates?: number;
  /** A contracting committee (mesa) is required. */
  committeeRequired: boolean;
  /** Minimum tender-period rules, first match wins; empty when the invitation sets it. */
  tenderPeriod: readonly PeriodRule[];
  /** Minimum period for requests to participate (two-phase procedures). */
  requestPeriod?: readonly PeriodRule[];
  /** eForms BT-105 code. */
  eformsCode: string | null;
};
