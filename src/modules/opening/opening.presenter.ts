import type { OpeningRecord, OpeningView } from './opening.types.js';

/** An opening record as stored (canonical JSON) and its SHA-256, for the API. */
export function presentOpening(canonical: string, recordSha256: string): OpeningView {
  return { record: JSON.parse(canonical) as OpeningRecord, recordSha256 };
}
