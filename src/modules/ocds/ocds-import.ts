/**
 * `contracta ocds import` (issue 6 point 5): loads another publisher's OCDS into an external,
 * read-only authority (migration 0023) so that the portal can show it, marked as third-party data.
 * Nothing goes into ocds_release / ocds_record: those are the platform's own publications.
 *
 * 1. The inputs are read with the streaming reader (ocds-input.ts) and every release is spilled to a
 *    temporary JSON Lines file; release texts stay out of memory, but an index (ocid → byte
 *    ranges, one entry per release) stays in it, so memory grows with the number of releases
 *    (compile's bucketed spill, compile.ts, does not keep such an index).
 * 2. The ocids are taken in sorted order, in batches of whole ocids of about `batchSize` releases.
 *    Each batch is one transaction: its new releases, the compiled record of every ocid it touched,
 *    and its audit event commit together. A crash leaves the batches before it complete and nothing
 *    of the one it was in; running the same import again skips what is stored (idempotent).
 * 3. A release already stored under the same (ocid, id) with the same content is a duplicate,
 *    skipped and counted; with other content it is a conflict: the first one is kept, and counted.
 * 4. Records are merged with our merge (merge.ts) under the rules of the releases' OCDS version and
 *    declared extensions (ocds.md §3.1: "always compute merge rules from the release schema patched
 *    with the extensions you declare"): incrementally from the stored compiled release when the new
 *    releases are not older than it, else again from the stored releases.
 *
 * Dirt is counted, never thrown (ocds.md §6). A release without a string `date` is stored as
 * published but left out of its record, since the merge orders by date (§3.2) and has no place for
 * it; a release without `ocid` cannot belong to a process and is skipped.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { canonicalJson } from '../../platform/canonical-json.js';
import type { Clock } from '../../platform/clock.js';
import type { Actor } from '../../platform/context.js';
import type { Db } from '../../platform/db/client.js';
import { isUniqueViolation } from '../../platform/db/errors.js';
import { type Tx, withTransaction } from '../../platform/db/tx.js';
import { DomainError } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import { recordEvent } from '../audit/audit.service.js';
import { loadExtensionPatches } from './extensions.load.js';
import { type MergeRules, mergeRulesFromSchema } from './merge-rules.js';
import { appendToMerged, compileReleases, pyStr } from './merge.js';
import { isJsonObject, type Json, type JsonObject, type MergeWarning } from './merge.types.js';
import {
  type ContainerInfo,
  DATE_TIME,
  type InputWarning,
  RELEASE_TAGS,
  readOcdsInput,
} from './ocds-input.js';
import {
  findAuthorityBySlugOrName,
  type ImportAuthorityRow,
  importRecordsOf,
  importReleaseJson,
  insertExternalAuthority,
  insertImportReleases,
  lockImportAuthority,
  type NewImportRelease,
  saveImportRecord,
  storedReleaseKeys,
} from './ocds-import.repo.js';
import { patchSchema } from './schema-patch.js';
import { loadSchema, type OcdsVersion } from './schema.load.js';

export type ImportContext = {
  db: Db;
  actor: Actor;
  clock: Clock;
  ip: string | null;
  userAgent: string | null;
};

export type ImportInput = { name: string; open: () => AsyncIterable<Uint8Array> };

/** The external authority to import into: its slug or name; `create` makes it when it is not there. */
export type ImportTarget = {
  authority: string;
  create?: { name: string; sourceUrl: string | null } | undefined;
};

export type ImportOptions = {
  /** A (patched) release schema whose merge rules are used for every record (compile's --schema). */
  schema?: string | undefined;
  /** Directory of the official schemas (schema.load.ts); absent: the official URL, cached. */
  schemaDir?: string | undefined;
  extensionsDir?: string | undefined;
  offline?: boolean | undefined;
  encoding?: string | undefined;
  /** Releases per transaction (whole ocids, so a batch may hold a few more); default 500. */
  batchSize?: number | undefined;
  tmpDir?: string | undefined;
};

