import type { AuthorityRole, ServiceContext } from '../../platform/context.js';
import type { Db } from '../../platform/db/client.js';
import { isUniqueViolation } from '../../platform/db/errors.js';
import type { AuthorityRow } from '../../platform/db/schema.js';
import { type Tx, withTransaction } from '../../platform/db/tx.js';
import { DomainError } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import type { Mailer } from '../../platform/mail.js';
import { parsePercentage } from '../../platform/money.js';
import { recordEvent } from '../audit/audit.service.js';
import { createInvitedUser, prepareInvitee, sendInvitation } from '../identity/invitation.service.js';
import { sessionCache } from '../identity/session-cache.js';
import {
  countAdmins,
  findAuthority,
  findMembership,
  listAuthorities,
  listHolidays,
  listMembers as listMemberRows,
} from './authority.repo.js';
import type { AuthorityPublic, AuthoritySettings, ConsortiumView, MemberView } from './authority.types.js';
import { assertAuthorityWritable } from './authority.read-only.js';
import { authorizeOnAuthority, authorizeOnPlatform } from './tenancy.policy.js';

function presentPublic(a: AuthorityRow): AuthorityPublic {
  return {
    id: a.id,
    slug: a.slug,
    consortiumId: a.consortium_id,
    name: { ca: a.name_ca, es: a.name_es, en: a.name_en },
    dir3Code: a.dir3_code,
  };
}

/** The public directory of contracting authorities. */
export async function listPublicAuthorities(ctx: ServiceContext): Promise<AuthorityPublic[]> {
  return (await listAuthorities(ctx.db)).map(presentPublic);
}

export async function getPublicAuthority(ctx: ServiceContext, id: string): Promise<AuthorityPublic> {
  const a = await findAuthority(ctx.db, id);
  if (!a) throw new DomainError('NOT_FOUND', 'Authority not found');
  return presentPublic(a);
}

export async function getAuthoritySettings(ctx: ServiceContext, id: string): Promise<AuthoritySettings> {
  authorizeOnAuthority(ctx.actor, 'authority.read_settings', id);
  const a = await findAuthority(ctx.db, id);
  if (!a) throw new DomainError('NOT_FOUND', 'Authority not found');
  return {
    ...presentPublic(a),
    ocidPrefix: a.ocid_prefix,
    priceWeightCap: a.price_weight_cap,
    timeZone: a.time_zone,
    holidayRegion: a.holiday_region,
    approvalChain: a.approval_chain,
    holidays: await listHolidays(ctx.db, id),
  };
}

export type AuthorityInput = {
  slug: string;
  consortiumId?: string | null | undefined;
  name: { ca: string; es: string; en: string };
  dir3Code: string;
  ocidPrefix: string;
  priceWeightCap?: string | undefined;
  approvalChain?: AuthorityRole[] | undefined;
  holidayRegion?: string | undefined;
};

function checkCap(cap: string | undefined): string | undefined {
  if (cap === undefined) return undefined;
  const p = parsePercentage(cap);
  if (!p)
    throw new DomainError('UNPROCESSABLE', 'priceWeightCap must be a percentage between 0 and 100', {
      field: 'priceWeightCap',
    });
  return p.toFixed(2);
}

function takenError(err: unknown): never {
  if (isUniqueViolation(err)) {
    throw new DomainError(
      'AUTHORITY_TAKEN',
      'Another authority already uses this slug, DIR3 code or OCID prefix',
    );
  }
  throw err;
}

export async function createAuthority(
  ctx: ServiceContext,
  input: AuthorityInput,
): Promise<AuthoritySettings> {
  authorizeOnPlatform(ctx.actor, 'authority.create');
  const cap = checkCap(input.priceWeightCap);
  const id = newId();
  await withTransaction(ctx.db as Db, async (trx) => {
    if (input.consortiumId) {
      const c = await trx
        .selectFrom('consortium')
        .select('id')
        .where('id', '=', input.consortiumId)
        .executeTakeFirst();
      if (!c) throw new DomainError('NOT_FOUND', 'Consortium not found');
    }
    await trx
      .insertInto('authority')
      .values({
        id,
        slug: input.slug,
        consortium_id: input.consortiumId ?? null,
        name_ca: input.name.ca,
        name_es: input.name.es,
        name_en: input.name.en,
        dir3_code: input.dir3Code,
        ocid_prefix: input.ocidPrefix,
        ...(cap ? { price_weight_cap: cap } : {}),
        ...(input.approvalChain ? { approval_chain: input.approvalChain } : {}),
        ...(input.holidayRegion ? { holiday_region: input.holidayRegion } : {}),
      })
      .execute()
      .catch(takenError);
    await recordEvent(trx, ctx, {
      action: 'authority.created',
      objectType: 'authority',
      objectId: id,
      authorityId: id,
      isPublic: true,
      data: { slug: input.slug, dir3Code: input.dir3Code, ocidPrefix: input.ocidPrefix },
    });
  });
  return getAuthoritySettings(ctx, id);
}

