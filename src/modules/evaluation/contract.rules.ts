import { DomainError } from '../../platform/errors.js';
import { parseDecimal } from '../../platform/money.js';
import type { LocalDate } from '../calendar/calendar.rules.js';
import type { ContractEvent, ContractState } from './contract.types.js';
import { invalidTransition, requireReasons, type TransitionContext } from './transition.js';

/**
 * A contract's life as a pure transition function:
 *
 *   formalised ─start─▶ in_execution ⇄ suspended (suspend / resume, art. 208)
 *   in_execution ─complete─▶ completed (reception, art. 210)
 *   in_execution | suspended ─terminate─▶ terminated (arts. 211–213)
 *   in_execution | suspended ─amend (arts. 203–205) / extend (prórroga, art. 29.2)─▶ same state
 *
 * Amendments and extensions are events on a live contract only: nothing can be modified before
 * execution starts or after it ends. Legal limits of amendments (art. 204: up to 20 % of the
 * initial price if foreseen; art. 205 conditions) are for the service to check with the file's
 * figures; here the ground, the value change and the reasons are required and recorded.
 */

const LOCAL_DATE = /^\d{4}-\d{2}-\d{2}$/;

export function initialContract(): ContractState {
  return {
    status: 'formalised',
    startedAt: null,
    endDate: null,
    suspensions: [],
    amendments: [],
    extensions: [],
    completedAt: null,
    termination: null,
  };
}

function requireDay(day: unknown, field: string): LocalDate {
  if (typeof day !== 'string' || !LOCAL_DATE.test(day) || Number.isNaN(Date.parse(`${day}T00:00:00Z`))) {
    throw new DomainError('UNPROCESSABLE', `${field} must be a date written YYYY-MM-DD`, { field });
  }
  return day;
}

/** The state after `event`; DomainError INVALID_TRANSITION for a move the table does not allow. */
export function nextContract(
  state: ContractState,
  event: ContractEvent,
  ctx: TransitionContext,
): ContractState {
  const from = state.status;
  const refuse = (reason?: string) => invalidTransition('contract', from, event.type, reason);
  const live = from === 'in_execution' || from === 'suspended';
  const now = ctx.now;
  switch (event.type) {
    case 'start': {
      if (from !== 'formalised') throw refuse();
      const endDate = event.endDate === null ? null : requireDay(event.endDate, 'endDate');
      return { ...state, status: 'in_execution', startedAt: now, endDate };
    }
    case 'suspend': {
      if (from !== 'in_execution') throw refuse();
      const reasons = requireReasons(event.reasons, 'reasons');
      return {
        ...state,
        status: 'suspended',
        suspensions: [...state.suspensions, { reasons, from: now, to: null }],
      };
    }
    case 'resume': {
      if (from !== 'suspended') throw refuse();
      const suspensions = state.suspensions.map((s, i) =>
        i === state.suspensions.length - 1 ? { ...s, to: now } : s,
      );
      return { ...state, status: 'in_execution', suspensions };
    }
    case 'amend': {
      if (!live) throw refuse();
      if (event.legalGround !== 'art_204' && event.legalGround !== 'art_205') {
        throw new DomainError('UNPROCESSABLE', "legalGround must be 'art_204' or 'art_205'", {
          field: 'legalGround',
        });
      }
      const value = typeof event.valueChange === 'string' ? parseDecimal(event.valueChange) : undefined;
      if (!value)
        throw new DomainError('UNPROCESSABLE', 'valueChange must be a decimal', { field: 'valueChange' });
      const reasons = requireReasons(event.reasons, 'reasons');
      const documents = Array.isArray(event.documents) ? event.documents.map(String) : [];
      return {
        ...state,
        amendments: [
          ...state.amendments,
          { legalGround: event.legalGround, valueChange: value.toFixed(), reasons, documents, at: now },
        ],
      };
    }
    case 'extend': {
      if (!live) throw refuse();
      const newEndDate = requireDay(event.newEndDate, 'newEndDate');
      // ISO dates compare as strings; an extension must move the end later.
      if (state.endDate !== null && newEndDate <= state.endDate) {
        throw new DomainError('UNPROCESSABLE', 'newEndDate must be after the current end of the term', {
          field: 'newEndDate',
          endDate: state.endDate,
        });
      }
      const reasons = requireReasons(event.reasons, 'reasons');
      return {
        ...state,
        endDate: newEndDate,
        extensions: [...state.extensions, { previousEndDate: state.endDate, newEndDate, reasons, at: now }],
      };
    }
    case 'complete':
      if (from !== 'in_execution') throw refuse();
      return { ...state, status: 'completed', completedAt: now };
    case 'terminate': {
      if (!live) throw refuse();
      if (typeof event.grounds !== 'string' || event.grounds.trim() === '') {
        throw new DomainError('UNPROCESSABLE', 'grounds must name the legal ground (art. 211)', {
          field: 'grounds',
        });
      }
      const reasons = requireReasons(event.reasons, 'reasons');
      const suspensions = state.suspensions.map((s) => (s.to === null ? { ...s, to: now } : s));
      return {
        ...state,
        status: 'terminated',
        suspensions,
        termination: { grounds: event.grounds.trim(), reasons, at: now },
      };
    }
    default:
      throw refuse();
  }
}
