import { gunzipSync } from 'node:zlib';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MergeRules, mergeRulesFromSchema } from '../../src/modules/ocds/merge-rules.js';
import { compileReleases, versionReleases } from '../../src/modules/ocds/merge.js';
import type { JsonObject } from '../../src/modules/ocds/merge.types.js';
import { CONTRACTA_EXTENSIONS, declaredExtensionUrls } from '../../src/modules/ocds/extensions.js';
import { ocdsMergeRules, recordRelease } from '../../src/modules/ocds/ocds-publish.service.js';
import { monthsBetween } from '../../src/modules/ocds/ocds.repo.js';
import { validate } from '../../src/modules/ocds/validate.js';
import type { JsonValue } from '../../src/platform/canonical-json.js';
import { withTransaction } from '../../src/platform/db/tx.js';
import { buildTestApp, makeAuthority, rowCounts, type TestApp } from '../helpers/app.js';
import { driverName } from '../helpers/db.js';
import { hasOcdsData, ocdsPath, feedSettled } from '../helpers/ocds.js';

/**
 * The OCDS storage and change feed (issue 6 points 2–3) on synthetic releases built here. The
 * merge rules are those of the real 1.1.5 schema with our extensions when the shared data is
 * present, else of a small schema with the same merge flags for the fields used here.
 */
const SMALL_SCHEMA: JsonObject = {
  type: 'object',
  properties: {
    ocid: { type: 'string' },
    id: { type: 'string', omitWhenMerged: true },
    date: { type: 'string', omitWhenMerged: true },
    tag: { type: 'array', items: { type: 'string' }, omitWhenMerged: true },
    tender: {
      type: 'object',
      properties: {
        id: { type: 'string' },
        title: { type: 'string' },
        status: { type: 'string' },
        items: {
          type: 'array',
          items: { type: 'object', properties: { id: { type: 'string' }, description: { type: 'string' } } },
        },
      },
    },
    parties: {
      type: 'array',
      items: { type: 'object', properties: { id: { type: 'string' }, name: { type: 'string' } } },
    },
  },
};

type Pkg = { releases: JsonObject[]; links: { next: string }; publisher: { name: string }; uri: string };
type RecordPkg = {
  records: { ocid: string; releases: { url: string; date: string }[]; compiledRelease: JsonObject }[];
  links: { next: string };
};

function rel(ocid: string, id: string, date: string, extra: JsonObject = {}): JsonObject {
  return {
    ocid,
    id,
    date,
    tag: ['tender'],
    initiationType: 'tender',
    tender: { id: `${ocid}-t`, title: `Title ${id}`, status: 'active' },
    ...extra,
  };
}

