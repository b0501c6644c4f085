import { sql } from 'kysely';
import type { AuthorityRole, CompanyRole } from '../../platform/context.js';
import type { Db } from '../../platform/db/client.js';
import type { Tx } from '../../platform/db/tx.js';

type Q = Db | Tx;

export function findUserByEmail(db: Q, email: string) {
  return db
    .selectFrom('app_user')
    .selectAll()
    .where(sql<string>`lower(email)`, '=', email.toLowerCase())
    .executeTakeFirst();
}

export function findUserById(db: Q, id: string) {
  return db.selectFrom('app_user').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function insertUser(
  db: Q,
  u: {
    id: string;
    email: string;
    name: string;
    passwordHash: string;
    isPlatformAdmin?: boolean;
    locale?: string;
  },
): Promise<void> {
  await db
    .insertInto('app_user')
    .values({
      id: u.id,
      email: u.email,
      name: u.name,
      password_hash: u.passwordHash,
      is_platform_admin: u.isPlatformAdmin ?? false,
      locale: u.locale ?? 'ca',
    })
    .execute();
}

/** Authority and company roles of a user, for building the actor. */
export async function loadRoles(db: Q, userId: string) {
  const [authorities, companies] = await Promise.all([
    db.selectFrom('membership').select(['authority_id', 'roles']).where('user_id', '=', userId).execute(),
    db.selectFrom('company_member').select(['company_id', 'roles']).where('user_id', '=', userId).execute(),
  ]);
  return {
    authorityRoles: new Map(authorities.map((m) => [m.authority_id, m.roles as AuthorityRole[]])),
    companyRoles: new Map(companies.map((m) => [m.company_id, m.roles as CompanyRole[]])),
  };
}
