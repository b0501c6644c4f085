import type { Actor, AuthorityRole, UserActor } from '../../platform/context.js';
import { decideByAuthorityRoles, type Decision, enforce } from '../tenancy/tenancy.policy.js';

export type EvaluationAction =
  | 'evaluation.read'
  | 'evaluation.qualify'
  | 'evaluation.score'
  | 'evaluation.approve_report';

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
