import { describe, expect, it } from 'vitest';
import {
  defaultBidDocuments,
  ESPD_NAMES,
  envelopeSource,
  fileEnvelopes,
  repeatedBidDocument,
} from './bid-document.rules.js';

const lot = (...evaluations: string[]) => ({ criteria: evaluations.map((evaluation) => ({ evaluation })) });
const doc = (envelope: string, ca: string, es = `${ca} (es)`, en = `${ca} (en)`) => ({
  envelope,
  name: { ca, es, en },
});

describe('envelopes and bid documents', () => {
  it('derives the envelopes from the criteria of all lots', () => {
    // One judgement criterion in any lot opens B for the whole file.
    expect(fileEnvelopes('abierto', [lot('formula'), lot('formula', 'judgement')])).toEqual(['A', 'B', 'C']);
    expect(fileEnvelopes('abierto', [lot('formula'), lot('formula')])).toEqual(['A', 'C']);
    expect(fileEnvelopes('abierto', [lot()])).toEqual(['A']);
    expect(fileEnvelopes('abierto_simplificado', [lot('formula', 'judgement')])).toEqual(['B', 'C']);
    expect(fileEnvelopes('abierto_simplificado_abreviado', [lot('formula')])).toEqual(['C']);
    expect(fileEnvelopes('menor', [lot('formula')])).toEqual([]);
  });

  it('defaults to the ESPD in envelope A, or in the first envelope of a simplified procedure', () => {
    expect(defaultBidDocuments(['A', 'B', 'C'])).toEqual([
      { envelope: 'A', name: ESPD_NAMES, mandatory: true },
    ]);
    expect(defaultBidDocuments(['B', 'C']).map((d) => d.envelope)).toEqual(['B']);
    expect(defaultBidDocuments(['C']).map((d) => d.envelope)).toEqual(['C']);
    expect(defaultBidDocuments([])).toEqual([]);
  });

  it('cites the article that sets each envelope structure', () => {
    expect(envelopeSource('abierto')).toBe('LCSP art. 157.1–2');
    expect(envelopeSource('abierto_simplificado')).toBe('LCSP art. 159.4.d');
    expect(envelopeSource('abierto_simplificado_abreviado')).toBe('LCSP art. 159.6');
    expect(envelopeSource('menor')).toBe('LCSP art. 118');
  });

  it('finds a document named twice in one envelope, in any language, ignoring case and spaces', () => {
    expect(repeatedBidDocument([doc('A', 'DEUC'), doc('B', 'DEUC'), doc('C', 'DEUC')])).toBeUndefined();
    expect(repeatedBidDocument([doc('A', 'DEUC'), doc('A', 'Solvència'), doc('A', ' deuc ')])).toBe(2);
    expect(
      repeatedBidDocument([doc('B', 'Pla', 'Plan', 'Plan'), doc('B', 'Projecte', 'Proyecto', 'plan')]),
    ).toBe(1);
    // The same word in two languages of one document is not a repetition.
    expect(repeatedBidDocument([doc('A', 'DEUC', 'DEUC', 'ESPD')])).toBeUndefined();
    expect(repeatedBidDocument([])).toBeUndefined();
  });
});
