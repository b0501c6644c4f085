import { describe, expect, it } from 'vitest';
import {
  applyFormAction,
  emptyForm,
  formFromPost,
  formFromStored,
  formToInput,
  instantFromLocalInput,
  localInputFromInstant,
  parseFormAction,
  type StoredFileView,
  type TenderForm,
} from './backoffice-tender-form.js';

function filled(): TenderForm {
  const f = emptyForm();
  return {
    ...f,
    reference: '2026/1',
    titleCa: 'Neteja',
    titleEs: 'Limpieza',
    titleEn: 'Cleaning',
    mainCpv: '90910000-9',
    additionalCpvs: '90911000, 90919000-2',
    value: { base: '150000', options: '0', extensions: '30000,50', modifications: '0', prizes: '0' },
    budgetExclVat: '150000',
    budgetInclVat: '181500',
    tenderDeadline: '2026-12-16T14:00',
    lots: [
      {
        titleCa: 'Lot',
        titleEs: 'Lote',
        titleEn: 'Lot',
        estimatedValue: '180000',
        budgetExclVat: '150000',
        mainCpv: '90910000',
        reserved: true,
        abnormal: {
          rule: 'notice',
          belowMean: '10',
          belowBudget: '',
          combine: 'any',
          comparison: 'strict',
          units: '',
          threeBidders: '',
        },
        criteria: [
          {
            kind: 'price',
            evaluation: 'formula',
            weight: '100',
            nameCa: 'Preu',
            nameEs: 'Precio',
            nameEn: 'Price',
            formula: 'F3',
            direction: 'higher_better',
            decimals: '2',
            zeroDivisor: 'all_zero',
            formulaParams: 'minPoints = 10',
          },
        ],
      },
    ],
  };
}

