/**
 * OCDS merge (issue 6): compiled and versioned releases from the releases of one ocid, exactly as the
 * standard's "Merging" page describes and ocdsmerge implements it (ocds.md §3.1-§3.3), so that our
 * record packages match the reference implementation's golden outputs.
 *
 * The method is ocdsmerge's: each release is flattened to `path → leaf value`, with array positions
 * replaced by the item's `id` (compared as a string, the original value kept), and the flat maps are
 * laid over each other in date order (last writer wins, first insertion fixes the position). Nulls are
 * written as values and left out when unflattening, which is how a `null` deletes a field. The compiled
 * merge gets the same result faster without the flat map (CompiledReleaseBuilder, falling back to the
 * flat method, FlatCompiledReleaseBuilder, when a path changes shape). Pure: no I/O, no clock; errors
 * and warnings are returned as values.
 */
import { type MergeRules, NO_RULES, type RuleNode } from './merge-rules.js';
import {
  isJsonObject,
  type Json,
  type JsonObject,
  type MergeError,
  type MergeResult,
  type MergeWarning,
  type RuleOverride,
} from './merge.types.js';

export type MergeOptions = {
  /** Overrides per dotted array path (`nested.array`), for known-bad publishers (ocdsmerge rule_overrides). */
  overrides?: Readonly<Record<string, RuleOverride>> | undefined;
};

/** An array position: the item's identifier (as a string) and its original `id` value, if any. */
type IdPart = { identifier: string; original: Json | undefined };
type Part = string | IdPart;
type Entry = { parts: Part[]; value: Json };
/** A versioned leaf: the history of its values. */
type VersionedValue = { releaseID: Json; releaseDate: Json; releaseTag: Json; value: Json };

const SEP = '\u0000';
const ID = '\u0001';
let uniqueCounter = 0;
/** Objects without `id` get a key no real id can equal, so they are always appended (ocdsmerge uses a UUID). */
const uniqueKey = () => `\u0002${++uniqueCounter}`;

class MergeFailure extends Error {
  constructor(readonly failure: MergeError) {
    super(failure.message);
  }
}

/** Python's `str()` of a JSON value, which is how ocdsmerge turns ids and ocid/date into strings. */
export function pyStr(value: Json | undefined): string {
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') return String(value);
  return JSON.stringify(value);
}

/** Python `==` on JSON values (key order irrelevant; `True == 1`). */
export function pyEqual(a: Json | undefined, b: Json | undefined): boolean {
  if (a === b) return true;
  if (typeof a === 'boolean' && typeof b === 'number') return Number(a) === b;
  if (typeof a === 'number' && typeof b === 'boolean') return a === Number(b);
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!pyEqual(a[i], b[i])) return false;
    return true;
  }
  if (isJsonObject(a)) {
    if (!isJsonObject(b)) return false;
    const keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length) return false;
    for (const k of keys) if (!Object.hasOwn(b, k) || !pyEqual(a[k], b[k])) return false;
    return true;
  }
  return false;
}

function isVersionedValue(value: Json): boolean {
  if (!isJsonObject(value)) return false;
  const keys = Object.keys(value);
  return (
    keys.length === 4 &&
    keys.every((k) => k === 'releaseID' || k === 'releaseDate' || k === 'releaseTag' || k === 'value')
  );
}

function setOwn(node: JsonObject, key: string, value: Json): void {
  if (key === '__proto__')
    Object.defineProperty(node, key, { value, enumerable: true, writable: true, configurable: true });
  else node[key] = value;
}

type FlattenContext = {
  overrides: ReadonlyMap<string, RuleOverride>;
  versioned: boolean;
  warnings: MergeWarning[];
  out: Map<string, Entry>;
};

function put(ctx: FlattenContext, key: string, parts: Part[], value: Json): void {
  const existing = ctx.out.get(key);
  // Like a Python dict: a repeated key keeps its first position and first key object.
  if (existing) existing.value = value;
  else ctx.out.set(key, { parts, value });
}

