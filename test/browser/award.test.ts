import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Locale } from '../../src/platform/i18n/i18n.js';
import { PASSWORD, type TestApp } from '../helpers/app.js';
import { type EvaluatedTender, openedTender } from '../helpers/evaluation.js';
import { expectAccessible, launch, signInAs, startTestServer, switchLocale } from './browser.js';

/**
 * Issue 5 point 8 in Chromium, after envelope C: on a one-lot tender of 150,000 € (the special
 * appeal lies) with three offers, 30,000 € presumed abnormally low, a committee member reviews the
 * abnormal offer on its page (a refused request first, then justification, technical report,
 * acceptance), proposes the best-ranked bid and checks its documentation on the award page; the
 * officer awards, notifies, starts the standstill, and — once the server's clock has passed it —
 * formalises, then records the contract's start, a refused payment and an amendment on the
 * contract page. axe-core on every page in Catalan, and on each kind of page in Spanish and English.
 *
 * The server runs on a movable clock (the standstill is 15 business days) over a fresh embedded
 * database, with the users of test/helpers/evaluation.ts (the test password).
 */

let t: TestApp;
let base: string;
let browser: Browser;
let e: EvaluatedTender;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  t = await startTestServer('browser-award-cookie-secret-browser-award', 'contracta-award-browser-');
  e = await openedTender(t, ['30000.00', '45000.00', '46000.00']);
  base = await t.app.listen({ port: 0, host: '127.0.0.1' });
  browser = await launch();
});

afterAll(async () => {
  for (const c of contexts) await c.close();
  await browser?.close();
  await t?.close();
});

async function signIn(email: string): Promise<Page> {
  const { context, page } = await signInAs(browser, base, email, undefined, PASSWORD);
  contexts.push(context);
  return page;
}

const inLocale = (page: Page, locale: Locale, pathname: string) => switchLocale(page, base, locale, pathname);

/** Clicks a submit button and waits for the page it leads to (PRG redirect or re-rendered form). */
async function submit(page: Page, selector: string, then: '#notice' | '#error-summary'): Promise<void> {
  await Promise.all([page.waitForNavigation(), page.click(selector)]);
  await page.waitForSelector(then);
}

