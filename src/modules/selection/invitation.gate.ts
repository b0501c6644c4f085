/**
 * The one question the bids module asks of the selection phase: may this company bid? Kept apart
 * from selection.service.ts so that bids and selection do not import each other.
 */
import type { ServiceContext } from '../../platform/context.js';
import type { Tx } from '../../platform/db/tx.js';
import { bidsByInvitation } from '../procedures/procedure.rules.js';
import type { ProcedureCode } from '../procedures/procedure.types.js';
import { isInvited } from './selection.repo.js';
import { assertMayBid } from './selection.rules.js';

/**
 * Refuses a company the tender did not invite (arts. 163, 168–169 LCSP); anyone may bid in the
 * open procedures. Called inside the bid's transaction, with the tender row already locked, so
 * that an invitation and a bid cannot cross.
 */
export async function mayBid(
  db: ServiceContext['db'] | Tx,
  tender: { id: string; procedure: string },
  companyId: string,
): Promise<void> {
  const procedure = tender.procedure as ProcedureCode;
  assertMayBid(procedure, bidsByInvitation(procedure) ? await isInvited(db, tender.id, companyId) : true);
}
