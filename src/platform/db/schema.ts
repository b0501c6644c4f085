import type { ColumnType, Generated, Selectable } from 'kysely';

/** Column types of the database, kept by hand next to `migrations/`. */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
/** numeric columns travel as strings so that no float ever touches a decimal. */
type Numeric = ColumnType<string, string | undefined, string>;

export type ConsortiumTable = {
  id: string;
  slug: string;
  name_ca: string;
  name_es: string;
  name_en: string;
  created_at: Timestamp;
};

export type AuthorityTable = {
  id: string;
  slug: string;
  consortium_id: string | null;
  name_ca: string;
  name_es: string;
  name_en: string;
  dir3_code: string;
  ocid_prefix: string;
  price_weight_cap: Numeric;
  time_zone: ColumnType<string, string | undefined, string>;
  holiday_region: ColumnType<string, string | undefined, string>;
  approval_chain: ColumnType<string[], string[] | undefined, string[]>;
  created_at: Timestamp;
  updated_at: Timestamp;
  /** Holds imported third-party OCDS only, read-only (0023); fixed at creation. */
  is_external: ColumnType<boolean, boolean | undefined, never>;
  external_source_url: ColumnType<string | null, string | null | undefined, string | null>;
};

export type AuthorityHolidayTable = {
  authority_id: string;
  day: ColumnType<string, string, string>;
  name: string;
  kind: ColumnType<string, string | undefined, string>;
};

export type AppUserTable = {
  id: string;
  email: string;
  name: string;
  password_hash: string;
  is_platform_admin: ColumnType<boolean, boolean | undefined, boolean>;
  locale: ColumnType<string, string | undefined, string>;
  failed_logins: ColumnType<number, number | undefined, number>;
  locked_until: NullableTimestamp;
  disabled_at: NullableTimestamp;
  created_at: Timestamp;
  updated_at: Timestamp;
};

export type MembershipTable = {
  authority_id: string;
  user_id: string;
  roles: string[];
  created_at: Timestamp;
};

export type CompanyTable = {
  id: string;
  legal_name: string;
  tax_id: string;
  tax_id_kind: string;
  country: string;
  is_sme: boolean;
  street: string;
  locality: string;
  postal_code: string;
  region: ColumnType<string, string | undefined, string>;
  cpv_interests: ColumnType<string[], string[] | undefined, string[]>;
  created_at: Timestamp;
  updated_at: Timestamp;
};

export type CompanyEmailTable = {
  id: string;
  company_id: string;
  email: string;
  purpose: ColumnType<string, string | undefined, string>;
  created_at: Timestamp;
};

export type CompanyMemberTable = {
  company_id: string;
  user_id: string;
  roles: string[];
  created_at: Timestamp;
};

export type UserSessionTable = {
  id_hash: string;
  user_id: string;
  active_authority_id: string | null;
  active_company_id: string | null;
  ip: string;
  user_agent: ColumnType<string, string | undefined, string>;
  created_at: Timestamp;
  last_seen_at: Timestamp;
  expires_at: Timestamp;
};

export type PasswordResetTokenTable = {
  token_hash: string;
  user_id: string;
  created_at: Timestamp;
  expires_at: Timestamp;
  used_at: NullableTimestamp;
};

export type ApiTokenTable = {
  id: string;
  user_id: string;
  authority_id: string | null;
  company_id: string | null;
  name: string;
  token_hash: string;
  token_prefix: string;
  created_at: Timestamp;
  expires_at: Timestamp;
  revoked_at: NullableTimestamp;
  last_used_at: NullableTimestamp;
};

export type AuditEventTable = {
  seq: Generated<string>;
  id: string;
  occurred_at: Timestamp;
  action: string;
  actor_user_id: string | null;
  actor_kind: string;
  authority_id: string | null;
  company_id: string | null;
  object_type: string;
  object_id: string;
  ip: string | null;
  user_agent: string | null;
  data: ColumnType<unknown, string, never>;
  is_public: ColumnType<boolean, boolean | undefined, never>;
  canonical: string;
  /** Unreadable until this key is in audit_embargo_lifted (0012). */
  embargo: ColumnType<string | null, string | null | undefined, never>;
};

