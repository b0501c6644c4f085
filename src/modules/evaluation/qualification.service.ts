/**
 * Qualification of bids on the tender's first envelope (A, the administrative documentation and
 * ESPD; in a procedure without A, the first envelope it has): the committee admits a bid, excludes
 * it with grounds and reasons, or gives it a business-day period to remedy defects first
 * (arts. 140–141, 157.1 LCSP; RGLCAP art. 81.2). Every decision is audited (public: the committee's
 * minutes, art. 63.3.e), and the next envelope opens only once every bid is admitted or excluded;
 * excluded bids take part in no later stage (opening.repo.ts `stageEnvelopeRows`).
 */
import type { ServiceContext } from '../../platform/context.js';
import type { Db } from '../../platform/db/client.js';
import { withTransaction } from '../../platform/db/tx.js';
import { DomainError } from '../../platform/errors.js';
import { recordEvent } from '../audit/audit.service.js';
import { authorityCalendar } from '../calendar/calendar.service.js';
import { openedStages } from '../opening/opening.repo.js';
import { publishedTender } from '../opening/opening.service.js';
import type { EnvelopeLetter } from '../sealing/sealing.types.js';
import { authorizeOnEvaluation } from './evaluation.policy.js';
import { initialQualification, nextQualification } from './qualification.rules.js';
import {
  lockQualification,
  type StageBidRow,
  saveQualification,
  stageBidsWithQualification,
  undecidedCount,
} from './qualification.repo.js';
import type { ExclusionGround, QualificationEvent, QualificationState } from './qualification.types.js';
import { businessDeadlineOn } from './transition.js';
import { requireCommitteeSeat } from './committee.js';

export type QualificationView = {
  bidId: string;
  company: { id: string; legalName: string; taxId: string };
  /** How the envelope opened: a failed (tampered) one can only be excluded. */
  opening: { outcome: 'opened' | 'failed'; failure: string | null };
  status: QualificationState['status'];
  remediation: { items: string[]; requestedAt: string; deadline: string } | null;
  exclusion: { grounds: ExclusionGround[]; reasons: string } | null;
  decidedAt: string | null;
  /** 0 while pending without any decision; send it back with the next decision. */
  version: number;
};

export type QualificationListView = {
  /** The envelope whose opening is qualified (A, or the first the tender has). */
  envelope: EnvelopeLetter;
  opened: boolean;
  bids: QualificationView[];
  /** True once every bid is admitted or excluded: the next envelope may open. */
  complete: boolean;
};

type StoredRemediation = { items: string[]; requestedAt: string; deadline: string };
type StoredExclusion = { grounds: ExclusionGround[]; reasons: string };

function stateOf(row: {
  status: string | null;
  remediation: string | null;
  exclusion: string | null;
  decided_at: Date | null;
}): QualificationState {
  if (row.status === null) return initialQualification();
  const r = row.remediation ? (JSON.parse(row.remediation) as StoredRemediation) : null;
  return {
    status: row.status as QualificationState['status'],
    remediation: r
      ? { items: r.items, requestedAt: new Date(r.requestedAt), deadline: new Date(r.deadline) }
      : null,
    exclusion: row.exclusion ? (JSON.parse(row.exclusion) as StoredExclusion) : null,
    decidedAt: row.decided_at,
  };
}

function present(row: StageBidRow): QualificationView {
  const state = stateOf(row);
  return {
    bidId: row.bid_id,
    company: { id: row.company_id, legalName: row.legal_name, taxId: row.tax_id },
    opening: { outcome: row.outcome === 'failed' ? 'failed' : 'opened', failure: row.failure_code },
    status: state.status,
    remediation: state.remediation
      ? {
          items: state.remediation.items,
          requestedAt: state.remediation.requestedAt.toISOString(),
          deadline: state.remediation.deadline.toISOString(),
        }
      : null,
    exclusion: state.exclusion,
    decidedAt: state.decidedAt?.toISOString() ?? null,
    version: row.version ?? 0,
  };
}

/** The envelope qualified: A when the tender has it, else its first envelope (art. 159.4). */
function qualificationStage(stages: readonly EnvelopeLetter[]): EnvelopeLetter {
  const first = stages[0];
  if (!first) throw new DomainError('INVALID_TRANSITION', 'This tender has no sealed envelopes');
  return first;
}