function flattenObject(
  ctx: FlattenContext,
  obj: JsonObject,
  rules: RuleNode | undefined,
  path: Part[],
  key: string,
  rulePath: string,
): void {
  for (const [k, value] of Object.entries(obj)) {
    const child = rules?.children?.get(k);
    const rule = child?.rule;
    if (rule === 'omitWhenMerged') continue;
    const childKey = key + SEP + k;
    if (
      rule === 'wholeListMerge' ||
      value === null ||
      typeof value !== 'object' ||
      (Array.isArray(value) && value.some((item) => !isJsonObject(item))) ||
      (ctx.versioned && Array.isArray(value) && value.length > 0 && value.every(isVersionedValue))
    ) {
      put(ctx, childKey, [...path, k], value);
      continue;
    }
    const childRulePath = rulePath ? `${rulePath}.${k}` : k;
    if (Array.isArray(value)) {
      if (value.length > 0)
        flattenArray(ctx, value as JsonObject[], child, [...path, k], childKey, childRulePath);
    } else if (Object.keys(value).length > 0) {
      flattenObject(ctx, value, child, [...path, k], childKey, childRulePath);
    }
  }
}

function flattenArray(
  ctx: FlattenContext,
  items: JsonObject[],
  rules: RuleNode | undefined,
  path: Part[],
  key: string,
  rulePath: string,
): void {
  const override = ctx.overrides.get(rulePath);
  const seen = new Map<string, number>();
  for (let index = 0; index < items.length; index++) {
    const item = items[index] as JsonObject;
    const hasId = Object.hasOwn(item, 'id');
    const original = hasId ? item.id : undefined;
    const defaultKey = hasId ? pyStr(original) : uniqueKey();
    let identifier = defaultKey;
    if (override === 'append') identifier = hasId ? uniqueKey() : defaultKey;
    else if (override === 'mergeByPosition') identifier = String(index);

    const first = seen.get(defaultKey);
    if (first === undefined) seen.set(defaultKey, index);
    else if (first !== index)
      ctx.warnings.push({
        code: 'duplicateId',
        path: rulePath,
        id: defaultKey,
        message: `Multiple objects have the \`id\` value '${defaultKey}' in the \`${rulePath}\` array`,
      });

    // An empty object in an array contributes nothing (ocdsmerge recurses only into non-empty values).
    if (Object.keys(item).length === 0) continue;
    const part: IdPart = { identifier, original: original === null ? undefined : original };
    flattenObject(ctx, item, rules, [...path, part], key + ID + identifier, rulePath);
  }
}

function flatten(
  obj: JsonObject,
  rules: MergeRules,
  overrides: ReadonlyMap<string, RuleOverride>,
  versioned: boolean,
  warnings: MergeWarning[],
): Map<string, Entry> {
  const ctx: FlattenContext = { overrides, versioned, warnings, out: new Map() };
  flattenObject(ctx, obj, rules.root, [], '', '');
  return ctx.out;
}

/** Rebuilds the JSON object; throws MergeFailure when a path is an object in one release and not in another. */
function unflatten(entries: Iterable<Entry>): JsonObject {
  const root: JsonObject = {};
  // Containers this function created; any other object met on a path is a leaf value from the data.
  const created = new WeakSet<object>([root]);
  const idNodes = new Map<string, JsonObject>();
  for (const { parts, value } of entries) {
    let node: Json = root;
    let prefix = '';
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i] as Part;
      const last = i === parts.length - 1;
      if (typeof part !== 'string') {
        if (!Array.isArray(node) || !created.has(node)) throw inconsistent(parts, i);
        const idKey = prefix + ID + part.identifier;
        let child = idNodes.get(idKey);
        if (!child) {
          child = {};
          created.add(child);
          if (part.original !== undefined) child.id = part.original;
          idNodes.set(idKey, child);
          node.push(child);
        }
        node = child;
        prefix = idKey;
        continue;
      }
      if (!isJsonObject(node) || !created.has(node)) throw inconsistent(parts, i);
      prefix += SEP + part;
      if (Object.hasOwn(node, part)) {
        // A node seen before (or an array item's `id`, already set to its original value).
        node = node[part] as Json;
        continue;
      }
      if (!last) {
        const next: Json = typeof parts[i + 1] === 'string' ? {} : [];
        created.add(next);
        setOwn(node, part, next);
        node = next;
        continue;
      }
      if (value !== null) setOwn(node, part, value);
    }
  }
  return root;
}

