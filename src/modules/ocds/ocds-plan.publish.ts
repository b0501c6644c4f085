/**
 * OCDS releases of the contracting plan (issue 6 point 1; art. 28.4 LCSP): adding an entry to the
 * plan → `planning`; changing it or withdrawing it → `planningUpdate`. Every entry of the plan is
 * public from the moment it is added (planned-contract.service.ts: searchPlan shows planned and
 * file_started entries, and withdrawn ones on request), so every such act publishes.
 *
 * The release is under the entry's own ocid (prefix + entry id, release.build.ts planningRelease):
 * the file started from it is a draft, whose id is not public (PublicPlannedContract omits
 * tenderId), until its notice is published; the `tender` release then links back to the entry
 * (relatedProcesses `planning`, ocds-tender.publish.ts). Starting the file publishes nothing here,
 * for the same reason.
 */
import type { Tx } from '../../platform/db/tx.js';
import { findPlannedContract } from '../plan/planned-contract.repo.js';
import type { PlanStatus } from '../plan/planned-contract.types.js';
import type { ContractType, ProcedureCode } from '../procedures/procedure.types.js';
import { publishRelease } from './ocds-publish.context.js';
import type { RecordReleaseResult } from './ocds-publish.service.js';
import { planningRelease } from './release.build.js';
import type { OcdsPlannedContract } from './release.types.js';

export type PlanStage = 'planning' | 'planningUpdate';

/**
 * Publishes the release of a plan act, in the act's transaction `trx`, right after the act wrote
 * the entry and its audit event `eventId`. Without a publisher, nothing (ocds-publish.context.ts).
 */
export async function publishPlanStage(
  trx: Tx,
  input: { stage: PlanStage; authorityId: string; plannedContractId: string; eventId: string },
): Promise<RecordReleaseResult | undefined> {
  return publishRelease(trx, input, async (ctx, event) => {
    const row = await findPlannedContract(trx, input.authorityId, input.plannedContractId);
    if (!row) throw new Error(`planned contract ${input.plannedContractId} not found`);
    const plan: OcdsPlannedContract = {
      id: row.id,
      status: row.status as PlanStatus,
      title: { ca: row.title_ca, es: row.title_es, en: row.title_en },
      description: { ca: row.description_ca, es: row.description_es, en: row.description_en },
      contractType: row.contract_type as ContractType,
      procedure: row.procedure as ProcedureCode,
      mainCpv: row.main_cpv,
      estimatedValue: row.estimated_value,
      expectedYear: row.expected_year,
      expectedQuarter: row.expected_quarter,
      lotCount: row.lot_count,
      reservedLots: row.reserved_lots,
      withdrawalReason: row.withdrawal_reason,
      // Not public while the file is a draft (see above): the entry keeps its own ocid.
      tenderId: null,
    };
    return planningRelease(ctx, plan, event, { update: input.stage === 'planningUpdate' });
  });
}
