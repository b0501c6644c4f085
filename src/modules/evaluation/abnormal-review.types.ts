/**
 * The adversarial procedure (procedimiento contradictorio) for an offer presumed abnormally low
 * (art. 149.4 LCSP; E1: no automatic exclusion).
 */

export type AbnormalReviewStatus =
  | 'presumed'
  | 'justification_requested'
  | 'justification_received'
  | 'justification_missing'
  | 'technical_report'
  | 'accepted'
  | 'rejected';

/**
 * Why an abnormal offer is rejected (art. 149.4 and 149.6 LCSP; E4):
 * - `incomplete`: the justification is incomplete (or none was given);
 * - `inadequate_assumptions`: it rests on technically, economically or legally inadequate assumptions;
 * - `breaches_environmental_social_labour`: the low price comes from breaching environmental,
 *   social or labour obligations, including collective agreements (rejection is mandatory);
 * - `subcontracting`: it comes from breaching the subcontracting rules (art. 149.4, mandatory).
 */
export const ABNORMAL_REJECTION_GROUNDS = [
  'incomplete',
  'inadequate_assumptions',
  'breaches_environmental_social_labour',
  'subcontracting',
] as const;
export type AbnormalRejectionGround = (typeof ABNORMAL_REJECTION_GROUNDS)[number];

export type AbnormalReviewState = {
  status: AbnormalReviewStatus;
  /** Simplified procedure: the justification period is at most 5 business days (art. 159.4) [K]. */
  simplified: boolean;
  requestedAt: Date | null;
  deadline: Date | null;
  receivedAt: Date | null;
  report: { conclusion: 'accept' | 'reject'; summary: string; at: Date } | null;
  decision:
    | { outcome: 'accepted'; reasons: string; at: Date }
    | { outcome: 'rejected'; grounds: AbnormalRejectionGround[]; reasons: string; at: Date }
    | null;
  /** Accepted abnormal offers are monitored during execution (art. 149.7; E5). */
  monitoring: boolean;
};

export type AbnormalReviewEvent =
  | { type: 'request_justification'; days: number }
  | { type: 'receive_justification' }
  | { type: 'record_missing' }
  | { type: 'record_technical_report'; conclusion: 'accept' | 'reject'; summary: string }
  | { type: 'accept'; reasons: string }
  | { type: 'reject'; grounds: AbnormalRejectionGround[]; reasons: string };

export type AbnormalReviewEventType = AbnormalReviewEvent['type'];
