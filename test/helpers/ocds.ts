import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { expect, vi } from 'vitest';
import type { JsonObject } from '../../src/modules/ocds/merge.types.js';
import type { JsonValue } from '../../src/platform/canonical-json.js';
import type { Db } from '../../src/platform/db/client.js';

/**
 * The shared OCDS data (official schemas, golden merge outputs, real published data), read from
 * `OCDS_DATA_DIR` or `../shared/data/ocds` next to the repository; never copied into it. Suites
 * that need it skip with a clear message when it is absent (a fresh clone elsewhere).
 */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export const OCDS_DATA_DIR = process.env.OCDS_DATA_DIR
  ? path.resolve(process.env.OCDS_DATA_DIR)
  : path.resolve(root, '..', 'shared', 'data', 'ocds');

export const hasOcdsData = fs.existsSync(
  path.join(OCDS_DATA_DIR, 'schema', '1__1__5', 'release-schema.json'),
);

/**
 * For a suite's title: why it is skipped when the data is absent, else where its data comes from
 * (a title must not say "skipped" for a suite that runs).
 */
export const OCDS_DATA_MISSING = hasOcdsData
  ? `data from ${OCDS_DATA_DIR}`
  : `OCDS data not found at ${OCDS_DATA_DIR} (set OCDS_DATA_DIR): skipped`;

export const ocdsPath = (...parts: string[]) => path.join(OCDS_DATA_DIR, ...parts);

/**
 * Waits until the OCDS feed may serve every release written so far: a row is served once every
 * older transaction on the server has ended (the watermark, ocds.feed.ts). On the shared PostgreSQL
 * server other test files' transactions may hold it back for a moment; on PGlite it never waits.
 */
export async function feedSettled(db: Db): Promise<void> {
  await vi.waitFor(
    async () => {
      const r = await sql<{
        ok: boolean;
      }>`SELECT coalesce(max(xid) < pg_snapshot_xmin(pg_current_snapshot()), true) AS ok FROM ocds_release`.execute(
        db,
      );
      if (!r.rows[0]?.ok) throw new Error('the watermark has not passed the last release yet');
    },
    { timeout: 15_000, interval: 50 },
  );
}

/** A page of the releases feed as the tests read it. */
export type FeedPackage = { releases: JsonObject[]; links: { next: string } };

/**
 * Every page of `/ocds/v1/releases?{query}` from the start, once the watermark has passed the last
 * release (feedSettled): the packages and their releases, until an empty page (204).
 */
export async function readReleaseFeed(
  t: {
    app: { inject(url: string): Promise<{ statusCode: number; body: string; json(): unknown }> };
    db: { db: Db };
  },
  query: string,
): Promise<{ bodies: FeedPackage[]; releases: JsonObject[] }> {
  const bodies: FeedPackage[] = [];
  const releases: JsonObject[] = [];
  let url = `/ocds/v1/releases?${query}`;
  await feedSettled(t.db.db);
  for (let i = 0; i < 50; i++) {
    const res = await t.app.inject(url);
    // An empty page is 204 No Content (a package needs one release at least): the end of the feed.
    if (res.statusCode === 204) return { bodies, releases };
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json() as FeedPackage;
    expect(body.releases.length).toBeGreaterThan(0);
    bodies.push(body);
    releases.push(...body.releases);
    url = body.links.next.replace(/^https?:\/\/[^/]+/, '');
  }
  throw new Error('feed did not end');
}

/**
 * What the 1.1.5 schema (from the OCDS data, with our extensions offline) and the quality checks
 * find in a document we publish, one line per finding; `extensions` for a bare release. Only with
 * the data present (hasOcdsData). The validator is loaded on first use: most suites that import this
 * helper never validate.
 */
export async function publishedFindings(doc: unknown, extensions?: string[]): Promise<string[]> {
  const { validate } = await import('../../src/modules/ocds/validate.js');
  const options = { schema: { dir: ocdsPath('schema') }, extensionSource: { offline: true } };
  const report = await validate(doc as JsonValue, options, extensions);
  return report.findings.map((f) => `${f.severity} ${f.code} ${f.path}`);
}
