/**
 * Judgement scoring of envelope B and the committee's report (LCSP arts. 145–146, 157.2–3): every
 * committee member scores each judgement criterion of each bid opened at B, between 0 and the
 * criterion's weight, with written reasons (art. 151.1 needs reasoned scores); the committee's score
 * is the mean of its members' (a reading, not a rule of law [D]); once every score is in, a member
 * approves the report, which is published and lets envelope C open — formula offers are not known
 * while judgement is scored (art. 146.2.b). This replaces the opening's "B report approved" stand-in.
 *
 * Where a lot's judgement criteria weigh more than its formula criteria, art. 146.2.a requires a
 * committee of at least three experts (expert.rules.ts): in those lots only the tender's experts
 * score, the committee's score is the mean of the experts', and the committee approves the report
 * only once three experts are assigned and each has scored.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../../platform/canonical-json.js';
import type { ServiceContext } from '../../platform/context.js';
import type { Db } from '../../platform/db/client.js';
import { withTransaction } from '../../platform/db/tx.js';
import { DomainError } from '../../platform/errors.js';
import { Dec, parseDecimal } from '../../platform/money.js';
import { recordEvent } from '../audit/audit.service.js';
import {
  bReportApproved,
  currentNotice,
  insertBReport,
  openedStages,
  userNames,
} from '../opening/opening.repo.js';
import { publishedTender } from '../opening/opening.service.js';
import { authorizeOnEvaluation } from './evaluation.policy.js';
import {
  EXPERT_COMMITTEE_MINIMUM,
  expertLots,
  expertReadiness,
  mayScoreLot,
  scorersOf,
} from './expert.rules.js';
import {
  committeeAndExperts,
  findJudgementReport,
  insertJudgementReport,
  judgementScores,
  openedAtB,
  upsertJudgementScore,
} from './judgement.repo.js';
import { requireReasons } from './transition.js';
import { requireCommitteeSeat } from './committee.js';

/** A judgement criterion of a lot: its 1-based position in the lot's criteria, its name and weight. */
export type JudgementCriterion = { lot: number; criterion: number; name: unknown; maxPoints: string };

export type JudgementScoreView = {
  bidId: string;
  lot: number;
  criterion: number;
  memberId: string;
  memberName: string;
  points: string;
  justification: string;
  scoredAt: string;
};

export type JudgementSheetView = {
  opened: boolean;
  reportApproved: boolean;
  criteria: JudgementCriterion[];
  bids: { bidId: string; company: { id: string; legalName: string }; lots: number[] }[];
  /** Who must score: the tender's committee, or (none assigned) any one committee member. */
  committee: { userId: string; name: string }[];
  /**
   * The committee of experts (art. 146.2.a LCSP): the lots whose judgement criteria only the
   * experts score (empty when none needs them), the experts assigned, the minimum (3), and whether
   * enough are assigned for the report.
   */
  expertCommittee: {
    lots: number[];
    experts: { userId: string; name: string }[];
    minimum: number;
    ready: boolean;
  };
  scores: JudgementScoreView[];
  /** The scores still missing, as "bidId/lot/criterion[/memberId]". */
  missing: string[];
};

type NoticeLots = {
  lots?: { number: number; criteria?: { evaluation?: string; weight?: string; name?: unknown }[] }[];
};

/** The tender's committee and experts, and the lots of its notice that need the experts. */
async function seats(db: ServiceContext['db'], authorityId: string, tenderId: string, notice: NoticeLots) {
  const assigned = await committeeAndExperts(db, authorityId, tenderId);
  return { assigned, expertLots: expertLots(notice.lots ?? []) };
}

function judgementCriteria(notice: NoticeLots): JudgementCriterion[] {
  const out: JudgementCriterion[] = [];
  for (const lot of notice.lots ?? []) {
    (lot.criteria ?? []).forEach((c, i) => {
      if (c.evaluation === 'judgement') {
        out.push({ lot: lot.number, criterion: i + 1, name: c.name ?? null, maxPoints: c.weight ?? '0' });
      }
    });
  }
  return out;
}

