/**
 * The review of offers presumed abnormally low (art. 149.4–149.7 LCSP; procurement-rules.md §6.1,
 * E1–E5): the screening of the scoring (scoring.service.ts, RGLCAP art. 85 or the notice's tests)
 * only presumes; the committee then asks the bidder to justify its offer within a business-day
 * period, records the justification or its absence, the technical report, and accepts the offer
 * (monitored during execution, art. 149.7) or rejects it with grounds (out of the price computation
 * and the ranking, art. 149.6; D6). Each step is one transition of the pure machine
 * (abnormal-review.rules.ts), versioned against concurrent steps and audited in public (E5: the
 * reports on abnormal offers are published in the perfil).
 */
import type { ServiceContext } from '../../platform/context.js';
import type { Db } from '../../platform/db/client.js';
import { withTransaction } from '../../platform/db/tx.js';
import { DomainError } from '../../platform/errors.js';
import { recordEvent } from '../audit/audit.service.js';
import { authorityCalendar } from '../calendar/calendar.service.js';
import { publishedTender } from '../opening/opening.service.js';
import {
  type AbnormalReviewRow,
  abnormalReviewsOf,
  lockAbnormalReview,
  saveAbnormalReview,
  tenderProcedure,
} from './abnormal-review.repo.js';
import { initialAbnormalReview, nextAbnormalReview } from './abnormal-review.rules.js';
import type {
  AbnormalRejectionGround,
  AbnormalReviewEvent,
  AbnormalReviewState,
} from './abnormal-review.types.js';
import type { AbnormalCheck, AbnormalReason } from './abnormal.types.js';
import { authorizeOnEvaluation } from './evaluation.policy.js';
import { computeScoring, type ScoringView } from './scoring.service.js';
import { businessDeadlineOn } from './transition.js';
import { requireCommitteeSeat } from './committee.js';

export type AbnormalReviewView = {
  bidId: string;
  lot: number;
  company: string;
  price: string;
  /** Why the screening presumes the offer abnormal, with its figures (abnormal.types.ts). */
  reason: AbnormalReason;
  checks: AbnormalCheck[];
  status: AbnormalReviewState['status'];
  simplified: boolean;
  requestedAt: string | null;
  deadline: string | null;
  receivedAt: string | null;
  report: { conclusion: 'accept' | 'reject'; summary: string; at: string } | null;
  decision:
    | { outcome: 'accepted'; reasons: string; at: string }
    | { outcome: 'rejected'; grounds: AbnormalRejectionGround[]; reasons: string; at: string }
    | null;
  monitoring: boolean;
  /** 0 while presumed with no step taken; send it back with the next step. */
  version: number;
};

export type AbnormalOffersView = { ocid: string; lots: { lot: number; offers: AbnormalReviewView[] }[] };

/** The simplified open procedures shorten the justification period to 5 business days (art. 159.4.f). */
const SIMPLIFIED_PROCEDURES: readonly string[] = ['abierto_simplificado', 'abierto_simplificado_abreviado'];

type Decision = NonNullable<AbnormalReviewState['decision']>;
/** The report and the decision as stored (JSON text, instants as ISO strings). */
type StoredReport = { conclusion: 'accept' | 'reject'; summary: string; at: string };
type StoredDecision =
  | { outcome: 'accepted'; reasons: string; at: string }
  | { outcome: 'rejected'; grounds: AbnormalRejectionGround[]; reasons: string; at: string };

function stateOf(row: AbnormalReviewRow | undefined, simplified: boolean): AbnormalReviewState {
  if (!row) return initialAbnormalReview({ simplified });
  const report = row.report ? (JSON.parse(row.report) as StoredReport) : null;
  const decision = row.decision ? (JSON.parse(row.decision) as StoredDecision) : null;
  return {
    status: row.status as AbnormalReviewState['status'],
    simplified: row.simplified,
    requestedAt: row.requested_at,
    deadline: row.deadline,
    receivedAt: row.received_at,
    report: report ? { ...report, at: new Date(report.at) } : null,
    decision: decision ? { ...decision, at: new Date(decision.at) } : null,
    monitoring: row.monitoring,
  };
}

function storedDecision(d: Decision | null): StoredDecision | null {
  return d ? { ...d, at: d.at.toISOString() } : null;
}

function present(
  offer: { bidId: string; company: string; price: string },
  lot: number,
  screening: { reason: AbnormalReason; checks: AbnormalCheck[] },
  state: AbnormalReviewState,
  version: number,
): AbnormalReviewView {
  return {
    bidId: offer.bidId,
    lot,
    company: offer.company,
    price: offer.price,
    reason: screening.reason,
    checks: screening.checks,
    status: state.status,
    simplified: state.simplified,
    requestedAt: state.requestedAt?.toISOString() ?? null,
    deadline: state.deadline?.toISOString() ?? null,
    receivedAt: state.receivedAt?.toISOString() ?? null,
    report: state.report ? { ...state.report, at: state.report.at.toISOString() } : null,
    decision: storedDecision(state.decision),
    monitoring: state.monitoring,
    version,
  };
}

