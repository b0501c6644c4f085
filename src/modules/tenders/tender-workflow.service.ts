import { createHash } from 'node:crypto';
import { canonicalJson } from '../../platform/canonical-json.js';
import type { AuthorityRole, ServiceContext } from '../../platform/context.js';
import type { Db } from '../../platform/db/client.js';
import type { Tx } from '../../platform/db/tx.js';
import { withTransaction } from '../../platform/db/tx.js';
import { DomainError } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import { recordEvent } from '../audit/audit.service.js';
import { enforce } from '../tenancy/tenancy.policy.js';
import { authorizeOnTender, canDecideStep } from './tender.policy.js';
import { presentTender, type TenderView } from './tender.presenter.js';
import { loadTender, type TenderAggregate } from './tender.repo.js';
import { nextStatus, type TenderStatus } from './tender.rules.js';
import { getTender, runChecks } from './tender.service.js';

async function lockedTender(
  trx: Tx,
  authorityId: string,
  id: string,
  version?: number,
): Promise<TenderAggregate> {
  const agg = await loadTender(trx, authorityId, id, { forUpdate: true });
  if (!agg) throw new DomainError('NOT_FOUND', 'Tender not found');
  if (version !== undefined && agg.tender.version !== version) {
    throw new DomainError('STALE_VERSION', 'The file changed since you read it', {
      version: agg.tender.version,
    });
  }
  return agg;
}

/**
 * Assigns the committee (mesa) and the key custodians of a file. Only staff of the authority who
 * hold the matching role can be assigned. Like any edit it sends the file back to draft, so the
 * chain approves the custodians too; at publication they are frozen.
 */
export async function setAssignments(
  ctx: ServiceContext,
  authorityId: string,
  id: string,
  input: { version: number; committee: string[]; custodians: string[] },
): Promise<TenderView> {
  authorizeOnTender(ctx.actor, 'tender.edit', authorityId);
  await withTransaction(ctx.db as Db, async (trx) => {
    const agg = await lockedTender(trx, authorityId, id, input.version);
    const to = nextStatus(agg.tender.status as TenderStatus, { type: 'edit' });
    const wanted: [string, AuthorityRole][] = [
      ...[...new Set(input.committee)].map((u): [string, AuthorityRole] => [u, 'committee_member']),
      ...[...new Set(input.custodians)].map((u): [string, AuthorityRole] => [u, 'key_custodian']),
    ];
    const members = await trx
      .selectFrom('membership')
      .select(['user_id', 'roles'])
      .where('authority_id', '=', authorityId)
      .where(
        'user_id',
        'in',
        wanted.length ? wanted.map(([u]) => u) : ['00000000-0000-0000-0000-000000000000'],
      )
      .execute();
    const rolesOf = new Map(members.map((m) => [m.user_id, m.roles]));
    const invalid = wanted
      .filter(([u, role]) => !rolesOf.get(u)?.includes(role))
      .map(([u, role]) => ({ userId: u, role }));
    if (invalid.length) {
      throw new DomainError(
        'UNPROCESSABLE',
        'Only members of the authority with the matching role can be assigned',
        { invalid },
      );
    }
    await trx.deleteFrom('tender_assignment').where('tender_id', '=', id).execute();
    if (wanted.length) {
      await trx
        .insertInto('tender_assignment')
        .values(
          wanted.map(([user_id, role]) => ({ tender_id: id, authority_id: authorityId, user_id, role })),
        )
        .execute();
    }
    await trx
      .updateTable('tender')
      .set({ status: to, version: input.version + 1, updated_at: ctx.clock.now() })
      .where('id', '=', id)
      .execute();
    await recordEvent(trx, ctx, {
      action: 'tender.assignments_set',
      objectType: 'tender',
      objectId: id,
      authorityId,
      data: { committee: [...new Set(input.committee)], custodians: [...new Set(input.custodians)] },
    });
  });
  return getTender(ctx, authorityId, id);
}

/**
 * Sends a file to the authority's approval chain (for example technical → legal → financial
 * control). A file with blocking findings cannot be submitted: approvers sign what would be published.
 */
