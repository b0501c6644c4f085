/**
 * Quality checks on OCDS data beyond the JSON Schema (issue 6, ocds.md §5 publisher and §6 consumer
 * checklists, in the manner of lib-cove-ocds): release ids unique within an ocid and free of `#`,
 * item ids unique within their array, the ocid prefix, values of closed and open code lists, no
 * empty strings, objects or arrays, dates with a time zone (and in UTC for our own data, since merge
 * sorts the raw strings, §3.2), organisation ids `{scheme}-{id}` and organisation references that
 * resolve to `parties` with the matching role. Pure: no I/O; code lists and schema come as arguments.
 */
import type { JsonValue } from '../../platform/canonical-json.js';
import { isJsonObject, type JsonObject } from './schema-patch.js';
import { type Finding, joinPointer } from './validate.types.js';

export type QualityContext = {
  /** The release schema (patched with the extensions), to find the fields that carry a code list. */
  releaseSchema: JsonObject;
  /** Codes of each code list file by name (`tenderStatus.csv`), when the CSV files were available. */
  codelists: ReadonlyMap<string, ReadonlySet<string>>;
  /** ocid prefixes the data is expected to use (ours: the authorities' registered prefixes). */
  expectedPrefixes?: readonly string[] | undefined;
  /** Report dates with an offset other than `Z` (our own publication: always UTC). */
  requireUtc?: boolean | undefined;
};

/**
 * What the checks of one input remember across its documents: release ids per ocid (unique within
 * an ocid across the whole input, ocds.md §2) and the parties of each ocid (a release may reference
 * a party published in an earlier release of the same process).
 */
export type QualityState = {
  releaseIds: Map<string, Map<string, string>>;
  parties: Map<string, Map<string, Set<string>>>;
};

export function newQualityState(): QualityState {
  return { releaseIds: new Map(), parties: new Map() };
}

/** The prefix rule lib-cove-ocds applies (`get_bad_ocid_prefixes`): registered prefixes are `ocds-` + 6. */
export const OCID_PREFIX = /^ocds-[a-z0-9]{6}/;
/** `{scheme}-{id}` with an org-id.guide list code such as `GB-COH` or `ES-NIF` (ocds.md §2). */
export const ORG_ID = /^[A-Z]{2}-[A-Z0-9]+-\S+/;
const DATE_TIME_NO_ZONE = /^\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d(\.\d+)?)?$/;
const DATE_TIME_OFFSET = /^\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d(\.\d+)?)?[+-]\d\d:?\d\d$/;

function str(v: JsonValue | undefined): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Schema walking (for code lists and date formats)

/** Resolves a local `$ref` (`#/definitions/Value/properties/currency`) against the root schema. */
function resolveRef(root: JsonObject, ref: string): JsonObject | undefined {
  if (!ref.startsWith('#/')) return undefined;
  let node: JsonValue | undefined = root;
  for (const raw of ref.slice(2).split('/')) {
    const token = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (!isJsonObject(node)) return undefined;
    node = node[token];
  }
  return isJsonObject(node) ? node : undefined;
}

function deref(root: JsonObject, schema: JsonObject): JsonObject {
  let s = schema;
  for (let i = 0; i < 10 && typeof s.$ref === 'string'; i++) {
    const target = resolveRef(root, s.$ref);
    if (!target) break;
    s = target;
  }
  return s;
}

function codelistFindings(
  value: JsonValue,
  schema: JsonObject,
  path: string,
  ctx: QualityContext,
  out: Finding[],
): void {
  const name = schema.codelist;
  if (typeof name !== 'string') return;
  const open = schema.openCodelist === true;
  let allowed: ReadonlySet<string> | undefined;
  const enumValues = Array.isArray(schema.enum)
    ? schema.enum
    : isJsonObject(schema.items) && Array.isArray(schema.items.enum)
      ? schema.items.enum
      : undefined;
  if (!open && enumValues) allowed = new Set(enumValues.filter((v): v is string => typeof v === 'string'));
  else allowed = ctx.codelists.get(name);
  if (!allowed) return;
  const check = (v: JsonValue, p: string) => {
    if (typeof v !== 'string' || allowed.has(v)) return;
    out.push(
      open
        ? {
            code: 'codelist.open',
            severity: 'warning',
            path: p,
            value: v,
            message: `"${v}" is not in the open code list ${name}`,
          }
        : {
            code: 'codelist.closed',
            severity: 'error',
            path: p,
            value: v,
            message: `"${v}" is not in the closed code list ${name}`,
          },
    );
  };
  if (Array.isArray(value)) {
    value.forEach((v, i) => {
      check(v, joinPointer(path, i));
    });
  } else check(value, path);
}

