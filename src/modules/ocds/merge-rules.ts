/**
 * Merge rules derived from a release schema (OCDS 1.1 "Merging", ocds.md §3.1 step 5 and §3.2): which
 * paths are dropped when merging (`omitWhenMerged`, 1.0 `mergeStrategy: "ocdsOmit"`) and which arrays
 * are replaced whole (`wholeListMerge`, 1.0 `"ocdsVersion"`, arrays of non-objects, arrays of objects
 * without an `id` property). Pure: the schema is an object the caller loaded (core schema patched with
 * the declared extensions). Port of ocdsmerge `rules.py`, checked against its golden fixtures.
 */
import { isJsonObject, type Json, type JsonObject } from './merge.types.js';

export type MergeRule = 'omitWhenMerged' | 'wholeListMerge';

/** A node of the rule tree: one per schema property path, array levels folded away. */
export type RuleNode = { rule?: MergeRule; children?: Map<string, RuleNode> };

export type MergeRules = {
  root: RuleNode;
  /** The same rules keyed by dotted path (`awards.suppliers`), for reports and tests. */
  byPath: ReadonlyMap<string, MergeRule>;
};

const cache = new WeakMap<object, MergeRules>();

function types(value: JsonObject): string[] {
  const t = value.type;
  if (typeof t === 'string') return [t];
  if (Array.isArray(t)) return t.filter((x): x is string => typeof x === 'string');
  return [];
}

/** JSON pointer inside the schema itself (`#/definitions/Award`); remote refs are not followed. */
function resolvePointer(root: JsonObject, ref: string): Json | undefined {
  if (ref === '#') return root;
  if (!ref.startsWith('#/')) return undefined;
  let node: Json | undefined = root;
  for (const raw of ref.slice(2).split('/')) {
    const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    if (!isJsonObject(node) && !Array.isArray(node)) return undefined;
    node = Array.isArray(node) ? node[Number(key)] : Object.hasOwn(node, key) ? node[key] : undefined;
  }
  return node;
}

/**
 * Follows `$ref` the way jsonref does for ocdsmerge: an object with `$ref` is replaced by its target
 * (sibling keywords are ignored). `seen` holds the refs being expanded on the current path, so a
 * recursive definition stops instead of looping.
 */
function deref(
  root: JsonObject,
  value: Json | undefined,
  seen: Set<string>,
): { node: JsonObject; ref?: string } {
  let node = value;
  let lastRef: string | undefined;
  for (let hops = 0; isJsonObject(node) && typeof node.$ref === 'string' && hops < 32; hops++) {
    const ref: string = node.$ref;
    if (seen.has(ref)) return { node: {} };
    lastRef = ref;
    node = resolvePointer(root, ref);
  }
  return lastRef
    ? { node: isJsonObject(node) ? node : {}, ref: lastRef }
    : { node: isJsonObject(node) ? node : {} };
}

function walk(
  root: JsonObject,
  properties: JsonObject,
  path: string[],
  parent: RuleNode,
  byPath: Map<string, MergeRule>,
  seen: Set<string>,
): void {
  for (const [key, raw] of Object.entries(properties)) {
    const { node: value, ref } = deref(root, raw, seen);
    if (ref) seen.add(ref);
    const newPath = [...path, key];
    const t = types(value);
    const child: RuleNode = {};
    const setRule = (rule: MergeRule) => {
      child.rule = rule;
      byPath.set(newPath.join('.'), rule);
    };
    // `omitWhenMerged` supersedes all other rules; `wholeListMerge` supersedes nested rules.
    if (value.omitWhenMerged || value.mergeStrategy === 'ocdsOmit') setRule('omitWhenMerged');
    else if (t.includes('array') && (value.wholeListMerge || value.mergeStrategy === 'ocdsVersion'))
      setRule('wholeListMerge');
    else if (t.includes('object') && isJsonObject(value.properties))
      walk(root, value.properties, newPath, child, byPath, seen);
    else if (t.includes('array') && value.items !== undefined) {
      const { node: items, ref: itemsRef } = deref(root, value.items, seen);
      if (itemsRef) seen.add(itemsRef);
      const itemTypes = types(items);
      // Arrays of non-objects, and objects without an `id`, are replaced whole (merging.md "Whole list merge").
      if (itemTypes.some((x) => x !== 'object')) setRule('wholeListMerge');
      else if (itemTypes.includes('object') && isJsonObject(items.properties)) {
        if (!Object.hasOwn(items.properties, 'id')) setRule('wholeListMerge');
        else walk(root, items.properties, newPath, child, byPath, seen);
      }
      if (itemsRef) seen.delete(itemsRef);
    }
    if (ref) seen.delete(ref);
    if (child.rule || child.children) {
      if (!parent.children) parent.children = new Map();
      parent.children.set(key, child);
    }
  }
}

/** The merge rules of a release schema, computed once per schema object. */
export function mergeRulesFromSchema(schema: JsonObject): MergeRules {
  const hit = cache.get(schema);
  if (hit) return hit;
  const root: RuleNode = {};
  const byPath = new Map<string, MergeRule>();
  const { node } = deref(schema, schema, new Set());
  if (isJsonObject(node.properties)) walk(schema, node.properties, [], root, byPath, new Set());
  const rules = { root, byPath };
  cache.set(schema, rules);
  return rules;
}

/** No rules at all (an empty schema): every array of objects is identifier-merged. */
export const NO_RULES: MergeRules = { root: {}, byPath: new Map() };