/** Embargoes lifted (0012): the events carrying the key become readable. */
export type AuditEmbargoLiftedTable = {
  key: string;
  lifted_at: Timestamp;
};

export type CpvCodeTable = {
  code: string;
  check_digit: string;
  label_ca: string;
  label_es: string;
  label_en: string;
};

export type TenderTable = {
  id: string;
  authority_id: string;
  reference: string;
  status: ColumnType<string, string | undefined, string>;
  procedure: string;
  contract_type: string;
  title_ca: string;
  title_es: string;
  title_en: string;
  description_ca: ColumnType<string, string | undefined, string>;
  description_es: ColumnType<string, string | undefined, string>;
  description_en: ColumnType<string, string | undefined, string>;
  main_cpv: string;
  additional_cpvs: ColumnType<string[], string[] | undefined, string[]>;
  estimated_value: Numeric;
  budget_excl_vat: Numeric;
  budget_incl_vat: Numeric;
  value_base: string | null;
  value_options: string | null;
  value_extensions: string | null;
  value_modifications: string | null;
  value_prizes: string | null;
  duration_months: number | null;
  nuts_code: ColumnType<string, string | undefined, string>;
  intellectual_services: ColumnType<boolean, boolean | undefined, boolean>;
  social_services: ColumnType<boolean, boolean | undefined, boolean>;
  urgent: ColumnType<boolean, boolean | undefined, boolean>;
  prior_information_notice: ColumnType<boolean, boolean | undefined, boolean>;
  routine_purchase: ColumnType<boolean, boolean | undefined, boolean>;
  single_lot_justification: string | null;
  price_weight_justification: string | null;
  max_lots_per_bidder: number | null;
  max_lots_awarded: number | null;
  questions_deadline: NullableTimestamp;
  tender_deadline: NullableTimestamp;
  opening_at: NullableTimestamp;
  participation_deadline: ColumnType<Date | null, Date | null | undefined, Date | null>;
  invited_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  custodian_quorum: ColumnType<number, number | undefined, number>;
  planned_contract_id: string | null;
  ocid: string | null;
  published_at: NullableTimestamp;
  cancelled_at: NullableTimestamp;
  cancellation_kind: string | null;
  cancellation_reason: string | null;
  version: ColumnType<number, number | undefined, number>;
  created_by: string;
  created_at: Timestamp;
  updated_at: Timestamp;
};

/** Public tenders as search reads them; written only by the triggers of 0003_search.sql. */
export type TenderSearchTable = {
  tender_id: ColumnType<string, never, never>;
  authority_id: ColumnType<string, never, never>;
  status: ColumnType<string, never, never>;
  procedure: ColumnType<string, never, never>;
  published_at: ColumnType<Date, never, never>;
  tender_deadline: ColumnType<Date | null, never, never>;
  estimated_value: ColumnType<string, never, never>;
  cpv_prefixes: ColumnType<string[], never, never>;
  search_title: ColumnType<string, never, never>;
  search_document: ColumnType<string, never, never>;
};

export type TenderLotTable = {
  id: string;
  tender_id: string;
  authority_id: string;
  number: number;
  title_ca: string;
  title_es: string;
  title_en: string;
  estimated_value: Numeric;
  budget_excl_vat: Numeric;
  main_cpv: string;
  reserved: ColumnType<boolean, boolean | undefined, boolean>;
  /** AbnormalRule as JSON, or null (0014_criteria_formulas.sql). */
  abnormal: ColumnType<unknown, string | null | undefined, string | null>;
  /** Partial AbnormalSettings as JSON, or null. */
  abnormal_settings: ColumnType<unknown, string | null | undefined, string | null>;
};

export type AwardCriterionTable = {
  id: string;
  lot_id: string;
  authority_id: string;
  position: number;
  kind: string;
  evaluation: string;
  weight: Numeric;
  name_ca: string;
  name_es: string;
  name_en: string;
  /** FormulaSpec as JSON for formula criteria (0014_criteria_formulas.sql). */
  formula_spec: ColumnType<unknown, string | null | undefined, string | null>;
};

/** Documents bidders must submit, per envelope (0007_bid_documents.sql). */
export type TenderBidDocumentTable = {
  id: string;
  tender_id: string;
  authority_id: string;
  position: number;
  envelope: string;
  name_ca: string;
  name_es: string;
  name_en: string;
  mandatory: ColumnType<boolean, boolean | undefined, boolean>;
};