export async function listQualification(
  ctx: ServiceContext,
  authorityId: string,
  tenderId: string,
): Promise<QualificationListView> {
  authorizeOnEvaluation(ctx.actor, 'evaluation.read', authorityId);
  const t = await publishedTender(ctx.db, authorityId, tenderId);
  const envelope = qualificationStage(t.stages);
  const opened = (await openedStages(ctx.db, authorityId, tenderId)).includes(envelope);
  const bids = (await stageBidsWithQualification(ctx.db, authorityId, tenderId, envelope)).map(present);
  return {
    envelope,
    opened,
    bids,
    complete: opened && bids.every((b) => b.status === 'admitted' || b.status === 'excluded'),
  };
}

/**
 * Whether the stage after qualification must wait: the qualification envelope is open and some bid
 * of it is neither admitted nor excluded. For the opening's stage rules.
 */
export async function qualificationPending(
  db: ServiceContext['db'],
  authorityId: string,
  tenderId: string,
  stages: readonly EnvelopeLetter[],
): Promise<{ stage: EnvelopeLetter; pending: boolean } | null> {
  const stage = stages[0];
  if (!stage) return null;
  return { stage, pending: (await undecidedCount(db, authorityId, tenderId, stage)) > 0 };
}

/**
 * One committee decision on one bid: `version` must be the bid's current qualification version (0
 * when nothing was decided yet), so that two members acting at once do not overwrite each other.
 */
export async function decideQualification(
  ctx: ServiceContext,
  authorityId: string,
  tenderId: string,
  bidId: string,
  input: { event: QualificationEvent; version: number },
): Promise<QualificationView> {
  const actor = authorizeOnEvaluation(ctx.actor, 'evaluation.qualify', authorityId);
  const now = ctx.clock.now();
  await withTransaction(ctx.db as Db, async (trx) => {
    const t = await publishedTender(trx, authorityId, tenderId);
    await requireCommitteeSeat(trx, authorityId, tenderId, actor.userId);
    const envelope = qualificationStage(t.stages);
    const bids = await stageBidsWithQualification(trx, authorityId, tenderId, envelope);
    const bid = bids.find((b) => b.bid_id === bidId);
    if (!bid) {
      // Before the opening no bid is known to the committee; afterwards only the opened ones.
      throw new DomainError('NOT_FOUND', 'No bid of this tender was opened with this id');
    }
    const row = await lockQualification(trx, authorityId, bidId);
    const current = row?.version ?? 0;
    if (input.version !== current) {
      throw new DomainError('CONFLICT', 'The qualification changed meanwhile; reload it', {
        version: current,
      });
    }
    if (bid.outcome === 'failed' && input.event.type !== 'exclude') {
      // Nothing of a tampered envelope can be read, so nothing can be admitted or remedied.
      throw new DomainError('INVALID_TRANSITION', 'An envelope that failed to open can only be excluded', {
        reason: 'envelope_failed',
      });
    }
    const calendar = await authorityCalendar(trx, authorityId);
    const state = nextQualification(row ? stateOf(row) : initialQualification(), input.event, {
      now,
      businessDeadline: businessDeadlineOn(calendar),
    });
    const version = current + 1;
    await saveQualification(trx, {
      bidId,
      tenderId,
      authorityId,
      status: state.status,
      remediation: state.remediation
        ? JSON.stringify({
            items: state.remediation.items,
            requestedAt: state.remediation.requestedAt.toISOString(),
            deadline: state.remediation.deadline.toISOString(),
          })
        : null,
      exclusion: state.exclusion ? JSON.stringify(state.exclusion) : null,
      decidedAt: state.decidedAt,
      userId: actor.userId,
      at: now,
      version,
    });
    await recordEvent(trx, ctx, {
      action: 'evaluation.qualification_decided',
      objectType: 'bid',
      objectId: bidId,
      authorityId,
      isPublic: true,
      data: {
        bidId,
        status: state.status,
        grounds: state.exclusion?.grounds ?? null,
        reasons: state.exclusion?.reasons ?? null,
        remediationItems: state.remediation?.items ?? null,
        remediationDeadline: state.remediation?.deadline.toISOString() ?? null,
        version,
      },
    });
  });
  const list = await listQualification(ctx, authorityId, tenderId);
  const view = list.bids.find((b) => b.bidId === bidId);
  if (!view) throw new DomainError('INTERNAL', 'The decision cannot be read back');
  return view;
}
