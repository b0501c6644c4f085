import type { ContractType, ProcedureCode } from '../procedures/procedure.types.js';

/**
 * A planned contract moves from `planned` either to `file_started` (its procurement file was
 * created from it) or to `withdrawn` (the authority dropped it). Both are final: the plan keeps a
 * public record of what was announced and what became of it.
 */
export const PLAN_STATUSES = ['planned', 'file_started', 'withdrawn'] as const;
export type PlanStatus = (typeof PLAN_STATUSES)[number];

export type Names = { ca: string; es: string; en: string };

/** A planned contract as the officer writes it. */
export type PlannedContractInput = {
  title: Names;
  description?: Names | undefined;
  contractType: ContractType;
  procedure: ProcedureCode;
  /** "90910000" or "90910000-9"; stored with the official check digit. */
  mainCpv: string;
  /** Valor estimado (art. 101), euros excluding VAT, decimal string. */
  estimatedValue: string;
  expectedYear: number;
  expectedQuarter: number;
  lotCount?: number | undefined;
  reservedLots?: number | undefined;
};

/** A warning about a planned contract: it does not block the plan, the file's checks will. */
export type PlanFinding = { code: string; source: string; limit?: string };

export type PlannedContractView = {
  id: string;
  authorityId: string;
  status: PlanStatus;
  version: number;
  title: Names;
  description: Names;
  contractType: ContractType;
  procedure: ProcedureCode;
  mainCpv: string;
  estimatedValue: string;
  expectedYear: number;
  expectedQuarter: number;
  lotCount: number;
  reservedLots: number;
  tenderId: string | null;
  withdrawalReason: string | null;
  createdAt: string;
  updatedAt: string;
  findings: PlanFinding[];
};

/** A planned contract as the public plan shows it, with its authority. */
export type PublicPlannedContract = Omit<
  PlannedContractView,
  'version' | 'findings' | 'createdAt' | 'tenderId'
> & {
  authority: { id: string; name: Names };
};

export type PlanSearchInput = {
  q?: string | undefined;
  authority?: string | undefined;
  cpv?: string | undefined;
  year?: number | undefined;
  quarter?: number | undefined;
  procedure?: ProcedureCode | undefined;
  contractType?: ContractType | undefined;
  status?: PlanStatus | undefined;
  minValue?: string | undefined;
  maxValue?: string | undefined;
  page?: number | undefined;
  pageSize?: number | undefined;
};

export type PlanSearchResult = {
  total: number;
  page: number;
  pageSize: number;
  items: PublicPlannedContract[];
};
