/**
 * Where a cold start goes: replays the steps of `contracta serve --seed-demo` (src/cli.ts and
 * startApp in src/server.ts) one by one and times each, then prints one JSON line. Run by
 * cold-start.ts as a child process on an empty or an existing data directory:
 *   CONTRACTA_DATA_DIR=… node --import tsx bench/startup-phases.ts
 * It mirrors the CLI's sequence by hand, so a change to startApp may need a change here too.
 */
import path from 'node:path';

const processStart = performance.now();
const phases: Record<string, number> = {};
let mark = performance.now();
const lap = (name: string) => {
  const now = performance.now();
  phases[name] = Math.round(now - mark);
  mark = now;
};

// performance.now() counts from process start, so this is Node's own boot plus tsx's register().
phases['node + tsx boot'] = Math.round(processStart);
const { buildApp } = await import('../src/app.js');
const { systemClock } = await import('../src/platform/clock.js');
const { loadConfig } = await import('../src/platform/config.js');
const { openDatabase } = await import('../src/platform/db/client.js');
const { migrate } = await import('../src/platform/db/migrate.js');
const { createLogger } = await import('../src/platform/logger.js');
const { fileOutboxMailer } = await import('../src/platform/mail.js');
const { seedDemo } = await import('../src/modules/demo/demo.seed.js');
lap('import modules');

const config = { ...loadConfig(), port: 0, host: '127.0.0.1', logLevel: 'warn' };
const database = await openDatabase({ dataDir: path.join(config.dataDir, 'pglite') });
lap('open PGlite');
await migrate(database.db);
lap('migrate');
const app = await buildApp({
  config,
  database,
  logger: createLogger(config.logLevel),
  clock: systemClock,
  mailer: fileOutboxMailer(path.join(config.dataDir, 'outbox'), config.mailFrom),
  cookieSecret: 'bench-startup-phases',
});
lap('build app');
const ctx = {
  actor: { kind: 'system' as const, label: 'demo-seed' },
  clock: systemClock,
  ip: null,
  userAgent: null,
};
const summary = await seedDemo(database.db, ctx);
lap(summary.seeded ? 'seed demo' : 'seed demo (already present)');
const address = await app.listen({ port: 0, host: '127.0.0.1' });
lap('listen');
const res = await fetch(`${address}/`);
await res.arrayBuffer();
if (res.status !== 200) throw new Error(`GET / answered ${res.status}`);
lap('first GET /');
phases.total = Math.round(performance.now());
await app.close();
await database.close();
process.stdout.write(`${JSON.stringify(phases)}\n`);
