import type { AbnormalRule, AbnormalSettings } from '../evaluation/abnormal.types.js';
import type { FormulaSpec } from '../evaluation/formula.types.js';
import type { CriterionEvaluation, CriterionKind } from './tender.types.js';
import type { ContractType, EnvelopeCode, ProcedureCode } from '../procedures/procedure.types.js';

type Names = { ca: string; es: string; en: string };

/** The components of the estimated value (art. 101.2 LCSP), euros excluding VAT, decimal strings. */
export type ValueBreakdown = {
  /** The contract's amount for its initial term. */
  base: string;
  /** Options the authority may exercise (101.2.a). */
  options: string;
  /** Foreseen extensions, prórrogas (101.2.a, art. 29.2). */
  extensions: string;
  /** Modifications foreseen in the PCAP (101.2.c, art. 204): at most 20 % of the initial price. */
  modifications: string;
  /** Prizes or payments to candidates or bidders (101.2.b). */
  prizes: string;
};

/** A file as the officer edits it: the whole structure, lots and criteria included. */
export type TenderInput = {
  reference: string;
  procedure: ProcedureCode;
  contractType: ContractType;
  title: Names;
  description?: Names | undefined;
  mainCpv: string;
  additionalCpvs?: string[] | undefined;
  /**
   * Valor estimado excluding VAT. May be omitted when `valueBreakdown` is given: it is then the
   * sum of the components; when both are given they must agree.
   */
  estimatedValue?: string | undefined;
  valueBreakdown?: ValueBreakdown | null | undefined;
  budgetExclVat: string;
  budgetInclVat: string;
  durationMonths?: number | undefined;
  nutsCode?: string | undefined;
  intellectualServices?: boolean | undefined;
  socialServices?: boolean | undefined;
  urgent?: boolean | undefined;
  priorInformationNotice?: boolean | undefined;
  routinePurchase?: boolean | undefined;
  singleLotJustification?: string | null | undefined;
  priceWeightJustification?: string | null | undefined;
  maxLotsPerBidder?: number | undefined;
  maxLotsAwarded?: number | undefined;
  questionsDeadline?: string | null | undefined;
  tenderDeadline?: string | null | undefined;
  /** Two-phase procedures: requests to participate are due by then (art. 161 LCSP). */
  participationDeadline?: string | null | undefined;
  openingAt?: string | null | undefined;
  custodianQuorum?: number | undefined;
  /**
   * The documents bidders must submit, per envelope (A administrative/ESPD, B judgement, C
   * formula). Omitted: the ESPD alone (bid-document.rules.ts defaultBidDocuments); an empty list
   * declares none. `mandatory` defaults to true.
   */
  bidDocuments?: { envelope: EnvelopeCode; name: Names; mandatory?: boolean | undefined }[] | undefined;
  lots: {
    number: number;
    title: Names;
    estimatedValue: string;
    budgetExclVat: string;
    mainCpv: string;
    reserved?: boolean | undefined;
    /** The notice's parameters for abnormally low offers (art. 149.2); omitted: not declared. */
    abnormal?: AbnormalRule | undefined;
    abnormalSettings?: Partial<AbnormalSettings> | undefined;
    criteria: {
      kind: CriterionKind;
      evaluation: CriterionEvaluation;
      weight: string;
      name: Names;
      /** Formula criteria: the spec as the notice will publish it (evaluation/formula.types.ts). */
      formula?: FormulaSpec | undefined;
    }[];
  }[];
};