export async function submitTender(
  ctx: ServiceContext,
  authorityId: string,
  id: string,
  version: number,
): Promise<TenderView> {
  authorizeOnTender(ctx.actor, 'tender.submit', authorityId);
  await withTransaction(ctx.db as Db, async (trx) => {
    const agg = await lockedTender(trx, authorityId, id, version);
    nextStatus(agg.tender.status as TenderStatus, { type: 'submit' });
    const findings = await runChecks({ ...ctx, db: trx }, agg);
    const errors = findings.filter((f) => f.severity === 'error');
    if (errors.length)
      throw new DomainError('CHECKS_FAILED', 'The file has blocking findings', { findings: errors });
    const authority = await trx
      .selectFrom('authority')
      .select('approval_chain')
      .where('id', '=', authorityId)
      .executeTakeFirstOrThrow();
    const last = await trx
      .selectFrom('tender_approval')
      .select((eb) => eb.fn.max('round').as('round'))
      .where('tender_id', '=', id)
      .executeTakeFirst();
    const round = Number(last?.round ?? 0) + 1;
    const steps = authority.approval_chain;
    if (steps.length) {
      await trx
        .insertInto('tender_approval')
        .values(
          steps.map((role, position) => ({
            id: newId(),
            tender_id: id,
            authority_id: authorityId,
            round,
            position,
            role,
          })),
        )
        .execute();
    }
    // With no chain configured, submission is the approval.
    const status = steps.length ? 'in_approval' : 'approved';
    await trx
      .updateTable('tender')
      .set({ status, version: version + 1, updated_at: ctx.clock.now() })
      .where('id', '=', id)
      .execute();
    await recordEvent(trx, ctx, {
      action: 'tender.submitted',
      objectType: 'tender',
      objectId: id,
      authorityId,
      data: { round, steps },
    });
  });
  return getTender(ctx, authorityId, id);
}

/**
 * Decides the pending step of the chain. Only a holder of the step's role may decide it, and no
 * one decides two steps of one round (four eyes: each approval is a different person's).
 * A rejection needs reasons and returns the file to draft.
 */
export async function decideApproval(
  ctx: ServiceContext,
  authorityId: string,
  id: string,
  input: { decision: 'approved' | 'rejected'; comment?: string | undefined },
): Promise<TenderView> {
  authorizeOnTender(ctx.actor, 'tender.read', authorityId);
  await withTransaction(ctx.db as Db, async (trx) => {
    const agg = await lockedTender(trx, authorityId, id);
    if (agg.tender.status !== 'in_approval') {
      throw new DomainError('INVALID_TRANSITION', `A ${agg.tender.status} file has no pending approval`);
    }
    const round = await trx
      .selectFrom('tender_approval')
      .selectAll()
      .where('tender_id', '=', id)
      .where(
        'round',
        '=',
        trx
          .selectFrom('tender_approval')
          .select((eb) => eb.fn.max('round').as('r'))
          .where('tender_id', '=', id),
      )
      .orderBy('position')
      .execute();
    const step = round.find((s) => s.decision === null);
    if (!step) throw new DomainError('INVALID_TRANSITION', 'No pending approval step');
    const actor = enforce(canDecideStep(ctx.actor, authorityId, step.role), ctx.actor, 'Tender');
    if (round.some((s) => s.decided_by === actor.userId)) {
      throw new DomainError(
        'FORBIDDEN',
        'You already decided a step of this round; another person must decide this one',
      );
    }
    const comment = input.comment?.trim() || null;
    if (input.decision === 'rejected' && !comment) {
      throw new DomainError('UNPROCESSABLE', 'A rejection needs its reasons', { field: 'comment' });
    }
    const now = ctx.clock.now();
    await trx
      .updateTable('tender_approval')
      .set({ decision: input.decision, decided_by: actor.userId, decided_at: now, comment })
      .where('id', '=', step.id)
      .execute();
    const isLastStep = step.position === Math.max(...round.map((s) => s.position));
    const to = nextStatus(
      'in_approval',
      input.decision === 'approved' ? { type: 'approve_step', isLastStep } : { type: 'reject_step' },
    );
    await trx
      .updateTable('tender')
      .set({ status: to, version: agg.tender.version + 1, updated_at: now })
      .where('id', '=', id)
      .execute();
    if (input.decision === 'approved') {
      await recordEvent(trx, ctx, {
        action: 'tender.approved',
        objectType: 'tender',
        objectId: id,
        authorityId,
        data: { round: step.round, position: step.position, role: step.role, comment },
      });
    } else {
      await recordEvent(trx, ctx, {
        action: 'tender.rejected',
        objectType: 'tender',
        objectId: id,
        authorityId,
        data: { round: step.round, position: step.position, role: step.role, comment: comment ?? '' },
      });
    }
  });
  return getTender(ctx, authorityId, id);
}

