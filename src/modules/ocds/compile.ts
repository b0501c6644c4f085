/**
 * `compile` (issue 6): merges the releases of OCDS inputs by ocid into compiled releases (JSON Lines),
 * versioned releases, or one record package, matching `ocdskit compile` (ocds.md §8: same flags, ocids
 * in sorted order, merge rules by the inputs' OCDS version, 1.0 when a package has no `version`).
 *
 * Bounded memory: every release is spilled as it is read to a temporary bucket file chosen by its
 * ocid's hash; each bucket is then merged one ocid at a time into a run sorted by ocid, and the runs
 * are merged into the output (an external sort, like ocdskit's temporary SQLite table: see Spill).
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
import {
  type ContainerInfo,
  DATE_TIME,
  type InputWarning,
  RELEASE_TAGS,
  readOcdsInput,
} from './ocds-input.js';
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
  /** Where the spill files go (default: the OS temporary directory). */
  tmpDir?: string | undefined;
  /** The size above which a spill bucket is split again (default 48 MiB; tests make it tiny). */
  spillBucketBytes?: number | undefined;
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

/**
 * Where the releases wait between reading and merging (bounded memory, issue 6). Each release is
 * appended, as its raw JSON text, to one of BUCKETS temporary files chosen by a hash of its ocid, so
 * all releases of an ocid land in the same file, in input order; only the write buffers stay in
 * memory while reading. Each bucket is then merged on its own: its bytes, plus one ocid's parsed
 * releases at a time, are in memory. A bucket larger than BUCKET_LIMIT is first split again by another
 * hash. Each bucket yields a run of outputs sorted by ocid, and the runs are merged into one sorted
 * stream: an external sort, as ocdskit uses a temporary SQLite table indexed by ocid.
 *
 * Record format, in buckets and runs: key bytes, text bytes and a tag (u32 little-endian each), the
 * key (the ocid, UTF-16: any JavaScript string survives it), the text, and a padding byte when the
 * text's length is odd. Buckets hold the release texts in UTF-16 too: V8 copies a string to and from
 * UTF-16 several times faster than it transcodes UTF-8. Runs hold the outputs in UTF-8, the bytes
 * that are finally written.
 */
const BUCKETS = 64;
const BUCKET_LIMIT = 48 * 1024 * 1024;
const MAX_SPLITS = 3;
const IO_BUFFER = 256 * 1024;
const HEADER = 12;

type TextEncoding = 'utf16le' | 'utf8';

function bucketOf(key: string, level: number): number {
  // FNV-1a over the UTF-16 code units, seeded by the split level so that a re-split spreads.
  let h = (0x811c9dc5 ^ Math.imul(level, 0x9e3779b1)) >>> 0;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return (h >>> 0) % BUCKETS;
}

/** Encodes one record at `at`; returns its length (the buffer has room for the worst case). */
function encodeRecord(
  buf: Buffer,
  at: number,
  key: string,
  text: string | Uint8Array,
  tag: number,
  encoding: TextEncoding,
): number {
  const kl = buf.write(key, at + HEADER, 'utf16le');
  let tl: number;
  if (typeof text === 'string') tl = buf.write(text, at + HEADER + kl, encoding);
  else {
    buf.set(text, at + HEADER + kl);
    tl = text.length;
  }
  buf.writeUInt32LE(kl, at);
  buf.writeUInt32LE(tl, at + 4);
  buf.writeUInt32LE(tag, at + 8);
  return HEADER + kl + tl + (tl & 1);
}

/** An append-only record file, written through one buffer. */
class RecordWriter {
  private fd: number | undefined;
  private buf: Buffer | undefined;
  private used = 0;
  /** Bytes written (flushed or buffered). */
  size = 0;
  count = 0;

  constructor(
    readonly file: string,
    private readonly encoding: TextEncoding,
  ) {}

