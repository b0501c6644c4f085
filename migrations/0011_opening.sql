-- Opening of sealed bids with a quorum of key custodians, in legal order A → B → C (issue 4;
-- docs/SEALING.md "Opening"; LCSP DA 17ª, arts. 157 and 146.2.b). Custodians' key shares are
-- NEVER stored here: they are held in the server's memory until k of them rebuild an envelope key,
-- then dropped. What is stored is what the opening produced: plaintext files (in the blob store,
-- listed in bid_plaintext), the per-bid outcome and the public opening record.

-- One opening per tender and envelope stage: the public record (canonical JSON) of who opened,
-- when, and which bids; written once, never changed.
CREATE TABLE opening (
  id uuid PRIMARY KEY,
  tender_id uuid NOT NULL REFERENCES tender(id),
  authority_id uuid NOT NULL REFERENCES authority(id),
  envelope text NOT NULL CHECK (envelope IN ('A', 'B', 'C')),
  opened_at timestamptz NOT NULL,
  record text NOT NULL,
  record_sha256 text NOT NULL CHECK (record_sha256 ~ '^[0-9a-f]{64}$'),
  UNIQUE (tender_id, envelope)
);

-- The custodians whose shares formed the quorum of an opening.
CREATE TABLE opening_custodian (
  opening_id uuid NOT NULL REFERENCES opening(id),
  authority_id uuid NOT NULL REFERENCES authority(id),
  custodian_index integer NOT NULL CHECK (custodian_index > 0),
  user_id uuid NOT NULL REFERENCES app_user(id),
  PRIMARY KEY (opening_id, custodian_index)
);

-- Each bid envelope of an opening: opened, or failed with a stable code (a tampered ciphertext is
-- reported, never half-opened).
CREATE TABLE bid_opening (
  opening_id uuid NOT NULL REFERENCES opening(id),
  bid_envelope_id uuid NOT NULL REFERENCES bid_envelope(id),
  authority_id uuid NOT NULL REFERENCES authority(id),
  bid_id uuid NOT NULL REFERENCES bid(id),
  outcome text NOT NULL CHECK (outcome IN ('opened', 'failed')),
  failure_code text,
  CHECK ((outcome = 'failed') = (failure_code IS NOT NULL)),
  PRIMARY KEY (opening_id, bid_envelope_id),
  UNIQUE (bid_envelope_id)
);

-- The decrypted files of an opened bid envelope, in manifest order from 1; the bytes are in the
-- content-addressed blob store under `sha256`.
CREATE TABLE bid_plaintext (
  bid_envelope_id uuid NOT NULL REFERENCES bid_envelope(id),
  authority_id uuid NOT NULL REFERENCES authority(id),
  position integer NOT NULL CHECK (position > 0),
  name text NOT NULL,
  sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  size_bytes bigint NOT NULL CHECK (size_bytes >= 0),
  PRIMARY KEY (bid_envelope_id, position)
);
CREATE INDEX bid_plaintext_sha256_idx ON bid_plaintext (sha256);

-- Stand-in for the evaluation issue: a committee member's audited statement that the report on
-- the judgement criteria (envelope B) is approved, which envelope C waits for (art. 157 LCSP;
-- art. 146.2.b: formula criteria are known only after the judgement scores).
CREATE TABLE opening_b_report (
  tender_id uuid PRIMARY KEY REFERENCES tender(id),
  authority_id uuid NOT NULL REFERENCES authority(id),
  approved_by uuid NOT NULL REFERENCES app_user(id),
  approved_at timestamptz NOT NULL
);
