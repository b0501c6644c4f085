/**
 * Qualification of a bid on its envelope A (administrative documentation, ESPD): admitted,
 * excluded with reasons, or asked to remedy defects (subsanación) first. procurement-rules.md §4.2.
 */

export type QualificationStatus = 'pending' | 'remediation_requested' | 'admitted' | 'excluded';

/**
 * Grounds for excluding a bid at qualification, besides the written reasons:
 * capacity (art. 65 LCSP), a prohibition to contract (art. 71), solvency not proven (arts. 74–76,
 * 87–90), documentation missing or not conforming (arts. 140–141), defects not remedied in time
 * (art. 141.2; RGLCAP art. 81.2), other (the reasons say which).
 */
export const EXCLUSION_GROUNDS = [
  'capacity',
  'prohibition',
  'solvency',
  'documentation',
  'remediation_not_provided',
  'other',
] as const;
export type ExclusionGround = (typeof EXCLUSION_GROUNDS)[number];

export type QualificationState = {
  status: QualificationStatus;
  /** The remediation asked for: what, when asked and until when (null if none). */
  remediation: { items: string[]; requestedAt: Date; deadline: Date } | null;
  exclusion: { grounds: ExclusionGround[]; reasons: string } | null;
  /** When the bid was admitted or excluded. */
  decidedAt: Date | null;
};

export type QualificationEvent =
  | { type: 'admit' }
  | { type: 'exclude'; grounds: ExclusionGround[]; reasons: string }
  /** `days`: business days to remedy (at most REMEDIATION_MAX_DAYS). */
  | { type: 'request_remediation'; items: string[]; days: number };

export type QualificationEventType = QualificationEvent['type'];
