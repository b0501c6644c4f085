import type { AuthorityRole, CompanyRole, ServiceContext, UserActor } from '../../platform/context.js';
import type { Db } from '../../platform/db/client.js';
import { withTransaction } from '../../platform/db/tx.js';
import { DomainError } from '../../platform/errors.js';
import { hashToken, newId, newSecretToken } from '../../platform/ids.js';
import { recordEvent } from '../audit/audit.service.js';
import { sessionCache } from './session-cache.js';

export const API_TOKEN_PREFIX = 'ctk_';
export const MAX_TOKEN_DAYS = 365;
const LAST_USED_RESOLUTION_MS = 5 * 60 * 1000;

export type ApiTokenView = {
  id: string;
  name: string;
  prefix: string;
  authorityId: string | null;
  companyId: string | null;
  createdAt: string;
  expiresAt: string;
  revokedAt: string | null;
  lastUsedAt: string | null;
};

function requireSessionUser(ctx: ServiceContext): UserActor {
  // Tokens are managed from a browser session only: a leaked token must not mint more tokens.
  if (ctx.actor.kind !== 'user' || ctx.actor.via !== 'session') {
    throw new DomainError('FORBIDDEN', 'API tokens are managed from a signed-in browser session');
  }
  return ctx.actor;
}

/** Creates a token scoped to one authority or one company the user belongs to. The clear token is returned once. */
export async function createApiToken(
  ctx: ServiceContext,
  input: {
    name: string;
    authorityId?: string | undefined;
    companyId?: string | undefined;
    expiresInDays: number;
  },
): Promise<{ token: string; view: ApiTokenView }> {
  const actor = requireSessionUser(ctx);
  if ((input.authorityId === undefined) === (input.companyId === undefined)) {
    throw new DomainError('UNPROCESSABLE', 'Give exactly one of authorityId or companyId');
  }
  if (input.expiresInDays < 1 || input.expiresInDays > MAX_TOKEN_DAYS) {
    throw new DomainError('UNPROCESSABLE', `A token lives 1 to ${MAX_TOKEN_DAYS} days`);
  }
  if (input.authorityId && !actor.authorityRoles.has(input.authorityId)) {
    throw new DomainError('NOT_FOUND', 'Authority not found');
  }
  if (input.companyId && !actor.companyRoles.has(input.companyId)) {
    throw new DomainError('NOT_FOUND', 'Company not found');
  }
  const token = newSecretToken(API_TOKEN_PREFIX);
  const now = ctx.clock.now();
  const id = newId();
  const expiresAt = new Date(now.getTime() + input.expiresInDays * 86_400_000);
  await withTransaction(ctx.db as Db, async (trx) => {
    await trx
      .insertInto('api_token')
      .values({
        id,
        user_id: actor.userId,
        authority_id: input.authorityId ?? null,
        company_id: input.companyId ?? null,
        name: input.name,
        token_hash: hashToken(token),
        token_prefix: token.slice(0, 10),
        created_at: now,
        expires_at: expiresAt,
      })
      .execute();
    await recordEvent(trx, ctx, {
      action: 'api_token.created',
      objectType: 'api_token',
      objectId: id,
      authorityId: input.authorityId ?? null,
      companyId: input.companyId ?? null,
      data: {
        name: input.name,
        authorityId: input.authorityId ?? null,
        companyId: input.companyId ?? null,
        expiresAt: expiresAt.toISOString(),
      },
    });
  });
  // The view follows from what was just inserted: no need to read all the user's tokens back.
  const view: ApiTokenView = {
    id,
    name: input.name,
    prefix: token.slice(0, 10),
    authorityId: input.authorityId ?? null,
    companyId: input.companyId ?? null,
    createdAt: now.toISOString(),
    expiresAt: expiresAt.toISOString(),
    revokedAt: null,
    lastUsedAt: null,
  };
  return { token, view };
}

export async function listApiTokens(ctx: ServiceContext): Promise<ApiTokenView[]> {
  const actor = requireSessionUser(ctx);
  const rows = await ctx.db
    .selectFrom('api_token')
    .selectAll()
    .where('user_id', '=', actor.userId)
    .orderBy('created_at', 'desc')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    prefix: r.token_prefix,
    authorityId: r.authority_id,
    companyId: r.company_id,
    createdAt: r.created_at.toISOString(),
    expiresAt: r.expires_at.toISOString(),
    revokedAt: r.revoked_at?.toISOString() ?? null,
    lastUsedAt: r.last_used_at?.toISOString() ?? null,
  }));
}

