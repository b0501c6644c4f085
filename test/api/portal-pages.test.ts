import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_COOKIE } from '../../src/app.js';
import { buildTestApp, makeAuthority, makeUser, PASSWORD, rowCounts, type TestApp } from '../helpers/app.js';
import { driverName } from '../helpers/db.js';

/** A browser-like session on the HTML pages: cookies kept between requests, CSRF token read from the forms. */
class WebClient {
  cookies = new Map<string, string>();
  constructor(private readonly t: TestApp) {}

  private cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async get(url: string) {
    const res = await this.t.app.inject({ method: 'GET', url, headers: { cookie: this.cookieHeader() } });
    for (const c of res.cookies) this.cookies.set(c.name, c.value);
    return res;
  }

  async post(url: string, fields: Record<string, string | string[]>, opts: { csrf?: boolean } = {}) {
    const form = new URLSearchParams();
    for (const [k, v] of Object.entries(fields)) for (const one of [v].flat()) form.append(k, one);
    if (opts.csrf !== false) {
      const page = await this.get('/sign-in');
      const token = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1];
      if (token) form.append('_csrf', token);
    }
    const res = await this.t.app.inject({
      method: 'POST',
      url,
      payload: form.toString(),
      headers: { cookie: this.cookieHeader(), 'content-type': 'application/x-www-form-urlencoded' },
    });
    for (const c of res.cookies) this.cookies.set(c.name, c.value);
    return res;
  }
}

describe(`portal pages (${driverName})`, () => {
  let t: TestApp;
  let a: { id: string };
  let b: { id: string };
  let adminA: { email: string };
  beforeAll(async () => {
    t = await buildTestApp();
    a = await makeAuthority(t);
    b = await makeAuthority(t);
    adminA = await makeUser(t, { roles: [{ authorityId: a.id, roles: ['authority_admin', 'auditor'] }] });
    await makeUser(t, { roles: [{ authorityId: b.id, roles: ['authority_admin'] }] });
  });
  afterAll(async () => t.close());

  async function signedIn(email: string): Promise<WebClient> {
    const web = new WebClient(t);
    await web.get('/sign-in');
    const res = await web.post('/sign-in', { email, password: PASSWORD, next: '/account' });
    expect(res.statusCode, res.body).toBe(303);
    expect(web.cookies.has(SESSION_COOKIE)).toBe(true);
    return web;
  }

  it('serves every public page in Catalan by default and in the language asked for', async () => {
    const web = new WebClient(t);
    for (const url of ['/', '/authorities', '/sign-in', '/register', '/password-reset']) {
      const res = await web.get(url);
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type']).toContain('text/html');
      expect(res.body).toContain('<html lang="ca">');
    }
    expect((await web.get('/?lang=es')).body).toContain('<html lang="es">');
    const switched = await web.get('/lang/en?next=/authorities');
    expect(switched.statusCode).toBe(303);
    expect(switched.headers.location).toBe('/authorities');
    expect((await web.get('/authorities')).body).toContain('<html lang="en">');
  });

  it('never redirects the language switcher to another site', async () => {
    const web = new WebClient(t);
    for (const next of ['//evil.example/', 'https://evil.example/', '/\\evil.example']) {
      const res = await web.get(`/lang/es?next=${encodeURIComponent(next)}`);
      expect(res.headers.location, next).toBe('/');
    }
  });

  it('sends signed-out visitors of private pages to sign in', async () => {
    const web = new WebClient(t);
    for (const url of ['/account', '/admin/authorities', `/admin/authorities/${a.id}/members`]) {
      const res = await web.get(url);
      expect(res.statusCode, url).toBe(303);
      expect(res.headers.location).toBe(`/sign-in?next=${encodeURIComponent(url)}`);
    }
  });

  it("shows another authority's administration pages as not found", async () => {
    const web = await signedIn(adminA.email);
    for (const suffix of ['', '/members', '/audit']) {
      expect((await web.get(`/admin/authorities/${a.id}${suffix}`)).statusCode, `own ${suffix}`).toBe(200);
      const res = await web.get(`/admin/authorities/${b.id}${suffix}`);
      expect(res.statusCode, `other ${suffix}`).toBe(404);
      expect(res.body).toContain('NOT_FOUND');
    }
    const before = await rowCounts(t);
    const res = await web.post(`/admin/authorities/${b.id}/members`, {
      name: 'Intrús',
      email: 'intrus@test.example',
      roles: 'auditor',
    });
    expect(res.statusCode).toBe(404);
    expect(await rowCounts(t)).toEqual(before);
  });

  it('refuses a form post without its CSRF token and writes nothing', async () => {
    const web = await signedIn(adminA.email);
    const before = await rowCounts(t);
    const res = await web.post(
      `/admin/authorities/${a.id}/members`,
      { name: 'Sense testimoni', email: 'nocsrf@test.example', roles: 'auditor' },
      { csrf: false },
    );
    expect(res.statusCode).toBe(403);
    expect(res.body).toContain('CSRF_INVALID');
    expect(await rowCounts(t)).toEqual(before);
  });

  it('escapes what people type', async () => {
    const web = new WebClient(t);
    await web.get('/register');
    const res = await web.post('/register', {
      legalName: '<script>alert(1)</script> SL',
      taxId: 'not-a-tax-id',
      street: 'x',
      locality: 'y',
      postalCode: '08001',
      name: '"><img src=x onerror=alert(1)>',
      email: 'xss@test.example',
      password: 'a long enough password',
    });
    expect(res.statusCode).toBe(422);
    expect(res.body).not.toContain('<script>alert(1)</script>');
    expect(res.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt; SL');
    expect(res.body).not.toContain('<img src=x');
    expect(res.body).toContain('aria-invalid="true"');
  });

  it('shows the error summary and keeps the values on a failed registration', async () => {
    const web = new WebClient(t);
    await web.get('/register');
    const before = await rowCounts(t);
    const res = await web.post('/register', {
      legalName: 'Fusteria Pujol SL',
      taxId: '12345678A',
      email: 'bad',
    });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('class="error-summary"');
    expect(res.body).toContain('href="#email"');
    expect(res.body).toContain('value="Fusteria Pujol SL"');
    expect(await rowCounts(t)).toEqual(before);
  });

  it('signs out, closing the session', async () => {
    const web = await signedIn(adminA.email);
    const res = await web.post('/sign-out', {});
    expect(res.statusCode).toBe(303);
    const account = await web.get('/account');
    expect(account.statusCode).toBe(303);
  });
});