export type TenderAssignmentTable = {
  tender_id: string;
  authority_id: string;
  user_id: string;
  role: string;
};

export type TenderDocumentTable = {
  id: string;
  tender_id: string;
  authority_id: string;
  kind: string;
  title: string;
  file_name: string;
  content_type: string;
  size_bytes: ColumnType<string, string | number, string | number>;
  sha256: string;
  uploaded_by: string;
  created_at: Timestamp;
  superseded_at: NullableTimestamp;
};

export type TenderApprovalTable = {
  id: string;
  tender_id: string;
  authority_id: string;
  round: number;
  position: number;
  role: string;
  decision: string | null;
  decided_by: string | null;
  decided_at: NullableTimestamp;
  comment: string | null;
};

export type TenderNoticeTable = {
  id: string;
  tender_id: string;
  authority_id: string;
  version: number;
  kind: string;
  reason: string | null;
  substantial: ColumnType<boolean, boolean | undefined, boolean>;
  snapshot: ColumnType<unknown, string, never>;
  canonical: string;
  published_by: string;
  published_at: Timestamp;
};

export type TenderQuestionTable = {
  id: string;
  tender_id: string;
  authority_id: string;
  company_id: string;
  asked_by: string;
  question: string;
  asked_at: Timestamp;
  answer: string | null;
  answered_by: string | null;
  answered_at: NullableTimestamp;
};

export type TenderFollowTable = {
  tender_id: string;
  user_id: string;
  created_at: Timestamp;
};

export type PlannedContractTable = {
  id: string;
  authority_id: string;
  status: ColumnType<string, string | undefined, string>;
  title_ca: string;
  title_es: string;
  title_en: string;
  description_ca: ColumnType<string, string | undefined, string>;
  description_es: ColumnType<string, string | undefined, string>;
  description_en: ColumnType<string, string | undefined, string>;
  contract_type: string;
  procedure: string;
  main_cpv: string;
  estimated_value: Numeric;
  expected_year: number;
  expected_quarter: number;
  lot_count: ColumnType<number, number | undefined, number>;
  reserved_lots: ColumnType<number, number | undefined, number>;
  tender_id: ColumnType<string | null, string | null | undefined, string | null>;
  withdrawal_reason: ColumnType<string | null, string | null | undefined, string | null>;
  version: ColumnType<number, number | undefined, number>;
  created_by: string;
  created_at: Timestamp;
  updated_at: Timestamp;
  /** Generated by PostgreSQL (0005): never written. */
  search_text: ColumnType<string, never, never>;
  search_document: ColumnType<string, never, never>;
};

export type AuthorityHolidayExclusionTable = {
  authority_id: string;
  day: ColumnType<string, string, string>;
  created_at: Timestamp;
};

export type SchemaMigrationTable = {
  version: number;
  name: string;
  checksum: string;
  applied_at: Timestamp;
};

/** Minor contracts (art. 118 LCSP), 0004_minor_contracts.sql. */
export type MinorContractTable = {
  tender_id: string;
  authority_id: string;
  status: ColumnType<string, string | undefined, string>;
  quote_deadline: Timestamp;
  invitation_justification: string | null;
  started_by: string;
  started_at: Timestamp;
  void_reason: string | null;
  voided_at: NullableTimestamp;
  version: ColumnType<number, number | undefined, number>;
  /** Request round (0008): a void round can be followed by a new one. */
  round: ColumnType<number, number | undefined, never>;
};

export type MinorInvitationTable = {
  tender_id: string;
  authority_id: string;
  company_id: string;
  invited_by: string;
  invited_at: Timestamp;
  round: ColumnType<number, number | undefined, never>;
};

export type MinorQuoteTable = {
  id: string;
  tender_id: string;
  authority_id: string;
  company_id: string;
  amount_excl_vat: Numeric;
  note: ColumnType<string, string | undefined, string>;
  submitted_by: string;
  submitted_at: Timestamp;
  round: ColumnType<number, number | undefined, never>;
  /** Hex of the 32 random bytes in the quote's commitment (0008); null before 0008. */
  commitment_nonce: string | null;
  /** VAT rate as quoted, percent (0008). */
  vat_rate: ColumnType<string, string, string>;
  amount_incl_vat: ColumnType<string, string, string>;
};

