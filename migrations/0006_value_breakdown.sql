-- The components of the estimated value (valor estimado, art. 101 LCSP), kept so that the figure
-- can be audited: the base amount for the initial term, options (101.2.a), extensions (prórrogas,
-- 101.2.a), foreseen modifications (101.2.c, limited by art. 204.1 to 20 % of the initial price)
-- and prizes or payments to candidates (101.2.b). All excluding VAT. Either all are set or none
-- (files drafted with a single figure).
ALTER TABLE tender
  ADD COLUMN value_base numeric(15,2) CHECK (value_base >= 0),
  ADD COLUMN value_options numeric(15,2) CHECK (value_options >= 0),
  ADD COLUMN value_extensions numeric(15,2) CHECK (value_extensions >= 0),
  ADD COLUMN value_modifications numeric(15,2) CHECK (value_modifications >= 0),
  ADD COLUMN value_prizes numeric(15,2) CHECK (value_prizes >= 0),
  ADD CONSTRAINT tender_value_breakdown_complete CHECK (
    (value_base IS NULL) = (value_options IS NULL)
    AND (value_base IS NULL) = (value_extensions IS NULL)
    AND (value_base IS NULL) = (value_modifications IS NULL)
    AND (value_base IS NULL) = (value_prizes IS NULL)
  );
