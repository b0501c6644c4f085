import { createHash } from 'node:crypto';
import { DEMO_CPV } from '../../src/modules/cpv/cpv.demo.js';
import { loadCpv } from '../../src/modules/cpv/cpv.import.js';
import type { AbnormalRule } from '../../src/modules/evaluation/abnormal.types.js';
import type { FormulaSpec } from '../../src/modules/evaluation/formula.types.js';
import type { TenderInput } from '../../src/modules/tenders/tender.input.js';
import { newId } from '../../src/platform/ids.js';
import type { TestApp } from './app.js';

/** Loads the demo CPV subset, which the tender checks need to recognise codes. */
export async function loadDemoCpv(t: TestApp): Promise<void> {
  await loadCpv(t.db.db, DEMO_CPV);
}

const names = (text: string) => ({ ca: `${text} (ca)`, es: `${text} (es)`, en: `${text} (en)` });

/** F1, proporcional inversa (procurement-rules.md §5), 2 decimals: the price formula of most pliegos. */
export const PRICE_F1: FormulaSpec = {
  kind: 'price',
  formula: 'F1',
  params: {},
  decimals: 2,
  zeroDivisor: 'all_zero',
};

/** Social commitments as steps: 1 new hire earns half the points, 3 or more all of them. */
export const SOCIAL_STEPS: FormulaSpec = {
  kind: 'scale',
  scale: 'threshold',
  direction: 'higher_better',
  params: {
    steps: [
      { value: '1', share: '0.5' },
      { value: '3', share: '1' },
    ],
  },
  decimals: 2,
};

/** The notice's own test for abnormal offers, for lots with several criteria (art. 149.2.b). */
export const ABNORMAL_NOTICE: AbnormalRule = {
  kind: 'notice',
  tests: [{ kind: 'percent_below_mean', units: '10' }],
};

/** An open, non-harmonised cleaning-services tender with two lots, deadlines 20 and 14 days after `now`. */
export function tenderPayload(now: Date, overrides: Partial<TenderInput> = {}): TenderInput {
  const day = 86_400_000;
  const criteria = [
    {
      kind: 'price' as const,
      evaluation: 'formula' as const,
      weight: '35',
      name: names('Preu'),
      formula: PRICE_F1,
    },
    {
      kind: 'quality' as const,
      evaluation: 'formula' as const,
      weight: '25',
      name: names('Criteris socials'),
      formula: SOCIAL_STEPS,
    },
    {
      kind: 'quality' as const,
      evaluation: 'judgement' as const,
      weight: '40',
      name: names('Memòria tècnica'),
    },
  ];
  return {
    reference: `2026/${Math.floor(Math.random() * 1e9)}`,
    procedure: 'abierto',
    contractType: 'services',
    title: names('Neteja d’escoles'),
    mainCpv: '90910000-9',
    estimatedValue: '180000.00',
    budgetExclVat: '150000.00',
    budgetInclVat: '181500.00',
    durationMonths: 24,
    tenderDeadline: new Date(now.getTime() + 20 * day).toISOString(),
    questionsDeadline: new Date(now.getTime() + 14 * day).toISOString(),
    lots: [
      {
        number: 1,
        title: names('Escoles del nord'),
        estimatedValue: '100000',
        budgetExclVat: '80000',
        mainCpv: '90910000-9',
        abnormal: ABNORMAL_NOTICE,
        criteria,
      },
      {
        number: 2,
        title: names('Escoles del sud'),
        estimatedValue: '80000',
        budgetExclVat: '70000',
        mainCpv: '90910000',
        abnormal: ABNORMAL_NOTICE,
        criteria,
      },
    ],
    ...overrides,
  };
}

/**
 * Records the three documents a file needs before publication (memoria justificativa, PCAP, PPT:
 * arts. 116 and 63.3) as rows pointing at made-up hashes, without storing content: for tests that
 * need a publishable file, not its documents.
 */
export async function recordRequiredDocuments(
  t: TestApp,
  authorityId: string,
  tenderId: string,
  uploadedBy: string,
): Promise<void> {
  for (const kind of ['memoria_justificativa', 'pcap', 'ppt']) {
    await t.db.db
      .insertInto('tender_document')
      .values({
        id: newId(),
        tender_id: tenderId,
        authority_id: authorityId,
        kind,
        title: kind,
        file_name: `${kind}.pdf`,
        content_type: 'application/pdf',
        size_bytes: 10,
        sha256: createHash('sha256').update(`${tenderId}${kind}`).digest('hex'),
        uploaded_by: uploadedBy,
      })
      .execute();
  }
}
