import { DomainError } from '../../platform/errors.js';
import {
  EXCLUSION_GROUNDS,
  type QualificationEvent,
  type QualificationState,
} from './qualification.types.js';
import {
  invalidTransition,
  requireCodes,
  requireDays,
  requireReasons,
  type TransitionContext,
} from './transition.js';

/**
 * The qualification of a bid (envelope A) as a pure transition function:
 *
 *   pending ──admit──────────────────────────────▶ admitted
 *   pending ──exclude (grounds + reasons)────────▶ excluded
 *   pending ──request_remediation (days)─────────▶ remediation_requested ──admit / exclude──▶ …
 *
 * One remediation round only: the committee grants a single period to remedy defects in the
 * documentation (art. 141.2 LCSP; RGLCAP art. 81.2), not a second chance after it. Admission and
 * exclusion are final here; revoking one is a new act outside this machine.
 */

/** Days to remedy defects: "no más de tres días hábiles" (RGLCAP art. 81.2; art. 141.2 LCSP) [K]. */
export const REMEDIATION_MAX_DAYS = 3;

/** A bid not yet qualified. */
export function initialQualification(): QualificationState {
  return { status: 'pending', remediation: null, exclusion: null, decidedAt: null };
}

/** The state after `event`; DomainError INVALID_TRANSITION for a move the table does not allow. */
export function nextQualification(
  state: QualificationState,
  event: QualificationEvent,
  ctx: TransitionContext,
): QualificationState {
  const from = state.status;
  const open = from === 'pending' || from === 'remediation_requested';
  const refuse = (reason?: string) => invalidTransition('qualification', from, event.type, reason);
  switch (event.type) {
    case 'admit':
      if (!open) throw refuse();
      return { ...state, status: 'admitted', decidedAt: ctx.now };
    case 'exclude': {
      if (!open) throw refuse();
      const grounds = requireCodes(event.grounds, EXCLUSION_GROUNDS, 'grounds');
      const reasons = requireReasons(event.reasons, 'reasons');
      // Excluding for defects not remedied needs a remediation request whose period is over.
      if (grounds.includes('remediation_not_provided')) {
        if (state.remediation === null) throw refuse('no_remediation_requested');
        if (ctx.now.getTime() <= state.remediation.deadline.getTime()) throw refuse('deadline_not_reached');
      }
      return { ...state, status: 'excluded', exclusion: { grounds, reasons }, decidedAt: ctx.now };
    }
    case 'request_remediation': {
      if (from !== 'pending') throw refuse();
      const days = requireDays(event.days, 1, REMEDIATION_MAX_DAYS, 'days');
      const items = Array.isArray(event.items)
        ? event.items.map((i) => String(i).trim()).filter(Boolean)
        : [];
      if (items.length === 0) {
        throw new DomainError('UNPROCESSABLE', 'Say which defects must be remedied', { field: 'items' });
      }
      return {
        ...state,
        status: 'remediation_requested',
        remediation: { items, requestedAt: ctx.now, deadline: ctx.businessDeadline(ctx.now, days) },
      };
    }
    default:
      throw refuse();
  }
}
