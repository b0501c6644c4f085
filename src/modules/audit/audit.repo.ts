import { sql } from 'kysely';
import type { Db } from '../../platform/db/client.js';
import type { Tx } from '../../platform/db/tx.js';

export type AuditFilter = {
  /** Restricts to one authority; undefined means all (platform administrators only). */
  authorityId?: string | undefined;
  action?: string | undefined;
  objectType?: string | undefined;
  objectId?: string | undefined;
  actorUserId?: string | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
  /** Keyset paging: events with seq strictly below this one. */
  beforeSeq?: string | undefined;
  /** Events about any of these objects (with `objectId`, both must hold). */
  objectIds?: readonly string[] | undefined;
  /** Any of these actions (with `action`, both must hold). */
  actions?: readonly string[] | undefined;
  /** Only the events published as they happen (the committee's minutes, the public record). */
  publicOnly?: boolean | undefined;
  /** Newest first unless asked otherwise (minutes read in the order things happened). */
  order?: 'asc' | 'desc' | undefined;
  limit: number;
};

export type AuditRecord = {
  id: string;
  occurredAt: Date;
  action: string;
  actorUserId: string | null;
  actorKind: string;
  authorityId: string | null;
  companyId: string | null;
  objectType: string;
  objectId: string;
  ip: string | null;
  userAgent: string | null;
  data: string;
  isPublic: boolean;
  canonical: string;
  embargo: string | null;
};

/** Appends one event. There is no update or delete: the table refuses them with a trigger. */
export async function insertAuditEvent(trx: Tx | Db, r: AuditRecord): Promise<void> {
  await trx
    .insertInto('audit_event')
    .values({
      id: r.id,
      occurred_at: r.occurredAt,
      action: r.action,
      actor_user_id: r.actorUserId,
      actor_kind: r.actorKind,
      authority_id: r.authorityId,
      company_id: r.companyId,
      object_type: r.objectType,
      object_id: r.objectId,
      ip: r.ip,
      user_agent: r.userAgent,
      data: r.data,
      is_public: r.isPublic,
      canonical: r.canonical,
      embargo: r.embargo,
    })
    .execute();
}

/** Makes the events under `key` readable from now on; lifting twice is harmless. */
export async function insertEmbargoLifted(trx: Tx, key: string, at: Date): Promise<void> {
  await trx
    .insertInto('audit_embargo_lifted')
    .values({ key, lifted_at: at })
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
}

export function listAuditEvents(db: Db | Tx, f: AuditFilter) {
  // Embargoed events stay out of every listing until their embargo is lifted, whoever asks.
  let q = db
    .selectFrom('audit_event')
    .selectAll()
    .where((eb) =>
      eb.or([
        eb('embargo', 'is', null),
        eb.exists(
          eb
            .selectFrom('audit_embargo_lifted')
            .select('audit_embargo_lifted.key')
            .whereRef('audit_embargo_lifted.key', '=', 'audit_event.embargo'),
        ),
      ]),
    );
  if (f.authorityId !== undefined) q = q.where('authority_id', '=', f.authorityId);
  if (f.action) q = q.where('action', '=', f.action);
  if (f.objectType) q = q.where('object_type', '=', f.objectType);
  if (f.objectId) q = q.where('object_id', '=', f.objectId);
  if (f.actorUserId) q = q.where('actor_user_id', '=', f.actorUserId);
  if (f.from) q = q.where('occurred_at', '>=', f.from);
  if (f.to) q = q.where('occurred_at', '<', f.to);
  if (f.beforeSeq) q = q.where('seq', '<', f.beforeSeq);
  if (f.objectIds) {
    q = f.objectIds.length > 0 ? q.where('object_id', 'in', [...f.objectIds]) : q.where(sql<boolean>`false`);
  }
  if (f.actions)
    q = f.actions.length > 0 ? q.where('action', 'in', [...f.actions]) : q.where(sql<boolean>`false`);
  if (f.publicOnly) q = q.where('is_public', '=', true);
  return q
    .orderBy('seq', f.order ?? 'desc')
    .limit(f.limit)
    .execute();
}
