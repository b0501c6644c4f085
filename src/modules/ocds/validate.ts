/**
 * Validation of OCDS documents (issue 6 §4): the official 1.1.5 schemas (release, release package,
 * record package), with the release schema patched with the declared extensions, and the versioned
 * release schema derived from that patched schema (versioned-schema.ts: the official file knows no
 * extension field and mis-types language variants; 1.0 data keeps the official 1.0.3 file),
 * checked with Ajv in draft-04 mode (`ajv-draft-04`, the Ajv project's own draft-04 class, since the
 * OCDS 1.1 schemas are draft-04: `id`, boolean exclusiveMinimum…), plus the quality checks of
 * quality.ts. Formats `date-time` and `uri` are checked as the schema states (ajv-formats: RFC 3339
 * date-time with a time zone, absolute URI).
 *
 * Compiled validators are cached per (schema source, extension list): compiling the package schemas
 * takes a few hundred milliseconds, and a bulk file declares the same extensions in every package.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import Ajv04Module, { type ErrorObject, type ValidateFunction } from 'ajv-draft-04';
import addFormatsModule from 'ajv-formats';
import { parse as parseCsv } from 'csv-parse/sync';
import type { JsonValue } from '../../platform/canonical-json.js';
import { type ExtensionSource, type LoadedExtension, loadExtensionPatches } from './extensions.load.js';
import {
  newQualityState,
  type QualityContext,
  type QualityState,
  recordQuality,
  releaseQuality,
  rememberParties,
} from './quality.js';
import {
  type OcdsVersion,
  SCHEMA_TAGS,
  type SchemaFile,
  type SchemaSource,
  loadSchema,
  officialSchemaUrl,
} from './schema.load.js';
import { isJsonObject, type JsonObject, patchSchema } from './schema-patch.js';
import { type DocumentKind, type DocumentReport, type Finding, joinPointer } from './validate.types.js';
import { versionedReleaseSchema } from './versioned-schema.js';

// Both packages are CommonJS; under NodeNext their default export arrives wrapped (the class is `.default`).
type Ajv04Ctor = typeof Ajv04Module.default;
type Ajv04 = InstanceType<Ajv04Ctor>;
const Ajv04Class: Ajv04Ctor =
  (Ajv04Module as unknown as { default?: Ajv04Ctor }).default ?? (Ajv04Module as unknown as Ajv04Ctor);
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (
  ajv: Ajv04,
  formats: string[],
) => Ajv04;

/**
 * schema.load.ts names the three files every version has; the official versioned-release validation
 * schema, which the record package schema references, is read through the same loader (same
 * directory, cache and URL rules) for 1.0 only: for 1.1 we derive our own.
 */
const VERSIONED_FILE: SchemaFile = 'versioned-release-validation-schema.json';

export type SchemaSet = {
  version: OcdsVersion;
  /** The core release schema patched with the extensions. */
  release: JsonObject;
  releasePackage: JsonObject;
  recordPackage: JsonObject;
  /**
   * The versioned release schema: for 1.1 derived from `release` (under the official file's id, which
   * the record package schema `$ref`s); for 1.0 the official file. Absent when the 1.0 file could not
   * be read: versioned releases are then not checked.
   */
  versioned: JsonObject | undefined;
  /** Code list CSVs of the version (empty when the schema came from a URL without them). */
  codelists: Map<string, Set<string>>;
  extensions: LoadedExtension[];
  warnings: string[];
};

export type ValidateOptions = {
  schema?: SchemaSource | undefined;
  extensionSource?: ExtensionSource | undefined;
  /** ocid prefixes the data must use (our publication); absent: only the format is checked. */
  expectedPrefixes?: readonly string[] | undefined;
  /** Warn on dates with an offset other than Z (our publication). */
  requireUtc?: boolean | undefined;
};

async function readCodelists(
  dir: string | undefined,
  version: OcdsVersion,
): Promise<Map<string, Set<string>>> {
  const out = new Map<string, Set<string>>();
  if (!dir) return out;
  for (const candidate of [path.join(dir, SCHEMA_TAGS[version], 'codelists'), path.join(dir, 'codelists')]) {
    let names: string[];
    try {
      names = (await fs.readdir(candidate)).filter((n) => n.endsWith('.csv'));
    } catch {
      continue;
    }
    for (const name of names) {
      const rows = parseCsv(await fs.readFile(path.join(candidate, name), 'utf8'), {
        columns: true,
        skip_empty_lines: true,
      }) as Record<string, string>[];
      out.set(name, new Set(rows.map((r) => r.Code).filter((c): c is string => typeof c === 'string')));
    }
    break;
  }
  return out;
}

