import { DomainError } from '../../platform/errors.js';
import type { AwardEvent, AwardState, AwardStatus } from './award.types.js';
import { invalidTransition, requireReasons, type TransitionContext } from './transition.js';

/**
 * The award of a lot as a pure transition function:
 *
 *   ranking ─propose─▶ proposed ─request_documentation─▶ documentation_requested (10 business days)
 *   documentation_requested ─documentation_ok─▶ documentation_ok ─award─▶ awarded ─notify─▶ notified
 *   documentation_requested ─documentation_failed─▶ documentation_failed ─propose_next─▶ proposed (next in ranking)
 *   notified ─start_standstill─▶ standstill (15 business days; special appeal only)
 *   notified (no special appeal) | standstill (period over) ─clear_for_formalisation─▶ ready_to_formalise
 *   ready_to_formalise ─formalise─▶ formalised
 *   ranking | proposed | documentation_failed ─declare_void─▶ void (desierto)
 *   awarded … ready_to_formalise ─lodge_appeal─▶ (same state, suspended) ─resolve_appeal─▶ resumed, or
 *   back to ranking when the appeal is upheld
 *
 * Law: art. 150.2 LCSP (documentation from the best-ranked bidder within 10 business days; if it
 * fails, the offer counts as withdrawn and the next bidder is asked); art. 151 (reasoned award,
 * notified to every bidder); art. 153.3 (with the special appeal, no formalisation before 15
 * business days from the sending of the notification); art. 53 (an appeal against the award
 * suspends the procedure). Void from documentation_failed is an addition to the list:
 * when the last candidate fails, the lot can only be declared void. [D]
 */

/** Art. 150.2 LCSP: 10 business days to present the documentation. */
export const DOCUMENTATION_DAYS = 10;
/** Art. 153.3 LCSP: 15 business days of standstill from the sending of the notification. */
export const STANDSTILL_DAYS = 15;

/** Statuses in which a special appeal against the award can be lodged and suspends it (art. 53). */
export const APPEALABLE: readonly AwardStatus[] = ['awarded', 'notified', 'standstill', 'ready_to_formalise'];

export function initialAward(opts: { ranking: string[]; specialAppeal: boolean }): AwardState {
  return {
    status: 'ranking',
    ranking: [...opts.ranking],
    position: null,
    failed: [],
    documentationDeadline: null,
    award: null,
    notifiedAt: null,
    specialAppeal: opts.specialAppeal,
    standstillEnds: null,
    appeal: null,
    formalisedAt: null,
    voided: null,
  };
}

/** The bid (or company) currently proposed, if any. */
export function currentCandidate(state: AwardState): string | null {
  return state.position === null ? null : (state.ranking[state.position] ?? null);
}

/** The state after `event`; DomainError INVALID_TRANSITION for a move the table does not allow. */
export function nextAward(state: AwardState, event: AwardEvent, ctx: TransitionContext): AwardState {
  const from = state.status;
  const refuse = (reason?: string) => invalidTransition('lot award', from, event.type, reason);
  const now = ctx.now;

  // While a special appeal against the award is pending, nothing moves but its resolution (art. 53).
  if (state.appeal !== null) {
    if (event.type !== 'resolve_appeal') throw refuse('suspended_by_appeal');
    switch (event.outcome) {
      case 'dismissed':
      case 'suspension_lifted':
        return { ...state, appeal: null };
      case 'upheld':
        // The award is annulled: back to the ranking, which the committee redoes as the tribunal
        // orders (the ranking list may be replaced by the caller). [D]
        return {
          ...initialAward({ ranking: state.ranking, specialAppeal: state.specialAppeal }),
          failed: state.failed,
        };
      default:
        throw new DomainError('UNPROCESSABLE', 'Unknown appeal outcome', { field: 'outcome' });
    }
  }

  switch (event.type) {
    case 'propose':
      if (from !== 'ranking') throw refuse();
      if (state.ranking.length === 0) throw refuse('no_candidate_left');
      return { ...state, status: 'proposed', position: 0 };
    case 'request_documentation':
      if (from !== 'proposed') throw refuse();
      return {
        ...state,
        status: 'documentation_requested',
        documentationDeadline: ctx.businessDeadline(now, DOCUMENTATION_DAYS),
      };
    case 'documentation_ok':
      if (from !== 'documentation_requested') throw refuse();
      return { ...state, status: 'documentation_ok' };
    case 'documentation_failed': {
      if (from !== 'documentation_requested') throw refuse();
      const reason = requireReasons(event.reason, 'reason');
      return {
        ...state,
        status: 'documentation_failed',
        failed: [...state.failed, { id: currentCandidate(state)!, reason, at: now }],
      };
    }
    case 'propose_next': {
      if (from !== 'documentation_failed') throw refuse();
      const next = state.position! + 1;
      if (next >= state.ranking.length) throw refuse('no_candidate_left');
      return { ...state, status: 'proposed', position: next, documentationDeadline: null };
    }
    case 'award': {
      if (from !== 'documentation_ok') throw refuse();
      const reasons = requireReasons(event.reasons, 'reasons');
      return { ...state, status: 'awarded', award: { id: currentCandidate(state)!, reasons, at: now } };
    }
    case 'notify':
      if (from !== 'awarded') throw refuse();
      return { ...state, status: 'notified', notifiedAt: now };
    case 'start_standstill':
      if (from !== 'notified') throw refuse();
      if (!state.specialAppeal) throw refuse('no_special_appeal');
      return {
        ...state,
        status: 'standstill',
        standstillEnds: ctx.businessDeadline(state.notifiedAt!, STANDSTILL_DAYS),
      };
    case 'clear_for_formalisation':
      if (from === 'notified') {
        if (state.specialAppeal) throw refuse('standstill_required');
      } else if (from === 'standstill') {
        if (now.getTime() <= state.standstillEnds!.getTime()) throw refuse('standstill_not_over');
      } else throw refuse();
      return { ...state, status: 'ready_to_formalise' };
    case 'formalise': {
      if (from !== 'ready_to_formalise') throw refuse();
      const signedAt = event.signedAt;
      if (
        !(signedAt instanceof Date) ||
        Number.isNaN(signedAt.getTime()) ||
        signedAt.getTime() > now.getTime()
      ) {
        throw new DomainError('UNPROCESSABLE', 'signedAt must be a valid instant, not in the future', {
          field: 'signedAt',
        });
      }
      // Art. 153.3: never signed within the standstill, even when recorded afterwards.
      if (state.standstillEnds !== null && signedAt.getTime() <= state.standstillEnds.getTime()) {
        throw new DomainError('UNPROCESSABLE', 'The contract cannot be signed before the standstill ends', {
          field: 'signedAt',
          standstillEnds: state.standstillEnds.toISOString(),
        });
      }
      return { ...state, status: 'formalised', formalisedAt: signedAt };
    }
    case 'declare_void': {
      if (from !== 'ranking' && from !== 'proposed' && from !== 'documentation_failed') throw refuse();
      const reasons = requireReasons(event.reasons, 'reasons');
      return { ...state, status: 'void', voided: { reasons, at: now } };
    }
    case 'lodge_appeal':
      if (!APPEALABLE.includes(from)) throw refuse();
      if (!state.specialAppeal) throw refuse('no_special_appeal');
      return { ...state, appeal: { lodgedAt: now } };
    case 'resolve_appeal':
      throw refuse('no_appeal_pending');
    default:
      throw refuse();
  }
}
