/**
 * ocds-compile (issue 6): `contracta ocds compile` over 30,000 releases (BENCH_OCDS_OCIDS 5,000 ×
 * 6 stages, about 128 MB of JSON Lines, bench/ocds-generate.ts), output to /dev/null, next to a bare
 * `JSON.parse` + `JSON.stringify` pass over the same file in the same run (bench/ocds-floor.mjs).
 * Both children run the same way, plain node without a TypeScript loader (the CLI as `contracta`
 * runs it: bin/contracta.js and its bundle), and report their own peak RSS and wall time at exit
 * (bench/maxrss-preload.mjs). Target: compile within 2× the floor's time. The CLI's start (a
 * compile of one release: loading the bundled CLI and the schema) is measured too, since it is part
 * of the compile's time and not of the floor's. The merge rules come
 * from the shared OCDS schemas (OCDS_DATA_DIR, default ../shared/data/ocds); without them the
 * benchmark is skipped with a note. For reference (ocds.md §8): ocdskit needs about 6.9 s and 35 MB.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { generateReleases } from './ocds-generate.js';
import { type Benchmark, childEnv, envInt, makeTempDir, ROOT } from './support.js';

type ChildFigures = { wallMs: number; maxRssMiB: number; exit: number | null; stderr: string };

function runChild(args: string[]): Promise<ChildFigures> {
  return new Promise((resolve, reject) => {
    const devNull = fs.openSync('/dev/null', 'w');
    const proc = spawn(process.execPath, ['--import', './bench/maxrss-preload.mjs', ...args], {
      cwd: ROOT,
      env: childEnv({}),
      stdio: ['ignore', devNull, 'pipe'],
    });
    let stderr = '';
    proc.stderr?.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    proc.once('error', reject);
    proc.once('exit', (code) => {
      fs.closeSync(devNull);
      const m = /BENCH (\{.*\})/.exec(stderr);
      const figures = m?.[1] ? (JSON.parse(m[1]) as { maxRssKib: number; wallMs: number }) : undefined;
      resolve({
        wallMs: figures?.wallMs ?? Number.NaN,
        maxRssMiB: (figures?.maxRssKib ?? Number.NaN) / 1024,
        exit: code,
        stderr,
      });
    });
  });
}

export const ocdsCompileBench: Benchmark = {
  name: 'ocds-compile',
  title: 'OCDS compile of 30,000 releases (5,000 ocids × 6 stages) against a bare parse + stringify pass',
  async run(log) {
    const dataDir = process.env.OCDS_DATA_DIR ?? path.resolve(ROOT, '..', 'shared', 'data', 'ocds');
    const schemaDir = path.join(dataDir, 'schema');
    if (!fs.existsSync(path.join(schemaDir, '1__1__5', 'release-schema.json'))) {
      return {
        metrics: [],
        notes: [`skipped: OCDS schemas not found under ${schemaDir} (set OCDS_DATA_DIR)`],
      };
    }
    const ocids = envInt('BENCH_OCDS_OCIDS', 5_000);
    const dir = await makeTempDir('ocds');
    const file = path.join(dir, 'releases.jsonl');
    const generated = await generateReleases(file, ocids);
    log(`generated ${generated.releases} releases, ${(generated.bytes / 1_048_576).toFixed(1)} MiB`);
    // The CLI bundles src/ when a source is newer than dist/cli.js (bin/contracta.js): build it now,
    // unmeasured, so that no rebuild lands inside the timed run.
    await runChild(['bin/contracta.js', '--version']);
    // The CLI's own start (loading dist/cli.js, the schema) on a one-release file, for the notes.
    const one = path.join(dir, 'one.jsonl');
    fs.writeFileSync(one, fs.readFileSync(file, 'utf8').split('\n', 1)[0] ?? '');
    const start = await runChild([
      'bin/contracta.js',
      'ocds',
      'compile',
      '--schema-dir',
      schemaDir,
      '--offline',
      one,
    ]);
    log(
      `CLI start (compile of one release): ${(start.wallMs / 1000).toFixed(2)} s, peak RSS ${start.maxRssMiB.toFixed(0)} MiB`,
    );
    const floor = await runChild(['bench/ocds-floor.mjs', file]);
    log(`floor: ${(floor.wallMs / 1000).toFixed(2)} s, peak RSS ${floor.maxRssMiB.toFixed(0)} MiB`);
    const compile = await runChild([
      'bin/contracta.js',
      'ocds',
      'compile',
      '--schema-dir',
      schemaDir,
      '--offline',
      file,
    ]);
    if (compile.exit !== 0) throw new Error(`compile exited ${compile.exit}: ${compile.stderr.slice(-2000)}`);
    log(`compile: ${(compile.wallMs / 1000).toFixed(2)} s, peak RSS ${compile.maxRssMiB.toFixed(0)} MiB`);
    const summary = /compile: .*/.exec(compile.stderr)?.[0] ?? '';
    return {
      metrics: [
        { label: 'floor: parse + stringify', value: floor.wallMs, unit: 'ms' },
        { label: 'compile', value: compile.wallMs, unit: 'ms' },
        { label: 'compile ÷ floor', value: compile.wallMs / floor.wallMs, unit: 'x', target: 2 },
        { label: 'floor peak RSS', value: floor.maxRssMiB, unit: 'MiB' },
        { label: 'compile peak RSS', value: compile.maxRssMiB, unit: 'MiB' },
        { label: 'CLI start (one release)', value: start.wallMs, unit: 'ms' },
        { label: 'CLI start peak RSS', value: start.maxRssMiB, unit: 'MiB' },
        {
          label: '(compile − CLI start) ÷ floor',
          value: (compile.wallMs - start.wallMs) / floor.wallMs,
          unit: 'x',
        },
      ],
      notes: [
        `${generated.releases} releases, ${(generated.bytes / 1_048_576).toFixed(1)} MiB of JSON Lines; ${summary}`,
        'both children: plain node (no tsx), output to /dev/null, figures reported by the child at exit',
      ],
    };
  },
};
