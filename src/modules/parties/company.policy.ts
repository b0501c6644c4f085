import type { Actor, CompanyRole, UserActor } from '../../platform/context.js';
import { type Decision, enforce } from '../tenancy/tenancy.policy.js';

export type CompanyAction = 'company.read' | 'company.update' | 'company.members';

/** Company roles per action. Deny by default. Staff of an authority have no access to a company's account. */
export const COMPANY_PERMISSIONS: Record<CompanyAction, readonly CompanyRole[]> = {
  'company.read': ['company_admin', 'bidder'],
  'company.update': ['company_admin'],
  'company.members': ['company_admin'],
};

export function canOnCompany(actor: Actor, action: CompanyAction, companyId: string): Decision {
  if (actor.kind !== 'user') return 'unauthenticated';
  const roles = actor.companyRoles.get(companyId);
  // Tenancy first: to outsiders (platform administrators included) a company's account does not exist.
  if (!roles) return 'not_found';
  return roles.some((r) => COMPANY_PERMISSIONS[action].includes(r)) ? 'allow' : 'forbidden';
}

export function authorizeOnCompany(actor: Actor, action: CompanyAction, companyId: string): UserActor {
  return enforce(canOnCompany(actor, action, companyId), actor, 'Company');
}