/** The id the record package schema gives its versioned release (`$ref` of `versionedRelease`). */
function versionedSchemaId(recordPackage: JsonObject): string | undefined {
  const definitions = recordPackage.definitions;
  const record = isJsonObject(definitions) ? definitions.record : undefined;
  const properties = isJsonObject(record) ? record.properties : undefined;
  const versioned = isJsonObject(properties) ? properties.versionedRelease : undefined;
  return isJsonObject(versioned) && typeof versioned.$ref === 'string' ? versioned.$ref : undefined;
}

/** Reads the schemas of `version` and patches the release schema with the given extensions. */
export async function loadSchemaSet(
  extensionUrls: readonly unknown[],
  options: ValidateOptions = {},
  version: OcdsVersion = '1.1',
): Promise<SchemaSet> {
  const source = options.schema ?? {};
  const [core, releasePackage, recordPackage] = await Promise.all([
    loadSchema(version, 'release-schema.json', source),
    loadSchema(version, 'release-package-schema.json', source),
    loadSchema(version, 'record-package-schema.json', source),
  ]);
  const warnings: string[] = [];
  const ext = await loadExtensionPatches(extensionUrls, options.extensionSource);
  warnings.push(...ext.warnings);
  const release = patchSchema(
    core as JsonObject,
    ext.loaded.map((e) => e.patch),
  );
  let versioned: JsonObject | undefined;
  if (version === '1.1') {
    const derived = versionedReleaseSchema(release, {
      id: versionedSchemaId(recordPackage as JsonObject) ?? officialSchemaUrl(version, VERSIONED_FILE),
    });
    versioned = derived.schema;
    warnings.push(...derived.warnings.map((w) => `versioned release schema: ${w}`));
  } else {
    try {
      versioned = (await loadSchema(version, VERSIONED_FILE, source)) as JsonObject;
    } catch (err) {
      warnings.push(
        `versioned release schema not available (${err instanceof Error ? err.message : String(err)})`,
      );
    }
  }
  return {
    version,
    release,
    releasePackage: releasePackage as JsonObject,
    recordPackage: recordPackage as JsonObject,
    versioned,
    codelists: await readCodelists(source.dir, version),
    extensions: ext.loaded,
    warnings,
  };
}

export type Validators = {
  set: SchemaSet;
  release: ValidateFunction;
  releasePackage: () => ValidateFunction;
  recordPackage: () => ValidateFunction;
  record: () => ValidateFunction;
  versionedRelease: () => ValidateFunction | undefined;
};

function schemaId(schema: JsonObject): string {
  return typeof schema.id === 'string' ? schema.id : '';
}

/**
 * Compiles the validators of a schema set (one Ajv instance per set, so that the patched release
 * schema is the one the package schemas' `$ref`s reach). The package, record and versioned
 * validators are compiled on first use.
 */
export function compileValidators(set: SchemaSet): Validators {
  const ajv = new Ajv04Class({ strict: false, allErrors: true, validateFormats: true, logger: false });
  addFormats(ajv, ['date-time', 'uri']);
  ajv.addSchema(set.release as object);
  if (set.versioned) ajv.addSchema(set.versioned as object);
  ajv.addSchema(set.recordPackage as object);
  const lazy = <T>(make: () => T): (() => T) => {
    let value: T | undefined;
    let made = false;
    return () => {
      if (!made) {
        value = make();
        made = true;
      }
      return value as T;
    };
  };
  const release = ajv.getSchema(schemaId(set.release));
  if (!release) throw new Error('release schema has no id');
  return {
    set,
    release,
    releasePackage: lazy(() => ajv.compile(set.releasePackage as object)),
    recordPackage: lazy(() => {
      const v = ajv.getSchema(schemaId(set.recordPackage));
      if (!v) throw new Error('record package schema has no id');
      return v;
    }),
    record: lazy(() => {
      const v = ajv.getSchema(`${schemaId(set.recordPackage)}#/definitions/record`);
      if (!v) throw new Error('record package schema has no definitions/record');
      return v;
    }),
    versionedRelease: lazy(() => (set.versioned ? ajv.getSchema(schemaId(set.versioned)) : undefined)),
  };
}

const validatorCache = new Map<string, Promise<Validators>>();

