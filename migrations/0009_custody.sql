-- Key custodians' public keys (issue 4: sealed electronic bids). Opening a bid needs the
-- simultaneous action of at least two authorised persons (Dir. 2014/24 Annex IV; LCSP DA 17ª):
-- each custodian makes an age X25519 key pair on their own device and the server keeps only the
-- public half, the recipient `age1…`. The private identity never reaches the server.
CREATE TABLE custodian_key (
  id uuid PRIMARY KEY,
  authority_id uuid NOT NULL REFERENCES authority(id),
  user_id uuid NOT NULL REFERENCES app_user(id),
  -- Bech32 with HRP "age" and a 32-byte X25519 public key: always 62 characters, lower case.
  recipient text NOT NULL CHECK (recipient ~ '^age1[02-9ac-hj-np-z]{58}$'),
  -- First 16 hex digits of SHA-256 of the recipient string: what a custodian compares by eye.
  fingerprint text NOT NULL CHECK (fingerprint ~ '^[0-9a-f]{16}$'),
  created_at timestamptz NOT NULL,
  revoked_at timestamptz,
  revoked_by uuid REFERENCES app_user(id),
  CHECK ((revoked_at IS NULL) = (revoked_by IS NULL)),
  -- A recipient is registered once per authority, ever: a revoked key (perhaps compromised) cannot
  -- come back, and two custodians never share a key (each share must need a different person).
  UNIQUE (authority_id, recipient)
);

-- One active key per custodian and authority; replaced keys stay as history (revoked).
CREATE UNIQUE INDEX custodian_key_active_idx ON custodian_key (authority_id, user_id) WHERE revoked_at IS NULL;
CREATE INDEX custodian_key_user_idx ON custodian_key (user_id);
