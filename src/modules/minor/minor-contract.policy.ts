import type { Actor, UserActor } from '../../platform/context.js';
import { authorizeOnCompany } from '../parties/company.policy.js';
import type { Decision } from '../tenancy/tenancy.policy.js';
import { authorizeOnTender, canOnTender, type TenderAction } from '../tenders/tender.policy.js';

export type MinorAction = 'minor.read' | 'minor.invite' | 'minor.award';

/**
 * The fast path reuses the roles of the file it belongs to (TENDER_PERMISSIONS), so one table
 * says who handles a file: reading as for the file; inviting companies is preparing the file
 * (procurement officers); the award, like publication, is an act of the contracting body
 * prepared by the procurement office. Deny by default.
 */
export const MINOR_ACTIONS: Record<MinorAction, TenderAction> = {
  'minor.read': 'tender.read',
  'minor.invite': 'tender.edit',
  'minor.award': 'tender.publish',
};

export function canOnMinor(actor: Actor, action: MinorAction, authorityId: string): Decision {
  return canOnTender(actor, MINOR_ACTIONS[action], authorityId);
}

/** Tenancy first (another authority's file does not exist: 404), then the role (403). */
export function authorizeOnMinor(actor: Actor, action: MinorAction, authorityId: string): UserActor {
  return authorizeOnTender(actor, MINOR_ACTIONS[action], authorityId);
}

/** Invited companies act through their members, company_admin and bidder (company.read). */
export function authorizeQuoting(actor: Actor, companyId: string): UserActor {
  return authorizeOnCompany(actor, 'company.read', companyId);
}
