import type { Actor, CompanyRole, UserActor } from '../../platform/context.js';
import { type Decision, enforce } from '../tenancy/tenancy.policy.js';

export type BidAction = 'bid.submit' | 'bid.withdraw' | 'bid.read';

/**
 * Company roles per action on a company's sealed bid. Deny by default. The bid is the company's
 * alone until its envelopes are opened: the authority's staff (and platform administrators) have no
 * access to it at all, only to the public commitment at the deadline (LCSP DA 17ª, art. 139.2:
 * bids stay secret until the opening).
 */
export const BID_PERMISSIONS: Record<BidAction, readonly CompanyRole[]> = {
  'bid.submit': ['company_admin', 'bidder'],
  'bid.withdraw': ['company_admin', 'bidder'],
  'bid.read': ['company_admin', 'bidder'],
};

export function canOnBid(actor: Actor, action: BidAction, companyId: string): Decision {
  if (actor.kind !== 'user') return 'unauthenticated';
  const roles = actor.companyRoles.get(companyId);
  // Tenancy first: to anyone outside the company its bids do not exist.
  if (!roles) return 'not_found';
  return roles.some((r) => BID_PERMISSIONS[action].includes(r)) ? 'allow' : 'forbidden';
}

export function authorizeOnBid(actor: Actor, action: BidAction, companyId: string): UserActor {
  return enforce(canOnBid(actor, action, companyId), actor, 'Bid');
}
