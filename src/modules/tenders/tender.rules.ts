import { DomainError } from '../../platform/errors.js';

/** The life of a procurement file up to publication (cancellation may come at any point before award). */
export type TenderStatus = 'draft' | 'in_approval' | 'approved' | 'published' | 'cancelled';

export type TenderEvent =
  | { type: 'edit' }
  | { type: 'submit' }
  | { type: 'approve_step'; isLastStep: boolean }
  | { type: 'reject_step' }
  | { type: 'publish' }
  | { type: 'cancel' };

/**
 * The transition table of a file, as a pure function. Any edit before publication sends the file
 * back to draft, so the chain approves exactly what is published (an approval of another text
 * would be worthless). After publication the notice changes only by corrigendum (art. 136),
 * which is not an `edit`.
 */
export function nextStatus(from: TenderStatus, event: TenderEvent): TenderStatus {
  switch (event.type) {
    case 'edit':
      if (from === 'draft' || from === 'in_approval' || from === 'approved') return 'draft';
      break;
    case 'submit':
      if (from === 'draft') return 'in_approval';
      break;
    case 'approve_step':
      if (from === 'in_approval') return event.isLastStep ? 'approved' : 'in_approval';
      break;
    case 'reject_step':
      if (from === 'in_approval') return 'draft';
      break;
    case 'publish':
      if (from === 'approved') return 'published';
      break;
    case 'cancel':
      // Desistimiento or renuncia before award (art. 152): from any state but cancelled.
      if (from !== 'cancelled') return 'cancelled';
      break;
  }
  throw new DomainError('INVALID_TRANSITION', `A ${from} file cannot take the step "${event.type}"`, {
    from,
    event: event.type,
  });
}
