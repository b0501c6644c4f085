import type { Actor, ServiceContext, UserActor } from '../../platform/context.js';
import type { Db } from '../../platform/db/client.js';
import { withTransaction } from '../../platform/db/tx.js';
import { DomainError } from '../../platform/errors.js';
import { hashToken, newSecretToken } from '../../platform/ids.js';
import type { Mailer } from '../../platform/mail.js';
import { recordEvent } from '../audit/audit.service.js';
import { checkPasswordPolicy, DUMMY_HASH_PROMISE, hashPassword, verifyPassword } from './password.js';
import { findUserByEmail, findUserById, loadRoles } from './user.repo.js';
import { sessionCache } from './session-cache.js';

/** Consecutive failures that lock an account, and for how long (ENS op.acc.5: limit attempts). */
export const LOCKOUT_THRESHOLD = 5;
export const LOCKOUT_MS = 15 * 60 * 1000;
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;
export const RESET_TOKEN_TTL_MS = 60 * 60 * 1000;
/** Invitations to new staff users are reset tokens that live longer. */
export const INVITATION_TTL_MS = 7 * 24 * 60 * 60 * 1000;

export type SignInResult = { sessionToken: string; userId: string; expiresAt: Date };

/**
 * Checks email and password and opens a session. Unknown email and wrong password give the
 * same error and the same work (a dummy hash is verified), so accounts cannot be enumerated.
 */
export async function signIn(
  ctx: ServiceContext,
  input: { email: string; password: string },
): Promise<SignInResult> {
  const db = ctx.db as Db;
  const now = ctx.clock.now();
  const user = await findUserByEmail(db, input.email);
  if (!user || user.disabled_at) {
    await verifyPassword(input.password, await DUMMY_HASH_PROMISE);
    throw new DomainError('INVALID_CREDENTIALS', 'Wrong email or password');
  }
  if (user.locked_until && user.locked_until > now) {
    throw new DomainError('ACCOUNT_LOCKED', 'Too many failed attempts; try again later', {
      lockedUntil: user.locked_until.toISOString(),
    });
  }
  const ok = await verifyPassword(input.password, user.password_hash);
  const userCtx = { ...ctx, actor: { kind: 'system', label: 'sign-in' } as Actor };
  if (!ok) {
    const failed = user.failed_logins + 1;
    const locked = failed >= LOCKOUT_THRESHOLD;
    await withTransaction(db, async (trx) => {
      await trx
        .updateTable('app_user')
        .set({
          failed_logins: locked ? 0 : failed,
          locked_until: locked ? new Date(now.getTime() + LOCKOUT_MS) : null,
        })
        .where('id', '=', user.id)
        .execute();
      await recordEvent(trx, userCtx, {
        action: 'user.sign_in_failed',
        objectType: 'user',
        objectId: user.id,
        data: { failedLogins: failed, locked },
      });
    });
    if (locked) throw new DomainError('ACCOUNT_LOCKED', 'Too many failed attempts; try again later');
    throw new DomainError('INVALID_CREDENTIALS', 'Wrong email or password');
  }
  const sessionToken = newSecretToken('cs_');
  const expiresAt = new Date(now.getTime() + SESSION_TTL_MS);
  await withTransaction(db, async (trx) => {
    await trx
      .updateTable('app_user')
      .set({ failed_logins: 0, locked_until: null })
      .where('id', '=', user.id)
      .execute();
    const roles = await loadRoles(trx, user.id);
    await trx
      .insertInto('user_session')
      .values({
        id_hash: hashToken(sessionToken),
        user_id: user.id,
        // Start in the first authority or company the user belongs to; the switcher changes it.
        active_authority_id: [...roles.authorityRoles.keys()][0] ?? null,
        active_company_id: [...roles.companyRoles.keys()][0] ?? null,
        ip: ctx.ip ?? '',
        user_agent: (ctx.userAgent ?? '').slice(0, 400),
        created_at: now,
        last_seen_at: now,
        expires_at: expiresAt,
      })
      .execute();
    await recordEvent(
      trx,
      { ...ctx, actor: { kind: 'system', label: 'sign-in' } },
      {
        action: 'user.signed_in',
        objectType: 'user',
        objectId: user.id,
        data: { via: 'password' },
      },
    );
  });
  return { sessionToken, userId: user.id, expiresAt };
}