async function loadSheet(db: ServiceContext['db'], authorityId: string, tenderId: string) {
  const t = await publishedTender(db, authorityId, tenderId);
  if (!t.stages.includes('B')) {
    throw new DomainError(
      'INVALID_TRANSITION',
      'This tender has no envelope B: nothing is scored by judgement',
    );
  }
  const notice = JSON.parse((await currentNotice(db, authorityId, tenderId)) ?? '{}') as NoticeLots;
  const criteria = judgementCriteria(notice);
  const opened = (await openedStages(db, authorityId, tenderId)).includes('B');
  const bids = opened ? await openedAtB(db, authorityId, tenderId) : [];
  const { assigned, expertLots: lotsOfExperts } = await seats(db, authorityId, tenderId, notice);
  // Only the scores of those who score each lot count: its experts where art. 146.2.a applies,
  // else the committee named on the file (the file is frozen at publication, so this only guards
  // against data written outside the service).
  const scores = (await judgementScores(db, authorityId, tenderId)).filter((s) =>
    mayScoreLot(s.member_id, lotsOfExperts.includes(s.lot), assigned),
  );
  const names = await userNames(db, [...assigned.committee, ...assigned.experts]);
  const person = (userId: string) => ({ userId, name: names.get(userId) ?? '' });
  const committee = assigned.committee.map(person);
  const missing: string[] = [];
  for (const bid of bids) {
    for (const c of criteria.filter((x) => bid.lots.includes(x.lot))) {
      const here = scores.filter(
        (s) => s.bid_id === bid.bid_id && s.lot === c.lot && s.criterion === c.criterion,
      );
      const scorers = scorersOf(lotsOfExperts.includes(c.lot), assigned);
      if (scorers === null) {
        if (here.length === 0) missing.push(`${bid.bid_id}/${c.lot}/${c.criterion}`);
      } else {
        for (const m of scorers) {
          if (!here.some((s) => s.member_id === m))
            missing.push(`${bid.bid_id}/${c.lot}/${c.criterion}/${m}`);
        }
      }
    }
  }
  const readiness = expertReadiness(lotsOfExperts, assigned.experts);
  const expertCommittee = {
    lots: lotsOfExperts,
    experts: assigned.experts.map(person),
    minimum: EXPERT_COMMITTEE_MINIMUM,
    ready: readiness.ready,
  };
  return { t, criteria, opened, bids, scores, committee, expertCommittee, readiness, assigned, missing };
}

function presentScore(s: Awaited<ReturnType<typeof judgementScores>>[number]): JudgementScoreView {
  return {
    bidId: s.bid_id,
    lot: s.lot,
    criterion: s.criterion,
    memberId: s.member_id,
    memberName: s.member_name,
    points: new Dec(s.points).toFixed(2),
    justification: s.justification,
    scoredAt: s.scored_at.toISOString(),
  };
}

export async function judgementSheet(
  ctx: ServiceContext,
  authorityId: string,
  tenderId: string,
): Promise<JudgementSheetView> {
  authorizeOnEvaluation(ctx.actor, 'evaluation.read', authorityId);
  const s = await loadSheet(ctx.db, authorityId, tenderId);
  return {
    opened: s.opened,
    reportApproved: await bReportApproved(ctx.db, authorityId, tenderId),
    criteria: s.criteria,
    bids: s.bids.map((b) => ({
      bidId: b.bid_id,
      company: { id: b.company_id, legalName: b.legal_name },
      lots: b.lots,
    })),
    committee: s.committee,
    expertCommittee: s.expertCommittee,
    scores: s.scores.map(presentScore),
    missing: s.missing,
  };
}

