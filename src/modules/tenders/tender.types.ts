import type { AbnormalRule, AbnormalSettings } from '../evaluation/abnormal.types.js';
import type { FormulaSpec } from '../evaluation/formula.types.js';
import type { ContractType, EnvelopeCode, ProcedureCode } from '../procedures/procedure.types.js';
import type { ValueBreakdown } from './tender.input.js';

/** Criterion kinds (eForms BT-539): price, cost (e.g. life-cycle cost) or quality. */
export type CriterionKind = 'price' | 'cost' | 'quality';
/** How a criterion is evaluated: by formula (envelope C) or by judgement (juicio de valor, envelope B). */
export type CriterionEvaluation = 'formula' | 'judgement';

export type AwardCriterion = {
  kind: CriterionKind;
  evaluation: CriterionEvaluation;
  /** Percent of the total score, decimal string. */
  weight: string;
  name: string;
  /**
   * The formula and its parameters exactly as the notice publishes them: required for formula
   * criteria, absent for judgement criteria. Stored as received (it may be invalid while the file
   * is a draft: the pre-publication checks block it, FORMULA_INVALID). The criterion's weight is its P_max.
   */
  formula?: FormulaSpec;
};

export type Lot = {
  number: number;
  title: string;
  /** Euros excluding VAT, decimal string. */
  estimatedValue: string;
  criteria: AwardCriterion[];
  /**
   * The notice's parameters for offers presumed abnormally low (art. 149.2): RGLCAP art. 85 or the
   * notice's own tests. Absent: not declared (RGLCAP art. 85 applies by default to price-only lots).
   * Stored as received; the checks validate it (ABNORMAL_PARAMETERS_INVALID).
   */
  abnormal?: AbnormalRule;
  /** The readings of the open points of procurement-rules.md §6 the notice adopts (partial: defaults for the rest). */
  abnormalSettings?: Partial<AbnormalSettings>;
};

/** The document kinds a file may carry; the first three are required before publication (art. 116, art. 63.3). */
export type DocumentKind = 'memoria_justificativa' | 'pcap' | 'ppt' | 'informe_necesidad' | 'other';

/**
 * The facts of a procurement file (expediente) that the pre-publication checks look at. The
 * repository builds it from the stored file; the checks never read the database themselves.
 */
export type TenderDraft = {
  procedure: ProcedureCode;
  contractType: ContractType;
  /** Valor estimado (art. 101): excludes VAT, includes options, extensions and foreseen modifications. */
  estimatedValue: string;
  /** Its art. 101 components, when the file states them. */
  valueBreakdown: ValueBreakdown | null;
  mainCpv: string;
  intellectualServices: boolean;
  socialServices: boolean;
  urgent: boolean;
  priorInformationNotice: boolean;
  routinePurchase: boolean;
  lots: Lot[];
  /** Required when there is a single lot (art. 99.3). */
  singleLotJustification: string | null;
  /** Required when the price weight is above the authority's cap. */
  priceWeightJustification: string | null;
  tenderDeadline: Date | null;
  questionsDeadline: Date | null;
  /** Requests to participate are due by then (two-phase procedures, art. 161). */
  participationDeadline: Date | null;
  documents: DocumentKind[];
  /** What bidders must submit, per envelope (names in Catalan, as lot titles). */
  bidDocuments: { envelope: EnvelopeCode; name: string; mandatory: boolean }[];
  /**
   * The key custodians assigned, the quorum k needed to open bids, and how many of them hold an
   * active public key (bids are sealed to those keys at publication).
   */
  custodians: { count: number; quorum: number; withKey: number };
  /** The experts assigned to score judgement criteria where art. 146.2.a applies. */
  experts: number;
  /** Company tax ids invited or foreseen (minor contracts), for the 12-month splitting check. */
  invitedCompanyIds: string[];
};

/** A minor contract of the same authority awarded earlier, for the splitting guard (art. 118). */
export type RecentMinorContract = {
  id: string;
  mainCpv: string;
  companyId: string;
  awardedOn: string;
  amount: string;
};

export type CheckSeverity = 'error' | 'warning';

export type CheckCode =
  | 'PROCEDURE_NOT_ALLOWED'
  | 'TENDER_PERIOD_TOO_SHORT'
  | 'REQUEST_PERIOD_TOO_SHORT'
  | 'PARTICIPATION_DEADLINE_MISSING'
  | 'PARTICIPATION_AFTER_TENDER_DEADLINE'
  | 'DEADLINE_MISSING'
  | 'QUESTIONS_AFTER_DEADLINE'
  | 'PRICE_WEIGHT_ABOVE_CAP'
  | 'JUDGEMENT_WEIGHT_ABOVE_CAP'
  | 'WEIGHTS_NOT_100'
  | 'NO_CRITERIA'
  | 'SINGLE_LOT_WITHOUT_JUSTIFICATION'
  | 'VALUE_NEAR_THRESHOLD'
  | 'LOTS_EXCEED_VALUE'
  | 'MODIFICATIONS_ABOVE_LIMIT'
  | 'MINOR_CONTRACT_SPLITTING'
  | 'MANDATORY_DOCUMENTS_MISSING'
  | 'BID_DOCUMENT_WITHOUT_ENVELOPE'
  | 'CUSTODIAN_QUORUM_INVALID'
  | 'CUSTODIAN_KEY_MISSING'
  | 'EXPERT_COMMITTEE_REQUIRED'
  | 'FORMULA_MISSING'
  | 'FORMULA_INVALID'
  | 'FORMULA_NOT_ALLOWED'
  | 'FORMULA_KIND_MISMATCH'
  | 'FORMULA_CONTESTED'
  | 'ABNORMAL_PARAMETERS_MISSING'
  | 'ABNORMAL_PARAMETERS_INVALID';

/** One finding of the pre-publication checks, with the rule it comes from. */
export type CheckFinding = {
  code: CheckCode;
  severity: CheckSeverity;
  /** Where the rule comes from (article of law, or the authority's own policy). */
  source: string;
  /** The lot concerned, when the finding is per lot. */
  lot?: number;
  details?: Record<string, string | number | string[]>;
};