export type AuthorityPatch = Partial<Omit<AuthorityInput, 'slug' | 'ocidPrefix' | 'consortiumId'>>;

/**
 * Changes an authority's settings. The OCID prefix and slug are fixed once created: published
 * identifiers (ocids, URLs) must never change under a reader's feet.
 */
export async function updateAuthority(
  ctx: ServiceContext,
  id: string,
  patch: AuthorityPatch,
): Promise<AuthoritySettings> {
  authorizeOnAuthority(ctx.actor, 'authority.update', id);
  const cap = checkCap(patch.priceWeightCap);
  await withTransaction(ctx.db as Db, async (trx) => {
    const before = await findAuthority(trx, id);
    if (!before) throw new DomainError('NOT_FOUND', 'Authority not found');
    const changes: Record<string, string | string[] | null> = {};
    const set: Record<string, unknown> = {};
    if (patch.name) {
      for (const lang of ['ca', 'es', 'en'] as const) {
        const col = `name_${lang}` as const;
        if (patch.name[lang] !== before[col]) {
          set[col] = patch.name[lang];
          changes[col] = patch.name[lang];
        }
      }
    }
    if (patch.dir3Code !== undefined && patch.dir3Code !== before.dir3_code) {
      set.dir3_code = changes.dir3_code = patch.dir3Code;
    }
    if (cap !== undefined && cap !== before.price_weight_cap)
      set.price_weight_cap = changes.price_weight_cap = cap;
    if (patch.holidayRegion !== undefined && patch.holidayRegion !== before.holiday_region) {
      set.holiday_region = changes.holiday_region = patch.holidayRegion;
    }
    if (patch.approvalChain !== undefined && patch.approvalChain.join() !== before.approval_chain.join()) {
      set.approval_chain = changes.approval_chain = patch.approvalChain;
    }
    if (Object.keys(set).length === 0) return;
    await trx
      .updateTable('authority')
      .set({ ...set, updated_at: ctx.clock.now() })
      .where('id', '=', id)
      .execute()
      .catch(takenError);
    await recordEvent(trx, ctx, {
      action: 'authority.updated',
      objectType: 'authority',
      objectId: id,
      authorityId: id,
      data: { changes },
    });
  });
  return getAuthoritySettings(ctx, id);
}

export async function listConsortia(ctx: ServiceContext): Promise<ConsortiumView[]> {
  const [consortia, authorities] = await Promise.all([
    ctx.db.selectFrom('consortium').selectAll().orderBy('slug').execute(),
    ctx.db.selectFrom('authority').select(['id', 'consortium_id']).execute(),
  ]);
  return consortia.map((c) => ({
    id: c.id,
    slug: c.slug,
    name: { ca: c.name_ca, es: c.name_es, en: c.name_en },
    authorityIds: authorities.filter((a) => a.consortium_id === c.id).map((a) => a.id),
  }));
}

export async function createConsortium(
  ctx: ServiceContext,
  input: { slug: string; name: { ca: string; es: string; en: string } },
): Promise<ConsortiumView> {
  authorizeOnPlatform(ctx.actor, 'consortium.create');
  const id = newId();
  await withTransaction(ctx.db as Db, async (trx) => {
    await trx
      .insertInto('consortium')
      .values({
        id,
        slug: input.slug,
        name_ca: input.name.ca,
        name_es: input.name.es,
        name_en: input.name.en,
      })
      .execute()
      .catch((err: unknown) => {
        if (isUniqueViolation(err)) throw new DomainError('CONFLICT', 'A consortium with this slug exists');
        throw err;
      });
    await recordEvent(trx, ctx, {
      action: 'consortium.created',
      objectType: 'consortium',
      objectId: id,
      isPublic: true,
      data: { slug: input.slug },
    });
  });
  return { id, slug: input.slug, name: input.name, authorityIds: [] };
}

export async function listMembers(ctx: ServiceContext, authorityId: string): Promise<MemberView[]> {
  authorizeOnAuthority(ctx.actor, 'member.list', authorityId);
  const rows = await listMemberRows(ctx.db, authorityId);
  // Only a platform administrator gets here for an id that is no authority: 404, not an empty list.
  if (rows.length === 0 && !(await findAuthority(ctx.db, authorityId))) {
    throw new DomainError('NOT_FOUND', 'Authority not found');
  }
  return rows.map((r) => ({
    userId: r.id,
    email: r.email,
    name: r.name,
    roles: r.roles as AuthorityRole[],
    since: r.created_at.toISOString(),
  }));
}

/**
 * Gives a person roles in the authority. A new email creates the staff user with an unusable
 * random password and mails an invitation (a reset link valid for 7 days).
 */
