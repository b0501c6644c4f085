import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import type { App } from '../../app.js';
import { DomainError } from '../../platform/errors.js';
import { errors, Uuid } from '../../platform/http/schemas.js';
import { findAuthority } from '../tenancy/authority.repo.js';
import { authorizeOnAuthority, authorizeOnPlatform } from '../tenancy/tenancy.policy.js';
import { readEvents } from './audit.service.js';

const tags = ['Audit'];

export const AuditEventSchema = Type.Object({
  seq: Type.String(),
  id: Type.String(),
  occurredAt: Type.String(),
  action: Type.String(),
  actorUserId: Type.Union([Type.String(), Type.Null()]),
  actorKind: Type.String(),
  authorityId: Type.Union([Type.String(), Type.Null()]),
  companyId: Type.Union([Type.String(), Type.Null()]),
  objectType: Type.String(),
  objectId: Type.String(),
  ip: Type.Union([Type.String(), Type.Null()]),
  userAgent: Type.Union([Type.String(), Type.Null()]),
  data: Type.Unknown(),
  canonical: Type.String(),
});

export const AuditQuery = Type.Object(
  {
    action: Type.Optional(Type.String({ maxLength: 80 })),
    objectType: Type.Optional(Type.String({ maxLength: 80 })),
    objectId: Type.Optional(Type.String({ maxLength: 200 })),
    actorUserId: Type.Optional(Uuid),
    from: Type.Optional(Type.String({ format: 'date-time' })),
    to: Type.Optional(Type.String({ format: 'date-time' })),
    before: Type.Optional(Type.String({ pattern: '^[0-9]{1,18}$' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
    lang: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);
export type AuditQueryT = {
  action?: string | undefined;
  objectType?: string | undefined;
  objectId?: string | undefined;
  actorUserId?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  before?: string | undefined;
  limit?: number | undefined;
};

export function toFilter(q: AuditQueryT, authorityId: string | undefined) {
  return {
    authorityId,
    action: q.action,
    objectType: q.objectType,
    objectId: q.objectId,
    actorUserId: q.actorUserId,
    from: q.from ? new Date(q.from) : undefined,
    to: q.to ? new Date(q.to) : undefined,
    beforeSeq: q.before,
    limit: q.limit ?? 100,
  };
}

export const auditRoutes =
  (app: App): FastifyPluginAsyncTypebox =>
  async (r) => {
    r.get(
      '/authorities/:authorityId/audit-events',
      {
        schema: {
          tags,
          summary: 'Audit events of one authority, newest first (auditors and administrators)',
          params: Type.Object({ authorityId: Uuid }),
          querystring: AuditQuery,
          response: { 200: Type.Array(AuditEventSchema), ...errors(400, 401, 403, 404) },
        },
      },
      async (request) => {
        authorizeOnAuthority(request.actor, 'audit.read', request.params.authorityId);
        const db = app.deps.database.db;
        const events = await readEvents(db, toFilter(request.query, request.params.authorityId));
        // Only a platform administrator gets here for an id that is no authority: 404, not [].
        if (events.length === 0 && !(await findAuthority(db, request.params.authorityId))) {
          throw new DomainError('NOT_FOUND', 'Authority not found');
        }
        return events;
      },
    );

    r.get(
      '/audit-events',
      {
        schema: {
          tags,
          summary: 'All audit events, platform-level included (platform administrators)',
          querystring: AuditQuery,
          response: { 200: Type.Array(AuditEventSchema), ...errors(400, 401, 403) },
        },
      },
      async (request) => {
        authorizeOnPlatform(request.actor, 'audit.read_all');
        return readEvents(app.deps.database.db, toFilter(request.query, undefined));
      },
    );
  };
