/**
 * `contracta ocds validate [--schema DIR] [--extensions DIR] [--offline] [--json] [FILE|-]...` (issue 6 §4):
 * validates releases, release packages, record packages, arrays of them, JSON Lines or concatenated
 * JSON against the OCDS 1.1.5 schema patched with each package's declared extensions, plus the quality
 * checks (quality.ts). Prints the findings (text grouped by code and path, or `--json`: one JSON object
 * a line), and exits 0 when every input is valid (warnings allowed), 1 when one has an error, 2 when one
 * cannot be read (missing file, not JSON). The schema is read from --schema DIR, or downloaded once from
 * the official URL and cached (schema.load.ts).
 */
import fs from 'node:fs/promises';
import type { Command } from 'commander';
import { newQualityState } from './quality.js';
import { getValidators, declaredExtensions, validateDocument, type ValidateOptions } from './validate.js';
import { InputSyntaxError, parseInput } from './validate.input.js';
import type { DocumentKind, Finding } from './validate.types.js';

export type ValidateCliOptions = {
  schema?: string | undefined;
  extensions?: string | undefined;
  offline?: boolean | undefined;
  json?: boolean | undefined;
  /** ocid prefixes the data must use (repeatable). */
  prefix?: string[] | undefined;
};

export type ValidateIo = {
  out: (line: string) => void;
  /** Reads standard input (for `-`). */
  readStdin?: (() => Promise<Uint8Array>) | undefined;
};

export type FileSummary = {
  file: string;
  readable: boolean;
  documents: number;
  kinds: Partial<Record<DocumentKind, number>>;
  releases: number;
  uniqueOcids: number;
  errors: number;
  warnings: number;
  byCode: Record<string, number>;
  /** Why the file could not be read. */
  failure?: string;
};

export type ValidateResult = { exitCode: 0 | 1 | 2; files: FileSummary[] };

async function readAllStdin(): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The path with array positions removed, to group findings as lib-cove-ocds does ("path_no_number"). */
function pathNoNumber(p: string): string {
  return p.replace(/\/\d+(?=\/|$)/g, '');
}

type Located = Finding & { document: string };

function textReport(summary: FileSummary, findings: Located[], out: (s: string) => void): void {
  if (!summary.readable) {
    out(`${summary.file}: unreadable: ${summary.failure}`);
    return;
  }
  const kinds = Object.entries(summary.kinds)
    .map(([k, n]) => `${n} ${k}${n === 1 ? '' : 's'}`)
    .join(', ');
  const verdict = summary.errors > 0 ? 'INVALID' : 'valid';
  out(
    `${summary.file}: ${verdict}: ${kinds || 'no documents'}; ${summary.releases} releases, ${summary.uniqueOcids} ocids; ` +
      `${summary.errors} errors, ${summary.warnings} warnings`,
  );
  const groups = new Map<string, { first: Located; count: number }>();
  for (const f of findings) {
    const key = `${f.severity} ${f.code} ${pathNoNumber(f.path)} ${f.code.startsWith('schema.') ? f.message : ''}`;
    const g = groups.get(key);
    if (g) g.count++;
    else groups.set(key, { first: f, count: 1 });
  }
  for (const { first, count } of groups.values()) {
    const where = `${first.document}${first.path || '/'}`;
    const value = first.value !== undefined ? ` (${JSON.stringify(first.value)})` : '';
    const times = count > 1 ? ` [${count}×, first at ${where}]` : ` at ${where}`;
    out(`  ${first.severity} ${first.code}: ${first.message}${value}${times}`);
  }
}

