import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import type { App } from '../../app.js';
import { errors } from '../../platform/http/schemas.js';

const tags = ['Receipts'];

export const ReceiptKeysSchema = Type.Object({
  keys: Type.Array(
    Type.Object({
      keyId: Type.String({
        pattern: '^[0-9a-f]{16}$',
        description: 'First 16 hex digits of the SHA-256 of the key’s SPKI DER; receipts name it in keyId',
      }),
      algorithm: Type.Literal('Ed25519'),
      publicKeyPem: Type.String({ description: 'SPKI public key, PEM (for `openssl pkeyutl -pubin`)' }),
      current: Type.Boolean({ description: 'True for the key that signs new receipts' }),
    }),
    { description: 'Every key that has signed receipts, oldest first; retired keys stay listed' },
  ),
});

export const receiptRoutes =
  (app: App): FastifyPluginAsyncTypebox =>
  async (r) => {
    r.get(
      '/receipt-keys',
      {
        schema: {
          tags,
          summary: 'Public keys that sign bid receipts, to verify a receipt offline (public)',
          response: { 200: ReceiptKeysSchema, ...errors(429) },
        },
      },
      async (_request, reply) => {
        // Keys change only on rotation (a restart); a short cache spares the server without
        // delaying a rotation much.
        reply.header('cache-control', 'public, max-age=300');
        return { keys: app.deps.signingKey.published };
      },
    );
  };
