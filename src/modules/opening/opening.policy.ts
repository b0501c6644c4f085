import type { Actor, AuthorityRole, UserActor } from '../../platform/context.js';
import { decideByAuthorityRoles, type Decision, enforce } from '../tenancy/tenancy.policy.js';

export type OpeningAction = 'opening.submit_shares' | 'opening.read_own_shares';

/**
 * Roles per action on the opening of a tender's bids. Deny by default. Only key custodians submit
 * shares, and the service further requires the caller to be one of the tender's frozen custodians
 * (LCSP DA 17ª: opening needs the simultaneous action of authorised persons). The report on
 * envelope B, which lets C open, is the committee's (evaluation/judgement.service.ts).
 */
export const OPENING_PERMISSIONS: Record<OpeningAction, readonly AuthorityRole[]> = {
  'opening.submit_shares': ['key_custodian'],
  'opening.read_own_shares': ['key_custodian'],
};

/** Tenancy first (another authority's tenders do not exist for the actor), then the role. */
export function canOnOpening(actor: Actor, action: OpeningAction, authorityId: string): Decision {
  return decideByAuthorityRoles(actor, authorityId, OPENING_PERMISSIONS[action]);
}

export function authorizeOnOpening(actor: Actor, action: OpeningAction, authorityId: string): UserActor {
  return enforce(canOnOpening(actor, action, authorityId), actor, 'Tender');
}
