import { AUTHORITY_ROLES, type Actor, type AuthorityRole, type UserActor } from '../../platform/context.js';
import { DomainError } from '../../platform/errors.js';

/** Actions on an authority's internal records. */
export type AuthorityAction =
  | 'authority.update'
  | 'authority.read_settings'
  | 'member.list'
  | 'member.manage'
  | 'audit.read'
  | 'holiday.manage';

/** Platform-wide actions, reserved to platform administrators. */
export type PlatformAction = 'authority.create' | 'consortium.create' | 'audit.read_all';

/**
 * Which roles may do what inside their own authority. Deny by default: an action not listed
 * here, or a role not listed for it, is refused. Platform administrators may do all of it.
 */
export const AUTHORITY_PERMISSIONS: Record<AuthorityAction, readonly AuthorityRole[]> = {
  'authority.update': ['authority_admin'],
  'authority.read_settings': AUTHORITY_ROLES,
  'member.list': ['authority_admin', 'auditor'],
  'member.manage': ['authority_admin'],
  'audit.read': ['authority_admin', 'auditor'],
  // The local calendar decides which days count in legal periods (Ley 39/2015 art. 30.7).
  'holiday.manage': ['authority_admin'],
};

export type Decision = 'allow' | 'forbidden' | 'not_found' | 'unauthenticated';

/**
 * Decides an action on one authority. Tenancy comes first: to someone with no membership the
 * authority's internal records do not exist (404), so ids cannot be probed; a member without
 * the role gets 403.
 */
export function canOnAuthority(actor: Actor, action: AuthorityAction, authorityId: string): Decision {
  if (actor.kind !== 'user') return 'unauthenticated';
  if (actor.isPlatformAdmin) return 'allow';
  const roles = actor.authorityRoles.get(authorityId);
  if (!roles) return 'not_found';
  return roles.some((r) => AUTHORITY_PERMISSIONS[action].includes(r)) ? 'allow' : 'forbidden';
}

/**
 * The decision for a procurement action on one authority's records (files, plan, custodian keys,
 * openings): tenancy first — to a non-member they do not exist (404) — then the roles allowed.
 * Unlike `canOnAuthority`, platform administrators get no pass: they run the installation, not
 * procurement.
 */
export function decideByAuthorityRoles(
  actor: Actor,
  authorityId: string,
  allowed: readonly AuthorityRole[],
): Decision {
  if (actor.kind !== 'user') return 'unauthenticated';
  const roles = actor.authorityRoles.get(authorityId);
  if (!roles) return 'not_found';
  return roles.some((r) => allowed.includes(r)) ? 'allow' : 'forbidden';
}

export function canOnPlatform(actor: Actor, _action: PlatformAction): Decision {
  if (actor.kind !== 'user') return 'unauthenticated';
  return actor.isPlatformAdmin ? 'allow' : 'forbidden';
}

/** Turns a decision into an error, or returns the signed-in actor. */
export function enforce(decision: Decision, actor: Actor, what = 'Authority'): UserActor {
  if (decision === 'unauthenticated') throw new DomainError('UNAUTHENTICATED', 'Sign in first');
  if (decision === 'not_found') throw new DomainError('NOT_FOUND', `${what} not found`);
  if (decision === 'forbidden') throw new DomainError('FORBIDDEN', 'Your roles do not allow this');
  if (actor.kind !== 'user') throw new DomainError('UNAUTHENTICATED', 'Sign in first');
  return actor;
}

export function authorizeOnAuthority(actor: Actor, action: AuthorityAction, authorityId: string): UserActor {
  return enforce(canOnAuthority(actor, action, authorityId), actor);
}

export function authorizeOnPlatform(actor: Actor, action: PlatformAction): UserActor {
  return enforce(canOnPlatform(actor, action), actor);
}
