-- Public tender search: full text in Catalan, Spanish and English that ignores accents and case,
-- trigram matching for partial words and typos, CPV prefixes, and the indexes behind the filters
-- and sorts. PostgreSQL only (unaccent and pg_trgm ship with it and with PGlite): no search engine.

-- Extensions belong to the database, not to a schema. They go to `public` so that every schema
-- (tests run each file in its own one) finds them at the same place; if one was installed
-- elsewhere beforehand, IF NOT EXISTS leaves it there and the functions below follow it.
CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA public;
CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public;

DO $migration$
DECLARE
  unaccent_schema text := (
    SELECT e.extnamespace::regnamespace::text FROM pg_extension e WHERE e.extname = 'unaccent');
  trgm_schema text := (
    SELECT e.extnamespace::regnamespace::text FROM pg_extension e WHERE e.extname = 'pg_trgm');
BEGIN
  -- The text every search compares: accents removed, lower case, and the Catalan middle dot of
  -- "col·legi" dropped (people type "collegi"). unaccent() is only STABLE (its dictionary could
  -- change), so it may not appear where an IMMUTABLE function is required; this wrapper declares
  -- the result IMMUTABLE, which holds as long as the unaccent rules file is not edited. Function
  -- and dictionary are schema-qualified: callers run with any search_path, and since
  -- PostgreSQL 17 maintenance commands run with search_path = pg_catalog.
  EXECUTE format(
    $f$CREATE FUNCTION search_fold(text) RETURNS text
         LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
         AS $body$ SELECT lower(replace(%1$s.unaccent(%2$L::regdictionary, $1), '·', '')) $body$$f$,
    unaccent_schema, unaccent_schema || '.unaccent');

END
$migration$;