/** A member's own score of one criterion of one bid's lot; may be changed until the report is approved. */
export async function scoreJudgement(
  ctx: ServiceContext,
  authorityId: string,
  tenderId: string,
  input: { bidId: string; lot: number; criterion: number; points: string; justification: string },
): Promise<JudgementScoreView> {
  const actor = authorizeOnEvaluation(ctx.actor, 'evaluation.score', authorityId);
  const now = ctx.clock.now();
  await withTransaction(ctx.db as Db, async (trx) => {
    const s = await loadSheet(trx, authorityId, tenderId);
    // Art. 146.2.a LCSP: where judgement outweighs formulas, the experts score, not the committee.
    if (s.expertCommittee.lots.includes(input.lot)) {
      if (!s.assigned.experts.includes(actor.userId)) {
        throw new DomainError(
          'EXPERTS_ONLY',
          'Only the experts of this tender score the judgement criteria of this lot',
          { lot: input.lot },
        );
      }
    } else {
      await requireCommitteeSeat(trx, authorityId, tenderId, actor.userId);
    }
    if (!s.opened)
      throw new DomainError('INVALID_TRANSITION', 'Envelope B is not open yet', { reason: 'b_not_opened' });
    // The report is final: scores change only before it (the tender row serialises approvals).
    await trx.selectFrom('tender').select('id').where('id', '=', tenderId).forUpdate().execute();
    if (await bReportApproved(trx, authorityId, tenderId)) {
      throw new DomainError('INVALID_TRANSITION', 'The report on envelope B is approved: scores are final', {
        reason: 'report_approved',
      });
    }
    const bid = s.bids.find((b) => b.bid_id === input.bidId);
    if (!bid) throw new DomainError('NOT_FOUND', 'No bid opened at envelope B has this id');
    const criterion = s.criteria.find((c) => c.lot === input.lot && c.criterion === input.criterion);
    if (!criterion || !bid.lots.includes(input.lot)) {
      throw new DomainError('NOT_FOUND', 'This bid has no such lot and judgement criterion', {
        lot: input.lot,
        criterion: input.criterion,
      });
    }
    const points = parseDecimal(input.points);
    if (
      !points ||
      points.isNegative() ||
      points.decimalPlaces() > 2 ||
      points.greaterThan(criterion.maxPoints)
    ) {
      throw new DomainError(
        'UNPROCESSABLE',
        `Points must be a decimal from 0 to ${criterion.maxPoints}, 2 decimals at most`,
        {
          field: 'points',
          max: criterion.maxPoints,
        },
      );
    }
    const justification = requireReasons(input.justification, 'justification');
    if (justification.length > 4000) {
      throw new DomainError('UNPROCESSABLE', 'The justification is too long (4000 characters at most)', {
        field: 'justification',
      });
    }
    await upsertJudgementScore(trx, {
      bidId: input.bidId,
      lot: input.lot,
      criterion: input.criterion,
      memberId: actor.userId,
      tenderId,
      authorityId,
      points: points.toFixed(2),
      justification,
      at: now,
    });
    await recordEvent(trx, ctx, {
      action: 'evaluation.judgement_scored',
      objectType: 'bid',
      objectId: input.bidId,
      authorityId,
      data: { lot: input.lot, criterion: input.criterion, points: points.toFixed(2) },
    });
  });
  const sheet = await judgementSheet(ctx, authorityId, tenderId);
  const view = sheet.scores.find(
    (x) =>
      x.bidId === input.bidId &&
      x.lot === input.lot &&
      x.criterion === input.criterion &&
      x.memberId === actor.userId,
  );
  if (!view) throw new DomainError('INTERNAL', 'The score cannot be read back');
  return view;
}

export type JudgementReport = {
  v: 1;
  kind: 'contracta.judgement-report';
  ocid: string;
  tenderId: string;
  approvedAt: string;
  summary: string | null;
  /**
   * Present only when art. 146.2.a LCSP applies: the lots whose judgement criteria the committee
   * of experts scored, and the experts' names (their scores make the mean of those lots).
   */
  expertCommittee?: { lots: number[]; experts: string[] };
  /** Per bid, lot and criterion: the committee's score (mean of the members', 2 decimals) and each member's. */
  scores: {
    bidId: string;
    company: string;
    lot: number;
    criterion: number;
    maxPoints: string;
    points: string;
    members: { name: string; points: string; justification: string }[];
  }[];
};

/**
 * Approves the report on envelope B once every score is in: written once, published (public
 * audit event with its hash), and from then on envelope C may open.
 */