function inconsistent(parts: Part[], end: number): MergeFailure {
  const path = parts
    .slice(0, end)
    .map((p) => (typeof p === 'string' ? p : pyStr(p.original ?? null)))
    .join('/');
  return new MergeFailure({
    code: 'inconsistentType',
    message: `/${path} is a literal or array in one release and an object in another`,
  });
}

/**
 * Releases sorted by `date` as ocdsmerge does: a stable sort on the raw string (not parsed), a single
 * release returned as is. Missing, null or non-string dates and non-object releases are errors.
 */
export function sortReleases(
  releases: readonly Json[],
): { ok: true; releases: JsonObject[] } | { ok: false; error: MergeError } {
  if (releases.length === 1 && isJsonObject(releases[0])) return { ok: true, releases: [releases[0]] };
  for (const r of releases) {
    if (!isJsonObject(r))
      return {
        ok: false,
        error: { code: 'nonObjectRelease', message: 'At least one release is not an object.' },
      };
    if (!Object.hasOwn(r, 'date'))
      return {
        ok: false,
        error: { code: 'missingDate', message: 'The `date` field of at least one release is missing.' },
      };
  }
  const objects = releases as JsonObject[];
  if (objects.some((r) => r.date === null))
    return {
      ok: false,
      error: { code: 'nullDate', message: 'The `date` field of at least one release is null.' },
    };
  if (objects.some((r) => typeof r.date !== 'string'))
    return {
      ok: false,
      error: { code: 'nonStringDate', message: 'The `date` field of at least one release is not a string.' },
    };
  const sorted = [...objects].sort((a, b) => {
    const x = a.date as string;
    const y = b.date as string;
    return x < y ? -1 : x > y ? 1 : 0;
  });
  return { ok: true, releases: sorted };
}

function overrideMap(options: MergeOptions): ReadonlyMap<string, RuleOverride> {
  return new Map(Object.entries(options.overrides ?? {}));
}

/**
 * The reference compiled merge: ocdsmerge's flat-map method, line for line (ocds.md §3.2). The fast
 * builder below falls back to it whenever a path changes shape between releases, and the unit tests
 * compare the two byte for byte.
 */
export class FlatCompiledReleaseBuilder {
  private readonly data = new Map<string, Entry>();
  private readonly overrides: ReadonlyMap<string, RuleOverride>;
  readonly warnings: MergeWarning[] = [];

  /** `existing`: a saved compiled release to continue from, without its history. */
  constructor(
    private readonly rules: MergeRules = NO_RULES,
    options: MergeOptions = {},
    existing?: JsonObject,
  ) {
    this.overrides = overrideMap(options);
    if (existing)
      for (const [k, e] of flatten(existing, rules, this.overrides, false, this.warnings))
        this.data.set(k, e);
    this.data.set(`${SEP}tag`, { parts: ['tag'], value: ['compiled'] });
  }

  append(release: JsonObject): void {
    const ocid = release.ocid;
    const date = release.date;
    const { tag: _tag, ...rest } = release; // `tag` becomes ["compiled"] (before 1.1.4 it had no omitWhenMerged)
    const flat = flatten(rest, this.rules, this.overrides, false, this.warnings);
    this.set('id', `${pyStr(ocid)}-${pyStr(date)}`);
    this.set('date', date ?? null);
    // 1.0 marks `ocid` as "ocdsOmit", but a compiled release keeps it.
    this.set('ocid', ocid ?? null);
    for (const [k, e] of flat) {
      const existing = this.data.get(k);
      if (existing) existing.value = e.value;
      else this.data.set(k, e);
    }
  }

