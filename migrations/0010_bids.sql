-- Sealed electronic bids (issue 4; docs/SEALING.md). The server stores only what the bidder's
-- client sealed: ciphertexts and encrypted shares in the content-addressed store, manifests here.
-- Submission is two-phase so that a crash never leaves a partial bid: blobs are streamed and
-- fsynced first (unreferenced ones are removed by the cleanup pass); then one transaction writes
-- the version, its envelopes and blobs, the receipt and the audit event. A bid counts only if that
-- transaction ran before the deadline (server clock).

-- One bid per company and tender. Its id is chosen by the client before sealing: it is inside
-- every manifest and share, binding them to this bid.
CREATE TABLE bid (
  id uuid PRIMARY KEY,
  tender_id uuid NOT NULL REFERENCES tender(id),
  authority_id uuid NOT NULL REFERENCES authority(id),
  company_id uuid NOT NULL REFERENCES company(id),
  status text NOT NULL CHECK (status IN ('submitted', 'withdrawn')),
  -- The version that counts (the last one); null only while withdrawn with no version left.
  current_version integer,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  UNIQUE (tender_id, company_id)
);
CREATE INDEX bid_tender_idx ON bid (tender_id);

-- Every submission, replacement and withdrawal, immutable, each with its signed receipt.
CREATE TABLE bid_version (
  id uuid PRIMARY KEY,
  bid_id uuid NOT NULL REFERENCES bid(id),
  tender_id uuid NOT NULL REFERENCES tender(id),
  authority_id uuid NOT NULL REFERENCES authority(id),
  version integer NOT NULL CHECK (version > 0),
  kind text NOT NULL CHECK (kind IN ('submission', 'withdrawal')),
  -- Per-tender receipt sequence number, gapless (tender_bid_counter).
  sequence integer NOT NULL CHECK (sequence > 0),
  lots integer[] NOT NULL,
  received_at timestamptz NOT NULL,
  submitted_by uuid NOT NULL REFERENCES app_user(id),
  -- The receipt as signed (canonical JSON) and its Ed25519 signature (base64).
  receipt text NOT NULL,
  signature text NOT NULL,
  key_id text NOT NULL CHECK (key_id ~ '^[0-9a-f]{16}$'),
  UNIQUE (bid_id, version),
  UNIQUE (tender_id, sequence)
);

CREATE TABLE tender_bid_counter (
  tender_id uuid PRIMARY KEY REFERENCES tender(id),
  last_sequence integer NOT NULL
);

-- One sealed envelope of a bid version: its manifest (canonical JSON, as the client made it).
CREATE TABLE bid_envelope (
  id uuid PRIMARY KEY,
  bid_version_id uuid NOT NULL REFERENCES bid_version(id),
  tender_id uuid NOT NULL REFERENCES tender(id),
  authority_id uuid NOT NULL REFERENCES authority(id),
  envelope text NOT NULL CHECK (envelope IN ('A', 'B', 'C')),
  manifest text NOT NULL,
  manifest_sha256 text NOT NULL CHECK (manifest_sha256 ~ '^[0-9a-f]{64}$'),
  envelope_recipient text NOT NULL,
  UNIQUE (bid_version_id, envelope)
);

-- The stored pieces of an envelope: encrypted files and encrypted shares, by content hash.
CREATE TABLE bid_blob (
  bid_envelope_id uuid NOT NULL REFERENCES bid_envelope(id),
  authority_id uuid NOT NULL REFERENCES authority(id),
  kind text NOT NULL CHECK (kind IN ('file', 'share')),
  -- Files in manifest order from 1; shares by custodian index.
  position integer NOT NULL CHECK (position > 0),
  sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  size_bytes bigint NOT NULL CHECK (size_bytes >= 0),
  PRIMARY KEY (bid_envelope_id, kind, position)
);
CREATE INDEX bid_blob_sha256_idx ON bid_blob (sha256);