export async function approveJudgementReport(
  ctx: ServiceContext,
  authorityId: string,
  tenderId: string,
  input: { summary?: string | undefined } = {},
): Promise<{ tenderId: string; approvedAt: string; approvedBy: string; reportSha256: string }> {
  const actor = authorizeOnEvaluation(ctx.actor, 'evaluation.approve_report', authorityId);
  const now = ctx.clock.now();
  let sha = '';
  await withTransaction(ctx.db as Db, async (trx) => {
    await requireCommitteeSeat(trx, authorityId, tenderId, actor.userId);
    await trx.selectFrom('tender').select('id').where('id', '=', tenderId).forUpdate().execute();
    const s = await loadSheet(trx, authorityId, tenderId);
    if (!s.opened) {
      throw new DomainError('OPENING_OUT_OF_ORDER', 'Envelope B must be opened before its report', {
        envelope: 'B',
        reason: 'earlier_stage_pending',
      });
    }
    if (await bReportApproved(trx, authorityId, tenderId)) {
      throw new DomainError('INVALID_TRANSITION', 'The report on envelope B is approved already');
    }
    if (!s.readiness.ready) {
      throw new DomainError(
        'EXPERT_COMMITTEE_INCOMPLETE',
        'At least three experts must be assigned to this tender and score its judgement criteria',
        { lots: s.expertCommittee.lots, required: s.readiness.required, assigned: s.readiness.assigned },
      );
    }
    if (s.missing.length > 0) {
      throw new DomainError('INVALID_TRANSITION', 'Some judgement scores are missing', {
        reason: 'scores_missing',
        missing: s.missing,
      });
    }
    const summary = input.summary?.trim() || null;
    const report: JudgementReport = {
      v: 1,
      kind: 'contracta.judgement-report',
      ocid: s.t.ocid,
      tenderId,
      approvedAt: now.toISOString(),
      summary,
      // Only when the article applies, so that every other report keeps its former shape.
      ...(s.expertCommittee.lots.length > 0
        ? {
            expertCommittee: {
              lots: s.expertCommittee.lots,
              experts: s.expertCommittee.experts.map((e) => e.name),
            },
          }
        : {}),
      scores: s.bids.flatMap((bid) =>
        s.criteria
          .filter((c) => bid.lots.includes(c.lot))
          .map((c) => {
            const here = s.scores.filter(
              (x) => x.bid_id === bid.bid_id && x.lot === c.lot && x.criterion === c.criterion,
            );
            const mean = here.reduce((sum, x) => sum.plus(x.points), new Dec(0)).dividedBy(here.length);
            return {
              bidId: bid.bid_id,
              company: bid.legal_name,
              lot: c.lot,
              criterion: c.criterion,
              maxPoints: c.maxPoints,
              points: mean.toDecimalPlaces(2, Dec.ROUND_HALF_UP).toFixed(2),
              members: here.map((x) => ({
                name: x.member_name,
                points: new Dec(x.points).toFixed(2),
                justification: x.justification,
              })),
            };
          }),
      ),
    };
    const text = canonicalJson(report);
    sha = createHash('sha256').update(text).digest('hex');
    await insertJudgementReport(trx, {
      tenderId,
      authorityId,
      report: text,
      sha256: sha,
      userId: actor.userId,
      at: now,
    });
    await insertBReport(trx, { tenderId, authorityId, userId: actor.userId, at: now });
    await recordEvent(trx, ctx, {
      action: 'evaluation.judgement_report_approved',
      objectType: 'tender',
      objectId: tenderId,
      authorityId,
      isPublic: true,
      data: { ocid: s.t.ocid, reportSha256: sha, summary },
    });
  });
  return { tenderId, approvedAt: now.toISOString(), approvedBy: actor.userId, reportSha256: sha };
}

/** The approved report, public once approved (B scores are made public before C opens). */
export async function publishedJudgementReport(
  db: ServiceContext['db'],
  authorityId: string,
  tenderId: string,
): Promise<{ report: JudgementReport; reportSha256: string } | null> {
  const row = await findJudgementReport(db, authorityId, tenderId);
  return row ? { report: JSON.parse(row.report) as JudgementReport, reportSha256: row.report_sha256 } : null;
}
