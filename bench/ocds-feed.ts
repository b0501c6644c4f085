/**
 * ocds-feed (issue 6 point 3): the /ocds/v1/releases change feed over BENCH_FEED_RELEASES (1,000,000)
 * stored releases on the real PostgreSQL server. Each page is served by the real code path
 * (ocds.feed.ts `releasesFeed`, what GET /ocds/v1/releases?limit=1000 runs, without HTTP), in
 * sequence: BENCH_FEED_PAGES (200) pages at random cursors across the history without filters, and
 * half as many with an authority filter, with a 30-day date window, with both, the first page of a
 * 30-day window, and a 365-day window. Target: p95 < 50 ms for a page of 1,000 releases. EXPLAIN
 * (ANALYZE, BUFFERS) of the page query is printed for each case (with a window, the page query
 * follows a probe of the table's first and last months: ocds.repo.ts `datedKeys`).
 *
 * The data lives in its own database, BENCH_FEED_DB (contracta_bench) at BENCH_PG_ADMIN_URL (default
 * postgres://postgres@127.0.0.1:5432/postgres), created and migrated with the project's migrations
 * when missing, and kept between runs (loading takes minutes); it is recreated when it holds another
 * number of releases (ocds_release is immutable: no DELETE or TRUNCATE), or with BENCH_FEED_RELOAD=1.
 * The releases are generated in SQL (INSERT … SELECT generate_series) in transactions of 1,000, so
 * the feed sees 1,000 writing transactions (xids): 200,000 ocids of 5 releases each, over 20
 * authorities, published 30 seconds apart over about a year, about 3 KB of JSON each.
 */
import { CompiledQuery, sql } from 'kysely';
import pg from 'pg';
import { encodeCursor, MAX_PAGE, releasesFeed } from '../src/modules/ocds/ocds.feed.js';
import { releasePageQuery } from '../src/modules/ocds/ocds.repo.js';
import { type Db, openDatabase } from '../src/platform/db/client.js';
import { migrate } from '../src/platform/db/migrate.js';
import { type Benchmark, envInt, type Metric, percentile } from './support.js';

const TARGET_P95_MS = 50;
const BATCH = 1_000;
const AUTHORITIES = 20;
const RELEASES_PER_OCID = 5;
const START = '2025-11-01T00:00:00Z';

const authorityId = (i: number) => `00000000-0000-4000-8000-${String(i + 1).padStart(12, '0')}`;

