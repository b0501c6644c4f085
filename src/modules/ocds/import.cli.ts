/**
 * `contracta ocds import --authority <slug or name> [--create --name "…" --source-url URL]
 * [--schema PATH] [FILE…|-]` (issue 6 point 5): loads third-party OCDS into an external, read-only
 * authority (ocds-import.ts), so the portal shows it as third-party data. Prints a summary; exit 0
 * once imported (dirt is counted, not fatal), 1 when the input holds no release at all, 2 for usage
 * errors (unknown authority, one of the platform's own, a bad slug or URL).
 */
import type { Command } from 'commander';
import { systemClock } from '../../platform/clock.js';
import type { Db } from '../../platform/db/client.js';
import { DomainError } from '../../platform/errors.js';
import type { ImportInput, ImportOptions, ImportSummary } from './ocds-import.js';
import { inputSources } from './ocds-input.js';

export type ImportCliOptions = ImportOptions & {
  authority: string;
  create?: boolean | undefined;
  name?: string | undefined;
  sourceUrl?: string | undefined;
};

export type ImportIo = {
  out: (text: string) => void;
  err: (text: string) => void;
  stdin?: (() => AsyncIterable<Uint8Array>) | undefined;
};

/** The summary printed when the import ends. */
export function formatImportSummary(s: ImportSummary): string {
  const lines = [
    `import into ${s.authority.slug}${s.authority.created ? ' (created, external and read-only)' : ''}: ${s.inputs} input(s)`,
    `releases: ${s.releasesRead} read, ${s.releasesStored} stored, ${s.duplicates} duplicate(s) skipped, ${s.conflicts} conflict(s) (first kept)`,
    `records: ${s.ocids} ocid(s), ${s.recordsWritten} compiled and stored, in ${s.batches} batch(es)`,
  ];
  const codes = Object.keys(s.warnings).sort();
  if (codes.length > 0) lines.push(`warnings: ${codes.map((c) => `${c}=${s.warnings[c]}`).join(', ')}`);
  for (const sample of s.samples) lines.push(`  ${sample}`);
  if (s.exitCode === 1)
    lines.push('error: the input holds no OCDS release with an ocid; nothing was imported');
  return `${lines.join('\n')}\n`;
}

function usage(message: string): never {
  throw new DomainError('VALIDATION_FAILED', message);
}

/** Runs an import; returns the exit code (usage errors are written to `io.err` and give 2). */
export async function runImport(
  db: Db,
  files: readonly string[],
  options: ImportCliOptions,
  io: ImportIo,
): Promise<0 | 1 | 2> {
  try {
    if (options.create && !options.name?.trim()) usage('--create needs --name "…" (the publisher’s name)');
    if (!options.create && (options.name !== undefined || options.sourceUrl !== undefined))
      usage('--name and --source-url go with --create');
    let sourceUrl: string | null = null;
    if (options.sourceUrl !== undefined) {
      let url: URL | undefined;
      try {
        url = new URL(options.sourceUrl);
      } catch {
        url = undefined;
      }
      if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:'))
        usage(`--source-url must be an http(s) URL, not "${options.sourceUrl}"`);
      sourceUrl = url.href;
    }
    if (files.filter((n) => n === '-').length > 1) usage('standard input ("-") can be read once');
    const inputs: ImportInput[] = inputSources(files, io.stdin);
    // Loaded when the command runs (the database layer): src/cli.ts keeps other commands' start light.
    const { importOcds } = await import('./ocds-import.js');
    const summary = await importOcds(
      { db, actor: { kind: 'system', label: 'ocds-import' }, clock: systemClock, ip: null, userAgent: null },
      {
        authority: options.authority,
        create: options.create ? { name: options.name ?? '', sourceUrl } : undefined,
      },
      inputs,
      options,
    );
    io.out(formatImportSummary(summary));
    return summary.exitCode;
  } catch (e) {
    if (e instanceof DomainError) {
      io.err(`contracta ocds import: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

/** Adds `import` to the `ocds` command group; `withDb` opens the database as the other DB commands do. */
export function registerImportCommand(
  group: Command,
  withDb: <T>(fn: (db: Db) => Promise<T>) => Promise<T>,
  defaultSchemaDir: () => string | undefined = () => undefined,
): Command {
  return (
    group
      .command('import')
      .description(
        "load a third party's OCDS (packages, releases, records, JSON Lines) into an external, read-only authority that the portal shows as third-party data",
      )
      .argument('[files...]', 'input files; "-" or none: standard input')
      .requiredOption('--authority <slug-or-name>', 'the external authority (its slug, or its name)')
      .option('--create', 'create the external authority when it does not exist (the slug is --authority)')
      .option('--name <name>', "with --create: the publisher's name, as the portal shows it")
      .option('--source-url <url>', 'with --create: where the data comes from (shown beside it)')
      .option('--schema <path>', 'a (patched) release schema to take every merge rule from')
      .option('--schema-dir <dir>', 'directory of the official OCDS schemas (default: OCDS_SCHEMA_DIR)')
      .option('--extensions <dir>', "directory of extension patches for the packages' declared extensions")
      .option('--offline', 'never download schemas or extensions')
      .option('--encoding <encoding>', 'the file encoding (default: UTF-8, else ISO-8859-1 with a warning)')
      .option('--batch-size <n>', 'releases per transaction', '500')
      // Usage errors exit with 2, as the command's own checks do.
      .exitOverride((err) => {
        process.exit(err.exitCode === 0 ? 0 : 2);
      })
      .action(async (files: string[], opts: Record<string, string | boolean | undefined>) => {
        const str = (k: string) => (typeof opts[k] === 'string' ? (opts[k] as string) : undefined);
        const batchSize = Number(str('batchSize'));
        if (!Number.isInteger(batchSize) || batchSize < 1) {
          process.stderr.write('contracta ocds import: --batch-size must be a positive integer\n');
          process.exitCode = 2;
          return;
        }
        const code = await withDb((db) =>
          runImport(
            db,
            files,
            {
              authority: str('authority') ?? '',
              create: opts.create === true,
              name: str('name'),
              sourceUrl: str('sourceUrl'),
              schema: str('schema'),
              schemaDir: str('schemaDir') ?? defaultSchemaDir(),
              extensionsDir: str('extensions'),
              offline: opts.offline === true,
              encoding: str('encoding'),
              batchSize,
            },
            {
              out: (text) => process.stdout.write(text),
              err: (text) => process.stderr.write(text),
              stdin: () => process.stdin,
            },
          ),
        );
        process.exitCode = code;
      })
  );
}
