import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/platform/ids.js';
import {
  buildTestApp,
  login,
  makeAuthority,
  makeCompany,
  makeUser,
  PASSWORD,
  rowCounts,
  type Session,
  type TestApp,
  unique,
} from '../helpers/app.js';
import { driverName } from '../helpers/db.js';
import { validNif } from '../helpers/tax-ids.js';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

describe(`tenancy isolation (${driverName})`, () => {
  let t: TestApp;
  let A: { id: string };
  let B: { id: string };
  let adminA: { id: string; email: string };
  let auditorA: { id: string; email: string };
  let adminB: { id: string; email: string };
  let officerB: { id: string; email: string };
  let sAdminA: Session;
  let sAuditorA: Session;
  let sAdminB: Session;

  beforeAll(async () => {
    t = await buildTestApp();
    A = await makeAuthority(t);
    B = await makeAuthority(t);
    adminA = await makeUser(t, { roles: [{ authorityId: A.id, roles: ['authority_admin'] }] });
    auditorA = await makeUser(t, { roles: [{ authorityId: A.id, roles: ['auditor'] }] });
    adminB = await makeUser(t, { roles: [{ authorityId: B.id, roles: ['authority_admin'] }] });
    officerB = await makeUser(t, { roles: [{ authorityId: B.id, roles: ['procurement_officer'] }] });
    sAdminA = await login(t, adminA.email, PASSWORD, { remoteAddress: '10.30.0.1' });
    sAuditorA = await login(t, auditorA.email, PASSWORD, { remoteAddress: '10.30.0.2' });
    sAdminB = await login(t, adminB.email, PASSWORD, { remoteAddress: '10.30.0.3' });
    // B has history, so that an empty answer could not pass for a refusal.
    const res = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/authorities/${B.id}`,
      headers: sAdminB.headers,
      payload: { priceWeightCap: '40' },
    });
    expect(res.statusCode, res.body).toBe(200);
  });
  afterAll(async () => t.close());

  async function membershipsOf(authorityId: string) {
    return t.db.db
      .selectFrom('membership')
      .select(['user_id', 'roles'])
      .where('authority_id', '=', authorityId)
      .orderBy('user_id')
      .execute();
  }

  async function authorityRow(id: string) {
    return t.db.db.selectFrom('authority').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  }

  /** The routes internal to authority B, as a user of A would try them. */
  function internalRoutesOfB(): { method: Method; url: () => string; payload?: () => object }[] {
    return [
      { method: 'GET', url: () => `/api/v1/authorities/${B.id}/settings` },
      {
        method: 'PATCH',
        url: () => `/api/v1/authorities/${B.id}`,
        payload: () => ({ priceWeightCap: '10', name: { ca: 'Pres', es: 'Tomada', en: 'Taken' } }),
      },
      { method: 'GET', url: () => `/api/v1/authorities/${B.id}/members` },
      {
        method: 'POST',
        url: () => `/api/v1/authorities/${B.id}/members`,
        payload: () => ({
          email: `${unique('intruder')}@test.example`,
          name: 'Intruder',
          roles: ['auditor'],
        }),
      },
      {
        method: 'POST',
        url: () => `/api/v1/authorities/${B.id}/members`,
        // An existing user of A, to be slipped into B.
        payload: () => ({ email: adminA.email, name: 'Me', roles: ['authority_admin'] }),
      },
      {
        method: 'PUT',
        url: () => `/api/v1/authorities/${B.id}/members/${officerB.id}`,
        payload: () => ({ roles: ['authority_admin'] }),
      },
      {
        method: 'PUT',
        url: () => `/api/v1/authorities/${B.id}/members/${adminB.id}`,
        payload: () => ({ roles: ['auditor'] }),
      },
      { method: 'DELETE', url: () => `/api/v1/authorities/${B.id}/members/${officerB.id}` },
      { method: 'DELETE', url: () => `/api/v1/authorities/${B.id}/members/${adminB.id}` },
      { method: 'GET', url: () => `/api/v1/authorities/${B.id}/audit-events` },
      { method: 'GET', url: () => `/api/v1/authorities/${B.id}/audit-events?action=authority.updated` },
    ];
  }

  for (const who of ['authority_admin', 'auditor'] as const) {
    describe(`an ${who} of A`, () => {
      for (const [i, route] of internalRoutesOfB().entries()) {
        it(`gets 404 for ${route.method} #${i} on B, and nothing changes`, async () => {
          const session = who === 'authority_admin' ? sAdminA : sAuditorA;
          const countsBefore = await rowCounts(t);
          const membersBefore = await membershipsOf(B.id);
          const bBefore = await authorityRow(B.id);
          const res = await t.app.inject({
            method: route.method,
            url: route.url(),
            headers: session.headers,
            ...(route.payload ? { payload: route.payload() } : {}),
          });
          expect(res.statusCode, res.body).toBe(404);
          expect((res.json() as { code: string }).code).toBe('NOT_FOUND');
          expect(await rowCounts(t)).toEqual(countsBefore);
          expect(await membershipsOf(B.id)).toEqual(membersBefore);
          expect(await authorityRow(B.id)).toEqual(bBefore);
        });
      }
    });
  }

  it('answers a user of A about B exactly as about an authority that does not exist', async () => {
    for (const suffix of ['settings', 'members', 'audit-events']) {
      const real = await t.app.inject({
        url: `/api/v1/authorities/${B.id}/${suffix}`,
        headers: sAdminA.headers,
      });
      const forged = await t.app.inject({
        url: `/api/v1/authorities/${newId()}/${suffix}`,
        headers: sAdminA.headers,
      });
      expect(real.statusCode).toBe(404);
      expect(forged.statusCode).toBe(404);
      expect(real.json()).toEqual(forged.json());
    }
  });

  it('lets the same users reach their own authority (the refusals above are about tenancy)', async () => {
    for (const [session, path, status] of [
      [sAdminA, `/api/v1/authorities/${A.id}/settings`, 200],
      [sAdminA, `/api/v1/authorities/${A.id}/members`, 200],
      [sAuditorA, `/api/v1/authorities/${A.id}/members`, 200],
      [sAuditorA, `/api/v1/authorities/${A.id}/audit-events`, 200],
      [sAdminB, `/api/v1/authorities/${B.id}/members`, 200],
    ] as const) {
      const res = await t.app.inject({ url: path, headers: session.headers });
      expect(res.statusCode, `${path}: ${res.body}`).toBe(status);
    }
    const membersA = (
      await t.app.inject({ url: `/api/v1/authorities/${A.id}/members`, headers: sAuditorA.headers })
    ).json() as { userId: string }[];
    expect(membersA.map((m) => m.userId).sort()).toEqual([adminA.id, auditorA.id].sort());
  });

  it("does not show B's events in A's audit trail, even to A's auditor", async () => {
    const res = await t.app.inject({
      url: `/api/v1/authorities/${A.id}/audit-events?limit=500`,
      headers: sAuditorA.headers,
    });
    expect(res.statusCode).toBe(200);
    const events = res.json() as { authorityId: string | null; objectId: string }[];
    expect(events.every((e) => e.authorityId === A.id)).toBe(true);
    expect(events.some((e) => e.objectId === B.id)).toBe(false);
    const bEvents = await t.db.db
      .selectFrom('audit_event')
      .select('id')
      .where('authority_id', '=', B.id)
      .execute();
    expect(bEvents.length).toBeGreaterThan(0);
  });

  it("refuses an administrator of A who addresses B's member through A's routes", async () => {
    const before = await membershipsOf(B.id);
    for (const method of ['PUT', 'DELETE'] as const) {
      const res = await t.app.inject({
        method,
        url: `/api/v1/authorities/${A.id}/members/${officerB.id}`,
        headers: sAdminA.headers,
        ...(method === 'PUT' ? { payload: { roles: ['auditor'] } } : {}),
      });
      expect(res.statusCode, res.body).toBe(404);
    }
    expect(await membershipsOf(B.id)).toEqual(before);
    expect(await membershipsOf(A.id)).toHaveLength(2);
  });

  describe('companies', () => {
    let c1: { id: string };
    let c2: { id: string };
    let c2Email: string;
    let s1: Session;
    let sStaff: Session;

    beforeAll(async () => {
      c1 = await makeCompany(t, validNif());
      c2 = await makeCompany(t, validNif());
      const u1 = await makeUser(t, { companies: [{ companyId: c1.id, roles: ['company_admin'] }] });
      await makeUser(t, { companies: [{ companyId: c2.id, roles: ['company_admin'] }] });
      c2Email = newId();
      await t.db.db
        .insertInto('company_email')
        .values({ id: c2Email, company_id: c2.id, email: 'office@c2.test' })
        .execute();
      s1 = await login(t, u1.email, PASSWORD, { remoteAddress: '10.30.0.4' });
      sStaff = sAdminA;
    });

    const routes: { method: Method; url: () => string; payload?: object }[] = [
      { method: 'GET', url: () => `/api/v1/companies/${c2.id}` },
      { method: 'PATCH', url: () => `/api/v1/companies/${c2.id}`, payload: { legalName: 'Hijacked SL' } },
      { method: 'GET', url: () => `/api/v1/companies/${c2.id}/members` },
      {
        method: 'POST',
        url: () => `/api/v1/companies/${c2.id}/members`,
        payload: { email: 'mole@test.example', name: 'Mole', roles: ['company_admin'] },
      },
      {
        method: 'POST',
        url: () => `/api/v1/companies/${c2.id}/emails`,
        payload: { email: 'phish@test.example', purpose: 'billing' },
      },
      { method: 'DELETE', url: () => `/api/v1/companies/${c2.id}/emails/${c2Email}` },
    ];

    for (const [i, route] of routes.entries()) {
      it(`gives another company's user 404 for ${route.method} #${i}, and nothing changes`, async () => {
        const before = await rowCounts(t);
        const companyBefore = await t.db.db
          .selectFrom('company')
          .selectAll()
          .where('id', '=', c2.id)
          .executeTakeFirstOrThrow();
        for (const session of [s1, sStaff]) {
          const res = await t.app.inject({
            method: route.method,
            url: route.url(),
            headers: session.headers,
            ...(route.payload ? { payload: route.payload } : {}),
          });
          expect(res.statusCode, res.body).toBe(404);
          expect((res.json() as { code: string }).code).toBe('NOT_FOUND');
        }
        expect(await rowCounts(t)).toEqual(before);
        expect(
          await t.db.db.selectFrom('company').selectAll().where('id', '=', c2.id).executeTakeFirstOrThrow(),
        ).toEqual(companyBefore);
      });
    }

    it("lets a company's user reach its own company", async () => {
      const res = await t.app.inject({ url: `/api/v1/companies/${c1.id}`, headers: s1.headers });
      expect(res.statusCode, res.body).toBe(200);
      expect((res.json() as { id: string }).id).toBe(c1.id);
    });

    it("refuses to delete another company's email through one's own company", async () => {
      const before = await rowCounts(t);
      const res = await t.app.inject({
        method: 'DELETE',
        url: `/api/v1/companies/${c1.id}/emails/${c2Email}`,
        headers: s1.headers,
      });
      expect(res.statusCode, res.body).toBe(404);
      expect(await rowCounts(t)).toEqual(before);
    });
  });

  describe('API tokens', () => {
    /** Administrator of A and B and a platform administrator: only the token's scope restricts it. */
    let owner: { id: string; email: string };
    let sOwner: Session;
    let tokenA: string;
    let tokenAId: string;

    beforeAll(async () => {
      owner = await makeUser(t, {
        platformAdmin: true,
        roles: [
          { authorityId: A.id, roles: ['authority_admin'] },
          { authorityId: B.id, roles: ['authority_admin'] },
        ],
      });
      sOwner = await login(t, owner.email, PASSWORD, { remoteAddress: '10.30.0.5' });
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/me/api-tokens',
        headers: sOwner.headers,
        payload: { name: 'erp', authorityId: A.id, expiresInDays: 30 },
      });
      expect(res.statusCode, res.body).toBe(201);
      const body = res.json() as { token: string; apiToken: { id: string } };
      tokenA = body.token;
      tokenAId = body.apiToken.id;
    });

    const bearer = () => ({ authorization: `Bearer ${tokenA}` });

    it("reaches its own authority, while the owner's session reaches both", async () => {
      const own = await t.app.inject({ url: `/api/v1/authorities/${A.id}/settings`, headers: bearer() });
      expect(own.statusCode, own.body).toBe(200);
      const viaSession = await t.app.inject({
        url: `/api/v1/authorities/${B.id}/settings`,
        headers: sOwner.headers,
      });
      expect(viaSession.statusCode, viaSession.body).toBe(200);
    });

    it('gets 404 for every internal route of B', async () => {
      for (const route of internalRoutesOfB()) {
        const before = await rowCounts(t);
        const membersBefore = await membershipsOf(B.id);
        const res = await t.app.inject({
          method: route.method,
          url: route.url(),
          headers: bearer(),
          ...(route.payload ? { payload: route.payload() } : {}),
        });
        expect(res.statusCode, `${route.method} ${route.url()}: ${res.body}`).toBe(404);
        expect((res.json() as { code: string }).code).toBe('NOT_FOUND');
        expect(await rowCounts(t)).toEqual(before);
        expect(await membershipsOf(B.id)).toEqual(membersBefore);
      }
    });

    it('cannot do platform actions although its owner is a platform administrator', async () => {
      const attempts: { method: Method; url: string; payload?: object }[] = [
        {
          method: 'POST',
          url: '/api/v1/authorities',
          payload: {
            slug: 'token-made',
            name: { ca: 'T', es: 'T', en: 'T' },
            dir3Code: 'L07777777',
            ocidPrefix: 'ocds-tok777',
          },
        },
        {
          method: 'POST',
          url: '/api/v1/consortia',
          payload: { slug: 'token-consortium', name: { ca: 'T', es: 'T', en: 'T' } },
        },
        { method: 'GET', url: '/api/v1/audit-events' },
      ];
      for (const a of attempts) {
        const before = await rowCounts(t);
        const res = await t.app.inject({
          method: a.method,
          url: a.url,
          headers: bearer(),
          ...(a.payload ? { payload: a.payload } : {}),
        });
        expect(res.statusCode, `${a.method} ${a.url}: ${res.body}`).toBe(403);
        expect((res.json() as { code: string }).code).toBe('FORBIDDEN');
        expect(await rowCounts(t)).toEqual(before);
      }
      // The owner's session may: the refusal is the token's.
      const res = await t.app.inject({ url: '/api/v1/audit-events', headers: sOwner.headers });
      expect(res.statusCode).toBe(200);
    });

    it('reports only its scope on /me', async () => {
      const res = await t.app.inject({ url: '/api/v1/me', headers: bearer() });
      expect(res.statusCode).toBe(200);
      const me = res.json() as {
        isPlatformAdmin: boolean;
        via: string;
        authorities: { authorityId: string }[];
      };
      expect(me.via).toBe('token');
      expect(me.isPlatformAdmin).toBe(false);
      expect(me.authorities.map((x) => x.authorityId)).toEqual([A.id]);
    });

    it("cannot revoke another user's token (404), from a session or with a token", async () => {
      const other = await makeUser(t, { roles: [{ authorityId: B.id, roles: ['procurement_officer'] }] });
      const sOther = await login(t, other.email, PASSWORD, { remoteAddress: '10.30.0.6' });
      const created = await t.app.inject({
        method: 'POST',
        url: '/api/v1/me/api-tokens',
        headers: sOther.headers,
        payload: { name: 'other', authorityId: B.id, expiresInDays: 10 },
      });
      expect(created.statusCode, created.body).toBe(201);
      const otherToken = created.json() as { token: string; apiToken: { id: string } };

      const before = await rowCounts(t);
      const fromSession = await t.app.inject({
        method: 'DELETE',
        url: `/api/v1/me/api-tokens/${otherToken.apiToken.id}`,
        headers: sOwner.headers,
      });
      expect(fromSession.statusCode, fromSession.body).toBe(404);
      expect((fromSession.json() as { code: string }).code).toBe('NOT_FOUND');
      // Tokens are managed from a browser session only: a token cannot revoke anything.
      const fromToken = await t.app.inject({
        method: 'DELETE',
        url: `/api/v1/me/api-tokens/${otherToken.apiToken.id}`,
        headers: bearer(),
      });
      expect(fromToken.statusCode, fromToken.body).toBe(403);
      const ownFromToken = await t.app.inject({
        method: 'DELETE',
        url: `/api/v1/me/api-tokens/${tokenAId}`,
        headers: bearer(),
      });
      expect(ownFromToken.statusCode, ownFromToken.body).toBe(403);
      expect(await rowCounts(t)).toEqual(before);
      const row = await t.db.db
        .selectFrom('api_token')
        .select('revoked_at')
        .where('id', '=', otherToken.apiToken.id)
        .executeTakeFirstOrThrow();
      expect(row.revoked_at).toBeNull();
      // The other token still works.
      const stillWorks = await t.app.inject({
        url: `/api/v1/authorities/${B.id}/settings`,
        headers: { authorization: `Bearer ${otherToken.token}` },
      });
      expect(stillWorks.statusCode).toBe(200);
    });

    it('cannot be minted for an authority its owner does not belong to', async () => {
      const C = await makeAuthority(t);
      const before = await rowCounts(t);
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/me/api-tokens',
        headers: sAdminA.headers,
        payload: { name: 'sneaky', authorityId: C.id, expiresInDays: 5 },
      });
      expect(res.statusCode, res.body).toBe(404);
      expect(await rowCounts(t)).toEqual(before);
    });
  });
});
