/**
 * Stable error codes. Clients may rely on them; never rename one. HTTP statuses are assigned in
 * one place only (`http/error-handler.ts`), so domain code stays independent of transport.
 */
export const ErrorCodes = {
  /** The request does not match the route's schema (types, required or unknown fields). */
  VALIDATION_FAILED: 400,
  /** The body is not well-formed JSON. */
  MALFORMED_JSON: 400,
  /** The request's content type is not accepted by the route. */
  UNSUPPORTED_MEDIA_TYPE: 415,
  /** The body is larger than the configured limit. */
  PAYLOAD_TOO_LARGE: 413,
  /** No valid session or API token. */
  UNAUTHENTICATED: 401,
  /** Email or password is wrong. Deliberately does not say which. */
  INVALID_CREDENTIALS: 401,
  /** Too many failed sign-ins: the account is temporarily locked. */
  ACCOUNT_LOCKED: 423,
  /** The actor is authenticated but not allowed to do this. */
  FORBIDDEN: 403,
  /** The form or request lacks a valid CSRF token. */
  CSRF_INVALID: 403,
  /** No such object, or it belongs to another authority or company (never revealed). */
  NOT_FOUND: 404,
  /** Too many requests from this client. */
  RATE_LIMITED: 429,
  /** The email address is already registered. */
  EMAIL_TAKEN: 409,
  /** A company with this tax id is already registered. */
  TAX_ID_TAKEN: 409,
  /** The authority slug, DIR3 code or OCID prefix is already used. */
  AUTHORITY_TAKEN: 409,
  /** The user already has a membership in this authority. */
  MEMBERSHIP_EXISTS: 409,
  /** The tax id is not a valid Spanish NIF/NIE/CIF or EU VAT number. */
  INVALID_TAX_ID: 422,
  /** The password does not meet the minimum policy. */
  WEAK_PASSWORD: 422,
  /** The current password given to change it is wrong. */
  WRONG_PASSWORD: 422,
  /** A business rule rejected the values (message and details say which). */
  UNPROCESSABLE: 422,
  /** The password-reset token is unknown, used or expired. */
  RESET_TOKEN_INVALID: 400,
  /** The change would leave an authority with no administrator or similar invariant breach. */
  CONFLICT: 409,
  /** A CPV code is malformed, unknown, or has the wrong check digit. */
  INVALID_CPV: 422,
  /** A deadline or date lies in the past. */
  DEADLINE_IN_PAST: 422,
  /** The estimated value given differs from the sum of its art. 101 components (or neither was given). */
  ESTIMATED_VALUE_MISMATCH: 422,
  /** The budget including VAT is below the budget excluding VAT (art. 100 LCSP). */
  BUDGET_INCONSISTENT: 422,
  /** The object is not in a state that allows this step (e.g. editing a published notice). */
  INVALID_TRANSITION: 409,
  /** The object changed since it was read: reload and apply the change again. */
  STALE_VERSION: 409,
  /** Pre-publication checks found blocking errors (listed in `details`). */
  CHECKS_FAILED: 422,
  /** The questions period of the tender is over (or it is not open to questions). */
  QUESTIONS_CLOSED: 409,
  /** A new deadline leaves less than the legal minimum period (e.g. after a substantial corrigendum, art. 136). */
  PERIOD_TOO_SHORT: 422,
  /** Another file of the authority already uses this reference. */
  REFERENCE_TAKEN: 409,
  /** An uploaded document is larger than DOCUMENT_MAX_BYTES (`details.maxBytes`). */
  DOCUMENT_TOO_LARGE: 413,
  /** An uploaded document's type is not among the accepted formats (`details.allowed`). */
  DOCUMENT_TYPE_NOT_ALLOWED: 415,
  /** A document's bytes, declared content type and file name extension do not agree. */
  CONTENT_TYPE_MISMATCH: 422,
  /** The deadline for this step is over (e.g. a quote after the quote deadline of a minor contract). */
  DEADLINE_PASSED: 409,
  /** Quotes of a minor contract stay sealed until the quote deadline: they cannot be read or awarded yet. */
  QUOTES_SEALED: 409,
  /** A minor contract's award reaches the threshold of art. 118.1 LCSP (works 40,000 €, others 15,000 €, excl. VAT). */
  MINOR_THRESHOLD_EXCEEDED: 422,
  /** Same company, same CPV group, 12 months: the cumulative amount reaches the threshold and no reasons were given (arts. 99.2, 118.3). */
  MINOR_SPLITTING_RISK: 422,
  /** Fewer companies invited to quote than the minimum, without written reasons. */
  MINOR_TOO_FEW_INVITATIONS: 422,
  /** The file's procedure is not published as a notice (contrato menor, art. 118; listed quarterly, art. 63.4). */
  PROCEDURE_NOT_PUBLISHED: 409,
  /** The text given as a custodian's public key is not an age X25519 recipient (`age1…`; `details.problem` says why). */
  CUSTODIAN_KEY_INVALID: 422,
  /** This public key was registered in the authority before (by this or another custodian); a new key is needed. */
  CUSTODIAN_KEY_TAKEN: 409,
  /** Bids of a published file are sealed to this custodian's key: it cannot be replaced or revoked until they are opened. */
  CUSTODIAN_KEY_IN_USE: 409,
  /** A submitted key share is malformed, or the shares do not rebuild the envelope key the manifest names (issue 4, docs/SEALING.md). */
  SHARE_INVALID: 422,
  /** The same key share (same custodian position or same bytes) was submitted twice for an envelope. */
  SHARE_DUPLICATE: 409,
  /** The key share is bound to another tender, bid, envelope or custodian position (or not addressed to this key). */
  SHARE_FOREIGN: 422,
  /** Fewer than k distinct custodian shares: opening needs at least two authorised persons (LCSP DA 17ª 1.f). */
  QUORUM_NOT_REACHED: 409,
  /** A stored ciphertext fails age authentication or differs from its manifest hash: the bid was altered, nothing is opened. */
  CIPHERTEXT_TAMPERED: 409,
  /** An uploaded bid blob's bytes do not hash to the SHA-256 named in its URL: nothing was kept (issue 4). */
  BLOB_HASH_MISMATCH: 422,
  /** A sealed envelope (file or share) is larger than BID_ENVELOPE_MAX_BYTES (`details.maxBytes`). */
  ENVELOPE_TOO_LARGE: 413,
  /** The bid id is already used by another company or for another tender (it is chosen by the client, once). */
  BID_ID_TAKEN: 409,
  /** An envelope manifest is malformed, or was sealed for another tender, bid, envelope, lots or keys (`details`). */
  MANIFEST_INVALID: 422,
  /** A file or share a manifest names was not uploaded (or not with the manifest's size): upload it first. */
  BLOB_MISSING: 422,
  /** The commitment to the bids is published only once the tender deadline has passed. */
  COMMITMENT_NOT_YET: 409,
  /** The same person is named as an expert and as a committee member of one tender (art. 146.2.a LCSP). */
  EXPERT_ON_COMMITTEE: 422,
  /** The lot's judgement criteria outweigh its formula criteria: only the tender's experts score them (art. 146.2.a LCSP). */
  EXPERTS_ONLY: 403,
  /** Fewer than three experts are assigned to a tender that needs the committee of experts (art. 146.2.a LCSP). */
  EXPERT_COMMITTEE_INCOMPLETE: 409,
  /** The authority holds imported third-party OCDS data (0023): nobody may act in it (no roles, no files). */
  AUTHORITY_READ_ONLY: 409,
  /** Bids cannot be opened yet: before the tender deadline or the opening time (`details.opensAt`; LCSP DA 17ª, art. 157). */
  OPENING_NOT_YET: 409,
  /** Envelopes open in legal order A → B → C, each once (`details.pending` names the stage that is next). */
  OPENING_OUT_OF_ORDER: 409,
  /** Envelope C opens only after the report on envelope B is approved (arts. 146.2.b and 157 LCSP). */
  OPENING_REPORT_PENDING: 409,
  /** The tender takes sealed bids (or answers) only from companies it invited (arts. 163, 168–169 LCSP). */
  NOT_INVITED: 403,
  /** Fewer candidates selected than the procedure's minimum, with no reason given (arts. 162, 169 LCSP). */
  TOO_FEW_CANDIDATES: 422,
  /** Unexpected server fault; the message is hidden from clients. */
  INTERNAL: 500,
} as const;

export type ErrorCode = keyof typeof ErrorCodes;

/** The one error class of the domain. Carries a stable code and optional structured details. */
export class DomainError extends Error {
  readonly code: ErrorCode;
  readonly details: unknown;

  constructor(code: ErrorCode, message: string, details?: unknown) {
    super(message);
    this.name = 'DomainError';
    this.code = code;
    this.details = details;
  }
}

/** HTTP status for a code; used only by the HTTP edge. */
export function statusOf(code: ErrorCode): number {
  return ErrorCodes[code];
}
