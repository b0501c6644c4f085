import type { CriterionEvaluation, CriterionKind } from './tender.types.js';
import type { ContractType, ProcedureCode } from '../procedures/procedure.types.js';

type Names = { ca: string; es: string; en: string };

/** A file as the officer edits it: the whole structure, lots and criteria included. */
export type TenderInput = {
  reference: string;
  procedure: ProcedureCode;
  contractType: ContractType;
  title: Names;
  description?: Names | undefined;
  mainCpv: string;
  additionalCpvs?: string[] | undefined;
  estimatedValue: string;
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
  openingAt?: string | null | undefined;
  custodianQuorum?: number | undefined;
  lots: {
    number: number;
    title: Names;
    estimatedValue: string;
    budgetExclVat: string;
    mainCpv: string;
    reserved?: boolean | undefined;
    criteria: {
      kind: CriterionKind;
      evaluation: CriterionEvaluation;
      weight: string;
      name: Names;
      formula?: string | undefined;
      formulaParams?: Record<string, string> | undefined;
    }[];
  }[];
};