  private set(field: string, value: Json): void {
    const key = SEP + field;
    const existing = this.data.get(key);
    if (existing) existing.value = value;
    else this.data.set(key, { parts: [field], value });
  }

  /** The compiled release; throws MergeFailure on inconsistent types (caught by the functions below). */
  build(): JsonObject {
    return unflatten(this.data.values());
  }
}

/**
 * The compiled merge without the flat map (issue 6, compile speed): the releases are laid over a tree
 * of containers directly, in the same walk order as `flatten`, so the result is the one `unflatten`
 * would build from the flat map, key order included:
 * - a flat entry's position is its first write; a container's position in its parent is the first
 *   write below it, so containers are attached only once something was written under them (an empty
 *   `{}` or `[]` writes nothing, as in `flatten`);
 * - a null leaf keeps its slot (its position) and is left out when the tree is built;
 * - an array item made from an `id` starts with that first `id` value, later `id` writes are ignored
 *   (what `unflatten` does when the key is already there).
 * When a path is a leaf in one place and a container in another (or an object and an array), the flat
 * method's outcome depends on the order of the entries (an error, or a value silently dropped); the
 * tree then gives up (`SHAPE_CHANGE`) and the builder replays everything with the flat reference.
 */
class ObjSlot {
  readonly keys = new Map<string, Slot>();
  /** An array item whose `id` came from its identifier: writes to `id` are ignored. */
  fixedId = false;
}
class ArrSlot {
  readonly items = new Map<string, ObjSlot>();
}
/** A leaf is the JSON value itself (null included); containers are the two classes above. */
type Slot = Json | ObjSlot | ArrSlot;

const SHAPE_CHANGE = new Error('a path changes shape between releases');

type TreeContext = {
  overrides: ReadonlyMap<string, RuleOverride>;
  warnings: MergeWarning[];
  /** Leaf writes so far (ignored `id` writes and nulls included): a new container is kept if it grew. */
  writes: number;
};

function hasKeys(obj: JsonObject): boolean {
  for (const _ in obj) return true;
  return false;
}

function allObjects(items: Json[]): boolean {
  for (const item of items) if (!isJsonObject(item)) return false;
  return true;
}

function writeLeaf(ctx: TreeContext, node: ObjSlot, key: string, value: Json): void {
  ctx.writes++;
  if (node.fixedId && key === 'id') return;
  const existing = node.keys.get(key);
  if (existing instanceof ObjSlot || existing instanceof ArrSlot) throw SHAPE_CHANGE;
  node.keys.set(key, value);
}

function mergeObject(
  ctx: TreeContext,
  node: ObjSlot,
  obj: JsonObject,
  rules: RuleNode | undefined,
  rulePath: string,
  skipTag: boolean,
): void {
  const children = rules?.children;
  for (const k of Object.keys(obj)) {
    if (skipTag && k === 'tag') continue;
    const child = children?.get(k);
    const rule = child?.rule;
    if (rule === 'omitWhenMerged') continue;
    const value = obj[k] as Json;
    if (rule === 'wholeListMerge' || value === null || typeof value !== 'object') {
      writeLeaf(ctx, node, k, value);
      continue;
    }
    if (Array.isArray(value)) {
      if (!allObjects(value)) writeLeaf(ctx, node, k, value);
      else if (value.length > 0)
        mergeArray(ctx, node, k, value as JsonObject[], child, rulePath ? `${rulePath}.${k}` : k);
      continue;
    }
    if (!hasKeys(value)) continue;
    const childPath = rulePath ? `${rulePath}.${k}` : k;
    const existing = node.keys.get(k);
    if (existing === undefined) {
      const created = new ObjSlot();
      const before = ctx.writes;
      mergeObject(ctx, created, value, child, childPath, false);
      if (ctx.writes !== before) node.keys.set(k, created);
    } else if (existing instanceof ObjSlot) mergeObject(ctx, existing, value, child, childPath, false);
    else throw SHAPE_CHANGE;
  }
}

