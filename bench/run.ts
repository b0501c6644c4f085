/**
 * `npm run bench [-- name…] [-- --json file]`: runs the benchmarks in sequence (all, or those
 * named), prints a results table with the targets, and exits non-zero only if a benchmark failed
 * to run. Targets are reported, never asserted. See docs/BENCHMARKS.md.
 *
 * Knobs (environment): BENCH_COLD_RUNS (5), BENCH_CONNECTIONS (100), BENCH_WARMUP_S (3),
 * BENCH_DURATION_S (10), BENCH_PACED_RATE (200; 0 skips the open-loop run), BENCH_PG_ADMIN_URL (postgres://postgres@127.0.0.1:5432/postgres),
 * BENCH_SEARCH_TENDERS (100000), BENCH_SEARCH_RUNS (100), BENCH_SEARCH_WARMUP (5),
 * BENCH_SURGE_BIDS (500), BENCH_SURGE_CLIENTS (100), BENCH_SURGE_MB (1), BENCH_SURGE_BIG_MB (200),
 * BENCH_SURGE_BIG_COUNT (3), BENCH_SURGE_DB (pglite | postgres), BENCH_SURGE_PROFILE (a directory),
 * BENCH_SURGE_NODE_ARGS (flags for the app's node), BENCH_EVAL_BIDS (200), BENCH_EVAL_CRITERIA (10), BENCH_EVAL_RUNS (50),
 * BENCH_OCDS_OCIDS (5000), OCDS_DATA_DIR (../shared/data/ocds), BENCH_FEED_RELEASES (1000000),
 * BENCH_FEED_PAGES (200), BENCH_FEED_DB (contracta_bench), BENCH_FEED_RELOAD (1: load again).
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import { apiRead } from './api-read.js';
import { coldStart } from './cold-start.js';
import { deadlineSurge } from './deadline-surge.js';
import { evaluationBench } from './evaluation.js';
import { ocdsCompileBench } from './ocds-compile.js';
import { ocdsFeedBench } from './ocds-feed.js';
import { searchBench } from './search.js';
import { type Benchmark, type BenchResult, cleanupAll, formatValue, machineInfo } from './support.js';

const BENCHMARKS: Benchmark[] = [
  coldStart,
  apiRead,
  searchBench,
  deadlineSurge,
  evaluationBench,
  ocdsCompileBench,
  ocdsFeedBench,
];

type Outcome = { bench: Benchmark; result?: BenchResult; error?: string; seconds: number };

function parseArgs(argv: string[]): { names: string[]; json: string | undefined } {
  const names: string[] = [];
  let json: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--json') json = argv[++i];
    else if (a === '--help' || a === '-h') {
      process.stdout.write(
        `usage: npm run bench [-- [${BENCHMARKS.map((b) => b.name).join('|')}]… [--json results.json]]\n`,
      );
      process.exit(0);
    } else names.push(a);
  }
  return { names, json };
}

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length))) ?? [];
  const line = (r: string[]) =>
    r
      .map((cell, c) => cell.padEnd(widths[c] ?? 0))
      .join('  ')
      .trimEnd();
  const [head, ...body] = rows;
  return [line(head ?? []), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

async function main(): Promise<number> {
  const { names, json } = parseArgs(process.argv.slice(2));
  const unknown = names.filter((n) => !BENCHMARKS.some((b) => b.name === n));
  if (unknown.length) {
    process.stderr.write(
      `unknown benchmark(s): ${unknown.join(', ')}; known: ${BENCHMARKS.map((b) => b.name).join(', ')}\n`,
    );
    return 2;
  }
  const selected = names.length ? BENCHMARKS.filter((b) => names.includes(b.name)) : BENCHMARKS;

  const machine = await machineInfo();
  process.stdout.write(
    `Machine: ${machine.cpus} CPUs (${machine.cpu}), ${machine.memory}, Node ${machine.node}, ${machine.platform}, load ${machine.load}\n\n`,
  );

  const outcomes: Outcome[] = [];
  for (const bench of selected) {
    process.stdout.write(`== ${bench.name}: ${bench.title}\n`);
    const started = performance.now();
    const log = (m: string) => process.stdout.write(`   ${m}\n`);
    const loadBefore = os.loadavg()[0] ?? 0;
    try {
      const result = await bench.run(log);
      const loadAfter = os.loadavg()[0] ?? 0;
      const busy = Math.max(loadBefore, loadAfter) > os.availableParallelism() / 2;
      result.notes.push(
        `1-min load average ${loadBefore.toFixed(2)} before, ${loadAfter.toFixed(2)} after` +
          (busy ? ' — WARNING: the machine was busy with other work; figures are pessimistic' : ''),
      );
      outcomes.push({ bench, result, seconds: (performance.now() - started) / 1000 });
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      process.stdout.write(`   FAILED: ${error}\n`);
      outcomes.push({ bench, error, seconds: (performance.now() - started) / 1000 });
    } finally {
      await cleanupAll();
    }
    process.stdout.write(`   (${Math.round((performance.now() - started) / 1000)} s)\n\n`);
  }

  const rows: string[][] = [['Benchmark', 'Metric', 'Value', 'Target', 'Met']];
  for (const o of outcomes) {
    if (o.error) {
      rows.push([o.bench.name, 'FAILED TO RUN', '', '', '']);
      continue;
    }
    for (const m of o.result?.metrics ?? []) {
      const met =
        m.target === undefined
          ? ''
          : m.value === null || Number.isNaN(m.value)
            ? '?'
            : (m.atLeast ? m.value >= m.target : m.value < m.target)
              ? 'yes'
              : 'NO';
      rows.push([
        o.bench.name,
        m.label,
        formatValue(m.value, m.unit),
        m.target === undefined ? '' : `${m.atLeast ? '≥' : '<'} ${formatValue(m.target, m.unit)}`,
        met,
      ]);
    }
  }
  process.stdout.write(`Results (targets are reported, not asserted)\n\n${table(rows)}\n`);
  for (const o of outcomes) {
    for (const n of o.result?.notes ?? []) process.stdout.write(`  * ${o.bench.name}: ${n}\n`);
    if (o.error) process.stdout.write(`  * ${o.bench.name}: FAILED: ${o.error}\n`);
  }

  if (json) {
    const data = {
      date: new Date().toISOString(),
      machine,
      results: outcomes.map((o) => ({
        name: o.bench.name,
        seconds: o.seconds,
        error: o.error,
        metrics: o.result?.metrics,
        notes: o.result?.notes,
      })),
    };
    await fs.writeFile(json, `${JSON.stringify(data, null, 2)}\n`);
    process.stdout.write(`\nResults written to ${json}\n`);
  }
  return outcomes.some((o) => o.error) ? 1 : 0;
}

let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    if (interrupted) return;
    interrupted = true;
    process.stderr.write(`\n${signal}: stopping child processes and removing temporary directories…\n`);
    void cleanupAll().finally(() => process.exit(130));
  });
}

main().then(
  async (code) => {
    await cleanupAll();
    process.exit(code);
  },
  async (err: unknown) => {
    process.stderr.write(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    await cleanupAll();
    process.exit(1);
  },
);
