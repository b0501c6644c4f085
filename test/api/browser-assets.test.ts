import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BROWSER_ENTRIES } from '../../src/modules/portal/browser-assets.js';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { driverName } from '../helpers/db.js';

describe(`browser scripts (${driverName})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp();
  });
  afterAll(async () => t.close());

  it('serves each page script as a bundled ES module, revalidated by its ETag', async () => {
    for (const entry of BROWSER_ENTRIES) {
      const res = await t.app.inject(`/assets/js/${entry}.js`);
      expect(res.statusCode, entry).toBe(200);
      expect(res.headers['content-type']).toBe('text/javascript; charset=utf-8');
      expect(res.headers['cache-control']).toBe('no-cache');
      // Bundled: no import of a bare module or of a Node built-in is left for the browser to resolve.
      expect(res.body).not.toMatch(/from\s*["'](node:|[a-z@])/);
      const etag = String(res.headers.etag);
      const again = await t.app.inject({ url: `/assets/js/${entry}.js`, headers: { 'if-none-match': etag } });
      expect(again.statusCode).toBe(304);
      expect(again.body).toBe('');
    }
  });

  it('serves nothing but the named entries', async () => {
    for (const url of [
      '/assets/js/api.js',
      '/assets/js/bid-seal',
      '/assets/js/bid-seal.ts',
      '/assets/js/..%2Fapi.js',
      '/assets/js/tsconfig.json',
    ]) {
      expect((await t.app.inject(url)).statusCode, url).toBe(404);
    }
  });
});
