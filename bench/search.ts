/**
 * Public tender search over 100,000 generated published tenders: p50/p95/p99 of the search
 * service (count and page, as GET /api/v1/tenders runs them, without HTTP) for typical queries, on
 * PostgreSQL and on PGlite. Target: p95 < 50 ms on PostgreSQL.
 *
 * The tenders are generated in SQL (generate_series, batches of 10,000) from word lists in
 * Catalan, Spanish and English: a kind of contract, an object (with its CPV and contract type)
 * and a place, with skewed frequencies so that some words are common and one is rare; 1–3 lots
 * each, eight authorities, values from 2,000 to 4 million euros, a year of publication dates.
 * The database is then vacuumed and analysed, as autovacuum would have done on a server (PGlite
 * has no autovacuum: see the notes). Each query runs BENCH_SEARCH_WARMUP times unmeasured, then
 * BENCH_SEARCH_RUNS times in sequence; EXPLAIN ANALYZE shows once per driver which indexes serve.
 *
 * PostgreSQL: a database created for the run at BENCH_PG_ADMIN_URL (default
 * postgres://postgres@127.0.0.1:5432/postgres) and dropped afterwards. PGlite: a temporary data
 * directory, removed afterwards. Knobs: BENCH_SEARCH_TENDERS (100000), BENCH_SEARCH_RUNS (100),
 * BENCH_SEARCH_WARMUP (5).
 */
import { type RawBuilder, sql } from 'kysely';
import pg from 'pg';
import { countQuery, pageQuery } from '../src/modules/search/tender-search.repo.js';
import {
  searchPlan,
  searchTenders,
  type TenderSearchInput,
} from '../src/modules/search/tender-search.service.js';
import { systemClock } from '../src/platform/clock.js';
import { anonymous, type ServiceContext } from '../src/platform/context.js';
import { type DatabaseHandle, type Db, openDatabase } from '../src/platform/db/client.js';
import { migrate } from '../src/platform/db/migrate.js';
import { newId } from '../src/platform/ids.js';
import { type Benchmark, envInt, makeTempDir, type Metric, percentile, removeTempDir } from './support.js';

const TARGET_P95_MS = 50;
const BATCH = 10_000;
/** Publication dates run over the year before this instant; deadlines 10–59 days after publication. */
const BASE = '2026-11-26T10:00:00Z';

