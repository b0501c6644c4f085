import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import type { App } from '../../app.js';
import { SESSION_COOKIE } from '../../app.js';
import type { Actor } from '../../platform/context.js';
import { DomainError } from '../../platform/errors.js';
import { Body, Email, errors, ShortText, Uuid } from '../../platform/http/schemas.js';
import { PASSWORD_MAX } from './password.js';
import { createApiToken, listApiTokens, MAX_TOKEN_DAYS, revokeApiToken } from './api-token.service.js';
import {
  changePassword,
  confirmPasswordReset,
  requestPasswordReset,
  resolveSession,
  SESSION_TTL_MS,
  signIn,
  signOut,
} from './auth.service.js';
import { presentMe } from './me.presenter.js';

const Password = Type.String({ minLength: 1, maxLength: PASSWORD_MAX });
const tags = ['Authentication'];

const MeSchema = Type.Object({
  id: Type.String(),
  email: Type.String(),
  name: Type.String(),
  locale: Type.String(),
  isPlatformAdmin: Type.Boolean(),
  via: Type.String(),
  authorities: Type.Array(Type.Object({ authorityId: Type.String(), roles: Type.Array(Type.String()) })),
  companies: Type.Array(Type.Object({ companyId: Type.String(), roles: Type.Array(Type.String()) })),
});

const ApiTokenSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  prefix: Type.String(),
  authorityId: Type.Union([Type.String(), Type.Null()]),
  companyId: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
  expiresAt: Type.String(),
  revokedAt: Type.Union([Type.String(), Type.Null()]),
  lastUsedAt: Type.Union([Type.String(), Type.Null()]),
});

/** The session cookie: HTTP-only, same-site, and Secure whenever the deployment says so. */
export function sessionCookieOptions(app: App, expiresAt?: Date) {
  return {
    httpOnly: true,
    sameSite: 'lax' as const,
    secure: app.deps.config.cookieSecure,
    path: '/',
    ...(expiresAt ? { expires: expiresAt } : { maxAge: SESSION_TTL_MS / 1000 }),
  };
}

export const authRoutes =
  (app: App): FastifyPluginAsyncTypebox =>
  async (r) => {
    r.get(
      '/auth/csrf',
      {
        schema: {
          tags,
          summary: 'A CSRF token for unsafe requests made with a session cookie (send it as x-csrf-token)',
          response: { 200: Type.Object({ token: Type.String() }) },
        },
      },
      async (_request, reply) => ({ token: reply.generateCsrf() }),
    );

    r.post(
      '/auth/login',
      {
        config: { rateLimit: { max: 20, timeWindow: '1 minute' } },
        schema: {
          tags,
          summary: 'Sign in with email and password; sets the session cookie',
          body: Body({ email: Email, password: Password }),
          response: { 200: MeSchema, ...errors(400, 401, 423, 429) },
        },
      },
      async (request, reply) => {
        const body = request.body;
        const result = await signIn(app.serviceContext(request), body);
        reply.setCookie(SESSION_COOKIE, result.sessionToken, sessionCookieOptions(app, result.expiresAt));
        const actor = await resolveSession(app.deps.database.db, result.sessionToken, app.deps.clock.now());
        if (!actor) throw new Error('session vanished after sign-in');
        return presentMe(actor);
      },
    );

    r.post(
      '/auth/logout',
      { schema: { tags, summary: 'Close the session', response: { 204: Type.Null(), ...errors(403) } } },
      async (request, reply) => {
        await signOut(app.serviceContext(request));
        reply.clearCookie(SESSION_COOKIE, { path: '/' });
        return reply.status(204).send(null);
      },
    );

    r.post(
      '/auth/password-reset',
      {
        config: { rateLimit: { max: 5, timeWindow: '1 minute' } },
        schema: {
          tags,
          summary:
            'Mail a single-use reset link, if the email is registered (the answer is the same either way)',
          body: Body({ email: Email }),
          response: { 202: Type.Object({ status: Type.String() }), ...errors(400, 429) },
        },
      },
      async (request, reply) => {
        const { email } = request.body;
        await requestPasswordReset(
          app.serviceContext(request),
          app.deps.mailer,
          app.deps.config.publicUrl,
          email,
        );
        return reply.status(202).send({ status: 'accepted' });
      },
    );

    r.post(
      '/auth/password-reset/confirm',
      {
        config: { rateLimit: { max: 10, timeWindow: '1 minute' } },
        schema: {
          tags,
          summary: 'Set a new password with a reset token',
          body: Body({ token: ShortText(100), newPassword: Password }),
          response: { 204: Type.Null(), ...errors(400, 422, 429) },
        },
      },
      async (request, reply) => {
        await confirmPasswordReset(app.serviceContext(request), request.body);
        return reply.status(204).send(null);
      },
    );

    r.get(
      '/me',
      {
        schema: {
          tags,
          summary: 'The signed-in user and their roles',
          response: { 200: MeSchema, ...errors(401) },
        },
      },
      async (request) => {
        if (request.actor.kind !== 'user') throw new DomainError('UNAUTHENTICATED', 'Sign in first');
        return presentMe(request.actor);
      },
    );

    r.put(
      '/me/password',
      {
        schema: {
          tags,
          summary: 'Change your password (closes your other sessions)',
          body: Body({ currentPassword: Password, newPassword: Password }),
          response: { 204: Type.Null(), ...errors(400, 401, 403, 422) },
        },
      },
      async (request, reply) => {
        requireUser(request.actor);
        await changePassword(app.serviceContext(request), request.body);
        return reply.status(204).send(null);
      },
    );

    r.get(
      '/me/api-tokens',
      {
        schema: {
          tags,
          summary: 'Your API tokens',
          response: { 200: Type.Array(ApiTokenSchema), ...errors(401, 403) },
        },
      },
      async (request) => {
        requireUser(request.actor);
        return listApiTokens(app.serviceContext(request));
      },
    );

    r.post(
      '/me/api-tokens',
      {
        schema: {
          tags,
          summary: 'Create an API token scoped to one authority or one company; the token is shown once',
          body: Body({
            name: ShortText(100),
            authorityId: Type.Optional(Uuid),
            companyId: Type.Optional(Uuid),
            expiresInDays: Type.Integer({ minimum: 1, maximum: MAX_TOKEN_DAYS }),
          }),
          response: {
            201: Type.Object({ token: Type.String(), apiToken: ApiTokenSchema }),
            ...errors(400, 401, 403, 404, 422),
          },
        },
      },
      async (request, reply) => {
        requireUser(request.actor);
        const body = request.body;
        const { token, view } = await createApiToken(app.serviceContext(request), body);
        return reply.status(201).send({ token, apiToken: view });
      },
    );

    r.delete(
      '/me/api-tokens/:tokenId',
      {
        schema: {
          tags,
          summary: 'Revoke an API token',
          params: Type.Object({ tokenId: Uuid }),
          response: { 204: Type.Null(), ...errors(400, 401, 403, 404) },
        },
      },
      async (request, reply) => {
        requireUser(request.actor);
        await revokeApiToken(app.serviceContext(request), request.params.tokenId);
        return reply.status(204).send(null);
      },
    );
  };

export function requireUser(actor: Actor): void {
  if (actor.kind !== 'user') throw new DomainError('UNAUTHENTICATED', 'Sign in first');
}
