/**
 * Embedded (PGlite) cold start: wall time from spawning the real CLI
 * (`node bin/contracta.js serve --seed-demo`) to the first 200 on GET /, a page that queries the
 * database. Two cases:
 *   (a) first start on an empty data directory: PGlite initdb + migrations + demo seed;
 *   (b) restart on an existing data directory: the usual cold start.
 * Each case runs BENCH_COLD_RUNS times (default 5); median and max are reported. Target < 3 s.
 * Then bench/startup-phases.ts times each startup step once per case, to show where the time goes.
 */
import {
  type Benchmark,
  type BenchResult,
  childEnv,
  freePort,
  makeTempDir,
  median,
  memoryOf,
  type Metric,
  removeTempDir,
  spawnCli,
  spawnNode,
  stopChild,
  envInt,
  waitFor200,
} from './support.js';

const TARGET_MS = 3_000;

type Sample = {
  toFirst200: number;
  toListenLine: number | undefined;
  reportedListen: number | undefined;
  /** Resident memory of the server right after its first 200, in MiB. */
  rss: number | undefined;
  /**
   * On an empty directory, spawn to the "Demo: N procurement files added" line: the CLI serves
   * first and adds the demo files in the background; the run waits for them, so that case (b)
   * starts on a complete demo database.
   */
  toDemoFiles?: number | undefined;
};

const DEMO_FILES_TIMEOUT_MS = 120_000;

/** Waits for the CLI's line saying the demo files were added; the time it was seen, or undefined. */
async function waitForDemoFiles(child: ReturnType<typeof spawnCli>): Promise<number | undefined> {
  const until = performance.now() + DEMO_FILES_TIMEOUT_MS;
  while (performance.now() < until) {
    if (/Demo: \d+ procurement files added/.test(child.output())) return performance.now();
    if (child.proc.exitCode !== null) return undefined;
    await new Promise((r) => setTimeout(r, 20));
  }
  return undefined;
}

/** One start of the CLI on `dataDir`; the child is stopped (SIGTERM, clean database close) afterwards. */
async function startOnce(dataDir: string, opts: { waitForDemo?: boolean } = {}): Promise<Sample> {
  const port = await freePort();
  const child = spawnCli(
    ['serve', '--seed-demo'],
    childEnv({ PORT: String(port), CONTRACTA_DATA_DIR: dataDir, LOG_LEVEL: 'warn' }),
  );
  let sample: Sample;
  try {
    const at = await waitFor200(`http://127.0.0.1:${port}/`, child);
    sample = {
      toFirst200: at - child.spawnedAt,
      toListenLine: child.listeningAt === undefined ? undefined : child.listeningAt - child.spawnedAt,
      reportedListen: child.reportedListenMs,
      rss: (await memoryOf(child.proc.pid))?.rss,
    };
    if (opts.waitForDemo) {
      const done = await waitForDemoFiles(child);
      sample.toDemoFiles = done === undefined ? undefined : done - child.spawnedAt;
    }
  } finally {
    await stopChild(child);
  }
  // A non-zero exit on SIGTERM would mean the database was not closed cleanly: case (b) would lie.
  const code = await child.exited;
  if (code !== 0) throw new Error(`the server exited with code ${code} on SIGTERM (killed?)`);
  return sample;
}

/** Runs bench/startup-phases.ts on `dataDir` and returns its per-phase timings. */
async function phases(dataDir: string): Promise<string> {
  const child = spawnNode(
    ['--import', 'tsx', 'bench/startup-phases.ts'],
    childEnv({ CONTRACTA_DATA_DIR: dataDir }),
  );
  const code = await child.exited;
  const line = child.output().trim().split('\n').at(-1) ?? '';
  if (code !== 0 || !line.startsWith('{'))
    throw new Error(`startup-phases exited with ${code}:\n${child.output()}`);
  const timings = JSON.parse(line) as Record<string, number>;
  return Object.entries(timings)
    .map(([k, v]) => `${k} ${v} ms`)
    .join(', ');
}

function summarise(label: string, samples: Sample[], metrics: Metric[], notes: string[]): void {
  const first = samples.map((s) => s.toFirst200);
  metrics.push(
    { label: `${label}: spawn to first 200, median`, value: median(first), unit: 'ms', target: TARGET_MS },
    { label: `${label}: spawn to first 200, max`, value: Math.max(...first), unit: 'ms', target: TARGET_MS },
  );
  const demo = samples.flatMap((s) => (s.toDemoFiles === undefined ? [] : [s.toDemoFiles]));
  if (demo.length)
    metrics.push({ label: `${label}: spawn to demo files added, median`, value: median(demo), unit: 'ms' });
  const rss = samples.flatMap((s) => (s.rss === undefined ? [] : [s.rss]));
  if (rss.length)
    metrics.push({ label: `${label}: server RSS at first 200, median`, value: median(rss), unit: 'MiB' });
  const listen = samples.flatMap((s) => (s.toListenLine === undefined ? [] : [s.toListenLine]));
  const inProc = samples.flatMap((s) => (s.reportedListen === undefined ? [] : [s.reportedListen]));
  if (listen.length && inProc.length) {
    const l = median(listen);
    const p = median(inProc);
    notes.push(
      `${label}: median spawn→"listening" line ${Math.round(l)} ms, of which ${Math.round(p)} ms inside serve ` +
        `(startApp + seed + listen) and ~${Math.round(l - p)} ms Node + tsx + module loading; ` +
        `samples to first 200: ${first.map((v) => Math.round(v)).join(', ')} ms`,
    );
  }
}

export const coldStart: Benchmark = {
  name: 'cold-start',
  title: 'Embedded (PGlite) cold start to the first 200 on GET /',
  async run(log) {
    const runs = envInt('BENCH_COLD_RUNS', 5);
    const metrics: Metric[] = [];
    const notes: string[] = [];

    // (a) Empty data directory every time: initdb + migrations + demo seed.
    const fresh: Sample[] = [];
    let kept: string | undefined;
    try {
      for (let i = 0; i < runs; i++) {
        const dir = await makeTempDir('cold-a');
        const s = await startOnce(dir, { waitForDemo: true });
        fresh.push(s);
        log(
          `(a) empty data dir, run ${i + 1}/${runs}: ${Math.round(s.toFirst200)} ms` +
            (s.toDemoFiles === undefined ? '' : `; demo files complete at ${Math.round(s.toDemoFiles)} ms`),
        );
        // Keep the last seeded directory for case (b); remove the others at once.
        if (kept) await removeTempDir(kept);
        kept = dir;
      }
      summarise('(a) empty data dir', fresh, metrics, notes);

      // (b) Restart on the existing (migrated, seeded) data directory.
      const restart: Sample[] = [];
      for (let i = 0; i < runs; i++) {
        const s = await startOnce(kept as string);
        restart.push(s);
        log(`(b) existing data dir, run ${i + 1}/${runs}: ${Math.round(s.toFirst200)} ms`);
      }
      summarise('(b) existing data dir', restart, metrics, notes);

      // Where the time goes: the same steps timed one by one, in a separate process, once per case.
      log('timing the startup phases (bench/startup-phases.ts)…');
      const empty = await makeTempDir('cold-phases');
      notes.push(`phases on an empty data dir: ${await phases(empty)}`);
      await removeTempDir(empty);
      notes.push(`phases on an existing data dir: ${await phases(kept as string)}`);
    } finally {
      if (kept) await removeTempDir(kept);
    }
    notes.push(`${runs} runs per case; GET / polled every 10 ms; children stopped with SIGTERM between runs`);
    return { metrics, notes } satisfies BenchResult;
  },
};
