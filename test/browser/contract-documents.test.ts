import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Locale } from '../../src/platform/i18n/i18n.js';
import { samplePdf } from '../../src/platform/storage/sample-files.js';
import { PASSWORD, type TestApp } from '../helpers/app.js';
import { type EvaluatedTender, formalisedContract } from '../helpers/evaluation.js';
import { expectAccessible, launch, startTestServer } from './browser.js';

/**
 * The documents of a contract in Chromium (contract.pages.ts): the officer starts the contract,
 * uploads a report with the page's multipart form (a refused form first), ticks it in the
 * amendment form and records the amendment; the public tender page then links the document.
 * axe-core on each state, in ca, es and en.
 */

let t: TestApp;
let base: string;
let browser: Browser;
let e: EvaluatedTender & { contractId: string };
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  t = await startTestServer('browser-contract-docs-cookie-secret-0001', 'contracta-contract-docs-browser-');
  e = await formalisedContract(t);
  base = await t.app.listen({ port: 0, host: '127.0.0.1' });
  browser = await launch();
});

afterAll(async () => {
  for (const c of contexts) await c.close();
  await browser?.close();
  await t?.close();
});

async function signIn(email: string): Promise<Page> {
  const context = await browser.newContext();
  contexts.push(context);
  const page = await context.newPage();
  await page.goto(`${base}/sign-in`);
  await page.fill('#email', email);
  await page.fill('#password', PASSWORD);
  await page.click('main button[type=submit]');
  await page.waitForURL(`${base}/account`);
  return page;
}

async function inLocale(page: Page, locale: Locale, pathname: string): Promise<void> {
  await page.goto(`${base}/lang/${locale}?next=${encodeURIComponent(pathname)}`);
  await page.waitForURL((u) => u.pathname === pathname);
}

async function submit(page: Page, selector: string, then: '#notice' | '#error-summary'): Promise<void> {
  await Promise.all([page.waitForNavigation(), page.click(selector)]);
  await page.waitForSelector(then);
}

describe('documents of a contract on the pages', () => {
  it('uploads, names in an amendment and publishes a document; axe clean in ca, es and en', async () => {
    const officer = await signIn(e.emails.officer);
    const contractPath = `/office/${e.authorityId}/contracts/${e.contractId}`;
    await officer.goto(`${base}${contractPath}`);
    await officer.fill('#start-endDate', '2029-12-31');
    await submit(officer, '#record-start', '#notice');
    expect(await officer.isVisible('#amendment-documents-none')).toBe(true);

    // A form without a file: the page again, the error on the file field.
    await officer.fill('#cdoc-title', 'Informe jurídic');
    await submit(officer, '#upload-document', '#error-summary');
    expect(await officer.inputValue('#cdoc-title')).toBe('Informe jurídic');
    await expectAccessible(officer, 'ca-contract-document-error');

    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'contracta-upload-'));
    const file = path.join(dir, 'informe-juridic.pdf');
    await fs.writeFile(file, samplePdf('Informe jurídic de la modificació'));
    await officer.setInputFiles('#cdoc-file', file);
    await submit(officer, '#upload-document', '#notice');
    expect(await officer.getAttribute('#documents tbody tr', 'data-published')).toBe('no');
    for (const locale of ['es', 'en', 'ca'] as const) {
      await inLocale(officer, locale, contractPath);
      await expectAccessible(officer, `${locale}-contract-documents`);
    }

    await officer.selectOption('#amendment-legalGround', 'art_204');
    await officer.fill('#amendment-valueChange', '3000,00');
    await officer.fill('#amendment-reasons', 'Ampliació prevista al plec a un nou equipament');
    await officer.check('#section-amendment input[name="documents"]');
    await submit(officer, '#record-amendment', '#notice');
    expect(await officer.getAttribute('#documents tbody tr', 'data-published')).toBe('yes');
    await expectAccessible(officer, 'ca-contract-documents-published');

    const visitor = await (await browser.newContext()).newPage();
    await visitor.goto(`${base}/tenders/${e.ocid}`);
    const link = visitor.locator('.contract-documents a');
    expect(await link.count()).toBe(1);
    const href = (await link.getAttribute('href')) ?? '';
    expect(href).toMatch(/\/contracts\/[0-9a-f-]{36}\/documents\/[0-9a-f]{64}$/);
    const download = await visitor.request.get(`${base}${href}`);
    expect(download.status()).toBe(200);
    expect(download.headers()['x-content-sha256']).toBe(href.slice(-64));
    await expectAccessible(visitor, 'ca-public-contract-documents');
    await visitor.context().close();
    await fs.rm(dir, { recursive: true, force: true });
  });
});
