import type { UserActor } from '../../platform/context.js';

export function presentMe(actor: UserActor) {
  return {
    id: actor.userId,
    email: actor.email,
    name: actor.name,
    locale: actor.locale,
    isPlatformAdmin: actor.isPlatformAdmin,
    via: actor.via,
    authorities: [...actor.authorityRoles].map(([authorityId, roles]) => ({
      authorityId,
      roles: [...roles],
    })),
    companies: [...actor.companyRoles].map(([companyId, roles]) => ({ companyId, roles: [...roles] })),
  };
}