/** Per lot, the offers the screening presumes abnormal, each with the state of its review. */
function abnormalOffers(
  scoring: ScoringView,
  rows: readonly AbnormalReviewRow[],
  simplified: boolean,
): AbnormalOffersView {
  return {
    ocid: scoring.ocid,
    lots: scoring.lots.map((l) => ({
      lot: l.lot,
      offers: l.offers
        .filter((o) => o.presumedAbnormal)
        .map((o) => {
          const row = rows.find((r) => r.bid_id === o.bidId && r.lot === l.lot);
          const screened = l.abnormal.offers.find((a) => a.id === o.bidId);
          return present(
            o,
            l.lot,
            { reason: screened?.reason ?? 'not_abnormal', checks: screened?.checks ?? [] },
            stateOf(row, simplified),
            row?.version ?? 0,
          );
        }),
    })),
  };
}

async function isSimplified(db: ServiceContext['db'], authorityId: string, tenderId: string) {
  return SIMPLIFIED_PROCEDURES.includes((await tenderProcedure(db, authorityId, tenderId)) ?? '');
}

export async function listAbnormalOffers(
  ctx: ServiceContext,
  authorityId: string,
  tenderId: string,
): Promise<AbnormalOffersView> {
  authorizeOnEvaluation(ctx.actor, 'evaluation.read', authorityId);
  const scoring = await computeScoring(ctx.db, authorityId, tenderId);
  const rows = await abnormalReviewsOf(ctx.db, authorityId, tenderId);
  return abnormalOffers(scoring, rows, await isSimplified(ctx.db, authorityId, tenderId));
}

/**
 * One step of the review of one bid's offer for one lot: `version` must be the review's current
 * version (0 before any step), so that two members acting at once do not overwrite each other.
 * Only an offer the screening presumes abnormal can be reviewed (art. 149.4 starts from the
 * presumption); the deadline counts business days on the authority's calendar.
 */
export async function reviewAbnormalOffer(
  ctx: ServiceContext,
  authorityId: string,
  tenderId: string,
  bidId: string,
  lot: number,
  input: { event: AbnormalReviewEvent; version: number },
): Promise<AbnormalReviewView> {
  const actor = authorizeOnEvaluation(ctx.actor, 'evaluation.review_abnormal', authorityId);
  const now = ctx.clock.now();
  await withTransaction(ctx.db as Db, async (trx) => {
    await publishedTender(trx, authorityId, tenderId);
    await requireCommitteeSeat(trx, authorityId, tenderId, actor.userId);
    const scoring = await computeScoring(trx, authorityId, tenderId);
    const offer = scoring.lots.find((l) => l.lot === lot)?.offers.find((o) => o.bidId === bidId);
    if (!offer) throw new DomainError('NOT_FOUND', 'No offer of this bid was read for this lot at C');
    if (!offer.presumedAbnormal) {
      throw new DomainError('INVALID_TRANSITION', 'This offer is not presumed abnormally low', {
        reason: 'not_presumed_abnormal',
      });
    }
    const row = await lockAbnormalReview(trx, authorityId, bidId, lot);
    const current = row?.version ?? 0;
    if (input.version !== current) {
      throw new DomainError('CONFLICT', 'The review changed meanwhile; reload it', { version: current });
    }
    const calendar = await authorityCalendar(trx, authorityId);
    const state = nextAbnormalReview(
      stateOf(row, await isSimplified(trx, authorityId, tenderId)),
      input.event,
      { now, businessDeadline: businessDeadlineOn(calendar) },
    );
    const version = current + 1;
    const report = state.report ? { ...state.report, at: state.report.at.toISOString() } : null;
    const decision = storedDecision(state.decision);
    await saveAbnormalReview(trx, {
      bidId,
      lot,
      tenderId,
      authorityId,
      status: state.status,
      simplified: state.simplified,
      requestedAt: state.requestedAt,
      deadline: state.deadline,
      receivedAt: state.receivedAt,
      report: report ? JSON.stringify(report) : null,
      decision: decision ? JSON.stringify(decision) : null,
      monitoring: state.monitoring,
      userId: actor.userId,
      at: now,
      version,
    });
    await recordEvent(trx, ctx, {
      action: 'evaluation.abnormal_review_changed',
      objectType: 'bid',
      objectId: bidId,
      authorityId,
      isPublic: true,
      data: {
        bidId,
        lot,
        event: input.event.type,
        status: state.status,
        deadline: state.deadline?.toISOString() ?? null,
        conclusion:
          input.event.type === 'record_technical_report' ? (state.report?.conclusion ?? null) : null,
        summary: input.event.type === 'record_technical_report' ? (state.report?.summary ?? null) : null,
        grounds: decision?.outcome === 'rejected' ? decision.grounds : null,
        reasons:
          input.event.type === 'accept' || input.event.type === 'reject' ? (decision?.reasons ?? null) : null,
        monitoring: state.monitoring,
        version,
      },
    });
  });
  const view = (await listAbnormalOffers(ctx, authorityId, tenderId)).lots
    .find((l) => l.lot === lot)
    ?.offers.find((o) => o.bidId === bidId);
  if (!view) throw new DomainError('INTERNAL', 'The review cannot be read back');
  return view;
}