export async function addMember(
  ctx: ServiceContext,
  mailer: Mailer,
  publicUrl: string,
  authorityId: string,
  input: { email: string; name: string; roles: AuthorityRole[] },
): Promise<MemberView> {
  authorizeOnAuthority(ctx.actor, 'member.manage', authorityId);
  const db = ctx.db as Db;
  const invitee = await prepareInvitee(db, input.email);
  const userId = invitee.userId;
  await withTransaction(db, async (trx) => {
    if (!(await findAuthority(trx, authorityId))) throw new DomainError('NOT_FOUND', 'Authority not found');
    // An external authority (imported open data) has no staff (0023).
    await assertAuthorityWritable(trx, authorityId);
    await createInvitedUser(trx, ctx, invitee, { email: input.email, name: input.name, authorityId });
    if (await findMembership(trx, authorityId, userId)) {
      throw new DomainError(
        'MEMBERSHIP_EXISTS',
        'This person is already a member; change their roles instead',
      );
    }
    await trx
      .insertInto('membership')
      .values({ authority_id: authorityId, user_id: userId, roles: dedupe(input.roles) })
      .execute();
    await recordEvent(trx, ctx, {
      action: 'membership.granted',
      objectType: 'membership',
      objectId: `${authorityId}:${userId}`,
      authorityId,
      data: { userId, roles: dedupe(input.roles) },
    });
  });
  sessionCache.invalidateUser(userId);
  await sendInvitation(ctx, mailer, publicUrl, invitee, input.email);
  const member = (await listMembers(ctx, authorityId)).find((m) => m.userId === userId);
  if (!member) throw new Error('membership vanished after insert');
  return member;
}

/**
 * Serialises membership changes of one authority: without the row lock, two administrators
 * demoting each other at the same moment on PostgreSQL would both see another admin left.
 */
async function lockAuthority(trx: Tx, authorityId: string): Promise<void> {
  const row = await trx
    .selectFrom('authority')
    .select('id')
    .where('id', '=', authorityId)
    .forUpdate()
    .executeTakeFirst();
  if (!row) throw new DomainError('NOT_FOUND', 'Authority not found');
}

function dedupe(roles: AuthorityRole[]): AuthorityRole[] {
  return [...new Set(roles)];
}

/** Replaces a member's roles. The last administrator cannot drop the role (the authority would be unmanageable). */
export async function setMemberRoles(
  ctx: ServiceContext,
  authorityId: string,
  userId: string,
  roles: AuthorityRole[],
): Promise<MemberView> {
  authorizeOnAuthority(ctx.actor, 'member.manage', authorityId);
  await withTransaction(ctx.db as Db, async (trx) => {
    await lockAuthority(trx, authorityId);
    const m = await findMembership(trx, authorityId, userId);
    if (!m) throw new DomainError('NOT_FOUND', 'Member not found');
    if (
      m.roles.includes('authority_admin') &&
      !roles.includes('authority_admin') &&
      (await countAdmins(trx, authorityId)) <= 1
    ) {
      throw new DomainError('CONFLICT', 'The last administrator of an authority cannot lose the role');
    }
    await trx
      .updateTable('membership')
      .set({ roles: dedupe(roles) })
      .where('authority_id', '=', authorityId)
      .where('user_id', '=', userId)
      .execute();
    await recordEvent(trx, ctx, {
      action: 'membership.changed',
      objectType: 'membership',
      objectId: `${authorityId}:${userId}`,
      authorityId,
      data: { userId, roles: dedupe(roles), previous: m.roles },
    });
  });
  sessionCache.invalidateUser(userId);
  const member = (await listMembers(ctx, authorityId)).find((x) => x.userId === userId);
  if (!member) throw new Error('membership vanished after update');
  return member;
}

export async function removeMember(ctx: ServiceContext, authorityId: string, userId: string): Promise<void> {
  authorizeOnAuthority(ctx.actor, 'member.manage', authorityId);
  await withTransaction(ctx.db as Db, async (trx) => {
    await lockAuthority(trx, authorityId);
    const m = await findMembership(trx, authorityId, userId);
    if (!m) throw new DomainError('NOT_FOUND', 'Member not found');
    if (m.roles.includes('authority_admin') && (await countAdmins(trx, authorityId)) <= 1) {
      throw new DomainError('CONFLICT', 'The last administrator of an authority cannot be removed');
    }
    await trx
      .deleteFrom('membership')
      .where('authority_id', '=', authorityId)
      .where('user_id', '=', userId)
      .execute();
    await recordEvent(trx, ctx, {
      action: 'membership.revoked',
      objectType: 'membership',
      objectId: `${authorityId}:${userId}`,
      authorityId,
      data: { userId, previous: m.roles },
    });
  });
  sessionCache.invalidateUser(userId);
}
