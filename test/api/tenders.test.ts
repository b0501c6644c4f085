import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildTestApp,
  login,
  makeAuthority,
  makeUser,
  rowCounts,
  type Session,
  type TestApp,
} from '../helpers/app.js';
import { driverName } from '../helpers/db.js';
import { ABNORMAL_NOTICE, loadDemoCpv, PRICE_F1, SOCIAL_STEPS, tenderPayload } from '../helpers/tenders.js';

type TenderBody = {
  id: string;
  version: number;
  status: string;
  estimatedValue: string;
  findings: { code: string; severity: string; lot?: number; source?: string; details?: unknown }[];
  publishable: boolean;
  lots: unknown[];
  envelopes: string[];
  bidDocuments: { envelope: string; name: { ca: string; es: string; en: string }; mandatory: boolean }[];
};

const doc = (envelope: string, text: string, mandatory?: boolean) => ({
  envelope,
  name: { ca: `${text} (ca)`, es: `${text} (es)`, en: `${text} (en)` },
  ...(mandatory === undefined ? {} : { mandatory }),
});

describe(`procurement files (${driverName})`, () => {
  let t: TestApp;
  let a: string;
  let officer: Session;
  let auditor: Session;
  let otherOfficer: Session;
  const url = (authorityId: string, id = '') =>
    `/api/v1/authorities/${authorityId}/tenders${id ? `/${id}` : ''}`;

  beforeAll(async () => {
    t = await buildTestApp({ now: new Date('2026-11-26T10:00:00Z') });
    await loadDemoCpv(t);
    a = (await makeAuthority(t)).id;
    const b = (await makeAuthority(t)).id;
    officer = await login(
      t,
      (await makeUser(t, { roles: [{ authorityId: a, roles: ['procurement_officer'] }] })).email,
    );
    auditor = await login(t, (await makeUser(t, { roles: [{ authorityId: a, roles: ['auditor'] }] })).email);
    otherOfficer = await login(
      t,
      (await makeUser(t, { roles: [{ authorityId: b, roles: ['procurement_officer'] }] })).email,
    );
  });
  afterAll(async () => t.close());

  const create = (session: Session, payload: object, authorityId = a) =>
    t.app.inject({ method: 'POST', url: url(authorityId), headers: session.headers, payload });

  it('creates a draft with two lots and returns the checks that still block it', async () => {
    const res = await create(officer, tenderPayload(t.clock.now()));
    expect(res.statusCode, res.body).toBe(201);
    const body = res.json() as TenderBody;
    expect(body).toMatchObject({ status: 'draft', version: 1, publishable: false });
    expect(body.lots).toHaveLength(2);
    // No documents or custodians yet; the weights, lots and period are right.
    expect(body.findings.map((f) => f.code).sort()).toEqual([
      'CUSTODIAN_QUORUM_INVALID',
      'MANDATORY_DOCUMENTS_MISSING',
    ]);
    const events = await t.db.db
      .selectFrom('audit_event')
      .select(['action', 'authority_id'])
      .where('object_id', '=', body.id)
      .execute();
    expect(events).toEqual([{ action: 'tender.created', authority_id: a }]);
  });

  it('reports weights that do not sum to 100 and a price weight above the cap, per lot', async () => {
    const p = tenderPayload(t.clock.now());
    p.lots[0]!.criteria = [
      {
        kind: 'price',
        evaluation: 'formula',
        weight: '60',
        name: { ca: 'Preu', es: 'Precio', en: 'Price' },
        formula: PRICE_F1,
      },
      { kind: 'quality', evaluation: 'judgement', weight: '30', name: { ca: 'Q', es: 'Q', en: 'Q' } },
    ];
    const body = (await create(officer, p)).json() as TenderBody;
    const lot1 = body.findings.filter((f) => f.lot === 1).map((f) => [f.code, f.severity]);
    expect(lot1).toEqual([
      ['WEIGHTS_NOT_100', 'error'],
      ['PRICE_WEIGHT_ABOVE_CAP', 'error'],
    ]);
    expect(body.findings.some((f) => f.lot === 2)).toBe(false);
  });

  it.each([
    ['a wrong CPV check digit', { mainCpv: '90910000-8' }, 422, 'INVALID_CPV'],
    ['an unknown CPV', { mainCpv: '12345678' }, 422, 'INVALID_CPV'],
    ['a negative amount', { estimatedValue: '-1.00' }, 400, 'VALIDATION_FAILED'],
    ['a non-decimal amount', { estimatedValue: '1e5' }, 400, 'VALIDATION_FAILED'],
    ['three decimals', { budgetExclVat: '10.005' }, 400, 'VALIDATION_FAILED'],
    ['an amount as a number', { estimatedValue: 180000 }, 400, 'VALIDATION_FAILED'],
    [
      'a weight above 100',
      {
        lots: [
          {
            ...tenderPayload(new Date()).lots[0]!,
            criteria: [
              { kind: 'price', evaluation: 'formula', weight: '100.01', name: { ca: 'P', es: 'P', en: 'P' } },
            ],
          },
        ],
      },
      400,
      'VALIDATION_FAILED',
    ],
    ['a deadline in the past', { tenderDeadline: '2026-11-25T10:00:00Z' }, 422, 'DEADLINE_IN_PAST'],
    ['an unknown procedure', { procedure: 'subasta' }, 400, 'VALIDATION_FAILED'],
    ['an unknown field', { secret: true }, 400, 'VALIDATION_FAILED'],
    [
      'a formula with an unknown field',
      {
        lots: [
          {
            ...tenderPayload(new Date()).lots[0]!,
            criteria: [
              {
                kind: 'price',
                evaluation: 'formula',
                weight: '100',
                name: { ca: 'P', es: 'P', en: 'P' },
                formula: { ...PRICE_F1, rounding: 'up' },
              },
            ],
          },
        ],
      },
      400,
      'VALIDATION_FAILED',
    ],
    ['a bid document in envelope D', { bidDocuments: [doc('D', 'Altres')] }, 400, 'VALIDATION_FAILED'],
    [
      'a bid document with an unknown field',
      { bidDocuments: [{ ...doc('A', 'DEUC'), order: 1 }] },
      400,
      'VALIDATION_FAILED',
    ],
    [
      'a bid document without its English name',
      { bidDocuments: [{ envelope: 'A', name: { ca: 'DEUC', es: 'DEUC', en: '' } }] },
      400,
      'VALIDATION_FAILED',
    ],
    [
      'more than 50 bid documents',
      { bidDocuments: Array.from({ length: 51 }, (_, i) => doc('A', `Document ${i}`)) },
      400,
      'VALIDATION_FAILED',
    ],
    [
      'a document named twice in one envelope',
      { bidDocuments: [doc('C', 'Oferta'), doc('A', 'DEUC'), doc('C', ' OFERTA', false)] },
      422,
      'UNPROCESSABLE',
    ],
    ['a budget with VAT below the one without', { budgetInclVat: '1.00' }, 422, 'BUDGET_INCONSISTENT'],
    [
      'an estimated value that is not the sum of its breakdown',
      {
        valueBreakdown: {
          base: '150000',
          options: '0',
          extensions: '30000',
          modifications: '0',
          prizes: '0.01',
        },
      },
      422,
      'ESTIMATED_VALUE_MISMATCH',
    ],
    [
      'a breakdown with a negative part',
      {
        estimatedValue: undefined,
        valueBreakdown: { base: '150000', options: '-1', extensions: '0', modifications: '0', prizes: '0' },
      },
      400,
      'VALIDATION_FAILED',
    ],
    [
      'neither an estimated value nor its breakdown',
      { estimatedValue: undefined },
      422,
      'ESTIMATED_VALUE_MISMATCH',
    ],
    [
      'repeated lot numbers',
      { lots: [tenderPayload(new Date()).lots[0]!, tenderPayload(new Date()).lots[0]!] },
      422,
      'UNPROCESSABLE',
    ],
  ] as const)('refuses %s and writes nothing', async (_name, override, status, code) => {
    const before = await rowCounts(t);
    const res = await create(officer, { ...tenderPayload(t.clock.now()), ...override });
    expect(res.statusCode, res.body).toBe(status);
    expect(res.json()).toMatchObject({ code });
    expect(await rowCounts(t)).toEqual(before);
    expect(
      await t.db.db.selectFrom('tender').select('id').where('authority_id', '=', a).execute(),
    ).toHaveLength(2);
  });

  it('derives the envelopes from the criteria and stores the documents bidders must submit', async () => {
    const bidDocuments = [doc('A', 'DEUC'), doc('B', 'Memòria tècnica'), doc('C', 'Oferta', false)];
    const res = await create(officer, { ...tenderPayload(t.clock.now()), bidDocuments });
    expect(res.statusCode, res.body).toBe(201);
    const body = res.json() as TenderBody;
    expect(body.envelopes).toEqual(['A', 'B', 'C']);
    expect(body.bidDocuments).toEqual([
      { ...doc('A', 'DEUC'), mandatory: true },
      { ...doc('B', 'Memòria tècnica'), mandatory: true },
      doc('C', 'Oferta', false),
    ]);
    expect(body.findings.map((f) => f.code)).not.toContain('BID_DOCUMENT_WITHOUT_ENVELOPE');
    const read = (
      await t.app.inject({ url: url(a, body.id), headers: auditor.headers })
    ).json() as TenderBody;
    expect(read.bidDocuments).toEqual(body.bidDocuments);
    const rows = await t.db.db
      .selectFrom('tender_bid_document')
      .select(['position', 'envelope', 'authority_id', 'mandatory'])
      .where('tender_id', '=', body.id)
      .orderBy('position')
      .execute();
    expect(rows).toEqual([
      { position: 0, envelope: 'A', authority_id: a, mandatory: true },
      { position: 1, envelope: 'B', authority_id: a, mandatory: true },
      { position: 2, envelope: 'C', authority_id: a, mandatory: false },
    ]);
  });

  it('asks for the ESPD in envelope A when the file declares no documents, and for nothing when it declares []', async () => {
    const body = (await create(officer, tenderPayload(t.clock.now()))).json() as TenderBody;
    expect(body.bidDocuments).toEqual([
      {
        envelope: 'A',
        name: {
          ca: 'Document europeu únic de contractació (DEUC)',
          es: 'Documento europeo único de contratación (DEUC)',
          en: 'European Single Procurement Document (ESPD)',
        },
        mandatory: true,
      },
    ]);
    const none = (
      await create(officer, { ...tenderPayload(t.clock.now()), bidDocuments: [] })
    ).json() as TenderBody;
    expect(none.bidDocuments).toEqual([]);
    // The simplified procedure has no envelope A: the ESPD goes in its first envelope (art. 159.4.d).
    const p = tenderPayload(t.clock.now());
    const simplified = (
      await create(officer, {
        ...p,
        procedure: 'abierto_simplificado',
        estimatedValue: '100000.00',
        lots: p.lots.map((l) => ({
          ...l,
          estimatedValue: '50000',
          budgetExclVat: '40000',
          criteria: [
            { kind: 'price', evaluation: 'formula', weight: '75', name: l.criteria[0]!.name },
            { kind: 'quality', evaluation: 'judgement', weight: '25', name: l.criteria[2]!.name },
          ],
        })),
      })
    ).json() as TenderBody;
    expect(simplified.envelopes).toEqual(['B', 'C']);
    expect(simplified.bidDocuments.map((d) => d.envelope)).toEqual(['B']);
    expect(simplified.findings.map((f) => f.code)).not.toContain('BID_DOCUMENT_WITHOUT_ENVELOPE');
  });

  it('blocks a document for envelope B when no criterion is a judgement', async () => {
    const p = tenderPayload(t.clock.now());
    const formulaOnly = p.lots.map((l) => ({
      ...l,
      criteria: l.criteria.map((c) => ({ ...c, evaluation: 'formula' as const })),
    }));
    const res = await create(officer, {
      ...p,
      lots: formulaOnly,
      bidDocuments: [doc('A', 'DEUC'), doc('B', 'Memòria tècnica'), doc('C', 'Oferta')],
    });
    expect(res.statusCode, res.body).toBe(201);
    const body = res.json() as TenderBody;
    expect(body.envelopes).toEqual(['A', 'C']);
    expect(body.findings.find((f) => f.code === 'BID_DOCUMENT_WITHOUT_ENVELOPE')).toEqual({
      code: 'BID_DOCUMENT_WITHOUT_ENVELOPE',
      severity: 'error',
      source: 'LCSP art. 157.1–2',
      details: { envelope: 'B', envelopes: ['A', 'C'], documents: ['Memòria tècnica (ca)'] },
    });
    expect(body.publishable).toBe(false);
  });

  it('replaces the documents on update, and falls back to the ESPD when the list is left out', async () => {
    const p = tenderPayload(t.clock.now());
    const created = (
      await create(officer, { ...p, bidDocuments: [doc('A', 'DEUC'), doc('B', 'Memòria tècnica')] })
    ).json() as TenderBody;
    const put = (payload: object) =>
      t.app.inject({ method: 'PUT', url: url(a, created.id), headers: officer.headers, payload });
    const replaced = await put({ ...p, version: 1, bidDocuments: [doc('C', 'Oferta', false)] });
    expect(replaced.statusCode, replaced.body).toBe(200);
    expect((replaced.json() as TenderBody).bidDocuments).toEqual([doc('C', 'Oferta', false)]);
    const count = () =>
      t.db.db
        .selectFrom('tender_bid_document')
        .select('envelope')
        .where('tender_id', '=', created.id)
        .execute();
    expect(await count()).toEqual([{ envelope: 'C' }]);
    // A refused update (stale version, a repeated name) leaves the stored list as it was.
    const before = await rowCounts(t);
    expect((await put({ ...p, version: 1, bidDocuments: [] })).statusCode).toBe(409);
    const repeated = await put({ ...p, version: 2, bidDocuments: [doc('A', 'X'), doc('A', 'X')] });
    expect(repeated.statusCode).toBe(422);
    expect(repeated.json()).toMatchObject({
      code: 'UNPROCESSABLE',
      details: { field: 'bidDocuments', position: 2 },
    });
    expect(await rowCounts(t)).toEqual(before);
    expect(await count()).toEqual([{ envelope: 'C' }]);
    const omitted = await put({ ...p, version: 2 });
    expect((omitted.json() as TenderBody).bidDocuments.map((d) => [d.envelope, d.name.en])).toEqual([
      ['A', 'European Single Procurement Document (ESPD)'],
    ]);
  });

  it('computes the estimated value from its art. 101 breakdown and checks foreseen modifications', async () => {
    const { estimatedValue: _given, ...p } = tenderPayload(t.clock.now(), { reference: '2026/ART101' });
    const valueBreakdown = {
      base: '120000.00',
      options: '6000.50',
      extensions: '30000',
      modifications: '24000.00',
      prizes: '0',
    };
    const res = await create(officer, { ...p, valueBreakdown });
    expect(res.statusCode, res.body).toBe(201);
    const body = res.json() as TenderBody & { valueBreakdown: typeof valueBreakdown };
    expect(body.estimatedValue).toBe('180000.50');
    expect(body.valueBreakdown).toEqual({ ...valueBreakdown, extensions: '30000.00', prizes: '0.00' });
    expect(body.findings.map((f) => f.code)).not.toContain('MODIFICATIONS_ABOVE_LIMIT');

    // 20 % of the base is the most that may be foreseen (art. 204.1); one cent more blocks.
    const over = await t.app.inject({
      method: 'PUT',
      url: url(a, body.id),
      headers: officer.headers,
      payload: {
        ...p,
        version: body.version,
        estimatedValue: '180000.51',
        valueBreakdown: { ...valueBreakdown, modifications: '24000.01' },
      },
    });
    expect(over.statusCode, over.body).toBe(200);
    const finding = (over.json() as TenderBody).findings.find((f) => f.code === 'MODIFICATIONS_ABOVE_LIMIT');
    expect(finding).toMatchObject({
      severity: 'error',
      source: 'LCSP art. 204.1',
      details: { modifications: '24000.01', limit: '24000.00' },
    });
  });

  it('refuses a reference already used by the authority', async () => {
    const p = tenderPayload(t.clock.now(), { reference: '2026/DUP' });
    expect((await create(officer, p)).statusCode).toBe(201);
    const res = await create(officer, p);
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: 'REFERENCE_TAKEN' });
  });

  it('updates with the version read, refuses a stale one, and keeps lots in step', async () => {
    const created = (await create(officer, tenderPayload(t.clock.now()))).json() as TenderBody;
    const p = tenderPayload(t.clock.now(), { reference: `2026/U${Date.now()}` });
    const oneLot = {
      ...p,
      lots: [{ ...p.lots[0]!, estimatedValue: '180000' }],
      singleLotJustification: 'Servei indivisible',
    };
    const ok = await t.app.inject({
      method: 'PUT',
      url: url(a, created.id),
      headers: officer.headers,
      payload: { ...oneLot, version: 1 },
    });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toMatchObject({ version: 2, lots: [{ number: 1 }] });
    const stale = await t.app.inject({
      method: 'PUT',
      url: url(a, created.id),
      headers: officer.headers,
      payload: { ...oneLot, version: 1 },
    });
    expect(stale.statusCode).toBe(409);
    expect(stale.json()).toMatchObject({ code: 'STALE_VERSION' });
    const lots = await t.db.db
      .selectFrom('tender_lot')
      .select('number')
      .where('tender_id', '=', created.id)
      .execute();
    expect(lots).toEqual([{ number: 1 }]);
  });

  it('refuses to edit a published file', async () => {
    const created = (await create(officer, tenderPayload(t.clock.now()))).json() as TenderBody;
    await t.db.db.updateTable('tender').set({ status: 'published' }).where('id', '=', created.id).execute();
    const res = await t.app.inject({
      method: 'PUT',
      url: url(a, created.id),
      headers: officer.headers,
      payload: { ...tenderPayload(t.clock.now()), version: 1 },
    });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: 'INVALID_TRANSITION' });
  });

  it('lets an auditor read but not write, and hides the file from another authority', async () => {
    const created = (await create(officer, tenderPayload(t.clock.now()))).json() as TenderBody;
    expect((await t.app.inject({ url: url(a, created.id), headers: auditor.headers })).statusCode).toBe(200);
    expect((await t.app.inject({ url: url(a), headers: auditor.headers })).statusCode).toBe(200);
    expect((await create(auditor, tenderPayload(t.clock.now()))).statusCode).toBe(403);
    const foreign = await t.app.inject({ url: url(a, created.id), headers: otherOfficer.headers });
    expect(foreign.statusCode).toBe(404);
    const before = await rowCounts(t);
    const put = await t.app.inject({
      method: 'PUT',
      url: url(a, created.id),
      headers: otherOfficer.headers,
      payload: { ...tenderPayload(t.clock.now()), version: 1 },
    });
    expect(put.statusCode).toBe(404);
    expect(await rowCounts(t)).toEqual(before);
  });
  it('stores each criterion’s formula spec and each lot’s abnormal-offer rule exactly as sent', async () => {
    const p = tenderPayload(t.clock.now());
    const f3 = {
      kind: 'price',
      formula: 'F3',
      params: { minPoints: '5' },
      decimals: 3,
      zeroDivisor: 'all_max',
    } as const;
    p.lots[0]!.criteria = [{ ...p.lots[0]!.criteria[0]!, formula: f3 }, ...p.lots[0]!.criteria.slice(1)];
    p.lots[0]!.abnormalSettings = { comparison: 'inclusive' };
    const body = (await create(officer, p)).json() as TenderBody & {
      lots: { abnormal: unknown; abnormalSettings: unknown; criteria: { formula: unknown }[] }[];
    };
    expect(body.lots[0]?.criteria.map((c) => c.formula)).toEqual([f3, SOCIAL_STEPS, null]);
    expect(body.lots[0]).toMatchObject({
      abnormal: ABNORMAL_NOTICE,
      abnormalSettings: { comparison: 'inclusive' },
    });
    expect(body.lots[1]).toMatchObject({ abnormalSettings: null });
    expect(body.findings.filter((f) => /^(FORMULA|ABNORMAL)_/.test(f.code))).toEqual([]);
  });
});