async function load(db: Db, count: number, log: (m: string) => void): Promise<void> {
  for (let i = 0; i < AUTHORITIES; i++)
    await sql`INSERT INTO authority (id, slug, name_ca, name_es, name_en, dir3_code, ocid_prefix)
      VALUES (${authorityId(i)}, ${`bench-${i}`}, ${`Ajuntament ${i}`}, ${`Ayuntamiento ${i}`},
        ${`Town council ${i}`}, ${`L0108${String(i).padStart(4, '0')}`}, ${`ocds-bench${String(i).padStart(2, '0')}`})
      ON CONFLICT DO NOTHING`.execute(db);
  const ocids = Math.max(1, Math.floor(count / RELEASES_PER_OCID));
  const started = performance.now();
  for (let from = 1; from <= count; from += BATCH) {
    const to = Math.min(count, from + BATCH - 1);
    // Release g: process p = g mod ocids at stage floor(g / ocids); authority p mod 20; the text
    // fields are filled to about 3 KB. Each batch is one transaction: one xid for 1,000 rows.
    await sql`
      INSERT INTO ocds_release (id, ocid, authority_id, date, tags, json, sha256, published_at)
      SELECT r.ocid || '-' || r.stage, r.ocid, r.authority, r.at, ARRAY[r.tag],
        json_build_object(
          'ocid', r.ocid, 'id', r.ocid || '-' || r.stage,
          'date', to_char(r.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
          'tag', json_build_array(r.tag), 'initiationType', 'tender', 'language', 'ca',
          'buyer', json_build_object('id', 'ES-DIR3-' || r.a, 'name', 'Ajuntament ' || r.a),
          'tender', json_build_object(
            'id', r.ocid || '-tender', 'title', 'Servei ' || md5(r.ocid),
            'description', repeat(md5(r.ocid || r.stage) || ' ', 40),
            'value', json_build_object('amount', 1000 + r.g % 900000, 'currency', 'EUR'),
            'items', json_build_array(
              json_build_object('id', '1', 'description', repeat(md5(r.ocid) || ' ', 12),
                'classification', json_build_object('scheme', 'CPV', 'id', '90910000')),
              json_build_object('id', '2', 'description', repeat(md5(r.ocid || 'x') || ' ', 12),
                'classification', json_build_object('scheme', 'CPV', 'id', '90911000')))))::text,
        md5(r.ocid) || md5(r.ocid || r.stage), r.at
      FROM (
        SELECT g, p, g / ${ocids} AS stage, p % ${AUTHORITIES} AS a,
          ('00000000-0000-4000-8000-' || lpad((p % ${AUTHORITIES} + 1)::text, 12, '0'))::uuid AS authority,
          'ocds-bench' || lpad((p % ${AUTHORITIES})::text, 2, '0') || '-' || lpad(p::text, 8, '0') AS ocid,
          (ARRAY['planning','tender','award','contract','implementation'])[(g / ${ocids}) % 5 + 1] AS tag,
          ${START}::timestamptz + g * interval '30 seconds' AS at
        FROM (SELECT g, g % ${ocids} AS p FROM generate_series(${from}::int, ${to}::int) AS g) s
      ) r`.execute(db);
    if ((to / BATCH) % 100 === 0)
      log(`  ${to} releases loaded (${((performance.now() - started) / 1000).toFixed(0)} s)`);
  }
  log('  VACUUM ANALYZE ocds_release…');
  await sql`VACUUM ANALYZE ocds_release`.execute(db);
}

type Query = { cursor?: string; authority?: string; from?: string; to?: string };
type Case = { name: string; queries: Query[] };
type Stats = { name: string; ms: Float64Array; bytes: number[]; rows: number[] };

/** EXPLAIN of the page query that ocds.repo.ts `releasePage` sends for this page. */
async function explain(db: Db, q: Query & { xid?: string; seq?: string }): Promise<string> {
  const query = await releasePageQuery(db, {
    after: q.xid && q.seq ? { xid: q.xid, seq: q.seq } : undefined,
    limit: MAX_PAGE,
    authorityId: q.authority,
    from: q.from ? new Date(q.from) : undefined,
    to: q.to ? new Date(q.to) : undefined,
  });
  if (!query) return '(no query: the window holds no month of data)';
  const compiled = query.compile();
  const r = await db.executeQuery<{ 'QUERY PLAN': string }>(
    CompiledQuery.raw(`EXPLAIN (ANALYZE, BUFFERS) ${compiled.sql}`, [...compiled.parameters]),
  );
  return r.rows.map((row) => row['QUERY PLAN']).join('\n');
}

