-- Third-party OCDS (issue 6 point 5, `contracta ocds import`): another publisher's releases loaded
-- into an *external* authority so that the portal can show them, marked as not ours.
--
-- Imported data never goes into ocds_release / ocds_record: those are the platform's own
-- publications, served by /ocds/v1 under our publisher, licence and policy, and republishing
-- someone else's data as ours would misstate both its origin and its licence.

-- An external authority only holds imported data: nobody works in it (no members, no files).
-- It has no DIR3 code and no registered ocid prefix of its own; the NOT NULL UNIQUE columns get the
-- placeholder `external:<slug>` (a colon never occurs in a DIR3 code or an `ocds-xxxxxx` prefix),
-- which keeps the columns' types unchanged for every reader of the platform's own authorities.
ALTER TABLE authority ADD COLUMN is_external boolean NOT NULL DEFAULT false;
-- Where the imported data comes from (the publisher's URL), shown next to it.
ALTER TABLE authority ADD COLUMN external_source_url text;
ALTER TABLE authority ADD CONSTRAINT authority_external_source_check
  CHECK (is_external OR external_source_url IS NULL);
ALTER TABLE authority ADD CONSTRAINT authority_external_placeholder_check
  CHECK (CASE WHEN is_external
    THEN dir3_code = 'external:' || slug AND ocid_prefix = 'external:' || slug
    ELSE dir3_code NOT LIKE 'external:%' AND ocid_prefix NOT LIKE 'external:%' END);

-- The kind of an authority is fixed at creation: turning one with members and files into an
-- external one (or back) would leave rows the guards below were meant to refuse.
CREATE FUNCTION authority_kind_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.is_external IS DISTINCT FROM OLD.is_external THEN
    RAISE EXCEPTION 'AUTHORITY_READ_ONLY: an authority cannot change between platform and external'
      USING ERRCODE = 'CR001';
  END IF;
  RETURN NEW;
END;
$$;
CREATE TRIGGER authority_kind_fixed BEFORE UPDATE OF is_external ON authority
  FOR EACH ROW EXECUTE FUNCTION authority_kind_fixed();

-- The database's own guard behind the services' checks (AUTHORITY_READ_ONLY): no row that makes an
-- external authority act — a role, an API token, a procurement file, a planned contract, a key,
-- and above all no release in the platform's own OCDS feed. SQLSTATE CR001 is ours.
CREATE FUNCTION refuse_external_authority() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.authority_id IS NOT NULL
     AND EXISTS (SELECT 1 FROM authority WHERE id = NEW.authority_id AND is_external) THEN
    RAISE EXCEPTION 'AUTHORITY_READ_ONLY: authority % holds imported third-party data and is read-only',
      NEW.authority_id USING ERRCODE = 'CR001';
  END IF;
  RETURN NEW;
END;
$$;
CREATE TRIGGER membership_not_external BEFORE INSERT OR UPDATE OF authority_id ON membership
  FOR EACH ROW EXECUTE FUNCTION refuse_external_authority();
CREATE TRIGGER api_token_not_external BEFORE INSERT OR UPDATE OF authority_id ON api_token
  FOR EACH ROW EXECUTE FUNCTION refuse_external_authority();
CREATE TRIGGER tender_not_external BEFORE INSERT OR UPDATE OF authority_id ON tender
  FOR EACH ROW EXECUTE FUNCTION refuse_external_authority();
CREATE TRIGGER planned_contract_not_external BEFORE INSERT OR UPDATE OF authority_id ON planned_contract
  FOR EACH ROW EXECUTE FUNCTION refuse_external_authority();
CREATE TRIGGER custodian_key_not_external BEFORE INSERT OR UPDATE OF authority_id ON custodian_key
  FOR EACH ROW EXECUTE FUNCTION refuse_external_authority();
-- ocds_release is immutable (0022: no UPDATE at all), so INSERT is the only way in.
CREATE TRIGGER ocds_release_not_external BEFORE INSERT ON ocds_release
  FOR EACH ROW EXECUTE FUNCTION refuse_external_authority();
CREATE TRIGGER ocds_record_not_external BEFORE INSERT OR UPDATE OF authority_id ON ocds_record
  FOR EACH ROW EXECUTE FUNCTION refuse_external_authority();

-- The other way round: imported data lives in external authorities only.
CREATE FUNCTION require_external_authority() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM authority WHERE id = NEW.authority_id AND is_external) THEN
    RAISE EXCEPTION 'imported OCDS data belongs to an external authority only (authority %)',
      NEW.authority_id USING ERRCODE = 'CR002';
  END IF;
  RETURN NEW;
END;
$$;

-- Each imported release as published (canonical JSON, RFC 8785), once per (ocid, id) in its
-- authority. `date` is the release's date when it parses: third-party dates may be missing or bad
-- (ocds.md §6), the JSON keeps what was published. `seq` keeps the input order, which decides
-- between releases of equal date when merging (ocds.md §3.2: a stable sort on the raw date).
CREATE TABLE ocds_import_release (
  seq bigint GENERATED ALWAYS AS IDENTITY,
  authority_id uuid NOT NULL REFERENCES authority(id),
  ocid text NOT NULL CHECK (length(ocid) > 0),
  id text NOT NULL CHECK (length(id) > 0),
  date timestamptz,
  tags text[] NOT NULL DEFAULT '{}',
  -- What the package that carried it declared (the merge rules of its record depend on them).
  package_version text NOT NULL,
  extensions text[] NOT NULL DEFAULT '{}',
  -- The file (or "-") it was read from.
  source text NOT NULL,
  json text NOT NULL,
  sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  imported_at timestamptz NOT NULL,
  PRIMARY KEY (authority_id, ocid, id)
);
CREATE INDEX ocds_import_release_ocid_idx ON ocds_import_release (authority_id, ocid, seq);
CREATE TRIGGER ocds_import_release_external BEFORE INSERT OR UPDATE OF authority_id ON ocds_import_release
  FOR EACH ROW EXECUTE FUNCTION require_external_authority();

-- One compiled release per imported process, with our merge (ocds.md §3), for the portal.
CREATE TABLE ocds_import_record (
  authority_id uuid NOT NULL REFERENCES authority(id),
  ocid text NOT NULL,
  compiled jsonb NOT NULL,
  -- Releases merged into it (those with a usable date).
  release_count integer NOT NULL CHECK (release_count > 0),
  -- The rules it was merged with: the OCDS minor version and the declared extensions.
  package_version text NOT NULL,
  extensions text[] NOT NULL DEFAULT '{}',
  -- The compiled release's date (the newest release's), when it parses: the portal's order.
  date timestamptz,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (authority_id, ocid)
);
CREATE INDEX ocds_import_record_list_idx ON ocds_import_record (authority_id, date DESC NULLS LAST, ocid);
CREATE TRIGGER ocds_import_record_external BEFORE INSERT OR UPDATE OF authority_id ON ocds_import_record
  FOR EACH ROW EXECUTE FUNCTION require_external_authority();