/** Walks `value` along `schema`, checking code lists and date-time values. */
function walkWithSchema(
  value: JsonValue,
  schemaIn: JsonObject,
  path: string,
  ctx: QualityContext,
  dateFormatPaths: Set<string>,
  out: Finding[],
): void {
  const schema = deref(ctx.releaseSchema, schemaIn);
  codelistFindings(value, schema, path, ctx, out);
  if (schema.format === 'date-time' && typeof value === 'string') dateFormatPaths.add(path);
  if (Array.isArray(value)) {
    const items = isJsonObject(schema.items) ? schema.items : undefined;
    if (items)
      value.forEach((v, i) => {
        walkWithSchema(v, items, joinPointer(path, i), ctx, dateFormatPaths, out);
      });
    return;
  }
  if (!isJsonObject(value)) return;
  const props = isJsonObject(schema.properties) ? schema.properties : undefined;
  if (!props) return;
  for (const [key, v] of Object.entries(value)) {
    const sub = props[key];
    if (isJsonObject(sub)) walkWithSchema(v, sub, joinPointer(path, key), ctx, dateFormatPaths, out);
  }
}

// ---------------------------------------------------------------------------------------------
// Generic walks: empty values, duplicate ids in arrays, dates, document hashes

/** Hex digits of the hashes Contracta's document integrity extension names (extensions.ts). */
const HASH_HEX_LENGTH: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 };

/**
 * `documents[].integrity` (our document integrity extension): a known algorithm's hash must be its
 * lower-case hexadecimal digest, or nobody can compare it with `sha256sum`'s output. A warning, not
 * an error: the standard's proposal (open-contracting/standard#1725) has not fixed an encoding yet.
 */
function integrityFindings(list: JsonValue[], path: string, out: Finding[]): void {
  list.forEach((entry, i) => {
    if (!isJsonObject(entry) || typeof entry.scheme !== 'string') return;
    const digits = HASH_HEX_LENGTH[entry.scheme];
    if (digits === undefined) return;
    const id = str(entry.id);
    if (id !== undefined && new RegExp(`^[0-9a-f]{${digits}}$`).test(id)) return;
    out.push({
      code: 'document.integrity.format',
      severity: 'warning',
      path: joinPointer(path, i, 'id'),
      ...(id !== undefined ? { value: id } : {}),
      message: `a ${entry.scheme} hash is ${digits} lower-case hexadecimal digits`,
    });
  });
}

function genericFindings(
  value: JsonValue,
  path: string,
  key: string | undefined,
  ctx: QualityContext,
  dateFormatPaths: ReadonlySet<string>,
  out: Finding[],
): void {
  if (typeof value === 'string') {
    if (value.trim() === '') {
      out.push({ code: 'empty.string', severity: 'warning', path, message: 'empty string' });
      return;
    }
    const looksLikeDate = dateFormatPaths.has(path) || (key !== undefined && /(^d|D)ate$/.test(key));
    if (looksLikeDate && DATE_TIME_NO_ZONE.test(value)) {
      out.push({
        code: 'date.timezone',
        severity: 'error',
        path,
        value,
        message: `date-time without a time zone ("Z" or an offset): ${value}`,
      });
    } else if (looksLikeDate && ctx.requireUtc && DATE_TIME_OFFSET.test(value)) {
      out.push({
        code: 'date.notUtc',
        severity: 'warning',
        path,
        value,
        message: `date-time not in UTC ("Z"): merge sorts dates as strings, so mixed offsets misorder releases`,
      });
    }
    return;
  }
  if (Array.isArray(value)) {
    if (value.length === 0) {
      out.push({ code: 'empty.array', severity: 'warning', path, message: 'empty array' });
      return;
    }
    if (key === 'integrity') integrityFindings(value, path, out);
    const seen = new Map<string, number>();
    value.forEach((item, i) => {
      if (!isJsonObject(item)) return;
      const id = str(item.id);
      if (id === undefined) return;
      const first = seen.get(id);
      if (first !== undefined) {
        out.push({
          code: 'array.id.duplicate',
          severity: 'error',
          path: joinPointer(path, i, 'id'),
          value: id,
          message: `id "${id}" already used by item ${first} of this array (merge would combine them)`,
        });
      } else seen.set(id, i);
    });
    value.forEach((v, i) => {
      genericFindings(v, joinPointer(path, i), undefined, ctx, dateFormatPaths, out);
    });
    return;
  }
  if (isJsonObject(value)) {
    const entries = Object.entries(value);
    if (entries.length === 0) {
      out.push({ code: 'empty.object', severity: 'warning', path, message: 'empty object' });
      return;
    }
    for (const [k, v] of entries) genericFindings(v, joinPointer(path, k), k, ctx, dateFormatPaths, out);
  }
}