export const ocdsFeedBench: Benchmark = {
  name: 'ocds-feed',
  title: 'OCDS release feed, pages of 1,000 at random cursors over 1,000,000 releases (PostgreSQL)',
  async run(log) {
    const count = envInt('BENCH_FEED_RELEASES', 1_000_000);
    const pages = envInt('BENCH_FEED_PAGES', 200);
    const adminUrl = process.env.BENCH_PG_ADMIN_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
    const dbName = process.env.BENCH_FEED_DB || 'contracta_bench';
    if (!/^[a-z_][a-z0-9_]*$/.test(dbName)) throw new Error(`BENCH_FEED_DB: bad name ${dbName}`);
    const admin = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 2_000 });
    const reachable = await admin.connect().then(
      () => true,
      () => false,
    );
    if (!reachable) return { metrics: [], notes: [`skipped: PostgreSQL not reachable at ${adminUrl}`] };
    const url = new URL(adminUrl);
    url.pathname = `/${dbName}`;
    let version = '?';
    try {
      version =
        (await admin.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]?.v.split(
          ' ',
        )[0] ?? '?';
      const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [dbName]);
      let stored = -1;
      if (exists.rowCount) {
        const h = await openDatabase({ databaseUrl: url.toString(), poolSize: 1 });
        try {
          await migrate(h.db);
          stored = Number(
            (await sql<{ n: string }>`SELECT count(*)::text AS n FROM ocds_release`.execute(h.db)).rows[0]?.n,
          );
        } finally {
          await h.close();
        }
      }
      if (stored !== count || process.env.BENCH_FEED_RELOAD === '1') {
        if (exists.rowCount) await admin.query(`DROP DATABASE ${dbName} WITH (FORCE)`);
        await admin.query(`CREATE DATABASE ${dbName}`);
        stored = -1;
      }
      const handle = await openDatabase({ databaseUrl: url.toString(), poolSize: 2 });
      try {
        const db = handle.db;
        if (stored !== count) {
          await migrate(db);
          log(`loading ${count} releases into ${dbName} (kept for the next runs)…`);
          const t = performance.now();
          await load(db, count, log);
          log(`loaded in ${((performance.now() - t) / 1000).toFixed(0)} s`);
        } else log(`${dbName} already holds ${count} releases: reused`);
        const size = (
          await sql<{ t: string; i: string; avg: string }>`SELECT
            pg_size_pretty(pg_table_size('ocds_release')) AS t,
            pg_size_pretty(pg_indexes_size('ocds_release')) AS i,
            (SELECT round(avg(length(json)))::text FROM ocds_release TABLESAMPLE SYSTEM (1)) AS avg`.execute(
            db,
          )
        ).rows[0];
        log(
          `ocds_release: ${size?.t} of table (with TOAST), ${size?.i} of indexes, ~${size?.avg} bytes of JSON a release`,
        );

        // Random cursors across the history: the (xid, seq) of random rows.
        const maxSeq = Number(
          (await sql<{ m: string }>`SELECT max(seq)::text AS m FROM ocds_release`.execute(db)).rows[0]?.m,
        );
        let seed = 20_261_127;
        const rnd = () => {
          seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
          return seed / 2_147_483_648;
        };
        const want = Array.from({ length: pages * 3 }, () => String(1 + Math.floor(rnd() * maxSeq)));
        const keys = (
          await sql<{ xid: string; seq: string }>`SELECT xid::text AS xid, seq::text AS seq FROM ocds_release
            WHERE seq = ANY(${want}::bigint[])`.execute(db)
        ).rows;
        const cursor = () => keys[Math.floor(rnd() * keys.length)] as { xid: string; seq: string };
        const authority = () => authorityId(Math.floor(rnd() * AUTHORITIES));
        const window = (days = 30) => {
          const from = new Date(Date.parse(START) + rnd() * (count * 30_000 - days * 86_400_000));
          return { from: from.toISOString(), to: new Date(from.getTime() + days * 86_400_000).toISOString() };
        };
        const half = Math.max(1, Math.floor(pages / 2));
        type Key = Query & { xid?: string; seq?: string };
        const cases: (Case & { explainOf: Key })[] = [];
        const make = (name: string, n: number, build: () => Key) => {
          const list = Array.from({ length: n }, build);
          cases.push({
            name,
            queries: list.map(({ xid, seq, ...q }) =>
              xid && seq ? { ...q, cursor: encodeCursor({ xid, seq }) } : q,
            ),
            explainOf: list[0] as Key,
          });
        };
        make('no filter', pages, () => cursor());
        make('authority', half, () => ({ ...cursor(), authority: authority() }));
        make('30-day window', half, () => ({ ...cursor(), ...window() }));
        make('authority + window', half, () => ({ ...cursor(), authority: authority(), ...window() }));
        // The first page of a window (no cursor yet), and a window over the whole year (13 months).
        make('30-day window, first page', half, () => window());
        make('365-day window', half, () => ({ ...cursor(), ...window(365) }));

        const ctx = {
          db,
          config: {
            publisherName: 'Contracta (benchmark)',
            license: 'https://creativecommons.org/licenses/by/4.0/',
            publicationPolicy: 'http://bench.invalid/open-data',
          },
          baseUrl: 'http://bench.invalid',
          now: new Date(),
        };
        // Warm-up, unmeasured: the first pages of each case.
        for (const c of cases)
          for (const q of c.queries.slice(0, 5)) await releasesFeed(ctx, { ...q, limit: MAX_PAGE });
        const stats: Stats[] = [];
        for (const c of cases) {
          const ms: number[] = [];
          const bytes: number[] = [];
          const rows: number[] = [];
          for (const q of c.queries) {
            const t = performance.now();
            const page = await releasesFeed(ctx, { ...q, limit: MAX_PAGE });
            ms.push(performance.now() - t);
            bytes.push(page.body === undefined ? 0 : Buffer.byteLength(page.body));
            rows.push(page.count);
          }
          stats.push({ name: c.name, ms: Float64Array.from(ms).sort(), bytes, rows });
          const s = stats[stats.length - 1] as Stats;
          log(
            `${c.name}: ${ms.length} pages, p50 ${percentile(s.ms, 50).toFixed(1)} ms, p95 ${percentile(s.ms, 95).toFixed(1)} ms, ` +
              `p99 ${percentile(s.ms, 99).toFixed(1)} ms; median ${median(rows)} releases, ${(median(bytes) / 1_048_576).toFixed(2)} MiB a page`,
          );
        }
        const plans: string[] = [];
        for (const c of cases) {
          const plan = await explain(db, c.explainOf);
          plans.push(`${c.name}:\n${plan}`);
          log(`EXPLAIN (ANALYZE, BUFFERS), ${c.name}:\n${plan.replace(/^/gm, '      ')}`);
        }
        const all = Float64Array.from(stats.flatMap((s) => [...s.ms])).sort();
        const metrics: Metric[] = [
          { label: 'p50, all pages', value: percentile(all, 50), unit: 'ms' },
          { label: 'p95, all pages', value: percentile(all, 95), unit: 'ms', target: TARGET_P95_MS },
          { label: 'p99, all pages', value: percentile(all, 99), unit: 'ms' },
          ...stats.map(
            (s): Metric => ({
              label: `p95 ${s.name}`,
              value: percentile(s.ms, 95),
              unit: 'ms',
              target: TARGET_P95_MS,
            }),
          ),
          {
            label: 'median page size (no filter)',
            value: median(stats[0]?.bytes ?? []) / 1_048_576,
            unit: 'MiB',
          },
        ];
        return {
          metrics,
          notes: [
            `PostgreSQL ${version}, database ${dbName}: ${count} releases (${size?.t} table, ${size?.i} indexes, ~${size?.avg} B of JSON each), ` +
              `pages of ${MAX_PAGE} through releasesFeed in sequence after ${5 * cases.length} unmeasured`,
            ...stats.map(
              (s) =>
                `${s.name}: ${s.ms.length} pages, p50/p95/p99 ${[50, 95, 99].map((p) => percentile(s.ms, p).toFixed(1)).join('/')} ms, ` +
                `median ${median(s.rows)} releases and ${(median(s.bytes) / 1_048_576).toFixed(2)} MiB a page`,
            ),
            `EXPLAIN (ANALYZE, BUFFERS) of the page query — ${plans
              .map((p) => p.split('\n').slice(0, 3).join(' | '))
              .join(' || ')}`,
          ],
        };
      } finally {
        await handle.close();
      }
    } finally {
      await admin.end();
    }
  },
};

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? Number.NaN : (sorted[Math.floor((sorted.length - 1) / 2)] as number);
}
