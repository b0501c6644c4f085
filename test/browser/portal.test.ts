import fs from 'node:fs';
import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { DEMO_PLATFORM_ADMIN } from '../../src/modules/demo/demo.seed.js';
import { LOCALES, type Locale } from '../../src/platform/i18n/i18n.js';
import { axe, demoSuite, expectAccessible, signInOn } from './browser.js';

const demo = demoSuite();

async function newPage(locale: Locale): Promise<{ context: BrowserContext; page: Page }> {
  const context = await demo.browser.newContext({
    locale: { ca: 'ca-ES', es: 'es-ES', en: 'en-GB' }[locale],
  });
  const page = await context.newPage();
  // Pick the language the way a person does: through the switcher's link.
  await page.goto(`${demo.base}/lang/${locale}?next=/`);
  return { context, page };
}

const signIn = (page: Page, email: string) => signInOn(page, demo.base, email);

describe.each(LOCALES)('portal in %s', (locale) => {
  it('public pages pass axe-core', async () => {
    const { context, page } = await newPage(locale);
    expect(await page.getAttribute('html', 'lang')).toBe(locale);
    for (const [path, name] of [
      ['/', 'home'],
      ['/authorities', 'directory'],
      ['/authorities/barcelona', 'authority'],
      ['/sign-in', 'sign-in'],
      ['/register', 'register'],
      ['/password-reset', 'password-reset'],
      ['/password-reset/not-a-real-token', 'password-reset-confirm'],
      ['/no-such-page', 'not-found'],
    ] as const) {
      const res = await page.goto(`${demo.base}${path}`);
      expect(res?.status(), path).toBe(path === '/no-such-page' ? 404 : 200);
      expect(await page.getAttribute('html', 'lang')).toBe(locale);
      await expectAccessible(page, `${locale}-${name}`);
    }
    // Form errors: summary and inline messages must be accessible too.
    await page.goto(`${demo.base}/sign-in`);
    await page.click('main button[type=submit]');
    await expect.poll(() => page.locator('.error-summary').count()).toBe(1);
    await expectAccessible(page, `${locale}-sign-in-errors`);
    await page.goto(`${demo.base}/register`);
    await page.fill('#taxId', '12345678A');
    await page.click('main button[type=submit]');
    await expectAccessible(page, `${locale}-register-errors`);
    await context.close();
  });

  it('signs in, switches language, and shows account and administration pages accessibly', async () => {
    const { context, page } = await newPage(locale);
    await signIn(page, DEMO_PLATFORM_ADMIN);
    await expectAccessible(page, `${locale}-account`);
    const id = demo.authorityId;
    for (const [path, name] of [
      ['/admin/authorities', 'admin-authorities'],
      [`/admin/authorities/${id}`, 'admin-settings'],
      [`/admin/authorities/${id}/members`, 'admin-members'],
      [`/admin/authorities/${id}/audit`, 'admin-audit'],
    ] as const) {
      const res = await page.goto(`${demo.base}${path}`);
      expect(res?.status(), path).toBe(200);
      await expectAccessible(page, `${locale}-${name}`);
    }
    // Switch language with the switcher and stay on the same page.
    const other = LOCALES.find((l) => l !== locale) ?? 'en';
    await page.click(`nav.languages a[hreflang=${other}]`);
    await page.waitForURL(`${demo.base}/admin/authorities/${id}/audit`);
    expect(await page.getAttribute('html', 'lang')).toBe(other);
    await page.click('header form[action="/sign-out"] button');
    await page.waitForURL(`${demo.base}/`);
    await expect.poll(() => page.locator('a[href="/sign-in"]').count()).toBeGreaterThan(0);
    await context.close();
  });
});

describe('the accessibility check itself', () => {
  it('reports violations on a page that has them', async () => {
    const page = await demo.browser.newPage();
    await page.setContent('<html><body><img src="x.png"><input type="text"></body></html>');
    const ids = (await axe(page)).map((v) => v.id);
    expect(ids).toEqual(expect.arrayContaining(['image-alt', 'label', 'html-has-lang']));
    await page.close();
  });
});

