import { AUTHORITY_ROLES, type Actor, type AuthorityRole, type UserActor } from '../../platform/context.js';
import { decideByAuthorityRoles, type Decision, enforce } from '../tenancy/tenancy.policy.js';

export type CustodyAction = 'custody.register_own' | 'custody.list' | 'custody.revoke';

/**
 * Roles per action on an authority's custodian keys. Deny by default. Only a key custodian
 * registers a key, and only their own: the person who will open bids must be the one holding the
 * private key (Dir. 2014/24 Annex IV; LCSP DA 17ª). Every staff member may see which custodians
 * have keys (public keys and fingerprints are not secret), and the authority's administrator may
 * revoke a key, for instance when a custodian leaves or loses their device.
 */
export const CUSTODY_PERMISSIONS: Record<CustodyAction, readonly AuthorityRole[]> = {
  'custody.register_own': ['key_custodian'],
  'custody.list': AUTHORITY_ROLES,
  'custody.revoke': ['authority_admin'],
};

/**
 * Tenancy first (another authority's keys do not exist for the actor), then the role. Platform
 * administrators run the installation, not procurement: no access, as for files.
 */
export function canOnCustody(actor: Actor, action: CustodyAction, authorityId: string): Decision {
  return decideByAuthorityRoles(actor, authorityId, CUSTODY_PERMISSIONS[action]);
}

export function authorizeOnCustody(actor: Actor, action: CustodyAction, authorityId: string): UserActor {
  return enforce(canOnCustody(actor, action, authorityId), actor, 'Custodian key');
}