export type ImportSummary = {
  /** 0: done; 1: no release in the input at all (nothing written). */
  exitCode: 0 | 1;
  authority: { id: string; slug: string; created: boolean };
  inputs: number;
  releasesRead: number;
  releasesStored: number;
  duplicates: number;
  conflicts: number;
  ocids: number;
  recordsWritten: number;
  batches: number;
  /** Warning counts by code (input dirt, merge warnings, merge errors as `mergeError.<code>`). */
  warnings: Record<string, number>;
  samples: string[];
};

const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?$/;
const MAX_SAMPLES = 20;
/** Longer ocids or ids cannot be index keys; no real publisher comes near. */
const MAX_KEY_LENGTH = 1000;
/** Characters jsonb and text columns refuse: NUL and unpaired UTF-16 surrogates. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is the character PostgreSQL refuses.
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

function minorVersion(version: string): OcdsVersion {
  return version.startsWith('1.0') ? '1.0' : '1.1';
}

/** The instant of a release date that parses (ISO 8601 with a time), else null. */
function parseDate(value: Json | undefined): Date | null {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}/.test(value)) return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : new Date(ms);
}

/** A value as PostgreSQL can store it: NUL and lone surrogates become U+FFFD; `changed` says whether any did. */
function storable(value: Json, changed: { any: boolean }): Json {
  if (typeof value === 'string') {
    UNSTORABLE.lastIndex = 0;
    if (!UNSTORABLE.test(value)) return value;
    changed.any = true;
    return value.replace(UNSTORABLE, '\ufffd');
  }
  if (Array.isArray(value)) return value.map((v) => storable(v, changed));
  if (isJsonObject(value)) {
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(value)) {
      const key = storable(k, changed) as string;
      Object.defineProperty(out, key, {
        value: storable(v, changed),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  }
  return value;
}

/** Releases spilled to a temporary file, indexed by ocid (flat quadruples: offset, length, container, input). */
class Spill {
  private readonly dir: string;
  private readonly fd: number;
  private offset = 0;
  private pending: string[] = [];
  private pendingBytes = 0;
  readonly index = new Map<string, number[]>();

  constructor(tmpDir?: string) {
    this.dir = fs.mkdtempSync(path.join(tmpDir ?? os.tmpdir(), 'contracta-import-'));
    this.fd = fs.openSync(path.join(this.dir, 'releases.jsonl'), 'w+');
  }

  add(ocid: string, text: string, container: number, input: number): void {
    const bytes = Buffer.byteLength(text);
    let list = this.index.get(ocid);
    if (!list) {
      list = [];
      this.index.set(ocid, list);
    }
    list.push(this.offset + this.pendingBytes, bytes, container, input);
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

  read(ocid: string): { release: JsonObject; container: number; input: number }[] {
    const list = this.index.get(ocid) ?? [];
    const out: { release: JsonObject; container: number; input: number }[] = [];
    for (let i = 0; i < list.length; i += 4) {
      const buf = Buffer.allocUnsafe(list[i + 1] as number);
      fs.readSync(this.fd, buf, 0, buf.length, list[i] as number);
      out.push({
        release: JSON.parse(buf.toString('utf8')) as JsonObject,
        container: list[i + 2] as number,
        input: list[i + 3] as number,
      });
    }
    return out;
  }

  releasesOf(ocid: string): number {
    return (this.index.get(ocid)?.length ?? 0) / 4;
  }

  close(): void {
    fs.closeSync(this.fd);
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Finds the external authority to import into; usage errors are DomainErrors (the CLI exits 2). */
async function resolveAuthority(db: Db, target: ImportTarget): Promise<ImportAuthorityRow | undefined> {
  const key = target.authority.trim();
  if (!key) throw new DomainError('VALIDATION_FAILED', '--authority names no authority');
  const found = await findAuthorityBySlugOrName(db, key);
  if (found && !found.is_external)
    throw new DomainError(
      'AUTHORITY_READ_ONLY',
      `"${key}" is one of the platform's own authorities: third-party data goes into an external authority (--create)`,
    );
  if (!found && !target.create)
    throw new DomainError('NOT_FOUND', `No external authority "${key}" (add --create --name "…" to make it)`);
  if (!found && !SLUG.test(key))
    throw new DomainError(
      'VALIDATION_FAILED',
      `"${key}" is not a valid slug for a new authority (lower-case letters, digits and hyphens)`,
    );
  return found;
}

async function createExternalAuthority(
  ctx: ImportContext,
  slug: string,
  create: NonNullable<ImportTarget['create']>,
): Promise<string> {
  const id = newId();
  const name = create.name.trim() || slug;
  await withTransaction(ctx.db, async (trx) => {
    await insertExternalAuthority(trx, {
      id,
      slug,
      name,
      sourceUrl: create.sourceUrl,
      now: ctx.clock.now(),
    }).catch((err: unknown) => {
      if (isUniqueViolation(err))
        throw new DomainError('AUTHORITY_TAKEN', `Another authority already uses the slug "${slug}"`);
      throw err;
    });
    await recordEvent(trx, ctx, {
      action: 'authority.external_created',
      objectType: 'authority',
      objectId: id,
      authorityId: id,
      isPublic: true,
      data: { slug, name, sourceUrl: create.sourceUrl },
    });
  });
  return id;
}

/**
 * Imports the inputs into the external authority `target` (created with `target.create` when it
 * does not exist yet, once the input proved to hold releases). Resumable: see the module comment.
 */
export async function importOcds(
  ctx: ImportContext,
  target: ImportTarget,
  inputs: readonly ImportInput[],
  options: ImportOptions = {},
): Promise<ImportSummary> {
  const existing = await resolveAuthority(ctx.db, target);
  const summary: ImportSummary = {
    exitCode: 0,
    authority: { id: existing?.id ?? '', slug: existing?.slug ?? target.authority.trim(), created: false },
    inputs: inputs.length,
    releasesRead: 0,
    releasesStored: 0,
    duplicates: 0,
    conflicts: 0,
    ocids: 0,
    recordsWritten: 0,
    batches: 0,
    warnings: {},
    samples: [],
  };
  const count = (code: string, message?: string) => {
    summary.warnings[code] = (summary.warnings[code] ?? 0) + 1;
    if (message && summary.samples.length < MAX_SAMPLES) summary.samples.push(`${code}: ${message}`);
  };

  const spill = new Spill(options.tmpDir);
  try {
    // 1. Read everything into the spill; what each container declared is known at its end.
    const containers = new Map<number, { version: string; extensions: string[] }>();
    let containerBase = 0;
    for (const [inputIndex, input] of inputs.entries()) {
      const handlers = {
        release: (release: JsonObject, container: number, raw: string | undefined) => {
          summary.releasesRead++;
          if (!Object.hasOwn(release, 'ocid') || release.ocid === null || release.ocid === '') {
            count('missingOcid', `${input.name}: a release has no ocid (skipped)`);
            return;
          }
          if (typeof release.ocid !== 'string')
            count('nonStringOcid', `${input.name}: ocid ${pyStr(release.ocid)}`);
          // Cleaned here, once: the ocid is the spill key, a query parameter and audit data, and
          // PostgreSQL refuses text with NUL or an unpaired surrogate in any of them.
          const rawOcid = pyStr(release.ocid);
          const changed = { any: false };
          const ocid = storable(rawOcid, changed) as string;
          if (changed.any) count('textSanitized', `${input.name}: ocid ${JSON.stringify(rawOcid)}`);
          if (ocid.length > MAX_KEY_LENGTH) {
            count('oversizedKey', `${input.name}: an ocid of ${ocid.length} characters (skipped)`);
            return;
          }
          if (typeof release.date !== 'string' || !DATE_TIME.test(release.date))
            count('badDate', `${input.name}: ${ocid} has date ${JSON.stringify(release.date ?? null)}`);
          if (Array.isArray(release.tag)) {
            for (const t of release.tag)
              if (typeof t !== 'string' || !RELEASE_TAGS.has(t))
                count('unknownTag', `${input.name}: tag ${JSON.stringify(t)}`);
          } else count('unknownTag', `${input.name}: ${ocid} has no tag array`);
          spill.add(ocid, `${raw ?? JSON.stringify(release)}\n`, container, inputIndex);
        },
        containerEnd: (info: ContainerInfo) => {
          if (info.kind === 'unknown') return;
          const declared = info.meta.extensions;
          containers.set(info.index, {
            version: info.version,
            extensions: Array.isArray(declared)
              ? declared.filter((e): e is string => typeof e === 'string')
              : [],
          });
        },
        warning: (w: InputWarning) => count(w.code, `${w.source}: ${w.message}`),
      };
      try {
        containerBase += await readOcdsInput(input.open(), input.name, handlers, {
          encoding: options.encoding,
          firstContainer: containerBase,
        });
      } catch (e) {
        // An unreadable input (missing file, I/O error) is reported; the others are still imported.
        count('unreadableInput', `${input.name}: ${(e as Error).message}`);
      }
    }
    spill.flush();
    summary.ocids = spill.index.size;
    if (summary.ocids === 0) {
      summary.exitCode = 1;
      return summary;
    }

    // 2. Merge rules per (OCDS minor version, declared extensions), loaded once each.
    const rulesCache = new Map<string, Promise<MergeRules>>();
    let fixedRules: MergeRules | undefined;
    try {
      if (options.schema)
        fixedRules = mergeRulesFromSchema(JSON.parse(fs.readFileSync(options.schema, 'utf8')) as JsonObject);
    } catch (e) {
      throw new DomainError(
        'VALIDATION_FAILED',
        `cannot read --schema ${options.schema}: ${(e as Error).message}`,
      );
    }
    const rulesFor = (version: OcdsVersion, extensions: string[]): Promise<MergeRules> => {
      if (fixedRules) return Promise.resolve(fixedRules);
      const key = `${version}\n${extensions.join('\n')}`;
      let rules = rulesCache.get(key);
      if (!rules) {
        rules = (async () => {
          let schema = (await loadSchema(version, 'release-schema.json', {
            dir: options.schemaDir,
          })) as JsonObject;
          if (extensions.length > 0) {
            const load = await loadExtensionPatches(extensions, {
              dir: options.extensionsDir,
              offline: options.offline,
            });
            for (const w of load.warnings) count('extensionNotApplied', w);
            schema = patchSchema(
              schema,
              load.loaded.map((l) => l.patch),
            ) as JsonObject;
          }
          return mergeRulesFromSchema(schema);
        })();
        rulesCache.set(key, rules);
      }
      return rules;
    };

    // The core schemas the records need, read now: a missing schema stops the import before any write.
    const versions = new Set([...containers.values()].map((c) => minorVersion(c.version)));
    if (versions.size === 0) versions.add('1.1');
    for (const v of versions)
      await rulesFor(v, []).catch((e: unknown) => {
        throw new DomainError(
          'VALIDATION_FAILED',
          `cannot read the OCDS ${v} release schema (give --schema-dir or --schema): ${(e as Error).message}`,
        );
      });

    let authorityId = existing?.id;
    if (!authorityId) {
      authorityId = await createExternalAuthority(
        ctx,
        summary.authority.slug,
        target.create as NonNullable<ImportTarget['create']>,
      );
      summary.authority = { id: authorityId, slug: summary.authority.slug, created: true };
    }

    // 3. Batches of whole ocids, in sorted order, one transaction each.
    const batchSize = Math.max(1, options.batchSize ?? 500);
    const files = inputs.map((i) => i.name);
    const ocids = [...spill.index.keys()].sort();
    let start = 0;
    while (start < ocids.length) {
      let end = start;
      let releases = 0;
      while (end < ocids.length && (end === start || releases < batchSize)) {
        releases += spill.releasesOf(ocids[end] as string);
        end++;
      }
      const batch = ocids.slice(start, end);
      start = end;
      await withTransaction(ctx.db, (trx) =>
        importBatch(trx, ctx, authorityId, batch, {
          spill,
          containers,
          files,
          summary,
          count,
          rulesFor,
        }),
      );
    }
    return summary;
  } finally {
    spill.close();
  }
}

type BatchDeps = {
  spill: Spill;
  containers: ReadonlyMap<number, { version: string; extensions: string[] }>;
  files: string[];
  summary: ImportSummary;
  count: (code: string, message?: string) => void;
  rulesFor: (version: OcdsVersion, extensions: string[]) => Promise<MergeRules>;
};

type Fresh = { release: JsonObject; version: string; extensions: string[] };

async function importBatch(
  trx: Tx,
  ctx: ImportContext,
  authorityId: string,
  ocids: string[],
  deps: BatchDeps,
): Promise<void> {
  const { spill, containers, summary, count } = deps;
  const now = ctx.clock.now();
  await lockImportAuthority(trx, authorityId);
  const stored = new Map<string, Map<string, string>>();
  const storedMeta = new Map<string, { versions: Set<string>; extensions: Set<string> }>();
  const meta = (ocid: string) => {
    let m = storedMeta.get(ocid);
    if (!m) {
      m = { versions: new Set(), extensions: new Set() };
      storedMeta.set(ocid, m);
    }
    return m;
  };
  for (const row of await storedReleaseKeys(trx, authorityId, ocids)) {
    let ids = stored.get(row.ocid);
    if (!ids) {
      ids = new Map();
      stored.set(row.ocid, ids);
    }
    ids.set(row.id, row.sha256);
    const m = meta(row.ocid);
    m.versions.add(minorVersion(row.package_version));
    for (const e of row.extensions) m.extensions.add(e);
  }

  const rows: NewImportRelease[] = [];
  const freshByOcid = new Map<string, Fresh[]>();
  let duplicates = 0;
  let conflicts = 0;
  for (const ocid of ocids) {
    let ids = stored.get(ocid);
    if (!ids) {
      ids = new Map();
      stored.set(ocid, ids);
    }
    for (const { release, container, input } of spill.read(ocid)) {
      const json = canonicalJson(release);
      const sha256 = sha256Hex(json);
      let id: string;
      if (release.id === undefined || release.id === null || release.id === '') {
        // Without an id a release cannot be told from another; its content names it instead.
        id = `sha256:${sha256}`;
        count('missingReleaseId', `${ocid}: a release has no id (stored as ${id.slice(0, 19)}…)`);
      } else {
        const idChanged = { any: false };
        id = storable(pyStr(release.id), idChanged) as string;
        if (idChanged.any) count('textSanitized', `${ocid}: release id ${JSON.stringify(pyStr(release.id))}`);
      }
      if (id.length > MAX_KEY_LENGTH) {
        count('oversizedKey', `${ocid}: a release id of ${id.length} characters (skipped)`);
        continue;
      }
      const known = ids.get(id);
      if (known === sha256) {
        duplicates++;
        continue;
      }
      if (known !== undefined) {
        conflicts++;
        count('conflictingRelease', `${ocid}: release ${id} differs from the one stored first (kept)`);
        continue;
      }
      ids.set(id, sha256);
      const declared = containers.get(container) ?? { version: '1.1', extensions: [] };
      const tagChanged = { any: false };
      const tags = Array.isArray(release.tag)
        ? release.tag
            .filter((t): t is string => typeof t === 'string')
            .map((t) => storable(t, tagChanged) as string)
        : [];
      rows.push({
        authorityId,
        ocid,
        id,
        date: parseDate(release.date),
        tags,
        packageVersion: declared.version,
        extensions: declared.extensions,
        source: storable(deps.files[input] ?? '-', tagChanged) as string,
        json,
        sha256,
        importedAt: now,
      });
      let fresh = freshByOcid.get(ocid);
      if (!fresh) {
        fresh = [];
        freshByOcid.set(ocid, fresh);
      }
      fresh.push({ release, version: declared.version, extensions: declared.extensions });
    }
  }
  await insertImportReleases(trx, rows);
  // Only the ocids that received releases get their record rewritten, so only theirs are read
  // (none: importRecordsOf sends no query).
  const records = new Map(
    (await importRecordsOf(trx, authorityId, [...freshByOcid.keys()])).map((r) => [r.ocid, r]),
  );

  // The records of the ocids that received releases.
  let recordsWritten = 0;
  for (const [ocid, fresh] of freshByOcid) {
    const m = meta(ocid);
    const priorVersions = new Set(m.versions);
    for (const f of fresh) {
      m.versions.add(minorVersion(f.version));
      for (const e of f.extensions) m.extensions.add(e);
    }
    if (m.versions.size > 1)
      count(
        'mixedVersions',
        `${ocid}: releases of OCDS ${[...m.versions].sort().join(' and ')}; 1.1 rules used`,
      );
    const version: OcdsVersion = m.versions.size === 1 ? ([...m.versions][0] as OcdsVersion) : '1.1';
    const extensions = [...m.extensions].sort();
    for (const f of fresh)
      if (typeof f.release.date !== 'string')
        count(
          'releaseNotMerged',
          `${ocid}: release ${pyStr(f.release.id)} has no usable date: stored, not merged`,
        );
    const mergeable = fresh.filter((f) => typeof f.release.date === 'string').map((f) => f.release);
    if (mergeable.length === 0) continue;
    const rules = await deps.rulesFor(version, extensions);
    const record = records.get(ocid);
    const sameRules =
      record !== undefined &&
      priorVersions.size <= 1 &&
      record.package_version === version &&
      // The record was saved with the extensions of every release stored then, all still stored:
      // equal lists mean the new releases declared no extension the stored ones lacked.
      record.extensions.join('\n') === extensions.join('\n');
    const merged = sameRules ? appendIncrementally(record.compiled, mergeable, rules) : undefined;
    let compiled: JsonObject;
    let releaseCount: number;
    const warnings: MergeWarning[] = [];
    if (merged?.ok) {
      compiled = merged.compiled;
      releaseCount = (record?.release_count ?? 0) + mergeable.length;
      warnings.push(...merged.warnings);
    } else {
      // Nothing stored before this batch: the new releases are the whole history, in input order.
      const all =
        priorVersions.size === 0
          ? mergeable
          : (await importReleaseJson(trx, authorityId, ocid))
              .map((text) => JSON.parse(text) as Json)
              .filter((r): r is JsonObject => isJsonObject(r) && typeof r.date === 'string');
      const result = compileReleases(all, rules);
      warnings.push(...result.warnings);
      if (!result.ok) {
        count(`mergeError.${result.error.code}`, `${ocid}: ${result.error.message}`);
        continue;
      }
      compiled = result.value;
      releaseCount = all.length;
    }
    for (const w of warnings) count(w.code, `${ocid}: ${w.message}`);
    const changed = { any: false };
    const safe = storable(compiled, changed);
    if (changed.any) count('textSanitized', `${ocid}: NUL or unpaired surrogate characters replaced`);
    await saveImportRecord(trx, {
      authorityId,
      ocid,
      compiledJson: JSON.stringify(safe),
      releaseCount,
      packageVersion: version,
      extensions,
      date: parseDate(compiled.date),
      now,
    });
    recordsWritten++;
  }

  summary.batches++;
  summary.releasesStored += rows.length;
  summary.duplicates += duplicates;
  summary.conflicts += conflicts;
  summary.recordsWritten += recordsWritten;
  if (rows.length === 0 && recordsWritten === 0) return;
  await recordEvent(trx, ctx, {
    action: 'ocds.imported',
    objectType: 'authority',
    objectId: authorityId,
    authorityId,
    isPublic: true,
    data: {
      files: deps.files,
      batch: summary.batches,
      releasesStored: rows.length,
      duplicates,
      conflicts,
      recordsWritten,
      firstOcid: ocids[0] as string,
      lastOcid: ocids[ocids.length - 1] as string,
    },
  });
}

/**
 * The saved compiled release plus the new releases, without the history (merge.ts appendToMerged),
 * when every new release is at least as new as what was merged; otherwise `ok: false` and the
 * caller merges the stored releases again. Equal dates keep input order, as the full merge's stable
 * sort does.
 */
function appendIncrementally(
  saved: unknown,
  releases: JsonObject[],
  rules: MergeRules,
): { ok: true; compiled: JsonObject; warnings: MergeWarning[] } | { ok: false } {
  if (!isJsonObject(saved)) return { ok: false };
  const sorted = [...releases].sort((a, b) => {
    const x = a.date as string;
    const y = b.date as string;
    return x < y ? -1 : x > y ? 1 : 0;
  });
  let compiled: JsonObject = saved;
  const warnings: MergeWarning[] = [];
  for (const release of sorted) {
    const result = appendToMerged({ compiled }, release, rules);
    if (!result.ok || result.value.mode !== 'incremental' || !result.value.compiled) return { ok: false };
    warnings.push(...result.warnings);
    compiled = result.value.compiled;
  }
  return { ok: true, compiled, warnings };
}
