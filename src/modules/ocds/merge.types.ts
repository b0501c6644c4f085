/**
 * JSON values as the OCDS merge sees them (issue 6). OCDS data is passed through untouched: numbers
 * stay JSON numbers and strings stay strings; nothing here is money arithmetic.
 */
export type Json = null | boolean | number | string | Json[] | JsonObject;
export type JsonObject = { [key: string]: Json };

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Why a merge could not be done (the reference implementation's exceptions, as values). */
export type MergeErrorCode =
  | 'missingDate'
  | 'nullDate'
  | 'nonStringDate'
  | 'nonObjectRelease'
  | 'inconsistentType'
  | 'outOfOrderRelease';

export type MergeError = { code: MergeErrorCode; message: string };

/** A problem that the merge survives (ocdsmerge's `DuplicateIdValueWarning`). */
export type MergeWarning = { code: 'duplicateId'; path: string; id: string; message: string };

export type MergeResult<T> =
  | { ok: true; value: T; warnings: MergeWarning[] }
  | { ok: false; error: MergeError; warnings: MergeWarning[] };

/** Per-path overrides for bad publisher data (ocdsmerge `APPEND` / `MERGE_BY_POSITION`). */
export type RuleOverride = 'append' | 'mergeByPosition';
