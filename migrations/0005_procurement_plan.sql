-- The procurement plan (LCSP art. 28.4: authorities publish their annual contracting plan) and
-- the authority's edits of the official holiday calendar (Ley 39/2015 art. 30.7).

-- One planned contract of an authority's plan. Public from creation: the plan exists so that
-- companies, SMEs first, can prepare early. A planned contract becomes the starting point of its
-- procurement file (`tender_id`, and `tender.planned_contract_id` the other way).
CREATE TABLE planned_contract (
  id uuid PRIMARY KEY,
  authority_id uuid NOT NULL REFERENCES authority(id),
  status text NOT NULL DEFAULT 'planned' CHECK (status IN ('planned', 'file_started', 'withdrawn')),
  title_ca text NOT NULL,
  title_es text NOT NULL,
  title_en text NOT NULL,
  description_ca text NOT NULL DEFAULT '',
  description_es text NOT NULL DEFAULT '',
  description_en text NOT NULL DEFAULT '',
  contract_type text NOT NULL,
  procedure text NOT NULL,
  -- Canonical form with the official check digit ("90910000-9"): a CPV prefix filter is a LIKE.
  main_cpv text NOT NULL CHECK (main_cpv ~ '^[0-9]{8}-[0-9]$'),
  -- Valor estimado (art. 101 LCSP), excluding VAT, as foreseen when planning.
  estimated_value numeric(15,2) NOT NULL CHECK (estimated_value > 0),
  expected_year integer NOT NULL CHECK (expected_year BETWEEN 2000 AND 2100),
  expected_quarter integer NOT NULL CHECK (expected_quarter BETWEEN 1 AND 4),
  -- Division into lots is the rule (art. 99.3); some may be reserved (LCSP DA 4ª).
  lot_count integer NOT NULL DEFAULT 1 CHECK (lot_count BETWEEN 1 AND 500),
  reserved_lots integer NOT NULL DEFAULT 0 CHECK (reserved_lots >= 0 AND reserved_lots <= lot_count),
  tender_id uuid UNIQUE REFERENCES tender(id),
  withdrawal_reason text,
  -- Optimistic concurrency, as for procurement files.
  version integer NOT NULL DEFAULT 1,
  created_by uuid NOT NULL REFERENCES app_user(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  -- What a search compares, kept by PostgreSQL itself: titles and descriptions folded (no accents,
  -- lower case, search_fold from 0003) for substring matches, and the same words stemmed in each
  -- language for full text. A plan holds hundreds of rows, not the tenders' hundred thousand,
  -- so generated columns on the row are enough (no separate search table or triggers).
  search_text text GENERATED ALWAYS AS (
    search_fold(title_ca || ' ' || title_es || ' ' || title_en || ' ' ||
                description_ca || ' ' || description_es || ' ' || description_en)) STORED,
  search_document tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('catalan', search_fold(title_ca)), 'A') ||
    setweight(to_tsvector('spanish', search_fold(title_es)), 'A') ||
    setweight(to_tsvector('english', search_fold(title_en)), 'A') ||
    setweight(to_tsvector('catalan', search_fold(description_ca)), 'B') ||
    setweight(to_tsvector('spanish', search_fold(description_es)), 'B') ||
    setweight(to_tsvector('english', search_fold(description_en)), 'B')) STORED
);

CREATE INDEX planned_contract_authority_idx ON planned_contract (authority_id, status);
CREATE INDEX planned_contract_when_idx ON planned_contract (expected_year, expected_quarter);
CREATE INDEX planned_contract_document_idx ON planned_contract USING gin (search_document);
CREATE INDEX planned_contract_cpv_idx ON planned_contract (main_cpv text_pattern_ops);

DO $migration$
DECLARE
  trgm_schema text := (
    SELECT e.extnamespace::regnamespace::text FROM pg_extension e WHERE e.extname = 'pg_trgm');
BEGIN
  EXECUTE format(
    'CREATE INDEX planned_contract_text_trgm_idx ON planned_contract USING gin (search_text %s.gin_trgm_ops)',
    trgm_schema);
END
$migration$;

-- The other direction of the link, declared now that the plan table exists (0002 left it bare).
ALTER TABLE tender ADD CONSTRAINT tender_planned_contract_fk
  FOREIGN KEY (planned_contract_id) REFERENCES planned_contract(id);

-- Official national or regional days that do not apply in one authority: the administrator
-- removed them (e.g. Val d'Aran works on 26 December and rests on 17 June instead). The official
-- days themselves stay data (calendar/holidays.data.ts), so correcting a provisional year there
-- reaches every authority at once; an authority's table holds only its deviations: the days it
-- adds (authority_holiday) and the official days it removes (here). See calendar/holiday.rules.ts.
CREATE TABLE authority_holiday_exclusion (
  authority_id uuid NOT NULL REFERENCES authority(id),
  day date NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (authority_id, day)
);
