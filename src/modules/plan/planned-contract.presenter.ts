import type { ContractType, ProcedureCode } from '../procedures/procedure.types.js';
import { planFindings } from './planned-contract.rules.js';
import type { PlannedContractRow, PlanSearchRow } from './planned-contract.repo.js';
import type { PlannedContractView, PlanStatus, PublicPlannedContract } from './planned-contract.types.js';

const names = (ca: string, es: string, en: string) => ({ ca, es, en });

/** The back-office view of an entry, with the procedure warnings for its type and value. */
export function presentPlannedContract(r: PlannedContractRow): PlannedContractView {
  const base = {
    procedure: r.procedure as ProcedureCode,
    contractType: r.contract_type as ContractType,
    estimatedValue: r.estimated_value,
    expectedYear: r.expected_year,
    expectedQuarter: r.expected_quarter,
  };
  return {
    id: r.id,
    authorityId: r.authority_id,
    status: r.status as PlanStatus,
    version: r.version,
    title: names(r.title_ca, r.title_es, r.title_en),
    description: names(r.description_ca, r.description_es, r.description_en),
    mainCpv: r.main_cpv,
    lotCount: r.lot_count,
    reservedLots: r.reserved_lots,
    tenderId: r.tender_id,
    withdrawalReason: r.withdrawal_reason,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
    ...base,
    findings: r.status === 'planned' ? planFindings(base) : [],
  };
}

/** The public view: what the plan announces, and which file it became. */
export function presentPublicPlannedContract(r: PlanSearchRow): PublicPlannedContract {
  return {
    id: r.id,
    authorityId: r.authority_id,
    authority: {
      id: r.authority_id,
      name: names(r.authority_name_ca, r.authority_name_es, r.authority_name_en),
    },
    status: r.status as PlanStatus,
    title: names(r.title_ca, r.title_es, r.title_en),
    description: names(r.description_ca, r.description_es, r.description_en),
    contractType: r.contract_type as ContractType,
    procedure: r.procedure as ProcedureCode,
    mainCpv: r.main_cpv,
    estimatedValue: r.estimated_value,
    expectedYear: r.expected_year,
    expectedQuarter: r.expected_quarter,
    lotCount: r.lot_count,
    reservedLots: r.reserved_lots,
    withdrawalReason: r.withdrawal_reason,
    updatedAt: r.updated_at.toISOString(),
  };
}
