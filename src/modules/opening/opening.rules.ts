/**
 * Which envelope stage of a tender may open now (pure: the clock is an argument). Legal order:
 * A (administrative documentation and ESPD) for every bid, then B (judgement criteria), then C
 * (formula criteria) only once the report on B is approved, so that formula scores cannot influence
 * the judgement (arts. 146.2.b and 157 LCSP; art. 157.3: opening within 20 days of the deadline).
 * Only the stages the tender has count (procedure.rules.ts envelopesFor): a simplified procedure
 * may have just C, or B and C.
 */
import { ENVELOPE_LETTERS, type EnvelopeLetter } from '../sealing/sealing.types.js';

export type StageFacts = {
  now: Date;
  /** The tender deadline; bids count only if received before it (server clock). */
  deadline: Date | null;
  /** The opening time the authority set (tender.opening_at); null: see `openingStartsAt`. */
  openingAt: Date | null;
  /** The envelopes the tender has, as its published notice lists them. */
  stages: readonly EnvelopeLetter[];
  /** Stages already opened (an opening record exists). */
  opened: readonly EnvelopeLetter[];
  /** Whether a committee member recorded the B report as approved (stand-in for the evaluation issue). */
  bReportApproved: boolean;
  /**
   * Whether some bid opened at the first stage is still neither admitted nor excluded by the
   * committee: the later envelopes are opened only for the admitted bids (art. 157.1–2 LCSP).
   */
  qualificationPending: boolean;
};

export type StageRefusal =
  | { code: 'NOT_FOUND'; reason: 'no_such_stage' }
  | { code: 'OPENING_NOT_YET'; reason: 'no_deadline' | 'before_opening_time'; opensAt: string | null }
  | {
      code: 'OPENING_OUT_OF_ORDER';
      reason: 'already_opened' | 'earlier_stage_pending' | 'qualification_pending';
      pending: EnvelopeLetter | null;
    }
  | { code: 'OPENING_REPORT_PENDING'; reason: 'b_report_not_approved' };

/**
 * The instant from which bids may be opened: the authority's opening time, and never before the
 * deadline. When the authority set no opening time, the deadline itself: the law fixes only a
 * maximum (art. 157.3: within 20 days), and opening still needs k custodians to act together, so
 * no extra business day is waited for; an authority that wants a public act at a set time sets
 * `opening_at` (which cannot precede the deadline in any case).
 */
export function openingStartsAt(deadline: Date, openingAt: Date | null): Date {
  if (openingAt === null || openingAt.getTime() < deadline.getTime()) return deadline;
  return openingAt;
}

/** The stages in legal order A → B → C, keeping only those the tender has. */
export function orderedStages(stages: readonly EnvelopeLetter[]): EnvelopeLetter[] {
  return ENVELOPE_LETTERS.filter((l) => stages.includes(l));
}

/** The next stage to open, or null when all are open. */
export function nextStage(facts: Pick<StageFacts, 'stages' | 'opened'>): EnvelopeLetter | null {
  return orderedStages(facts.stages).find((l) => !facts.opened.includes(l)) ?? null;
}

/**
 * Whether `envelope` may be opened now; null when it may, else why not. Checked in a fixed order,
 * so that each case has one stable code: stage exists → time → order → qualification → B report.
 */
export function refuseStage(envelope: EnvelopeLetter, facts: StageFacts): StageRefusal | null {
  const stages = orderedStages(facts.stages);
  if (!stages.includes(envelope)) return { code: 'NOT_FOUND', reason: 'no_such_stage' };
  if (facts.deadline === null) return { code: 'OPENING_NOT_YET', reason: 'no_deadline', opensAt: null };
  const opensAt = openingStartsAt(facts.deadline, facts.openingAt);
  // Strictly after the deadline instant is not needed: a bid counts only if its transaction ran
  // before the deadline, so at the deadline itself the set of bids is final.
  if (facts.now.getTime() < opensAt.getTime()) {
    return { code: 'OPENING_NOT_YET', reason: 'before_opening_time', opensAt: opensAt.toISOString() };
  }
  if (facts.opened.includes(envelope)) {
    return { code: 'OPENING_OUT_OF_ORDER', reason: 'already_opened', pending: nextStage(facts) };
  }
  const pending = nextStage(facts);
  if (pending !== envelope) return { code: 'OPENING_OUT_OF_ORDER', reason: 'earlier_stage_pending', pending };
  if (envelope !== stages[0] && facts.qualificationPending) {
    return { code: 'OPENING_OUT_OF_ORDER', reason: 'qualification_pending', pending: null };
  }
  if (envelope === 'C' && stages.includes('B') && !facts.bReportApproved) {
    return { code: 'OPENING_REPORT_PENDING', reason: 'b_report_not_approved' };
  }
  return null;
}

/**
 * Whether the pooled shares reach the quorum for a whole stage: at least k distinct custodians
 * have submitted for the stage, and every bid envelope of it has shares of at least k custodians.
 * A stage with no bids still needs k custodians, so that even "no bids" is an act of two people.
 */
export function stageQuorumReached(input: {
  quorum: number;
  custodiansSubmitted: number;
  sharesPerEnvelope: readonly number[];
}): boolean {
  return input.custodiansSubmitted >= input.quorum && input.sharesPerEnvelope.every((n) => n >= input.quorum);
}
