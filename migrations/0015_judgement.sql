-- Judgement scoring of envelope B (issue 5; LCSP arts. 145–146, 157.2; RGLCAP art. 30): each
-- committee member scores each judgement criterion of each admitted bid, with written reasons; the
-- committee then approves the report (the mean of its members' scores per criterion), which is
-- published and lets envelope C open (arts. 146.2.b, 157.3). A score is a member's own row and may
-- be changed until the report is approved; the report is written once.
CREATE TABLE judgement_score (
  bid_id uuid NOT NULL REFERENCES bid(id),
  lot integer NOT NULL CHECK (lot > 0),
  criterion integer NOT NULL CHECK (criterion > 0),
  member_id uuid NOT NULL REFERENCES app_user(id),
  tender_id uuid NOT NULL REFERENCES tender(id),
  authority_id uuid NOT NULL REFERENCES authority(id),
  points numeric(9, 2) NOT NULL CHECK (points >= 0),
  justification text NOT NULL CHECK (length(justification) BETWEEN 10 AND 4000),
  scored_at timestamptz NOT NULL,
  PRIMARY KEY (bid_id, lot, criterion, member_id)
);

CREATE INDEX judgement_score_tender_idx ON judgement_score (authority_id, tender_id);

-- The approved report on envelope B: canonical JSON (scores per bid, lot and criterion, each
-- member's score and reasons, the committee's summary), its SHA-256, who approved it and when.
CREATE TABLE judgement_report (
  tender_id uuid PRIMARY KEY REFERENCES tender(id),
  authority_id uuid NOT NULL REFERENCES authority(id),
  report text NOT NULL,
  report_sha256 text NOT NULL CHECK (report_sha256 ~ '^[0-9a-f]{64}$'),
  approved_by uuid NOT NULL REFERENCES app_user(id),
  approved_at timestamptz NOT NULL
);
