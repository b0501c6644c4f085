import { describe, expect, it } from 'vitest';
import { regenerateBulk } from '../../src/modules/ocds/ocds-bulk.js';
import { LOCALES } from '../../src/platform/i18n/i18n.js';
import { demoSuite, expectAccessible } from './browser.js';

/**
 * The open-data page (issue 6 point 3) in Chromium over the demo: before the bulk files exist and
 * after a generation (the table of files and days), axe-core clean in Catalan, Spanish and English,
 * reached from the footer link of the home page.
 */
const demo = demoSuite();

describe('open-data page', () => {
  it('is reached from the footer and passes axe-core in every language, with and without bulk files', async () => {
    const context = await demo.browser.newContext();
    demo.track(context);
    const page = await context.newPage();
    for (const locale of LOCALES) {
      await demo.inLocale(page, locale, '/');
      await page.click('footer a[href="/open-data"]');
      await page.waitForURL((u) => u.pathname === '/open-data');
      expect(await page.getAttribute('html', 'lang')).toBe(locale);
      await expect.poll(() => page.locator('main table').count()).toBe(0);
      await expectAccessible(page, `${locale}-open-data-empty`);
    }

    const result = await regenerateBulk({
      db: demo.app.deps.database.db,
      driver: demo.app.deps.database.driver,
      dataDir: demo.dataDir,
      baseUrl: demo.app.deps.config.publicUrl,
      clock: demo.app.deps.clock,
    });
    expect(result.status).toBe('done');

    for (const locale of LOCALES) {
      await demo.inLocale(page, locale, '/open-data');
      expect(await page.getAttribute('html', 'lang')).toBe(locale);
      await expect.poll(() => page.locator('main table').count()).toBeGreaterThan(0);
      await expect
        .poll(() => page.locator('main a[href$="/ocds/v1/bulk/releases.jsonl.gz"]').count())
        .toBe(1);
      await expectAccessible(page, `${locale}-open-data`);
    }
  });
});