export type MinorAwardTable = {
  tender_id: string;
  authority_id: string;
  company_id: string;
  quote_id: string;
  main_cpv: string;
  contract_type: string;
  duration_months: number | null;
  amount_excl_vat: Numeric;
  amount_incl_vat: Numeric;
  justification: string;
  splitting_justification: string | null;
  awarded_by: string;
  awarded_at: Timestamp;
  awarded_on: ColumnType<string, string, string>;
  round: ColumnType<number, number | undefined, never>;
};

/** Sealed bids (migrations/0010_bids.sql). */
export type BidTable = {
  id: string;
  tender_id: string;
  authority_id: string;
  company_id: string;
  status: string;
  current_version: number | null;
  created_at: Timestamp;
  updated_at: Timestamp;
};

export type BidVersionTable = {
  id: string;
  bid_id: string;
  tender_id: string;
  authority_id: string;
  version: number;
  kind: string;
  sequence: number;
  lots: number[];
  received_at: Timestamp;
  submitted_by: string;
  receipt: string;
  signature: string;
  key_id: string;
};

export type TenderBidCounterTable = {
  tender_id: string;
  last_sequence: number;
};

export type BidEnvelopeTable = {
  id: string;
  bid_version_id: string;
  tender_id: string;
  authority_id: string;
  envelope: string;
  manifest: string;
  manifest_sha256: string;
  envelope_recipient: string;
};

export type BidBlobTable = {
  bid_envelope_id: string;
  authority_id: string;
  kind: string;
  position: number;
  sha256: string;
  size_bytes: ColumnType<string, string | number | bigint, string | number | bigint>;
};

/** Opening of sealed bids (migrations/0011_opening.sql). Key shares are never stored. */
export type OpeningTable = {
  id: string;
  tender_id: string;
  authority_id: string;
  envelope: string;
  opened_at: Timestamp;
  record: string;
  record_sha256: string;
};

export type OpeningCustodianTable = {
  opening_id: string;
  authority_id: string;
  custodian_index: number;
  user_id: string;
};

export type BidOpeningTable = {
  opening_id: string;
  bid_envelope_id: string;
  authority_id: string;
  bid_id: string;
  outcome: string;
  failure_code: string | null;
};

export type BidPlaintextTable = {
  bid_envelope_id: string;
  authority_id: string;
  position: number;
  name: string;
  sha256: string;
  size_bytes: ColumnType<string, string | number | bigint, string | number | bigint>;
};

export type OpeningBReportTable = {
  tender_id: string;
  authority_id: string;
  approved_by: string;
  approved_at: Timestamp;
};

/** Qualification of a bid at the administrative envelope (0013). */
export type BidQualificationTable = {
  bid_id: string;
  tender_id: string;
  authority_id: string;
  status: string;
  remediation: string | null;
  exclusion: string | null;
  decided_at: NullableTimestamp;
  updated_by: string;
  updated_at: Timestamp;
  version: number;
};

/** A committee member's score of one judgement criterion of one bid's lot (0015). */
export type JudgementScoreTable = {
  bid_id: string;
  lot: number;
  criterion: number;
  member_id: string;
  tender_id: string;
  authority_id: string;
  /** numeric(9,2), read as a decimal string. */
  points: ColumnType<string, string, string>;
  justification: string;
  scored_at: Timestamp;
};

/** The approved report on envelope B (0015). */
export type JudgementReportTable = {
  tender_id: string;
  authority_id: string;
  report: string;
  report_sha256: string;
  approved_by: string;
  approved_at: Timestamp;
};

/** The review of an offer presumed abnormally low, per bid and lot (0016; abnormal-review.*). */
export type BidAbnormalReviewTable = {
  bid_id: string;
  lot: number;
  tender_id: string;
  authority_id: string;
  status: string;
  simplified: boolean;
  requested_at: NullableTimestamp;
  deadline: NullableTimestamp;
  received_at: NullableTimestamp;
  /** JSON: the technical report. */
  report: string | null;
  /** JSON: the accept or reject decision. */
  decision: string | null;
  monitoring: boolean;
  updated_by: string;
  updated_at: Timestamp;
  version: number;
};

