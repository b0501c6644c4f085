-- Foundation: consortia, authorities, people, companies, sessions, tokens, audit events.
-- Plain PostgreSQL that runs unchanged on PGlite and on a PostgreSQL server.

CREATE TABLE consortium (
  id uuid PRIMARY KEY,
  slug text NOT NULL UNIQUE,
  name_ca text NOT NULL,
  name_es text NOT NULL,
  name_en text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE authority (
  id uuid PRIMARY KEY,
  slug text NOT NULL UNIQUE,
  consortium_id uuid REFERENCES consortium(id),
  name_ca text NOT NULL,
  name_es text NOT NULL,
  name_en text NOT NULL,
  dir3_code text NOT NULL UNIQUE,
  ocid_prefix text NOT NULL UNIQUE,
  -- Share of the score that price may carry without a written justification (Barcelona: 35 %).
  price_weight_cap numeric(5,2) NOT NULL DEFAULT 35 CHECK (price_weight_cap >= 0 AND price_weight_cap <= 100),
  time_zone text NOT NULL DEFAULT 'Europe/Madrid',
  -- Region whose official holidays apply besides the national ones (ISO 3166-2), e.g. ES-CT.
  holiday_region text NOT NULL DEFAULT 'ES-CT',
  -- Ordered roles that approve a procurement file before publication.
  approval_chain text[] NOT NULL DEFAULT ARRAY['approver_technical','approver_legal','approver_financial']::text[],
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Local holidays per authority; national and regional ones are added by the calendar module.
CREATE TABLE authority_holiday (
  authority_id uuid NOT NULL REFERENCES authority(id),
  day date NOT NULL,
  name text NOT NULL,
  PRIMARY KEY (authority_id, day)
);

CREATE TABLE app_user (
  id uuid PRIMARY KEY,
  email text NOT NULL,
  name text NOT NULL,
  password_hash text NOT NULL,
  is_platform_admin boolean NOT NULL DEFAULT false,
  locale text NOT NULL DEFAULT 'ca' CHECK (locale IN ('ca','es','en')),
  failed_logins integer NOT NULL DEFAULT 0,
  locked_until timestamptz,
  disabled_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX app_user_email_key ON app_user (lower(email));

-- A staff user's roles in one authority.
CREATE TABLE membership (
  authority_id uuid NOT NULL REFERENCES authority(id),
  user_id uuid NOT NULL REFERENCES app_user(id),
  roles text[] NOT NULL CHECK (cardinality(roles) > 0),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (authority_id, user_id)
);
CREATE INDEX membership_user_idx ON membership (user_id);

-- Economic operators (OCDS: parties with role tenderer/supplier).
CREATE TABLE company (
  id uuid PRIMARY KEY,
  legal_name text NOT NULL,
  tax_id text NOT NULL UNIQUE,
  tax_id_kind text NOT NULL,
  country text NOT NULL,
  is_sme boolean NOT NULL,
  street text NOT NULL,
  locality text NOT NULL,
  postal_code text NOT NULL,
  region text NOT NULL DEFAULT '',
  cpv_interests text[] NOT NULL DEFAULT '{}'::text[],
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE company_email (
  id uuid PRIMARY KEY,
  company_id uuid NOT NULL REFERENCES company(id),
  email text NOT NULL,
  purpose text NOT NULL DEFAULT 'notifications',
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX company_email_key ON company_email (company_id, lower(email));

CREATE TABLE company_member (
  company_id uuid NOT NULL REFERENCES company(id),
  user_id uuid NOT NULL REFERENCES app_user(id),
  roles text[] NOT NULL CHECK (cardinality(roles) > 0),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (company_id, user_id)
);
CREATE INDEX company_member_user_idx ON company_member (user_id);

-- Browser sessions. Only the SHA-256 of the cookie value is stored.
CREATE TABLE user_session (
  id_hash text PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES app_user(id),
  active_authority_id uuid REFERENCES authority(id),
  active_company_id uuid REFERENCES company(id),
  ip text NOT NULL,
  user_agent text NOT NULL DEFAULT '',
  created_at timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL
);
CREATE INDEX user_session_user_idx ON user_session (user_id);

CREATE TABLE password_reset_token (
  token_hash text PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES app_user(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  used_at timestamptz
);

-- Integration tokens, scoped to exactly one authority or one company.
CREATE TABLE api_token (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES app_user(id),
  authority_id uuid REFERENCES authority(id),
  company_id uuid REFERENCES company(id),
  name text NOT NULL,
  token_hash text NOT NULL UNIQUE,
  token_prefix text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz,
  last_used_at timestamptz,
  CHECK ((authority_id IS NULL) <> (company_id IS NULL))
);
CREATE INDEX api_token_user_idx ON api_token (user_id);

-- Append-only audit trail. `canonical` is the event's canonical JSON, the bytes a later Merkle
-- log hashes; it is stored so the hash never depends on how a driver re-serialises jsonb.
CREATE TABLE audit_event (
  seq bigserial PRIMARY KEY,
  id uuid NOT NULL UNIQUE,
  occurred_at timestamptz NOT NULL,
  action text NOT NULL,
  actor_user_id uuid,
  actor_kind text NOT NULL,
  authority_id uuid REFERENCES authority(id),
  company_id uuid REFERENCES company(id),
  object_type text NOT NULL,
  object_id text NOT NULL,
  ip text,
  user_agent text,
  data jsonb NOT NULL,
  is_public boolean NOT NULL DEFAULT false,
  canonical text NOT NULL
);
CREATE INDEX audit_event_authority_idx ON audit_event (authority_id, seq);
CREATE INDEX audit_event_object_idx ON audit_event (object_type, object_id);
CREATE INDEX audit_event_actor_idx ON audit_event (actor_user_id);

CREATE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_event is append-only';
END;
$$;
CREATE TRIGGER audit_event_no_update BEFORE UPDATE OR DELETE ON audit_event
  FOR EACH ROW EXECUTE FUNCTION audit_event_append_only();
CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event
  FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only();