/** Validates each input and reports; the exit code follows the module comment. */
export async function validateCommand(
  files: readonly string[],
  options: ValidateCliOptions,
  io: ValidateIo,
): Promise<ValidateResult> {
  const validateOptions: ValidateOptions = {
    schema: { dir: options.schema },
    extensionSource: { dir: options.extensions, offline: options.offline },
    expectedPrefixes: options.prefix && options.prefix.length > 0 ? options.prefix : undefined,
  };
  const inputs = files.length === 0 ? ['-'] : files;
  try {
    await getValidators([], validateOptions);
  } catch (err) {
    // No schema, no verdict: the schema directory or the download is as unreadable as a bad input.
    io.out(`cannot read the OCDS schema: ${err instanceof Error ? err.message : String(err)}`);
    return { exitCode: 2, files: [] };
  }
  const summaries: FileSummary[] = [];
  for (const file of inputs) {
    const summary: FileSummary = {
      file,
      readable: true,
      documents: 0,
      kinds: {},
      releases: 0,
      uniqueOcids: 0,
      errors: 0,
      warnings: 0,
      byCode: {},
    };
    const findings: Located[] = [];
    let parsed: ReturnType<typeof parseInput> | undefined;
    try {
      const bytes = file === '-' ? await (io.readStdin ?? readAllStdin)() : await fs.readFile(file);
      parsed = parseInput(bytes);
    } catch (err) {
      summary.readable = false;
      summary.failure = err instanceof InputSyntaxError || err instanceof Error ? err.message : String(err);
    }
    if (parsed) {
      if (parsed.latin1) {
        findings.push({
          document: '',
          code: 'input.encoding',
          severity: 'warning',
          path: '',
          message: 'not UTF-8: read as ISO-8859-1 (OCDS data must be UTF-8)',
        });
      }
      if (parsed.documents.length === 0) {
        findings.push({
          document: '',
          code: 'input.empty',
          severity: 'error',
          path: '',
          message: 'no JSON data',
        });
      }
      const state = newQualityState();
      const ocids = new Set<string>();
      const extensionWarnings = new Set<string>();
      for (const doc of parsed.documents) {
        const v = await getValidators(declaredExtensions(doc.value), validateOptions);
        for (const w of v.set.warnings) {
          if (extensionWarnings.has(w)) continue;
          extensionWarnings.add(w);
          findings.push({
            document: doc.label,
            code: 'extension.unavailable',
            severity: 'warning',
            path: '',
            message: w,
          });
        }
        const report = validateDocument(doc.value, v, validateOptions, state);
        summary.documents++;
        summary.kinds[report.kind] = (summary.kinds[report.kind] ?? 0) + 1;
        summary.releases += report.releaseCount;
        for (const o of report.ocids) ocids.add(o);
        for (const f of report.findings)
          findings.push({ ...f, document: doc.label, path: doc.path + f.path });
      }
      summary.uniqueOcids = ocids.size;
    }
    for (const f of findings) {
      if (f.severity === 'error') summary.errors++;
      else summary.warnings++;
      summary.byCode[f.code] = (summary.byCode[f.code] ?? 0) + 1;
    }
    summaries.push(summary);
    if (options.json) {
      for (const f of findings) io.out(JSON.stringify({ file, ...f }));
      io.out(JSON.stringify({ file, summary }));
    } else textReport(summary, findings, io.out);
  }
  const exitCode = summaries.some((s) => !s.readable) ? 2 : summaries.some((s) => s.errors > 0) ? 1 : 0;
  return { exitCode, files: summaries };
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** Adds `validate` to the `ocds` command group. */
export function registerValidateCommand(group: Command): void {
  group
    .command('validate')
    .description(
      'Validate OCDS releases, records and packages (schema 1.1.5 + declared extensions + quality checks)',
    )
    .argument('[files...]', 'JSON, JSON Lines or concatenated JSON files; - or none for standard input')
    .option(
      '--schema <dir>',
      'schema directory (a version folder or a parent with 1__1__5/); default: download once and cache',
    )
    .option('--extensions <dir>', 'directory with one folder per extension holding its release-schema.json')
    .option(
      '--offline',
      'never download extensions (our own extensions fall back to minimal built-in patches)',
    )
    .option('--prefix <ocidPrefix>', 'expected ocid prefix (repeatable)', collect)
    .option('--json', 'one JSON object per finding and a summary per file, one per line')
    .action(async (files: string[], opts: ValidateCliOptions) => {
      const result = await validateCommand(files, opts, { out: (line) => process.stdout.write(`${line}\n`) });
      process.exitCode = result.exitCode;
    });
}
