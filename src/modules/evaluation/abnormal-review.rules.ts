import { DomainError } from '../../platform/errors.js';
import {
  ABNORMAL_REJECTION_GROUNDS,
  type AbnormalReviewEvent,
  type AbnormalReviewState,
} from './abnormal-review.types.js';
import {
  invalidTransition,
  requireCodes,
  requireDays,
  requireReasons,
  type TransitionContext,
} from './transition.js';

/**
 * The review of an offer presumed abnormally low, as a pure transition function (art. 149.4 LCSP;
 * procurement-rules.md §6.1 points 5–6, E1, E4):
 *
 *   presumed ─request_justification─▶ justification_requested ─receive_justification (in time)─▶ justification_received
 *                                                          └─record_missing (after the deadline)─▶ justification_missing
 *   justification_received | justification_missing ─record_technical_report─▶ technical_report
 *   technical_report ─accept─▶ accepted (monitored in execution)   technical_report ─reject (grounds)─▶ rejected
 *
 * An offer with no justification cannot be accepted: art. 149.4 lets the body accept only an
 * offer whose low level has been justified.
 */

/** Longest justification period accepted: the law sets none outside the simplified procedure. [D] */
export const JUSTIFICATION_MAX_DAYS = 30;
/** Simplified procedure: at most 5 business days (art. 159.4.f LCSP) [K]. */
export const JUSTIFICATION_MAX_DAYS_SIMPLIFIED = 5;

export function initialAbnormalReview(opts: { simplified: boolean }): AbnormalReviewState {
  return {
    status: 'presumed',
    simplified: opts.simplified,
    requestedAt: null,
    deadline: null,
    receivedAt: null,
    report: null,
    decision: null,
    monitoring: false,
  };
}

/** The state after `event`; DomainError INVALID_TRANSITION for a move the table does not allow. */
export function nextAbnormalReview(
  state: AbnormalReviewState,
  event: AbnormalReviewEvent,
  ctx: TransitionContext,
): AbnormalReviewState {
  const from = state.status;
  const refuse = (reason?: string) => invalidTransition('abnormal offer review', from, event.type, reason);
  const now = ctx.now;
  switch (event.type) {
    case 'request_justification': {
      if (from !== 'presumed') throw refuse();
      const max = state.simplified ? JUSTIFICATION_MAX_DAYS_SIMPLIFIED : JUSTIFICATION_MAX_DAYS;
      const days = requireDays(event.days, 1, max, 'days');
      return {
        ...state,
        status: 'justification_requested',
        requestedAt: now,
        deadline: ctx.businessDeadline(now, days),
      };
    }
    case 'receive_justification':
      if (from !== 'justification_requested') throw refuse();
      if (now.getTime() > state.deadline!.getTime()) {
        throw new DomainError('DEADLINE_PASSED', 'The justification period is over', {
          deadline: state.deadline!.toISOString(),
        });
      }
      return { ...state, status: 'justification_received', receivedAt: now };
    case 'record_missing':
      if (from !== 'justification_requested') throw refuse();
      if (now.getTime() <= state.deadline!.getTime()) throw refuse('deadline_not_reached');
      return { ...state, status: 'justification_missing' };
    case 'record_technical_report': {
      if (from !== 'justification_received' && from !== 'justification_missing') throw refuse();
      if (event.conclusion !== 'accept' && event.conclusion !== 'reject') {
        throw new DomainError('UNPROCESSABLE', "conclusion must be 'accept' or 'reject'", {
          field: 'conclusion',
        });
      }
      const summary = requireReasons(event.summary, 'summary');
      return {
        ...state,
        status: 'technical_report',
        report: { conclusion: event.conclusion, summary, at: now },
      };
    }
    case 'accept': {
      if (from !== 'technical_report') throw refuse();
      if (state.receivedAt === null) throw refuse('no_justification');
      const reasons = requireReasons(event.reasons, 'reasons');
      return {
        ...state,
        status: 'accepted',
        decision: { outcome: 'accepted', reasons, at: now },
        monitoring: true,
      };
    }
    case 'reject': {
      if (from !== 'technical_report') throw refuse();
      const grounds = requireCodes(event.grounds, ABNORMAL_REJECTION_GROUNDS, 'grounds');
      const reasons = requireReasons(event.reasons, 'reasons');
      return { ...state, status: 'rejected', decision: { outcome: 'rejected', grounds, reasons, at: now } };
    }
    default:
      throw refuse();
  }
}
