import { PROCEDURES } from '../procedures/procedure.catalogue.js';
import { envelopesFor } from '../procedures/procedure.rules.js';
import type { EnvelopeCode, ProcedureCode } from '../procedures/procedure.types.js';

/**
 * The envelopes (sobres) of a file and the documents bidders must put in each. Pure: the file's
 * procedure and criteria in, envelopes and default declarations out.
 */

export const ENVELOPE_CODES = ['A', 'B', 'C'] as const satisfies readonly EnvelopeCode[];

/** Most documents a file may ask bidders for (tender.routes.ts, the back-office form). */
export const MAX_BID_DOCUMENTS = 50;

export type BidDocument = {
  envelope: EnvelopeCode;
  name: { ca: string; es: string; en: string };
  mandatory: boolean;
};

/** The official names of the ESPD (DEUC in Catalan and Spanish), art. 141 LCSP. */
export const ESPD_NAMES = {
  ca: 'Document europeu únic de contractació (DEUC)',
  es: 'Documento europeo único de contratación (DEUC)',
  en: 'European Single Procurement Document (ESPD)',
} as const;

/**
 * The envelopes of a file, from its procedure and the criteria of all its lots: one judgement
 * criterion in any lot opens envelope B for the file, one formula criterion envelope C
 * (arts. 145–146, 157; 159.4.d for the simplified procedure).
 */
export function fileEnvelopes(
  procedure: ProcedureCode,
  lots: readonly { criteria: readonly { evaluation: string }[] }[],
): EnvelopeCode[] {
  const all = lots.flatMap((l) => l.criteria);
  return envelopesFor(procedure, {
    hasJudgement: all.some((c) => c.evaluation === 'judgement'),
    hasFormula: all.some((c) => c.evaluation === 'formula'),
  });
}

/**
 * What bidders must submit when the file declares nothing: the ESPD as the responsible
 * declaration (arts. 140–141), in envelope A, which holds it in ordinary procedures (art. 157.1);
 * the simplified procedures have no envelope A and take it in their first envelope
 * (art. 159.4.c–d). Minor contracts have no envelopes and get nothing.
 */
export function defaultBidDocuments(envelopes: readonly EnvelopeCode[]): BidDocument[] {
  const first = envelopes.includes('A') ? 'A' : envelopes[0];
  return first ? [{ envelope: first, name: { ...ESPD_NAMES }, mandatory: true }] : [];
}

/** Where a file's envelope structure comes from, for the finding on a misplaced document. */
export function envelopeSource(procedure: ProcedureCode): string {
  switch (PROCEDURES[procedure].envelopes) {
    case 'none':
      return 'LCSP art. 118';
    case 'single':
      return 'LCSP art. 159.6';
    case 'simplified':
      return 'LCSP art. 159.4.d';
    case 'abc':
      return 'LCSP art. 157.1–2';
  }
}

const key = (s: string) => s.trim().toLocaleLowerCase('ca');

/**
 * The position (0-based) of the first document that repeats an earlier one of the same envelope
 * under the same name in one of the languages, or undefined. Two slots with one name would leave a
 * bidder unable to tell which upload is which.
 */
export function repeatedBidDocument(
  docs: readonly { envelope: string; name: { ca: string; es: string; en: string } }[],
): number | undefined {
  const seen = new Set<string>();
  for (const [i, d] of docs.entries()) {
    const keys = (['ca', 'es', 'en'] as const).map((l) => `${d.envelope}\u0000${l}\u0000${key(d.name[l])}`);
    if (keys.some((k) => seen.has(k))) return i;
    for (const k of keys) seen.add(k);
  }
  return undefined;
}