function mergeArray(
  ctx: TreeContext,
  parent: ObjSlot,
  key: string,
  items: JsonObject[],
  rules: RuleNode | undefined,
  rulePath: string,
): void {
  const existing = parent.keys.get(key);
  if (existing !== undefined && !(existing instanceof ArrSlot)) throw SHAPE_CHANGE;
  const arr = existing ?? new ArrSlot();
  const before = ctx.writes;
  const override = ctx.overrides.size > 0 ? ctx.overrides.get(rulePath) : undefined;
  const seen = items.length > 1 ? new Map<string, number>() : undefined;
  for (let index = 0; index < items.length; index++) {
    const item = items[index] as JsonObject;
    const hasId = Object.hasOwn(item, 'id');
    const original = hasId ? item.id : undefined;
    const defaultKey = hasId ? pyStr(original) : uniqueKey();
    let identifier = defaultKey;
    if (override === 'append') identifier = hasId ? uniqueKey() : defaultKey;
    else if (override === 'mergeByPosition') identifier = String(index);
    if (seen) {
      const first = seen.get(defaultKey);
      if (first === undefined) seen.set(defaultKey, index);
      else if (first !== index)
        ctx.warnings.push({
          code: 'duplicateId',
          path: rulePath,
          id: defaultKey,
          message: `Multiple objects have the \`id\` value '${defaultKey}' in the \`${rulePath}\` array`,
        });
    }
    if (!hasKeys(item)) continue;
    const target = arr.items.get(identifier);
    if (target) {
      mergeObject(ctx, target, item, rules, rulePath, false);
      continue;
    }
    const created = new ObjSlot();
    if (original !== undefined && original !== null) {
      created.keys.set('id', original);
      created.fixedId = true;
    }
    const w = ctx.writes;
    mergeObject(ctx, created, item, rules, rulePath, false);
    if (ctx.writes !== w) arr.items.set(identifier, created);
  }
  if (existing === undefined && ctx.writes !== before) parent.keys.set(key, arr);
}

function buildObject(node: ObjSlot): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of node.keys) {
    if (v instanceof ObjSlot) setOwn(out, k, buildObject(v));
    else if (v instanceof ArrSlot) {
      const list: Json[] = [];
      for (const item of v.items.values()) list.push(buildObject(item));
      setOwn(out, k, list);
    } else if (v !== null) setOwn(out, k, v);
  }
  return out;
}

/** A compiled release being built, release by release (ocdsmerge `CompiledRelease`). */
export class CompiledReleaseBuilder {
  private readonly root = new ObjSlot();
  private readonly ctx: TreeContext;
  private readonly appended: JsonObject[] = [];
  /** Set once a path changed shape: the flat reference, fed everything again. */
  private flat: FlatCompiledReleaseBuilder | undefined;

  /** `existing`: a saved compiled release to continue from, without its history. */
  constructor(
    private readonly rules: MergeRules = NO_RULES,
    private readonly options: MergeOptions = {},
    private readonly existing?: JsonObject,
  ) {
    this.ctx = { overrides: overrideMap(options), warnings: [], writes: 0 };
    try {
      if (existing) mergeObject(this.ctx, this.root, existing, rules.root, '', false);
      writeLeaf(this.ctx, this.root, 'tag', ['compiled']);
    } catch (e) {
      if (e !== SHAPE_CHANGE) throw e;
      this.toFlat();
    }
  }

  get warnings(): MergeWarning[] {
    return this.flat ? this.flat.warnings : this.ctx.warnings;
  }

