import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTRACTA_EXTENSIONS } from '../../src/modules/ocds/extensions.js';
import { readManifest, regenerateBulk } from '../../src/modules/ocds/ocds-bulk.js';
import { recordRelease } from '../../src/modules/ocds/ocds-publish.service.js';
import { mergeRulesFromSchema } from '../../src/modules/ocds/merge-rules.js';
import { withTransaction } from '../../src/platform/db/tx.js';
import { escapeHtml } from '../../src/platform/http/html.js';
import { LOCALES, translator } from '../../src/platform/i18n/i18n.js';
import { buildTestApp, makeAuthority, type TestApp } from '../helpers/app.js';
import { driverName } from '../helpers/db.js';
import { feedSettled } from '../helpers/ocds.js';

/** The open-data page (issue 6 point 3), server-rendered, in the three languages. */
describe(`open-data page (${driverName})`, () => {
  let t: TestApp;
  let dataDir: string;
  const now = new Date('2026-03-02T10:00:00Z');

  beforeAll(async () => {
    t = await buildTestApp({ now });
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'contracta-opendata-'));
    t.app.deps.config.dataDir = dataDir;
  });
  afterAll(async () => {
    await t.close();
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  it('says the bulk files are not generated yet, and links the page from every page footer', async () => {
    const res = await t.app.inject('/open-data');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain(escapeHtml(translator('ca')('opendata.bulk.notYet')));
    const home = await t.app.inject('/');
    expect(home.body).toContain('<a href="/open-data">');
  });

  it('explains releases, records, extensions, licence, API, bulk files, CSV and tools in ca, es and en', async () => {
    const authority = await makeAuthority(t);
    const row = await t.db.db
      .selectFrom('authority')
      .select('ocid_prefix')
      .where('id', '=', authority.id)
      .executeTakeFirstOrThrow();
    const rules = mergeRulesFromSchema({
      type: 'object',
      properties: {
        id: { type: 'string', omitWhenMerged: true },
        date: { type: 'string', omitWhenMerged: true },
      },
    });
    await withTransaction(t.db.db, (trx) =>
      recordRelease(
        trx,
        {
          ocid: `${row.ocid_prefix}-p1`,
          id: 'r1',
          date: '2026-03-01T00:00:00Z',
          tag: ['tender'],
          initiationType: 'tender',
        },
        authority.id,
        { rules, now },
      ),
    );
    await feedSettled(t.db.db);
    const result = await regenerateBulk({
      db: t.db.db,
      driver: t.db.driver,
      dataDir,
      baseUrl: t.app.deps.config.publicUrl,
      clock: t.clock,
    });
    expect(result.status).toBe('done');
    const manifest = await readManifest(dataDir);
    for (const locale of LOCALES) {
      const tr = translator(locale);
      const res = await t.app.inject({ url: '/open-data', headers: { 'accept-language': locale } });
      expect(res.statusCode, locale).toBe(200);
      const body = res.body;
      expect(body).toContain(`<html lang="${locale}">`);
      expect(body).toContain(`<h1>${escapeHtml(tr('opendata.title'))}</h1>`);
      for (const e of CONTRACTA_EXTENSIONS) expect(body).toContain(`href="${e.url}"`);
      expect(body).toContain(t.app.deps.config.ocds.license);
      expect(body).toContain('GET /ocds/v1/releases');
      expect(body).toContain('contracta ocds compile');
      expect(body).toContain('contracta ocds validate');
      expect(body).toContain(`${t.app.deps.config.publicUrl}/ocds/v1/bulk/releases.jsonl.gz`);
      expect(body).toContain(`${t.app.deps.config.publicUrl}/ocds/v1/bulk/contracts.csv`);
      expect(body).toContain('/ocds/v1/bulk/daily/2026-03-02.releases.jsonl.gz');
      expect(body).toContain(manifest?.releases.sha256.slice(0, 16));
      expect(body).not.toContain(escapeHtml(tr('opendata.bulk.notYet')));
    }
    const es = await t.app.inject({ url: '/open-data', headers: { 'accept-language': 'es' } });
    expect(es.body).toContain('Datos abiertos');
    const en = await t.app.inject({ url: '/open-data', headers: { 'accept-language': 'en' } });
    expect(en.body).toContain('Bulk downloads');
  });
});
