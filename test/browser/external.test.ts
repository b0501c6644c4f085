import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importOcds, type ImportOptions } from '../../src/modules/ocds/ocds-import.js';
import { LOCALES } from '../../src/platform/i18n/i18n.js';
import type { TestApp } from '../helpers/app.js';
import { hasOcdsData, ocdsPath } from '../helpers/ocds.js';
import { expectAccessible, launch, startTestServer, switchLocale } from './browser.js';

/**
 * Third-party open data in Chromium (external.pages.ts): an external authority with imported
 * processes — one with lots, an award and a contract, one whose title carries a script — in the
 * directory, its list and a process page; axe-core on each, in ca, es and en, and the script never runs.
 */

let t: TestApp;
let base: string;
let browser: Browser;
let tmp: string;
const contexts: BrowserContext[] = [];
const SLUG = 'dades-obertes-prova';
const OCID = 'ocds-abc123-LOTS-1';

beforeAll(async () => {
  t = await startTestServer('browser-external-cookie-secret-000000001', 'contracta-external-browser-');
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'contracta-external-browser-'));
  let options: ImportOptions = { offline: true };
  if (hasOcdsData) options = { ...options, schemaDir: ocdsPath('schema') };
  else {
    const schema = path.join(tmp, 'release-schema.json');
    fs.writeFileSync(
      schema,
      JSON.stringify({
        properties: {
          id: { omitWhenMerged: true },
          date: { omitWhenMerged: true },
          tag: { omitWhenMerged: true },
        },
      }),
    );
    options = { ...options, schema };
  }
  const pkg = {
    version: '1.1',
    releases: [
      {
        ocid: OCID,
        id: 't1',
        date: '2024-01-10T09:00:00Z',
        tag: ['tender'],
        initiationType: 'tender',
        parties: [{ id: 'ES-1', name: 'Ajuntament de Prova', roles: ['buyer'] }],
        buyer: { id: 'ES-1', name: 'Ajuntament de Prova' },
        tender: {
          id: 'T',
          title: 'Manteniment de parcs',
          description: 'Dos lots de manteniment.',
          status: 'complete',
          procurementMethod: 'open',
          value: { amount: 200000, currency: 'EUR' },
          tenderPeriod: { startDate: '2024-01-10T09:00:00Z', endDate: '2024-02-10T13:00:00Z' },
          lots: [
            { id: '1', title: 'Parcs nord', status: 'complete', value: { amount: 100000, currency: 'EUR' } },
            { id: '2', title: 'Parcs sud', status: 'complete', value: { amount: 100000, currency: 'XXX' } },
          ],
        },
      },
      {
        ocid: OCID,
        id: 'a1',
        date: '2024-03-01T10:00:00Z',
        tag: ['award', 'contract'],
        initiationType: 'tender',
        awards: [
          {
            id: 'aw1',
            status: 'active',
            date: '2024-03-01',
            value: { amount: 95000, currency: 'EUR' },
            suppliers: [{ id: 'ES-NIF-B1', name: 'Jardins SL' }],
          },
        ],
        contracts: [
          {
            id: 'c1',
            awardID: 'aw1',
            status: 'active',
            dateSigned: '2024-03-15T00:00:00Z',
            period: { startDate: '2024-04-01T00:00:00Z', endDate: '2025-03-31T00:00:00Z' },
            value: { amount: 95000, currency: 'EUR' },
          },
        ],
      },
      {
        ocid: 'ocds-abc123-XSS',
        id: 'x1',
        date: '2024-05-01T00:00:00Z',
        tag: ['tender'],
        initiationType: 'tender',
        tender: { id: 'X', title: '<script>window.__pwned = true</script>Títol', status: 'active' },
      },
    ],
  };
  const bytes = new TextEncoder().encode(JSON.stringify(pkg));
  const summary = await importOcds(
    {
      db: t.db.db,
      actor: { kind: 'system', label: 'ocds-import' },
      clock: t.clock,
      ip: null,
      userAgent: null,
    },
    { authority: SLUG, create: { name: 'Dades obertes de prova', sourceUrl: 'https://example.org/ocds' } },
    [
      {
        name: 'fixture.json',
        open: async function* () {
          yield bytes;
        },
      },
    ],
    options,
  );
  expect(summary).toMatchObject({ exitCode: 0, releasesStored: 3, recordsWritten: 2 });
  base = await t.app.listen({ port: 0, host: '127.0.0.1' });
  browser = await launch();
});

afterAll(async () => {
  for (const c of contexts) await c.close();
  await browser?.close();
  await t?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe.each(LOCALES)('third-party open data in %s', (locale) => {
  it('shows the directory, the list and a process accessibly, with the third-party notice', async () => {
    const context = await browser.newContext();
    contexts.push(context);
    const page = await context.newPage();
    await switchLocale(page, base, locale, '/authorities');
    expect(await page.getAttribute('html', 'lang')).toBe(locale);
    await expectAccessible(page, `${locale}-external-directory`);

    // The authority's page leads to its processes.
    await page.click(`a[href="/authorities/${SLUG}"]`);
    await page.waitForURL((u) => u.pathname === `/authorities/${SLUG}/processes`);
    expect(await page.locator('aside.notice').count()).toBe(1);
    expect(await page.locator('tbody tr').count()).toBe(2);
    await expectAccessible(page, `${locale}-external-list`);

    await page.click(`a[href="/authorities/${SLUG}/processes/${OCID}"]`);
    await page.waitForURL((u) => u.pathname === `/authorities/${SLUG}/processes/${OCID}`);
    expect(await page.textContent('h1')).toBe('Manteniment de parcs');
    expect(await page.locator('table').count()).toBe(3);
    expect(await page.textContent('main')).toContain('Jardins SL');
    await expectAccessible(page, `${locale}-external-process`);

    await page.goto(`${base}/authorities/${SLUG}/processes/ocds-abc123-XSS`);
    expect(await page.textContent('h1')).toBe('<script>window.__pwned = true</script>Títol');
    expect(await page.evaluate(() => (globalThis as { __pwned?: boolean }).__pwned ?? false)).toBe(false);
    await expectAccessible(page, `${locale}-external-process-escaped`);
  });
});