// ---------------------------------------------------------------------------------------------
// Organisations

type OrgRef = { path: string; id: string; role: string };

/** Organisation references of a release with the party role each implies (OCDS 1.1 partyRole). */
function organisationReferences(release: JsonObject, path: string): OrgRef[] {
  const refs: OrgRef[] = [];
  const add = (v: JsonValue | undefined, p: string, role: string) => {
    if (!isJsonObject(v)) return;
    const id = str(v.id);
    if (id !== undefined) refs.push({ path: joinPointer(p, 'id'), id, role });
  };
  const addAll = (v: JsonValue | undefined, p: string, role: string) => {
    if (!Array.isArray(v)) return;
    v.forEach((x, i) => {
      add(x, joinPointer(p, i), role);
    });
  };
  add(release.buyer, joinPointer(path, 'buyer'), 'buyer');
  const tender = release.tender;
  if (isJsonObject(tender)) {
    add(tender.procuringEntity, joinPointer(path, 'tender', 'procuringEntity'), 'procuringEntity');
    addAll(tender.tenderers, joinPointer(path, 'tender', 'tenderers'), 'tenderer');
  }
  if (Array.isArray(release.awards)) {
    release.awards.forEach((a, i) => {
      if (isJsonObject(a)) addAll(a.suppliers, joinPointer(path, 'awards', i, 'suppliers'), 'supplier');
    });
  }
  const bids = release.bids;
  if (isJsonObject(bids) && Array.isArray(bids.details)) {
    bids.details.forEach((b, i) => {
      if (isJsonObject(b))
        addAll(b.tenderers, joinPointer(path, 'bids', 'details', i, 'tenderers'), 'tenderer');
    });
  }
  if (Array.isArray(release.contracts)) {
    release.contracts.forEach((c, i) => {
      if (!isJsonObject(c) || !isJsonObject(c.implementation)) return;
      const txs = c.implementation.transactions;
      if (!Array.isArray(txs)) return;
      txs.forEach((t, j) => {
        if (!isJsonObject(t)) return;
        const p = joinPointer(path, 'contracts', i, 'implementation', 'transactions', j);
        add(t.payer, joinPointer(p, 'payer'), 'payer');
        add(t.payee, joinPointer(p, 'payee'), 'payee');
      });
    });
  }
  return refs;
}

/** Records the parties of a release under its ocid, for references resolved across the input. */
export function rememberParties(release: JsonValue, state: QualityState): void {
  if (!isJsonObject(release) || typeof release.ocid !== 'string' || !Array.isArray(release.parties)) return;
  let byId = state.parties.get(release.ocid);
  if (!byId) {
    byId = new Map();
    state.parties.set(release.ocid, byId);
  }
  for (const p of release.parties) {
    if (!isJsonObject(p)) continue;
    const id = str(p.id);
    if (id === undefined) continue;
    let roles = byId.get(id);
    if (!roles) {
      roles = new Set();
      byId.set(id, roles);
    }
    if (Array.isArray(p.roles)) for (const r of p.roles) if (typeof r === 'string') roles.add(r);
  }
}

