/**
 * Release packages and record packages as the OCDS API serves them (issue 6 point 3; release and
 * record package schemas 1.1.5, ocds.md §2): the package metadata (uri, version, extensions,
 * publishedDate, publisher, license, publicationPolicy) around stored releases and records.
 * Pure: no I/O, no clock. Stored releases are already canonical JSON text, so a page is written by
 * joining those texts instead of parsing and serialising them again.
 */
import { createHash } from 'node:crypto';
import type { Config } from '../../platform/config.js';
import { declaredExtensionUrls, resolveExtensionUrl } from './extensions.js';
import type { JsonObject } from './merge.types.js';

export type PackageMeta = {
  uri: string;
  version: '1.1';
  extensions: string[];
  publishedDate: string;
  publisher: { name: string; scheme?: string; uid?: string };
  license: string;
  publicationPolicy: string;
};

/**
 * The declared extensions: ours first (Contracta's own ones at this deployment's `baseUrl`), then
 * any other a stored release's package declared (a stored path is one of our own: made absolute).
 */
export function packageExtensions(baseUrl: string, perRow: readonly (readonly string[])[]): string[] {
  const out = new Set(declaredExtensionUrls(baseUrl));
  for (const list of perRow) for (const url of list) out.add(resolveExtensionUrl(url, baseUrl));
  return [...out];
}

/** OCDS dates are UTC with `Z`, to the second (ocds.md §5). */
export function ocdsDate(d: Date): string {
  return `${d.toISOString().slice(0, 19)}Z`;
}

export function packageMeta(
  config: Config['ocds'],
  uri: string,
  publishedDate: Date,
  extensions: string[],
): PackageMeta {
  const publisher: PackageMeta['publisher'] = { name: config.publisherName };
  if (config.publisherScheme) publisher.scheme = config.publisherScheme;
  if (config.publisherUid) publisher.uid = config.publisherUid;
  return {
    uri,
    version: '1.1',
    extensions,
    publishedDate: ocdsDate(publishedDate),
    publisher,
    license: config.license,
    publicationPolicy: config.publicationPolicy,
  };
}

/** `links.next` of a page (the pagination convention of OCDS APIs; packages allow extra fields). */
export type PageLinks = { next?: string };

function open(meta: PackageMeta, links: PageLinks | undefined): string {
  const head = JSON.stringify(links ? { ...meta, links } : meta);
  return head.slice(0, -1);
}

/**
 * A release package around stored release texts (each already a JSON object). The package schema
 * requires at least one release (`releases` minItems 1): callers never build an empty one (an empty
 * feed page is answered 204 No Content, ocds.routes.ts).
 */
export function releasePackageJson(
  meta: PackageMeta,
  releases: readonly string[],
  links?: PageLinks,
): string {
  return `${open(meta, links)},"releases":[${releases.join(',')}]}`;
}

/**
 * A record as served: its releases linked (url, date, tag), the compiled release, and the versioned
 * release only when asked for (`/records/{ocid}?versioned=true`): it is optional in the record
 * schema, and the largest part of a record by far (ocds.md §8: 390 MB of record package for 128 MB
 * of releases), so feeds and bulk files leave it out (ocds.md §10, decided for issue 6).
 */
export type RecordEntry = {
  ocid: string;
  releases: { url: string; date: string; tag: string[] }[];
  compiledRelease: JsonObject;
  versionedRelease?: JsonObject;
};

/** A record package; like the release package, never empty (`records` minItems 1). */
export function recordPackageJson(
  meta: PackageMeta,
  records: readonly RecordEntry[],
  links?: PageLinks,
): string {
  return `${open(meta, links)},"records":[${records.map((r) => JSON.stringify(r)).join(',')}]}`;
}

/** A weak validator (the same content gzipped or not), from the uncompressed body. */
export function etagOf(body: string): string {
  return `W/"${createHash('sha256').update(body, 'utf8').digest('base64url').slice(0, 32)}"`;
}

/** If-None-Match with weak comparison (RFC 9110 §13.1.2): a list of tags, or `*`. */
export function matchesIfNoneMatch(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  const want = opaque(etag);
  return header.split(',').some((t) => t.trim() === '*' || opaque(t) === want);
}
