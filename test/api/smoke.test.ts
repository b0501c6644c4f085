import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, login, makeUser, type TestApp } from '../helpers/app.js';
import { driverName } from '../helpers/db.js';

describe(`smoke (${driverName})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp();
  });
  afterAll(async () => t.close());

  it('serves health and readiness', async () => {
    expect((await t.app.inject('/healthz')).json()).toEqual({ status: 'ok' });
    expect((await t.app.inject('/readyz')).json()).toEqual({ status: 'ready', database: driverName });
  });

  it('lets a platform admin create an authority, with its audit event in the store', async () => {
    const admin = await makeUser(t, { platformAdmin: true });
    const s = await login(t, admin.email);
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/authorities',
      headers: s.headers,
      payload: {
        slug: 'sant-cugat',
        name: {
          ca: 'Ajuntament de Sant Cugat',
          es: 'Ayuntamiento de Sant Cugat',
          en: 'Sant Cugat City Council',
        },
        dir3Code: 'L01082054',
        ocidPrefix: 'ocds-stcuga',
        priceWeightCap: '35',
      },
    });
    expect(res.statusCode, res.body).toBe(201);
    const body = res.json() as { id: string; priceWeightCap: string; approvalChain: string[] };
    expect(body.priceWeightCap).toBe('35.00');
    const events = await t.db.db
      .selectFrom('audit_event')
      .selectAll()
      .where('object_id', '=', body.id)
      .execute();
    expect(events.map((e) => e.action)).toEqual(['authority.created']);
    expect(events[0]?.actor_user_id).toBe(admin.id);
    expect(JSON.parse(events[0]?.canonical ?? '{}').action).toBe('authority.created');
  });
});
