import fs from 'node:fs/promises';
import path from 'node:path';
import { Command } from 'commander';
import { systemClock } from './platform/clock.js';
import { loadConfig } from './platform/config.js';
import type { Db, DriverName } from './platform/db/client.js';
import { newId } from './platform/ids.js';
import type { SeedSummary } from './modules/demo/demo.seed.js';
import type { ReceiptVerifyOptions } from './modules/bids/receipt.verify.js';
import { registerSealingCommands } from './modules/sealing/sealing.cli.js';
import { registerCompileCommand } from './modules/ocds/compile.cli.js';
import { registerValidateCommand } from './modules/ocds/validate.cli.js';
import { registerImportCommand } from './modules/ocds/import.cli.js';
import { registerBulkCommand } from './modules/ocds/bulk.cli.js';

// The application (server, database drivers, every module) is imported by the commands that use it,
// when they run: bin/contracta.js bundles with code splitting, so `contracta ocds compile` or
// `validate` on a small file does not pay the whole application's start (docs/BENCHMARKS.md).

const systemCtx = (label: string) => ({
  actor: { kind: 'system' as const, label },
  clock: systemClock,
  ip: null,
  userAgent: null,
});

/**
 * Opens and migrates the configured database around `fn`. `dataDir` overrides the configured data
 * directory (a command's --data-dir), where the PGlite database lives when no DATABASE_URL is set.
 */
async function withDb<T>(fn: (db: Db, driver: DriverName) => Promise<T>, dataDir?: string): Promise<T> {
  const { openDatabase } = await import('./platform/db/client.js');
  const { migrate } = await import('./platform/db/migrate.js');
  const config = loadConfig();
  const handle = await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.databaseUrl ? undefined : path.join(dataDir ?? config.dataDir, 'pglite'),
  });
  try {
    await migrate(handle.db);
    return await fn(handle.db, handle.driver);
  } finally {
    await handle.close();
  }
}