  /** `text` as a string (encoded here) or as bytes already in this file's encoding (copied). */
  add(key: string, text: string | Uint8Array, tag: number): void {
    // The worst case: a UTF-16 code unit takes at most 3 bytes in UTF-8.
    const textRoom =
      typeof text !== 'string' ? text.length : (this.encoding === 'utf8' ? 3 : 2) * text.length;
    const need = HEADER + 2 * key.length + textRoom + 1;
    let length: number;
    if (need > IO_BUFFER) {
      this.flush();
      const big = Buffer.allocUnsafe(need);
      length = encodeRecord(big, 0, key, text, tag, this.encoding);
      this.writeOut(big.subarray(0, length));
    } else {
      if (!this.buf) this.buf = Buffer.allocUnsafe(IO_BUFFER);
      if (this.used + need > IO_BUFFER) this.flush();
      length = encodeRecord(this.buf, this.used, key, text, tag, this.encoding);
      this.used += length;
    }
    this.size += length;
    this.count++;
  }

  private writeOut(data: Buffer): void {
    if (this.fd === undefined) this.fd = fs.openSync(this.file, 'w');
    fs.writeSync(this.fd, data, 0, data.length);
  }

  flush(): void {
    if (this.used === 0 || !this.buf) return;
    this.writeOut(this.buf.subarray(0, this.used));
    this.used = 0;
  }

  /** Flushes and closes; the buffer is released. */
  close(): void {
    this.flush();
    this.buf = undefined;
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }
}

/** A record read back: `text` is a view of the reader's buffer, valid until the next `advance`. */
type SpillRecord = { key: string; text: Buffer; tag: number };

/** Reads a record file front to back through a window. */
class RecordReader {
  private readonly fd: number;
  private buf = Buffer.allocUnsafe(IO_BUFFER);
  private start = 0;
  private end = 0;
  private eof = false;
  current: SpillRecord | undefined;

  constructor(readonly file: string) {
    this.fd = fs.openSync(file, 'r');
    this.advance();
  }

  /** Makes `n` bytes available from `start`; false at the end of the file. */
  private fill(n: number): boolean {
    if (this.end - this.start >= n) return true;
    if (this.eof) return false;
    if (n > this.buf.length) {
      const bigger = Buffer.allocUnsafe(n);
      this.buf.copy(bigger, 0, this.start, this.end);
      this.buf = bigger;
    } else this.buf.copy(this.buf, 0, this.start, this.end);
    this.end -= this.start;
    this.start = 0;
    while (this.end < n && !this.eof) {
      const got = fs.readSync(this.fd, this.buf, this.end, this.buf.length - this.end, null);
      if (got === 0) this.eof = true;
      this.end += got;
    }
    return this.end - this.start >= n;
  }

  advance(): void {
    if (!this.fill(HEADER)) {
      this.current = undefined;
      return;
    }
    const kl = this.buf.readUInt32LE(this.start);
    const tl = this.buf.readUInt32LE(this.start + 4);
    const tag = this.buf.readUInt32LE(this.start + 8);
    const length = HEADER + kl + tl + (tl & 1);
    if (!this.fill(length)) throw new Error(`truncated temporary file ${this.file}`);
    const k = this.start + HEADER;
    this.current = {
      key: this.buf.toString('utf16le', k, k + kl),
      text: this.buf.subarray(k + kl, k + kl + tl),
      tag,
    };
    this.start += length;
  }

  close(): void {
    fs.closeSync(this.fd);
  }
}

/**
 * The runs merged into one stream in ocid order (compared as the in-memory sort compares strings:
 * by UTF-16 code units). Each ocid is in one run only, since the buckets split the ocids.
 */
