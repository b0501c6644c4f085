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
import { loadDemoCpv, tenderPayload } from '../helpers/tenders.js';

type Holiday = { day: string; name: { ca: string }; kind: string; origin: string; applies: boolean };
type Finding = { code: string; details?: { earliest?: string } };

describe(`authority holidays (${driverName})`, () => {
  let t: TestApp;
  let a: string;
  let b: string;
  let admin: Session;
  let officer: Session;
  let otherAdmin: Session;
  let tenderId: string;
  const url = (authorityId: string, day = '') =>
    `/api/v1/authorities/${authorityId}/holidays${day ? `/${day}` : ''}`;

  beforeAll(async () => {
    // Thursday 26 November 2026, 11:00 in Madrid.
    t = await buildTestApp({ now: new Date('2026-11-26T10:00:00Z') });
    await loadDemoCpv(t);
    a = (await makeAuthority(t)).id;
    b = (await makeAuthority(t)).id;
    admin = await login(
      t,
      (await makeUser(t, { roles: [{ authorityId: a, roles: ['authority_admin'] }] })).email,
    );
    officer = await login(
      t,
      (await makeUser(t, { roles: [{ authorityId: a, roles: ['procurement_officer'] }] })).email,
    );
    otherAdmin = await login(
      t,
      (await makeUser(t, { roles: [{ authorityId: b, roles: ['authority_admin'] }] })).email,
    );
    // An abbreviated simplified open procedure: 10 business days from publication (art. 159.6.a).
    // The deadline is tomorrow, so the finding always reports the earliest allowed deadline.
    const now = t.clock.now();
    const base = tenderPayload(now);
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/v1/authorities/${a}/tenders`,
      headers: officer.headers,
      payload: {
        ...base,
        procedure: 'abierto_simplificado_abreviado',
        estimatedValue: '30000.00',
        budgetExclVat: '30000.00',
        budgetInclVat: '36300.00',
        tenderDeadline: new Date(now.getTime() + 86_400_000).toISOString(),
        questionsDeadline: null,
        lots: [{ ...base.lots[0]!, estimatedValue: '30000', budgetExclVat: '30000' }],
      },
    });
    expect(res.statusCode, res.body).toBe(201);
    tenderId = (res.json() as { id: string }).id;
  });
  afterAll(async () => t.close());

  /** The earliest deadline the tender checks compute now, on the authority's current calendar. */
  const earliest = async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: `/api/v1/authorities/${a}/tenders/${tenderId}`,
      headers: officer.headers,
    });
    expect(res.statusCode, res.body).toBe(200);
    const f = (res.json() as { findings: Finding[] }).findings.find(
      (x) => x.code === 'TENDER_PERIOD_TOO_SHORT',
    );
    return f?.details?.earliest;
  };
  const list = async (authorityId = a, year = 2026) => {
    const res = await t.app.inject({ method: 'GET', url: `${url(authorityId)}?year=${year}` });
    expect(res.statusCode, res.body).toBe(200);
    return (res.json() as { holidays: Holiday[] }).holidays;
  };
  const events = (action: string) =>
    t.db.db
      .selectFrom('audit_event')
      .select(['object_id', 'authority_id', 'data'])
      .where('action', '=', action)
      .where('authority_id', '=', a)
      .execute();

  it('lists the official national and Catalan days of a year to anyone', async () => {
    const days = await list();
    expect(days.map((h) => h.day)).toContain('2026-06-24');
    expect(days.every((h) => h.day.startsWith('2026-') && h.applies && h.origin === 'official')).toBe(true);
    expect(days.find((h) => h.day === '2026-09-11')).toMatchObject({ kind: 'regional' });
    expect(days.find((h) => h.day === '2026-12-08')).toMatchObject({ kind: 'national' });
    const all = await t.app.inject({ method: 'GET', url: url(a) });
    expect((all.json() as { holidays: Holiday[] }).holidays.some((h) => h.day.startsWith('2027-'))).toBe(
      true,
    );
  });

  it('computes the earliest deadline on the official calendar first', async () => {
    // 10 business days after Thu 26 Nov, skipping the weekends and Tue 8 Dec: Fri 11 Dec, 00:00 Madrid.
    expect(await earliest()).toBe('2026-12-10T23:00:00.000Z');
  });

  it('adds a local holiday, audited, and the computed deadline moves by a business day', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: url(a),
      headers: admin.headers,
      payload: { day: '2026-12-02', name: 'Festa major' },
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({
      day: '2026-12-02',
      kind: 'local',
      origin: 'authority',
      applies: true,
    });
    expect((await list()).find((h) => h.day === '2026-12-02')?.name.ca).toBe('Festa major');
    expect(await earliest()).toBe('2026-12-13T23:00:00.000Z');
    expect(await events('holiday.added')).toEqual([
      {
        object_id: `${a}:2026-12-02`,
        authority_id: a,
        data: { day: '2026-12-02', name: 'Festa major', kind: 'local' },
      },
    ]);
    // Only this authority's calendar changed.
    expect((await list(b)).some((h) => h.day === '2026-12-02')).toBe(false);
  });

  it('removes the local day again: the deadline moves back', async () => {
    const res = await t.app.inject({ method: 'DELETE', url: url(a, '2026-12-02'), headers: admin.headers });
    expect(res.statusCode, res.body).toBe(204);
    expect(await earliest()).toBe('2026-12-10T23:00:00.000Z');
    expect((await events('holiday.removed')).map((e) => e.object_id)).toEqual([`${a}:2026-12-02`]);
  });

  it('excludes an official day that does not apply locally, and restores it', async () => {
    const del = await t.app.inject({ method: 'DELETE', url: url(a, '2026-12-08'), headers: admin.headers });
    expect(del.statusCode, del.body).toBe(204);
    expect((await list()).find((h) => h.day === '2026-12-08')).toMatchObject({
      applies: false,
      origin: 'official',
    });
    // 8 December is a business day here now: the tenth business day is Thursday 10 December.
    expect(await earliest()).toBe('2026-12-09T23:00:00.000Z');
    expect((await list(b)).find((h) => h.day === '2026-12-08')?.applies).toBe(true);
    expect(await events('holiday.excluded')).toHaveLength(1);

    const again = await t.app.inject({ method: 'DELETE', url: url(a, '2026-12-08'), headers: admin.headers });
    expect(again.statusCode).toBe(404);

    const restore = await t.app.inject({
      method: 'POST',
      url: url(a),
      headers: admin.headers,
      payload: { day: '2026-12-08', name: 'Immaculada' },
    });
    expect(restore.statusCode, restore.body).toBe(201);
    expect(restore.json()).toMatchObject({ origin: 'official', applies: true, kind: 'national' });
    expect(await earliest()).toBe('2026-12-10T23:00:00.000Z');
    expect(await events('holiday.restored')).toHaveLength(1);
  });

  it('makes an official day that the authority had also added a business day in one removal', async () => {
    // An own row written before the official data listed the same day (data corrected later).
    await t.db.db
      .insertInto('authority_holiday')
      .values({ authority_id: a, day: '2026-12-25', name: 'Nadal (local)', kind: 'local' })
      .execute();
    const del = await t.app.inject({ method: 'DELETE', url: url(a, '2026-12-25'), headers: admin.headers });
    expect(del.statusCode, del.body).toBe(204);
    expect((await list()).find((h) => h.day === '2026-12-25')).toMatchObject({ applies: false });
    const restore = await t.app.inject({
      method: 'POST',
      url: url(a),
      headers: admin.headers,
      payload: { day: '2026-12-25', name: 'Nadal' },
    });
    expect(restore.statusCode, restore.body).toBe(201);
  });

  it('replaces an official day with another (exclude one, add the other)', async () => {
    expect(
      (await t.app.inject({ method: 'DELETE', url: url(a, '2027-06-24'), headers: admin.headers }))
        .statusCode,
    ).toBe(204);
    const add = await t.app.inject({
      method: 'POST',
      url: url(a),
      headers: admin.headers,
      payload: { day: '2027-06-17', name: "Festa d'Aran", kind: 'regional' },
    });
    expect(add.statusCode, add.body).toBe(201);
    const days = await list(a, 2027);
    expect(days.find((h) => h.day === '2027-06-24')?.applies).toBe(false);
    expect(days.find((h) => h.day === '2027-06-17')).toMatchObject({ applies: true, kind: 'regional' });
  });

  it.each([
    ['an impossible date', { day: '2026-02-30', name: 'X' }, 422, 'UNPROCESSABLE'],
    ['a malformed date', { day: '26-12-2', name: 'X' }, 400, 'VALIDATION_FAILED'],
    ['a month 13', { day: '2026-13-01', name: 'X' }, 422, 'UNPROCESSABLE'],
    ['a Saturday', { day: '2026-12-05', name: 'X' }, 422, 'UNPROCESSABLE'],
    ['a year already over', { day: '2025-12-01', name: 'X' }, 422, 'UNPROCESSABLE'],
    ['a year too far ahead', { day: '2040-12-03', name: 'X' }, 422, 'UNPROCESSABLE'],
    ['an empty name', { day: '2026-12-03', name: '' }, 400, 'VALIDATION_FAILED'],
    ['a blank name', { day: '2026-12-03', name: '   ' }, 400, 'VALIDATION_FAILED'],
    ['an unknown kind', { day: '2026-12-03', name: 'X', kind: 'municipal' }, 400, 'VALIDATION_FAILED'],
    ['an unknown field', { day: '2026-12-03', name: 'X', extra: 1 }, 400, 'VALIDATION_FAILED'],
    ['an official day that applies', { day: '2026-12-25', name: 'Nadal' }, 409, 'CONFLICT'],
  ] as const)('refuses %s and writes nothing', async (_name, payload, status, code) => {
    const before = await rowCounts(t);
    const res = await t.app.inject({ method: 'POST', url: url(a), headers: admin.headers, payload });
    expect(res.statusCode, res.body).toBe(status);
    expect((res.json() as { code: string }).code).toBe(code);
    expect(await rowCounts(t)).toEqual(before);
  });

  it('refuses a day added twice with CONFLICT', async () => {
    const add = () =>
      t.app.inject({
        method: 'POST',
        url: url(a),
        headers: admin.headers,
        payload: { day: '2026-12-31', name: 'Cap d’any local' },
      });
    expect((await add()).statusCode).toBe(201);
    const before = await rowCounts(t);
    const res = await add();
    expect(res.statusCode).toBe(409);
    expect(await rowCounts(t)).toEqual(before);
  });

  it.each([
    ['a malformed day', '2026-1-1', 400],
    ['an impossible day', '2026-02-30', 422],
    ['a day that is no holiday', '2026-12-03', 404],
    ['a past year', '2025-12-25', 422],
  ] as const)('refuses to remove %s and writes nothing', async (_name, day, status) => {
    const before = await rowCounts(t);
    const res = await t.app.inject({ method: 'DELETE', url: url(a, day), headers: admin.headers });
    expect(res.statusCode, res.body).toBe(status);
    expect(await rowCounts(t)).toEqual(before);
  });

  it('lets only the authority administrator edit: 403 for other roles, 404 for another authority, 401 signed out', async () => {
    const payload = { day: '2026-12-04', name: 'Festa' };
    const before = await rowCounts(t);
    const asOfficer = await t.app.inject({ method: 'POST', url: url(a), headers: officer.headers, payload });
    expect(asOfficer.statusCode).toBe(403);
    expect((asOfficer.json() as { code: string }).code).toBe('FORBIDDEN');
    const delOfficer = await t.app.inject({
      method: 'DELETE',
      url: url(a, '2026-12-25'),
      headers: officer.headers,
    });
    expect(delOfficer.statusCode).toBe(403);
    const asOther = await t.app.inject({ method: 'POST', url: url(a), headers: otherAdmin.headers, payload });
    expect(asOther.statusCode).toBe(404);
    expect((asOther.json() as { code: string }).code).toBe('NOT_FOUND');
    const delOther = await t.app.inject({
      method: 'DELETE',
      url: url(a, '2026-12-25'),
      headers: otherAdmin.headers,
    });
    expect(delOther.statusCode).toBe(404);
    const anonymous = await t.app.inject({ method: 'POST', url: url(a), payload });
    expect(anonymous.statusCode).toBe(401);
    expect(await rowCounts(t)).toEqual(before);
  });

  it('answers 404 for an unknown authority and 400 for a bad year', async () => {
    const unknown = await t.app.inject({ method: 'GET', url: url('00000000-0000-4000-8000-000000000000') });
    expect(unknown.statusCode).toBe(404);
    const badYear = await t.app.inject({ method: 'GET', url: `${url(a)}?year=abc` });
    expect(badYear.statusCode).toBe(400);
  });

  it('renders the admin page, and adds and removes days through its forms', async () => {
    const page = await t.app.inject({
      method: 'GET',
      url: `/admin/authorities/${a}/holidays?year=2026`,
      headers: { cookie: admin.cookie, 'accept-language': 'ca' },
    });
    expect(page.statusCode, page.body).toBe(200);
    expect(page.body).toContain('Calendari de festius');
    expect(page.body).toContain('<caption>');
    expect(page.body).toContain(`/admin/authorities/${a}/holidays/2026-12-25/remove`);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
    const cookie = [admin.cookie, ...page.cookies.map((c) => `${c.name}=${c.value}`)].join('; ');
    const form = (body: Record<string, string>) => new URLSearchParams({ _csrf: csrf, ...body }).toString();
    const posted = await t.app.inject({
      method: 'POST',
      url: `/admin/authorities/${a}/holidays`,
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: form({ day: '2026-12-29', name: 'Festa de la ciutat', kind: 'local' }),
    });
    expect(posted.statusCode, posted.body).toBe(303);
    expect((await list()).find((h) => h.day === '2026-12-29')?.origin).toBe('authority');
    const bad = await t.app.inject({
      method: 'POST',
      url: `/admin/authorities/${a}/holidays`,
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: form({ day: '2026-12-26', name: 'Dissabte', kind: 'local' }),
    });
    expect(bad.statusCode).toBe(422);
    expect(bad.body).toContain('error-summary');
    const removed = await t.app.inject({
      method: 'POST',
      url: `/admin/authorities/${a}/holidays/2026-12-29/remove`,
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: form({}),
    });
    expect(removed.statusCode, removed.body).toBe(303);
    expect((await list()).some((h) => h.day === '2026-12-29')).toBe(false);
    for (const lang of ['es', 'en']) {
      const p = await t.app.inject({
        method: 'GET',
        url: `/admin/authorities/${a}/holidays`,
        headers: { cookie: admin.cookie, 'accept-language': lang },
      });
      expect(p.statusCode).toBe(200);
      expect(p.body).toContain(lang === 'es' ? 'Calendario de festivos' : 'Holiday calendar');
    }
    const officerPage = await t.app.inject({
      method: 'GET',
      url: `/admin/authorities/${a}/holidays`,
      headers: { cookie: officer.cookie },
    });
    expect(officerPage.statusCode).toBe(200);
    expect(officerPage.body).not.toContain('/remove');
  });
});