  append(release: JsonObject): void {
    this.appended.push(release);
    if (this.flat) {
      this.flat.append(release);
      return;
    }
    try {
      const ocid = release.ocid;
      const date = release.date;
      writeLeaf(this.ctx, this.root, 'id', `${pyStr(ocid)}-${pyStr(date)}`);
      writeLeaf(this.ctx, this.root, 'date', date ?? null);
      // 1.0 marks `ocid` as "ocdsOmit", but a compiled release keeps it.
      writeLeaf(this.ctx, this.root, 'ocid', ocid ?? null);
      // `tag` becomes ["compiled"] (before 1.1.4 it had no omitWhenMerged).
      mergeObject(this.ctx, this.root, release, this.rules.root, '', true);
    } catch (e) {
      if (e !== SHAPE_CHANGE) throw e;
      this.toFlat();
    }
  }

  private toFlat(): void {
    const flat = new FlatCompiledReleaseBuilder(this.rules, this.options, this.existing);
    for (const r of this.appended) flat.append(r);
    this.flat = flat;
  }

  /** The compiled release; throws MergeFailure on inconsistent types (caught by the functions below). */
  build(): JsonObject {
    return this.flat ? this.flat.build() : buildObject(this.root);
  }
}

/** A versioned release being built (ocdsmerge `VersionedRelease`): values recorded only when they change. */
export class VersionedReleaseBuilder {
  private readonly data = new Map<string, { parts: Part[]; value: Json | VersionedValue[] }>();
  private readonly overrides: ReadonlyMap<string, RuleOverride>;
  readonly warnings: MergeWarning[] = [];

  constructor(
    private readonly rules: MergeRules = NO_RULES,
    options: MergeOptions = {},
    existing?: JsonObject,
  ) {
    this.overrides = overrideMap(options);
    if (existing)
      for (const [k, e] of flatten(existing, rules, this.overrides, true, this.warnings)) this.data.set(k, e);
  }

  append(release: JsonObject): void {
    const { tag, ocid, ...rest } = release;
    const releaseID = release.id ?? null;
    const releaseDate = release.date ?? null;
    const flat = flatten(rest, this.rules, this.overrides, false, this.warnings);
    // The ocid is never versioned.
    const ocidKey = `${SEP}ocid`;
    const o = this.data.get(ocidKey);
    if (o) o.value = ocid ?? null;
    else this.data.set(ocidKey, { parts: ['ocid'], value: ocid ?? null });
    for (const [k, e] of flat) {
      const existing = this.data.get(k);
      // Not versioned (an array item's `id` from a saved versioned release), or unchanged: no new entry.
      if (existing && (!Array.isArray(existing.value) || pyEqual(e.value, lastValue(existing.value))))
        continue;
      const entry: VersionedValue = { releaseID, releaseDate, releaseTag: tag ?? null, value: e.value };
      if (existing) (existing.value as Json[]).push(entry as unknown as Json);
      else this.data.set(k, { parts: e.parts, value: [entry as unknown as Json] });
    }
  }

  build(): JsonObject {
    return unflatten(this.data.values() as Iterable<Entry>);
  }
}

function lastValue(history: Json[]): Json | undefined {
  const last = history[history.length - 1];
  return isJsonObject(last) ? last.value : undefined;
}

function run<T>(warnings: MergeWarning[], body: () => T): MergeResult<T> {
  try {
    return { ok: true, value: body(), warnings };
  } catch (e) {
    if (e instanceof MergeFailure) return { ok: false, error: e.failure, warnings };
    throw e;
  }
}

/** The compiled release of the releases of one ocid. */
export function compileReleases(
  releases: readonly Json[],
  rules: MergeRules,
  options: MergeOptions = {},
): MergeResult<JsonObject> {
  const sorted = sortReleases(releases);
  if (!sorted.ok) return { ok: false, error: sorted.error, warnings: [] };
  const builder = new CompiledReleaseBuilder(rules, options);
  return run(builder.warnings, () => {
    for (const r of sorted.releases) builder.append(r);
    return builder.build();
  });
}