async function printDemo(summary: SeedSummary, url: string): Promise<void> {
  const { DEMO_PASSWORD } = await import('./modules/demo/demo.seed.js');
  const lines = [
    summary.seeded ? 'Demo data seeded.' : 'Demo data already present.',
    `Sign in at ${url}/sign-in with password "${DEMO_PASSWORD}" and one of:`,
    ...summary.examples.map((e) => `  ${e.email.padEnd(40)} ${e.role}`),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

const program = new Command();
program.name('contracta').description('Contracta: open e-procurement for municipalities').version('0.1.0');

program
  .command('serve')
  .description('Run the portal and API (migrates the database first)')
  .option('--seed-demo', 'seed the demo data when the database is empty')
  .action(async (opts: { seedDemo?: boolean }) => {
    const started = performance.now();
    const config = loadConfig();
    const { startApp } = await import('./server.js');
    const { seedDemo } = await import('./modules/demo/demo.seed.js');
    const app = await startApp(config);
    let summary: SeedSummary | undefined;
    // The directory (cities, staff, companies, plans) first; the demo procurement files go through
    // the real use-cases and take a few seconds, so they are added once the portal is already up.
    const seedCtx = systemCtx('demo-seed');
    const store = app.deps.blobStore;
    if (opts.seedDemo) summary = await seedDemo(app.deps.database.db, seedCtx, { store, tenders: false });
    await app.listen({ port: config.port, host: config.host });
    if (summary) {
      void seedDemo(app.deps.database.db, seedCtx, { store }).then(
        (s) => s.tenders > 0 && process.stdout.write(`Demo: ${s.tenders} procurement files added\n`),
        (err: unknown) => app.log.error({ err }, 'demo procurement files could not be seeded'),
      );
    }
    const shown = config.host === '0.0.0.0' ? 'localhost' : config.host;
    process.stdout.write(
      `Contracta listening on http://${shown}:${config.port} (${app.deps.database.driver}) after ${Math.round(performance.now() - started)} ms\n`,
    );
    if (summary) await printDemo(summary, config.publicUrl);
    const stop = async () => {
      await app.close();
      process.exit(0);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });

program
  .command('migrate')
  .description('Apply pending database migrations (idempotent)')
  .action(async () => {
    const { migrate } = await import('./platform/db/migrate.js');
    const applied = await withDb((db) => migrate(db));
    process.stdout.write(applied.length ? `Applied: ${applied.join(', ')}\n` : 'Database is up to date.\n');
  });

program
  .command('seed-demo')
  .description('Seed the demo data into an empty database')
  .option('--reset', 'delete the embedded data directory first (PGlite only)')
  .action(async (opts: { reset?: boolean }) => {
    const config = loadConfig();
    if (opts.reset) {
      if (config.databaseUrl)
        throw new Error('--reset works on the embedded database only; drop the PostgreSQL database yourself');
      await fs.rm(path.join(config.dataDir, 'pglite'), { recursive: true, force: true });
    }
    const { seedDemo } = await import('./modules/demo/demo.seed.js');
    const summary = await withDb((db) => seedDemo(db, systemCtx('demo-seed')));
    await printDemo(summary, config.publicUrl);
  });

const data = program.command('data').description('Reference data');
data
  .command('load-cpv')
  .description(
    'Load the CPV vocabulary from a CSV file with the header code,ca,es,en (codes written NNNNNNNN-D)',
  )
  .argument('<file>', 'CSV file')
  .action(async (file: string) => {
    const { loadCpv, parseCpvCsv } = await import('./modules/cpv/cpv.import.js');
    const rows = parseCpvCsv(await fs.readFile(file, 'utf8'));
    const count = await withDb((db) => loadCpv(db, rows));
    process.stdout.write(`Loaded ${count} CPV codes.\n`);
  });

const admin = program.command('admin').description('Platform administration');
admin
  .command('create')
  .description('Create a platform administrator; the password is read from CONTRACTA_ADMIN_PASSWORD')
  .requiredOption('--email <email>', 'email address')
  .requiredOption('--name <name>', 'full name')
  .action(async (opts: { email: string; name: string }) => {
    const { checkPasswordPolicy, hashPassword } = await import('./modules/identity/password.js');
    const { insertUser } = await import('./modules/identity/user.repo.js');
    const { recordEvent } = await import('./modules/audit/audit.service.js');
    const { withTransaction } = await import('./platform/db/tx.js');
    const password = process.env.CONTRACTA_ADMIN_PASSWORD ?? '';
    checkPasswordPolicy(password, opts.email);
    const hash = await hashPassword(password);
    await withDb((db) =>
      withTransaction(db, async (trx) => {
        const id = newId();
        await insertUser(trx, {
          id,
          email: opts.email,
          name: opts.name,
          passwordHash: hash,
          isPlatformAdmin: true,
        });
        await recordEvent(trx, systemCtx('cli'), {
          action: 'user.created',
          objectType: 'user',
          objectId: id,
          data: { email: opts.email },
        });
      }),
    );
    process.stdout.write(`Platform administrator ${opts.email} created.\n`);
  });

const receipt = program.command('receipt').description('Bid receipts');
receipt
  .command('verify')
  .description(
    'Check a bid receipt file offline: its shape and its Ed25519 signature by the platform (exit 0 if valid, 1 if not)',
  )
  .argument('<file>', 'receipt file (JSON { receipt, signature })')
  .option('--key <pem_file>', "PEM file with the platform's public key(s)")
  .option('--url <base_url>', "the platform's address; its keys are read from /api/v1/receipt-keys")
  .action(async (file: string, opts: ReceiptVerifyOptions) => {
    const { verifyReceiptCommand } = await import('./modules/bids/receipt.verify.js');
    const lines = await verifyReceiptCommand(file, opts);
    process.stdout.write(`${lines.join('\n')}\n`);
  });

const ocds = program
  .command('ocds')
  .description('Open Contracting Data Standard tools: compile releases into records, validate data');
registerCompileCommand(ocds);
registerValidateCommand(ocds);
// Third-party OCDS into an external, read-only authority (issue 6 point 5).
registerImportCommand(ocds, withDb, () => loadConfig().ocdsSchemaDir);
registerBulkCommand(ocds, withDb);

const storage = program.command('storage').description('The content-addressed document and bid store');
storage
  .command('cleanup')
  .description(
    'Remove stored content no row references (pieces of abandoned or refused bids, unfinished uploads) older than the grace period',
  )
  .option('--grace-minutes <n>', 'keep unreferenced content younger than this (default: 60)')
  .action(async (opts: { graceMinutes?: string }) => {
    const { cleanupStorage, DEFAULT_GRACE_MINUTES } = await import('./modules/bids/bid-cleanup.js');
    const graceMinutes = opts.graceMinutes === undefined ? DEFAULT_GRACE_MINUTES : Number(opts.graceMinutes);
    if (!Number.isInteger(graceMinutes) || graceMinutes < 0)
      throw new Error('--grace-minutes must be a non-negative integer');
    const { fsBlobStore } = await import('./platform/storage/blob-store.js');
    const store = fsBlobStore(path.join(loadConfig().dataDir, 'blobs'));
    const report = await withDb((db) => cleanupStorage({ db, store, now: systemClock.now(), graceMinutes }));
    process.stdout.write(
      `Scanned ${report.scanned} blob(s): removed ${report.removed.length}, kept ${report.kept}; removed ${report.temporaryRemoved} unfinished upload(s).\n`,
    );
  });

// custodian keygen|unwrap and bid seal: offline sealing tools (docs/SEALING.md).
registerSealingCommands(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`contracta: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