// [ca, es, en]
const KINDS: [string, string, string][] = [
  ['Servei de', 'Servicio de', 'service'],
  ['Contracte de', 'Contrato de', 'contract'],
  ['Subministrament de', 'Suministro de', 'supply'],
  ['Obres de', 'Obras de', 'works'],
  ['Manteniment de', 'Mantenimiento de', 'maintenance'],
];
// [ca, es, en, CPV, contract type]; earlier objects are drawn more often (see `o` below).
const OBJECTS: [string, string, string, string, string][] = [
  ['neteja', 'limpieza', 'Cleaning', '90910000', 'services'],
  ['jardineria', 'jardinería', 'Gardening', '77311000', 'services'],
  ['enllumenat públic', 'alumbrado público', 'Public lighting', '34928500', 'supplies'],
  ['recollida de residus', 'recogida de residuos', 'Waste collection', '90511000', 'services'],
  ['reforma i rehabilitació', 'reforma y rehabilitación', 'Refurbishment', '45454000', 'works'],
  ['menjador escolar', 'comedor escolar', 'School catering', '55524000', 'services'],
  ['vigilància i seguretat', 'vigilancia y seguridad', 'Security and surveillance', '79713000', 'services'],
  ['assistència tècnica', 'asistencia técnica', 'Technical assistance', '71356000', 'services'],
  ["material d'oficina", 'material de oficina', 'Office supplies', '30192000', 'supplies'],
  ['vehicles elèctrics', 'vehículos eléctricos', 'Electric vehicles', '34144900', 'supplies'],
  ['consultoria informàtica', 'consultoría informática', 'IT consultancy', '72220000', 'services'],
  ['transport adaptat', 'transporte adaptado', 'Adapted transport', '60130000', 'services'],
  ['pavimentació de carrers', 'pavimentación de calles', 'Street paving', '45233222', 'works'],
  ['climatització', 'climatización', 'Air conditioning', '45331220', 'works'],
  ['llicències de programari', 'licencias de software', 'Software licences', '48000000', 'supplies'],
  ['senyalització viària', 'señalización vial', 'Road signs', '34992200', 'supplies'],
  // The rare one: about one tender in a thousand.
  ['teleassistència domiciliària', 'teleasistencia domiciliaria', 'Home telecare', '85312400', 'services'],
];
const PLACES: [string, string, string][] = [
  ['dels edificis municipals', 'de los edificios municipales', 'municipal buildings'],
  ['de les escoles públiques', 'de las escuelas públicas', 'public schools'],
  ['del districte de Gràcia', 'del distrito de Gràcia', 'Gràcia district'],
  ['del poliesportiu', 'del polideportivo', 'sports centre'],
  ['de la biblioteca', 'de la biblioteca', 'library'],
  ['del mercat de Sant Antoni', 'del mercado de Sant Antoni', 'Sant Antoni market'],
  ['dels parcs i jardins', 'de los parques y jardines', 'parks and gardens'],
  ["de l'Ajuntament", 'del Ayuntamiento', 'City Hall'],
  ["de les llars d'infants", 'de las guarderías', 'nurseries'],
  ['de la via pública', 'de la vía pública', 'public roads'],
];
const PROCEDURES = [
  'abierto',
  'abierto',
  'abierto',
  'abierto_simplificado',
  'abierto_simplificado_abreviado',
  'restringido',
];
// Lots beyond the first share the main CPV seven times in ten, and otherwise take one of these.
const LOT_CPVS = [
  '90911200',
  '90919200',
  '77313000',
  '50232100',
  '45233141',
  '79714000',
  '30197000',
  '48218000',
];

/** A text[] literal of constants (quotes escaped by Kysely). */
const arr = (values: string[]): RawBuilder<string[]> =>
  sql<string[]>`ARRAY[${sql.join(values.map((v) => sql.lit(v)))}]::text[]`;
const col = <T>(rows: T[], i: number) => arr(rows.map((r) => String((r as unknown[])[i])));