export type Database = {
  consortium: ConsortiumTable;
  authority: AuthorityTable;
  authority_holiday: AuthorityHolidayTable;
  cpv_code: CpvCodeTable;
  tender: TenderTable;
  tender_lot: TenderLotTable;
  tender_search: TenderSearchTable;
  award_criterion: AwardCriterionTable;
  tender_bid_document: TenderBidDocumentTable;
  bid: BidTable;
  bid_version: BidVersionTable;
  tender_bid_counter: TenderBidCounterTable;
  bid_envelope: BidEnvelopeTable;
  bid_blob: BidBlobTable;
  opening: OpeningTable;
  opening_custodian: OpeningCustodianTable;
  bid_opening: BidOpeningTable;
  bid_plaintext: BidPlaintextTable;
  opening_b_report: OpeningBReportTable;
  tender_assignment: TenderAssignmentTable;
  tender_document: TenderDocumentTable;
  tender_approval: TenderApprovalTable;
  tender_notice: TenderNoticeTable;
  tender_question: TenderQuestionTable;
  tender_follow: TenderFollowTable;
  app_user: AppUserTable;
  membership: MembershipTable;
  company: CompanyTable;
  company_email: CompanyEmailTable;
  company_member: CompanyMemberTable;
  user_session: UserSessionTable;
  password_reset_token: PasswordResetTokenTable;
  api_token: ApiTokenTable;
  audit_event: AuditEventTable;
  audit_embargo_lifted: AuditEmbargoLiftedTable;
  bid_qualification: BidQualificationTable;
  judgement_score: JudgementScoreTable;
  judgement_report: JudgementReportTable;
  // abnormal-offer review (0016)
  bid_abnormal_review: BidAbnormalReviewTable;
  schema_migration: SchemaMigrationTable;
  planned_contract: PlannedContractTable;
  authority_holiday_exclusion: AuthorityHolidayExclusionTable;
  minor_contract: MinorContractTable;
  minor_invitation: MinorInvitationTable;
  minor_quote: MinorQuoteTable;
  minor_award: MinorAwardTable;
  custodian_key: CustodianKeyTable;
  // --- award of lots and contracts (0017) ---
  lot_award: LotAwardTable;
  contract: ContractTable;
  // --- contract management (0018) ---
  contract_event: ContractEventTable;
  // --- documents of contracts (0021) ---
  contract_document: ContractDocumentTable;
  // --- selection and negotiation (0019) ---
  participation_request: ParticipationRequestTable;
  tender_invitation: TenderInvitationTable;
  negotiation_round: NegotiationRoundTable;
  negotiation_response: NegotiationResponseTable;
  // --- OCDS releases and records (0022) ---
  ocds_release: OcdsReleaseTable;
  ocds_record: OcdsRecordTable;
  // --- imported third-party OCDS (0023) ---
  ocds_import_release: OcdsImportReleaseTable;
  ocds_import_record: OcdsImportRecordTable;
};

// --- selection and negotiation (0019) ---

/** A company's request to participate in a two-phase procedure, and the authority's decision on it. */
export type ParticipationRequestTable = {
  id: string;
  tender_id: string;
  authority_id: string;
  company_id: string;
  statement: string;
  submitted_by: string;
  submitted_at: Timestamp;
  decision: string | null;
  reasons: string | null;
  decided_by: string | null;
  decided_at: NullableTimestamp;
  version: Generated<number>;
};

/** A company invited to tender: the only companies whose sealed bids such a tender takes. */
export type TenderInvitationTable = {
  tender_id: string;
  authority_id: string;
  company_id: string;
  request_id: string | null;
  invited_by: string;
  invited_at: Timestamp;
};

/** A negotiation round put to every invited company. */
export type NegotiationRoundTable = {
  id: string;
  tender_id: string;
  authority_id: string;
  number: number;
  subject: string;
  message: string;
  responses_due: Timestamp;
  opened_by: string;
  opened_at: Timestamp;
};

/** An invited company's answer to a negotiation round. */
export type NegotiationResponseTable = {
  round_id: string;
  tender_id: string;
  company_id: string;
  text: string;
  submitted_by: string;
  submitted_at: Timestamp;
};

