import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_COOKIE } from '../../src/app.js';
import { hashToken } from '../../src/platform/ids.js';
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

const NEW_PASSWORD = 'an entirely different passphrase';
const WRONG_PASSWORD = 'not the right passphrase at all';

describe(`authentication (${driverName})`, () => {
  let t: TestApp;
  let authorityId: string;
  /** Every secret this file handles; none may appear in a log line. */
  const secrets = new Set<string>([PASSWORD, NEW_PASSWORD, WRONG_PASSWORD]);

  // Each test signs in from its own address, so the per-address limits of sign-in (20 a minute)
  // and reset requests (5 a minute) do not interfere between tests.
  let ipCounter = 0;
  const nextIp = () => {
    ipCounter += 1;
    return `10.40.${Math.floor(ipCounter / 250)}.${(ipCounter % 250) + 1}`;
  };

  beforeAll(async () => {
    // The most verbose level: no secret may reach any log line, whatever level is configured.
    t = await buildTestApp({ logLevel: 'trace' });
    authorityId = (await makeAuthority(t)).id;
  });
  afterAll(async () => t.close());

  async function signIn(email: string, password: string, ip: string) {
    return t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email, password },
      remoteAddress: ip,
    });
  }

  async function me(headers: Record<string, string>) {
    return t.app.inject({ url: '/api/v1/me', headers });
  }

  async function sessionsOf(userId: string) {
    return t.db.db.selectFrom('user_session').selectAll().where('user_id', '=', userId).execute();
  }

  async function passwordHashOf(userId: string) {
    const row = await t.db.db
      .selectFrom('app_user')
      .select('password_hash')
      .where('id', '=', userId)
      .executeTakeFirstOrThrow();
    return row.password_hash;
  }

  function remember(session: Session): Session {
    const value = new RegExp(`${SESSION_COOKIE}=([^;]+)`).exec(session.cookie)?.[1];
    if (value) secrets.add(value);
    return session;
  }

  describe('sign-in', () => {
    it('sets an HttpOnly, SameSite session cookie and stores only its hash', async () => {
      const user = await makeUser(t);
      const res = await signIn(user.email, PASSWORD, nextIp());
      expect(res.statusCode, res.body).toBe(200);
      expect((res.json() as { id: string; via: string }).id).toBe(user.id);
      const cookie = res.cookies.find((c) => c.name === SESSION_COOKIE);
      expect(cookie).toBeDefined();
      expect(cookie?.httpOnly).toBe(true);
      expect(cookie?.sameSite).toBe('Lax');
      expect(cookie?.path).toBe('/');
      const raw = String(res.headers['set-cookie']);
      expect(raw).toMatch(/HttpOnly/);
      expect(raw).toMatch(/SameSite=Lax/);
      const value = cookie?.value ?? '';
      secrets.add(value);
      expect(value.length).toBeGreaterThan(30);
      const rows = await sessionsOf(user.id);
      expect(rows.map((r) => r.id_hash)).toEqual([hashToken(value)]);
      expect(JSON.stringify(rows)).not.toContain(value);
      const after = await me({ cookie: `${SESSION_COOKIE}=${value}` });
      expect(after.statusCode).toBe(200);
      expect((after.json() as { via: string }).via).toBe('session');
    });

    it('refuses a wrong password and an unknown email with the same answer', async () => {
      const user = await makeUser(t);
      const before = await rowCounts(t);
      const wrong = await signIn(user.email, WRONG_PASSWORD, nextIp());
      const unknown = await signIn('nobody-at-all@test.example', PASSWORD, nextIp());
      expect(wrong.statusCode).toBe(401);
      expect(unknown.statusCode).toBe(401);
      expect(wrong.json()).toEqual({ code: 'INVALID_CREDENTIALS', message: expect.any(String) });
      expect(unknown.json()).toEqual(wrong.json());
      expect(wrong.cookies.find((c) => c.name === SESSION_COOKIE)).toBeUndefined();
      const after = await rowCounts(t);
      expect(after.user_session).toBe(before.user_session);
      // The failure against a real account is counted and audited; the unknown email writes nothing.
      expect(after.audit_event).toBe((before.audit_event ?? 0) + 1);
      const row = await t.db.db
        .selectFrom('app_user')
        .select('failed_logins')
        .where('id', '=', user.id)
        .executeTakeFirstOrThrow();
      expect(row.failed_logins).toBe(1);
    });

    it('locks the account after 5 failures, even for the right password, until 15 minutes pass', async () => {
      const user = await makeUser(t);
      const ip = nextIp();
      for (let i = 1; i <= 4; i++) {
        const res = await signIn(user.email, WRONG_PASSWORD, ip);
        expect(res.statusCode, `attempt ${i}`).toBe(401);
        expect((res.json() as { code: string }).code).toBe('INVALID_CREDENTIALS');
      }
      const fifth = await signIn(user.email, WRONG_PASSWORD, ip);
      expect(fifth.statusCode).toBe(423);
      expect((fifth.json() as { code: string }).code).toBe('ACCOUNT_LOCKED');

      const right = await signIn(user.email, PASSWORD, ip);
      expect(right.statusCode).toBe(423);
      expect((right.json() as { code: string }).code).toBe('ACCOUNT_LOCKED');
      expect(right.cookies.find((c) => c.name === SESSION_COOKIE)).toBeUndefined();
      expect(await sessionsOf(user.id)).toHaveLength(0);

      t.clock.advance(14 * 60 * 1000);
      expect((await signIn(user.email, PASSWORD, ip)).statusCode).toBe(423);

      t.clock.advance(60 * 1000 + 1000);
      const later = await signIn(user.email, PASSWORD, ip);
      expect(later.statusCode, later.body).toBe(200);
      expect(await sessionsOf(user.id)).toHaveLength(1);
    });
  });

  describe('password reset', () => {
    async function requestReset(email: string, ip = nextIp()) {
      return t.app.inject({
        method: 'POST',
        url: '/api/v1/auth/password-reset',
        payload: { email },
        remoteAddress: ip,
      });
    }

    function tokenFromMail(to: string): string {
      const mail = t.mail.sent.filter((m) => m.to === to).at(-1);
      expect(mail).toBeDefined();
      const match = /\/password-reset\/(pr_[A-Za-z0-9_-]+)/.exec(mail?.text ?? '');
      expect(match).not.toBeNull();
      const token = match?.[1] ?? '';
      secrets.add(token);
      return token;
    }

    async function confirm(token: string, newPassword: string) {
      return t.app.inject({
        method: 'POST',
        url: '/api/v1/auth/password-reset/confirm',
        payload: { token, newPassword },
        remoteAddress: nextIp(),
      });
    }

    it('mails a single-use link; the token works once and closes existing sessions', async () => {
      const user = await makeUser(t);
      const existing = remember(await login(t, user.email, PASSWORD, { remoteAddress: nextIp() }));
      expect((await me(existing.headers)).statusCode).toBe(200);

      const sentBefore = t.mail.sent.length;
      const res = await requestReset(user.email);
      expect(res.statusCode).toBe(202);
      expect(res.json()).toEqual({ status: 'accepted' });
      expect(t.mail.sent.length).toBe(sentBefore + 1);
      const mail = t.mail.sent.at(-1);
      expect(mail?.to).toBe(user.email);
      expect(mail?.text).toContain(`${t.app.deps.config.publicUrl}/password-reset/pr_`);
      const token = tokenFromMail(user.email);

      // Only the hash is stored.
      const rows = await t.db.db
        .selectFrom('password_reset_token')
        .selectAll()
        .where('user_id', '=', user.id)
        .execute();
      expect(rows.map((r) => r.token_hash)).toEqual([hashToken(token)]);
      expect(JSON.stringify(rows)).not.toContain(token);

      // The page the mailed link opens.
      const page = await t.app.inject({ url: `/password-reset/${token}` });
      expect(page.statusCode).toBe(200);

      const ok = await confirm(token, NEW_PASSWORD);
      expect(ok.statusCode, ok.body).toBe(204);
      expect((await me(existing.headers)).statusCode).toBe(401);
      expect(await sessionsOf(user.id)).toHaveLength(0);
      const ip = nextIp();
      expect((await signIn(user.email, PASSWORD, ip)).statusCode).toBe(401);
      expect((await signIn(user.email, NEW_PASSWORD, ip)).statusCode).toBe(200);

      const hashAfterFirstUse = await passwordHashOf(user.id);
      const again = await confirm(token, 'yet another long passphrase');
      expect(again.statusCode).toBe(400);
      expect((again.json() as { code: string }).code).toBe('RESET_TOKEN_INVALID');
      expect(await passwordHashOf(user.id)).toBe(hashAfterFirstUse);
    });

    it('refuses a token older than one hour, and accepts one just younger', async () => {
      const user = await makeUser(t);
      await requestReset(user.email);
      const stale = tokenFromMail(user.email);
      const hashBefore = await passwordHashOf(user.id);
      t.clock.advance(61 * 60 * 1000);
      const res = await confirm(stale, NEW_PASSWORD);
      expect(res.statusCode).toBe(400);
      expect((res.json() as { code: string }).code).toBe('RESET_TOKEN_INVALID');
      expect(await passwordHashOf(user.id)).toBe(hashBefore);

      await requestReset(user.email);
      const fresh = tokenFromMail(user.email);
      t.clock.advance(59 * 60 * 1000);
      const ok = await confirm(fresh, NEW_PASSWORD);
      expect(ok.statusCode, ok.body).toBe(204);
      expect(await passwordHashOf(user.id)).not.toBe(hashBefore);
    });

    it('answers the same for an unknown email, and neither mails nor writes anything', async () => {
      const known = await makeUser(t);
      const knownRes = await requestReset(known.email);
      const sent = t.mail.sent.length;
      const before = await rowCounts(t);
      const res = await requestReset('nobody-here@test.example');
      expect(res.statusCode).toBe(knownRes.statusCode);
      expect(res.json()).toEqual(knownRes.json());
      expect(t.mail.sent.length).toBe(sent);
      expect(await rowCounts(t)).toEqual(before);
    });

    it('refuses a weak new password and keeps the token usable', async () => {
      const user = await makeUser(t);
      await requestReset(user.email);
      const token = tokenFromMail(user.email);
      const before = await rowCounts(t);
      const weak = await confirm(token, 'short');
      expect(weak.statusCode).toBe(422);
      expect((weak.json() as { code: string }).code).toBe('WEAK_PASSWORD');
      expect(await rowCounts(t)).toEqual(before);
      expect((await confirm(token, NEW_PASSWORD)).statusCode).toBe(204);
    });
  });

  describe('change password', () => {
    it('closes the other sessions and keeps the current one', async () => {
      const user = await makeUser(t);
      const ip = nextIp();
      const s1 = remember(await login(t, user.email, PASSWORD, { remoteAddress: ip }));
      const s2 = remember(await login(t, user.email, PASSWORD, { remoteAddress: ip }));
      expect((await me(s2.headers)).statusCode).toBe(200);

      const res = await t.app.inject({
        method: 'PUT',
        url: '/api/v1/me/password',
        headers: s1.headers,
        payload: { currentPassword: PASSWORD, newPassword: NEW_PASSWORD },
      });
      expect(res.statusCode, res.body).toBe(204);
      expect((await me(s1.headers)).statusCode).toBe(200);
      const other = await me(s2.headers);
      expect(other.statusCode).toBe(401);
      expect((other.json() as { code: string }).code).toBe('UNAUTHENTICATED');
      expect(await sessionsOf(user.id)).toHaveLength(1);
      expect((await signIn(user.email, PASSWORD, ip)).statusCode).toBe(401);
      expect((await signIn(user.email, NEW_PASSWORD, ip)).statusCode).toBe(200);
    });

    it('refuses a wrong current password and writes nothing', async () => {
      const user = await makeUser(t);
      const s = remember(await login(t, user.email, PASSWORD, { remoteAddress: nextIp() }));
      const before = await rowCounts(t);
      const hash = await passwordHashOf(user.id);
      const res = await t.app.inject({
        method: 'PUT',
        url: '/api/v1/me/password',
        headers: s.headers,
        payload: { currentPassword: WRONG_PASSWORD, newPassword: NEW_PASSWORD },
      });
      expect(res.statusCode).toBe(422);
      expect((res.json() as { code: string }).code).toBe('WRONG_PASSWORD');
      expect(await rowCounts(t)).toEqual(before);
      expect(await passwordHashOf(user.id)).toBe(hash);
    });
  });

  describe('API tokens', () => {
    async function createToken(s: Session, expiresInDays = 30) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/me/api-tokens',
        headers: s.headers,
        payload: { name: 'integration', authorityId, expiresInDays },
      });
      expect(res.statusCode, res.body).toBe(201);
      const body = res.json() as {
        token: string;
        apiToken: { id: string; prefix: string; expiresAt: string };
      };
      secrets.add(body.token);
      return body;
    }

    it('shows the token once, stores only its hash, and accepts it as a bearer token', async () => {
      const user = await makeUser(t, { roles: [{ authorityId, roles: ['procurement_officer'] }] });
      const s = remember(await login(t, user.email, PASSWORD, { remoteAddress: nextIp() }));
      const { token, apiToken } = await createToken(s);
      expect(token).toMatch(/^ctk_[A-Za-z0-9_-]{40,}$/);
      expect(apiToken.prefix).toBe(token.slice(0, 10));

      const row = await t.db.db
        .selectFrom('api_token')
        .selectAll()
        .where('id', '=', apiToken.id)
        .executeTakeFirstOrThrow();
      expect(row.token_hash).toBe(hashToken(token));
      expect(JSON.stringify(row)).not.toContain(token);
      expect(JSON.stringify(row)).not.toContain(token.slice(10));

      const list = await t.app.inject({ url: '/api/v1/me/api-tokens', headers: s.headers });
      expect(list.statusCode).toBe(200);
      expect(list.body).toContain(apiToken.id);
      expect(list.body).not.toContain(token.slice(10));

      const viaToken = await me({ authorization: `Bearer ${token}` });
      expect(viaToken.statusCode, viaToken.body).toBe(200);
      expect(viaToken.json()).toMatchObject({ id: user.id, via: 'token' });
    });

    it('refuses a revoked token with 401, even on public routes', async () => {
      const user = await makeUser(t, { roles: [{ authorityId, roles: ['auditor'] }] });
      const s = remember(await login(t, user.email, PASSWORD, { remoteAddress: nextIp() }));
      const { token, apiToken } = await createToken(s);
      expect((await me({ authorization: `Bearer ${token}` })).statusCode).toBe(200);

      const revoke = await t.app.inject({
        method: 'DELETE',
        url: `/api/v1/me/api-tokens/${apiToken.id}`,
        headers: s.headers,
      });
      expect(revoke.statusCode, revoke.body).toBe(204);
      for (const url of [
        '/api/v1/me',
        '/api/v1/authorities',
        `/api/v1/authorities/${authorityId}/settings`,
      ]) {
        const res = await t.app.inject({ url, headers: { authorization: `Bearer ${token}` } });
        expect(res.statusCode, url).toBe(401);
        expect((res.json() as { code: string }).code).toBe('UNAUTHENTICATED');
      }
    });

    it('refuses unknown and malformed bearer tokens', async () => {
      for (const value of ['ctk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', 'garbage', '']) {
        const res = await me({ authorization: `Bearer ${value}` });
        expect(res.statusCode, value).toBe(401);
        expect((res.json() as { code: string }).code).toBe('UNAUTHENTICATED');
      }
    });

    it('refuses an expired token', async () => {
      const user = await makeUser(t, { roles: [{ authorityId, roles: ['auditor'] }] });
      const s = remember(await login(t, user.email, PASSWORD, { remoteAddress: nextIp() }));
      const { token, apiToken } = await createToken(s, 1);
      expect(new Date(apiToken.expiresAt).getTime()).toBe(t.clock.now().getTime() + 86_400_000);
      t.clock.advance(86_400_000 - 1000);
      expect((await me({ authorization: `Bearer ${token}` })).statusCode).toBe(200);
      t.clock.advance(1000);
      const res = await me({ authorization: `Bearer ${token}` });
      expect(res.statusCode).toBe(401);
      expect((res.json() as { code: string }).code).toBe('UNAUTHENTICATED');
    });
  });

  describe('CSRF', () => {
    it('refuses a write with a session cookie but no CSRF token, and writes nothing', async () => {
      const user = await makeUser(t, { roles: [{ authorityId, roles: ['authority_admin'] }] });
      const s = remember(await login(t, user.email, PASSWORD, { remoteAddress: nextIp() }));
      const attempts = [
        {
          method: 'POST' as const,
          url: '/api/v1/me/api-tokens',
          payload: { name: 'x', authorityId, expiresInDays: 3 },
        },
        {
          method: 'PATCH' as const,
          url: `/api/v1/authorities/${authorityId}`,
          payload: { priceWeightCap: '12' },
        },
        {
          method: 'PUT' as const,
          url: '/api/v1/me/password',
          payload: { currentPassword: PASSWORD, newPassword: NEW_PASSWORD },
        },
        { method: 'POST' as const, url: '/api/v1/auth/logout' },
      ];
      for (const a of attempts) {
        for (const headers of [{ cookie: s.cookie }, { cookie: s.cookie, 'x-csrf-token': 'forged-token' }]) {
          const before = await rowCounts(t);
          const res = await t.app.inject({
            method: a.method,
            url: a.url,
            headers,
            ...(a.payload ? { payload: a.payload } : {}),
          });
          expect(res.statusCode, `${a.method} ${a.url}: ${res.body}`).toBe(403);
          expect((res.json() as { code: string }).code).toBe('CSRF_INVALID');
          expect(await rowCounts(t)).toEqual(before);
        }
      }
      // The session is intact, and the same write with the token succeeds.
      expect((await me(s.headers)).statusCode).toBe(200);
      const ok = await t.app.inject({
        method: 'PATCH',
        url: `/api/v1/authorities/${authorityId}`,
        headers: s.headers,
        payload: { priceWeightCap: '12' },
      });
      expect(ok.statusCode, ok.body).toBe(200);
    });

    it('refuses an HTML form post to /sign-in without _csrf, and accepts it with one', async () => {
      const user = await makeUser(t);
      const ip = nextIp();
      const form = `email=${encodeURIComponent(user.email)}&password=${encodeURIComponent(PASSWORD)}`;
      const before = await rowCounts(t);
      const refused = await t.app.inject({
        method: 'POST',
        url: '/sign-in',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: form,
        remoteAddress: ip,
      });
      expect(refused.statusCode).toBe(403);
      expect(refused.cookies.find((c) => c.name === SESSION_COOKIE)).toBeUndefined();
      expect(await rowCounts(t)).toEqual(before);

      const page = await t.app.inject({ url: '/sign-in', remoteAddress: ip });
      const csrfCookie = page.cookies.find((c) => c.name === 'contracta_csrf');
      const field = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1];
      expect(csrfCookie).toBeDefined();
      expect(field).toBeDefined();
      const accepted = await t.app.inject({
        method: 'POST',
        url: '/sign-in',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          cookie: `contracta_csrf=${csrfCookie?.value}`,
        },
        payload: `${form}&_csrf=${encodeURIComponent(field ?? '')}`,
        remoteAddress: ip,
      });
      expect(accepted.statusCode, accepted.body).toBe(303);
      const session = accepted.cookies.find((c) => c.name === SESSION_COOKIE);
      expect(session).toBeDefined();
      secrets.add(session?.value ?? '');
      expect(await sessionsOf(user.id)).toHaveLength(1);
    });
  });

  describe('logout', () => {
    it('deletes the session row and the cookie no longer works', async () => {
      const user = await makeUser(t);
      const s = remember(await login(t, user.email, PASSWORD, { remoteAddress: nextIp() }));
      expect(await sessionsOf(user.id)).toHaveLength(1);
      const res = await t.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: s.headers });
      expect(res.statusCode, res.body).toBe(204);
      const cleared = res.cookies.find((c) => c.name === SESSION_COOKIE);
      expect(cleared?.value).toBe('');
      expect(await sessionsOf(user.id)).toHaveLength(0);
      expect((await me(s.headers)).statusCode).toBe(401);
    });
  });

  // Last: it reads the log lines of everything above.
  it('never writes a password, session cookie, reset token or API token to the logs', () => {
    const log = t.logs.join('');
    expect(log).toContain('incoming request');
    expect(log).toContain('/api/v1/auth/login');
    // The mailed link was opened (its request line is logged), so the check below covers it.
    expect(log).toContain('"url":"/password-reset/');
    expect(secrets.size).toBeGreaterThan(10);
    for (const secret of secrets) {
      expect(secret.length).toBeGreaterThan(8);
      expect(log.includes(secret), `a secret starting ${secret.slice(0, 6)} is in the logs`).toBe(false);
    }
  });
});