/** Builds the actor of a session cookie, or undefined when the session is unknown or expired. */
export async function resolveSession(db: Db, token: string, now: Date): Promise<UserActor | undefined> {
  const idHash = hashToken(token);
  const cached = sessionCache.get(idHash, now);
  if (cached) return cached;
  const session = await db
    .selectFrom('user_session')
    .innerJoin('app_user', 'app_user.id', 'user_session.user_id')
    .select([
      'user_session.user_id',
      'user_session.expires_at',
      'user_session.active_authority_id',
      'user_session.active_company_id',
      'app_user.email',
      'app_user.name',
      'app_user.locale',
      'app_user.is_platform_admin',
      'app_user.disabled_at',
    ])
    .where('user_session.id_hash', '=', idHash)
    .executeTakeFirst();
  if (!session || session.expires_at <= now || session.disabled_at) return undefined;
  const roles = await loadRoles(db, session.user_id);
  const actor: UserActor = {
    kind: 'user',
    userId: session.user_id,
    email: session.email,
    name: session.name,
    locale: session.locale,
    isPlatformAdmin: session.is_platform_admin,
    authorityRoles: roles.authorityRoles,
    companyRoles: roles.companyRoles,
    via: 'session',
    sessionHash: idHash,
    activeAuthorityId: session.active_authority_id,
    activeCompanyId: session.active_company_id,
  };
  sessionCache.set(idHash, actor, session.expires_at, now);
  return actor;
}

export async function signOut(ctx: ServiceContext): Promise<void> {
  const actor = ctx.actor;
  if (actor.kind !== 'user' || !actor.sessionHash) return;
  const hash = actor.sessionHash;
  await withTransaction(ctx.db as Db, async (trx) => {
    await trx.deleteFrom('user_session').where('id_hash', '=', hash).execute();
    await recordEvent(trx, ctx, {
      action: 'user.signed_out',
      objectType: 'user',
      objectId: actor.userId,
      data: {},
    });
  });
  sessionCache.invalidateUser(actor.userId);
}

/** Changes the password of the signed-in user; other sessions of that user are closed. */
export async function changePassword(
  ctx: ServiceContext,
  input: { currentPassword: string; newPassword: string },
): Promise<void> {
  const actor = ctx.actor;
  if (actor.kind !== 'user' || actor.via !== 'session') {
    throw new DomainError('FORBIDDEN', 'Passwords are changed from a signed-in browser session');
  }
  const db = ctx.db as Db;
  const user = await findUserById(db, actor.userId);
  if (!user || !(await verifyPassword(input.currentPassword, user.password_hash))) {
    throw new DomainError('WRONG_PASSWORD', 'The current password is wrong');
  }
  checkPasswordPolicy(input.newPassword, user.email);
  const hash = await hashPassword(input.newPassword);
  await withTransaction(db, async (trx) => {
    await trx
      .updateTable('app_user')
      .set({ password_hash: hash, updated_at: ctx.clock.now() })
      .where('id', '=', user.id)
      .execute();
    await trx
      .deleteFrom('user_session')
      .where('user_id', '=', user.id)
      .where('id_hash', '!=', actor.sessionHash ?? '')
      .execute();
    await recordEvent(trx, ctx, {
      action: 'user.password_changed',
      objectType: 'user',
      objectId: user.id,
      data: { via: 'account' },
    });
  });
  sessionCache.invalidateUser(user.id);
}

/**
 * Starts a password reset. Always succeeds from the caller's point of view (no account
 * enumeration); when the email is known, a single-use token is mailed after commit.
 */
export async function requestPasswordReset(
  ctx: ServiceContext,
  mailer: Mailer,
  publicUrl: string,
  email: string,
): Promise<void> {
  const db = ctx.db as Db;
  const user = await findUserByEmail(db, email);
  if (!user || user.disabled_at) return;
  const token = await issueResetToken(db, ctx, user.id, RESET_TOKEN_TTL_MS);
  await mailer.send({
    to: user.email,
    subject: 'Contracta: restabliment de contrasenya / restablecimiento de contraseña / password reset',
    text: `${publicUrl}/password-reset/${token}\n\nValid for 60 minutes, once.`,
  });
}

