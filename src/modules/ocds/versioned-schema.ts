/**
 * The versioned-release validation schema derived from a release schema (issue 6 point 2, ocds.md §10
 * "versionedRelease"). The standard publishes `versioned-release-validation-schema.json` for the core
 * schema only; it is generated from `release-schema.json` by the standard's own build step (the
 * `get_versioned_release_schema` function of open-contracting/standard, `manage.py`). An extension's
 * fields are not in that file, so a versioned release with lots or bids would not be checked there at
 * all, and the file types language variants (`title_es`) as plain strings although every merge (ocdsmerge
 * and ours) versions them like any other string (they are matched by `patternProperties`, which the
 * merge rules never read; the CDMX golden versioned release shows the same for fields outside the
 * schema, e.g. `/tender/submissionmethoddetails`). So we derive the versioned schema ourselves, from the
 * release schema already patched with the declared extensions, by the same transformation:
 *
 *  1. drop the fields with `omitWhenMerged` (release `id`, `date`, `tag`): they travel inside each
 *     versioned value as `releaseID`, `releaseDate`, `releaseTag`;
 *  2. find the `id` fields of objects that sit in arrays (identifier merge): those stay plain values,
 *     since they say which item a versioned value belongs to;
 *  3. replace every other leaf field by a list of versioned values `{releaseDate, releaseID, value,
 *     releaseTag}`; objects with properties are walked into; arrays of `$ref`'d objects are left to
 *     the (versioned) definition; whole-list arrays are versioned as a whole, their items pointing at
 *     `…Unversioned` copies of the definitions; a `$ref` to an object whose `id` is plain in arrays but
 *     stands alone here (`buyer`) points at a `…VersionedId` copy whose `id` is versioned;
 *  4. use three shared definitions for the common string leaves (`StringNullVersioned`, `…Uri…`,
 *     `…DateTime…`), add the `…Unversioned` and `…VersionedId` definitions that are referenced, and
 *     drop titles, descriptions, defaults and the merge keywords from properties and definitions.
 *
 * Where we differ from the standard's step, on purpose (each difference follows what the merge does,
 * merge.ts / merge-rules.ts, ocds.md §3.2, so that what we publish validates against what we derive).
 * Under the option `followMerge` (default on; off reproduces the official file):
 *  - language variants (`patternProperties`) are versioned like the properties;
 *  - an object field without declared properties (`Organization.details`) accepts either a list of
 *    versioned values (null or `{}`, which the merge versions whole) or an object (a non-empty object,
 *    whose fields the merge versions one by one);
 *  - `type: [object, null]` with properties and `type: [array, null]` are treated like `object` and
 *    `array` (none in core 1.1.5; `Organization.details` in the 1.2 draft).
 * Always (none of these occurs in core 1.1.5, so the official file is reproduced all the same):
 *  - an array of `$ref`'d objects without an `id` is merged as a whole list, so it is versioned as one,
 *    of `…Unversioned` items (the award criteria extension's `criteria`);
 *  - an array of inline objects with an `id` is walked into, its `id` kept plain (the standard leaves
 *    this unimplemented and versions such a list whole);
 *  - `$ref`s inside lists (`anyOf`…) are renamed in the `…Unversioned` copies too, and a `$ref` into a
 *    definition (`#/definitions/Value/properties/currency`) gets its suffix on the definition's name.
 * test/ocds/versioned-schema.test.ts checks that with `followMerge` off the derivation of the unpatched
 * 1.1.5 (and 1.1.4) release schema equals the official file, and that with it on the only differences
 * are the language variants and `Organization.details`.
 * Pure: no I/O.
 */
import type { JsonValue } from '../../platform/canonical-json.js';
import { isJsonObject, type JsonObject } from './schema-patch.js';

export type VersionedSchemaOptions = {
  /** The `id` of the derived schema (the record package schema `$ref`s the official one by id). */
  id: string;
  /**
   * Follow the merge where the standard's derivation does not (language variants, object fields
   * without properties, nullable objects and arrays: see the module comment). Default true; false
   * reproduces the official file.
   */
  followMerge?: boolean;
};

export type VersionedSchemaResult = {
  schema: JsonObject;
  /** Combinations the transformation does not know, versioned as a whole (the standard warns too). */
  warnings: string[];
};

/** A list of versioned values: what each versioned leaf becomes. */
function versionedList(value: JsonValue): JsonObject {
  return {
    type: 'array',
    items: {
      type: 'object',
      properties: {
        releaseDate: { format: 'date-time', type: 'string' },
        releaseID: { type: 'string' },
        value,
        releaseTag: { type: 'array', items: { type: 'string' } },
      },
    },
  };
}