describe('abnormal-offer review → award → contract on the pages', () => {
  it('runs in Chromium, axe clean in ca, es and en', async () => {
    const office = (p: string) => `/office/${e.authorityId}/tenders/${e.tenderId}/${p}`;
    const [abnormal] = e.bidIds as [string];
    const key = `${abnormal}-1`;

    // ── the committee reviews the abnormal offer ──
    const committee = await signIn(e.emails.committee);
    await inLocale(committee, 'ca', office('scoring'));
    await committee.click('#nav-abnormal-offers');
    await committee.waitForURL((u) => u.pathname === office('abnormal-offers'));
    for (const locale of ['es', 'en', 'ca'] as const) {
      await inLocale(committee, locale, office('abnormal-offers'));
      expect(await committee.getAttribute(`#offer-${key}`, 'data-status')).toBe('presumed');
      await expectAccessible(committee, `${locale}-award-abnormal`);
    }
    await committee.fill(`#request_justification-${key}-days`, '0');
    await submit(committee, `#request_justification-${key}`, '#error-summary');
    expect(await committee.getAttribute(`#request_justification-${key}-days`, 'aria-invalid')).toBe('true');
    await expectAccessible(committee, 'ca-award-abnormal-error');
    await committee.fill(`#request_justification-${key}-days`, '5');
    await submit(committee, `#request_justification-${key}`, '#notice');
    await submit(committee, `#receive_justification-${key}`, '#notice');
    await committee.check(`#record_technical_report-${key}-conclusion-accept`);
    await committee.fill(
      `#record_technical_report-${key}-summary`,
      'La justificació de costos és completa i coherent amb el conveni',
    );
    await submit(committee, `#record_technical_report-${key}`, '#notice');
    await expectAccessible(committee, 'ca-award-abnormal-report');
    await committee.fill(`#accept-${key}-reasons`, 'Oferta justificada; es farà el seguiment en l’execució');
    await submit(committee, `#accept-${key}`, '#notice');
    expect(await committee.getAttribute(`#offer-${key}`, 'data-status')).toBe('accepted');
    await expectAccessible(committee, 'ca-award-abnormal-accepted');

    // ── the committee proposes and checks the documentation ──
    await committee.click('#nav-award');
    await committee.waitForURL((u) => u.pathname === office('award'));
    for (const locale of ['es', 'en', 'ca'] as const) {
      await inLocale(committee, locale, office('award'));
      await expectAccessible(committee, `${locale}-award-ranking`);
    }
    await submit(committee, '#propose-1', '#notice');
    expect(await committee.getAttribute('#lot-1', 'data-status')).toBe('proposed');
    await submit(committee, '#request_documentation-1', '#notice');
    await submit(committee, '#documentation_ok-1', '#notice');
    await expectAccessible(committee, 'ca-award-documentation-ok');

    // ── the officer awards, notifies and starts the standstill ──
    let officer = await signIn(e.emails.officer);
    await inLocale(officer, 'ca', office('award'));
    await submit(officer, '#award-1', '#error-summary');
    await expectAccessible(officer, 'ca-award-award-error');
    await officer.fill('#award-1-reasons', 'Oferta amb la millor relació qualitat-preu');
    await submit(officer, '#award-1', '#notice');
    await submit(officer, '#notify-1', '#notice');
    await submit(officer, '#start_standstill-1', '#notice');
    expect(await officer.getAttribute('#lot-1', 'data-status')).toBe('standstill');
    await expectAccessible(officer, 'ca-award-standstill');

    // The standstill passes on the server's clock; sessions have expired meanwhile.
    const ends = await t.app.inject({
      url: `/api/v1/authorities/${e.authorityId}/tenders/${e.tenderId}/awards`,
      headers: e.sessions.officer?.headers,
    });
    const standstillEnds =
      (ends.json() as { lots: { standstillEnds: string }[] }).lots[0]?.standstillEnds ?? '';
    t.clock.set(new Date(new Date(standstillEnds).getTime() + 2 * 3_600_000));
    officer = await signIn(e.emails.officer);
    await inLocale(officer, 'ca', office('award'));
    await submit(officer, '#clear_for_formalisation-1', '#notice');
    await expectAccessible(officer, 'ca-award-ready');
    await submit(officer, '#formalise-1', '#notice');
    expect(await officer.getAttribute('#lot-1', 'data-status')).toBe('formalised');

    // ── the contract ──
    await officer.click('#contract-link-1');
    await officer.waitForSelector('#contract-facts');
    const contractPath = new URL(officer.url()).pathname;
    for (const locale of ['es', 'en', 'ca'] as const) {
      await inLocale(officer, locale, contractPath);
      await expectAccessible(officer, `${locale}-award-contract`);
    }
    await officer.fill('#start-endDate', '2029-12-31');
    await submit(officer, '#record-start', '#notice');
    expect(await officer.getAttribute('#contract-status', 'data-status')).toBe('in_execution');
    await officer.fill('#payment-amount', 'molt');
    await submit(officer, '#record-payment', '#error-summary');
    await expectAccessible(officer, 'ca-award-contract-error');
    await officer.selectOption('#amendment-legalGround', 'art_204');
    await officer.fill('#amendment-valueChange', '3000,00');
    await officer.fill('#amendment-reasons', 'Ampliació prevista al plec a un nou equipament');
    await submit(officer, '#record-amendment', '#notice');
    expect(await officer.isVisible('#event-2')).toBe(true);
    await expectAccessible(officer, 'ca-award-contract-amended');
    await officer.click('#contracts-link');
    await officer.waitForSelector('#contracts');
    await expectAccessible(officer, 'ca-award-contracts');
    for (const locale of ['es', 'en'] as const) {
      await inLocale(officer, locale, `/office/${e.authorityId}/contracts`);
      await expectAccessible(officer, `${locale}-award-contracts`);
    }

    // ── the minutes: the whole in the workspace, the published acts for anyone ──
    for (const locale of ['es', 'en', 'ca'] as const) {
      await inLocale(officer, locale, office('minutes'));
      expect(await officer.locator('#minutes tbody tr').count()).toBeGreaterThan(5);
      await expectAccessible(officer, `${locale}-minutes-office`);
      await inLocale(officer, locale, `/tenders/${e.ocid}/minutes`);
      expect(await officer.locator('#minutes tbody tr').count()).toBeGreaterThan(3);
      await expectAccessible(officer, `${locale}-minutes-public`);
    }
  });
});
