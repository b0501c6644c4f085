/**
 * Pure rules of the phase before sealed bids in the procedures that invite (issue 5; LCSP arts.
 * 160–171): requests to participate and their deadline, the selection of candidates, the
 * invitation to tender with its minimum number of candidates and its period, and the negotiation
 * rounds. No I/O; `now` is always an argument.
 */
import { DomainError } from '../../platform/errors.js';
import { PROCEDURES } from '../procedures/procedure.catalogue.js';
import { bidsByInvitation } from '../procedures/procedure.rules.js';
import type { ProcedureCode } from '../procedures/procedure.types.js';

/** The facts of a tender these rules read. */
export type SelectionTender = {
  procedure: ProcedureCode;
  status: string;
  participationDeadline: Date | null;
  tenderDeadline: Date | null;
  invitedAt: Date | null;
};

export type SelectionDecision = 'selected' | 'rejected';

/** Longest statement, reasons or negotiation text kept (the table's checks say the same). */
export const TEXT_MAX = 8000;
/** Written reasons: a few words at least, as for every decision that closes a company's chances. */
export const MIN_REASONS_LENGTH = 10;

function refuse(reason: string, message: string, details: Record<string, unknown> = {}): DomainError {
  return new DomainError('INVALID_TRANSITION', message, { reason, ...details });
}

function assertPublished(t: SelectionTender): void {
  if (t.status !== 'published') throw refuse('not_published', `A ${t.status} tender takes nothing`);
}

/**
 * A request to participate is taken only in a two-phase procedure (arts. 160, 166), while the
 * tender is published and strictly before the notice's deadline for requests (art. 161): an
 * instant equal to it is already late, as for bids (DA 17ª).
 */
export function assertTakesRequests(t: SelectionTender, now: Date): void {
  if (!PROCEDURES[t.procedure].twoPhase) {
    throw refuse('no_selection_phase', 'This procedure takes no requests to participate');
  }
  assertPublished(t);
  if (!t.participationDeadline || now.getTime() >= t.participationDeadline.getTime()) {
    throw new DomainError('DEADLINE_PASSED', 'The deadline for requests to participate has passed', {
      deadline: t.participationDeadline?.toISOString() ?? null,
      now: now.toISOString(),
    });
  }
}

/**
 * Requests are read and decided only once none can arrive any more: who asked to take part is
 * not shown to anyone, the authority included, while others may still ask (the same reason bids
 * stay sealed until the deadline, art. 139.2; and art. 64 on preventing collusion).
 */
export function assertRequestsClosed(t: SelectionTender, now: Date): void {
  if (!PROCEDURES[t.procedure].twoPhase) {
    throw refuse('no_selection_phase', 'This procedure takes no requests to participate');
  }
  if (!t.participationDeadline || now.getTime() < t.participationDeadline.getTime()) {
    throw refuse('requests_open', 'Requests to participate are still open', {
      deadline: t.participationDeadline?.toISOString() ?? null,
    });
  }
}

/**
 * Selection of one candidate: after requests close and before the invitations leave (after them
 * the list of candidates is closed, art. 163). A rejection states its reasons: the candidate is
 * told why (art. 155).
 */
export function checkDecision(
  t: SelectionTender,
  now: Date,
  decision: SelectionDecision,
  reasons: string | undefined,
): string | null {
  assertRequestsClosed(t, now);
  if (t.invitedAt) throw refuse('already_invited', 'The invitations have been sent: the selection is closed');
  const text = reasons?.trim() ?? '';
  if (decision === 'rejected' && text.length < MIN_REASONS_LENGTH) {
    throw new DomainError('UNPROCESSABLE', 'A rejection must give written reasons', { field: 'reasons' });
  }
  return text.length > 0 ? text : null;
}

export type InvitationCheck = {
  /** Companies to invite: the selected candidates, or the authority's choice without publication. */
  companyIds: readonly string[];
  /** Requests still undecided (two-phase procedures). */
  undecided: number;
  fewerCandidatesReason: string | undefined;
  /** The earliest tender deadline the invitation's period allows (art. 164.1), if one applies. */
  earliestDeadline: Date | undefined;
};

/**
 * The invitation to tender (art. 163; art. 169 with negotiation; art. 168 without publication):
 * once, to at least one company; in a two-phase procedure after every request is decided and to
 * at least the procedure's minimum of candidates (5 restricted, art. 162; 3 with negotiation,
 * art. 169) unless the authority states why fewer meet the criteria (art. 162). The tender
 * deadline must leave the minimum period counted from the invitation (art. 164.1): a later
 * invitation needs the deadline extended first, by corrigendum. Returns the reason to record.
 */