/** Shared definitions for the most common leaves, to keep the schema small (as the standard does). */
const COMMON_DEFINITIONS: readonly { name: string; type: string[]; format?: string }[] = [
  { name: 'StringNullUriVersioned', type: ['string', 'null'], format: 'uri' },
  { name: 'StringNullDateTimeVersioned', type: ['string', 'null'], format: 'date-time' },
  { name: 'StringNullVersioned', type: ['string', 'null'] },
];

/**
 * Metadata keywords and OCDS merge keywords (`versionId` is 1.1's, gone in 1.2), dropped from
 * properties and definitions at the end.
 */
const KEYWORDS_TO_REMOVE = [
  'title',
  'description',
  'default',
  'omitWhenMerged',
  'wholeListMerge',
  'versionId',
];

function typesOf(schema: JsonObject): string[] {
  const t = schema.type;
  if (typeof t === 'string') return [t];
  if (Array.isArray(t)) return t.filter((x): x is string => typeof x === 'string');
  return [];
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** `{$ref}` to the common definition `field` matches exactly (no other keyword than metadata). */
function commonRef(field: JsonObject): JsonObject | undefined {
  for (const def of COMMON_DEFINITIONS) {
    if (!sameList(typesOf(field), def.type) || !Array.isArray(field.type)) continue;
    if (field.format !== def.format) continue;
    const allowed = new Set(['type', 'format', ...KEYWORDS_TO_REMOVE]);
    if (Object.keys(field).some((k) => !allowed.has(k))) continue;
    return { $ref: `#/definitions/${def.name}` };
  }
  return undefined;
}

/** The target of a local `#/…` pointer (one level: OCDS refs point at definitions). */
function resolve(root: JsonObject, ref: string): JsonObject | undefined {
  if (!ref.startsWith('#/')) return undefined;
  let node: JsonValue | undefined = root;
  for (const raw of ref.slice(2).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    node = isJsonObject(node) && Object.hasOwn(node, key) ? node[key] : undefined;
  }
  return isJsonObject(node) ? node : undefined;
}

/** The schema of an array's items, following one `$ref`; `ref` is the pointer it went through. */
function itemsOf(root: JsonObject, array: JsonObject): { items: JsonObject; ref?: string } | undefined {
  const items = array.items;
  if (!isJsonObject(items)) return undefined;
  if (typeof items.$ref === 'string') {
    const target = resolve(root, items.$ref);
    return target ? { items: target, ref: items.$ref.slice(1) } : undefined;
  }
  return { items };
}

/** Drops every property with `omitWhenMerged` (and from its object's `required`). */
function removeOmitWhenMerged(node: JsonValue): void {
  if (Array.isArray(node)) {
    for (const x of node) removeOmitWhenMerged(x);
    return;
  }
  if (!isJsonObject(node)) return;
  const properties = node.properties;
  if (isJsonObject(properties)) {
    for (const [name, field] of Object.entries(properties)) {
      if (isJsonObject(field) && field.omitWhenMerged) {
        delete properties[name];
        if (Array.isArray(node.required)) node.required = node.required.filter((r) => r !== name);
      }
    }
  }
  for (const value of Object.values(node)) removeOmitWhenMerged(value);
}

/**
 * A reference to the `suffix` copy of a definition: `#/definitions/Value/properties/currency` becomes
 * `#/definitions/ValueUnversioned/properties/currency` (the standard appends the suffix to the whole
 * reference; the same for core, whose references all name a definition itself).
 */
function withSuffix(ref: string, suffix: string): string {
  const m = /^#\/definitions\/([^/]+)(.*)$/.exec(ref);
  return m ? `#/definitions/${m[1]}${suffix}${m[2]}` : ref + suffix;
}

/** Renames every `$ref` with a suffix (the `…Unversioned` copies reference each other). */
function renameRefs(node: JsonValue, suffix: string): void {
  if (Array.isArray(node)) {
    for (const x of node) renameRefs(x, suffix);
    return;
  }
  if (!isJsonObject(node)) return;
  for (const [key, value] of Object.entries(node)) {
    if (key === '$ref' && typeof value === 'string') node[key] = withSuffix(value, suffix);
    else renameRefs(value, suffix);
  }
}

/**
 * The pointers of the `id` fields that identify array items (`/definitions/Award/properties/id`):
 * the merge matches items by them, so they are never versioned. Arrays merged whole, and arrays of
 * non-objects, have none (their items are not matched by id).
 */
function unversionedIdPointers(root: JsonObject): Set<string> {
  const out = new Set<string>();
  const visit = (node: JsonValue, pointer: string) => {
    if (Array.isArray(node)) {
      node.forEach((x, i) => {
        visit(x, `${pointer}/${i}`);
      });
      return;
    }
    if (!isJsonObject(node)) return;
    const types = typesOf(node);
    if (types.includes('array')) {
      if (node.wholeListMerge) return;
      const found = itemsOf(root, node);
      if (found) {
        if (typesOf(found.items).some((t) => t !== 'object')) return;
        if (isJsonObject(found.items.properties) && Object.hasOwn(found.items.properties, 'id'))
          out.add(`${found.ref ?? `${pointer}/items`}/properties/id`);
      }
    }
    for (const [key, value] of Object.entries(node)) visit(value, `${pointer}/${key}`);
  };
  visit(root, '');
  return out;
}

type Ctx = { root: JsonObject; followMerge: boolean; warnings: string[] };

/** Versions each field of an object schema (its properties, variants and nested definitions). */
function addVersioned(ctx: Ctx, schema: JsonObject, unversioned: Set<string>, pointer: string): void {
  const slots = ctx.followMerge ? (['properties', 'patternProperties'] as const) : (['properties'] as const);
  for (const slot of slots) {
    const fields = schema[slot];
    if (!isJsonObject(fields)) continue;
    for (const [key, value] of Object.entries(fields)) {
      if (isJsonObject(value))
        versionField(
          ctx,
          fields,
          unversioned,
          `${pointer}/${slot}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`,
          key,
          value,
        );
    }
  }
  const definitions = schema.definitions;
  if (isJsonObject(definitions)) {
    for (const [key, value] of Object.entries(definitions))
      if (isJsonObject(value)) addVersioned(ctx, value, unversioned, `${pointer}/definitions/${key}`);
  }
}

/** Versions one field in place (`fields[key]`), per the rules in the module comment. */
function versionField(
  ctx: Ctx,
  fields: JsonObject,
  unversioned: Set<string>,
  pointer: string,
  key: string,
  value: JsonObject,
): void {
  if (unversioned.has(pointer)) return;
  const types = typesOf(value);
  if (types.length === 0 && typeof value.$ref === 'string') {
    // A standalone object whose `id` is plain inside arrays: here its `id` must be versioned. The
    // deprecated `amendment` objects are left alone (OCDS 1.0 amendments had no `id`).
    if (!('deprecated' in value) && unversioned.has(`${value.$ref.slice(1)}/properties/id`))
      value.$ref = withSuffix(value.$ref, 'VersionedId');
    return;
  }
  const common = commonRef(value);
  if (common) {
    fields[key] = common;
    return;
  }
  const isObject = ctx.followMerge ? types.includes('object') : sameList(types, ['object']);
  if (isObject && isJsonObject(value.properties)) {
    addVersioned(ctx, value, unversioned, pointer);
    return;
  }
  const copy = structuredClone(value);
  if (ctx.followMerge && types.includes('object') && !types.includes('array')) {
    // No declared properties (`Organization.details`): the merge still walks into a non-empty object
    // and versions its fields one by one, and versions null or {} as a whole. Accept both shapes.
    const list = versionedList(copy);
    list.type = ['array', 'object'];
    fields[key] = list;
    return;
  }
  const isArray = ctx.followMerge ? types.includes('array') : sameList(types, ['array']);
  if (isArray) {
    const found = itemsOf(ctx.root, value);
    const items = copy.items;
    const itemTypes = found ? typesOf(found.items) : [];
    const hasId =
      found !== undefined &&
      isJsonObject(found.items.properties) &&
      Object.hasOwn(found.items.properties, 'id');
    if (value.wholeListMerge) {
      if (isJsonObject(items) && typeof items.$ref === 'string')
        items.$ref = withSuffix(items.$ref, 'Unversioned');
    } else if (isJsonObject(items) && typeof items.$ref === 'string') {
      // Identifier merge: the definition is versioned field by field. Without an `id` the merge
      // replaces the list whole (merge-rules.ts), so it is versioned as one, of unversioned items.
      if (hasId || itemTypes.some((t) => t !== 'object')) return;
      items.$ref = withSuffix(items.$ref, 'Unversioned');
    } else if (sameList(itemTypes, ['object']) && pointer === '/definitions/Amendment/properties/changes') {
      // Deprecated since 1.1 and left as it is by the standard's own derivation.
      return;
    } else if (itemTypes.includes('object') && hasId && isJsonObject(items)) {
      const ids = new Set(unversioned);
      ids.add(`${pointer}/items/properties/id`);
      addVersioned(ctx, items, ids, `${pointer}/items`);
      fields[key] = copy;
      return;
    } else if (!sameList(itemTypes, ['string'])) {
      ctx.warnings.push(`${pointer}/items has type ${JSON.stringify(itemTypes)}: versioned as a whole`);
    }
  } else if (types.length === 0) {
    ctx.warnings.push(`${pointer} has no type: versioned as a whole`);
  }
  fields[key] = versionedList(copy);
}

/** The NAME of every `#/definitions/NAME…` referenced anywhere in `node`. */
function referencedDefinitions(node: JsonValue, out: Set<string>): Set<string> {
  if (Array.isArray(node)) for (const x of node) referencedDefinitions(x, out);
  else if (isJsonObject(node)) {
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string' && value.startsWith('#/definitions/'))
        out.add(value.slice('#/definitions/'.length).split('/')[0] as string);
      else referencedDefinitions(value, out);
    }
  }
  return out;
}

