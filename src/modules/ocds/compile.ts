/**
 * `compile` (issue 6): merges the releases of OCDS inputs by ocid into compiled releases (JSON Lines),
 * versioned releases, or one record package, matching `ocdskit compile` (ocds.md §8: same flags, ocids
 * in sorted order, merge rules by the inputs' OCDS version, 1.0 when a package has no `version`).
 *
 * Bounded memory: every release is spilled to a temporary JSON Lines file as it is read, and only an
 * index (ocid → byte ranges) stays in memory, like ocdskit's temporary SQLite table. At the end the
 * ocids are sorted and each one's releases are read back, merged and written out, one ocid at a time.
 * Dirt is counted as warnings (ocds.md §6); a merge that cannot be done skips that ocid with an error
 * count; nothing here throws on bad input.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadExtensionPatches } from './extensions.load.js';
import { mergeRulesFromSchema, type MergeRules } from './merge-rules.js';
import { CompiledReleaseBuilder, pyStr, sortReleases, VersionedReleaseBuilder } from './merge.js';
import { isJsonObject, type Json, type JsonObject, type MergeWarning } from './merge.types.js';
import { type ContainerInfo, type InputWarning, readOcdsInput } from './ocds-input.js';
import { patchSchema } from './schema-patch.js';
import { loadSchema, type OcdsVersion } from './schema.load.js';

export type CompileOptions = {
  /** Wrap the compiled releases in a record package. */
  package?: boolean | undefined;
  /** With --package: linked releases instead of full releases, when the release came in a package. */
  linkedReleases?: boolean | undefined;
  /** Versioned releases instead of compiled ones (with --package: both, in each record). */
  versioned?: boolean | undefined;
  /** Path of the (patched) release schema to take the merge rules from. */
  schema?: string | undefined;
  /** Directory of the official schemas (schema.load.ts); absent: the official URL, cached. */
  schemaDir?: string | undefined;
  /** Directory of extension patches, and whether the network may be used for the others. */
  extensionsDir?: string | undefined;
  offline?: boolean | undefined;
  encoding?: string | undefined;
  pretty?: boolean | undefined;
  ascii?: boolean | undefined;
  uri?: string | undefined;
  publishedDate?: string | undefined;
  version?: string | undefined;
  publisherName?: string | undefined;
  publisherUri?: string | undefined;
  publisherScheme?: string | undefined;
  publisherUid?: string | undefined;
  fake?: boolean | undefined;
  /** Where the spill file goes (default: the OS temporary directory). */
  tmpDir?: string | undefined;
};

export type CompileInput = { name: string; open: () => AsyncIterable<Uint8Array> };

export type CompileSummary = {
  exitCode: 0 | 1;
  inputs: number;
  containers: number;
  releases: number;
  ocids: number;
  /** Compiled/versioned releases (or records) written. */
  written: number;
  /** Warning counts by code (input dirt, merge warnings, merge errors as `mergeError.<code>`). */
  warnings: Record<string, number>;
  /** Fatal problems (inconsistent versions, unreadable schema): nothing is written. */
  errors: string[];
  /** The first warning messages, for the report. */
  samples: string[];
};

/** The closed 1.1.5 releaseTag codelist (ocds.md §2). */
const RELEASE_TAGS = new Set([
  'planning',
  'planningUpdate',
  'tender',
  'tenderAmendment',
  'tenderUpdate',
  'tenderCancellation',
  'award',
  'awardUpdate',
  'awardCancellation',
  'contract',
  'contractUpdate',
  'contractAmendment',
  'implementation',
  'implementationUpdate',
  'contractTermination',
  'compiled',
]);
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$/;
const MAX_SAMPLES = 20;

/** JSON text as ocdskit prints it: compact, or indented by 2; `--ascii` escapes non-ASCII as \uXXXX. */
export function dumpJson(
  value: Json,
  options: { pretty?: boolean | undefined; ascii?: boolean | undefined } = {},
): string {
  const text = options.pretty ? JSON.stringify(value, null, 2) : JSON.stringify(value);
  return options.ascii
    ? text.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
    : text;
}

function minorVersion(version: string): OcdsVersion {
  return version.startsWith('1.0') ? '1.0' : '1.1';
}

class Spill {
  readonly dir: string;
  private readonly fd: number;
  private offset = 0;
  private pending: string[] = [];
  private pendingBytes = 0;
  /** ocid → flat triples (byte offset, byte length, container). */
  readonly index = new Map<string, number[]>();

  constructor(tmpDir?: string) {
    this.dir = fs.mkdtempSync(path.join(tmpDir ?? os.tmpdir(), 'contracta-compile-'));
    this.fd = fs.openSync(path.join(this.dir, 'releases.jsonl'), 'w+');
  }

  add(ocid: string, text: string, container: number): void {
    const bytes = Buffer.byteLength(text);
    let list = this.index.get(ocid);
    if (!list) {
      list = [];
      this.index.set(ocid, list);
    }
    list.push(this.offset + this.pendingBytes, bytes, container);
    this.pending.push(text);
    this.pendingBytes += bytes;
    if (this.pendingBytes > 4 * 1024 * 1024) this.flush();
  }