function* mergeRuns(files: readonly string[]): Generator<SpillRecord> {
  const heap: RecordReader[] = [];
  for (const f of files) {
    const reader = new RecordReader(f);
    if (reader.current) heap.push(reader);
    else reader.close();
  }
  const key = (i: number) => ((heap[i] as RecordReader).current as SpillRecord).key;
  const down = (i: number) => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && key(l) < key(m)) m = l;
      if (r < heap.length && key(r) < key(m)) m = r;
      if (m === i) return;
      [heap[i], heap[m]] = [heap[m] as RecordReader, heap[i] as RecordReader];
      i = m;
    }
  };
  for (let i = (heap.length >> 1) - 1; i >= 0; i--) down(i);
  while (heap.length > 0) {
    const top = heap[0] as RecordReader;
    yield top.current as SpillRecord;
    top.advance();
    if (!top.current) {
      top.close();
      const last = heap.pop() as RecordReader;
      if (heap.length === 0) break;
      if (last !== top) heap[0] = last;
    }
    down(0);
  }
}

/** One ocid's releases (in input order) with their containers; the text it produces, if any. */
type GroupMerge = (ocid: string, rows: { release: JsonObject; container: number }[]) => string | undefined;

class Spill {
  readonly dir: string;
  private files = 0;
  private readonly buckets: RecordWriter[];

  constructor(
    tmpDir?: string,
    private readonly bucketLimit = BUCKET_LIMIT,
  ) {
    this.dir = fs.mkdtempSync(path.join(tmpDir ?? os.tmpdir(), 'contracta-compile-'));
    this.buckets = this.writers();
  }

  private writers(): RecordWriter[] {
    return Array.from({ length: BUCKETS }, () => new RecordWriter(this.nextFile(), 'utf16le'));
  }

  private nextFile(): string {
    return path.join(this.dir, String(this.files++));
  }

  add(ocid: string, text: string, container: number): void {
    (this.buckets[bucketOf(ocid, 0)] as RecordWriter).add(ocid, text, container);
  }

  /** The number of distinct ocids, without merging (for the report of a refused compile). */
  countOcids(): number {
    let n = 0;
    for (const w of this.buckets) {
      w.close();
      if (w.count === 0) continue;
      const keys = new Set<string>();
      const r = new RecordReader(w.file);
      for (; r.current; r.advance()) keys.add(r.current.key);
      r.close();
      n += keys.size;
    }
    return n;
  }

  /** Merges every ocid; yields the outputs (UTF-8) in ocid order. `stats.groups` counts the ocids. */
  *sorted(merge: GroupMerge, stats: { groups: number }): Generator<SpillRecord> {
    const runs: string[] = [];
    for (const w of this.buckets) {
      w.close();
      const run = this.mergeBucket(w, 0, merge, stats);
      if (run) runs.push(run);
    }
    yield* mergeRuns(runs);
  }

  /** Merges the ocids of one bucket into a run sorted by ocid; undefined when it yields nothing. */
  private mergeBucket(
    bucket: RecordWriter,
    level: number,
    merge: GroupMerge,
    stats: { groups: number },
  ): string | undefined {
    if (bucket.count === 0) return undefined;
    const out = new RecordWriter(this.nextFile(), 'utf8');
    if (bucket.size > this.bucketLimit && level < MAX_SPLITS) {
      // Too big to hold: split it again with another hash, merge the parts, and merge their runs.
      const parts = this.writers();
      const r = new RecordReader(bucket.file);
      for (; r.current; r.advance())
        (parts[bucketOf(r.current.key, level + 1)] as RecordWriter).add(
          r.current.key,
          r.current.text,
          r.current.tag,
        );
      r.close();
      fs.rmSync(bucket.file, { force: true });
      const runs: string[] = [];
      for (const part of parts) {
        part.close();
        const run = this.mergeBucket(part, level + 1, merge, stats);
        if (run) runs.push(run);
      }
      for (const rec of mergeRuns(runs)) out.add(rec.key, rec.text, 0);
      for (const run of runs) fs.rmSync(run, { force: true });
      out.close();
      return out.count > 0 ? out.file : undefined;
    }
    const data = fs.readFileSync(bucket.file);
    fs.rmSync(bucket.file, { force: true });
    // ocid → the byte offsets of its records, in input order.
    const groups = new Map<string, number[]>();
    for (let at = 0; at < data.length; ) {
      const kl = data.readUInt32LE(at);
      const tl = data.readUInt32LE(at + 4);
      const key = data.toString('utf16le', at + HEADER, at + HEADER + kl);
      const list = groups.get(key);
      if (list) list.push(at);
      else groups.set(key, [at]);
      at += HEADER + kl + tl + (tl & 1);
    }
    for (const ocid of [...groups.keys()].sort()) {
      const rows = (groups.get(ocid) as number[]).map((at) => {
        const t = at + HEADER + data.readUInt32LE(at);
        const text = data.toString('utf16le', t, t + data.readUInt32LE(at + 4));
        return { release: JSON.parse(text) as JsonObject, container: data.readUInt32LE(at + 8) };
      });
      stats.groups++;
      const text = merge(ocid, rows);
      if (text !== undefined) out.add(ocid, text, 0);
    }
    out.close();
    // Every ocid of the bucket may have been refused (e.g. a release without a date): the writer
    // then never opened its file, and there is no run.
    return out.count > 0 ? out.file : undefined;
  }

