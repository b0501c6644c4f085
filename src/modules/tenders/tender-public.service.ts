import type { ServiceContext } from '../../platform/context.js';
import type { Db } from '../../platform/db/client.js';
import { withTransaction } from '../../platform/db/tx.js';
import { DomainError } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import { recordEvent } from '../audit/audit.service.js';
import { authorizeOnCompany } from '../parties/company.policy.js';
import { authorizeOnTender, canOnTender } from './tender.policy.js';
import { noticeDiff } from './notice-diff.rules.js';
import { changedFields } from './tender-workflow.service.js';

/** A published (or cancelled) tender by its ocid; drafts do not exist for the public. */
async function publicTender(db: ServiceContext['db'], ocid: string) {
  const t = await db
    .selectFrom('tender')
    .select(['id', 'authority_id', 'status', 'ocid', 'questions_deadline'])
    .where('ocid', '=', ocid)
    .where('status', 'in', ['published', 'cancelled'])
    .executeTakeFirst();
  if (!t) throw new DomainError('NOT_FOUND', 'Tender not found');
  return t;
}

/**
 * The public page of a tender: the current notice as published (the frozen canonical JSON), the
 * history of its versions with what each corrigendum changed, and the answered questions without
 * the identity of who asked (equal treatment of bidders).
 */
export async function getPublicNotice(ctx: ServiceContext, ocid: string) {
  const t = await publicTender(ctx.db, ocid);
  const notices = await ctx.db
    .selectFrom('tender_notice')
    .select(['version', 'kind', 'reason', 'substantial', 'published_at', 'canonical'])
    .where('tender_id', '=', t.id)
    .orderBy('version')
    .execute();
  const questions = await ctx.db
    .selectFrom('tender_question')
    .select(['id', 'question', 'asked_at', 'answer', 'answered_at'])
    .where('tender_id', '=', t.id)
    .where('answer', 'is not', null)
    .orderBy('asked_at')
    .execute();
  const parsed = notices.map((n) => JSON.parse(n.canonical) as Record<string, unknown>);
  const current = notices.at(-1);
  if (!current) throw new DomainError('NOT_FOUND', 'Tender not found');
  return {
    ocid,
    status: t.status,
    notice: parsed.at(-1) as Record<string, unknown>,
    canonical: current.canonical,
    history: notices.map((n, i) => ({
      version: n.version,
      kind: n.kind,
      reason: n.reason,
      substantial: n.substantial,
      publishedAt: n.published_at.toISOString(),
      changed: i === 0 ? [] : changedFields(parsed[i - 1] ?? {}, parsed[i] ?? {}),
      changes: i === 0 ? [] : noticeDiff(parsed[i - 1] ?? {}, parsed[i] ?? {}),
    })),
    questions: questions.map((q) => ({
      id: q.id,
      question: q.question,
      askedAt: q.asked_at.toISOString(),
      answer: q.answer ?? '',
      answeredAt: q.answered_at?.toISOString() ?? '',
    })),
  };
}

/**
 * A registered company asks a question about a published tender, until the questions deadline
 * (art. 138.3 LCSP: additional information is given at least 6 days before the deadline, so the
 * authority sets the questions deadline accordingly). The asker stays private.
 */
export async function askQuestion(
  ctx: ServiceContext,
  ocid: string,
  input: { companyId: string; question: string },
) {
  const actor = authorizeOnCompany(ctx.actor, 'company.read', input.companyId);
  const t = await publicTender(ctx.db, ocid);
  const now = ctx.clock.now();
  if (t.status !== 'published' || !t.questions_deadline || t.questions_deadline <= now) {
    throw new DomainError('QUESTIONS_CLOSED', 'Questions are closed for this tender', {
      questionsDeadline: t.questions_deadline?.toISOString() ?? null,
    });
  }
  const id = newId();
  await withTransaction(ctx.db as Db, async (trx) => {
    await trx
      .insertInto('tender_question')
      .values({
        id,
        tender_id: t.id,
        authority_id: t.authority_id,
        company_id: input.companyId,
        asked_by: actor.userId,
        question: input.question,
        asked_at: now,
      })
      .execute();
    await recordEvent(trx, ctx, {
      action: 'tender.question_asked',
      objectType: 'tender',
      objectId: t.id,
      authorityId: t.authority_id,
      companyId: input.companyId,
      data: { questionId: id },
    });
  });
  return { id, askedAt: now.toISOString() };
}

