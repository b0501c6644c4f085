import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildTestApp,
  login,
  makeAuthority,
  makeCompany,
  makeUser,
  type Session,
  type TestApp,
} from '../helpers/app.js';
import { driverName } from '../helpers/db.js';
import { validNif } from '../helpers/tax-ids.js';

/** The scoring simulator: POST /api/v1/formulas/simulate and the page /office/formula-simulator. */
describe(`formula simulator (${driverName})`, () => {
  let t: TestApp;
  let staff: Session;
  let bidder: Session;
  let staffCookie: string;

  beforeAll(async () => {
    t = await buildTestApp();
    const authorityId = (await makeAuthority(t)).id;
    const officer = await makeUser(t, { roles: [{ authorityId, roles: ['committee_member'] }] });
    staff = await login(t, officer.email);
    staffCookie = staff.cookie;
    const companyId = (await makeCompany(t, validNif())).id;
    const b = await makeUser(t, { companies: [{ companyId, roles: ['bidder'] }] });
    bidder = await login(t, b.email);
  });
  afterAll(async () => {
    await t?.close();
  });

  const simulate = (s: Session | undefined, payload: object) =>
    t.app.inject({
      method: 'POST',
      url: '/api/v1/formulas/simulate',
      payload,
      ...(s ? { headers: s.headers } : {}),
    });

  const F3 = {
    kind: 'price',
    formula: 'F3',
    params: { minPoints: '5' },
    decimals: 2,
    zeroDivisor: 'all_zero',
  };

  it('scores sample offers with O_min and B_max, and screens them for abnormally low offers', async () => {
    const res = await simulate(staff, {
      spec: F3,
      maxPoints: '35',
      budget: '100000',
      offers: [
        { id: 'a', amount: '80000' },
        { id: 'b', amount: '90000' },
        { id: 'c', amount: '100000' },
        { id: 'd', amount: '60000' },
      ],
    });
    expect(res.statusCode).toBe(200);
    const body = res.json() as {
      scores: { id: string; points: string }[];
      reference: { lowest: string; maxDiscount: string };
      abnormal: { rule: string; offers: { id: string; abnormal: boolean }[] };
    };
    // F3: P_0 + (P_max − P_0) × B_i / B_max with B_max = 0.4.
    expect(body.scores.map((s) => [s.id, s.points])).toEqual([
      ['a', '20.00'],
      ['b', '12.50'],
      ['c', '5.00'],
      ['d', '35.00'],
    ]);
    expect(body.reference).toMatchObject({ lowest: '60000', maxDiscount: '0.4' });
    // RGLCAP art. 85.4 by default: mean 82 500, d is more than 10 units below it.
    expect(body.abnormal.rule).toBe('rglcap85');
    expect(body.abnormal.offers.filter((o) => o.abnormal).map((o) => o.id)).toEqual(['d']);
  });

  it('takes the notice’s own abnormal-offer test, and gives scales no screening', async () => {
    const res = await simulate(staff, {
      spec: F3,
      maxPoints: '35',
      budget: '100000',
      offers: [
        { id: 'a', amount: '80000' },
        { id: 'b', amount: '90000' },
      ],
      abnormal: { kind: 'notice', tests: [{ kind: 'percent_below_budget', units: '15' }] },
    });
    expect(res.statusCode).toBe(200);
    const abnormal = (res.json() as { abnormal: { case: string; offers: { abnormal: boolean }[] } }).abnormal;
    expect(abnormal.case).toBe('notice');
    expect(abnormal.offers.map((o) => o.abnormal)).toEqual([true, false]);
    const scale = await simulate(staff, {
      spec: {
        kind: 'scale',
        scale: 'linear',
        direction: 'lower_better',
        params: { worst: '48', best: '4' },
        decimals: 2,
      },
      maxPoints: '20',
      offers: [
        { id: 'a', amount: '4' },
        { id: 'b', amount: '26' },
      ],
    });
    expect(scale.statusCode).toBe(200);
    expect(scale.json()).toMatchObject({
      scores: [{ points: '20.00' }, { points: '10.00' }],
      abnormal: null,
    });
  });

  it('refuses invalid specs with the validator’s codes, unknown fields, and too many offers', async () => {
    const bad = await simulate(staff, {
      spec: { ...F3, params: {} },
      maxPoints: '35',
      budget: '100000',
      offers: [],
    });
    expect(bad.statusCode).toBe(422);
    expect(bad.json()).toMatchObject({
      code: 'UNPROCESSABLE',
      details: { problems: [{ code: 'PARAM_MISSING', path: 'params.minPoints' }] },
    });
    const noBudget = await simulate(staff, { spec: F3, maxPoints: '35', offers: [{ id: 'a', amount: '1' }] });
    expect(noBudget.statusCode).toBe(422);
    const unknown = await simulate(staff, {
      spec: { ...F3, extra: 1 },
      maxPoints: '35',
      budget: '1',
      offers: [],
    });
    expect(unknown.statusCode).toBe(400);
    const many = Array.from({ length: 201 }, (_, i) => ({ id: String(i), amount: '1' }));
    const tooMany = await simulate(staff, { spec: F3, maxPoints: '35', budget: '100', offers: many });
    expect(tooMany.statusCode).toBe(400);
  });

  it('is for authority staff only', async () => {
    const payload = { spec: F3, maxPoints: '35', budget: '100', offers: [] };
    expect((await simulate(undefined, payload)).statusCode).toBe(401);
    expect((await simulate(bidder, payload)).statusCode).toBe(403);
  });

  it('renders the page and computes a table of points without JavaScript', async () => {
    const page = await t.app.inject({
      method: 'GET',
      url: '/office/formula-simulator',
      headers: { cookie: staffCookie },
    });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('id="offers"');
    const token = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
    const setCookies = page.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
    const cookie = setCookies ? `${staffCookie}; ${setCookies}` : staffCookie;
    const post = (fields: Record<string, string>) =>
      t.app.inject({
        method: 'POST',
        url: '/office/formula-simulator',
        payload: new URLSearchParams({ ...fields, _csrf: token }).toString(),
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      });
    const fields = {
      formula: 'F3',
      direction: 'higher_better',
      formulaParams: 'minPoints=5',
      decimals: '2',
      zeroDivisor: 'all_zero',
      maxPoints: '35',
      budget: '100000',
      offers: '80000\n90000 g1\n100000\n60000',
      abnormal: '',
      abnormalCombine: 'any',
    };
    const ok = await post(fields);
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toContain('id="sim-scores"');
    expect(ok.body).toContain('<td>20.00</td>');
    expect(ok.body).toContain('<td>12.50</td>');
    const bad = await post({ ...fields, formulaParams: 'minPoints=50', offers: 'abc' });
    expect(bad.statusCode).toBe(422);
    expect(bad.body).toContain('id="error-summary"');
    expect(bad.body).toContain('href="#offers"');
    const bad2 = await post({ ...fields, formulaParams: 'minPoints=50' });
    expect(bad2.statusCode).toBe(422);
    expect(bad2.body).toContain('href="#formulaParams"');
  });
});
