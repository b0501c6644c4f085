-- Open data (issue 6 points 2–3): every public act's OCDS release, stored once and never changed,
-- and the record of each contracting process (compiled and versioned release), updated
-- incrementally in the same transaction as the act (ocds-publish.service.ts).
--
-- The change feed (/ocds/v1/releases and /records) pages in the order of (xid, seq): `xid` is the
-- writing transaction's 64-bit id (xid8, never wraps). A reader serves only rows whose xid is below
-- pg_snapshot_xmin(pg_current_snapshot()), the oldest transaction still in flight: every transaction
-- below it has finished, so no row can ever appear behind a cursor already handed out, even when a
-- writer that took a lower seq commits after one that took a higher seq (ocds.feed.ts).
CREATE TABLE ocds_release (
  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  xid xid8 NOT NULL DEFAULT pg_current_xact_id(),
  id text NOT NULL CHECK (length(id) > 0 AND position('#' IN id) = 0),
  ocid text NOT NULL CHECK (length(ocid) > 0),
  authority_id uuid NOT NULL REFERENCES authority(id),
  -- The release's own `date` (the act's instant), for the date filters.
  date timestamptz NOT NULL,
  tags text[] NOT NULL CHECK (cardinality(tags) > 0),
  -- What the release package that carries it declares.
  package_version text NOT NULL DEFAULT '1.1',
  extensions text[] NOT NULL DEFAULT '{}',
  -- The release as canonical JSON (RFC 8785): the published bytes, hashed into sha256 (the ETag).
  json text NOT NULL,
  sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  published_at timestamptz NOT NULL,
  -- A release id is unique within its ocid (OCDS 1.1.5 release schema, `id`).
  UNIQUE (ocid, id)
);

CREATE INDEX ocds_release_feed_idx ON ocds_release (xid, seq);
CREATE INDEX ocds_release_authority_feed_idx ON ocds_release (authority_id, xid, seq);
CREATE INDEX ocds_release_id_idx ON ocds_release (id);

-- Immutable, like audit_event: a published release is corrected by a newer release, never edited.
CREATE FUNCTION ocds_release_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'ocds_release is immutable';
END;
$$;
CREATE TRIGGER ocds_release_no_update BEFORE UPDATE OR DELETE ON ocds_release
  FOR EACH ROW EXECUTE FUNCTION ocds_release_immutable();
CREATE TRIGGER ocds_release_no_truncate BEFORE TRUNCATE ON ocds_release
  FOR EACH STATEMENT EXECUTE FUNCTION ocds_release_immutable();

-- One row per contracting process: the merge of its releases (ocds.md §3), kept up to date.
-- `xid` and `seq` are those of the last change (its transaction and newest release), so a record
-- moves to the end of the records feed each time it changes.
CREATE TABLE ocds_record (
  ocid text PRIMARY KEY,
  authority_id uuid NOT NULL REFERENCES authority(id),
  compiled jsonb NOT NULL,
  versioned jsonb NOT NULL,
  release_count integer NOT NULL CHECK (release_count > 0),
  -- The newest release date merged (the compiled release's `date`), for the date filters.
  date timestamptz NOT NULL,
  xid xid8 NOT NULL DEFAULT pg_current_xact_id(),
  seq bigint NOT NULL,
  updated_at timestamptz NOT NULL
);

CREATE INDEX ocds_record_feed_idx ON ocds_record (xid, seq);
CREATE INDEX ocds_record_authority_feed_idx ON ocds_record (authority_id, xid, seq);
