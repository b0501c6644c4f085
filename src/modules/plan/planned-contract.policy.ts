import { AUTHORITY_ROLES, type Actor, type AuthorityRole, type UserActor } from '../../platform/context.js';
import { decideByAuthorityRoles, type Decision, enforce } from '../tenancy/tenancy.policy.js';

export type PlanAction = 'plan.read' | 'plan.edit';

/**
 * Roles per action on an authority's procurement plan, in the style of TENDER_PERMISSIONS. Deny
 * by default. The public reads the plan through the public search, not through these actions:
 * `plan.read` covers the back-office view, which also shows withdrawn entries and findings.
 */
export const PLAN_PERMISSIONS: Record<PlanAction, readonly AuthorityRole[]> = {
  'plan.read': AUTHORITY_ROLES,
  // The procurement office prepares the plan as it prepares the files (and starts them from it).
  'plan.edit': ['procurement_officer'],
};

/**
 * Tenancy first (another authority's plan entries do not exist for the actor), then the role.
 * Platform administrators run the installation, not procurement: no access, as for files.
 */
export function canOnPlan(actor: Actor, action: PlanAction, authorityId: string): Decision {
  return decideByAuthorityRoles(actor, authorityId, PLAN_PERMISSIONS[action]);
}

export function authorizeOnPlan(actor: Actor, action: PlanAction, authorityId: string): UserActor {
  return enforce(canOnPlan(actor, action, authorityId), actor, 'Planned contract');
}
