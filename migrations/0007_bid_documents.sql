-- The documents each bidder must submit, per envelope (sobre): A administrative documentation
-- with the ESPD / DEUC (arts. 140–141, 157.1 LCSP), B the offer on judgement criteria and C the
-- offer on formula criteria, kept apart so that B is scored before C is opened (arts. 146.2.b,
-- 157.2). The envelopes themselves are not stored: they follow from the procedure and the award
-- criteria (procedure.rules.ts envelopesFor). The notice lists these documents, and the bid
-- upload of each envelope is built from them. Edited with the file, replaced as a whole, like
-- lots and criteria.
CREATE TABLE tender_bid_document (
  id uuid PRIMARY KEY,
  tender_id uuid NOT NULL REFERENCES tender(id) ON DELETE CASCADE,
  authority_id uuid NOT NULL REFERENCES authority(id),
  position integer NOT NULL CHECK (position >= 0),
  envelope text NOT NULL CHECK (envelope IN ('A', 'B', 'C')),
  name_ca text NOT NULL CHECK (name_ca <> ''),
  name_es text NOT NULL CHECK (name_es <> ''),
  name_en text NOT NULL CHECK (name_en <> ''),
  -- A document whose absence excludes the bid; the others are optional (e.g. SME status).
  mandatory boolean NOT NULL DEFAULT true,
  UNIQUE (tender_id, position)
);

-- Files that can still be edited get the declaration a save without a list stores
-- (bid-document.rules.ts defaultBidDocuments): the ESPD in envelope A, or, in the simplified
-- procedures that have no envelope A, the ESPD as their responsible declaration in their first
-- envelope (art. 159.4.c–d: B when there are judgement criteria, else the single envelope C). Minor
-- contracts have no envelopes. Published and cancelled files keep what their frozen notice
-- said: no document is added to a call for bids after it was published.
INSERT INTO tender_bid_document (id, tender_id, authority_id, position, envelope, name_ca, name_es, name_en, mandatory)
SELECT gen_random_uuid(), t.id, t.authority_id, 0,
  CASE
    WHEN t.procedure IN ('abierto', 'restringido', 'licitacion_con_negociacion', 'negociado_sin_publicidad') THEN 'A'
    WHEN t.procedure = 'abierto_simplificado' AND EXISTS (
      SELECT 1 FROM award_criterion c JOIN tender_lot l ON l.id = c.lot_id
      WHERE l.tender_id = t.id AND c.evaluation = 'judgement'
    ) THEN 'B'
    ELSE 'C'
  END,
  'Document europeu únic de contractació (DEUC)',
  'Documento europeo único de contratación (DEUC)',
  'European Single Procurement Document (ESPD)',
  true
FROM tender t
WHERE t.status IN ('draft', 'in_approval', 'approved')
  AND t.procedure IN ('abierto', 'restringido', 'licitacion_con_negociacion', 'negociado_sin_publicidad',
                      'abierto_simplificado', 'abierto_simplificado_abreviado');