/** Revokes one of the user's own tokens; another user's token id is "not found". */
export async function revokeApiToken(ctx: ServiceContext, tokenId: string): Promise<void> {
  const actor = requireSessionUser(ctx);
  await withTransaction(ctx.db as Db, async (trx) => {
    const row = await trx
      .selectFrom('api_token')
      .select(['id', 'name', 'authority_id', 'company_id', 'revoked_at'])
      .where('id', '=', tokenId)
      .where('user_id', '=', actor.userId)
      .executeTakeFirst();
    if (!row) throw new DomainError('NOT_FOUND', 'Token not found');
    if (row.revoked_at) return;
    await trx
      .updateTable('api_token')
      .set({ revoked_at: ctx.clock.now() })
      .where('id', '=', row.id)
      .execute();
    await recordEvent(trx, ctx, {
      action: 'api_token.revoked',
      objectType: 'api_token',
      objectId: row.id,
      authorityId: row.authority_id,
      companyId: row.company_id,
      data: { name: row.name },
    });
  });
  sessionCache.invalidateUser(actor.userId);
}

/**
 * Builds the actor of a bearer token. The actor carries only the roles of the token's scope,
 * never platform administration: a token can do less than its owner, not more.
 */
export async function resolveApiToken(db: Db, token: string, now: Date): Promise<UserActor | undefined> {
  if (!token.startsWith(API_TOKEN_PREFIX)) return undefined;
  // Cached as sessions are (session-cache.ts: a few seconds, dropped at once on a revocation or a
  // role change made through this process): an integration uploading a bid's pieces would
  // otherwise pay two or three queries per request before any work (deadline-surge benchmark).
  const idHash = hashToken(token);
  const cacheKey = `token:${idHash}`;
  const cached = sessionCache.get(cacheKey, now);
  if (cached) return cached;
  const row = await db
    .selectFrom('api_token')
    .innerJoin('app_user', 'app_user.id', 'api_token.user_id')
    .select([
      'api_token.id',
      'api_token.user_id',
      'api_token.authority_id',
      'api_token.company_id',
      'api_token.expires_at',
      'api_token.revoked_at',
      'api_token.last_used_at',
      'app_user.email',
      'app_user.name',
      'app_user.locale',
      'app_user.disabled_at',
    ])
    .where('api_token.token_hash', '=', idHash)
    .executeTakeFirst();
  if (!row || row.revoked_at || row.expires_at <= now || row.disabled_at) return undefined;
  // Owners see when a token was last used (to spot a forgotten or leaked one); recorded at most
  // every few minutes so that a busy integration does not turn every read into a write.
  if (!row.last_used_at || now.getTime() - row.last_used_at.getTime() > LAST_USED_RESOLUTION_MS) {
    await db.updateTable('api_token').set({ last_used_at: now }).where('id', '=', row.id).execute();
  }
  const authorityRoles = new Map<string, AuthorityRole[]>();
  const companyRoles = new Map<string, CompanyRole[]>();
  if (row.authority_id) {
    const m = await db
      .selectFrom('membership')
      .select('roles')
      .where('authority_id', '=', row.authority_id)
      .where('user_id', '=', row.user_id)
      .executeTakeFirst();
    if (m) authorityRoles.set(row.authority_id, m.roles as AuthorityRole[]);
  }
  if (row.company_id) {
    const m = await db
      .selectFrom('company_member')
      .select('roles')
      .where('company_id', '=', row.company_id)
      .where('user_id', '=', row.user_id)
      .executeTakeFirst();
    if (m) companyRoles.set(row.company_id, m.roles as CompanyRole[]);
  }
  const actor: UserActor = {
    kind: 'user',
    userId: row.user_id,
    email: row.email,
    name: row.name,
    locale: row.locale,
    isPlatformAdmin: false,
    authorityRoles,
    companyRoles,
    via: 'token',
    activeAuthorityId: row.authority_id,
    activeCompanyId: row.company_id,
  };
  sessionCache.set(cacheKey, actor, row.expires_at, now);
  return actor;
}
