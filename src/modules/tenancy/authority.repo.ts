import type { AuthorityRole } from '../../platform/context.js';
import type { Db } from '../../platform/db/client.js';
import type { Tx } from '../../platform/db/tx.js';

type Q = Db | Tx;

export function listAuthorities(db: Q) {
  return db.selectFrom('authority').selectAll().orderBy('name_ca').execute();
}

export function findAuthority(db: Q, id: string) {
  return db.selectFrom('authority').selectAll().where('id', '=', id).executeTakeFirst();
}

export function findAuthorityBySlug(db: Q, slug: string) {
  return db.selectFrom('authority').selectAll().where('slug', '=', slug).executeTakeFirst();
}

export function listHolidays(db: Q, authorityId: string) {
  return db
    .selectFrom('authority_holiday')
    .select(['day', 'name'])
    .where('authority_id', '=', authorityId)
    .orderBy('day')
    .execute();
}

/** Members of one authority; always scoped by it. */
export function listMembers(db: Q, authorityId: string) {
  return db
    .selectFrom('membership')
    .innerJoin('app_user', 'app_user.id', 'membership.user_id')
    .select(['app_user.id', 'app_user.email', 'app_user.name', 'membership.roles', 'membership.created_at'])
    .where('membership.authority_id', '=', authorityId)
    .orderBy('app_user.name')
    .execute();
}

/** Members of one authority holding any of the given roles, by name; always scoped by it. */
export function membersWithRole(db: Q, authorityId: string, roles: readonly AuthorityRole[]) {
  return db
    .selectFrom('membership')
    .innerJoin('app_user', 'app_user.id', 'membership.user_id')
    .select(['app_user.id', 'app_user.name', 'membership.roles'])
    .where('membership.authority_id', '=', authorityId)
    .where((eb) => eb.or(roles.map((role) => eb(eb.val<string>(role), '=', eb.fn.any('membership.roles')))))
    .orderBy('app_user.name')
    .orderBy('app_user.id')
    .execute();
}

export function findMembership(db: Q, authorityId: string, userId: string) {
  return db
    .selectFrom('membership')
    .selectAll()
    .where('authority_id', '=', authorityId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
}

export async function countAdmins(db: Q, authorityId: string): Promise<number> {
  const rows = await db
    .selectFrom('membership')
    .select('user_id')
    .where('authority_id', '=', authorityId)
    .where((eb) => eb(eb.val('authority_admin'), '=', eb.fn.any('roles')))
    .execute();
  return rows.length;
}