function partyFindings(release: JsonObject, path: string, state: QualityState, out: Finding[]): void {
  if (Array.isArray(release.parties)) {
    release.parties.forEach((p, i) => {
      if (!isJsonObject(p)) return;
      const id = str(p.id);
      if (id !== undefined && !ORG_ID.test(id)) {
        out.push({
          code: 'party.id.format',
          severity: 'warning',
          path: joinPointer(path, 'parties', i, 'id'),
          value: id,
          message: `party id "${id}" is not {scheme}-{id} with an org-id.guide scheme (e.g. ES-NIF-…)`,
        });
      }
    });
  }
  const known = typeof release.ocid === 'string' ? state.parties.get(release.ocid) : undefined;
  for (const ref of organisationReferences(release, path)) {
    const roles = known?.get(ref.id);
    if (!roles) {
      out.push({
        code: 'party.reference.unresolved',
        severity: 'warning',
        path: ref.path,
        value: ref.id,
        message: `organisation reference "${ref.id}" has no entry in parties`,
      });
    } else if (!roles.has(ref.role)) {
      out.push({
        code: 'party.role.missing',
        severity: 'warning',
        path: ref.path,
        value: ref.id,
        message: `party "${ref.id}" is referenced as ${ref.role} but lacks that role`,
      });
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Entry points

/** The ocid prefix checks (format always; the expected prefixes when given). */
export function ocidFindings(ocid: JsonValue | undefined, path: string, ctx: QualityContext): Finding[] {
  if (typeof ocid !== 'string' || ocid === '') return [];
  const out: Finding[] = [];
  if (!OCID_PREFIX.test(ocid)) {
    out.push({
      code: 'ocid.prefix.format',
      severity: 'warning',
      path,
      value: ocid,
      message: `ocid "${ocid}" does not start with a registered prefix (ocds- and 6 lowercase letters or digits)`,
    });
  }
  if (ctx.expectedPrefixes && !ctx.expectedPrefixes.some((p) => ocid.startsWith(p))) {
    out.push({
      code: 'ocid.prefix.unexpected',
      severity: 'error',
      path,
      value: ocid,
      message: `ocid "${ocid}" does not use an expected prefix (${ctx.expectedPrefixes.join(', ')})`,
    });
  }
  return out;
}

/**
 * Checks one release (or compiled release) at `path`. `trackId` is false for compiled releases,
 * whose id is derived, and for releases already counted elsewhere. Parties must have been
 * remembered (rememberParties) for the whole input first, so that references resolve across it.
 */
export function releaseQuality(
  release: JsonValue,
  path: string,
  ctx: QualityContext,
  state: QualityState,
  options: { trackId: boolean } = { trackId: true },
): Finding[] {
  if (!isJsonObject(release)) return [];
  const out: Finding[] = [];
  const ocid = typeof release.ocid === 'string' ? release.ocid : undefined;
  const id = str(release.id);
  out.push(...ocidFindings(release.ocid, joinPointer(path, 'ocid'), ctx));
  if (id?.includes('#')) {
    out.push({
      code: 'release.id.hash',
      severity: 'error',
      path: joinPointer(path, 'id'),
      value: id,
      message: `release id "${id}" contains "#", which linked releases use as a separator`,
    });
  }
  if (options.trackId && ocid !== undefined && id !== undefined) {
    let ids = state.releaseIds.get(ocid);
    if (!ids) {
      ids = new Map();
      state.releaseIds.set(ocid, ids);
    }
    const first = ids.get(id);
    if (first !== undefined) {
      out.push({
        code: 'release.id.duplicate',
        severity: 'error',
        path: joinPointer(path, 'id'),
        value: id,
        message: `release id "${id}" is already used in ${ocid} (at ${first || '/'}); it must be unique within its ocid`,
      });
    } else ids.set(id, path);
  }
  const dateFormatPaths = new Set<string>();
  walkWithSchema(release, ctx.releaseSchema, path, ctx, dateFormatPaths, out);
  genericFindings(release, path, undefined, ctx, dateFormatPaths, out);
  partyFindings(release, path, state, out);
  return out;
}

/** Checks of a record beyond its releases: releases sorted by date, not mixing linked and embedded. */
export function recordQuality(record: JsonValue, path: string): Finding[] {
  if (!isJsonObject(record) || !Array.isArray(record.releases)) return [];
  const out: Finding[] = [];
  const releases = record.releases;
  const linked = releases.filter((r) => isJsonObject(r) && 'url' in r && !('ocid' in r)).length;
  if (linked > 0 && linked < releases.length) {
    out.push({
      code: 'record.releases.mixed',
      severity: 'error',
      path: joinPointer(path, 'releases'),
      message: 'record mixes linked releases ({url, date}) with embedded releases',
    });
  }
  let previous: string | undefined;
  releases.forEach((r, i) => {
    const date = isJsonObject(r) && typeof r.date === 'string' ? r.date : undefined;
    if (date === undefined) return;
    if (previous !== undefined && date < previous) {
      out.push({
        code: 'record.releases.unsorted',
        severity: 'error',
        path: joinPointer(path, 'releases', i, 'date'),
        value: date,
        message: `record releases must be sorted by date, oldest first (${date} after ${previous})`,
      });
    }
    previous = date;
  });
  return out;
}
