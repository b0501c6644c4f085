import { AUTHORITY_ROLES, type Actor, type AuthorityRole, type UserActor } from '../../platform/context.js';
import { decideByAuthorityRoles, type Decision, enforce } from '../tenancy/tenancy.policy.js';

export type TenderAction = 'tender.read' | 'tender.edit' | 'tender.submit' | 'tender.publish';

/** Roles per action on an authority's procurement files. Deny by default. Approval steps are decided per step role. */
export const TENDER_PERMISSIONS: Record<TenderAction, readonly AuthorityRole[]> = {
  'tender.read': AUTHORITY_ROLES,
  'tender.edit': ['procurement_officer'],
  'tender.submit': ['procurement_officer'],
  // Publication is an act of the contracting body, prepared by the procurement office.
  'tender.publish': ['procurement_officer', 'authority_admin'],
};

/**
 * Tenancy first (a file of another authority does not exist for the actor), then the role.
 * Platform administrators run the installation, not procurement: they get no access here.
 */
export function canOnTender(actor: Actor, action: TenderAction, authorityId: string): Decision {
  return decideByAuthorityRoles(actor, authorityId, TENDER_PERMISSIONS[action]);
}

export function authorizeOnTender(actor: Actor, action: TenderAction, authorityId: string): UserActor {
  return enforce(canOnTender(actor, action, authorityId), actor, 'Tender');
}

/** Whether the actor holds the role a pending approval step needs. */
export function canDecideStep(actor: Actor, authorityId: string, stepRole: string): Decision {
  if (actor.kind !== 'user') return 'unauthenticated';
  const roles = actor.authorityRoles.get(authorityId);
  if (!roles) return 'not_found';
  return (roles as readonly string[]).includes(stepRole) ? 'allow' : 'forbidden';
}