export function checkInvitation(t: SelectionTender, now: Date, c: InvitationCheck): string | null {
  if (!bidsByInvitation(t.procedure)) {
    throw refuse('no_invitation', 'Any company may bid in this procedure: there is no invitation');
  }
  assertPublished(t);
  if (t.invitedAt) throw refuse('already_invited', 'The invitations have been sent already');
  const def = PROCEDURES[t.procedure];
  if (def.twoPhase) {
    assertRequestsClosed(t, now);
    if (c.undecided > 0) {
      throw refuse('requests_undecided', 'Every request to participate must be decided first', {
        undecided: c.undecided,
      });
    }
  }
  if (c.companyIds.length === 0) {
    throw new DomainError('UNPROCESSABLE', 'Invite at least one company', { field: 'companyIds' });
  }
  if (!t.tenderDeadline || now.getTime() >= t.tenderDeadline.getTime()) {
    throw new DomainError('DEADLINE_PASSED', 'The tender deadline has passed', {
      deadline: t.tenderDeadline?.toISOString() ?? null,
    });
  }
  if (c.earliestDeadline && t.tenderDeadline < c.earliestDeadline) {
    throw new DomainError('PERIOD_TOO_SHORT', 'The tender deadline leaves less than the minimum period', {
      earliest: c.earliestDeadline.toISOString(),
      source: 'LCSP art. 164.1',
    });
  }
  const minimum = def.minimumCandidates ?? 0;
  const reason = c.fewerCandidatesReason?.trim() ?? '';
  if (c.companyIds.length < minimum) {
    if (reason.length < MIN_REASONS_LENGTH) {
      throw new DomainError('TOO_FEW_CANDIDATES', 'Fewer candidates than the minimum, without reasons', {
        minimum,
        selected: c.companyIds.length,
      });
    }
    return reason;
  }
  return null;
}

/** Whether a company may submit a sealed bid: anyone in open procedures, the invited otherwise. */
export function assertMayBid(procedure: ProcedureCode, invited: boolean): void {
  if (bidsByInvitation(procedure) && !invited) {
    throw new DomainError('NOT_INVITED', 'This tender takes bids only from the companies it invited');
  }
}

/**
 * A negotiation round (art. 169): only in the negotiated procedures, after the invitations and
 * before the deadline of the final offers, with answers due strictly before that deadline and in
 * the future; the rounds follow one another (the previous one's answers are due first).
 */
export function checkRound(
  t: SelectionTender,
  now: Date,
  responsesDue: Date,
  previousDue: Date | undefined,
): void {
  if (!PROCEDURES[t.procedure].negotiated) {
    throw refuse('not_negotiated', 'Offers are not negotiated in this procedure');
  }
  assertPublished(t);
  if (!t.invitedAt) throw refuse('not_invited_yet', 'Negotiation starts after the invitations');
  if (!t.tenderDeadline || now.getTime() >= t.tenderDeadline.getTime()) {
    throw new DomainError('DEADLINE_PASSED', 'The final offers are due: negotiation is over');
  }
  if (responsesDue.getTime() <= now.getTime()) {
    throw new DomainError('DEADLINE_IN_PAST', 'responsesDue is in the past', { field: 'responsesDue' });
  }
  if (responsesDue.getTime() >= t.tenderDeadline.getTime()) {
    throw new DomainError('UNPROCESSABLE', 'Answers must be due before the final offers', {
      field: 'responsesDue',
      tenderDeadline: t.tenderDeadline.toISOString(),
    });
  }
  if (previousDue && now.getTime() < previousDue.getTime()) {
    throw refuse('round_open', 'The previous round is still taking answers', {
      responsesDue: previousDue.toISOString(),
    });
  }
}

/** An invited company answers a round strictly before its answers are due, once. */
export function checkResponse(now: Date, responsesDue: Date, invited: boolean, answered: boolean): void {
  if (!invited) throw new DomainError('NOT_INVITED', 'Only invited companies take part in the negotiation');
  if (now.getTime() >= responsesDue.getTime()) {
    throw new DomainError('DEADLINE_PASSED', 'Answers to this round were due', {
      deadline: responsesDue.toISOString(),
    });
  }
  if (answered) throw new DomainError('CONFLICT', 'This company has answered this round already');
}
