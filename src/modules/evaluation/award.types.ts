/**
 * The award of one lot, from the final ranking to the signed contract (arts. 150–153 LCSP;
 * procurement-rules.md §3 F and §4.6).
 */

export type AwardStatus =
  | 'ranking'
  | 'proposed'
  | 'documentation_requested'
  | 'documentation_ok'
  | 'documentation_failed'
  | 'awarded'
  | 'notified'
  | 'standstill'
  | 'ready_to_formalise'
  | 'formalised'
  | 'void';

export type AwardState = {
  status: AwardStatus;
  /** The bids (or companies) in ranking order, best first, ties resolved. */
  ranking: string[];
  /** Index in `ranking` of the current candidate; null before the first proposal. */
  position: number | null;
  /** Candidates whose documentation failed (art. 150.2), in order. */
  failed: { id: string; reason: string; at: Date }[];
  documentationDeadline: Date | null;
  award: { id: string; reasons: string; at: Date } | null;
  notifiedAt: Date | null;
  /** Whether the special appeal (recurso especial, art. 44) lies against this award: standstill applies. */
  specialAppeal: boolean;
  standstillEnds: Date | null;
  /** A special appeal against the award, pending: the procedure is suspended (art. 53). */
  appeal: { lodgedAt: Date } | null;
  formalisedAt: Date | null;
  voided: { reasons: string; at: Date } | null;
};

export type AppealOutcome = 'dismissed' | 'suspension_lifted' | 'upheld';

export type AwardEvent =
  | { type: 'propose' }
  | { type: 'request_documentation' }
  | { type: 'documentation_ok' }
  | { type: 'documentation_failed'; reason: string }
  | { type: 'propose_next' }
  | { type: 'award'; reasons: string }
  | { type: 'notify' }
  | { type: 'start_standstill' }
  | { type: 'clear_for_formalisation' }
  | { type: 'formalise'; signedAt: Date }
  | { type: 'declare_void'; reasons: string }
  | { type: 'lodge_appeal' }
  | { type: 'resolve_appeal'; outcome: AppealOutcome };

export type AwardEventType = AwardEvent['type'];
