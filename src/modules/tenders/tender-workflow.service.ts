import { createHash } from 'node:crypto';
import { canonicalJson } from '../../platform/canonical-json.js';
import type { AuthorityRole, ServiceContext } from '../../platform/context.js';
import type { Db } from '../../platform/db/client.js';
import type { Tx } from '../../platform/db/tx.js';
import { withTransaction } from '../../platform/db/tx.js';
import { DomainError } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import { recordEvent } from '../audit/audit.service.js';
import { publishTenderStage } from '../ocds/ocds-tender.publish.js';
import { earliestDeadline, localDate } from '../calendar/calendar.rules.js';
import { authorityCalendar } from '../calendar/calendar.service.js';
import { activeKeysOf, lockCustodians } from '../custody/custodian-key.repo.js';
import { buildSealingTarget } from '../custody/custodian-key.rules.js';
import type { SealingTarget } from '../custody/custodian-key.types.js';
import { findMinorContract } from '../minor/minor-contract.repo.js';
import { voidMinorRequestOnCancel } from '../minor/minor-contract.service.js';
import { isHarmonised, minimumTenderPeriod } from '../procedures/procedure.rules.js';
import type { ContractType, ProcedureCode } from '../procedures/procedure.types.js';
import { membersWithRole } from '../tenancy/authority.repo.js';
import { enforce } from '../tenancy/tenancy.policy.js';
import { authorizeOnTender, canDecideStep } from './tender.policy.js';
import { noticeAbnormal } from './criterion-formula.rules.js';
import { presentTender, type TenderView } from './tender.presenter.js';
import { loadTender, type TenderAggregate } from './tender.repo.js';
import { nextStatus, type TenderStatus } from './tender.rules.js';
import { getTender, runChecks } from './tender.service.js';
import { assignmentRows, latestApprovalRound, tenderExists } from './tender-workflow.repo.js';

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

/** Refuses a file with blocking findings: approvers sign, and the public sees, only what passes the checks. */
async function requirePublishable(ctx: ServiceContext, agg: TenderAggregate): Promise<void> {
  const errors = (await runChecks(ctx, agg)).filter((f) => f.severity === 'error');
  if (errors.length)
    throw new DomainError('CHECKS_FAILED', 'The file has blocking findings', { findings: errors });
}

/**
 * Assigns the committee (mesa), the key custodians and the experts of a file. Only staff of the
 * authority who hold the matching role can be assigned; an expert (art. 146.2.a LCSP: the
 * committee of experts that scores judgement criteria when they outweigh the formula criteria)
 * must hold the authority's committee_member role, the role that scores, and may not also sit on
 * this file's committee: the article bars the experts from the body that proposes the contract.
 * `experts` omitted keeps the experts assigned before. Like any edit it sends the file back to
 * draft, so the chain approves the custodians too; at publication they are frozen.
 */
