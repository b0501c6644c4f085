/**
 * Patching the OCDS release schema with extensions (issue 6, ocds.md §3.1 and §4): each extension's
 * `release-schema.json` is a JSON Merge Patch (RFC 7386) of the core release schema. Pure code, no I/O.
 *
 * We apply the patches the way the standard's own tooling does (ocdsextensionregistry
 * `ProfileBuilder.release_schema_patch` / `patched_release_schema`, used by lib-cove-ocds, ocdskit and
 * Kingfisher Process):
 *  1. the extensions' patches are first merged into ONE consolidated patch, in declaration order,
 *     keeping their `null`s as values (the registry swaps `null` for a sentinel while combining), so
 *     that an extension which removes a core field still removes it in step 2;
 *  2. the consolidated patch is applied to the core schema with RFC 7386, where `null` deletes.
 * Arrays (`required`, `enum`, `type`) are replaced whole, as RFC 7386 says: an extension that lists
 * `required` replaces the core list, it does not append to it.
 */
import type { JsonValue } from '../../platform/canonical-json.js';

export type JsonObject = { [key: string]: JsonValue };

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function clone<T extends JsonValue>(value: T): T {
  return structuredClone(value);
}

/**
 * RFC 7386 MergePatch(target, patch), returning a new value (inputs untouched). A non-object patch
 * replaces the target; an object patch is merged member by member, `null` removing the member, and a
 * non-object target is treated as `{}` (RFC 7386 §2).
 */
export function mergePatch(target: JsonValue | undefined, patch: JsonValue): JsonValue {
  if (!isJsonObject(patch)) return clone(patch);
  const out: JsonObject = isJsonObject(target) ? { ...target } : {};
  for (const [name, value] of Object.entries(patch)) {
    if (value === null) delete out[name];
    else out[name] = mergePatch(out[name], value);
  }
  return out;
}

/**
 * Merges `patch` into `acc` like MergePatch but keeping `null` members as values: the consolidation
 * step of the registry's ProfileBuilder (step 1 above).
 */
function combine(acc: JsonValue | undefined, patch: JsonValue): JsonValue {
  if (!isJsonObject(patch)) return clone(patch);
  const out: JsonObject = isJsonObject(acc) ? { ...acc } : {};
  for (const [name, value] of Object.entries(patch)) out[name] = combine(out[name], value);
  return out;
}

/** The extensions' patches folded into one patch, nulls kept (ProfileBuilder.release_schema_patch). */
export function combinePatches(patches: readonly JsonObject[]): JsonObject {
  let acc: JsonValue = {};
  for (const p of patches) acc = combine(acc, p);
  return acc as JsonObject;
}

/**
 * The release schema patched with the extensions' release-schema patches, in order
 * (ProfileBuilder.patched_release_schema). The input schema is not modified.
 */
export function patchSchema(releaseSchema: JsonObject, extensionPatches: readonly JsonObject[]): JsonObject {
  if (extensionPatches.length === 0) return clone(releaseSchema);
  return mergePatch(releaseSchema, combinePatches(extensionPatches)) as JsonObject;
}
