import type { InjectOptions, LightMyRequestResponse } from 'fastify';
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

/**
 * Refused input: every case checks the exact status and code, that nothing was written, and
 * (through `send`) that no response is a server error.
 */
describe(`bad input (${driverName})`, () => {
  let t: TestApp;
  let A: { id: string; slug: string };
  let B: { id: string; slug: string };
  let adminA: { id: string; email: string };
  let sPlatform: Session;
  let sAdminA: Session;
  let sCompany: Session;
  let companyId: string;
  let aRow: { dir3_code: string; ocid_prefix: string };

  // A fresh client address per request: the per-address limits (registration: 10 a minute)
  // must not turn a refusal under test into a 429.
  let ipCounter = 0;
  const nextIp = () => {
    ipCounter += 1;
    return `10.50.${Math.floor(ipCounter / 250)}.${(ipCounter % 250) + 1}`;
  };

  const responses: LightMyRequestResponse[] = [];
  async function send(options: InjectOptions): Promise<LightMyRequestResponse> {
    const res = await t.app.inject({ remoteAddress: nextIp(), ...options });
    responses.push(res);
    expect(res.statusCode, `${options.method} ${options.url}: ${res.body}`).toBeLessThan(500);
    return res;
  }

  /** Sends the request, expects the status and code, and that no table changed. */
  async function refused(
    options: InjectOptions,
    status: number,
    code: string,
  ): Promise<LightMyRequestResponse> {
    const before = await rowCounts(t);
    const sentBefore = t.mail.sent.length;
    const res = await send(options);
    expect(res.statusCode, res.body).toBe(status);
    expect((res.json() as { code: string }).code).toBe(code);
    expect(await rowCounts(t)).toEqual(before);
    expect(t.mail.sent.length).toBe(sentBefore);
    return res;
  }

  function registration(over: { taxId?: string; email?: string; password?: string } = {}) {
    return {
      legalName: 'Obres i Serveis SL',
      taxId: over.taxId ?? validNif(),
      isSme: true,
      address: { street: 'Carrer Nou 3', locality: 'Lleida', postalCode: '25001' },
      admin: {
        name: 'Anna Puig',
        email: over.email ?? `${unique('anna')}@test.example`,
        password: over.password ?? PASSWORD,
      },
    };
  }

  beforeAll(async () => {
    t = await buildTestApp();
    A = await makeAuthority(t);
    B = await makeAuthority(t);
    aRow = await t.db.db
      .selectFrom('authority')
      .select(['dir3_code', 'ocid_prefix'])
      .where('id', '=', A.id)
      .executeTakeFirstOrThrow();
    const platform = await makeUser(t, { platformAdmin: true });
    adminA = await makeUser(t, { roles: [{ authorityId: A.id, roles: ['authority_admin'] }] });
    await makeUser(t, { roles: [{ authorityId: B.id, roles: ['authority_admin'] }] });
    companyId = (await makeCompany(t, validNif())).id;
    const companyAdmin = await makeUser(t, { companies: [{ companyId, roles: ['company_admin'] }] });
    sPlatform = await login(t, platform.email, PASSWORD, { remoteAddress: nextIp() });
    sAdminA = await login(t, adminA.email, PASSWORD, { remoteAddress: nextIp() });
    sCompany = await login(t, companyAdmin.email, PASSWORD, { remoteAddress: nextIp() });
  });
  afterAll(async () => t.close());

  describe('malformed JSON', () => {
    for (const [name, body] of [
      ['truncated', '{"email":'],
      ['trailing comma', '{"email":"a@b.test","password":"x",}'],
      ['empty', ''],
      ['prototype poisoning', '{"email":"a@b.test","password":"x","__proto__":{"admin":true}}'],
    ] as const) {
      it(`answers 400 MALFORMED_JSON for a ${name} body`, async () => {
        await refused(
          {
            method: 'POST',
            url: '/api/v1/auth/login',
            headers: { 'content-type': 'application/json' },
            payload: body,
          },
          400,
          'MALFORMED_JSON',
        );
      });
    }

    it('answers 400 MALFORMED_JSON on an authenticated write too', async () => {
      await refused(
        {
          method: 'PATCH',
          url: `/api/v1/authorities/${A.id}`,
          headers: { ...sAdminA.headers, 'content-type': 'application/json' },
          payload: '{"priceWeightCap": "20"',
        },
        400,
        'MALFORMED_JSON',
      );
    });
  });

  describe('wrong types and unknown fields', () => {
    const json = { 'content-type': 'application/json' };
    const cases: { name: string; options: () => InjectOptions }[] = [
      {
        name: 'isSme: "yes"',
        options: () => ({
          method: 'POST',
          url: '/api/v1/companies',
          payload: { ...registration(), isSme: 'yes' },
        }),
      },
      {
        name: 'expiresInDays: "30"',
        options: () => ({
          method: 'POST',
          url: '/api/v1/me/api-tokens',
          headers: sAdminA.headers,
          payload: { name: 'x', authorityId: A.id, expiresInDays: '30' },
        }),
      },
      {
        name: 'expiresInDays: 1.5',
        options: () => ({
          method: 'POST',
          url: '/api/v1/me/api-tokens',
          headers: sAdminA.headers,
          payload: { name: 'x', authorityId: A.id, expiresInDays: 1.5 },
        }),
      },
      {
        name: 'expiresInDays above the maximum',
        options: () => ({
          method: 'POST',
          url: '/api/v1/me/api-tokens',
          headers: sAdminA.headers,
          payload: { name: 'x', authorityId: A.id, expiresInDays: 366 },
        }),
      },
      {
        name: 'priceWeightCap as a number',
        options: () => ({
          method: 'PATCH',
          url: `/api/v1/authorities/${A.id}`,
          headers: sAdminA.headers,
          payload: { priceWeightCap: 35 },
        }),
      },
      {
        name: 'roles as a string',
        options: () => ({
          method: 'POST',
          url: `/api/v1/authorities/${A.id}/members`,
          headers: sAdminA.headers,
          payload: { email: 'x@test.example', name: 'X', roles: 'auditor' },
        }),
      },
      {
        name: 'an unknown role',
        options: () => ({
          method: 'POST',
          url: `/api/v1/authorities/${A.id}/members`,
          headers: sAdminA.headers,
          payload: { email: 'x@test.example', name: 'X', roles: ['superuser'] },
        }),
      },
      {
        name: 'no roles',
        options: () => ({
          method: 'PUT',
          url: `/api/v1/authorities/${A.id}/members/${adminA.id}`,
          headers: sAdminA.headers,
          payload: { roles: [] },
        }),
      },
      {
        name: 'a malformed email',
        options: () => ({
          method: 'POST',
          url: '/api/v1/auth/login',
          payload: { email: 'not-an-email', password: PASSWORD },
        }),
      },
      {
        name: 'a JSON array body',
        options: () => ({ method: 'POST', url: '/api/v1/auth/login', payload: '[]', headers: json }),
      },
      {
        name: 'a JSON null body',
        options: () => ({ method: 'POST', url: '/api/v1/auth/login', payload: 'null', headers: json }),
      },
      {
        name: 'a text/plain body',
        options: () => ({
          method: 'POST',
          url: '/api/v1/auth/login',
          payload: 'email=a@b.test',
          headers: { 'content-type': 'text/plain' },
        }),
      },
      {
        name: 'a slug with capitals',
        options: () => ({
          method: 'POST',
          url: '/api/v1/authorities',
          headers: sPlatform.headers,
          payload: {
            slug: 'Bad Slug',
            name: { ca: 'x', es: 'x', en: 'x' },
            dir3Code: 'L05555555',
            ocidPrefix: 'ocds-bad555',
          },
        }),
      },
      {
        name: 'an unknown top-level field',
        options: () => ({
          method: 'POST',
          url: '/api/v1/companies',
          payload: { ...registration(), isPlatformAdmin: true },
        }),
      },
      {
        name: 'an unknown nested field',
        options: () => {
          const body = registration();
          return {
            method: 'POST',
            url: '/api/v1/companies',
            payload: { ...body, admin: { ...body.admin, isPlatformAdmin: true } },
          };
        },
      },
      {
        name: 'a fixed field (slug) in an authority patch',
        options: () => ({
          method: 'PATCH',
          url: `/api/v1/authorities/${A.id}`,
          headers: sAdminA.headers,
          payload: { slug: 'renamed' },
        }),
      },
      {
        name: 'a fixed field (ocidPrefix) in an authority patch',
        options: () => ({
          method: 'PATCH',
          url: `/api/v1/authorities/${A.id}`,
          headers: sAdminA.headers,
          payload: { ocidPrefix: 'ocds-zzzzzz' },
        }),
      },
      {
        name: 'a tax id in a company patch',
        options: () => ({
          method: 'PATCH',
          url: `/api/v1/companies/${companyId}`,
          headers: sCompany.headers,
          payload: { taxId: 'B12345674' },
        }),
      },
      {
        name: 'an unknown field at sign-in',
        options: () => ({
          method: 'POST',
          url: '/api/v1/auth/login',
          payload: { email: 'a@b.test', password: PASSWORD, remember: true },
        }),
      },
      {
        name: 'an unknown query parameter',
        options: () => ({
          method: 'GET',
          url: `/api/v1/authorities/${A.id}/audit-events?actor=me`,
          headers: sAdminA.headers,
        }),
      },
      {
        name: 'limit=0',
        options: () => ({
          method: 'GET',
          url: `/api/v1/authorities/${A.id}/audit-events?limit=0`,
          headers: sAdminA.headers,
        }),
      },
      {
        name: 'before=abc',
        options: () => ({
          method: 'GET',
          url: `/api/v1/authorities/${A.id}/audit-events?before=abc`,
          headers: sAdminA.headers,
        }),
      },
    ];

    for (const c of cases) {
      it(`answers 400 VALIDATION_FAILED for ${c.name}`, async () => {
        const res = await refused(c.options(), 400, 'VALIDATION_FAILED');
        expect((res.json() as { details?: unknown[] }).details?.length).toBeGreaterThan(0);
      });
    }
  });

  describe('size and content type', () => {
    it('answers 413 PAYLOAD_TOO_LARGE above the 1 MiB body limit', async () => {
      expect(t.app.deps.config.bodyLimit).toBe(1_048_576);
      const big = { ...registration(), legalName: 'x'.repeat(1_100_000) };
      await refused({ method: 'POST', url: '/api/v1/companies', payload: big }, 413, 'PAYLOAD_TOO_LARGE');
      await refused(
        {
          method: 'PATCH',
          url: `/api/v1/authorities/${A.id}`,
          headers: sAdminA.headers,
          payload: { name: { ca: 'x'.repeat(1_100_000), es: 'x', en: 'x' } },
        },
        413,
        'PAYLOAD_TOO_LARGE',
      );
    });

    it('answers a body just under the limit by its content, not its size', async () => {
      // Same route, under the limit: refused by the schema (name too long), not as too large.
      await refused(
        {
          method: 'PATCH',
          url: `/api/v1/authorities/${A.id}`,
          headers: sAdminA.headers,
          payload: { name: { ca: 'x'.repeat(1_000_000), es: 'x', en: 'x' } },
        },
        400,
        'VALIDATION_FAILED',
      );
    });

    for (const contentType of ['application/xml', 'multipart/form-data; boundary=xyz']) {
      it(`answers 415 UNSUPPORTED_MEDIA_TYPE for ${contentType}`, async () => {
        await refused(
          {
            method: 'POST',
            url: '/api/v1/auth/login',
            headers: { 'content-type': contentType },
            payload: '<login/>',
          },
          415,
          'UNSUPPORTED_MEDIA_TYPE',
        );
        await refused(
          {
            method: 'POST',
            url: '/api/v1/me/api-tokens',
            headers: { ...sAdminA.headers, 'content-type': contentType },
            payload: '<token/>',
          },
          415,
          'UNSUPPORTED_MEDIA_TYPE',
        );
      });
    }
  });

  describe('identifiers in the path', () => {
    for (const bad of ['not-a-uuid', '123', "1'%20OR%20'1'='1", '00000000-0000-0000-0000-00000000000g']) {
      it(`answers 400 VALIDATION_FAILED for the malformed id ${bad}`, async () => {
        await refused({ method: 'GET', url: `/api/v1/authorities/${bad}` }, 400, 'VALIDATION_FAILED');
        await refused(
          { method: 'GET', url: `/api/v1/authorities/${bad}/settings`, headers: sPlatform.headers },
          400,
          'VALIDATION_FAILED',
        );
        await refused(
          { method: 'DELETE', url: `/api/v1/authorities/${A.id}/members/${bad}`, headers: sAdminA.headers },
          400,
          'VALIDATION_FAILED',
        );
        await refused(
          { method: 'DELETE', url: `/api/v1/me/api-tokens/${bad}`, headers: sAdminA.headers },
          400,
          'VALIDATION_FAILED',
        );
        await refused(
          { method: 'GET', url: `/api/v1/companies/${bad}`, headers: sCompany.headers },
          400,
          'VALIDATION_FAILED',
        );
      });
    }

    it('answers 400 with a stable code for a broken percent-encoding', async () => {
      await refused({ method: 'GET', url: '/api/v1/authorities/%E0%A4%A' }, 400, 'VALIDATION_FAILED');
    });

    it('answers 404 NOT_FOUND for well-formed ids that exist nowhere', async () => {
      const forged = newId();
      const cases: [InjectOptions, string][] = [
        [{ method: 'GET', url: `/api/v1/authorities/${forged}` }, 'public profile'],
        [
          { method: 'GET', url: `/api/v1/authorities/${forged}/settings`, headers: sPlatform.headers },
          'settings',
        ],
        [
          {
            method: 'PATCH',
            url: `/api/v1/authorities/${forged}`,
            headers: sPlatform.headers,
            payload: { priceWeightCap: '20' },
          },
          'patch',
        ],
        [
          { method: 'GET', url: `/api/v1/authorities/${forged}/members`, headers: sPlatform.headers },
          'members',
        ],
        [
          { method: 'GET', url: `/api/v1/authorities/${forged}/audit-events`, headers: sPlatform.headers },
          'audit events',
        ],
        [
          {
            method: 'POST',
            url: `/api/v1/authorities/${forged}/members`,
            headers: sPlatform.headers,
            payload: { email: `${unique('ghost')}@test.example`, name: 'Ghost', roles: ['auditor'] },
          },
          'add member',
        ],
        [
          {
            method: 'PUT',
            url: `/api/v1/authorities/${A.id}/members/${forged}`,
            headers: sAdminA.headers,
            payload: { roles: ['auditor'] },
          },
          'set roles',
        ],
        [
          {
            method: 'DELETE',
            url: `/api/v1/authorities/${A.id}/members/${forged}`,
            headers: sAdminA.headers,
          },
          'remove member',
        ],
        [
          {
            method: 'POST',
            url: '/api/v1/authorities',
            headers: sPlatform.headers,
            payload: {
              slug: 'in-a-ghost-consortium',
              consortiumId: forged,
              name: { ca: 'x', es: 'x', en: 'x' },
              dir3Code: 'L04444444',
              ocidPrefix: 'ocds-gho444',
            },
          },
          'consortium',
        ],
        [{ method: 'GET', url: `/api/v1/companies/${forged}`, headers: sCompany.headers }, 'company'],
        [
          {
            method: 'DELETE',
            url: `/api/v1/companies/${companyId}/emails/${forged}`,
            headers: sCompany.headers,
          },
          'company email',
        ],
        [{ method: 'DELETE', url: `/api/v1/me/api-tokens/${forged}`, headers: sAdminA.headers }, 'api token'],
        [
          {
            method: 'POST',
            url: '/api/v1/me/api-tokens',
            headers: sCompany.headers,
            payload: { name: 'x', companyId: forged, expiresInDays: 3 },
          },
          'token scope',
        ],
      ];
      for (const [options, what] of cases) {
        const before = await rowCounts(t);
        const res = await send(options);
        expect(res.statusCode, `${what}: ${res.body}`).toBe(404);
        expect((res.json() as { code: string }).code, what).toBe('NOT_FOUND');
        expect(await rowCounts(t), what).toEqual(before);
      }
    });
  });

  describe('company registration', () => {
    const register = (body: object) => ({ method: 'POST' as const, url: '/api/v1/companies', payload: body });

    for (const [taxId, reason, why] of [
      ['12345678A', 'CHECKSUM', 'a NIF with the wrong letter (should be Z)'],
      ['B12345675', 'CHECKSUM', 'a CIF with a bad check digit (should be 4)'],
      ['XX123456789', 'COUNTRY', 'an unknown VAT country'],
      ['US123456789', 'COUNTRY', 'a VAT prefix outside the EU'],
      ['DE136695977', 'CHECKSUM', 'a German VAT number with a bad check digit'],
      ['1234-5678', 'FORMAT', 'no recognisable shape'],
    ] as const) {
      it(`answers 422 INVALID_TAX_ID for ${why}`, async () => {
        const res = await refused(register(registration({ taxId })), 422, 'INVALID_TAX_ID');
        expect((res.json() as { details: unknown }).details).toEqual({ field: 'taxId', reason });
      });
    }

    it('accepts a valid registration (the control for the refusals)', async () => {
      const before = await rowCounts(t);
      const res = await send(register(registration({ taxId: 'B12345674' })));
      expect(res.statusCode, res.body).toBe(201);
      expect(res.json()).toMatchObject({ taxId: 'B12345674', taxIdKind: 'CIF', country: 'ES' });
      const after = await rowCounts(t);
      expect(after.company).toBe((before.company ?? 0) + 1);
      expect(after.app_user).toBe((before.app_user ?? 0) + 1);
    });

    it('answers 409 TAX_ID_TAKEN for a registered tax id, however it is written', async () => {
      for (const taxId of ['B12345674', 'b-12.345.674', ' B 12345674 ', 'ESB12345674', 'es-b12345674']) {
        await refused(register(registration({ taxId })), 409, 'TAX_ID_TAKEN');
      }
    });

    it('answers 409 TAX_ID_TAKEN for the NIF of a company registered by its ES VAT number', async () => {
      const res = await send(register(registration({ taxId: 'ESA58818501' })));
      expect(res.statusCode, res.body).toBe(201);
      // Stored in its one canonical form, so the unique index alone refuses the other spelling.
      expect(res.json()).toMatchObject({ taxId: 'A58818501', taxIdKind: 'CIF', country: 'ES' });
      await refused(register(registration({ taxId: 'A58818501' })), 409, 'TAX_ID_TAKEN');
    });

    it('answers 409 EMAIL_TAKEN for a registered email, in any letter case', async () => {
      await refused(register(registration({ email: adminA.email })), 409, 'EMAIL_TAKEN');
      await refused(register(registration({ email: adminA.email.toUpperCase() })), 409, 'EMAIL_TAKEN');
    });

    for (const [password, why] of [
      ['short', 'too short'],
      ['elevenchars', 'one character short of the minimum'],
    ] as const) {
      it(`answers 422 WEAK_PASSWORD for a password ${why}`, async () => {
        await refused(register(registration({ password })), 422, 'WEAK_PASSWORD');
      });
    }

    it('answers 422 WEAK_PASSWORD for a password that contains the email', async () => {
      const local = unique('mariagarcia');
      await refused(
        register(registration({ email: `${local}@test.example`, password: `I am ${local.toUpperCase()}!` })),
        422,
        'WEAK_PASSWORD',
      );
    });

    it('answers 422 WEAK_PASSWORD when changing to a weak password', async () => {
      const hash = async () =>
        (
          await t.db.db
            .selectFrom('app_user')
            .select('password_hash')
            .where('id', '=', adminA.id)
            .executeTakeFirstOrThrow()
        ).password_hash;
      const before = await hash();
      await refused(
        {
          method: 'PUT',
          url: '/api/v1/me/password',
          headers: sAdminA.headers,
          payload: { currentPassword: PASSWORD, newPassword: 'tiny' },
        },
        422,
        'WEAK_PASSWORD',
      );
      expect(await hash()).toBe(before);
    });
  });

  describe('authorities', () => {
    function newAuthority(over: { slug?: string; dir3Code?: string; ocidPrefix?: string }) {
      return {
        method: 'POST' as const,
        url: '/api/v1/authorities',
        headers: sPlatform.headers,
        payload: {
          slug: over.slug ?? 'fresh-slug',
          name: { ca: 'Nou', es: 'Nuevo', en: 'New' },
          dir3Code: over.dir3Code ?? 'L03333333',
          ocidPrefix: over.ocidPrefix ?? 'ocds-fre333',
        },
      };
    }

    it('answers 409 AUTHORITY_TAKEN for a used slug, DIR3 code or OCID prefix', async () => {
      await refused(newAuthority({ slug: A.slug }), 409, 'AUTHORITY_TAKEN');
      await refused(newAuthority({ dir3Code: aRow.dir3_code }), 409, 'AUTHORITY_TAKEN');
      await refused(newAuthority({ ocidPrefix: aRow.ocid_prefix }), 409, 'AUTHORITY_TAKEN');
      // The control: all three fresh.
      const res = await send(newAuthority({}));
      expect(res.statusCode, res.body).toBe(201);
    });

    it("answers 409 AUTHORITY_TAKEN when a patch takes another authority's DIR3 code", async () => {
      const before = await t.db.db.selectFrom('authority').selectAll().where('id', '=', B.id).execute();
      await refused(
        {
          method: 'PATCH',
          url: `/api/v1/authorities/${B.id}`,
          headers: sPlatform.headers,
          payload: { dir3Code: aRow.dir3_code },
        },
        409,
        'AUTHORITY_TAKEN',
      );
      expect(await t.db.db.selectFrom('authority').selectAll().where('id', '=', B.id).execute()).toEqual(
        before,
      );
    });

    it('answers 422 UNPROCESSABLE for a price weight cap above 100 %', async () => {
      await refused(
        {
          method: 'PATCH',
          url: `/api/v1/authorities/${A.id}`,
          headers: sAdminA.headers,
          payload: { priceWeightCap: '100.01' },
        },
        422,
        'UNPROCESSABLE',
      );
    });

    it('answers 409 MEMBERSHIP_EXISTS when adding a member twice', async () => {
      await refused(
        {
          method: 'POST',
          url: `/api/v1/authorities/${A.id}/members`,
          headers: sAdminA.headers,
          payload: { email: adminA.email.toUpperCase(), name: 'Again', roles: ['auditor'] },
        },
        409,
        'MEMBERSHIP_EXISTS',
      );
    });

    it('answers 409 CONFLICT when the last authority_admin would be removed or demoted', async () => {
      const attempts: InjectOptions[] = [
        {
          method: 'DELETE',
          url: `/api/v1/authorities/${A.id}/members/${adminA.id}`,
          headers: sAdminA.headers,
        },
        {
          method: 'PUT',
          url: `/api/v1/authorities/${A.id}/members/${adminA.id}`,
          headers: sAdminA.headers,
          payload: { roles: ['auditor', 'procurement_officer'] },
        },
        {
          method: 'DELETE',
          url: `/api/v1/authorities/${A.id}/members/${adminA.id}`,
          headers: sPlatform.headers,
        },
        {
          method: 'PUT',
          url: `/api/v1/authorities/${A.id}/members/${adminA.id}`,
          headers: sPlatform.headers,
          payload: { roles: ['auditor'] },
        },
      ];
      for (const a of attempts) await refused(a, 409, 'CONFLICT');
      const m = await t.db.db
        .selectFrom('membership')
        .select('roles')
        .where('authority_id', '=', A.id)
        .where('user_id', '=', adminA.id)
        .executeTakeFirstOrThrow();
      expect(m.roles).toEqual(['authority_admin']);
    });

    it('lets an administrator step down once another administrator exists (the control)', async () => {
      const D = await makeAuthority(t);
      const first = await makeUser(t, { roles: [{ authorityId: D.id, roles: ['authority_admin'] }] });
      const second = await makeUser(t, { roles: [{ authorityId: D.id, roles: ['authority_admin'] }] });
      const sFirst = await login(t, first.email, PASSWORD, { remoteAddress: nextIp() });
      const demote = await send({
        method: 'PUT',
        url: `/api/v1/authorities/${D.id}/members/${first.id}`,
        headers: sFirst.headers,
        payload: { roles: ['auditor'] },
      });
      expect(demote.statusCode, demote.body).toBe(200);
      // Now `second` is the last one.
      const sSecond = await login(t, second.email, PASSWORD, { remoteAddress: nextIp() });
      await refused(
        {
          method: 'DELETE',
          url: `/api/v1/authorities/${D.id}/members/${second.id}`,
          headers: sSecond.headers,
        },
        409,
        'CONFLICT',
      );
    });
  });

  it('answered every request of this file without a server error, and logged none', () => {
    expect(responses.length).toBeGreaterThan(60);
    expect(responses.filter((r) => r.statusCode >= 500)).toEqual([]);
    const errorLines = t.logs.filter((line) => (JSON.parse(line) as { level: number }).level >= 50);
    expect(errorLines).toEqual([]);
  });
});