/** A key custodian's public key (0009): the age recipient only, never the identity. */
export type CustodianKeyTable = {
  id: string;
  authority_id: string;
  user_id: string;
  recipient: string;
  fingerprint: string;
  created_at: Timestamp;
  revoked_at: NullableTimestamp;
  revoked_by: string | null;
};

export type AuthorityRow = Selectable<AuthorityTable>;

// --- award of lots and contracts (0017) ---

/** The award of one lot (0017): the AwardState as JSON, its status, the recorded draw. */
export type LotAwardTable = {
  tender_id: string;
  authority_id: string;
  lot: number;
  status: string;
  state: string;
  draw: string | null;
  updated_by: string;
  updated_at: Timestamp;
  version: number;
};

/** A contract formalised after an award (0017). */
export type ContractTable = {
  id: string;
  tender_id: string;
  authority_id: string;
  lots: ColumnType<number[], number[], number[]>;
  bid_id: string;
  company_id: string;
  amount_excl_vat: Numeric;
  signed_at: Timestamp;
  status: string;
  created_by: string;
  created_at: Timestamp;
  // contract management (0018)
  state: ColumnType<string | null, string | null | undefined, string | null>;
  version: Generated<number>;
  updated_by: ColumnType<string | null, string | null | undefined, string | null>;
  updated_at: NullableTimestamp;
};

// --- contract management (0018) ---

type NullableNumeric = ColumnType<string | null, string | null | undefined, string | null>;

/** One event of a contract's execution (0018); columns outside the event's type are null. */
export type ContractEventTable = {
  id: string;
  contract_id: string;
  authority_id: string;
  tender_id: string;
  version: number;
  type: string;
  legal_ground: string | null;
  ground_case: string | null;
  value_change: NullableNumeric;
  new_total: NullableNumeric;
  documents: ColumnType<string[] | null, string[] | null, string[] | null>;
  reasons: string | null;
  grounds: string | null;
  end_date: string | null;
  description: string | null;
  due_date: string | null;
  amount: NullableNumeric;
  paid_on: string | null;
  invoice_ref: string | null;
  completed_on: string | null;
  created_by: string;
  created_at: Timestamp;
};

/** A document uploaded to a contract (0021); public once a contract event names its sha256. */
export type ContractDocumentTable = {
  id: string;
  contract_id: string;
  authority_id: string;
  title: string;
  file_name: string;
  content_type: string;
  size_bytes: ColumnType<string, string | number, string | number>;
  sha256: string;
  uploaded_by: string;
  uploaded_at: Timestamp;
};

// --- OCDS releases and records (0022) ---

/** A published OCDS release (0022): immutable; `json` is its canonical JSON, `sha256` that text's hash. */
export type OcdsReleaseTable = {
  seq: Generated<string>;
  /** The writing transaction's xid8, as text (the feed's watermark compares it; ocds.feed.ts). */
  xid: Generated<string>;
  id: string;
  ocid: string;
  authority_id: string;
  date: Timestamp;
  tags: ColumnType<string[], string[], never>;
  package_version: ColumnType<string, string | undefined, never>;
  extensions: ColumnType<string[], string[] | undefined, never>;
  json: string;
  sha256: string;
  published_at: Timestamp;
};

/** The record of one ocid (0022): compiled and versioned release, updated as releases are added. */
export type OcdsRecordTable = {
  ocid: string;
  authority_id: string;
  compiled: ColumnType<unknown, string, string>;
  versioned: ColumnType<unknown, string, string>;
  release_count: number;
  date: Timestamp;
  xid: Generated<string>;
  seq: string;
  updated_at: Timestamp;
};

/** A third-party release imported into an external authority (0023); `json` is its canonical JSON. */
export type OcdsImportReleaseTable = {
  seq: Generated<string>;
  authority_id: string;
  ocid: string;
  id: string;
  date: NullableTimestamp;
  tags: string[];
  package_version: string;
  extensions: string[];
  source: string;
  json: string;
  sha256: string;
  imported_at: Timestamp;
};

/** The compiled release of one imported process (0023), merged by our merge. */
export type OcdsImportRecordTable = {
  authority_id: string;
  ocid: string;
  compiled: ColumnType<unknown, string, string>;
  release_count: number;
  package_version: string;
  extensions: string[];
  date: NullableTimestamp;
  updated_at: Timestamp;
};
