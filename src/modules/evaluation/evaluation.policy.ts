import type { Actor, AuthorityRole, UserActor } from '../../platform/context.js';
import { decideByAuthorityRoles, type Decision, enforce } from '../tenancy/tenancy.policy.js';

export type EvaluationAction =
  | 'evaluation.read'
  | 'evaluation.qualify'
  | 'evaluation.score'
  | 'evaluation.approve_report'
  // abnormal-offer review (art. 149.4 LCSP)
  | 'evaluation.review_abnormal'
  // --- award of lots (award.service.ts) ---
  | 'evaluation.propose_award'
  | 'evaluation.award'
  // --- contract management (contract.service.ts) ---
  | 'evaluation.read_contracts'
  | 'evaluation.manage_contracts';

/**
 * Roles per evaluation action. Deny by default. The committee (mesa de contratación, art. 326
 * LCSP) qualifies bids; the officer who runs the file and the authority's auditors read the
 * committee's work. The service further requires a committee member to sit on the tender's
 * committee when the file names one.
 */
export const EVALUATION_PERMISSIONS: Record<EvaluationAction, readonly AuthorityRole[]> = {
  'evaluation.read': ['committee_member', 'procurement_officer', 'auditor', 'authority_admin'],
  'evaluation.qualify': ['committee_member'],
  'evaluation.score': ['committee_member'],
  'evaluation.approve_report': ['committee_member'],
  // abnormal-offer review: the committee runs the adversarial procedure (art. 149.4 LCSP).
  'evaluation.review_abnormal': ['committee_member'],
  // --- award of lots (award.service.ts) ---
  // The committee proposes the award and checks the proposed bidder's documentation (arts. 150.1–2
  // and 326.2 LCSP: the mesa proposes); the contracting body, for which its officer acts, awards,
  // notifies, declares a lot void, records appeals and formalises (arts. 150.3, 151, 153).
  'evaluation.propose_award': ['committee_member'],
  'evaluation.award': ['procurement_officer'],
  // --- contract management (contract.service.ts) ---
  // The contracting body, for which its officer acts, directs the execution (arts. 190, 311
  // LCSP: prerogatives to interpret, modify, suspend and terminate); auditors and admins read.
  'evaluation.read_contracts': ['procurement_officer', 'auditor', 'authority_admin'],
  'evaluation.manage_contracts': ['procurement_officer'],
};

/** Tenancy first (another authority's tenders do not exist for the actor), then the role. */
export function canOnEvaluation(actor: Actor, action: EvaluationAction, authorityId: string): Decision {
  return decideByAuthorityRoles(actor, authorityId, EVALUATION_PERMISSIONS[action]);
}

export function authorizeOnEvaluation(
  actor: Actor,
  action: EvaluationAction,
  authorityId: string,
): UserActor {
  return enforce(canOnEvaluation(actor, action, authorityId), actor, 'Tender');
}
