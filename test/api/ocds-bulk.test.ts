import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { declaredExtensionUrls } from '../../src/modules/ocds/extensions.js';
import { type MergeRules, mergeRulesFromSchema } from '../../src/modules/ocds/merge-rules.js';
import type { JsonObject } from '../../src/modules/ocds/merge.types.js';
import {
  type BulkDeps,
  type BulkResult,
  bulkDir,
  type Manifest,
  readManifest,
  regenerateBulk,
  SEGMENTS,
  segmentOf,
} from '../../src/modules/ocds/ocds-bulk.js';
import { CONTRACT_CSV_HEADER } from '../../src/modules/ocds/ocds-csv.js';
import { ocdsMergeRules, recordRelease } from '../../src/modules/ocds/ocds-publish.service.js';
import { validate } from '../../src/modules/ocds/validate.js';
import type { JsonValue } from '../../src/platform/canonical-json.js';
import { withTransaction } from '../../src/platform/db/tx.js';
import { buildTestApp, makeAuthority, type TestApp } from '../helpers/app.js';
import { driverName } from '../helpers/db.js';
import { feedSettled, hasOcdsData, ocdsPath } from '../helpers/ocds.js';

/**
 * The OCDS bulk files (issue 6 point 3): incremental appends, record segments, daily files, the
 * CSV, the routes and the lock, on synthetic releases (the merge rules of the real 1.1.5 schema
 * when the shared data is present, else a small schema with the same merge flags).
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
        lots: {
          type: 'array',
          items: { type: 'object', properties: { id: { type: 'string' }, title: { type: 'string' } } },
        },
      },
    },
    awards: {
      type: 'array',
      items: { type: 'object', properties: { id: { type: 'string' }, status: { type: 'string' } } },
    },
    contracts: {
      type: 'array',
      items: { type: 'object', properties: { id: { type: 'string' }, status: { type: 'string' } } },
    },
  },
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

const lines = (gz: Buffer): JsonObject[] =>
  gunzipSync(gz)
    .toString('utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as JsonObject);

const done = (r: BulkResult) => {
  if (r.status !== 'done') throw new Error('the run was busy');
  return r;
};

describe(`OCDS bulk files (${driverName})`, () => {
  let t: TestApp;
  let rules: MergeRules;
  let authority: { id: string };
  let prefix: string;
  let dataDir: string;
  let dir: string;
  const now = new Date('2026-03-02T10:00:00Z');

  const publish = (release: JsonObject, at: Date = now) =>
    withTransaction(t.db.db, (trx) => recordRelease(trx, release, authority.id, { rules, now: at }));
  const deps = (over: Partial<BulkDeps> = {}): BulkDeps => ({
    db: t.db.db,
    driver: t.db.driver,
    dataDir,
    baseUrl: 'https://contracta.example',
    clock: t.clock,
    ...over,
  });
  const regenerate = async (over: Partial<BulkDeps> = {}) => {
    await feedSettled(t.db.db);
    return done(await regenerateBulk(deps(over)));
  };
  const manifest = async (): Promise<Manifest> => {
    const m = await readManifest(dataDir);
    if (!m) throw new Error('no manifest');
    return m;
  };
  const releasesFile = () => fs.readFile(path.join(dir, 'releases.jsonl.gz'));
  /** Every release in the feed's order (xid, seq), as the database has it. */
  const feedOrder = async () =>
    (
      await sql<{
        ocid: string;
        id: string;
      }>`SELECT ocid, id FROM ocds_release ORDER BY xid, seq`.execute(t.db.db)
    ).rows.map((r) => `${r.ocid}/${r.id}`);
  const ocid = (n: string) => `${prefix}-${n}`;

  beforeAll(async () => {
    t = await buildTestApp({ now });
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'contracta-bulk-'));
    dir = bulkDir(dataDir);
    // The routes read the data directory from the app's configuration.
    t.app.deps.config.dataDir = dataDir;
    rules = hasOcdsData
      ? await ocdsMergeRules({ schema: { dir: ocdsPath('schema') } })
      : mergeRulesFromSchema(SMALL_SCHEMA);
    authority = await makeAuthority(t);
    const row = await t.db.db
      .selectFrom('authority')
      .select('ocid_prefix')
      .where('id', '=', authority.id)
      .executeTakeFirstOrThrow();
    prefix = row.ocid_prefix;
  });
  afterAll(async () => {
    await t.close();
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  it('answers 404 NOT_FOUND before the first run, and an index saying so', async () => {
    const index = await t.app.inject('/ocds/v1/bulk');
    expect(index.statusCode).toBe(200);
    expect(index.json()).toMatchObject({ generated: false, files: [] });
    for (const url of [
      '/ocds/v1/bulk/releases.jsonl.gz',
      '/ocds/v1/bulk/records.jsonl.gz',
      '/ocds/v1/bulk/contracts.csv',
      '/ocds/v1/bulk/daily/2026-03-02.releases.jsonl.gz',
    ]) {
      const res = await t.app.inject(url);
      expect(res.statusCode, url).toBe(404);
      expect(res.json()).toMatchObject({ code: 'NOT_FOUND' });
    }
  });

  it('writes every release once in publication order, then appends only the new ones', async () => {
    for (let i = 0; i < 5; i++) await publish(rel(ocid('a'), `a${i}`, `2026-03-01T00:00:0${i}Z`));
    await publish(rel(ocid('b'), 'b0', '2026-03-01T00:00:00Z'));
    const first = await regenerate();
    expect(first.releases).toMatchObject({ appended: 6, total: 6 });
    const before = await releasesFile();
    expect(lines(before).map((r) => `${r.ocid}/${r.id}`)).toEqual(await feedOrder());
    const m1 = await manifest();
    expect(m1.releases.size).toBe(before.length);

    // Nothing new: nothing written, the manifest and the file stay as they are.
    const idle = await regenerate();
    expect(idle.releases.appended).toBe(0);
    expect(idle.generation).toBe(first.generation);
    expect(await releasesFile()).toEqual(before);

    const added = [];
    for (let i = 0; i < 3; i++) added.push(await publish(rel(ocid('c'), `c${i}`, `2026-03-01T00:01:0${i}Z`)));
    const second = await regenerate();
    expect(second.releases).toMatchObject({ appended: 3, total: 9 });
    const after = await releasesFile();
    // Appended: the earlier bytes are untouched, the new member follows them.
    expect(after.subarray(0, before.length)).toEqual(before);
    expect(after.length).toBeGreaterThan(before.length);
    expect(lines(after.subarray(before.length)).map((r) => r.id)).toEqual(['c0', 'c1', 'c2']);
    const m2 = await manifest();
    expect(m2.releases.mark?.seq).toBe((added[2] as { seq: string }).seq);
    expect(m2.releases.size).toBe(after.length);
    expect(m2.releases.sha256).toBe(createHash('sha256').update(after).digest('hex'));
    const all = lines(after).map((r) => `${r.ocid}/${r.id}`);
    expect(all).toEqual(await feedOrder());
    expect(new Set(all).size).toBe(all.length);
  });

  it('keeps the (xid, seq) order across a change in the number of digits of the xid', async () => {
    // Ordered as text, xid 1000 would sort before 999 and a page would skip rows: burn transaction
    // ids up to the next power of ten, with releases on both sides of it.
    const current = async () =>
      BigInt(
        (await sql<{ x: string }>`SELECT pg_current_xact_id()::text AS x`.execute(t.db.db)).rows[0]?.x ?? '0',
      );
    const start = await current();
    const boundary = 10n ** BigInt(String(start).length);
    // On a shared PostgreSQL server far from the boundary this would take too long: the PGlite run covers it.
    if (boundary - start > 30_000n) return;
    await publish(rel(ocid('x'), 'x0', '2026-03-01T00:03:00Z'));
    while ((await current()) < boundary - 3n);
    for (let i = 1; i <= 6; i++) await publish(rel(ocid('x'), `x${i}`, `2026-03-01T00:03:0${i}Z`));
    expect(await current()).toBeGreaterThan(boundary);
    await regenerate();
    const all = lines(await releasesFile()).map((r) => `${r.ocid}/${r.id}`);
    expect(all.filter((k) => k.startsWith(ocid('x')))).toEqual(
      ['x0', 'x1', 'x2', 'x3', 'x4', 'x5', 'x6'].map((id) => `${ocid('x')}/${id}`),
    );
    expect(all).toEqual(await feedOrder());
  });

  it('truncates what a run that died left past the manifest before appending', async () => {
    const m = await manifest();
    await fs.appendFile(path.join(dir, 'releases.jsonl.gz'), Buffer.from('half a gzip member'));
    await publish(rel(ocid('d'), 'd0', '2026-03-01T00:02:00Z'));
    const r = await regenerate();
    expect(r.releases.appended).toBe(1);
    const file = await releasesFile();
    expect(file.length).toBe((await manifest()).releases.size);
    expect(file.length).toBeGreaterThan(m.releases.size);
    expect(lines(file).map((x) => `${x.ocid}/${x.id}`)).toEqual(await feedOrder());
  });

  it('rewrites only the segment of a changed record; the record appears once with its new content', async () => {
    const before = await manifest();
    const files = new Map<number, string>(before.records.segments.map((s, i) => [i, s.file]));
    await publish(
      rel(ocid('a'), 'a9', '2026-03-05T00:00:00Z', { tender: { id: `${ocid('a')}-t`, title: 'Renamed' } }),
    );
    const r = await regenerate();
    expect(r.records).toMatchObject({ changed: 1, segmentsRewritten: 1 });
    const m = await manifest();
    const seg = segmentOf(ocid('a'));
    m.records.segments.forEach((s, i) => {
      if (i === seg) expect(s.file).not.toBe(files.get(i));
      else expect(s.file).toBe(files.get(i));
    });
    const res = await t.app.inject('/ocds/v1/bulk/records.jsonl.gz');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/gzip');
    expect(Number(res.headers['content-length'])).toBe(m.records.size);
    const records = lines(res.rawPayload);
    const mine = records.filter((x) => x.ocid === ocid('a'));
    expect(mine).toHaveLength(1);
    expect(mine[0]?.compiledRelease).toMatchObject({ tender: { title: 'Renamed' } });
    expect(mine[0]).not.toHaveProperty('versionedRelease');
    expect(mine[0]?.releases).toHaveLength(6);
    const ocids = records.map((x) => x.ocid as string);
    expect(new Set(ocids).size).toBe(ocids.length);
    const count = await t.db.db
      .selectFrom('ocds_record')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    expect(ocids.length).toBe(Number(count.n));
    // Ordered by (segment, ocid): each segment sorted, the segments in order.
    const keys = ocids.map((o) => [segmentOf(o), o] as const);
    expect([...keys].sort((x, y) => x[0] - y[0] || (x[1] < y[1] ? -1 : 1))).toEqual(keys);
    expect(m.records.segments).toHaveLength(SEGMENTS);
    // The files of the generation before the last are gone; the previous one is kept for downloads.
    const kept = new Set([
      ...m.records.segments.map((s) => s.file),
      ...before.records.segments.map((s) => s.file),
    ]);
    const onDisk = (await fs.readdir(path.join(dir, 'records'))).map((f) => `records/${f}`);
    expect(onDisk.every((f) => kept.has(f))).toBe(true);
  });

  it('serves the files with their size, hash and validators, and 304 when unchanged', async () => {
    const index = (await t.app.inject('/ocds/v1/bulk')).json() as {
      generated: boolean;
      lastReleaseSeq: string;
      files: { name: string; url: string; size: number; sha256: string; count: number }[];
    };
    expect(index.generated).toBe(true);
    const m = await manifest();
    expect(index.lastReleaseSeq).toBe(m.releases.mark?.seq);
    expect(index.files.map((f) => f.name)).toEqual([
      'releases.jsonl.gz',
      'records.jsonl.gz',
      'contracts.csv',
    ]);
    for (const f of index.files) {
      expect(f.url).toBe(`${t.app.deps.config.publicUrl}/ocds/v1/bulk/${f.name}`);
      const res = await t.app.inject(`/ocds/v1/bulk/${f.name}`);
      expect(res.statusCode, f.name).toBe(200);
      expect(res.rawPayload.length, f.name).toBe(f.size);
      expect(createHash('sha256').update(res.rawPayload).digest('hex'), f.name).toBe(f.sha256);
      expect(res.headers['last-modified']).toBeTruthy();
      const again = await t.app.inject({
        url: `/ocds/v1/bulk/${f.name}`,
        headers: { 'if-none-match': res.headers.etag as string },
      });
      expect(again.statusCode).toBe(304);
    }
    expect(index.files[0]?.count).toBe(m.releases.count);
    const head = await t.app.inject({ method: 'HEAD', url: '/ocds/v1/bulk/releases.jsonl.gz' });
    expect(head.statusCode).toBe(200);
    expect(Number(head.headers['content-length'])).toBe(m.releases.size);
    expect(head.rawPayload.length).toBe(0);
  });

  it('writes daily files by UTC day of publication and closes a day once it is over', async () => {
    const day1 = new Date('2026-04-10T23:59:00Z');
    const day2 = new Date('2026-04-11T00:01:00Z');
    await publish(rel(ocid('e'), 'e1', '2026-04-10T23:59:00Z'), day1);
    await publish(rel(ocid('e'), 'e2', '2026-04-11T00:01:00Z'), day2);
    t.clock.set(new Date('2026-04-11T00:05:00Z'));
    const r = await regenerate({ dailyGraceMs: 10 * 60_000 });
    expect(r.daily.touched).toEqual(['2026-04-10', '2026-04-11']);
    expect(r.daily.finalised).not.toContain('2026-04-10');
    const open = await t.app.inject('/ocds/v1/bulk/daily/2026-04-10.releases.jsonl.gz');
    expect(open.statusCode).toBe(200);
    expect(open.headers['cache-control']).toBe('public, max-age=60');
    expect(lines(open.rawPayload).map((x) => x.id)).toEqual(['e1']);

    // Past the grace period: 2026-04-10 is final and served as immutable.
    t.clock.set(new Date('2026-04-11T00:15:00Z'));
    const later = await regenerate({ dailyGraceMs: 10 * 60_000 });
    expect(later.daily.finalised).toContain('2026-04-10');
    expect((await manifest()).daily['2026-04-11']?.final).toBe(false);
    const closed = await t.app.inject('/ocds/v1/bulk/daily/2026-04-10.releases.jsonl.gz');
    expect(closed.headers['cache-control']).toContain('immutable');
    expect(closed.rawPayload).toEqual(open.rawPayload);

    // A release published late under a closed day stays out of its file (counted), in the main file.
    await publish(rel(ocid('e'), 'e0', '2026-04-10T23:00:00Z'), new Date('2026-04-10T23:30:00Z'));
    const late = await regenerate({ dailyGraceMs: 10 * 60_000 });
    expect(late.daily.late).toBe(1);
    const still = await t.app.inject('/ocds/v1/bulk/daily/2026-04-10.releases.jsonl.gz');
    expect(still.rawPayload).toEqual(open.rawPayload);
    expect(lines(await releasesFile()).map((x) => x.id)).toContain('e0');

    const days = (await t.app.inject('/ocds/v1/bulk')).json() as { daily: { day: string; final: boolean }[] };
    expect(days.daily.map((d) => d.day).slice(0, 2)).toEqual(['2026-04-11', '2026-04-10']);
    t.clock.set(now);
  });

  it('refuses a malformed day with 400 and an unknown one with 404, never leaving the directory', async () => {
    for (const bad of [
      'nope.releases.jsonl.gz',
      '2026-02-31.releases.jsonl.gz',
      '2026-4-1.releases.jsonl.gz',
      '..%2Fmanifest.json',
      '..%2F..%2Fmanifest.json.releases.jsonl.gz',
      '2026-04-10.releases.jsonl',
    ]) {
      const res = await t.app.inject(`/ocds/v1/bulk/daily/${bad}`);
      expect(res.statusCode, bad).toBe(400);
      expect(res.json(), bad).toMatchObject({ code: 'VALIDATION_FAILED' });
    }
    const res = await t.app.inject('/ocds/v1/bulk/daily/2020-01-01.releases.jsonl.gz');
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ code: 'NOT_FOUND' });
    expect((await t.app.inject('/ocds/v1/bulk/../bulk/manifest.json')).statusCode).toBe(404);
  });

  it('flattens contracts into CSV: one row per contract and lot, one per lot without a contract', async () => {
    const o = ocid('csv');
    await publish(
      rel(o, 'n1', '2026-03-01T00:00:00Z', {
        tender: {
          id: `${o}-t`,
          title: 'Neteja, "edificis" municipals',
          status: 'active',
          lots: [
            { id: '1', title: 'Lot one', value: { amount: 1000.5, currency: 'EUR' } },
            { id: '2', title: 'Lot two', value: { amount: 2000, currency: 'EUR' } },
          ],
        },
      }),
    );
    await publish(
      rel(o, 'n2', '2026-03-02T00:00:00Z', {
        tag: ['award', 'contract'],
        tender: { id: `${o}-t` },
        awards: [
          {
            id: 'aw1',
            status: 'active',
            relatedLots: ['1'],
            suppliers: [{ id: 'ES-NIF-B1', name: 'Neteges Vallès, SL' }],
            value: { amount: 900, currency: 'EUR' },
          },
        ],
        contracts: [
          {
            id: 'c1',
            awardID: 'aw1',
            status: 'active',
            dateSigned: '2026-03-02T00:00:00Z',
            value: { amount: 900, currency: 'EUR' },
          },
        ],
      }),
    );
    await regenerate();
    const res = await t.app.inject('/ocds/v1/bulk/contracts.csv');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    const text = res.body;
    expect(text.startsWith(`${CONTRACT_CSV_HEADER.join(',')}\r\n`)).toBe(true);
    expect(text.charCodeAt(0)).not.toBe(0xfeff);
    const rows = text.split('\r\n').filter((l) => l.startsWith(`${o},`));
    expect(rows).toHaveLength(2);
    expect(rows[0]).toContain('"Neteja, ""edificis"" municipals"');
    expect(rows[0]).toContain(',1,Lot one,');
    expect(rows[0]).toContain('"Neteges Vallès, SL",900,c1,active,2026-03-02T00:00:00Z,900,0,');
    expect(rows[1]).toContain(',2,Lot two,');
    expect(rows[1]?.endsWith(',,,,,,,,,,,,')).toBe(true);
    const gz = await t.app.inject({
      url: '/ocds/v1/bulk/contracts.csv',
      headers: { 'accept-encoding': 'gzip' },
    });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.rawPayload).toString('utf8')).toBe(text);
  });

  it('lets one of several concurrent runs work and keeps the files whole', async () => {
    for (let i = 0; i < 4; i++) await publish(rel(ocid('f'), `f${i}`, `2026-03-03T00:00:0${i}Z`));
    await feedSettled(t.db.db);
    const results = await Promise.all([0, 1, 2].map(() => regenerateBulk(deps())));
    expect(results.filter((r) => r.status === 'done')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'busy')).toHaveLength(2);
    // Runs and writers interleaved: every release exactly once, in order.
    const writers = (async () => {
      for (let i = 0; i < 10; i++) await publish(rel(ocid('g'), `g${i}`, `2026-03-04T00:00:0${i}Z`));
    })();
    for (let i = 0; i < 5; i++) await regenerateBulk(deps());
    await writers;
    await regenerate();
    const all = lines(await releasesFile()).map((r) => `${r.ocid}/${r.id}`);
    expect(all).toEqual(await feedOrder());
    expect(new Set(all).size).toBe(all.length);
    const m = await manifest();
    expect(m.releases.count).toBe(all.length);
  });

  it.skipIf(driverName !== 'postgres')(
    'leaves out a release whose transaction is still open, and adds it after (PostgreSQL)',
    async () => {
      await regenerate();
      let release!: () => void;
      const gate = new Promise<void>((r) => {
        release = r;
      });
      let inserted!: () => void;
      const ready = new Promise<void>((r) => {
        inserted = r;
      });
      const tx = t.db.db.transaction().execute(async (trx) => {
        await recordRelease(trx, rel(ocid('h'), 'h1', '2026-03-06T00:00:00Z'), authority.id, { rules, now });
        inserted();
        await gate;
      });
      await ready;
      // Committed after the open one started: held back by the watermark too.
      await publish(rel(ocid('h2'), 'h2', '2026-03-06T00:00:00Z'));
      const during = done(await regenerateBulk(deps()));
      expect(during.releases.appended).toBe(0);
      expect(lines(await releasesFile()).map((r) => r.id)).not.toContain('h1');
      release();
      await tx;
      const after = await regenerate();
      expect(after.releases.appended).toBe(2);
      const ids = lines(await releasesFile()).map((r) => r.id);
      expect(ids.slice(-2)).toEqual(['h1', 'h2']);
    },
  );

  it.skipIf(driverName !== 'postgres')(
    'stays out while another process holds the advisory lock of this schema (PostgreSQL)',
    async () => {
      const key = sql`hashtextextended('contracta:ocds-bulk:' || current_schema(), 0)`;
      await t.db.db.connection().execute(async (conn) => {
        await sql`SELECT pg_advisory_lock(${key})`.execute(conn);
        try {
          expect((await regenerateBulk(deps())).status).toBe('busy');
        } finally {
          await sql`SELECT pg_advisory_unlock(${key})`.execute(conn);
        }
      });
      expect((await regenerateBulk(deps())).status).toBe('done');
    },
  );

  it.skipIf(!hasOcdsData)('publishes releases.jsonl.gz lines that each pass the 1.1.5 schema', async () => {
    const releases = lines(await releasesFile());
    expect(releases.length).toBeGreaterThan(20);
    const pkg = {
      uri: 'https://contracta.example/ocds/v1/bulk/releases.jsonl.gz',
      version: '1.1',
      publishedDate: '2026-03-02T10:00:00Z',
      publisher: { name: 'Contracta' },
      extensions: declaredExtensionUrls(),
      releases,
    } as unknown as JsonValue;
    const report = await validate(pkg, {
      schema: { dir: ocdsPath('schema') },
      extensionSource: { offline: true },
    });
    const errors = report.findings.filter((f) => f.severity === 'error');
    expect(errors, JSON.stringify(errors.slice(0, 3))).toEqual([]);
  });
});
