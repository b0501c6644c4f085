-- Audit embargo: some events must be written when they happen (in the same transaction as the
-- change) but read by nobody — not the authority's auditors, not platform administrators — until a
-- later public act. A sealed bid's submission names the company, and company identities stay hidden
-- until envelope A is opened (LCSP DA 17ª, art. 157); a minor contract's quotes stay sealed until
-- the round is closed. The event carries the key of its embargo; the embargo is lifted by writing its
-- key here, in the transaction of the act that makes the events readable. Lifting is final.
ALTER TABLE audit_event ADD COLUMN embargo text CHECK (embargo IS NULL OR length(embargo) BETWEEN 1 AND 200);

CREATE TABLE audit_embargo_lifted (
  key text PRIMARY KEY CHECK (length(key) BETWEEN 1 AND 200),
  lifted_at timestamptz NOT NULL
);

CREATE INDEX audit_event_embargo_idx ON audit_event (embargo) WHERE embargo IS NOT NULL;
