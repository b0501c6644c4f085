import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import type { App } from '../../app.js';
import { Body, errors, Uuid } from '../../platform/http/schemas.js';
import { listCustodianKeys, registerOwnCustodianKey, revokeCustodianKey } from './custodian-key.service.js';

const tags = ['Custody'];
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

const CustodianKeySchema = Type.Object({
  id: Type.String(),
  authorityId: Type.String(),
  userId: Type.String(),
  userName: Type.String(),
  recipient: Type.String({ description: 'age X25519 recipient, age1…' }),
  fingerprint: Type.String({ description: 'First 16 hex digits of SHA-256 of the recipient' }),
  createdAt: Type.String(),
  revokedAt: Nullable(Type.String()),
  revokedBy: Nullable(Type.String()),
});

const AuthorityParams = Type.Object({ authorityId: Uuid });
const base = '/authorities/:authorityId/custodian-keys';

export const custodianKeyRoutes =
  (app: App): FastifyPluginAsyncTypebox =>
  async (r) => {
    r.put(
      `${base}/me`,
      {
        schema: {
          tags,
          summary:
            'Register your own public key (an age X25519 recipient made on your device) as a key custodian of the authority; replaces your active key unless bids are sealed to it',
          params: AuthorityParams,
          body: Body({
            recipient: Type.String({
              minLength: 1,
              maxLength: 200,
              description: 'The age recipient, age1… (never the AGE-SECRET-KEY-… identity)',
            }),
          }),
          response: { 200: CustodianKeySchema, ...errors(400, 401, 403, 404, 409, 422) },
        },
      },
      async (request) =>
        registerOwnCustodianKey(app.serviceContext(request), request.params.authorityId, request.body),
    );

    r.get(
      base,
      {
        schema: {
          tags,
          summary: 'The custodians’ public keys of the authority, active and revoked (its staff)',
          params: AuthorityParams,
          response: { 200: Type.Array(CustodianKeySchema), ...errors(400, 401, 403, 404) },
        },
      },
      async (request) => listCustodianKeys(app.serviceContext(request), request.params.authorityId),
    );

    r.delete(
      `${base}/:keyId`,
      {
        schema: {
          tags,
          summary:
            'Revoke a custodian’s key, unless bids of a published file are sealed to it (authority administrators)',
          params: Type.Object({ authorityId: Uuid, keyId: Uuid }),
          response: { 200: CustodianKeySchema, ...errors(400, 401, 403, 404, 409) },
        },
      },
      async (request) =>
        revokeCustodianKey(app.serviceContext(request), request.params.authorityId, request.params.keyId),
    );
  };
