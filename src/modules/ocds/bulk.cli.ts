/**
 * `contracta ocds bulk`: brings the OCDS bulk files (ocds-bulk.ts) up to date once, as the server's
 * loop does every OCDS_BULK_INTERVAL_S seconds; safe while the server runs (the same lock).
 */
import path from 'node:path';
import type { Command } from 'commander';
import { systemClock } from '../../platform/clock.js';
import { loadConfig } from '../../platform/config.js';
import type { Db, DriverName } from '../../platform/db/client.js';
import type { BulkResult } from './ocds-bulk.js';

export function describeBulkResult(r: BulkResult, dir: string): string {
  if (r.status === 'busy') return `Another run is generating the bulk files in ${dir}; nothing done.\n`;
  return [
    `Bulk files in ${dir} (generation ${r.generation}, ${r.ms} ms):`,
    `  releases.jsonl.gz  ${r.releases.total} release(s), ${r.releases.bytes} bytes (+${r.releases.appended})`,
    `  records.jsonl.gz   ${r.records.total} record(s), ${r.records.bytes} bytes (${r.records.changed} changed, ${r.records.segmentsRewritten} segment(s) rewritten)`,
    `  contracts.csv      ${r.csv.rows} row(s), ${r.csv.bytes} bytes`,
    `  daily files        ${r.daily.touched.length} updated, ${r.daily.finalised.length} closed${r.daily.late ? `, ${r.daily.late} release(s) after their day was closed` : ''}`,
    '',
  ].join('\n');
}

/** Adds `bulk` to the `ocds` command group; `withDb` opens the database as the other DB commands do. */
export function registerBulkCommand(
  group: Command,
  withDb: <T>(fn: (db: Db, driver: DriverName) => Promise<T>, dataDir?: string) => Promise<T>,
): Command {
  return group
    .command('bulk')
    .description(
      'generate or update the bulk downloads (releases.jsonl.gz, records.jsonl.gz, daily files, contracts.csv) in <data-dir>/ocds-bulk',
    )
    .option('--data-dir <dir>', 'the data directory (default: CONTRACTA_DATA_DIR or ./data)')
    .action(async (opts: { dataDir?: string }) => {
      const config = loadConfig();
      const dataDir = opts.dataDir ? path.resolve(opts.dataDir) : config.dataDir;
      // Loaded when the command runs: src/cli.ts keeps other commands' start light.
      const { bulkDir, regenerateBulk } = await import('./ocds-bulk.js');
      const result = await withDb(
        (db, driver) =>
          regenerateBulk({ db, driver, dataDir, baseUrl: config.publicUrl, clock: systemClock }),
        dataDir,
      );
      process.stdout.write(describeBulkResult(result, bulkDir(dataDir)));
      if (result.status === 'busy') process.exitCode = 2;
    });
}