/** The versioned release of the releases of one ocid. */
export function versionReleases(
  releases: readonly Json[],
  rules: MergeRules,
  options: MergeOptions = {},
): MergeResult<JsonObject> {
  const sorted = sortReleases(releases);
  if (!sorted.ok) return { ok: false, error: sorted.error, warnings: [] };
  const builder = new VersionedReleaseBuilder(rules, options);
  return run(builder.warnings, () => {
    for (const r of sorted.releases) builder.append(r);
    return builder.build();
  });
}

export type MergedOutputs = { compiled?: JsonObject; versioned?: JsonObject };

/** The newest release date recorded in a saved compiled or versioned release. */
export function lastReleaseDate(saved: MergedOutputs): string | undefined {
  if (typeof saved.compiled?.date === 'string') return saved.compiled.date;
  if (!saved.versioned) return undefined;
  let max: string | undefined;
  const visit = (v: Json): void => {
    if (Array.isArray(v)) {
      for (const x of v) {
        if (isVersionedValue(x) && typeof (x as JsonObject).releaseDate === 'string') {
          const d = (x as JsonObject).releaseDate as string;
          if (max === undefined || d > max) max = d;
        } else visit(x);
      }
    } else if (isJsonObject(v)) for (const x of Object.values(v)) visit(x);
  };
  visit(saved.versioned);
  return max;
}

/**
 * Adds one new release to saved outputs without replaying the history (ocdsmerge
 * `MergedRelease(data=...)`, "update merged releases"). That is only correct when the new release is
 * not older than the newest one already merged (equal dates sort after it, as a stable sort would);
 * otherwise the full history is merged again when `history` is given, else `outOfOrderRelease`.
 */
export function appendToMerged(
  saved: MergedOutputs,
  release: Json,
  rules: MergeRules,
  options: MergeOptions & { history?: readonly Json[] | (() => readonly Json[]) } = {},
): MergeResult<MergedOutputs & { mode: 'incremental' | 'full' }> {
  const check = sortReleases([release, release]);
  if (!check.ok) return { ok: false, error: check.error, warnings: [] };
  const r = release as JsonObject;
  const last = lastReleaseDate(saved);
  if (last !== undefined && (r.date as string) < last) {
    const history = typeof options.history === 'function' ? options.history() : options.history;
    if (!history)
      return {
        ok: false,
        error: {
          code: 'outOfOrderRelease',
          message: `release date ${String(r.date)} is older than the last merged date ${last}; the full history is needed`,
        },
        warnings: [],
      };
    const all = [...history, release];
    const warnings: MergeWarning[] = [];
    const out: MergedOutputs & { mode: 'full' } = { mode: 'full' };
    if (saved.compiled || !saved.versioned) {
      const c = compileReleases(all, rules, options);
      warnings.push(...c.warnings);
      if (!c.ok) return { ok: false, error: c.error, warnings };
      out.compiled = c.value;
    }
    if (saved.versioned) {
      const v = versionReleases(all, rules, options);
      warnings.push(...v.warnings);
      if (!v.ok) return { ok: false, error: v.error, warnings };
      out.versioned = v.value;
    }
    return { ok: true, value: out, warnings };
  }
  const warnings: MergeWarning[] = [];
  return run(warnings, () => {
    const out: MergedOutputs & { mode: 'incremental' } = { mode: 'incremental' };
    if (saved.compiled || !saved.versioned) {
      const b = new CompiledReleaseBuilder(rules, options, saved.compiled);
      b.append(r);
      warnings.push(...b.warnings);
      out.compiled = b.build();
    }
    if (saved.versioned) {
      const b = new VersionedReleaseBuilder(rules, options, saved.versioned);
      b.append(r);
      warnings.push(...b.warnings);
      out.versioned = b.build();
    }
    return out;
  });
}
