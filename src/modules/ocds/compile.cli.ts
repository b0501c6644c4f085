/**
 * `contracta ocds compile [--package] [--linked-releases] [--versioned] [--schema PATH] [FILE|-]...`
 * (issue 6): ocdskit's `compile` (same flags and outputs, ocds.md §8). Reads release packages, record
 * packages, releases, arrays, JSON Lines or concatenated JSON from the files (or standard input),
 * merges the releases by ocid, and prints compiled releases as JSON Lines sorted by ocid, versioned
 * releases with --versioned, or one record package with --package. Warnings (counted dirt) go to
 * standard error; exit 1 when the inputs mix OCDS versions or the schema cannot be read.
 */
import type { Command } from 'commander';
import { type CompileInput, type CompileOptions, type CompileSummary, compileOcds } from './compile.js';
import { inputSources } from './ocds-input.js';

export type CompileIo = {
  out: (text: string) => void | Promise<void>;
  /** Compiled output as UTF-8 bytes, valid only during the call (compileOcds `writeBytes`). */
  outBytes?: ((bytes: Uint8Array) => void | Promise<void>) | undefined;
  err: (text: string) => void;
  stdin?: (() => AsyncIterable<Uint8Array>) | undefined;
  /** Called once compile is done (a buffered `out` writes what it holds). */
  flush?: (() => void | Promise<void>) | undefined;
};

/**
 * Standard output, written in blocks of 1 MiB instead of one write per compiled release (a write is
 * a system call, and compile prints one text per ocid). Text and bytes share the block, in order.
 */
function stdoutWriter(): Pick<CompileIo, 'out' | 'outBytes' | 'flush'> {
  const SIZE = 1024 * 1024;
  // Allocated on the first write, not at module load: every `contracta` command loads this module.
  // A drained block is handed to process.stdout, so the next write takes a new one.
  let block: Buffer | undefined;
  let used = 0;
  const drain = (): Promise<void> | undefined => {
    const full = (block as Buffer).subarray(0, used);
    block = undefined;
    used = 0;
    if (process.stdout.write(full)) return undefined;
    return new Promise((resolve) => process.stdout.once('drain', () => resolve()));
  };
  const put = (bytes: Uint8Array): Promise<void> | undefined => {
    if (used + bytes.length > SIZE) {
      const waited = used > 0 ? drain() : undefined;
      if (bytes.length > SIZE) {
        // Larger than a block: written on its own (copied, the view is the caller's).
        const own = Buffer.from(bytes);
        const wrote = process.stdout.write(own);
        if (!wrote) return new Promise((resolve) => process.stdout.once('drain', () => resolve()));
        return waited;
      }
      block ??= Buffer.allocUnsafe(SIZE);
      block.set(bytes, used);
      used += bytes.length;
      return waited;
    }
    block ??= Buffer.allocUnsafe(SIZE);
    block.set(bytes, used);
    used += bytes.length;
    return undefined;
  };
  return {
    out: (text) => put(Buffer.from(text)),
    outBytes: (bytes) => put(bytes),
    flush: () => (used > 0 ? drain() : undefined),
  };
}

const defaultIo: CompileIo = {
  ...stdoutWriter(),
  err: (text) => process.stderr.write(text),
  stdin: () => process.stdin,
};

/** The report printed on standard error. */
export function formatSummary(s: CompileSummary): string {
  const lines = [
    `compile: ${s.inputs} input(s), ${s.containers} item(s), ${s.releases} release(s), ${s.ocids} ocid(s), ${s.written} written`,
  ];
  const codes = Object.keys(s.warnings).sort();
  if (codes.length > 0) lines.push(`warnings: ${codes.map((c) => `${c}=${s.warnings[c]}`).join(', ')}`);
  for (const sample of s.samples) lines.push(`  ${sample}`);
  for (const e of s.errors) lines.push(`error: ${e}`);
  return `${lines.join('\n')}\n`;
}

export async function runCompile(
  files: readonly string[],
  options: CompileOptions,
  io: CompileIo = defaultIo,
): Promise<CompileSummary> {
  const inputs: CompileInput[] = inputSources(files, io.stdin);
  const summary = await compileOcds(inputs, io.out, options, io.outBytes);
  await io.flush?.();
  io.err(formatSummary(summary));
  return summary;
}

/** Adds `compile` to the `ocds` command group. */
export function registerCompileCommand(group: Command): Command {
  return group
    .command('compile')
    .description(
      'merge the releases of OCDS inputs by ocid and print compiled releases (JSON Lines, sorted by ocid), versioned releases, or a record package',
    )
    .argument(
      '[files...]',
      'input files (release/record packages, releases, arrays, JSON Lines); "-" or none: standard input',
    )
    .option('--package', 'wrap the compiled releases in a record package')
    .option(
      '--linked-releases',
      'if --package is set, use linked releases instead of full releases, if the input is a release package',
    )
    .option(
      '--versioned',
      'if --package is set, include versioned releases in the record package; otherwise, print versioned releases instead of compiled releases',
    )
    .option('--schema <path>', 'the path of the (patched) release schema to take the merge rules from')
    .option(
      '--schema-dir <dir>',
      'directory of the official OCDS schemas (default: the official URL, cached)',
    )
    .option('--extensions <dir>', "directory of extension patches for the packages' declared extensions")
    .option('--offline', 'never download schemas or extensions')
    .option(
      '--encoding <encoding>',
      'the file encoding (default: UTF-8, falling back to ISO-8859-1 with a warning)',
    )
    .option('--ascii', 'print escape sequences instead of UTF-8 characters')
    .option('--pretty', 'pretty print output')
    .option('--uri <uri>', "if --package is set, set the record package's uri to this value")
    .option(
      '--published-date <date>',
      "if --package is set, set the record package's publishedDate to this value",
    )
    .option(
      '--version <version>',
      "if --package is set, set the record package's version to this value",
      '1.1',
    )
    .option(
      '--publisher-name <name>',
      "if --package is set, set the record package's publisher's name to this value",
    )
    .option(
      '--publisher-uri <uri>',
      "if --package is set, set the record package's publisher's uri to this value",
    )
    .option(
      '--publisher-scheme <scheme>',
      "if --package is set, set the record package's publisher's scheme to this value",
    )
    .option(
      '--publisher-uid <uid>',
      "if --package is set, set the record package's publisher's uid to this value",
    )
    .option('--fake', "if --package is set, set the record package's required metadata to dummy values")
    .action(async (files: string[], opts: Record<string, string | boolean | undefined>) => {
      const str = (k: string) => (typeof opts[k] === 'string' ? (opts[k] as string) : undefined);
      const summary = await runCompile(files, {
        package: opts.package === true,
        linkedReleases: opts.linkedReleases === true,
        versioned: opts.versioned === true,
        schema: str('schema'),
        schemaDir: str('schemaDir'),
        extensionsDir: str('extensions'),
        offline: opts.offline === true,
        encoding: str('encoding'),
        ascii: opts.ascii === true,
        pretty: opts.pretty === true,
        uri: str('uri'),
        publishedDate: str('publishedDate'),
        version: str('version'),
        publisherName: str('publisherName'),
        publisherUri: str('publisherUri'),
        publisherScheme: str('publisherScheme'),
        publisherUid: str('publisherUid'),
        fake: opts.fake === true,
      });
      process.exitCode = summary.exitCode;
    });
}