/** Inserts tenders from..to (inclusive) and their lots in one statement. */
async function insertBatch(db: Db, from: number, to: number, authorityIds: string[], userId: string) {
  const common = OBJECTS.length - 1;
  await sql`
    WITH r AS (
      SELECT g,
        CASE WHEN random() < 0.001 THEN ${sql.lit(OBJECTS.length)}
             ELSE 1 + floor(power(random(), 1.6) * ${sql.lit(common)})::int END AS o,
        1 + floor(random() * ${sql.lit(KINDS.length)})::int AS k,
        1 + floor(random() * ${sql.lit(PLACES.length)})::int AS p,
        1 + floor(random() * ${sql.lit(PROCEDURES.length)})::int AS pr,
        1 + floor(random() * ${sql.lit(authorityIds.length)})::int AS au,
        random() AS c,
        round((2000 + power(random(), 3) * 4000000)::numeric, 2) AS v,
        ${BASE}::timestamptz - random() * interval '365 days' AS pub,
        2026 + floor(random() * 2)::int AS y
      FROM generate_series(${sql.lit(from)}::int, ${sql.lit(to)}::int) g
    ), ins AS (
      INSERT INTO tender (id, authority_id, reference, status, procedure, contract_type,
        title_ca, title_es, title_en, description_ca, description_es, description_en,
        main_cpv, estimated_value, budget_excl_vat, budget_incl_vat, duration_months,
        tender_deadline, ocid, published_at, cancelled_at, created_by)
      SELECT gen_random_uuid(), (${arr(authorityIds)})[r.au]::uuid, 'BENCH-' || r.g,
        CASE WHEN r.c < 0.03 THEN 'cancelled' ELSE 'published' END,
        (${arr(PROCEDURES)})[r.pr], (${col(OBJECTS, 4)})[r.o],
        (${col(KINDS, 0)})[r.k] || ' ' || (${col(OBJECTS, 0)})[r.o] || ' ' || (${col(PLACES, 0)})[r.p] || ' ' || r.y,
        (${col(KINDS, 1)})[r.k] || ' ' || (${col(OBJECTS, 1)})[r.o] || ' ' || (${col(PLACES, 1)})[r.p] || ' ' || r.y,
        (${col(OBJECTS, 2)})[r.o] || ' ' || (${col(KINDS, 2)})[r.k] || ', ' || (${col(PLACES, 2)})[r.p] || ' ' || r.y,
        'Contractació de ' || (${col(OBJECTS, 0)})[r.o] || ' ' || (${col(PLACES, 0)})[r.p]
          || ', amb criteris socials i ambientals i una durada de ' || (12 + r.k * 6) || ' mesos.',
        'Contratación de ' || (${col(OBJECTS, 1)})[r.o] || ' ' || (${col(PLACES, 1)})[r.p]
          || ', con criterios sociales y ambientales y una duración de ' || (12 + r.k * 6) || ' meses.',
        (${col(OBJECTS, 2)})[r.o] || ' for ' || (${col(PLACES, 2)})[r.p]
          || ', with social and environmental criteria, for ' || (12 + r.k * 6) || ' months.',
        (${col(OBJECTS, 3)})[r.o], r.v, r.v, round(r.v * 1.21, 2), 12 + r.k * 6,
        r.pub + (10 + floor(r.c * 1000)::int % 50) * interval '1 day',
        'ocds-bench-' || r.g, r.pub,
        CASE WHEN r.c < 0.03 THEN r.pub + interval '5 days' END,
        ${userId}::uuid
      FROM r
      RETURNING id, authority_id, reference, main_cpv, estimated_value
    )
    INSERT INTO tender_lot (id, tender_id, authority_id, number, title_ca, title_es, title_en,
      estimated_value, budget_excl_vat, main_cpv)
    SELECT gen_random_uuid(), ins.id, ins.authority_id, n, 'Lot ' || n, 'Lote ' || n, 'Lot ' || n,
      round(ins.estimated_value / 3, 2), round(ins.estimated_value / 3, 2),
      CASE WHEN n = 1 OR random() < 0.7 THEN ins.main_cpv
           ELSE (${arr(LOT_CPVS)})[1 + floor(random() * ${sql.lit(LOT_CPVS.length)})::int] END
    FROM ins CROSS JOIN LATERAL generate_series(1, 1 + abs(hashtext(ins.reference)) % 3) n
  `.execute(db);
}

export async function generate(
  db: Db,
  count: number,
  log: (m: string) => void,
): Promise<{ authorityA: string }> {
  const authorityIds: string[] = [];
  for (let i = 1; i <= 8; i++) {
    const id = newId();
    authorityIds.push(id);
    const n = String(i).padStart(2, '0');
    await db
      .insertInto('authority')
      .values({
        id,
        slug: `bench-${n}`,
        name_ca: `Ajuntament ${n}`,
        name_es: `Ayuntamiento ${n}`,
        name_en: `City ${n}`,
        dir3_code: `L01BENCH${n}`,
        ocid_prefix: `ocds-bench${n}`,
      })
      .execute();
  }
  const userId = newId();
  await db
    .insertInto('app_user')
    .values({ id: userId, email: 'bench@search.example', name: 'Bench', password_hash: 'x' })
    .execute();
  await sql`SELECT setseed(0.42)`.execute(db);
  for (let from = 1; from <= count; from += BATCH) {
    const to = Math.min(count, from + BATCH - 1);
    await insertBatch(db, from, to, authorityIds, userId);
    if (to % 50_000 === 0 || to === count) log(`  ${to} tenders`);
  }
  return { authorityA: authorityIds[0] as string };
}

type Case = { name: string; input: TenderSearchInput };