  close(): void {
    for (const w of this.buckets) w.close();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * Compiles the inputs; the output goes to `write` as text, one call per compiled release (or record,
 * or piece of the package). With `writeBytes`, the compiled releases and records go to it instead, as
 * UTF-8 bytes exactly as spilled (no decoding and encoding again); the view passed is only valid
 * during the call, so the callee copies it. Both are called in output order.
 */
export async function compileOcds(
  inputs: readonly CompileInput[],
  write: (text: string) => void | Promise<void>,
  options: CompileOptions = {},
  writeBytes?: (bytes: Uint8Array) => void | Promise<void>,
): Promise<CompileSummary> {
  const emit =
    writeBytes ??
    ((bytes: Uint8Array) =>
      write(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8')));
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
  const spill = new Spill(options.tmpDir, options.spillBucketBytes);
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
    summary.containers = containerBase;
    if (summary.errors.length > 0) {
      summary.ocids = spill.countOcids();
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
      summary.ocids = spill.countOcids();
      summary.exitCode = 1;
      return summary;
    }

    const dump = (v: Json) => dumpJson(v, options);
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

    const stats = { groups: 0 };
    if (!options.package) {
      const outputs = spill.sorted((ocid, rows) => {
        const out = merge(
          ocid,
          rows.map((r) => r.release),
        );
        if (!out) return undefined;
        return `${dump((options.versioned ? out.versioned : out.compiled) as JsonObject)}\n`;
      }, stats);
      for (const rec of outputs) {
        await emit(rec.text);
        summary.written++;
      }
      summary.ocids = stats.groups;
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

    const records = spill.sorted((ocid, rows) => {
      const out = merge(
        ocid,
        rows.map((r) => r.release),
      );
      if (!out) return undefined;
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
      // Pretty: indented as JSON.stringify(pkg, null, 2) indents a record at depth 2 (no JSON string
      // holds a raw newline, so every newline is indentation).
      return options.pretty ? `    ${dump(record).replace(/\n/g, '\n    ')}` : dump(record);
    }, stats);
    // The package written around the records, records last, as one JSON text.
    const head = dump(pkg).slice(0, -1);
    let first = true;
    for (const rec of records) {
      if (first)
        await write(options.pretty ? `${head.slice(0, -1)},\n  "records": [\n` : `${head},"records":[`);
      else await write(options.pretty ? ',\n' : ',');
      await emit(rec.text);
      first = false;
      summary.written++;
    }
    if (first)
      await write(options.pretty ? `${head.slice(0, -1)},\n  "records": []\n}\n` : `${head},"records":[]}\n`);
    else await write(options.pretty ? '\n  ]\n}\n' : ']}\n');
    summary.ocids = stats.groups;
    return summary;
  } finally {
    spill.close();
  }
}
