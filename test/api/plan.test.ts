import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildTestApp,
  login,
  makeAuthority,
  makeUser,
  PASSWORD,
  rowCounts,
  type Session,
  type TestApp,
} from '../helpers/app.js';
import { driverName } from '../helpers/db.js';
import { loadDemoCpv } from '../helpers/tenders.js';
import { seedDemoPlan } from '../../src/modules/demo/demo.plan.js';

type Item = {
  id: string;
  status: string;
  version: number;
  mainCpv: string;
  tenderId: string | null;
  findings: { code: string }[];
};
type SearchBody = {
  total: number;
  page: number;
  items: { id: string; title: { ca: string }; status: string }[];
};

describe(`procurement plan (${driverName})`, () => {
  let t: TestApp;
  let a: string;
  let b: string;
  let officer: Session;
  let auditor: Session;
  let otherOfficer: Session;
  let platformAdmin: Session;
  const url = (authorityId: string, rest = '') =>
    `/api/v1/authorities/${authorityId}/planned-contracts${rest}`;

  const payload = (o: Record<string, unknown> = {}) => ({
    title: {
      ca: 'Neteja de les platges i dels jardins',
      es: 'Limpieza de playas y jardines',
      en: 'Cleaning of beaches and gardens',
    },
    description: {
      ca: 'Servei de neteja diària',
      es: 'Servicio de limpieza diaria',
      en: 'Daily cleaning service',
    },
    contractType: 'services',
    procedure: 'abierto',
    mainCpv: '90910000',
    estimatedValue: '250000.00',
    expectedYear: 2027,
    expectedQuarter: 1,
    lotCount: 3,
    reservedLots: 1,
    ...o,
  });

  beforeAll(async () => {
    t = await buildTestApp({ now: new Date('2026-11-26T10:00:00Z') });
    await loadDemoCpv(t);
    a = (await makeAuthority(t)).id;
    b = (await makeAuthority(t)).id;
    const mk = async (authorityId: string, role: 'procurement_officer' | 'auditor') =>
      login(t, (await makeUser(t, { roles: [{ authorityId, roles: [role] }] })).email);
    officer = await mk(a, 'procurement_officer');
    auditor = await mk(a, 'auditor');
    otherOfficer = await mk(b, 'procurement_officer');
    platformAdmin = await login(t, (await makeUser(t, { platformAdmin: true })).email, PASSWORD);
  });
  afterAll(async () => t.close());

  const create = (session: Session, body: object, authorityId = a) =>
    t.app.inject({ method: 'POST', url: url(authorityId), headers: session.headers, payload: body });
  const search = async (qs: string) => {
    const res = await t.app.inject({ method: 'GET', url: `/api/v1/plan?${qs}` });
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as SearchBody;
  };
  const events = (objectId: string) =>
    t.db.db
      .selectFrom('audit_event')
      .select(['action', 'authority_id'])
      .where('object_id', '=', objectId)
      .orderBy('seq')
      .execute();

  let first: Item;

  it('adds a planned contract, with the canonical CPV, audited', async () => {
    const res = await create(officer, payload());
    expect(res.statusCode, res.body).toBe(201);
    first = res.json() as Item;
    expect(first).toMatchObject({ status: 'planned', version: 1, mainCpv: '90910000-9', tenderId: null });
    expect(first.findings).toEqual([]);
    expect(await events(first.id)).toEqual([{ action: 'planned_contract.created', authority_id: a }]);
  });

  it('warns when the procedure does not suit the value, without blocking', async () => {
    const res = await create(
      officer,
      payload({ procedure: 'menor', estimatedValue: '90000', lotCount: 1, reservedLots: 0 }),
    );
    expect(res.statusCode, res.body).toBe(201);
    expect((res.json() as Item).findings.map((f) => f.code)).toEqual(['VALUE_ABOVE_LIMIT']);
  });

  it.each([
    ['a wrong CPV check digit', { mainCpv: '90910000-8' }, 422, 'INVALID_CPV'],
    ['an unknown CPV', { mainCpv: '12345678' }, 422, 'INVALID_CPV'],
    ['a negative value', { estimatedValue: '-1' }, 400, 'VALIDATION_FAILED'],
    ['a zero value', { estimatedValue: '0.00' }, 422, 'UNPROCESSABLE'],
    ['a float value', { estimatedValue: 1000 }, 400, 'VALIDATION_FAILED'],
    ['more reserved lots than lots', { lotCount: 2, reservedLots: 3 }, 422, 'UNPROCESSABLE'],
    ['a quarter already over', { expectedYear: 2026, expectedQuarter: 3 }, 422, 'DEADLINE_IN_PAST'],
    ['a quarter 5', { expectedQuarter: 5 }, 400, 'VALIDATION_FAILED'],
    ['an unknown procedure', { procedure: 'subasta' }, 400, 'VALIDATION_FAILED'],
    ['an unknown field', { secret: 1 }, 400, 'VALIDATION_FAILED'],
  ] as const)('refuses %s and writes nothing', async (_name, override, status, code) => {
    const before = await rowCounts(t);
    const res = await create(officer, payload(override));
    expect(res.statusCode, res.body).toBe(status);
    expect((res.json() as { code: string }).code).toBe(code);
    expect(await rowCounts(t)).toEqual(before);
  });

  it('accepts the current quarter', async () => {
    const res = await create(officer, payload({ expectedYear: 2026, expectedQuarter: 4 }));
    expect(res.statusCode, res.body).toBe(201);
  });

  it('lets only procurement officers of the authority write: 403, 404, 401, nothing written', async () => {
    const before = await rowCounts(t);
    expect((await create(auditor, payload())).statusCode).toBe(403);
    expect((await create(otherOfficer, payload())).statusCode).toBe(404);
    expect((await create(platformAdmin, payload())).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'POST', url: url(a), payload: payload() })).statusCode).toBe(401);
    const put = await t.app.inject({
      method: 'PUT',
      url: url(a, `/${first.id}`),
      headers: otherOfficer.headers,
      payload: { ...payload(), version: 1 },
    });
    expect(put.statusCode).toBe(404);
    expect(await rowCounts(t)).toEqual(before);
    const read = await t.app.inject({ method: 'GET', url: url(a, `/${first.id}`), headers: auditor.headers });
    expect(read.statusCode).toBe(200);
    const other = await t.app.inject({
      method: 'GET',
      url: url(b, `/${first.id}`),
      headers: otherOfficer.headers,
    });
    expect(other.statusCode).toBe(404);
  });

  it('searches the public plan in any language, ignoring accents and case, with filters', async () => {
    await create(
      otherOfficer,
      payload({
        title: { ca: 'Enllumenat públic', es: 'Alumbrado público', en: 'Street lighting' },
        description: { ca: '', es: '', en: '' },
        contractType: 'supplies',
        mainCpv: '34000000',
        estimatedValue: '1200000',
        expectedYear: 2027,
        expectedQuarter: 3,
        lotCount: 1,
        reservedLots: 0,
      }),
      b,
    );
    const titles = (r: SearchBody) => r.items.map((i) => i.title.ca);
    expect(titles(await search('q=PLATGES'))).toContain('Neteja de les platges i dels jardins');
    expect(titles(await search('q=playas'))).toContain('Neteja de les platges i dels jardins');
    expect(titles(await search('q=beaches'))).toContain('Neteja de les platges i dels jardins');
    expect(titles(await search('q=publico'))).toEqual(['Enllumenat públic']);
    expect(titles(await search('q=ENLLUM'))).toEqual(['Enllumenat públic']);
    expect((await search('q=diaria')).total).toBeGreaterThan(0);
    expect((await search('q=submarins')).total).toBe(0);
    expect(titles(await search(`authority=${b}`))).toEqual(['Enllumenat públic']);
    expect(titles(await search('cpv=34'))).toEqual(['Enllumenat públic']);
    expect(titles(await search('cpv=90910000-9')).length).toBeGreaterThan(0);
    expect(titles(await search('year=2027&quarter=3'))).toEqual(['Enllumenat públic']);
    expect((await search('year=2026')).items.every((i) => i.title.ca.startsWith('Neteja'))).toBe(true);
    expect(titles(await search('minValue=1000000'))).toEqual(['Enllumenat públic']);
    expect(titles(await search('maxValue=100000&procedure=menor'))).toHaveLength(1);
    const all = await search('');
    const paged = await search('pageSize=2&page=2');
    expect(paged.page).toBe(2);
    expect(paged.total).toBe(all.total);
    expect(paged.items.map((i) => i.id)).toEqual(all.items.slice(2, 4).map((i) => i.id));
  });

  it('refuses bad search parameters with 400', async () => {
    for (const qs of [
      'quarter=0',
      'cpv=9',
      'minValue=-5',
      'minValue=10&maxValue=5',
      'year=x',
      'status=draft',
    ]) {
      const res = await t.app.inject({ method: 'GET', url: `/api/v1/plan?${qs}` });
      expect(res.statusCode, qs).toBe(400);
    }
  });

  it('edits with the version read, and refuses a stale one', async () => {
    const put = (version: number, o: Record<string, unknown> = {}) =>
      t.app.inject({
        method: 'PUT',
        url: url(a, `/${first.id}`),
        headers: officer.headers,
        payload: { ...payload(o), version },
      });
    const ok = await put(1, { estimatedValue: '260000', expectedQuarter: 2 });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toMatchObject({ version: 2, estimatedValue: '260000.00', expectedQuarter: 2 });
    const before = await rowCounts(t);
    const stale = await put(1);
    expect(stale.statusCode).toBe(409);
    expect((stale.json() as { code: string }).code).toBe('STALE_VERSION');
    expect(await rowCounts(t)).toEqual(before);
    const event = await t.db.db
      .selectFrom('audit_event')
      .select('data')
      .where('object_id', '=', first.id)
      .where('action', '=', 'planned_contract.updated')
      .executeTakeFirstOrThrow();
    expect(event.data).toEqual({ version: 2, changed: ['estimated_value', 'expected_quarter'] });
  });

  it('starts the procurement file from a planned contract, linked both ways, in one step', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: url(a, `/${first.id}/start-file`),
      headers: officer.headers,
      payload: { reference: '2027/PLA-1' },
    });
    expect(res.statusCode, res.body).toBe(201);
    const body = res.json() as { plannedContract: Item; tenderId: string };
    expect(body.plannedContract).toMatchObject({
      status: 'file_started',
      tenderId: body.tenderId,
      version: 3,
    });
    const tender = await t.db.db
      .selectFrom('tender')
      .select([
        'status',
        'planned_contract_id',
        'title_ca',
        'main_cpv',
        'estimated_value',
        'budget_incl_vat',
        'authority_id',
      ])
      .where('id', '=', body.tenderId)
      .executeTakeFirstOrThrow();
    expect(tender).toMatchObject({
      status: 'draft',
      planned_contract_id: first.id,
      title_ca: 'Neteja de les platges i dels jardins',
      main_cpv: '90910000-9',
      estimated_value: '260000.00',
      budget_incl_vat: '314600.00',
      authority_id: a,
    });
    const lots = await t.db.db
      .selectFrom('tender_lot')
      .select(['number', 'estimated_value', 'reserved'])
      .where('tender_id', '=', body.tenderId)
      .orderBy('number')
      .execute();
    expect(lots).toEqual([
      { number: 1, estimated_value: '86666.66', reserved: true },
      { number: 2, estimated_value: '86666.66', reserved: false },
      { number: 3, estimated_value: '86666.68', reserved: false },
    ]);
    expect((await events(first.id)).map((e) => e.action)).toEqual([
      'planned_contract.created',
      'planned_contract.updated',
      'planned_contract.file_started',
    ]);
    expect((await events(body.tenderId)).map((e) => e.action)).toEqual(['tender.created']);
    // The public plan shows it as started.
    const found = (await search('q=platges')).items.find((i) => i.id === first.id);
    expect(found?.status).toBe('file_started');
  });

  it('refuses a second start, an edit or a withdrawal once the file is started, writing nothing', async () => {
    const before = await rowCounts(t);
    const again = await t.app.inject({
      method: 'POST',
      url: url(a, `/${first.id}/start-file`),
      headers: officer.headers,
      payload: { reference: '2027/PLA-2' },
    });
    expect(again.statusCode).toBe(409);
    expect((again.json() as { code: string }).code).toBe('INVALID_TRANSITION');
    const withdraw = await t.app.inject({
      method: 'POST',
      url: url(a, `/${first.id}/withdraw`),
      headers: officer.headers,
      payload: { version: 3, reason: 'No' },
    });
    expect(withdraw.statusCode).toBe(409);
    expect(await rowCounts(t)).toEqual(before);
  });

  it('rolls the whole start back when the file is refused (a reference already used)', async () => {
    const item = (await create(officer, payload({ expectedQuarter: 4 }))).json() as Item;
    const before = await rowCounts(t);
    const res = await t.app.inject({
      method: 'POST',
      url: url(a, `/${item.id}/start-file`),
      headers: officer.headers,
      payload: { reference: '2027/PLA-1' },
    });
    expect(res.statusCode, res.body).toBe(409);
    expect((res.json() as { code: string }).code).toBe('REFERENCE_TAKEN');
    expect(await rowCounts(t)).toEqual(before);
    const still = await t.app.inject({ method: 'GET', url: url(a, `/${item.id}`), headers: officer.headers });
    expect((still.json() as Item).status).toBe('planned');
  });

  it('withdraws an entry with its reason; the public plan hides it unless asked', async () => {
    const item = (
      await create(officer, payload({ title: { ca: 'Grues', es: 'Grúas', en: 'Cranes' } }))
    ).json() as Item;
    const res = await t.app.inject({
      method: 'POST',
      url: url(a, `/${item.id}/withdraw`),
      headers: officer.headers,
      payload: { version: 1, reason: 'Ja no cal' },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ status: 'withdrawn', withdrawalReason: 'Ja no cal' });
    expect((await search('q=grues')).total).toBe(0);
    expect((await search('q=grues&status=withdrawn')).total).toBe(1);
    const list = await t.app.inject({ method: 'GET', url: url(a), headers: auditor.headers });
    expect((list.json() as Item[]).some((i) => i.id === item.id)).toBe(true);
  });

  it('renders the public plan in three languages and the back office with its forms', async () => {
    for (const [lang, title, object] of [
      ['ca', 'Pla anual de contractació', 'Neteja de les platges'],
      ['es', 'Plan anual de contratación', 'Limpieza de playas'],
      ['en', 'Annual procurement plan', 'Cleaning of beaches'],
    ] as const) {
      const res = await t.app.inject({ method: 'GET', url: `/plan?q=platges&lang=${lang}` });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.body).toContain(title);
      expect(res.body).toContain(object);
    }
    const bad = await t.app.inject({ method: 'GET', url: '/plan?quarter=9' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('error-summary');

    const office = await t.app.inject({
      method: 'GET',
      url: `/office/${a}/plan`,
      headers: { cookie: officer.cookie },
    });
    expect(office.statusCode, office.body).toBe(200);
    expect(office.body).toContain('name="titleCa"');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(office.body)?.[1] ?? '';
    const cookie = [officer.cookie, ...office.cookies.map((c) => `${c.name}=${c.value}`)].join('; ');
    const form = new URLSearchParams({
      _csrf: csrf,
      titleCa: 'Manteniment de fonts',
      titleEs: 'Mantenimiento de fuentes',
      titleEn: 'Fountain maintenance',
      descriptionCa: '',
      descriptionEs: '',
      descriptionEn: '',
      contractType: 'services',
      procedure: 'abierto_simplificado',
      mainCpv: '50000000',
      estimatedValue: '80000',
      expectedYear: '2027',
      expectedQuarter: '2',
      lotCount: '1',
      reservedLots: '0',
    });
    const posted = await t.app.inject({
      method: 'POST',
      url: `/office/${a}/plan`,
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: form.toString(),
    });
    expect(posted.statusCode, posted.body).toBe(303);
    const location = String(posted.headers.location);
    const itemPage = await t.app.inject({
      method: 'GET',
      url: location,
      headers: { cookie: officer.cookie },
    });
    expect(itemPage.statusCode).toBe(200);
    expect(itemPage.body).toContain('Manteniment de fonts');
    expect(itemPage.body).toContain('/start-file');
    form.set('mainCpv', '50000000-1');
    const badCpv = await t.app.inject({
      method: 'POST',
      url: `/office/${a}/plan`,
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: form.toString(),
    });
    expect(badCpv.statusCode).toBe(422);
    expect(badCpv.body).toContain('error-summary');
    const auditorPage = await t.app.inject({
      method: 'GET',
      url: `/office/${a}/plan`,
      headers: { cookie: auditor.cookie },
    });
    expect(auditorPage.statusCode).toBe(200);
    expect(auditorPage.body).not.toContain('name="titleCa"');
    const otherPage = await t.app.inject({
      method: 'GET',
      url: `/office/${a}/plan`,
      headers: { cookie: otherOfficer.cookie },
    });
    expect(otherPage.statusCode).toBe(404);
  });

  it('seeds a demo plan for authorities that have an officer and no plan yet', async () => {
    const c = (await makeAuthority(t)).id;
    await makeUser(t, { roles: [{ authorityId: c, roles: ['procurement_officer'] }] });
    const ctx = {
      actor: { kind: 'system' as const, label: 'test' },
      clock: t.clock,
      ip: null,
      userAgent: null,
    };
    const created = await t.db.db.transaction().execute((trx) => seedDemoPlan(trx, ctx));
    expect(created).toBe(6);
    const found = await search(`authority=${c}`);
    expect(found.total).toBe(6);
  });
});