/** Questions of a file for its staff, with the asking company (internal). */
export async function listQuestions(ctx: ServiceContext, authorityId: string, tenderId: string) {
  authorizeOnTender(ctx.actor, 'tender.read', authorityId);
  // Who asked tells who is likely to bid: only the people who answer (the procurement office)
  // see it. Committee members, custodians and approvers must not learn the likely bidders before
  // the bids are opened (art. 139.2 LCSP, secrecy of bids; art. 1, equal treatment).
  const seesAsker = canOnTender(ctx.actor, 'tender.publish', authorityId) === 'allow';
  const t = await ctx.db
    .selectFrom('tender')
    .select('id')
    .where('authority_id', '=', authorityId)
    .where('id', '=', tenderId)
    .executeTakeFirst();
  if (!t) throw new DomainError('NOT_FOUND', 'Tender not found');
  const rows = await ctx.db
    .selectFrom('tender_question as q')
    .innerJoin('company as c', 'c.id', 'q.company_id')
    .select(['q.id', 'q.question', 'q.asked_at', 'q.answer', 'q.answered_at', 'c.legal_name'])
    .where('q.tender_id', '=', tenderId)
    .where('q.authority_id', '=', authorityId)
    .orderBy('q.asked_at')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    question: r.question,
    company: seesAsker ? r.legal_name : null,
    askedAt: r.asked_at.toISOString(),
    answer: r.answer,
    answeredAt: r.answered_at?.toISOString() ?? null,
  }));
}

/** Answers a question; the answer becomes public at once, for every bidder alike. */
export async function answerQuestion(
  ctx: ServiceContext,
  authorityId: string,
  tenderId: string,
  questionId: string,
  answer: string,
) {
  const actor = authorizeOnTender(ctx.actor, 'tender.publish', authorityId);
  await withTransaction(ctx.db as Db, async (trx) => {
    const q = await trx
      .selectFrom('tender_question')
      .select(['id', 'answer'])
      .where('id', '=', questionId)
      .where('tender_id', '=', tenderId)
      .where('authority_id', '=', authorityId)
      .forUpdate()
      .executeTakeFirst();
    if (!q) throw new DomainError('NOT_FOUND', 'Question not found');
    if (q.answer !== null) throw new DomainError('INVALID_TRANSITION', 'This question is already answered');
    await trx
      .updateTable('tender_question')
      .set({ answer, answered_by: actor.userId, answered_at: ctx.clock.now() })
      .where('id', '=', questionId)
      .execute();
    await recordEvent(trx, ctx, {
      action: 'tender.question_answered',
      objectType: 'tender',
      objectId: tenderId,
      authorityId,
      isPublic: true,
      data: { questionId },
    });
  });
  return listQuestions(ctx, authorityId, tenderId);
}

/** Follows or unfollows a public tender (notifications are delivered by a later module from these rows). */
export async function setFollow(ctx: ServiceContext, ocid: string, follow: boolean): Promise<void> {
  const actor = ctx.actor;
  if (actor.kind !== 'user') throw new DomainError('UNAUTHENTICATED', 'Sign in first');
  const t = await publicTender(ctx.db, ocid);
  await withTransaction(ctx.db as Db, async (trx) => {
    const existing = await trx
      .selectFrom('tender_follow')
      .select('user_id')
      .where('tender_id', '=', t.id)
      .where('user_id', '=', actor.userId)
      .executeTakeFirst();
    if (follow === Boolean(existing)) return;
    if (follow)
      await trx.insertInto('tender_follow').values({ tender_id: t.id, user_id: actor.userId }).execute();
    else
      await trx
        .deleteFrom('tender_follow')
        .where('tender_id', '=', t.id)
        .where('user_id', '=', actor.userId)
        .execute();
    await recordEvent(trx, ctx, {
      action: follow ? 'tender.followed' : 'tender.unfollowed',
      objectType: 'tender',
      objectId: t.id,
      authorityId: t.authority_id,
      data: {},
    });
  });
}

/**
 * Whether the signed-in user follows a tender (by the file id its public notice carries). It reads
 * the caller's own row only; anyone else, or an id that is not a uuid, follows nothing.
 */
export async function isFollowing(ctx: ServiceContext, tenderId: string): Promise<boolean> {
  const actor = ctx.actor;
  if (actor.kind !== 'user' || !/^[0-9a-f-]{36}$/.test(tenderId)) return false;
  const row = await ctx.db
    .selectFrom('tender_follow')
    .select('user_id')
    .where('tender_id', '=', tenderId)
    .where('user_id', '=', actor.userId)
    .executeTakeFirst();
  return row !== undefined;
}
