/**
 * Every audited action and the shape of its data. Adding an action is adding a line here; the
 * payload is stored as JSON, so renaming a field later needs a data migration.
 */
export type AuditEvents = {
  'consortium.created': { slug: string };
  'authority.created': { slug: string; dir3Code: string; ocidPrefix: string };
  'authority.updated': { changes: Record<string, string | string[] | null> };
  'membership.granted': { userId: string; roles: string[] };
  'membership.changed': { userId: string; roles: string[]; previous: string[] };
  'membership.revoked': { userId: string; previous: string[] };
  'user.created': { email: string };
  'user.signed_in': { via: 'password' };
  'user.sign_in_failed': { failedLogins: number; locked: boolean };
  'user.signed_out': Record<string, never>;
  'user.password_changed': { via: 'account' | 'reset' };
  'user.password_reset_requested': Record<string, never>;
  'user.context_switched': { authorityId: string | null; companyId: string | null };
  'api_token.created': {
    name: string;
    authorityId: string | null;
    companyId: string | null;
    expiresAt: string;
  };
  'api_token.revoked': { name: string };
  'company.registered': { taxId: string; legalName: string; isSme: boolean };
  'company.updated': { changes: Record<string, string | string[] | boolean | null> };
  'company.member_added': { userId: string; roles: string[] };
  'company.email_added': { email: string };
  'company.email_removed': { email: string };
  'tender.created': { reference: string; procedure: string };
  'tender.updated': { version: number; restartedApprovals: boolean };
  'tender.document_added': {
    documentId: string;
    kind: string;
    title: string;
    fileName: string;
    contentType: string;
    size: number;
    sha256: string;
    version: number;
    restartedApprovals: boolean;
  };
  'tender.assignments_set': { committee: string[]; custodians: string[]; experts?: string[] };
  'tender.submitted': { round: number; steps: string[] };
  'tender.approved': { round: number; position: number; role: string; comment: string | null };
  'tender.rejected': { round: number; position: number; role: string; comment: string };
  'tender.published': { ocid: string; noticeVersion: number; canonicalSha256: string };
  'tender.corrected': {
    ocid: string;
    noticeVersion: number;
    substantial: boolean;
    reason: string;
    canonicalSha256: string;
    changed: string[];
  };
  'tender.cancelled': { ocid: string | null; kind: string; reason: string };
  'tender.question_asked': { questionId: string };
  'tender.question_answered': { questionId: string };
  'tender.followed': Record<string, never>;
  'tender.unfollowed': Record<string, never>;
  'minor.started': {
    /** Request round (1, or more after a void round; events before 0008 have none: round 1). */
    round: number;
    quoteDeadline: string;
    companyIds: string[];
    justification: string | null;
  };
  'minor.invited': { round: number; companyIds: string[] };
  /**
   * Written in the company's trail only (authority_id null) while quotes are sealed: a salted
   * commitment (minor-contract.rules.ts quoteCommitment), neither the amount nor, for the
   * authority, who quoted. Events before 0008 carried { quoteId, contentSha256 } unsalted.
   */
  'minor.quote_submitted': { round: number; quoteId: string; commitmentSha256: string; replaced: boolean };
  /** The opening of a round's sealed quotes (award, or void after the deadline), nonces revealed. */
  'minor.quotes_opened': {
    round: number;
    quoteDeadline: string;
    quotes: {
      quoteId: string;
      companyId: string;
      amountExclVat: string;
      vatRate: string;
      amountInclVat: string;
      note: string;
      submittedAt: string;
      nonce: string | null;
    }[];
  };
  'minor.awarded': {
    round: number;
    companyId: string;
    quoteId: string;
    amountExclVat: string;
    vatRate: string;
    amountInclVat: string;
    justification: string;
    splittingJustification: string | null;
    splittingMatches: string[];
  };
  /** `tenderCancelled`: voided by the cancellation of the file (art. 152 LCSP). */
  'minor.voided': { round: number; reason: string; tenderCancelled: boolean };
  'holiday.added': { day: string; name: string; kind: string };
  'holiday.removed': { day: string; name: string; kind: string };
  'holiday.excluded': { day: string; name: string; kind: string };
  'holiday.restored': { day: string; name: string; kind: string };
  'planned_contract.created': {
    title: string;
    procedure: string;
    expectedYear: number;
    expectedQuarter: number;
  };
  'planned_contract.updated': { version: number; changed: string[] };
  'planned_contract.withdrawn': { version: number; reason: string };
  'planned_contract.file_started': { tenderId: string; reference: string };
  /** A key custodian's public key (issue 4); `replaces` is the key it replaced, revoked in the same step. */
  'custodian_key.registered': {
    userId: string;
    recipient: string;
    fingerprint: string;
    replaces: string | null;
  };
  /** `replaced` by the custodian's new key, or `revoked` by the authority's administrator. */
  'custodian_key.revoked': { userId: string; fingerprint: string; reason: 'replaced' | 'revoked' };
  /**
   * A sealed bid's submission or replacement (issue 4). Written in the company's trail only
   * (authority_id null): the authority must not learn who bid until envelope A is opened.
   */
  'bid.submitted': {
    bidId: string;
    version: number;
    sequence: number;
    lots: number[];
    receivedAt: string;
    receiptSha256: string;
    envelopes: { envelope: string; manifestSha256: string }[];
    replaced: boolean;
  };
  /** A bid withdrawn before the deadline (company's trail only, like `bid.submitted`). */
  'bid.withdrawn': {
    bidId: string;
    version: number;
    sequence: number;
    receivedAt: string;
    receiptSha256: string;
  };
  /** The public commitment to the bids at the deadline: counts and the SHA-256 of the hash list. */
  'bid.commitment_published': {
    ocid: string;
    deadline: string;
    bids: number;
    lots: { lot: number; bids: number }[];
    commitmentSha256: string;
  };
  /** A custodian handed in key shares for an opening stage (issue 4); never the share material. */
  'opening.shares_submitted': { envelope: string; custodianIndex: number; bids: number };
  /** The public opening record of a stage (its SHA-256; the record itself is in `opening`). */
  'opening.recorded': {
    ocid: string;
    envelope: string;
    recordSha256: string;
    custodians: { index: number; name: string }[];
    bids: { bidId: string; outcome: string; failure: string | null }[];
  };
  /** Stand-in for the evaluation issue: the committee approved the B report, envelope C may open. */
  'evaluation.judgement_scored': { lot: number; criterion: number; points: string };
  'evaluation.judgement_report_approved': { ocid: string; reportSha256: string; summary: string | null };
  'evaluation.qualification_decided': {
    bidId: string;
    status: string;
    grounds: string[] | null;
    reasons: string | null;
    remediationItems: string[] | null;
    remediationDeadline: string | null;
    version: number;
  };
  // abnormal-offer review (issue 5 point 4)
  /** One step of the review of an offer presumed abnormally low (public: E5, reports in the perfil). */
  'evaluation.abnormal_review_changed': {
    bidId: string;
    lot: number;
    event: string;
    status: string;
    deadline: string | null;
    conclusion: string | null;
    summary: string | null;
    grounds: string[] | null;
    reasons: string | null;
    monitoring: boolean;
    version: number;
  };
  // --- award of lots (award.service.ts) ---
  /** One step of a lot's award (award.rules.ts); award, notification, void and formalisation are public. */
  'evaluation.award_step': {
    ocid: string;
    lot: number;
    event: string;
    status: string;
    candidate: string | null;
    reasons: string | null;
    deadline: string | null;
    contractId: string | null;
    version: number;
  };
  /** The committee's draw among offers still tied after every art. 147 criterion. */
  'evaluation.award_draw_recorded': { ocid: string; lot: number; order: string[]; version: number };
  // --- selection and negotiation (0019; arts. 160–171 LCSP) ---
  /** A company's request to participate; names the company, so embargoed like a bid. */
  'participation.requested': { requestId: string; submittedAt: string; statementSha256: string };
  'participation.decided': {
    requestId: string;
    companyId: string;
    decision: 'selected' | 'rejected';
    reasons: string;
  };
  /** Invitations to tender sent (art. 163; art. 168 without publication). */
  'tender.invited': {
    companyIds: string[];
    minimumCandidates: number | null;
    fewerCandidatesReason: string | null;
    tenderDeadline: string;
  };
  'negotiation.round_opened': {
    roundId: string;
    number: number;
    subject: string;
    responsesDue: string;
    messageSha256: string;
  };
  'negotiation.responded': { roundId: string; number: number; submittedAt: string; textSha256: string };
  // --- contract management (contract.service.ts) ---
  /** One event of a contract's execution (contract.rules.ts); published acts (art. 63 LCSP). */
  'contract.event': {
    ocid: string;
    contractId: string;
    type: string;
    status: string;
    version: number;
    fields: Record<string, string | string[] | null>;
  };
  /** A document uploaded to a contract (contract-document.service.ts); private until an event names it. */
  'contract.document_added': {
    contractId: string;
    documentId: string;
    title: string;
    fileName: string;
    contentType: string;
    size: number;
    sha256: string;
  };
  // --- imported third-party OCDS (ocds-import.ts, issue 6 point 5) ---
  /** An external authority created to hold another publisher's open data (read-only, 0023). */
  'authority.external_created': { slug: string; name: string; sourceUrl: string | null };
  /** One batch of an import (one transaction): what it stored, from which inputs, by which command. */
  'ocds.imported': {
    files: string[];
    batch: number;
    releasesStored: number;
    duplicates: number;
    conflicts: number;
    recordsWritten: number;
    firstOcid: string;
    lastOcid: string;
  };
};

export type AuditAction = keyof AuditEvents;

export type AuditInput<A extends AuditAction> = {
  action: A;
  objectType: string;
  objectId: string;
  authorityId?: string | null;
  companyId?: string | null;
  data: AuditEvents[A];
  /** Public events are later anchored in the public ledger. */
  isPublic?: boolean;
  /**
   * Hides the event from every reader until `liftEmbargo(key)` (an event naming a bidder before
   * the opening of envelope A, for example). Written now, in the change's transaction, all the same.
   */
  embargo?: string;
};

export type AuditEventView = {
  seq: string;
  id: string;
  occurredAt: string;
  action: string;
  actorUserId: string | null;
  actorKind: string;
  authorityId: string | null;
  companyId: string | null;
  objectType: string;
  objectId: string;
  ip: string | null;
  userAgent: string | null;
  data: unknown;
  canonical: string;
};