describe(`OCDS storage and change feed (${driverName})`, () => {
  let t: TestApp;
  let rules: MergeRules;
  let a1: { id: string };
  let a2: { id: string };
  let prefix1: string;
  const now = new Date('2026-03-02T10:00:00Z');

  const publish = (release: JsonObject, authorityId: string) =>
    withTransaction(t.db.db, (trx) => recordRelease(trx, release, authorityId, { rules, now }));

  beforeAll(async () => {
    t = await buildTestApp({ now });
    rules = hasOcdsData
      ? await ocdsMergeRules({ schema: { dir: ocdsPath('schema') } })
      : mergeRulesFromSchema(SMALL_SCHEMA);
    a1 = await makeAuthority(t);
    a2 = await makeAuthority(t);
    const row = await t.db.db
      .selectFrom('authority')
      .select('ocid_prefix')
      .where('id', '=', a1.id)
      .executeTakeFirstOrThrow();
    prefix1 = row.ocid_prefix;
  });
  afterAll(async () => t.close());

  const ocid = (n: string) => `${prefix1}-${n}`;

  const local = (url: string) => url.replace(/^https?:\/\/[^/]+/, '');

  /**
   * One feed page: its items (none for 204 No Content) and the next page's URL. Checks what every
   * page carries: the next URL in the Link header and the cursor in x-ocds-next-cursor, the same as
   * the package's links.next; a 204 has no body at all (an empty package would be invalid).
   */
  async function page(url: string): Promise<{ status: number; items: JsonObject[]; next: string }> {
    const res = await t.app.inject(url);
    expect([200, 204], res.body).toContain(res.statusCode);
    const link = /^<([^>]+)>; rel="next"$/.exec(String(res.headers.link));
    expect(link, String(res.headers.link)).not.toBeNull();
    const next = local(link?.[1] as string);
    const cursor = String(res.headers['x-ocds-next-cursor']);
    if (cursor) expect(new URL(next, 'http://x').searchParams.get('cursor')).toBe(cursor);
    if (res.statusCode === 204) {
      expect(res.body).toBe('');
      expect(res.headers['content-type']).toBeUndefined();
      return { status: 204, items: [], next };
    }
    const body = res.json() as Pkg & RecordPkg;
    expect(local(body.links.next)).toBe(next);
    const items = (body.releases ?? body.records) as JsonObject[];
    expect(items.length).toBeGreaterThan(0);
    return { status: 200, items, next };
  }

  async function readAll(feed: 'releases' | 'records', query: string): Promise<JsonObject[]> {
    await feedSettled(t.db.db);
    const out: JsonObject[] = [];
    let url = `/ocds/v1/${feed}?${query}`;
    for (let i = 0; i < 100; i++) {
      const p = await page(url);
      if (p.status === 204) return out;
      out.push(...p.items);
      url = p.next;
    }
    throw new Error('feed did not end');
  }

  it('stores a release once: the same release again is a no-op, other content under its id a conflict', async () => {
    const r = rel(ocid('idem'), 'r1', '2026-01-01T00:00:00Z');
    const first = await publish(r, a1.id);
    expect(first).toMatchObject({ status: 'published', mode: 'created' });
    const before = await rowCounts(t);
    const again = await publish({ ...r }, a1.id);
    expect(again).toEqual({ status: 'unchanged', seq: first.seq });
    await expect(publish({ ...r, tender: { title: 'changed' } }, a1.id)).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    // Another authority cannot add to the process of the first.
    await expect(publish(rel(ocid('idem'), 'r2', '2026-01-02T00:00:00Z'), a2.id)).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    await expect(publish({ ...r, id: 'bad#id' }, a1.id)).rejects.toMatchObject({ code: 'UNPROCESSABLE' });
    await expect(publish({ ...r, id: 'r9', date: '2026-01-01' }, a1.id)).rejects.toMatchObject({
      code: 'UNPROCESSABLE',
    });
    expect(await rowCounts(t)).toEqual(before);
    const record = await t.db.db
      .selectFrom('ocds_record')
      .select('release_count')
      .where('ocid', '=', ocid('idem'))
      .executeTakeFirstOrThrow();
    expect(record.release_count).toBe(1);
  });

  it('keeps releases immutable (the trigger refuses UPDATE and DELETE)', async () => {
    await expect(
      sql`UPDATE ocds_release SET json = '{}' WHERE ocid = ${ocid('idem')}`.execute(t.db.db),
    ).rejects.toThrow(/immutable/);
    await expect(sql`DELETE FROM ocds_release WHERE ocid = ${ocid('idem')}`.execute(t.db.db)).rejects.toThrow(
      /immutable/,
    );
  });

  it('updates the record incrementally, re-merging only for an older release; equal to a full merge', async () => {
    const o = ocid('merge');
    const releases = [
      rel(o, 'm1', '2026-01-01T00:00:00Z', {
        parties: [{ id: 'ES-NIF-A1', name: 'Buyer' }],
        tender: { id: 't', title: 'One', items: [{ id: '1', description: 'a' }] },
      }),
      rel(o, 'm2', '2026-01-03T00:00:00Z', {
        tag: ['tenderAmendment'],
        tender: {
          id: 't',
          title: 'Two',
          items: [
            { id: '1', description: null },
            { id: '2', description: 'b' },
          ],
        },
      }),
      // Same date as the newest: still incremental (a stable sort puts it after).
      rel(o, 'm3', '2026-01-03T00:00:00Z', { tag: ['tenderUpdate'], tender: { id: 't', status: 'active' } }),
      // Older than the record: the stored history is merged again.
      rel(o, 'm0', '2025-12-31T00:00:00Z', { tag: ['planning'], tender: { id: 't', title: 'Zero' } }),
      rel(o, 'm4', '2026-01-05T00:00:00Z', { tag: ['tenderUpdate'], tender: { id: 't', title: 'Four' } }),
    ];
    const modes = [];
    for (const r of releases) modes.push(((await publish(r, a1.id)) as { mode: string }).mode);
    expect(modes).toEqual(['created', 'incremental', 'incremental', 'full', 'incremental']);
    const row = await t.db.db
      .selectFrom('ocds_record')
      .select(['compiled', 'versioned', 'release_count'])
      .where('ocid', '=', o)
      .executeTakeFirstOrThrow();
    expect(row.release_count).toBe(5);
    const full = compileReleases(releases, rules);
    const vfull = versionReleases(releases, rules);
    expect(full.ok && vfull.ok).toBe(true);
    expect(row.compiled).toEqual(full.ok && full.value);
    expect(row.versioned).toEqual(vfull.ok && vfull.value);
    expect((row.compiled as JsonObject).tender).toMatchObject({ title: 'Four', status: 'active' });
  });

  it('pages the releases feed in publication order, without gaps or repeats, up to the limit', async () => {
    const o = ocid('page');
    for (let i = 0; i < 25; i++)
      await publish(
        rel(o, `p${String(i).padStart(2, '0')}`, `2026-02-01T00:00:${String(i).padStart(2, '0')}Z`),
        a1.id,
      );
    const all = await readAll('releases', 'limit=7');
    const mine = all.filter((r) => r.ocid === o).map((r) => r.id);
    expect(mine).toEqual(Array.from({ length: 25 }, (_, i) => `p${String(i).padStart(2, '0')}`));
    const keys = all.map((r) => `${r.ocid}/${r.id}`);
    expect(new Set(keys).size).toBe(keys.length);
    const total = await t.db.db
      .selectFrom('ocds_release')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    expect(all.length).toBe(Number(total.n));

    // The end of the feed: 204 No Content with the cursor to poll with; a later release shows up there.
    const first = await page('/ocds/v1/releases?limit=1000');
    const end = await page(first.next);
    expect(end).toMatchObject({ status: 204, next: first.next });
    await publish(rel(o, 'p99', '2026-02-02T00:00:00Z'), a1.id);
    await feedSettled(t.db.db);
    expect((await page(first.next)).items.map((r) => r.id)).toEqual(['p99']);

    // Nothing matches yet (the head of a filtered feed): 204, never an empty, invalid package.
    const nobody = '00000000-0000-4000-8000-000000000000';
    for (const feed of ['releases', 'records']) {
      const head = await page(`/ocds/v1/${feed}?authority=${nobody}&limit=5`);
      expect(head).toEqual({ status: 204, items: [], next: `/ocds/v1/${feed}?limit=5&authority=${nobody}` });
      const gz = await t.app.inject({
        url: `/ocds/v1/${feed}?authority=${nobody}`,
        headers: { 'accept-encoding': 'gzip' },
      });
      expect([gz.statusCode, gz.rawPayload.length, gz.headers['content-encoding']]).toEqual([
        204,
        0,
        undefined,
      ]);
    }

    for (const bad of [
      'limit=0',
      'limit=1001',
      'cursor=nope!',
      `cursor=${Buffer.from('1.x').toString('base64url')}`,
    ]) {
      const res = await t.app.inject(`/ocds/v1/releases?${bad}`);
      expect(res.statusCode, bad).toBe(400);
      expect(res.json(), bad).toMatchObject({ code: 'VALIDATION_FAILED' });
    }
  });

  it('filters by authority and by date range', async () => {
    await publish(rel(`${prefix1}-other`, 'x1', '2024-06-01T12:00:00Z'), a1.id);
    const otherPrefix = 'ocds-zzzzzz';
    await publish(rel(`${otherPrefix}-a2`, 'y1', '2024-06-02T12:00:00Z'), a2.id);
    await publish(rel(`${otherPrefix}-a2`, 'y2', '2024-07-02T12:00:00Z'), a2.id);
    const byAuthority = await readAll('releases', `authority=${a2.id}`);
    expect(byAuthority.map((r) => r.id)).toEqual(['y1', 'y2']);
    const byDate = await readAll('releases', 'from=2024-06-01&to=2024-07-01T00:00:00Z');
    expect(byDate.map((r) => r.id)).toEqual(['x1', 'y1']);
    const both = await readAll('releases', `authority=${a1.id}&from=2024-01-01&to=2024-12-31`);
    expect(both.map((r) => r.id)).toEqual(['x1']);
    const records = await readAll('records', `authority=${a2.id}`);
    expect(records.map((r) => r.ocid)).toEqual([`${otherPrefix}-a2`]);
    expect((await t.app.inject('/ocds/v1/releases?from=yesterday')).statusCode).toBe(400);
    expect((await t.app.inject('/ocds/v1/releases?authority=not-a-uuid')).statusCode).toBe(400);
  });

  it('pages a date window month by month exactly as a filter over the whole feed would', async () => {
    // Releases over 26 months of 2021–2023, two authorities, several per ocid so that records
    // move; published out of date order so that feed order and date order differ.
    const dates: string[] = [];
    for (let i = 0; i < 48; i++) {
      const month = (i * 7) % 26;
      const day = 1 + ((i * 11) % 28);
      // Every ninth on the first instant of a month: the edge of a window ending there.
      const at =
        i % 9 === 0 ? new Date(Date.UTC(2021, month, 1)) : new Date(Date.UTC(2021, month, day, i % 24));
      dates.push(at.toISOString().replace('.000Z', 'Z'));
    }
    for (const [i, date] of dates.entries())
      await publish(
        rel(`${i % 2 ? prefix1 : 'ocds-yyyyyy'}-win-${i % 12}`, `win-${i}`, date),
        i % 2 ? a1.id : a2.id,
      );
    const all = await readAll('releases', 'limit=1000');
    const records = await readAll('records', 'limit=1000');
    const authorityOf = (ocidText: string) => (ocidText.startsWith(prefix1) ? a1.id : a2.id);
    const windows: [string | undefined, string | undefined][] = [
      ['2021-03-01T00:00:00Z', '2021-04-01T00:00:00Z'],
      ['2021-03-15T00:00:00Z', '2022-02-10T00:00:00Z'],
      ['2021-12-31T23:00:00Z', '2022-01-01T00:00:01Z'],
      ['2022-06-01T00:00:00Z', undefined],
      [undefined, '2021-08-01T00:00:00Z'],
      ['2020-01-01T00:00:00Z', '2030-01-01T00:00:00Z'],
      ['1990-01-01T00:00:00Z', '1991-01-01T00:00:00Z'],
      ['2022-05-01T00:00:00Z', '2022-04-01T00:00:00Z'],
    ];
    let nonEmpty = 0;
    for (const [from, to] of windows)
      for (const authority of [undefined, a1.id, a2.id]) {
        const inWindow = (date: string) =>
          (from === undefined || Date.parse(date) >= Date.parse(from)) &&
          (to === undefined || Date.parse(date) < Date.parse(to));
        const query = [
          'limit=3',
          from && `from=${from}`,
          to && `to=${to}`,
          authority && `authority=${authority}`,
        ]
          .filter(Boolean)
          .join('&');
        const wantReleases = all
          .filter((r) => inWindow(r.date as string))
          .filter((r) => !authority || authorityOf(r.ocid as string) === authority)
          .map((r) => r.id);
        expect(
          (await readAll('releases', query)).map((r) => r.id),
          query,
        ).toEqual(wantReleases);
        const wantRecords = records
          .filter((r) => inWindow((r.compiledRelease as JsonObject).date as string))
          .filter((r) => !authority || authorityOf(r.ocid as string) === authority)
          .map((r) => r.ocid);
        expect(
          (await readAll('records', query)).map((r) => r.ocid),
          query,
        ).toEqual(wantRecords);
        if (wantReleases.length > 3) nonEmpty++;
      }
    // The windows do cut the data (several pages each), not only empty or whole answers.
    expect(nonEmpty).toBeGreaterThan(10);
  });

  it('lists the months of a window', () => {
    expect(monthsBetween(new Date('2021-11-20T10:00:00Z'), new Date('2022-02-01T00:00:00Z'))).toEqual([
      '2021-11-01',
      '2021-12-01',
      '2022-01-01',
      '2022-02-01',
    ]);
    expect(monthsBetween(new Date('2021-11-30T23:59:59Z'), new Date('2021-11-01T00:00:00Z'))).toEqual([
      '2021-11-01',
    ]);
    expect(monthsBetween(new Date('2021-12-01T00:00:00Z'), new Date('2021-11-30T23:59:59Z'))).toEqual([]);
  });

  it('moves a changed record to the end of the records feed and links its releases by date', async () => {
    const before = await readAll('records', '');
    const o = ocid('merge');
    expect(before.map((r) => r.ocid)).toContain(o);
    const next = (await page('/ocds/v1/records?limit=1000')).next;
    await publish(rel(o, 'm5', '2026-01-06T00:00:00Z', { tag: ['tenderUpdate'] }), a1.id);
    await feedSettled(t.db.db);
    const after = (await page(next)).items as RecordPkg['records'];
    expect(after.map((r) => r.ocid)).toEqual([o]);
    // Feed records carry the compiled release and linked releases, not the versioned release.
    expect(after[0]).not.toHaveProperty('versionedRelease');
    const rec = after[0];
    expect(rec?.releases.map((l) => l.date)).toEqual([
      '2025-12-31T00:00:00Z',
      '2026-01-01T00:00:00Z',
      '2026-01-03T00:00:00Z',
      '2026-01-03T00:00:00Z',
      '2026-01-05T00:00:00Z',
      '2026-01-06T00:00:00Z',
    ]);
    expect(rec?.releases[0]?.url).toMatch(/\/ocds\/v1\/releases\/m0\?ocid=.*#m0$/);
  });

  it('serves one release and one record as packages, 404 when unknown', async () => {
    const o = ocid('merge');
    const one = await t.app.inject(`/ocds/v1/releases/m1?ocid=${encodeURIComponent(o)}`);
    expect(one.statusCode).toBe(200);
    const pkg = one.json() as Pkg & { version: string; license: string; publicationPolicy: string };
    expect(pkg).toMatchObject({ version: '1.1', publisher: { name: 'Contracta' } });
    expect(pkg.license).toMatch(/^https:\/\//);
    expect(pkg.publicationPolicy).toMatch(/\/open-data$/);
    expect(pkg.releases.map((r) => r.id)).toEqual(['m1']);
    const rec = await t.app.inject(`/ocds/v1/records/${encodeURIComponent(o)}`);
    expect(rec.statusCode).toBe(200);
    const record = (rec.json() as RecordPkg).records[0];
    expect(record?.compiledRelease).toMatchObject({ ocid: o, tag: ['compiled'] });
    expect(record).not.toHaveProperty('versionedRelease');
    // The versioned release on request only, as the record stores it.
    const withVersioned = await t.app.inject(`/ocds/v1/records/${encodeURIComponent(o)}?versioned=true`);
    expect(withVersioned.statusCode).toBe(200);
    const stored = await t.db.db
      .selectFrom('ocds_record')
      .select('versioned')
      .where('ocid', '=', o)
      .executeTakeFirstOrThrow();
    const vpkg = withVersioned.json() as { uri: string; records: { versionedRelease: JsonObject }[] };
    expect(vpkg.records[0]?.versionedRelease).toEqual(stored.versioned);
    expect(vpkg.uri).toMatch(/\?versioned=true$/);
    expect(withVersioned.headers.etag).not.toBe(rec.headers.etag);
    expect((await t.app.inject(`/ocds/v1/records/${encodeURIComponent(o)}?versioned=maybe`)).statusCode).toBe(
      400,
    );
    for (const url of ['/ocds/v1/releases/nope', `/ocds/v1/releases/m1?ocid=nope`, '/ocds/v1/records/nope']) {
      const res = await t.app.inject(url);
      expect(res.statusCode, url).toBe(404);
      expect(res.json()).toMatchObject({ code: 'NOT_FOUND' });
    }
  });

  it('answers If-None-Match with 304 and compresses with gzip when asked', async () => {
    const url = '/ocds/v1/releases?limit=50';
    const res = await t.app.inject(url);
    const etag = res.headers.etag as string;
    expect(etag).toMatch(/^W\/"/);
    const again = await t.app.inject({ url, headers: { 'if-none-match': etag } });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    const other = await t.app.inject({
      url: '/ocds/v1/releases?limit=49',
      headers: { 'if-none-match': etag },
    });
    expect(other.statusCode).toBe(200);

    const gz = await t.app.inject({ url, headers: { 'accept-encoding': 'gzip' } });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(JSON.parse(gunzipSync(gz.rawPayload).toString('utf8'))).toEqual(res.json());
    expect(gz.headers.etag).toBe(etag);
    const plain = await t.app.inject(url);
    expect(plain.headers['content-encoding']).toBeUndefined();
  });

  it.skipIf(!hasOcdsData)('publishes packages that pass the 1.1.5 schema with our extensions', async () => {
    const options = { schema: { dir: ocdsPath('schema') }, extensionSource: { offline: true } };
    const base = t.app.deps.config.publicUrl;
    const rp = (await t.app.inject('/ocds/v1/releases?limit=5')).json() as JsonValue;
    const rr = (await t.app.inject('/ocds/v1/records?limit=5')).json() as JsonValue;
    const o = encodeURIComponent(ocid('merge'));
    const rv = (await t.app.inject(`/ocds/v1/records/${o}?versioned=true`)).json() as JsonValue;
    for (const doc of [rp, rr, rv]) {
      expect((doc as { extensions: string[] }).extensions).toEqual(declaredExtensionUrls(base));
      const report = await validate(doc, options);
      const errors = report.findings.filter((f) => f.severity === 'error');
      expect(errors, JSON.stringify(errors.slice(0, 3))).toEqual([]);
    }
  });

  it('serves our own extension (document integrity) where every package declares it', async () => {
    const base = t.app.deps.config.publicUrl;
    const own = CONTRACTA_EXTENSIONS.filter((e) => e.own);
    expect(own.map((e) => e.id)).toEqual(['documentIntegrity']);
    const url = `${base}/ocds/v1/extensions/documentIntegrity/extension.json`;
    expect(declaredExtensionUrls(base)).toContain(url);
    expect(declaredExtensionUrls()).not.toContain(url);

    const meta = await t.app.inject(local(url));
    expect(meta.statusCode).toBe(200);
    expect(meta.headers['content-type']).toMatch(/^application\/json/);
    expect(meta.json()).toMatchObject({
      name: { en: 'Document integrity' },
      compatibility: ['1.1'],
      schemas: ['release-schema.json'],
    });
    const patch = await t.app.inject(local(url.replace('extension.json', 'release-schema.json')));
    expect(patch.statusCode).toBe(200);
    expect(patch.json()).toEqual(own[0]?.minimalPatch);
    expect(patch.json()).toMatchObject({
      definitions: {
        Document: {
          properties: {
            integrity: {
              type: ['array', 'null'],
              items: { $ref: '#/definitions/Identifier' },
              wholeListMerge: true,
            },
          },
        },
      },
    });
    for (const bad of ['nope/extension.json', 'lots/extension.json', 'documentIntegrity/other.json']) {
      const res = await t.app.inject(`/ocds/v1/extensions/${bad}`);
      expect(res.statusCode, bad).toBe(404);
    }
  });

  it.skipIf(!hasOcdsData)('checks Document.integrity once the extension is declared', async () => {
    const options = { schema: { dir: ocdsPath('schema') }, extensionSource: { offline: true } };
    const base = t.app.deps.config.publicUrl;
    const hash = 'a'.repeat(64);
    const release = rel(`${prefix1}-integrity`, 'i1', '2026-03-01T00:00:00Z', {
      tender: {
        id: 't',
        documents: [
          { id: 'd1', url: 'https://example.org/d1.pdf', integrity: [{ scheme: 'sha256', id: hash }] },
        ],
      },
    });
    const pkg = (r: JsonObject, extensions: string[]) =>
      ({
        uri: `${base}/ocds/v1/releases/i1`,
        publisher: { name: 'Contracta' },
        publishedDate: '2026-03-01T00:00:00Z',
        version: '1.1',
        extensions,
        releases: [r],
      }) as unknown as JsonValue;
    const errors = async (doc: JsonValue) =>
      (await validate(doc, options)).findings
        .filter((f) => f.severity === 'error')
        .map((f) => `${f.code} ${f.path}`);
    expect(await errors(pkg(release, declaredExtensionUrls(base)))).toEqual([]);
    const broken = structuredClone(release);
    ((broken.tender as JsonObject).documents as JsonObject[])[0]!.integrity = [];
    expect(await errors(pkg(broken, declaredExtensionUrls(base)))).toContain(
      'schema.minItems /releases/0/tender/documents/0/integrity',
    );
    // Undeclared, the field is not checked (proof that the declared patch did it).
    expect(await errors(pkg(broken, declaredExtensionUrls()))).toEqual([]);
    // A SHA-256 that is not 64 lower-case hex digits is reported (a quality warning).
    const upper = structuredClone(release);
    ((upper.tender as JsonObject).documents as JsonObject[])[0]!.integrity = [
      { scheme: 'sha256', id: 'A'.repeat(64) },
    ];
    const codes = async (doc: JsonValue) =>
      (await validate(doc, options)).findings.map((f) => `${f.severity} ${f.code} ${f.path}`);
    expect(await codes(pkg(upper, declaredExtensionUrls(base)))).toEqual([
      'warning document.integrity.format /releases/0/tender/documents/0/integrity/0/id',
    ]);
    expect(await codes(pkg(release, declaredExtensionUrls(base)))).toEqual([]);

    // Merged whole: a replaced file replaces its hash instead of adding a second one.
    const replaced = rel(`${prefix1}-integrity`, 'i2', '2026-03-02T00:00:00Z', {
      tag: ['tenderAmendment'],
      tender: { id: 't', documents: [{ id: 'd1', integrity: [{ scheme: 'sha256', id: 'b'.repeat(64) }] }] },
    });
    const compiled = compileReleases([release, replaced], rules);
    if (!compiled.ok) throw new Error(compiled.error.message);
    expect(((compiled.value.tender as JsonObject).documents as JsonObject[])[0]?.integrity).toEqual([
      { scheme: 'sha256', id: 'b'.repeat(64) },
    ]);
  });

  it('never skips or repeats while several writers publish concurrently', async () => {
    // Start from the end of the feed, then let 4 writers publish 15 releases each while a reader polls.
    let cursorUrl = (await page('/ocds/v1/releases?limit=1000')).next;
    // A second reader follows a date window that holds exactly these releases (none before them).
    const windowStart = await page('/ocds/v1/releases?limit=1000&from=2026-04-01&to=2026-04-02');
    expect(windowStart.items).toEqual([]);
    let windowUrl = windowStart.next;
    const expected = new Set<string>();
    const writers = [0, 1, 2, 3].map(async (w) => {
      for (let i = 0; i < 15; i++) {
        const id = `w${w}-${i}`;
        expected.add(id);
        await publish(rel(ocid(`conc-${w}`), id, `2026-04-01T00:00:${String(i).padStart(2, '0')}Z`), a1.id);
        await new Promise((r) => setTimeout(r, Math.random() * 5));
      }
    });
    const seen: string[] = [];
    const seenInWindow: string[] = [];
    let done = false;
    const all = Promise.all(writers).then(() => {
      done = true;
    });
    for (let polls = 0; polls < 2000; polls++) {
      const wasDone = done;
      const p = await page(cursorUrl);
      seen.push(...p.items.map((r) => r.id as string));
      cursorUrl = p.next;
      const w = await page(windowUrl);
      seenInWindow.push(...w.items.map((r) => r.id as string));
      windowUrl = w.next;
      if (wasDone && p.items.length === 0 && w.items.length === 0) break;
      await new Promise((r) => setTimeout(r, 2));
    }
    await all;
    expect(seen.length).toBe(60);
    expect(new Set(seen)).toEqual(expected);
    expect(seenInWindow).toEqual(seen);
  });

  it.skipIf(driverName !== 'postgres')(
    'two writers: the lower seq committing last is served after, never skipped (PostgreSQL)',
    async () => {
      // Every earlier write served first (another test file's transaction may hold the watermark).
      await feedSettled(t.db.db);
      const start = (await page('/ocds/v1/releases?limit=1000')).next;
      let releaseA!: () => void;
      const gateA = new Promise<void>((r) => {
        releaseA = r;
      });
      let aInserted!: () => void;
      const aReady = new Promise<void>((r) => {
        aInserted = r;
      });
      // Writer A takes the lower seq and waits before committing.
      const txA = t.db.db.transaction().execute(async (trx) => {
        const res = await recordRelease(trx, rel(ocid('twoA'), 'A', '2026-05-01T00:00:00Z'), a1.id, {
          rules,
          now,
        });
        aInserted();
        await gateA;
        return res;
      });
      await aReady;
      // Writer B takes a higher seq and commits first.
      const b = await publish(rel(ocid('twoB'), 'B', '2026-05-01T00:00:00Z'), a1.id);

      // A naive seq cursor would serve B now and move past A's seq: the hazard is real.
      const naive = await sql<{
        id: string;
      }>`SELECT id FROM ocds_release WHERE seq > ${b.seq}::bigint - 2 ORDER BY seq`.execute(t.db.db);
      expect(naive.rows.map((r) => r.id)).toEqual(['B']);

      // The watermark holds B back while A is in flight (an empty page: 204 and the same cursor).
      const during = await page(start);
      expect(during).toEqual({ status: 204, items: [], next: start });
      const cursorDuring = during.next;

      releaseA();
      const a = await txA;
      expect(BigInt(a.seq)).toBeLessThan(BigInt(b.seq));
      let served: string[] = [];
      for (let i = 0; i < 200 && served.length < 2; i++) {
        served = (await page(cursorDuring)).items.map((r) => r.id as string);
        if (served.length < 2) await new Promise((r) => setTimeout(r, 10));
      }
      expect([...served].sort()).toEqual(['A', 'B']);
      // A is before B in the feed: its transaction started first (its xid is lower).
      expect(served).toEqual(['A', 'B']);
    },
  );
});