export async function setAssignments(
  ctx: ServiceContext,
  authorityId: string,
  id: string,
  input: { version: number; committee: string[]; custodians: string[]; experts?: string[] | undefined },
): Promise<TenderView> {
  authorizeOnTender(ctx.actor, 'tender.edit', authorityId);
  let experts: string[] = [];
  await withTransaction(ctx.db as Db, async (trx) => {
    const agg = await lockedTender(trx, authorityId, id, input.version);
    const to = nextStatus(agg.tender.status as TenderStatus, { type: 'edit' });
    experts = [
      ...new Set(
        input.experts ??
          (await assignmentRows(trx, authorityId, id))
            .filter((r) => r.role === 'expert')
            .map((r) => r.user_id),
      ),
    ];
    const both = experts.filter((u) => input.committee.includes(u)).sort();
    if (both.length) {
      throw new DomainError(
        'EXPERT_ON_COMMITTEE',
        'An expert cannot also be a committee member of the same tender (art. 146.2.a LCSP)',
        { userIds: both },
      );
    }
    // [user, role on the file, authority role it needs]
    const wanted: [string, string, AuthorityRole][] = [
      ...[...new Set(input.committee)].map((u): [string, string, AuthorityRole] => [
        u,
        'committee_member',
        'committee_member',
      ]),
      ...[...new Set(input.custodians)].map((u): [string, string, AuthorityRole] => [
        u,
        'key_custodian',
        'key_custodian',
      ]),
      ...experts.map((u): [string, string, AuthorityRole] => [u, 'expert', 'committee_member']),
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
      .filter(([u, , needs]) => !rolesOf.get(u)?.includes(needs))
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
      data: {
        committee: [...new Set(input.committee)],
        custodians: [...new Set(input.custodians)],
        ...(experts.length ? { experts } : {}),
      },
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
    await requirePublishable({ ...ctx, db: trx }, agg);
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
 * The public notice of a file as canonical JSON: its content (without internal workflow fields),
 * ocid, time of publication and its current documents with their SHA-256. These exact bytes are
 * stored, hashed into the audit trail and shown; later versions are compared against them.
 */
async function buildNotice(
  trx: Tx,
  agg: TenderAggregate,
  ocid: string,
  publishedAt: Date,
  sealing: SealingTarget | undefined,
): Promise<string> {
  const documents = await trx
    .selectFrom('tender_document')
    .select(['id', 'kind', 'title', 'file_name', 'content_type', 'size_bytes', 'sha256'])
    .where('tender_id', '=', agg.tender.id)
    .where('superseded_at', 'is', null)
    .orderBy('created_at')
    .execute();
  // The cancellation stays out of the body: the cancellation notice already records its kind and
  // reasons (tender_notice.reason), its time (published_at) and the status; repeating them here
  // would state the same fact twice and show it as a change of the notice's content.
  const {
    findings: _findings,
    publishable: _publishable,
    version: _version,
    status: _status,
    cancellation: _cancellation,
    ...content
  } = presentTender(agg, []);
  return canonicalJson({
    ...content,
    // Each criterion's formula spec as stored (the evaluation reads it from here, so the published
    // formula and the computation are one object); each lot's abnormal-offer parameters with the
    // defaults written out (RGLCAP art. 85 for price-only lots, art. 149.2.a).
    lots: content.lots.map((l) => ({ ...l, ...noticeAbnormal(l) })),
    ocid,
    status: agg.tender.status === 'cancelled' ? 'cancelled' : 'published',
    publishedAt: publishedAt.toISOString(),
    documents: documents.map((d) => ({ ...d, size_bytes: String(d.size_bytes) })),
    // Notices published before sealed bids existed have no sealing target.
    ...(sealing ? { sealing } : {}),
  });
}

/**
 * The sealing target frozen at publication, read back from the previous notice version: a
 * corrigendum or a cancellation repeats it unchanged (assignments cannot change after
 * publication, and bids already sealed to these keys must stay openable).
 */
function frozenSealing(previousCanonical: string): SealingTarget | undefined {
  const parsed = JSON.parse(previousCanonical) as { sealing?: SealingTarget };
  return parsed.sealing;
}

/**
 * Fixes the keys bids will be sealed to: each assigned custodian's active key, numbered by user
 * id, and the quorum (custodian-key.rules.ts buildSealingTarget). The custodians' memberships are
 * locked (shared) first, so that a key being replaced at this instant is either replaced before
 * (and the new key is frozen) or refused after (CUSTODIAN_KEY_IN_USE).
 */
async function sealingTargetAt(trx: Tx, agg: TenderAggregate): Promise<SealingTarget> {
  const authorityId = agg.tender.authority_id;
  await lockCustodians(trx, authorityId, agg.custodianIds, 'share');
  const keys = await activeKeysOf(trx, authorityId, agg.custodianIds);
  const built = buildSealingTarget(agg.custodianIds, keys, agg.tender.custodian_quorum);
  if (!built.ok) {
    throw new DomainError('CHECKS_FAILED', 'The file has blocking findings', {
      findings: [
        {
          code: 'CUSTODIAN_KEY_MISSING',
          severity: 'error',
          source: 'LCSP DA 17ª; Dir. 2014/24 Annex IV',
          details: { custodians: agg.custodianIds.length, withKey: keys.length },
        },
      ],
    });
  }
  return built.target;
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
    // A minor contract is awarded directly after quotes (art. 118) and listed quarterly (art. 63.4): no notice.
    if (agg.tender.procedure === 'menor') {
      throw new DomainError('PROCEDURE_NOT_PUBLISHED', 'A minor contract is not published as a notice', {
        procedure: 'menor',
      });
    }
    nextStatus(agg.tender.status as TenderStatus, { type: 'publish' });
    await requirePublishable({ ...ctx, db: trx }, agg);
    const authority = await trx
      .selectFrom('authority')
      .select('ocid_prefix')
      .where('id', '=', authorityId)
      .executeTakeFirstOrThrow();
    const ocid = `${authority.ocid_prefix}-${id}`;
    const now = ctx.clock.now();
    const sealing = await sealingTargetAt(trx, agg);
    const canonical = await buildNotice(trx, agg, ocid, now, sealing);
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
    const eventId = await recordEvent(trx, ctx, {
      action: 'tender.published',
      objectType: 'tender',
      objectId: id,
      authorityId,
      isPublic: true,
      data: { ocid, noticeVersion: 1, canonicalSha256: createHash('sha256').update(canonical).digest('hex') },
    });
    // The contract notice as an OCDS `tender` release, committed with the act (issue 6).
    await publishTenderStage(trx, { stage: 'tender', authorityId, tenderId: id, eventId });
  });
  return getTender(ctx, authorityId, id);
}

export type CorrigendumInput = {
  version: number;
  reason: string;
  /** A change that could attract other bidders or change offers (art. 136.2): bidders get the full minimum period again. */
  substantial: boolean;
  title?: { ca: string; es: string; en: string } | undefined;
  description?: { ca: string; es: string; en: string } | undefined;
  questionsDeadline?: string | undefined;
  tenderDeadline?: string | undefined;
  participationDeadline?: string | undefined;
  openingAt?: string | undefined;
};

/** Top-level fields whose value differs between two notice versions: the visible diff's outline. */
export function changedFields(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys]
    .filter(
      (k) => k !== 'publishedAt' && canonicalJson(before[k] ?? null) !== canonicalJson(after[k] ?? null),
    )
    .sort();
}

/**
 * Corrects a published notice by a new, reasoned version. A deadline may be extended, never
 * shortened; after a substantial change the tender deadline must leave the full legal minimum
 * period counted from the corrigendum (art. 136.2 LCSP requires extending it).
 */
export async function publishCorrigendum(
  ctx: ServiceContext,
  authorityId: string,
  id: string,
  input: CorrigendumInput,
): Promise<TenderView> {
  const actor = authorizeOnTender(ctx.actor, 'tender.publish', authorityId);
  await withTransaction(ctx.db as Db, async (trx) => {
    const agg = await lockedTender(trx, authorityId, id, input.version);
    const t = agg.tender;
    if (t.status !== 'published' || !t.ocid) {
      throw new DomainError(
        'INVALID_TRANSITION',
        `A ${t.status} file cannot be corrected; edit it before publication`,
      );
    }
    const now = ctx.clock.now();
    const set: Record<string, unknown> = {};
    for (const [field, column, current] of [
      ['questionsDeadline', 'questions_deadline', t.questions_deadline],
      ['tenderDeadline', 'tender_deadline', t.tender_deadline],
      ['participationDeadline', 'participation_deadline', t.participation_deadline],
      ['openingAt', 'opening_at', t.opening_at],
    ] as const) {
      const value = input[field];
      if (value === undefined) continue;
      // Once the tender deadline has passed, bids are closed and their commitment may already be
      // public: reopening the period would let bids in after others were counted (DA 17ª).
      if (field !== 'openingAt' && t.tender_deadline && t.tender_deadline <= now) {
        throw new DomainError('INVALID_TRANSITION', 'The tender deadline has passed: bids are closed', {
          field,
        });
      }
      // Requests already closed may have been read and decided on (art. 162): reopening them would
      // let a late candidate in after the others were judged. A file without the phase has none.
      if (
        field === 'participationDeadline' &&
        (!t.participation_deadline || t.participation_deadline <= now)
      ) {
        throw new DomainError('INVALID_TRANSITION', 'Requests to participate are closed or not taken', {
          field,
        });
      }
      const next = new Date(value);
      if (next <= now) throw new DomainError('DEADLINE_IN_PAST', `${field} is in the past`, { field });
      if (current && next < current) {
        throw new DomainError('PERIOD_TOO_SHORT', `A corrigendum may extend ${field}, not shorten it`, {
          field,
        });
      }
      set[column] = next;
    }
    const requestsDue = (set.participation_deadline as Date | undefined) ?? t.participation_deadline;
    const bidsDue = (set.tender_deadline as Date | undefined) ?? t.tender_deadline;
    if (requestsDue && bidsDue && requestsDue >= bidsDue) {
      throw new DomainError(
        'UNPROCESSABLE',
        'Requests to participate must be due before the tender deadline',
        {
          field: 'participationDeadline',
        },
      );
    }
    if (input.title)
      Object.assign(set, { title_ca: input.title.ca, title_es: input.title.es, title_en: input.title.en });
    if (input.description) {
      Object.assign(set, {
        description_ca: input.description.ca,
        description_es: input.description.es,
        description_en: input.description.en,
      });
    }
    if (input.substantial) {
      const deadline = (set.tender_deadline as Date | undefined) ?? t.tender_deadline;
      const rule = minimumPeriodOf(agg);
      if (rule && deadline) {
        const cal = await authorityCalendar(trx, authorityId);
        const earliest = earliestDeadline(now, rule, cal);
        if (deadline < earliest) {
          throw new DomainError(
            'PERIOD_TOO_SHORT',
            'After a substantial change the deadline must leave the full minimum period',
            {
              earliest: earliest.toISOString(),
              minimumDays: rule.days,
              unit: rule.unit,
              source: 'LCSP art. 136.2',
            },
          );
        }
      }
    }
    const previous = await trx
      .selectFrom('tender_notice')
      .select(['version', 'canonical'])
      .where('tender_id', '=', id)
      .orderBy('version', 'desc')
      .executeTakeFirstOrThrow();
    await trx
      .updateTable('tender')
      .set({ ...set, version: input.version + 1, updated_at: now })
      .where('id', '=', id)
      .execute();
    const updated = await lockedTender(trx, authorityId, id);
    const canonical = await buildNotice(trx, updated, t.ocid, now, frozenSealing(previous.canonical));
    const changed = changedFields(
      JSON.parse(previous.canonical) as Record<string, unknown>,
      JSON.parse(canonical) as Record<string, unknown>,
    );
    if (changed.length === 0) throw new DomainError('UNPROCESSABLE', 'The corrigendum changes nothing');
    const noticeVersion = previous.version + 1;
    await trx
      .insertInto('tender_notice')
      .values({
        id: newId(),
        tender_id: id,
        authority_id: authorityId,
        version: noticeVersion,
        kind: 'corrigendum',
        reason: input.reason,
        substantial: input.substantial,
        snapshot: canonical,
        canonical,
        published_by: actor.userId,
        published_at: now,
      })
      .execute();
    const eventId = await recordEvent(trx, ctx, {
      action: 'tender.corrected',
      objectType: 'tender',
      objectId: id,
      authorityId,
      isPublic: true,
      data: {
        ocid: t.ocid,
        noticeVersion,
        substantial: input.substantial,
        reason: input.reason,
        canonicalSha256: createHash('sha256').update(canonical).digest('hex'),
        changed,
      },
    });
    // The corrigendum as an OCDS `tenderAmendment` release (art. 136 LCSP), committed with the act.
    await publishTenderStage(trx, { stage: 'tenderAmendment', authorityId, tenderId: id, eventId });
  });
  return getTender(ctx, authorityId, id);
}

/** The minimum tender period that applied at publication. */
function minimumPeriodOf(agg: TenderAggregate) {
  const t = agg.tender;
  const facts = {
    contractType: t.contract_type as ContractType,
    estimatedValue: t.estimated_value,
    intellectualServices: t.intellectual_services,
    socialServices: t.social_services,
  };
  // The thresholds in force on the day of publication, in the authority's time zone.
  const today = localDate(t.published_at ?? new Date(), 'Europe/Madrid');
  return minimumTenderPeriod(t.procedure as ProcedureCode, {
    harmonised: isHarmonised(facts, today),
    contractType: facts.contractType,
    urgent: t.urgent,
    priorInformationNotice: t.prior_information_notice,
    routinePurchase: t.routine_purchase,
    electronicSubmission: true,
  });
}

/**
 * Cancels a file: desistimiento (a defect in the procedure) or renuncia (public interest), with
 * reasons (art. 152 LCSP). A published file gets a public cancellation notice.
 */
export async function cancelTender(
  ctx: ServiceContext,
  authorityId: string,
  id: string,
  input: { version: number; kind: 'desistimiento' | 'renuncia'; reason: string },
): Promise<TenderView> {
  const actor = authorizeOnTender(ctx.actor, 'tender.publish', authorityId);
  await withTransaction(ctx.db as Db, async (trx) => {
    const agg = await lockedTender(trx, authorityId, id, input.version);
    const wasPublished = agg.tender.status === 'published';
    nextStatus(agg.tender.status as TenderStatus, { type: 'cancel' });
    // An awarded minor contract exists: giving it up is the contract's termination, not a
    // desistimiento or renuncia of the procedure (art. 152 applies before award).
    const minor =
      agg.tender.procedure === 'menor' ? await findMinorContract(trx, authorityId, id) : undefined;
    if (minor?.status === 'awarded') {
      throw new DomainError('INVALID_TRANSITION', 'The minor contract was awarded', {
        from: 'awarded',
        event: 'cancel',
      });
    }
    const now = ctx.clock.now();
    await trx
      .updateTable('tender')
      .set({
        status: 'cancelled',
        cancelled_at: now,
        cancellation_kind: input.kind,
        cancellation_reason: input.reason,
        version: input.version + 1,
        updated_at: now,
      })
      .where('id', '=', id)
      .execute();
    // An open request for quotes dies with its file: voided with the same reasons, in this transaction.
    if (minor?.status === 'inviting') {
      await voidMinorRequestOnCancel(trx, ctx, authorityId, id, `${input.kind}: ${input.reason}`);
    }
    if (wasPublished && agg.tender.ocid) {
      const last = await trx
        .selectFrom('tender_notice')
        .select(['version', 'canonical'])
        .where('tender_id', '=', id)
        .orderBy('version', 'desc')
        .executeTakeFirstOrThrow();
      const updated = await lockedTender(trx, authorityId, id);
      const canonical = await buildNotice(trx, updated, agg.tender.ocid, now, frozenSealing(last.canonical));
      await trx
        .insertInto('tender_notice')
        .values({
          id: newId(),
          tender_id: id,
          authority_id: authorityId,
          version: last.version + 1,
          kind: 'cancellation',
          reason: `${input.kind}: ${input.reason}`,
          snapshot: canonical,
          canonical,
          published_by: actor.userId,
          published_at: now,
        })
        .execute();
    }
    const eventId = await recordEvent(trx, ctx, {
      action: 'tender.cancelled',
      objectType: 'tender',
      objectId: id,
      authorityId,
      isPublic: wasPublished,
      data: { ocid: agg.tender.ocid, kind: input.kind, reason: input.reason },
    });
    // Only a published notice has a public cancellation (art. 152 LCSP), hence a release.
    if (wasPublished && agg.tender.ocid) {
      await publishTenderStage(trx, { stage: 'tenderCancellation', authorityId, tenderId: id, eventId });
    }
  });
  return getTender(ctx, authorityId, id);
}

/** A file of the authority or NOT_FOUND, after the read policy (no membership → NOT_FOUND too). */
async function readableTender(ctx: ServiceContext, authorityId: string, tenderId: string): Promise<void> {
  authorizeOnTender(ctx.actor, 'tender.read', authorityId);
  if (!(await tenderExists(ctx.db, authorityId, tenderId))) {
    throw new DomainError('NOT_FOUND', 'Tender not found');
  }
}

export type TenderAssignments = { committee: string[]; custodians: string[]; experts: string[] };

/** Who is assigned to a file: the committee (mesa), the key custodians and the experts (art. 146.2.a), as user ids. */
export async function getAssignments(
  ctx: ServiceContext,
  authorityId: string,
  tenderId: string,
): Promise<TenderAssignments> {
  await readableTender(ctx, authorityId, tenderId);
  const rows = await assignmentRows(ctx.db, authorityId, tenderId);
  return {
    committee: rows.filter((r) => r.role === 'committee_member').map((r) => r.user_id),
    custodians: rows.filter((r) => r.role === 'key_custodian').map((r) => r.user_id),
    experts: rows.filter((r) => r.role === 'expert').map((r) => r.user_id),
  };
}

export type ApprovalStepView = {
  round: number;
  position: number;
  role: string;
  decision: string | null;
  decidedBy: { id: string; name: string } | null;
  decidedAt: string | null;
  comment: string | null;
};

/**
 * The steps of the file's latest approval round, in chain order, with who decided each; empty
 * when the file was never submitted. Earlier rounds stay in the audit trail.
 */
export async function currentApprovalRound(
  ctx: ServiceContext,
  authorityId: string,
  tenderId: string,
): Promise<ApprovalStepView[]> {
  await readableTender(ctx, authorityId, tenderId);
  const steps = await latestApprovalRound(ctx.db, authorityId, tenderId);
  return steps.map((s) => ({
    round: s.round,
    position: s.position,
    role: s.role,
    decision: s.decision,
    decidedBy: s.decided_by ? { id: s.decided_by, name: s.decided_by_name ?? '' } : null,
    decidedAt: s.decided_at?.toISOString() ?? null,
    comment: s.comment,
  }));
}

export type AssignmentCandidates = {
  committee: { id: string; name: string }[];
  custodians: { id: string; name: string }[];
  /** Experts are chosen among the committee members of the authority (art. 146.2.a LCSP). */
  experts: { id: string; name: string }[];
};

/**
 * Staff of the authority who can sit on the committee, hold a key or act as an expert: only
 * members with the matching role may be assigned (setAssignments refuses anyone else).
 */
export async function assignmentCandidates(
  ctx: ServiceContext,
  authorityId: string,
): Promise<AssignmentCandidates> {
  authorizeOnTender(ctx.actor, 'tender.read', authorityId);
  const rows = await membersWithRole(ctx.db, authorityId, ['committee_member', 'key_custodian']);
  const holding = (role: AuthorityRole) =>
    rows.filter((r) => r.roles.includes(role)).map((r) => ({ id: r.id, name: r.name }));
  return {
    committee: holding('committee_member'),
    custodians: holding('key_custodian'),
    experts: holding('committee_member'),
  };
}
