import { canonicalJson } from '../../platform/canonical-json.js';
import type { Actor, ServiceContext } from '../../platform/context.js';
import type { Db } from '../../platform/db/client.js';
import type { Tx } from '../../platform/db/tx.js';
import { newId } from '../../platform/ids.js';
import { type AuditFilter, insertAuditEvent, insertEmbargoLifted, listAuditEvents } from './audit.repo.js';
import type { AuditAction, AuditEventView, AuditInput } from './audit.types.js';

function actorKind(actor: Actor): string {
  return actor.kind === 'user'
    ? `user:${actor.via}`
    : actor.kind === 'system'
      ? `system:${actor.label}`
      : 'anonymous';
}

/**
 * Writes an audit event with the transaction that makes the change (`trx` must be that
 * transaction), so that no change is ever committed without its event.
 *
 * The canonical form leaves out IP address and user agent: they are personal data, kept for
 * internal review, while the canonical bytes may later be anchored in a public ledger.
 */
export async function recordEvent<A extends AuditAction>(
  trx: Tx,
  ctx: Pick<ServiceContext, 'actor' | 'clock' | 'ip' | 'userAgent'>,
  input: AuditInput<A>,
): Promise<string> {
  const id = newId();
  const occurredAt = ctx.clock.now();
  const actorUserId = ctx.actor.kind === 'user' ? ctx.actor.userId : null;
  const kind = actorKind(ctx.actor);
  const canonical = canonicalJson({
    v: 1,
    id,
    occurredAt: occurredAt.toISOString(),
    action: input.action,
    actor: { kind, userId: actorUserId },
    authorityId: input.authorityId ?? null,
    companyId: input.companyId ?? null,
    object: { type: input.objectType, id: input.objectId },
    data: input.data,
  });
  await insertAuditEvent(trx, {
    id,
    occurredAt,
    action: input.action,
    actorUserId,
    actorKind: kind,
    authorityId: input.authorityId ?? null,
    companyId: input.companyId ?? null,
    objectType: input.objectType,
    objectId: input.objectId,
    ip: ctx.ip,
    userAgent: ctx.userAgent,
    data: JSON.stringify(input.data),
    isPublic: input.isPublic ?? false,
    canonical,
    embargo: input.embargo ?? null,
  });
  return id;
}

/**
 * Lifts an audit embargo (see `AuditInput.embargo`) inside the transaction of the act that makes
 * the embargoed events readable, so that they become visible exactly when that act commits.
 */
export async function liftEmbargo(trx: Tx, ctx: Pick<ServiceContext, 'clock'>, key: string): Promise<void> {
  await insertEmbargoLifted(trx, key, ctx.clock.now());
}

/** Reads events; the caller has already checked the policy for the filter's authority. */
export async function readEvents(db: Db | Tx, filter: AuditFilter): Promise<AuditEventView[]> {
  const rows = await listAuditEvents(db, filter);
  return rows.map((r) => ({
    seq: String(r.seq),
    id: r.id,
    occurredAt: r.occurred_at.toISOString(),
    action: r.action,
    actorUserId: r.actor_user_id,
    actorKind: r.actor_kind,
    authorityId: r.authority_id,
    companyId: r.company_id,
    objectType: r.object_type,
    objectId: r.object_id,
    ip: r.ip,
    userAgent: r.user_agent,
    data: r.data,
    canonical: r.canonical,
  }));
}