/** Creates a reset token in its own transaction with its audit event; returns the clear token. */
export async function issueResetToken(
  db: Db,
  ctx: ServiceContext,
  userId: string,
  ttlMs: number,
): Promise<string> {
  const token = newSecretToken('pr_');
  const now = ctx.clock.now();
  await withTransaction(db, async (trx) => {
    await trx
      .insertInto('password_reset_token')
      .values({
        token_hash: hashToken(token),
        user_id: userId,
        created_at: now,
        expires_at: new Date(now.getTime() + ttlMs),
      })
      .execute();
    await recordEvent(trx, ctx, {
      action: 'user.password_reset_requested',
      objectType: 'user',
      objectId: userId,
      data: {},
    });
  });
  return token;
}

/** Sets a new password with a reset token: the token works once, before it expires. */
export async function confirmPasswordReset(
  ctx: ServiceContext,
  input: { token: string; newPassword: string },
): Promise<void> {
  const db = ctx.db as Db;
  const now = ctx.clock.now();
  const row = await db
    .selectFrom('password_reset_token')
    .innerJoin('app_user', 'app_user.id', 'password_reset_token.user_id')
    .select([
      'password_reset_token.token_hash',
      'password_reset_token.expires_at',
      'password_reset_token.used_at',
      'app_user.id',
      'app_user.email',
    ])
    .where('password_reset_token.token_hash', '=', hashToken(input.token))
    .executeTakeFirst();
  if (!row || row.used_at || row.expires_at <= now) {
    throw new DomainError('RESET_TOKEN_INVALID', 'This link is not valid any more; ask for a new one');
  }
  checkPasswordPolicy(input.newPassword, row.email);
  const hash = await hashPassword(input.newPassword);
  await withTransaction(db, async (trx) => {
    // The conditional update makes the token single-use even when two requests race.
    const used = await trx
      .updateTable('password_reset_token')
      .set({ used_at: now })
      .where('token_hash', '=', row.token_hash)
      .where('used_at', 'is', null)
      .executeTakeFirst();
    if (used.numUpdatedRows !== 1n) {
      throw new DomainError('RESET_TOKEN_INVALID', 'This link is not valid any more; ask for a new one');
    }
    await trx
      .updateTable('app_user')
      .set({ password_hash: hash, failed_logins: 0, locked_until: null, updated_at: now })
      .where('id', '=', row.id)
      .execute();
    await trx.deleteFrom('user_session').where('user_id', '=', row.id).execute();
    await recordEvent(
      trx,
      { ...ctx, actor: { kind: 'system', label: 'password-reset' } },
      {
        action: 'user.password_changed',
        objectType: 'user',
        objectId: row.id,
        data: { via: 'reset' },
      },
    );
  });
  sessionCache.invalidateUser(row.id);
}

/** Chooses the authority or company the signed-in user acts for in the browser. */
export async function switchContext(
  ctx: ServiceContext,
  target: { authorityId: string | null; companyId: string | null },
): Promise<void> {
  const actor = ctx.actor;
  if (actor.kind !== 'user' || !actor.sessionHash) throw new DomainError('UNAUTHENTICATED', 'Sign in first');
  if (target.authorityId && !actor.authorityRoles.has(target.authorityId))
    throw new DomainError('NOT_FOUND', 'Authority not found');
  if (target.companyId && !actor.companyRoles.has(target.companyId))
    throw new DomainError('NOT_FOUND', 'Company not found');
  const hash = actor.sessionHash;
  await withTransaction(ctx.db as Db, async (trx) => {
    await trx
      .updateTable('user_session')
      .set({ active_authority_id: target.authorityId, active_company_id: target.companyId })
      .where('id_hash', '=', hash)
      .execute();
    await recordEvent(trx, ctx, {
      action: 'user.context_switched',
      objectType: 'user',
      objectId: actor.userId,
      authorityId: target.authorityId,
      companyId: target.companyId,
      data: target,
    });
  });
  sessionCache.invalidateUser(actor.userId);
}
