-- Selection and negotiation (issue 5; LCSP arts. 160–171): the phase before sealed bids in the
-- restricted procedure and the competitive procedure with negotiation, and the invitation of
-- chosen companies in the negotiated procedure without publication (art. 168). Only invited
-- companies may submit sealed bids to such a tender.

-- The notice's deadline for requests to participate (art. 161; two-phase procedures only), and
-- the instant the invitations to tender were sent (art. 163), after which nobody else is invited.
ALTER TABLE tender ADD COLUMN participation_deadline timestamptz;
ALTER TABLE tender ADD COLUMN invited_at timestamptz;

-- A company's request to participate (art. 162), with its statement of the selection criteria it
-- meets; then the authority's reasoned selection or rejection (art. 162.4: candidates chosen by the
-- objective criteria of the notice). One request per company and tender.
CREATE TABLE participation_request (
  id uuid PRIMARY KEY,
  tender_id uuid NOT NULL REFERENCES tender(id),
  authority_id uuid NOT NULL REFERENCES authority(id),
  company_id uuid NOT NULL REFERENCES company(id),
  statement text NOT NULL CHECK (length(statement) BETWEEN 1 AND 8000),
  submitted_by uuid NOT NULL REFERENCES app_user(id),
  submitted_at timestamptz NOT NULL,
  decision text CHECK (decision IN ('selected', 'rejected')),
  reasons text,
  decided_by uuid REFERENCES app_user(id),
  decided_at timestamptz,
  version integer NOT NULL DEFAULT 1 CHECK (version > 0),
  UNIQUE (tender_id, company_id),
  CHECK ((decision IS NULL) = (decided_at IS NULL))
);

CREATE INDEX participation_request_authority_idx ON participation_request (authority_id, tender_id);

-- The companies invited to tender (art. 163; art. 169 for negotiation; art. 168 without
-- publication). Bids from any other company are refused.
CREATE TABLE tender_invitation (
  tender_id uuid NOT NULL REFERENCES tender(id),
  authority_id uuid NOT NULL REFERENCES authority(id),
  company_id uuid NOT NULL REFERENCES company(id),
  request_id uuid REFERENCES participation_request(id),
  invited_by uuid NOT NULL REFERENCES app_user(id),
  invited_at timestamptz NOT NULL,
  PRIMARY KEY (tender_id, company_id)
);

CREATE INDEX tender_invitation_authority_idx ON tender_invitation (authority_id, tender_id);

-- Negotiation rounds (art. 169): what the authority puts to every invited company, the same text
-- to all (art. 169: equal treatment, no information that favours one), and when answers are due.
-- The binding final offers are the sealed bids, due at the tender deadline (art. 169).
CREATE TABLE negotiation_round (
  id uuid PRIMARY KEY,
  tender_id uuid NOT NULL REFERENCES tender(id),
  authority_id uuid NOT NULL REFERENCES authority(id),
  number integer NOT NULL CHECK (number > 0),
  subject text NOT NULL CHECK (length(subject) BETWEEN 1 AND 300),
  message text NOT NULL CHECK (length(message) BETWEEN 1 AND 8000),
  responses_due timestamptz NOT NULL,
  opened_by uuid NOT NULL REFERENCES app_user(id),
  opened_at timestamptz NOT NULL,
  UNIQUE (tender_id, number)
);

-- An invited company's answer to a round: read by the authority, never by the other companies
-- (art. 169: no disclosure of one participant's confidential information to the others).
CREATE TABLE negotiation_response (
  round_id uuid NOT NULL REFERENCES negotiation_round(id),
  tender_id uuid NOT NULL REFERENCES tender(id),
  company_id uuid NOT NULL REFERENCES company(id),
  text text NOT NULL CHECK (length(text) BETWEEN 1 AND 8000),
  submitted_by uuid NOT NULL REFERENCES app_user(id),
  submitted_at timestamptz NOT NULL,
  PRIMARY KEY (round_id, company_id)
);
