-- Procurement files (expedientes) and tenders: lots, award criteria, documents, approvals,
-- published notice versions (corrigenda), clarifications, follows, CPV vocabulary.

-- Holidays of an authority carry their scope: national and regional rows are seeded from the
-- official calendars and may be edited by the authority's administrator like local ones.
ALTER TABLE authority_holiday ADD COLUMN kind text NOT NULL DEFAULT 'local'
  CHECK (kind IN ('national', 'regional', 'local'));

-- The Common Procurement Vocabulary (Reg. (EC) 213/2008). The demo loads a labelled subset;
-- `contracta data load-cpv FILE` loads the official list.
CREATE TABLE cpv_code (
  code text PRIMARY KEY CHECK (code ~ '^[0-9]{8}$'),
  check_digit text NOT NULL CHECK (check_digit ~ '^[0-9]$'),
  label_ca text NOT NULL,
  label_es text NOT NULL,
  label_en text NOT NULL
);

CREATE TABLE tender (
  id uuid PRIMARY KEY,
  authority_id uuid NOT NULL REFERENCES authority(id),
  -- The file number the authority uses internally (e.g. 2026/000123); unique per authority.
  reference text NOT NULL,
  status text NOT NULL DEFAULT 'draft'
    CHECK (status IN ('draft', 'in_approval', 'approved', 'published', 'cancelled')),
  procedure text NOT NULL,
  contract_type text NOT NULL,
  title_ca text NOT NULL,
  title_es text NOT NULL,
  title_en text NOT NULL,
  description_ca text NOT NULL DEFAULT '',
  description_es text NOT NULL DEFAULT '',
  description_en text NOT NULL DEFAULT '',
  main_cpv text NOT NULL,
  additional_cpvs text[] NOT NULL DEFAULT '{}'::text[],
  -- Valor estimado (art. 101 LCSP), excluding VAT.
  estimated_value numeric(15,2) NOT NULL CHECK (estimated_value >= 0),
  budget_excl_vat numeric(15,2) NOT NULL CHECK (budget_excl_vat >= 0),
  budget_incl_vat numeric(15,2) NOT NULL CHECK (budget_incl_vat >= budget_excl_vat),
  duration_months integer CHECK (duration_months > 0),
  nuts_code text NOT NULL DEFAULT 'ES511',
  intellectual_services boolean NOT NULL DEFAULT false,
  social_services boolean NOT NULL DEFAULT false,
  urgent boolean NOT NULL DEFAULT false,
  prior_information_notice boolean NOT NULL DEFAULT false,
  routine_purchase boolean NOT NULL DEFAULT false,
  single_lot_justification text,
  price_weight_justification text,
  max_lots_per_bidder integer CHECK (max_lots_per_bidder > 0),
  max_lots_awarded integer CHECK (max_lots_awarded > 0),
  questions_deadline timestamptz,
  tender_deadline timestamptz,
  opening_at timestamptz,
  custodian_quorum integer NOT NULL DEFAULT 2,
  planned_contract_id uuid,
  -- Set at publication: authority prefix + file id (OCDS), frozen afterwards.
  ocid text UNIQUE,
  published_at timestamptz,
  cancelled_at timestamptz,
  cancellation_kind text CHECK (cancellation_kind IN ('desistimiento', 'renuncia')),
  cancellation_reason text,
  -- Optimistic concurrency: every edit bumps it, and an edit carrying an old version is refused.
  version integer NOT NULL DEFAULT 1,
  created_by uuid NOT NULL REFERENCES app_user(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (authority_id, reference)
);
CREATE INDEX tender_authority_status_idx ON tender (authority_id, status);

CREATE TABLE tender_lot (
  id uuid PRIMARY KEY,
  tender_id uuid NOT NULL REFERENCES tender(id) ON DELETE CASCADE,
  authority_id uuid NOT NULL REFERENCES authority(id),
  number integer NOT NULL CHECK (number > 0),
  title_ca text NOT NULL,
  title_es text NOT NULL,
  title_en text NOT NULL,
  estimated_value numeric(15,2) NOT NULL CHECK (estimated_value >= 0),
  budget_excl_vat numeric(15,2) NOT NULL CHECK (budget_excl_vat >= 0),
  main_cpv text NOT NULL,
  -- Reserved for special employment centres or social insertion companies (LCSP DA 4ª).
  reserved boolean NOT NULL DEFAULT false,
  UNIQUE (tender_id, number)
);

CREATE TABLE award_criterion (
  id uuid PRIMARY KEY,
  lot_id uuid NOT NULL REFERENCES tender_lot(id) ON DELETE CASCADE,
  authority_id uuid NOT NULL REFERENCES authority(id),
  position integer NOT NULL,
  kind text NOT NULL CHECK (kind IN ('price', 'cost', 'quality')),
  evaluation text NOT NULL CHECK (evaluation IN ('formula', 'judgement')),
  weight numeric(5,2) NOT NULL CHECK (weight > 0 AND weight <= 100),
  name_ca text NOT NULL,
  name_es text NOT NULL,
  name_en text NOT NULL,
  -- A formula of the catalogue (procurement-rules §5) and its parameters, for formula criteria.
  formula text,
  formula_params jsonb NOT NULL DEFAULT '{}'::jsonb,
  UNIQUE (lot_id, position)
);

-- Staff assigned to a tender: committee (mesa) members and key custodians.
CREATE TABLE tender_assignment (
  tender_id uuid NOT NULL REFERENCES tender(id) ON DELETE CASCADE,
  authority_id uuid NOT NULL REFERENCES authority(id),
  user_id uuid NOT NULL REFERENCES app_user(id),
  role text NOT NULL CHECK (role IN ('committee_member', 'key_custodian')),
  PRIMARY KEY (tender_id, user_id, role)
);

-- Documents are stored by content (SHA-256) in the blob store; rows point at them.
CREATE TABLE tender_document (
  id uuid PRIMARY KEY,
  tender_id uuid NOT NULL REFERENCES tender(id) ON DELETE CASCADE,
  authority_id uuid NOT NULL REFERENCES authority(id),
  kind text NOT NULL,
  title text NOT NULL,
  file_name text NOT NULL,
  content_type text NOT NULL,
  size_bytes bigint NOT NULL CHECK (size_bytes >= 0),
  sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  uploaded_by uuid NOT NULL REFERENCES app_user(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  -- Set when the document was superseded by a corrigendum; published documents are never deleted.
  superseded_at timestamptz
);
CREATE INDEX tender_document_tender_idx ON tender_document (tender_id);

-- One row per approval step of one round; a round restarts after any edit.
CREATE TABLE tender_approval (
  id uuid PRIMARY KEY,
  tender_id uuid NOT NULL REFERENCES tender(id) ON DELETE CASCADE,
  authority_id uuid NOT NULL REFERENCES authority(id),
  round integer NOT NULL,
  position integer NOT NULL,
  role text NOT NULL,
  decision text CHECK (decision IN ('approved', 'rejected')),
  decided_by uuid REFERENCES app_user(id),
  decided_at timestamptz,
  comment text,
  UNIQUE (tender_id, round, position)
);

-- Published versions of the notice: the original and each corrigendum, frozen as canonical JSON.
CREATE TABLE tender_notice (
  id uuid PRIMARY KEY,
  tender_id uuid NOT NULL REFERENCES tender(id),
  authority_id uuid NOT NULL REFERENCES authority(id),
  version integer NOT NULL,
  kind text NOT NULL CHECK (kind IN ('original', 'corrigendum', 'cancellation')),
  reason text,
  substantial boolean NOT NULL DEFAULT false,
  snapshot jsonb NOT NULL,
  canonical text NOT NULL,
  published_by uuid NOT NULL REFERENCES app_user(id),
  published_at timestamptz NOT NULL,
  UNIQUE (tender_id, version)
);

CREATE TABLE tender_question (
  id uuid PRIMARY KEY,
  tender_id uuid NOT NULL REFERENCES tender(id),
  authority_id uuid NOT NULL REFERENCES authority(id),
  -- Kept for the authority, never published: questions and answers are public without the asker.
  company_id uuid NOT NULL REFERENCES company(id),
  asked_by uuid NOT NULL REFERENCES app_user(id),
  question text NOT NULL,
  asked_at timestamptz NOT NULL,
  answer text,
  answered_by uuid REFERENCES app_user(id),
  answered_at timestamptz
);
CREATE INDEX tender_question_tender_idx ON tender_question (tender_id);

CREATE TABLE tender_follow (
  tender_id uuid NOT NULL REFERENCES tender(id),
  user_id uuid NOT NULL REFERENCES app_user(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tender_id, user_id)
);