/** Drops metadata and merge keywords from every property and definition schema. */
function removeMetadata(node: JsonValue): void {
  if (Array.isArray(node)) {
    for (const x of node) removeMetadata(x);
    return;
  }
  if (!isJsonObject(node)) return;
  for (const [key, value] of Object.entries(node)) {
    if ((key === 'definitions' || key === 'properties') && isJsonObject(value)) {
      for (const sub of Object.values(value))
        if (isJsonObject(sub)) for (const k of KEYWORDS_TO_REMOVE) delete sub[k];
    }
    removeMetadata(value);
  }
}

/**
 * The versioned-release validation schema of `releaseSchema` (the core schema, or the core patched
 * with extensions). The input is not modified.
 */
export function versionedReleaseSchema(
  releaseSchema: JsonObject,
  options: VersionedSchemaOptions,
): VersionedSchemaResult {
  const schema = structuredClone(releaseSchema);
  const ctx: Ctx = { root: schema, followMerge: options.followMerge ?? true, warnings: [] };
  schema.id = options.id;
  schema.title = 'Schema for a compiled, versioned Open Contracting Release.';
  removeOmitWhenMerged(schema);
  const definitions: JsonObject = isJsonObject(schema.definitions) ? schema.definitions : {};
  schema.definitions = definitions;

  const unversionedCopies = new Map<string, JsonObject>();
  for (const [name, def] of Object.entries(definitions)) {
    if (!isJsonObject(def)) continue;
    const copy = structuredClone(def);
    renameRefs(copy, 'Unversioned');
    unversionedCopies.set(`${name}Unversioned`, copy);
  }
  const unversioned = unversionedIdPointers(schema);

  // The ocid identifies the whole record: never versioned.
  const properties = isJsonObject(schema.properties) ? schema.properties : {};
  const ocid = properties.ocid;
  delete properties.ocid;
  addVersioned(ctx, schema, unversioned, '');
  if (ocid !== undefined) properties.ocid = ocid;

  for (const def of COMMON_DEFINITIONS) {
    const value: JsonObject = { type: def.type };
    if (def.format) value.format = def.format;
    definitions[def.name] = versionedList(value);
  }

  // Add the …Unversioned and …VersionedId definitions referenced, until none is missing.
  for (;;) {
    const missing = [...referencedDefinitions(schema, new Set())].filter(
      (n) => !Object.hasOwn(definitions, n),
    );
    if (missing.length === 0) break;
    let added = false;
    for (const name of missing) {
      if (name.endsWith('VersionedId')) {
        const base = name.slice(0, -'VersionedId'.length);
        const source = definitions[base];
        if (!isJsonObject(source) || !isJsonObject(source.properties) || !isJsonObject(source.properties.id))
          continue;
        const copy = structuredClone(source);
        const copyProps = copy.properties as JsonObject;
        const idPointer = `/definitions/${base}/properties/id`;
        const others = new Set(unversioned);
        others.delete(idPointer);
        versionField(ctx, copyProps, others, idPointer, 'id', copyProps.id as JsonObject);
        definitions[name] = copy;
        added = true;
      } else {
        const copy = unversionedCopies.get(name);
        if (!copy) continue;
        definitions[name] = structuredClone(copy);
        added = true;
      }
    }
    if (!added) {
      ctx.warnings.push(`unresolved references: ${missing.join(', ')}`);
      break;
    }
  }
  removeMetadata(schema);
  return { schema, warnings: ctx.warnings };
}
