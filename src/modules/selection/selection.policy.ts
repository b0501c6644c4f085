import type { Actor, AuthorityRole, UserActor } from '../../platform/context.js';
import { decideByAuthorityRoles, type Decision, enforce } from '../tenancy/tenancy.policy.js';

export type SelectionAction =
  | 'selection.read'
  | 'selection.decide'
  | 'selection.invite'
  | 'selection.negotiate';

/**
 * Roles per action of the selection phase and negotiation. Deny by default. The committee (mesa,
 * art. 326 LCSP) examines the requests and proposes which candidates meet the notice's criteria;
 * the contracting body, for which its officer acts, sends the invitations (art. 163) and conducts
 * the negotiation (art. 169); auditors and administrators read. Companies act through the bid
 * policy (bid.policy.ts): a request or an answer is their own, like a bid.
 */
export const SELECTION_PERMISSIONS: Record<SelectionAction, readonly AuthorityRole[]> = {
  'selection.read': ['committee_member', 'procurement_officer', 'auditor', 'authority_admin'],
  'selection.decide': ['committee_member'],
  'selection.invite': ['procurement_officer'],
  'selection.negotiate': ['procurement_officer'],
};

export function canOnSelection(actor: Actor, action: SelectionAction, authorityId: string): Decision {
  return decideByAuthorityRoles(actor, authorityId, SELECTION_PERMISSIONS[action]);
}

export function authorizeOnSelection(actor: Actor, action: SelectionAction, authorityId: string): UserActor {
  return enforce(canOnSelection(actor, action, authorityId), actor, 'Tender');
}
