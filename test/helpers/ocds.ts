import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { vi } from 'vitest';
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