function cases(authorityA: string): Case[] {
  const base = BASE;
  return [
    { name: 'common word (neteja)', input: { q: 'neteja' } },
    { name: 'rare word (teleassistència)', input: { q: 'teleassistència' } },
    { name: 'without accents (alumbrado publico)', input: { q: 'alumbrado publico' } },
    {
      name: 'words + authority, value, open',
      input: { q: 'manteniment', authority: authorityA, minValue: '50000', deadlineFrom: base },
    },
    { name: 'CPV prefix 9091, no words', input: { cpv: '9091' } },
    { name: 'common word by deadline', input: { q: 'servei', sort: 'deadline' } },
    { name: 'no words, newest first', input: {} },
    { name: 'part of a word (jardi)', input: { q: 'jardi' } },
    { name: 'misspelt (climatitsacio)', input: { q: 'climatitsacio' } },
  ];
}

type CaseStats = { name: string; total: number; p50: number; p95: number; p99: number; samples: number[] };

async function measure(
  db: Db,
  list: Case[],
  runs: number,
  warmup: number,
  log: (m: string) => void,
): Promise<CaseStats[]> {
  const ctx: ServiceContext = { db, actor: anonymous, clock: systemClock, ip: null, userAgent: null };
  const out: CaseStats[] = [];
  for (const c of list) {
    let total = 0;
    for (let i = 0; i < warmup; i++) total = (await searchTenders(ctx, c.input)).total;
    const samples: number[] = [];
    for (let i = 0; i < runs; i++) {
      const started = performance.now();
      await searchTenders(ctx, c.input);
      samples.push(performance.now() - started);
    }
    const sorted = Float64Array.from(samples).sort();
    const s = {
      name: c.name,
      total,
      p50: percentile(sorted, 50),
      p95: percentile(sorted, 95),
      p99: percentile(sorted, 99),
      samples,
    };
    log(
      `  ${c.name.padEnd(38)} ${String(total).padStart(6)} hits  p50 ${s.p50.toFixed(2)}  p95 ${s.p95.toFixed(2)}  p99 ${s.p99.toFixed(2)} ms`,
    );
    out.push(s);
  }
  return out;
}

/** EXPLAIN ANALYZE of a case's count and page queries; returns the index names the plans use. */
async function explain(db: Db, input: TenderSearchInput): Promise<{ indexes: string[]; plan: string }> {
  const { criteria, sort, slice } = searchPlan(input);
  const lines: string[] = [];
  for (const q of [countQuery(db, criteria), pageQuery(db, criteria, sort, slice)]) {
    const rows = await q.explain(undefined, sql`analyze`);
    lines.push(...rows.map((r) => String(Object.values(r)[0])), '');
  }
  const plan = lines.join('\n');
  const indexes = [
    ...new Set(
      [...plan.matchAll(/\b(?:on|using) (tender[a-z_]*_(?:idx|key|pkey))\b/g)].map((m) => m[1] as string),
    ),
  ];
  return { indexes, plan };
}

type DriverRun = { label: string; stats: CaseStats[]; loadS: number; explained: string[]; size: string };

async function runOn(
  label: string,
  handle: DatabaseHandle,
  count: number,
  log: (m: string) => void,
): Promise<DriverRun> {
  const db = handle.db;
  await migrate(db);
  log(`${label}: generating ${count} tenders…`);
  const started = performance.now();
  const { authorityA } = await generate(db, count, log);
  await sql`VACUUM ANALYZE`.execute(db);
  const loadS = (performance.now() - started) / 1000;
  const size = await sql<{
    s: string;
  }>`SELECT pg_size_pretty(pg_total_relation_size('tender_search')) AS s`.execute(db);
  log(
    `${label}: loaded and analysed in ${loadS.toFixed(0)} s; search table (tender_search) with its indexes ${size.rows[0]?.s}`,
  );
  const list = cases(authorityA);
  const explained: string[] = [];
  for (const c of [list[0], list[4], list[5]] as Case[]) {
    const { indexes, plan } = await explain(db, c.input);
    explained.push(`${c.name}: ${indexes.join(', ') || 'no index'}`);
    if (process.env.BENCH_SEARCH_PLANS) log(`${label} plan, ${c.name}:\n${plan}`);
  }
  log(`${label}: indexes in the plans — ${explained.join('; ')}`);
  const stats = await measure(
    db,
    list,
    envInt('BENCH_SEARCH_RUNS', 100),
    envInt('BENCH_SEARCH_WARMUP', 5),
    log,
  );
  return { label, stats, loadS, explained, size: size.rows[0]?.s ?? '?' };
}