describe('flows', () => {
  it('registers a company and signs in as its administrator', async () => {
    const { context, page } = await newPage('ca');
    await page.goto(`${demo.base}/register`);
    await page.fill('#legalName', 'Fusteria Sostenible del Bages SL');
    await page.fill('#taxId', 'B-08554438');
    await page.check('#isSme');
    await page.fill('#street', 'Carrer de la Fusta, 12');
    await page.fill('#locality', 'Manresa');
    await page.fill('#postalCode', '08240');
    await page.fill('#cpvInterests', '39100000, 45421000');
    await page.fill('#name', 'Montse Casals');
    await page.fill('#email', 'montse@fusteria-bages.example');
    await page.fill('#password', 'serra de calar i cola blanca');
    await page.click('main button[type=submit]');
    await expect.poll(() => page.locator('main [role=status]').count()).toBe(1);
    await expectAccessible(page, 'ca-register-done');
    const row = await demo.app.deps.database.db
      .selectFrom('company')
      .selectAll()
      .where('tax_id', '=', 'B08554438')
      .executeTakeFirst();
    expect(row?.is_sme).toBe(true);
    expect(row?.cpv_interests).toEqual(['39100000', '45421000']);
    await signInOn(page, demo.base, 'montse@fusteria-bages.example', 'serra de calar i cola blanca');
    expect(await page.textContent('main')).toContain('Fusteria Sostenible del Bages SL');
    await context.close();
  });

  it('creates an API token on the account page, uses it, and revokes it', async () => {
    const { context, page } = await newPage('es');
    await signIn(page, 'admin@barcelona.example');
    await page.fill('#tokenName', 'Integració comptabilitat');
    await page.fill('#days', '30');
    await page.click('section[aria-labelledby=tokens-h] form button[type=submit]');
    const token = (await page.textContent('code.secret'))?.trim() ?? '';
    expect(token).toMatch(/^ctk_/);
    await expectAccessible(page, 'es-account-token-created');
    const me = await fetch(`${demo.base}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(me.status).toBe(200);
    expect(((await me.json()) as { email: string }).email).toBe('admin@barcelona.example');
    await page.click('form[action$="/revoke"] button');
    await page.waitForURL(`${demo.base}/account`);
    const after = await fetch(`${demo.base}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(after.status).toBe(401);
    await context.close();
  });

  it('creates an authority and a user with roles, who then signs in through the invitation', async () => {
    const { context, page } = await newPage('en');
    await signIn(page, DEMO_PLATFORM_ADMIN);
    await page.goto(`${demo.base}/admin/authorities`);
    await page.fill('#slug', 'sabadell');
    await page.fill('#nameCa', 'Ajuntament de Sabadell');
    await page.fill('#nameEs', 'Ayuntamiento de Sabadell');
    await page.fill('#nameEn', 'Sabadell City Council');
    await page.fill('#dir3Code', 'L01081878');
    await page.fill('#ocidPrefix', 'ocds-ctsbdl');
    await page.fill('#priceWeightCap', '40');
    await page.selectOption('#consortiumId', { index: 1 });
    await page.click('section form button[type=submit]');
    await page.waitForURL(/\/admin\/authorities\/[0-9a-f-]{36}$/);
    const authorityId = page.url().split('/').at(-1) ?? '';
    expect(await page.textContent('main')).toContain('Sabadell City Council');
    await page.goto(`${demo.base}/admin/authorities/${authorityId}/members`);
    await page.fill('#name', 'Albert Vila');
    await page.fill('#email', 'albert.vila@sabadell.example');
    await page.check('#new-authority_admin');
    await page.check('#new-procurement_officer');
    await page.click('section form button[type=submit]');
    await expect.poll(() => page.locator('main [role=status]').count()).toBe(1);
    await expectAccessible(page, 'en-admin-member-added');
    const user = await demo.app.deps.database.db
      .selectFrom('app_user')
      .innerJoin('membership', 'membership.user_id', 'app_user.id')
      .select(['membership.roles', 'membership.authority_id'])
      .where('app_user.email', '=', 'albert.vila@sabadell.example')
      .executeTakeFirst();
    expect(user).toEqual({ roles: ['authority_admin', 'procurement_officer'], authority_id: authorityId });
    // The invitation is in the development outbox; follow its link and choose a password.
    const outbox = `${demo.dataDir}/outbox`;
    const mail = fs
      .readdirSync(outbox)
      // Undo quoted-printable soft line breaks: the link is longer than a mail line.
      .map((f) => fs.readFileSync(`${outbox}/${f}`, 'utf8').replace(/=\r?\n/g, ''))
      .find((m) => m.includes('albert.vila@sabadell.example'));
    const link = mail?.match(/https?:\/\/\S+\/password-reset\/(pr_[A-Za-z0-9_-]+)/)?.[1];
    expect(link).toBeDefined();
    await page.click('header form[action="/sign-out"] button');
    await page.goto(`${demo.base}/password-reset/${link}`);
    await page.fill('#password', 'vapor i llana del Ripoll');
    await page.click('main button[type=submit]');
    await expect.poll(() => page.locator('main [role=status]').count()).toBe(1);
    await signInOn(page, demo.base, 'albert.vila@sabadell.example', 'vapor i llana del Ripoll');
    expect(await page.textContent('main')).toContain('Sabadell City Council');
    await context.close();
  });
});