  flush(): void {
    if (this.pending.length === 0) return;
    const buf = Buffer.from(this.pending.join(''));
    fs.writeSync(this.fd, buf, 0, buf.length, this.offset);
    this.offset += buf.length;
    this.pending = [];
    this.pendingBytes = 0;
  }

  read(list: number[]): { release: JsonObject; container: number }[] {
    const out: { release: JsonObject; container: number }[] = [];
    for (let i = 0; i < list.length; i += 3) {
      const buf = Buffer.allocUnsafe(list[i + 1] as number);
      fs.readSync(this.fd, buf, 0, buf.length, list[i] as number);
      out.push({ release: JSON.parse(buf.toString('utf8')) as JsonObject, container: list[i + 2] as number });
    }
    return out;
  }

  close(): void {
    fs.closeSync(this.fd);
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

export async function compileOcds(
  inputs: readonly CompileInput[],
  write: (text: string) => void | Promise<void>,
  options: CompileOptions = {},
): Promise<CompileSummary> {
  const summary: CompileSummary = {
    exitCode: 0,
    inputs: inputs.length,
    containers: 0,
    releases: 0,
    ocids: 0,
    written: 0,
    warnings: {},
    errors: [],
    samples: [],
  };
  const count = (code: string, message?: string) => {
    summary.warnings[code] = (summary.warnings[code] ?? 0) + 1;
    if (message && summary.samples.length < MAX_SAMPLES) summary.samples.push(`${code}: ${message}`);
  };
  const spill = new Spill(options.tmpDir);
  try {
    // Package metadata, as ocdskit's Packager keeps it.
    let version: string | undefined;
    let publisher: Json | undefined;
    let license: Json = null;
    let publicationPolicy: Json = null;
    const extensions = new Map<string, true>();
    const packages: string[] = [];
    const containerUri: string[] = [];
    let containerBase = 0;

    for (const input of inputs) {
      const handlers = {
        release: (release: JsonObject, container: number, raw: string | undefined) => {
          summary.releases++;
          if (!Object.hasOwn(release, 'ocid') || release.ocid === null) {
            count('missingOcid', `${input.name}: a release has no ocid (skipped)`);
            return;
          }
          if (typeof release.ocid !== 'string')
            count('nonStringOcid', `${input.name}: ocid ${pyStr(release.ocid)}`);
          if (typeof release.date !== 'string' || !DATE_TIME.test(release.date))
            count(
              'badDate',
              `${input.name}: ${pyStr(release.ocid)} has date ${JSON.stringify(release.date ?? null)}`,
            );
          if (Array.isArray(release.tag)) {
            for (const t of release.tag)
              if (typeof t !== 'string' || !RELEASE_TAGS.has(t))
                count('unknownTag', `${input.name}: tag ${JSON.stringify(t)}`);
          } else count('unknownTag', `${input.name}: ${pyStr(release.ocid)} has no tag array`);
          spill.add(pyStr(release.ocid), raw ?? JSON.stringify(release), container);
        },
        containerEnd: (info: ContainerInfo) => {
          containerUri[info.index] = info.uri;
          if (info.kind === 'unknown') return;
          if (version === undefined) version = info.version;
          else if (minorVersion(info.version) !== minorVersion(version) && summary.errors.length === 0)
            summary.errors.push(
              `item ${info.index}: version error: this item uses version ${info.version}, but earlier items used version ${version}\n` +
                `Try first upgrading items to the same version (ocdskit upgrade ${[info.version, version].sort().join(':')})`,
            );
          if (info.version !== '1.0' && info.version !== '1.1')
            count('unknownVersion', `${info.source}: version ${info.version}`);
          if (info.kind !== 'releasePackage' && info.kind !== 'recordPackage') return;
          const m = info.meta;
          if (Object.hasOwn(m, 'publisher')) publisher = m.publisher;
          if (Object.hasOwn(m, 'license')) license = m.license ?? null;
          if (Object.hasOwn(m, 'publicationPolicy')) publicationPolicy = m.publicationPolicy ?? null;
          if (Array.isArray(m.extensions))
            for (const e of m.extensions) if (typeof e === 'string') extensions.set(e, true);
          if (info.uri && info.version < '1.2') packages.push(info.uri);
        },
        warning: (w: InputWarning) => count(w.code, `${w.source}: ${w.message}`),
      };
      try {
        containerBase += await readOcdsInput(input.open(), input.name, handlers, {
          encoding: options.encoding,
          firstContainer: containerBase,
        });
      } catch (e) {
        // An unreadable input (missing file, I/O error) is reported, and the others still compiled.
        count('unreadableInput', `${input.name}: ${(e as Error).message}`);
      }
    }
    spill.flush();
    summary.containers = containerBase;
    summary.ocids = spill.index.size;
    if (summary.errors.length > 0) {
      summary.exitCode = 1;
      return summary;
    }

    // Merge rules: --schema, else the version's schema patched with the declared extensions (ocdskit).
    let rules: MergeRules;
    try {
      let schema: JsonObject;
      if (options.schema) schema = JSON.parse(fs.readFileSync(options.schema, 'utf8')) as JsonObject;
      else {
        schema = (await loadSchema(minorVersion(version ?? '1.1'), 'release-schema.json', {
          dir: options.schemaDir,
        })) as JsonObject;
        if (extensions.size > 0) {
          const load = await loadExtensionPatches([...extensions.keys()], {
            dir: options.extensionsDir,
            offline: options.offline,
          });
          for (const w of load.warnings) count('extensionNotApplied', w);
          schema = patchSchema(
            schema,
            load.loaded.map((l) => l.patch),
          ) as JsonObject;
        }
      }
      rules = mergeRulesFromSchema(schema);
    } catch (e) {
      summary.errors.push(`cannot read the release schema: ${(e as Error).message}`);
      summary.exitCode = 1;
      return summary;
    }

    const dump = (v: Json) => dumpJson(v, options);
    const ocids = [...spill.index.keys()].sort();
    const countMerge = (warnings: MergeWarning[], ocid: string) => {
      for (const w of warnings) count(w.code, `${ocid}: ${w.message}`);
    };
    const merge = (
      ocid: string,
      releases: JsonObject[],
    ): { compiled?: JsonObject; versioned?: JsonObject } | undefined => {
      const sorted = sortReleases(releases);
      if (!sorted.ok) {
        count(`mergeError.${sorted.error.code}`, `${ocid}: ${sorted.error.message}`);
        return undefined;
      }
      const out: { compiled?: JsonObject; versioned?: JsonObject } = {};
      try {
        if (options.package || !options.versioned) {
          const b = new CompiledReleaseBuilder(rules);
          for (const r of sorted.releases) b.append(r);
          out.compiled = b.build();
          countMerge(b.warnings, ocid);
        }
        if (options.versioned) {
          const b = new VersionedReleaseBuilder(rules);
          for (const r of sorted.releases) b.append(r);
          out.versioned = b.build();
          if (!options.package) countMerge(b.warnings, ocid);
        }
      } catch (e) {
        const failure = (e as { failure?: { code: string; message: string } }).failure;
        if (!failure) throw e;
        count(`mergeError.${failure.code}`, `${ocid}: ${failure.message}`);
        return undefined;
      }
      return out;
    };

    if (!options.package) {
      for (const ocid of ocids) {
        const rows = spill.read(spill.index.get(ocid) as number[]);
        const out = merge(
          ocid,
          rows.map((r) => r.release),
        );
        if (!out) continue;
        await write(`${dump((options.versioned ? out.versioned : out.compiled) as JsonObject)}\n`);
        summary.written++;
      }
      return summary;
    }

    // A record package: header, then one record per ocid, streamed.
    const pkg: JsonObject = {
      uri: options.uri || (options.fake ? 'placeholder:' : ''),
      publisher: isJsonObject(publisher) ? publisher : {},
      publishedDate: options.publishedDate || (options.fake ? '9999-01-01T00:00:00Z' : ''),
    };
    const cliPublisher: JsonObject = {};
    if (options.publisherName) cliPublisher.name = options.publisherName;
    if (options.publisherUri) cliPublisher.uri = options.publisherUri;
    if (options.publisherScheme) cliPublisher.scheme = options.publisherScheme;
    if (options.publisherUid) cliPublisher.uid = options.publisherUid;
    if (Object.keys(cliPublisher).length > 0) pkg.publisher = cliPublisher;
    if (license !== null) pkg.license = license;
    if (publicationPolicy !== null) pkg.publicationPolicy = publicationPolicy;
    pkg.version = options.version ?? '1.1';
    if (extensions.size > 0) pkg.extensions = [...extensions.keys()];
    if (packages.length > 0) pkg.packages = packages;

    const records: string[] = [];
    const emitRecord = async (record: JsonObject, first: boolean) => {
      if (options.pretty) records.push(dump(record));
      else await write((first ? '' : ',') + dump(record));
    };
    if (!options.pretty) await write(`${dump(pkg).slice(0, -1)},"records":[`);
    let first = true;
    for (const ocid of ocids) {
      const rows = spill.read(spill.index.get(ocid) as number[]);
      const out = merge(
        ocid,
        rows.map((r) => r.release),
      );
      if (!out) continue;
      const record: JsonObject = {
        ocid,
        releases: rows.map(({ release, container }) => {
          const uri = containerUri[container] ?? '';
          if (options.linkedReleases && uri)
            return {
              url: `${uri}#${pyStr(release.id)}`,
              date: release.date ?? null,
              tag: release.tag ?? null,
            };
          return release;
        }),
      };
      if (out.compiled) record.compiledRelease = out.compiled;
      if (out.versioned) record.versionedRelease = out.versioned;
      await emitRecord(record, first);
      first = false;
      summary.written++;
    }
    if (options.pretty) {
      pkg.records = records.map((r) => JSON.parse(r) as Json);
      await write(`${dump(pkg)}\n`);
    } else await write(']}\n');
    return summary;
  } finally {
    spill.close();
  }
}