function metricsOf(run: DriverRun, target: number | undefined): Metric[] {
  const all = Float64Array.from(run.stats.flatMap((s) => s.samples)).sort();
  const withTarget = (m: Metric): Metric => (target === undefined ? m : { ...m, target });
  return [
    { label: `${run.label}: p50, all queries`, value: percentile(all, 50), unit: 'ms' },
    withTarget({ label: `${run.label}: p95, all queries`, value: percentile(all, 95), unit: 'ms' }),
    { label: `${run.label}: p99, all queries`, value: percentile(all, 99), unit: 'ms' },
    ...run.stats.map((s) => withTarget({ label: `${run.label}: p95 ${s.name}`, value: s.p95, unit: 'ms' })),
  ];
}

export const searchBench: Benchmark = {
  name: 'search',
  title: 'Full-text tender search over 100,000 published tenders (PostgreSQL and PGlite)',
  async run(log) {
    const count = envInt('BENCH_SEARCH_TENDERS', 100_000);
    const metrics: Metric[] = [];
    const notes: string[] = [
      `${count} generated tenders (about 97 % published, 3 % cancelled), 1–3 lots each, 8 authorities; ` +
        `${envInt('BENCH_SEARCH_RUNS', 100)} sequential calls of the search service per query after ` +
        `${envInt('BENCH_SEARCH_WARMUP', 5)} unmeasured (count and page queries, in-process, no HTTP)`,
    ];

    // PostgreSQL, when reachable.
    const adminUrl = process.env.BENCH_PG_ADMIN_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
    const admin = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 2_000 });
    const reachable = await admin.connect().then(
      () => true,
      () => false,
    );
    if (!reachable) {
      notes.push(`PostgreSQL not reachable at ${adminUrl}: PostgreSQL run skipped`);
    } else {
      const dbName = `contracta_bench_search_${process.pid}`;
      try {
        await admin.query(`DROP DATABASE IF EXISTS ${dbName}`);
        await admin.query(`CREATE DATABASE ${dbName}`);
        const version =
          (
            await admin.query<{ v: string }>("SELECT current_setting('server_version') AS v")
          ).rows[0]?.v.split(' ')[0] ?? '?';
        const url = new URL(adminUrl);
        url.pathname = `/${dbName}`;
        const handle = await openDatabase({ databaseUrl: url.toString() });
        try {
          const run = await runOn(`PostgreSQL ${version}`, handle, count, log);
          metrics.push(...metricsOf(run, TARGET_P95_MS));
          notes.push(
            `PostgreSQL ${version}: generated and analysed in ${run.loadS.toFixed(0)} s; tender_search with indexes ${run.size}; ` +
              `EXPLAIN ANALYZE — ${run.explained.join('; ')}`,
          );
        } finally {
          await handle.close();
        }
      } finally {
        await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch((e: unknown) => {
          notes.push(`could not drop ${dbName}: ${e instanceof Error ? e.message : String(e)}`);
        });
        await admin.end();
      }
    }

    // PGlite in a temporary data directory.
    const dir = await makeTempDir('search');
    try {
      const handle = await openDatabase({ dataDir: dir });
      try {
        const version = await sql<{ v: string }>`SELECT current_setting('server_version') AS v`.execute(
          handle.db,
        );
        const run = await runOn(`PGlite (PostgreSQL ${version.rows[0]?.v ?? '?'})`, handle, count, log);
        metrics.push(...metricsOf(run, undefined));
        notes.push(
          `PGlite: generated and analysed in ${run.loadS.toFixed(0)} s; tender_search with indexes ${run.size}; ` +
            `EXPLAIN ANALYZE — ${run.explained.join('; ')}. PGlite has no autovacuum: without ANALYZE ` +
            'the planner has no statistics for the new rows',
        );
      } finally {
        await handle.close();
      }
    } finally {
      await removeTempDir(dir);
    }
    return { metrics, notes };
  },
};
