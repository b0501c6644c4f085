/**
 * Publishing an OCDS release (issue 6 points 1–2): `recordRelease` stores a release built by the
 * release builders and brings its record (compiled and versioned release) up to date, inside the
 * transaction of the public act that produced it, so the act, its audit event and its open data
 * commit together or not at all.
 *
 * The record is updated incrementally (appendToMerged: the saved compiled and versioned releases
 * plus the new release, no replay of the history); only a release dated before the record's newest
 * date makes it merge the stored history again, since merge order is date order (ocds.md §3.1).
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../../platform/canonical-json.js';
import type { Tx } from '../../platform/db/tx.js';
import { DomainError } from '../../platform/errors.js';
import { declaredExtensionUrls, CONTRACTA_EXTENSIONS } from './extensions.js';
import { loadExtensionPatches, type ExtensionSource } from './extensions.load.js';
import { type MergeRules, mergeRulesFromSchema } from './merge-rules.js';
import { appendToMerged, compileReleases, lastReleaseDate, versionReleases } from './merge.js';
import { isJsonObject, type Json, type JsonObject } from './merge.types.js';
import {
  findRecord,
  findReleaseHash,
  insertRelease,
  lockOcid,
  releaseHistory,
  saveRecord,
} from './ocds.repo.js';
import { patchSchema } from './schema-patch.js';
import { loadSchema, type SchemaSource } from './schema.load.js';

export type RecordReleaseOptions = {
  /** Merge rules of the 1.1.5 release schema patched with our extensions (ocdsMergeRules()). */
  rules: MergeRules;
  /** When the release is published (the act's instant, from the service's clock). */
  now: Date;
  /** The extensions the release's package declares (default: Contracta's, extensions.ts). */
  extensions?: readonly string[];
};

export type RecordReleaseResult =
  | { status: 'published'; seq: string; mode: 'created' | 'incremental' | 'full' }
  | { status: 'unchanged'; seq: string };

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

function refuse(message: string, details?: unknown): DomainError {
  return new DomainError('UNPROCESSABLE', message, details);
}

/** The fields the storage relies on; the full schema check is the validator's (validate.ts). */
function checkRelease(release: JsonObject): { ocid: string; id: string; date: string; tags: string[] } {
  const { ocid, id, date, tag } = release;
  if (typeof ocid !== 'string' || ocid.length === 0) throw refuse('The release has no ocid');
  if (typeof id !== 'string' || id.length === 0 || id.includes('#'))
    throw refuse('The release id must be a non-empty string without "#"');
  if (typeof date !== 'string' || !ISO_INSTANT.test(date) || Number.isNaN(Date.parse(date)))
    throw refuse('The release date must be an ISO 8601 date-time with a time zone');
  if (!Array.isArray(tag) || tag.length === 0 || !tag.every((t) => typeof t === 'string'))
    throw refuse('The release tag must be a non-empty array of strings');
  return { ocid, id, date, tags: tag as string[] };
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * Stores `release` for `authorityId` and updates its record, in `trx`. Idempotent on (ocid, id):
 * the same release again changes nothing; another release under an id already used is a conflict
 * (a published release is immutable: a correction is a new release).
 */
export async function recordRelease(
  trx: Tx,
  release: JsonObject,
  authorityId: string,
  options: RecordReleaseOptions,
): Promise<RecordReleaseResult> {
  const { ocid, id, date, tags } = checkRelease(release);
  const json = canonicalJson(release);
  const sha256 = sha256Hex(json);
  // One writer per ocid at a time: read, merge and write of the record must not interleave.
  await lockOcid(trx, ocid);

  const existing = await findReleaseHash(trx, ocid, id);
  if (existing) {
    if (existing.sha256 === sha256 && existing.authority_id === authorityId)
      return { status: 'unchanged', seq: existing.seq };
    throw new DomainError('CONFLICT', `Release ${id} of ${ocid} is already published with other content`);
  }
  const record = await findRecord(trx, ocid);
  if (record && record.authority_id !== authorityId)
    throw new DomainError('CONFLICT', `${ocid} belongs to another authority`);

  const seq = await insertRelease(trx, {
    id,
    ocid,
    authorityId,
    date,
    tags,
    packageVersion: '1.1',
    extensions: [...(options.extensions ?? declaredExtensionUrls())],
    json,
    sha256,
    publishedAt: options.now,
  });
  if (seq === undefined) throw new DomainError('CONFLICT', `Release ${id} of ${ocid} is being published`);

  let compiled: JsonObject;
  let versioned: JsonObject;
  let mode: 'created' | 'incremental' | 'full';
  if (!record) {
    const c = compileReleases([release], options.rules);
    const v = versionReleases([release], options.rules);
    if (!c.ok) throw refuse(c.error.message, { code: c.error.code });
    if (!v.ok) throw refuse(v.error.message, { code: v.error.code });
    compiled = c.value;
    versioned = v.value;
    mode = 'created';
  } else {
    const saved = { compiled: asObject(record.compiled), versioned: asObject(record.versioned) };
    const last = lastReleaseDate(saved);
    // Only an older release needs the history (read here: appendToMerged is synchronous).
    const history =
      last !== undefined && date < last
        ? (await releaseHistory(trx, ocid, seq)).map((text) => JSON.parse(text) as Json)
        : undefined;
    const merged = appendToMerged(saved, release, options.rules, history ? { history } : {});
    if (!merged.ok) throw refuse(merged.error.message, { code: merged.error.code });
    if (!merged.value.compiled || !merged.value.versioned) throw new Error('merge returned no record');
    compiled = merged.value.compiled;
    versioned = merged.value.versioned;
    mode = merged.value.mode;
  }
  const compiledDate = typeof compiled.date === 'string' ? compiled.date : date;
  await saveRecord(trx, {
    ocid,
    authorityId,
    compiled: JSON.stringify(compiled),
    versioned: JSON.stringify(versioned),
    releaseCount: (record?.release_count ?? 0) + 1,
    date: compiledDate,
    seq,
    updatedAt: options.now,
  });
  return { status: 'published', seq, mode };
}

function asObject(value: unknown): JsonObject {
  // jsonb comes back parsed from both drivers; a string would mean a driver setting changed.
  const v = typeof value === 'string' ? (JSON.parse(value) as unknown) : value;
  if (!isJsonObject(v)) throw new Error('stored OCDS record is not a JSON object');
  return v;
}

let cachedRules: Promise<MergeRules> | undefined;

/**
 * The merge rules of what we publish: the 1.1.5 release schema (OCDS_SCHEMA_DIR, else the official
 * URL cached on disk) patched with Contracta's declared extensions (ocds.md §3.1: "always compute
 * merge rules from the release schema patched with the extensions you declare"). Loaded once per
 * process; the server should await it at start, so that no public act waits on the network.
 */
export function ocdsMergeRules(
  source: { schema?: SchemaSource; extensions?: ExtensionSource } = {},
): Promise<MergeRules> {
  cachedRules ??= (async () => {
    const core = (await loadSchema('1.1', 'release-schema.json', source.schema)) as JsonObject;
    const ext = await loadExtensionPatches(
      CONTRACTA_EXTENSIONS.map((e) => e.url),
      source.extensions ?? { offline: true },
    );
    return mergeRulesFromSchema(
      patchSchema(
        core,
        ext.loaded.map((e) => e.patch),
      ),
    );
  })();
  cachedRules.catch(() => {
    cachedRules = undefined;
  });
  return cachedRules;
}