/** Pending approval steps the signed-in user can decide, across their authorities. */
export async function approvalsInbox(ctx: ServiceContext) {
  const actor = ctx.actor;
  if (actor.kind !== 'user') throw new DomainError('UNAUTHENTICATED', 'Sign in first');
  const pairs = [...actor.authorityRoles].flatMap(([authorityId, roles]) =>
    roles.map((role) => ({ authorityId, role })),
  );
  if (pairs.length === 0) return [];
  const rows = await ctx.db
    .selectFrom('tender_approval as s')
    .innerJoin('tender as t', 't.id', 's.tender_id')
    .select([
      's.tender_id',
      's.authority_id',
      's.role',
      's.round',
      's.position',
      't.reference',
      't.title_ca',
      't.title_es',
      't.title_en',
    ])
    .where('t.status', '=', 'in_approval')
    .where('s.decision', 'is', null)
    .where((eb) =>
      eb.or(pairs.map((p) => eb.and([eb('s.authority_id', '=', p.authorityId), eb('s.role', '=', p.role)]))),
    )
    // Only the first undecided step of the latest round is pending; later ones wait their turn.
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('tender_approval as e')
            .select('e.id')
            .whereRef('e.tender_id', '=', 's.tender_id')
            .where((eb) =>
              eb.or([
                eb('e.round', '>', eb.ref('s.round')),
                eb.and([
                  eb('e.round', '=', eb.ref('s.round')),
                  eb('e.position', '<', eb.ref('s.position')),
                  eb('e.decision', 'is', null),
                ]),
              ]),
            ),
        ),
      ),
    )
    .orderBy('t.updated_at')
    .execute();
  return rows.map((r) => ({
    tenderId: r.tender_id,
    authorityId: r.authority_id,
    reference: r.reference,
    title: { ca: r.title_ca, es: r.title_es, en: r.title_en },
    role: r.role,
    round: r.round,
    position: r.position,
  }));
}

/**
 * Publishes an approved file: assigns its ocid (the authority's prefix and the file id), freezes
 * the notice as canonical JSON with the documents' hashes, and makes it public. From here on the
 * notice changes only by corrigendum (art. 136 LCSP).
 */
export async function publishTender(
  ctx: ServiceContext,
  authorityId: string,
  id: string,
  version: number,
): Promise<TenderView> {
  const actor = authorizeOnTender(ctx.actor, 'tender.publish', authorityId);
  await withTransaction(ctx.db as Db, async (trx) => {
    const agg = await lockedTender(trx, authorityId, id, version);
    nextStatus(agg.tender.status as TenderStatus, { type: 'publish' });
    const findings = await runChecks({ ...ctx, db: trx }, agg);
    const errors = findings.filter((f) => f.severity === 'error');
    if (errors.length)
      throw new DomainError('CHECKS_FAILED', 'The file has blocking findings', { findings: errors });
    const authority = await trx
      .selectFrom('authority')
      .select('ocid_prefix')
      .where('id', '=', authorityId)
      .executeTakeFirstOrThrow();
    const ocid = `${authority.ocid_prefix}-${id}`;
    const now = ctx.clock.now();
    const documents = await trx
      .selectFrom('tender_document')
      .select(['id', 'kind', 'title', 'file_name', 'content_type', 'size_bytes', 'sha256'])
      .where('tender_id', '=', id)
      .where('superseded_at', 'is', null)
      .orderBy('created_at')
      .execute();
    const view = presentTender(agg, []);
    const { findings: _f, publishable: _p, version: _v, status: _s, ...notice } = view;
    const snapshot = {
      ...notice,
      ocid,
      status: 'published',
      publishedAt: now.toISOString(),
      documents: documents.map((d) => ({ ...d, size_bytes: String(d.size_bytes) })),
    };
    const canonical = canonicalJson(snapshot);
    await trx
      .insertInto('tender_notice')
      .values({
        id: newId(),
        tender_id: id,
        authority_id: authorityId,
        version: 1,
        kind: 'original',
        snapshot: canonical,
        canonical,
        published_by: actor.userId,
        published_at: now,
      })
      .execute();
    await trx
      .updateTable('tender')
      .set({ status: 'published', ocid, published_at: now, version: version + 1, updated_at: now })
      .where('id', '=', id)
      .execute();
    await recordEvent(trx, ctx, {
      action: 'tender.published',
      objectType: 'tender',
      objectId: id,
      authorityId,
      isPublic: true,
      data: { ocid, noticeVersion: 1, canonicalSha256: createHash('sha256').update(canonical).digest('hex') },
    });
  });
  return getTender(ctx, authorityId, id);
}