/** The validators for a source and an extension list, compiled once per process. */
export function getValidators(
  extensionUrls: readonly unknown[],
  options: ValidateOptions = {},
  version: OcdsVersion = '1.1',
): Promise<Validators> {
  const urls = extensionUrls.filter((u): u is string => typeof u === 'string');
  const key = JSON.stringify([
    version,
    options.schema?.dir ?? null,
    options.extensionSource?.dir ?? null,
    options.extensionSource?.offline ?? false,
    urls,
  ]);
  let v = validatorCache.get(key);
  if (!v) {
    v = loadSchemaSet(urls, options, version).then(compileValidators);
    v.catch(() => validatorCache.delete(key));
    validatorCache.set(key, v);
  }
  return v;
}

// ---------------------------------------------------------------------------------------------
// Schema errors → findings

function asFindingValue(v: unknown): Finding['value'] {
  if (v === null || typeof v === 'boolean' || typeof v === 'number') return v;
  if (typeof v === 'string') return v.length > 200 ? `${v.slice(0, 200)}…` : v;
  return undefined;
}

function valueAt(root: unknown, pointer: string): unknown {
  let node = root;
  if (pointer === '') return node;
  for (const raw of pointer.slice(1).split('/')) {
    const token = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node)) node = node[Number(token)];
    else if (isJsonObject(node)) node = node[token];
    else return undefined;
  }
  return node;
}