describe('back-office tender form', () => {
  it('maps a filled form to the input the service takes', () => {
    const r = formToInput(filled());
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.version).toBeUndefined();
    expect(r.input).toMatchObject({
      reference: '2026/1',
      additionalCpvs: ['90911000', '90919000-2'],
      valueBreakdown: { base: '150000', extensions: '30000.50' },
      tenderDeadline: '2026-12-16T13:00:00Z',
      questionsDeadline: null,
      urgent: false,
      lots: [
        {
          number: 1,
          reserved: true,
          abnormal: { kind: 'notice', tests: [{ kind: 'percent_below_mean', units: '10' }], combine: 'any' },
          abnormalSettings: { comparison: 'strict' },
          criteria: [
            {
              weight: '100',
              formula: {
                kind: 'price',
                formula: 'F3',
                params: { minPoints: '10' },
                decimals: 2,
                zeroDivisor: 'all_zero',
              },
            },
          ],
        },
      ],
    });
    expect(r.input.estimatedValue).toBeUndefined();
  });

  it('reports every bad field, in form order', () => {
    const f = filled();
    const r = formToInput({
      ...f,
      reference: '',
      procedure: 'invented',
      mainCpv: '9091',
      value: { ...f.value, base: '-3' },
      durationMonths: '0',
      nutsCode: 'es-511',
      lots: [
        {
          ...(f.lots[0] as TenderForm['lots'][number]),
          criteria: [
            {
              ...(f.lots[0]?.criteria[0] as TenderForm['lots'][number]['criteria'][number]),
              weight: '101',
              formulaParams: 'max',
            },
          ],
        },
      ],
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors).toEqual([
      { field: 'reference', problem: 'required' },
      { field: 'procedure', problem: 'choice' },
      { field: 'mainCpv', problem: 'cpv' },
      { field: 'valueBase', problem: 'amount' },
      { field: 'durationMonths', problem: 'integer' },
      { field: 'nutsCode', problem: 'nuts' },
      { field: 'lot1-criterion1-weight', problem: 'percent' },
      { field: 'lot1-criterion1-formulaParams', problem: 'formulaParams' },
    ]);
  });

  it('starts a new file with the ESPD in envelope A, and maps the documents bidders must submit', () => {
    expect(emptyForm().bidDocuments).toEqual([
      {
        envelope: 'A',
        nameCa: 'Document europeu únic de contractació (DEUC)',
        nameEs: 'Documento europeo único de contratación (DEUC)',
        nameEn: 'European Single Procurement Document (ESPD)',
        mandatory: true,
      },
    ]);
    const r = formToInput({
      ...filled(),
      bidDocuments: [
        ...filled().bidDocuments,
        { envelope: 'B', nameCa: 'Memòria', nameEs: 'Memoria', nameEn: 'Report', mandatory: false },
      ],
    });
    expect(r.ok && r.input.bidDocuments).toEqual([
      {
        envelope: 'A',
        name: { ca: expect.any(String), es: expect.any(String), en: expect.any(String) },
        mandatory: true,
      },
      { envelope: 'B', name: { ca: 'Memòria', es: 'Memoria', en: 'Report' }, mandatory: false },
    ]);
    // An empty list is sent as such: the officer removed every document.
    const none = formToInput({ ...filled(), bidDocuments: [] });
    expect(none.ok && none.input.bidDocuments).toEqual([]);
  });

  it('refuses a bid document with an unknown envelope or without names', () => {
    const r = formToInput({
      ...filled(),
      bidDocuments: [{ envelope: 'D', nameCa: '', nameEs: 'x', nameEn: 'y'.repeat(201), mandatory: true }],
    });
    expect(!r.ok && r.errors).toEqual([
      { field: 'biddoc1-envelope', problem: 'choice' },
      { field: 'biddoc1-nameCa', problem: 'required' },
      { field: 'biddoc1-nameEn', problem: 'tooLong' },
    ]);
  });

  it('reads Madrid wall-clock time across the DST changes', () => {
    // Winter (UTC+1) and summer (UTC+2).
    expect(instantFromLocalInput('2026-12-16T14:00')).toEqual({ iso: '2026-12-16T13:00:00Z' });
    expect(instantFromLocalInput('2026-07-01T14:00')).toEqual({ iso: '2026-07-01T12:00:00Z' });
    // 29 March 2026: 02:00 jumps to 03:00, so 02:30 does not exist.
    expect(instantFromLocalInput('2026-03-29T02:30')).toEqual({ problem: 'dateTimeGap' });
    expect(instantFromLocalInput('2026-03-29T03:00')).toEqual({ iso: '2026-03-29T01:00:00Z' });
    // 25 October 2026: 02:30 happens twice; the first (summer time) is taken.
    expect(instantFromLocalInput('2026-10-25T02:30')).toEqual({ iso: '2026-10-25T00:30:00Z' });
    expect(instantFromLocalInput('2026-02-30T10:00')).toEqual({ problem: 'dateTime' });
    expect(instantFromLocalInput('16/12/2026 14:00')).toEqual({ problem: 'dateTime' });
    expect(localInputFromInstant('2026-12-16T13:00:00.000Z')).toBe('2026-12-16T14:00');
    expect(localInputFromInstant('2026-10-25T00:30:00.000Z')).toBe('2026-10-25T02:30');
    expect(localInputFromInstant(null)).toBe('');
  });

  it('adds and removes lots and criteria in place', () => {
    const f = filled();
    expect(parseFormAction('save')).toEqual({ type: 'save' });
    expect(parseFormAction('removeCriterion:1:2')).toEqual({ type: 'removeCriterion', lot: 1, criterion: 2 });
    expect(parseFormAction('removeLot:1:2')).toBeUndefined();
    expect(parseFormAction('drop table')).toBeUndefined();
    const two = applyFormAction(f, { type: 'addLot' });
    expect(two.lots).toHaveLength(2);
    expect(f.lots).toHaveLength(1);
    const more = applyFormAction(two, { type: 'addCriterion', lot: 2 });
    expect(more.lots[1]?.criteria).toHaveLength(2);
    expect(
      applyFormAction(more, { type: 'removeCriterion', lot: 2, criterion: 1 }).lots[1]?.criteria,
    ).toHaveLength(1);
    expect(applyFormAction(more, { type: 'removeLot', lot: 1 }).lots[0]?.titleCa).toBe('');
    // The last lot stays; out-of-range positions change nothing.
    expect(applyFormAction(f, { type: 'removeLot', lot: 1 }).lots).toHaveLength(1);
    expect(applyFormAction(f, { type: 'addCriterion', lot: 9 })).toEqual(f);
  });

  it('adds and removes bid documents in place, down to none', () => {
    const f = filled();
    expect(parseFormAction('addBidDocument')).toEqual({ type: 'addBidDocument' });
    expect(parseFormAction('removeBidDocument:2')).toEqual({ type: 'removeBidDocument', doc: 2 });
    expect(parseFormAction('removeBidDocument:x')).toBeUndefined();
    expect(parseFormAction('removeBidDocument:1:2')).toBeUndefined();
    const two = applyFormAction(f, { type: 'addBidDocument' });
    expect(two.bidDocuments).toHaveLength(2);
    expect(two.bidDocuments[1]).toEqual({
      envelope: 'A',
      nameCa: '',
      nameEs: '',
      nameEn: '',
      mandatory: true,
    });
    expect(f.bidDocuments).toHaveLength(1);
    const first = applyFormAction(two, { type: 'removeBidDocument', doc: 1 });
    expect(first.bidDocuments).toEqual([two.bidDocuments[1]]);
    expect(applyFormAction(first, { type: 'removeBidDocument', doc: 1 }).bidDocuments).toEqual([]);
    expect(applyFormAction(f, { type: 'removeBidDocument', doc: 7 })).toEqual(f);
  });

  it('reads the posted fields back into the same form', () => {
    const posted: Record<string, string> = {
      lotCount: '1',
      reference: ' 2026/1 ',
      urgent: 'on',
      valueBase: '10',
      'lot1-criterionCount': '1',
      'lot1-titleCa': 'Lot',
      'lot1-reserved': 'on',
      'lot1-criterion1-weight': '100',
    };
    const f = formFromPost({ get: (n) => posted[n]?.trim() ?? '', has: (n) => n in posted });
    expect(f.reference).toBe('2026/1');
    expect(f.flags.urgent).toBe(true);
    expect(f.flags.socialServices).toBe(false);
    expect(f.value.base).toBe('10');
    expect(f.lots[0]).toMatchObject({ titleCa: 'Lot', reserved: true, criteria: [{ weight: '100' }] });
    expect(f.bidDocuments).toEqual([]);
    const docs: Record<string, string> = {
      bidDocumentCount: '2',
      'biddoc1-envelope': 'A',
      'biddoc1-nameCa': 'DEUC',
      'biddoc1-mandatory': 'on',
      'biddoc2-envelope': 'C',
      'biddoc2-nameEn': 'Offer',
    };
    const withDocs = formFromPost({ get: (n) => docs[n]?.trim() ?? '', has: (n) => n in docs });
    expect(withDocs.bidDocuments).toEqual([
      { envelope: 'A', nameCa: 'DEUC', nameEs: '', nameEn: '', mandatory: true },
      { envelope: 'C', nameCa: '', nameEs: '', nameEn: 'Offer', mandatory: false },
    ]);
    // Counts are bounded, whatever is posted.
    const huge = formFromPost({
      get: (n) => (n === 'lotCount' || n === 'bidDocumentCount' ? '9999' : ''),
      has: () => false,
    });
    expect(huge.lots).toHaveLength(500);
    expect(huge.bidDocuments).toHaveLength(50);
  });

  it('fills the form from a stored file, a single estimated value becoming its base amount', () => {
    const stored: StoredFileView = {
      version: 3,
      reference: 'R',
      procedure: 'abierto',
      contractType: 'services',
      title: { ca: 'a', es: 'b', en: 'c' },
      description: { ca: '', es: '', en: '' },
      mainCpv: '90910000-9',
      additionalCpvs: ['90911000'],
      estimatedValue: '1000.00',
      valueBreakdown: null,
      budgetExclVat: '900.00',
      budgetInclVat: '1089.00',
      durationMonths: null,
      nutsCode: 'ES511',
      questionsDeadline: null,
      tenderDeadline: '2026-12-16T13:00:00.000Z',
      openingAt: null,
      flags: {
        urgent: true,
        intellectualServices: false,
        socialServices: false,
        priorInformationNotice: false,
        routinePurchase: false,
      },
      singleLotJustification: 'Un sol servei',
      priceWeightJustification: null,
      maxLotsPerBidder: 2,
      maxLotsAwarded: null,
      custodianQuorum: 2,
      lots: [
        {
          title: { ca: 'l', es: 'l', en: 'l' },
          estimatedValue: '1000.00',
          budgetExclVat: '900.00',
          mainCpv: '90910000-9',
          reserved: false,
          abnormal: 'rglcap85',
          abnormalSettings: null,
          criteria: [
            {
              kind: 'price',
              evaluation: 'formula',
              weight: '100.00',
              name: { ca: 'p', es: 'p', en: 'p' },
              formula: {
                kind: 'price',
                formula: 'F3',
                params: { minPoints: '5' },
                decimals: 2,
                zeroDivisor: 'all_zero',
              },
            },
          ],
        },
      ],
      bidDocuments: [
        { envelope: 'A', name: { ca: 'DEUC', es: 'DEUC', en: 'ESPD' }, mandatory: true },
        { envelope: 'C', name: { ca: 'Oferta', es: 'Oferta', en: 'Offer' }, mandatory: false },
      ],
    };
    const f = formFromStored(stored);
    expect(f).toMatchObject({
      version: '3',
      value: { base: '1000.00', options: '0' },
      tenderDeadline: '2026-12-16T14:00',
      additionalCpvs: '90911000',
      maxLotsPerBidder: '2',
      maxLotsAwarded: '',
      flags: { urgent: true },
    });
    expect(f.lots[0]?.criteria[0]).toMatchObject({
      formula: 'F3',
      formulaParams: 'minPoints=5',
      decimals: '2',
    });
    expect(f.lots[0]?.abnormal.rule).toBe('rglcap85');
    expect(f.bidDocuments).toEqual([
      { envelope: 'A', nameCa: 'DEUC', nameEs: 'DEUC', nameEn: 'ESPD', mandatory: true },
      { envelope: 'C', nameCa: 'Oferta', nameEs: 'Oferta', nameEn: 'Offer', mandatory: false },
    ]);
    const back = formToInput(f);
    expect(back.ok && back.version).toBe(3);
    expect(back.ok && back.input.bidDocuments).toEqual(stored.bidDocuments);
    // The stored spec and rule come back unchanged: the form round-trips what the notice publishes.
    expect(back.ok && back.input.lots[0]?.criteria[0]?.formula).toEqual(stored.lots[0]?.criteria[0]?.formula);
    expect(back.ok && back.input.lots[0]?.abnormal).toBe('rglcap85');
  });

  it('reports a formula the validator refuses next to its field, with the weight as P_max', () => {
    const f = filled();
    const lot = f.lots[0] as TenderForm['lots'][number];
    const criterion = lot.criteria[0] as TenderForm['lots'][number]['criteria'][number];
    const withCriterion = (c: Partial<typeof criterion>, a: Partial<typeof lot.abnormal> = {}) =>
      formToInput({
        ...f,
        lots: [{ ...lot, abnormal: { ...lot.abnormal, ...a }, criteria: [{ ...criterion, ...c }] }],
      });
    const errorsOf = (r: ReturnType<typeof formToInput>) => (r.ok ? [] : r.errors);
    // F3's P_0 must be below P_max (the weight, 100).
    expect(errorsOf(withCriterion({ formulaParams: 'minPoints=100' }))).toEqual([
      { field: 'lot1-criterion1-formulaParams', problem: 'formulaParamRange' },
    ]);
    expect(errorsOf(withCriterion({ formulaParams: '' }))).toEqual([
      { field: 'lot1-criterion1-formulaParams', problem: 'formulaParamMissing' },
    ]);
    expect(errorsOf(withCriterion({ formula: 'F1', formulaParams: 'satiety=0.1' }))).toEqual([
      { field: 'lot1-criterion1-formulaParams', problem: 'formulaParamUnknown' },
    ]);
    expect(errorsOf(withCriterion({ formula: 'threshold', formulaParams: 'steps=1:0.5, 3:0.8' }))).toEqual([
      { field: 'lot1-criterion1-formulaParams', problem: 'formulaSteps' },
    ]);
    expect(errorsOf(withCriterion({ decimals: '9' }))).toEqual([
      { field: 'lot1-criterion1-decimals', problem: 'formulaDecimals' },
    ]);
    expect(errorsOf(withCriterion({}, { belowMean: '' }))).toEqual([
      { field: 'lot1-abnormalBelowMean', problem: 'required' },
    ]);
    // No formula chosen: saved without one (the checks then block publication, FORMULA_MISSING).
    const none = withCriterion({ formula: '' });
    expect(none.ok && none.input.lots[0]?.criteria[0]?.formula).toBeUndefined();
    const steps = withCriterion({ formula: 'threshold', formulaParams: 'steps=1:0.5, 3:1' });
    expect(steps.ok && steps.input.lots[0]?.criteria[0]?.formula).toEqual({
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
    });
  });
});