-- The query side of search_document: the words parsed by each of the three configurations, any
-- of which may match (a query is written in one language, not three). PostgreSQL has had the
-- Catalan Snowball stemmer since version 14 (present on the 15 server and in PGlite's 18) but no
-- Catalan stop words, so Catalan function words are removed for the Catalan parse: "neteja de
-- platges" must match "Neteja de les platges". websearch_to_tsquery never fails on syntax.
CREATE FUNCTION search_query(text) RETURNS tsquery
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  AS $$
    SELECT websearch_to_tsquery('catalan', regexp_replace(search_fold($1),
             '\m(a|al|als|amb|de|del|dels|d|el|els|en|es|i|l|la|les|o|per|pel|pels|un|una)\M', ' ', 'g'))
        || websearch_to_tsquery('spanish', search_fold($1))
        || websearch_to_tsquery('english', search_fold($1))
  $$;

-- One narrow row per public tender: published, or cancelled after publication (shown as such).
-- Drafts and files in approval are never copied here, so no search can return them, and a search
-- reads these short rows instead of the wide tender rows: the count and the ranking of a common
-- word touch every match, and row width is what they pay for.
CREATE TABLE tender_search (
  tender_id uuid PRIMARY KEY REFERENCES tender(id) ON DELETE CASCADE,
  authority_id uuid NOT NULL,
  status text NOT NULL,
  procedure text NOT NULL,
  published_at timestamptz NOT NULL,
  tender_deadline timestamptz,
  estimated_value numeric(15,2) NOT NULL,
  -- Every prefix (2 to 8 digits) of the main CPV and of the lots' CPVs: a CPV filter is then one
  -- containment test that a GIN index answers ("9091" finds 90910000 and lots coded 90911200).
  cpv_prefixes text[] NOT NULL,
  -- The three titles folded, for substring (partial word) and typo matches by trigrams.
  search_title text NOT NULL,
  -- Titles (weight A) and descriptions (weight B) in the three languages, each with its own
  -- stemmer, accents folded first as on the query side.
  search_document tsvector NOT NULL
);

CREATE INDEX tender_search_document_idx ON tender_search USING gin (search_document);
CREATE INDEX tender_search_cpv_idx ON tender_search USING gin (cpv_prefixes);
CREATE INDEX tender_search_published_idx ON tender_search (published_at, tender_id);
CREATE INDEX tender_search_deadline_idx ON tender_search (tender_deadline, tender_id);
CREATE INDEX tender_search_value_idx ON tender_search (estimated_value, tender_id);
CREATE INDEX tender_search_authority_idx ON tender_search (authority_id);

-- Every word (four letters or more, folded) that a public title has had: the vocabulary that a
-- misspelt word is corrected against. Comparing a word with a few thousand words is fast, where
-- comparing it with every title was not (word similarity over 100,000 titles took 300 ms).
-- Words are only added: one that no title uses any more leads to no result, and the search
-- then says so.
CREATE TABLE search_word (word text PRIMARY KEY);

DO $migration$
DECLARE
  trgm_schema text := (
    SELECT e.extnamespace::regnamespace::text FROM pg_extension e WHERE e.extname = 'pg_trgm');
BEGIN
  EXECUTE format(
    'CREATE INDEX tender_search_title_trgm_idx ON tender_search USING gin (search_title %s.gin_trgm_ops)',
    trgm_schema);
  EXECUTE format('CREATE INDEX search_word_trgm_idx ON search_word USING gin (word %s.gin_trgm_ops)', trgm_schema);
  -- The query with each word of four letters or more replaced by the most similar title word
  -- (trigram similarity at least 0.4, the operator's index-backed test at its default 0.3 first).
  -- A word already in the vocabulary is its own best match. Other tokens stay as they are.
  EXECUTE format(
    $f$CREATE FUNCTION search_correct(text) RETURNS text
         LANGUAGE sql STABLE PARALLEL SAFE
         AS $body$
           SELECT string_agg(
             CASE WHEN q.token ~ '^[[:alnum:]]{4,}$' THEN coalesce(
               (SELECT w.word FROM search_word w
                 WHERE w.word OPERATOR(%1$s.%%) q.token AND %1$s.similarity(w.word, q.token) >= 0.4
                 ORDER BY %1$s.similarity(w.word, q.token) DESC, w.word LIMIT 1),
               q.token)
             ELSE q.token END,
             ' ' ORDER BY q.n)
           FROM regexp_split_to_table(search_fold($1), '[[:space:]]+') WITH ORDINALITY AS q (token, n)
         $body$$f$,
    trgm_schema);
END
$migration$;

-- Every 2- to 8-digit prefix of a tender's main CPV and of its lots' CPVs (check digits dropped).
CREATE FUNCTION tender_search_cpv_prefixes(tender uuid, main_cpv text) RETURNS text[]
  LANGUAGE sql STABLE PARALLEL SAFE
  AS $$
    SELECT ARRAY(
      SELECT DISTINCT left(c.code, n)
      FROM (SELECT left($2, 8) UNION SELECT left(l.main_cpv, 8) FROM tender_lot l WHERE l.tender_id = $1)
        AS c (code),
        generate_series(2, 8) AS n
      ORDER BY 1)
  $$;

-- Rebuilds the search rows of the given tenders from tender and tender_lot: public ones are
-- (re)written, the others removed. Set-based, so that a bulk load pays one statement per batch.
CREATE FUNCTION tender_search_refresh(ids uuid[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF cardinality(ids) = 0 THEN
    RETURN;
  END IF;
  DELETE FROM tender_search WHERE tender_id = ANY (ids);
  INSERT INTO tender_search (tender_id, authority_id, status, procedure, published_at, tender_deadline,
    estimated_value, cpv_prefixes, search_title, search_document)
  SELECT t.id, t.authority_id, t.status, t.procedure, t.published_at, t.tender_deadline, t.estimated_value,
    tender_search_cpv_prefixes(t.id, t.main_cpv),
    search_fold(t.title_ca || ' ' || t.title_es || ' ' || t.title_en),
    setweight(to_tsvector('catalan', search_fold(t.title_ca)), 'A') ||
    setweight(to_tsvector('spanish', search_fold(t.title_es)), 'A') ||
    setweight(to_tsvector('english', search_fold(t.title_en)), 'A') ||
    setweight(to_tsvector('catalan', search_fold(t.description_ca)), 'B') ||
    setweight(to_tsvector('spanish', search_fold(t.description_es)), 'B') ||
    setweight(to_tsvector('english', search_fold(t.description_en)), 'B')
  FROM tender t
  WHERE t.id = ANY (ids) AND t.status IN ('published', 'cancelled') AND t.published_at IS NOT NULL;
  INSERT INTO search_word (word)
  SELECT DISTINCT w.word
  FROM tender_search s, regexp_split_to_table(s.search_title, '[^[:alnum:]]+') AS w (word)
  WHERE s.tender_id = ANY (ids) AND length(w.word) >= 4
  ON CONFLICT DO NOTHING;
END
$$;

-- Kept in step by statement triggers in the same transaction as the change. Edits of drafts,
-- by far the most frequent writes, find nothing to do after one look at the changed rows.
-- (Transition tables allow one event per trigger, hence one trigger per event.)
CREATE FUNCTION tender_search_on_tender_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM tender_search_refresh(ARRAY(
    SELECT id FROM new_rows WHERE status IN ('published', 'cancelled')));
  RETURN NULL;
END
$$;
CREATE FUNCTION tender_search_on_tender_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM tender_search_refresh(ARRAY(
    SELECT id FROM new_rows WHERE status IN ('published', 'cancelled')
    UNION SELECT id FROM old_rows WHERE status IN ('published', 'cancelled')));
  RETURN NULL;
END
$$;
-- Lots count for their CPVs, and only for tenders already public. The prefixes are rewritten only
-- where they changed: a tender inserted with its lots in one statement was complete already.
CREATE FUNCTION tender_search_refresh_cpvs(ids uuid[]) RETURNS void LANGUAGE sql AS $$
  UPDATE tender_search s SET cpv_prefixes = x.prefixes
  FROM (SELECT t.id, tender_search_cpv_prefixes(t.id, t.main_cpv) AS prefixes FROM tender t WHERE t.id = ANY ($1)) x
  WHERE s.tender_id = x.id AND s.cpv_prefixes IS DISTINCT FROM x.prefixes
$$;
CREATE FUNCTION tender_search_on_lot_insert_or_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM tender_search_refresh_cpvs(ARRAY(SELECT DISTINCT tender_id FROM new_rows));
  RETURN NULL;
END
$$;
CREATE FUNCTION tender_search_on_lot_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM tender_search_refresh_cpvs(ARRAY(SELECT DISTINCT tender_id FROM old_rows));
  RETURN NULL;
END
$$;

CREATE TRIGGER tender_search_insert AFTER INSERT ON tender
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION tender_search_on_tender_insert();
CREATE TRIGGER tender_search_update AFTER UPDATE ON tender
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION tender_search_on_tender_update();
CREATE TRIGGER tender_search_lot_insert AFTER INSERT ON tender_lot
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION tender_search_on_lot_insert_or_update();
CREATE TRIGGER tender_search_lot_update AFTER UPDATE ON tender_lot
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION tender_search_on_lot_insert_or_update();
CREATE TRIGGER tender_search_lot_delete AFTER DELETE ON tender_lot
  REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION tender_search_on_lot_delete();

-- Tenders published before this migration.
SELECT tender_search_refresh(ARRAY(
  SELECT id FROM tender WHERE status IN ('published', 'cancelled') AND published_at IS NOT NULL));
