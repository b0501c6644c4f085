-- Qualification of bids on their administrative envelope (issue 5; LCSP arts. 140–141, 157.1;
-- RGLCAP art. 81): admitted, excluded with grounds and reasons, or asked to remedy defects within
-- a business-day period first. One row per bid once the committee acts on it; a bid opened at the
-- qualification stage without a row is pending. A bid excluded here takes part in no later stage.
CREATE TABLE bid_qualification (
  bid_id uuid PRIMARY KEY REFERENCES bid(id),
  tender_id uuid NOT NULL REFERENCES tender(id),
  authority_id uuid NOT NULL REFERENCES authority(id),
  status text NOT NULL CHECK (status IN ('pending', 'remediation_requested', 'admitted', 'excluded')),
  -- {"items": [...], "requestedAt": ISO, "deadline": ISO} once remediation was asked for.
  remediation text,
  -- {"grounds": [...], "reasons": "..."} when excluded.
  exclusion text,
  decided_at timestamptz,
  updated_by uuid NOT NULL REFERENCES app_user(id),
  updated_at timestamptz NOT NULL,
  version integer NOT NULL CHECK (version > 0),
  CHECK ((status = 'excluded') = (exclusion IS NOT NULL))
);

CREATE INDEX bid_qualification_tender_idx ON bid_qualification (authority_id, tender_id);
