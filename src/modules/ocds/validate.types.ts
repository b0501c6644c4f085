/**
 * Findings of OCDS validation (issue 6): schema errors from the patched 1.1.5 schema and the quality
 * checks of ocds.md §5–6. Each finding has a stable code (tests and users may match on it) and the
 * JSON pointer (RFC 6901) of the value in the document it was found in.
 */
export type Severity = 'error' | 'warning';

export type FindingCode =
  // Schema (draft-04, Ajv): `schema.<keyword>`, e.g. schema.required, schema.enum, schema.format, schema.type.
  | `schema.${string}`
  // Input
  | 'input.empty'
  | 'input.unknown'
  | 'input.encoding'
  | 'extension.unavailable'
  // Identifiers
  | 'release.id.duplicate'
  | 'release.id.hash'
  | 'record.ocid.duplicate'
  | 'array.id.duplicate'
  | 'ocid.prefix.format'
  | 'ocid.prefix.unexpected'
  // Code lists
  | 'codelist.closed'
  | 'codelist.open'
  // Empty values (lib-cove-ocds `empty_field`)
  | 'empty.string'
  | 'empty.object'
  | 'empty.array'
  // Dates
  | 'date.timezone'
  | 'date.notUtc'
  // Organisations
  | 'party.id.format'
  | 'party.reference.unresolved'
  | 'party.role.missing'
  // Documents (our document integrity extension)
  | 'document.integrity.format'
  // Records
  | 'record.releases.unsorted'
  | 'record.releases.mixed';

export type Finding = {
  code: FindingCode;
  severity: Severity;
  /** JSON pointer of the offending value inside the document ('' = the document itself). */
  path: string;
  message: string;
  /** The value found, when short and useful (a code, an id, a date). */
  value?: string | number | boolean | null;
};

/** What a document turned out to be (in the manner of ocdskit `detect-format`). */
export type DocumentKind =
  | 'release package'
  | 'record package'
  | 'release'
  | 'compiled release'
  | 'versioned release'
  | 'record'
  | 'unknown';

export type DocumentReport = {
  kind: DocumentKind;
  findings: Finding[];
  /** Releases seen (embedded releases of packages and records included). */
  releaseCount: number;
  ocids: string[];
};

/** RFC 6901 escaping of one reference token. */
export function pointerToken(token: string | number): string {
  return String(token).replace(/~/g, '~0').replace(/\//g, '~1');
}

export function joinPointer(base: string, ...tokens: (string | number)[]): string {
  return base + tokens.map((t) => `/${pointerToken(t)}`).join('');
}

export function hasErrors(findings: readonly Finding[]): boolean {
  return findings.some((f) => f.severity === 'error');
}
