-- Documents of a contract's execution (issue 5 point 7): the supporting documents of amendments
-- (arts. 203–207 LCSP: the report of the need, the hearing of the contractor, the legal and
-- financial reports) uploaded to the content-addressed store before the event that names them.
-- A contract event names its documents by SHA-256 (contract_event.documents); each must be a row
-- here of the same contract. A row alone is the officer's private draft: the public downloads a
-- document only once a recorded event (a published act, art. 63.3 LCSP) names it.
-- The column is called `sha256` so the storage cleanup (bid-cleanup.ts) keeps the content.
CREATE TABLE contract_document (
  id uuid PRIMARY KEY,
  contract_id uuid NOT NULL REFERENCES contract(id),
  authority_id uuid NOT NULL REFERENCES authority(id),
  title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
  file_name text NOT NULL CHECK (length(file_name) > 0),
  content_type text NOT NULL,
  size_bytes bigint NOT NULL CHECK (size_bytes > 0),
  sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  uploaded_by uuid NOT NULL REFERENCES app_user(id),
  uploaded_at timestamptz NOT NULL,
  -- An event names a document by its content: the same bytes once per contract.
  UNIQUE (contract_id, sha256)
);

CREATE INDEX contract_document_authority_idx ON contract_document (authority_id, contract_id);
CREATE INDEX contract_document_sha256_idx ON contract_document (sha256);