/** Ajv's errors as findings, with paths relative to the document (`base` + instancePath). */
export function schemaFindings(
  errors: readonly ErrorObject[] | null | undefined,
  data: unknown,
  base = '',
): Finding[] {
  if (!errors) return [];
  const seen = new Set<string>();
  const out: Finding[] = [];
  for (const e of errors) {
    let p = e.instancePath;
    if (e.keyword === 'required' && typeof e.params.missingProperty === 'string') {
      p = joinPointer(p, e.params.missingProperty);
    }
    const key = `${e.keyword}\u0000${p}\u0000${e.message ?? ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    let message = e.message ?? e.keyword;
    if (e.keyword === 'enum' && Array.isArray(e.params.allowedValues)) {
      const allowed = e.params.allowedValues as unknown[];
      message = `${message}: ${allowed
        .slice(0, 12)
        .map((v) => JSON.stringify(v))
        .join(', ')}${allowed.length > 12 ? ', …' : ''}`;
    }
    const finding: Finding = { code: `schema.${e.keyword}`, severity: 'error', path: base + p, message };
    const value = e.keyword === 'required' ? undefined : asFindingValue(valueAt(data, e.instancePath));
    if (value !== undefined) finding.value = value;
    out.push(finding);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Documents

function isVersionedValueList(v: JsonValue | undefined): boolean {
  return (
    Array.isArray(v) && v.length > 0 && v.every((x) => isJsonObject(x) && 'releaseDate' in x && 'value' in x)
  );
}

/** What a parsed JSON value is (ocdskit `detect-format` in spirit). */
export function detectKind(doc: unknown): DocumentKind {
  if (!isJsonObject(doc)) return 'unknown';
  if (Array.isArray(doc.releases) && !('ocid' in doc)) return 'release package';
  if (Array.isArray(doc.records)) return 'record package';
  if ('ocid' in doc && Array.isArray(doc.releases)) return 'record';
  if ('ocid' in doc) {
    if (Array.isArray(doc.tag) && doc.tag.includes('compiled')) return 'compiled release';
    if (!('tag' in doc) && Object.values(doc).some(isVersionedValueList)) return 'versioned release';
    return 'release';
  }
  return 'unknown';
}

/** The extension URLs a document declares (packages only). */
export function declaredExtensions(doc: unknown): unknown[] {
  return isJsonObject(doc) && Array.isArray(doc.extensions) ? doc.extensions : [];
}

function qualityContext(v: Validators, options: ValidateOptions): QualityContext {
  return {
    releaseSchema: v.set.release,
    codelists: v.set.codelists,
    expectedPrefixes: options.expectedPrefixes,
    requireUtc: options.requireUtc,
  };
}

/** Every (release, path, kind) inside a document, for the parties pass and the quality checks. */
function releasesOf(
  doc: JsonValue,
  kind: DocumentKind,
): { release: JsonValue; path: string; compiled: boolean }[] {
  if (!isJsonObject(doc)) return [];
  const out: { release: JsonValue; path: string; compiled: boolean }[] = [];
  const fromRecord = (record: JsonValue, p: string) => {
    if (!isJsonObject(record)) return;
    if (Array.isArray(record.releases)) {
      record.releases.forEach((r, i) => {
        if (isJsonObject(r) && 'ocid' in r)
          out.push({ release: r, path: joinPointer(p, 'releases', i), compiled: false });
      });
    }
    if (isJsonObject(record.compiledRelease)) {
      out.push({ release: record.compiledRelease, path: joinPointer(p, 'compiledRelease'), compiled: true });
    }
  };
  if (kind === 'release package' && Array.isArray(doc.releases)) {
    doc.releases.forEach((r, i) => {
      out.push({ release: r, path: joinPointer('', 'releases', i), compiled: false });
    });
  } else if (kind === 'record package' && Array.isArray(doc.records)) {
    doc.records.forEach((r, i) => {
      fromRecord(r, joinPointer('', 'records', i));
    });
  } else if (kind === 'record') fromRecord(doc, '');
  else if (kind === 'release') out.push({ release: doc, path: '', compiled: false });
  else if (kind === 'compiled release') out.push({ release: doc, path: '', compiled: true });
  return out;
}

/**
 * Validates one parsed document: schema (by kind) and quality. `state` carries release ids and
 * parties across the documents of one input (a JSON Lines file, an array).
 */
export function validateDocument(
  doc: JsonValue,
  v: Validators,
  options: ValidateOptions = {},
  state: QualityState = newQualityState(),
): DocumentReport {
  const kind = detectKind(doc);
  const findings: Finding[] = [];
  const run = (validate: ValidateFunction | undefined) => {
    if (!validate) return;
    validate(doc);
    findings.push(...schemaFindings(validate.errors, doc));
  };
  switch (kind) {
    case 'release package':
      run(v.releasePackage());
      break;
    case 'record package':
      run(v.recordPackage());
      break;
    case 'record':
      run(v.record());
      break;
    case 'release':
    case 'compiled release':
      run(v.release);
      break;
    case 'versioned release':
      run(v.versionedRelease());
      break;
    default:
      findings.push({
        code: 'input.unknown',
        severity: 'error',
        path: '',
        message: 'not an OCDS release, record, release package or record package',
      });
  }
  const ctx = qualityContext(v, options);
  const releases = releasesOf(doc, kind);
  for (const r of releases) rememberParties(r.release, state);
  for (const r of releases)
    findings.push(...releaseQuality(r.release, r.path, ctx, state, { trackId: !r.compiled }));
  if (kind === 'record') findings.push(...recordQuality(doc, ''));
  if (kind === 'record package' && isJsonObject(doc) && Array.isArray(doc.records)) {
    const ocids = new Map<string, number>();
    doc.records.forEach((rec, i) => {
      const p = joinPointer('', 'records', i);
      findings.push(...recordQuality(rec, p));
      if (!isJsonObject(rec) || typeof rec.ocid !== 'string') return;
      const first = ocids.get(rec.ocid);
      if (first !== undefined) {
        findings.push({
          code: 'record.ocid.duplicate',
          severity: 'error',
          path: joinPointer(p, 'ocid'),
          value: rec.ocid,
          message: `record for ${rec.ocid} already given at /records/${first}: one record per ocid`,
        });
      } else ocids.set(rec.ocid, i);
    });
  }
  // A date without a zone is reported once, by the more specific quality finding.
  const zoneless = new Set(findings.filter((f) => f.code === 'date.timezone').map((f) => f.path));
  const deduped = findings.filter((f) => !(f.code === 'schema.format' && zoneless.has(f.path)));
  const ocids = new Set<string>();
  for (const r of releases)
    if (isJsonObject(r.release) && typeof r.release.ocid === 'string') ocids.add(r.release.ocid);
  if (kind === 'record' && isJsonObject(doc) && typeof doc.ocid === 'string') ocids.add(doc.ocid);
  if (kind === 'record package' && isJsonObject(doc) && Array.isArray(doc.records)) {
    for (const rec of doc.records) if (isJsonObject(rec) && typeof rec.ocid === 'string') ocids.add(rec.ocid);
  }
  return {
    kind,
    findings: deduped,
    releaseCount: releases.filter((r) => !r.compiled).length,
    ocids: [...ocids],
  };
}

/** Validates a document with the validators of its own declared extensions (or `extensionUrls`). */
export async function validate(
  doc: JsonValue,
  options: ValidateOptions = {},
  extensionUrls?: readonly unknown[],
  state?: QualityState,
): Promise<DocumentReport & { warnings: string[] }> {
  const v = await getValidators(extensionUrls ?? declaredExtensions(doc), options);
  return { ...validateDocument(doc, v, options, state), warnings: v.set.warnings };
}
