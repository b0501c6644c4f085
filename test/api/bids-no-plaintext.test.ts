import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { driverName } from '../helpers/db.js';
import {
  commitment,
  commitVersion,
  makeBidder,
  publishSealedTender,
  type SealedTender,
  sealBid,
  uploadBid,
  withdraw,
} from '../helpers/sealed-bids.js';

/**
 * Acceptance of issue 4: no plaintext before the quorum. Envelopes holding a unique marker are
 * sealed with the sealing library, submitted, replaced and withdrawn, the deadline passes and the
 * commitment is published; then every table (audit included), every stored file and every log
 * line is searched for the marker: zero hits. (The opening's test shows the quorum yields it.)
 */
describe(`no plaintext reaches the server before the opening (${driverName})`, () => {
  let t: TestApp;
  let tender: SealedTender;
  const marker = `MARKER-${randomBytes(12).toString('hex')}`;

  beforeAll(async () => {
    t = await buildTestApp({ now: new Date('2026-11-26T10:00:00Z') });
    tender = await publishSealedTender(t);
  });
  afterAll(async () => t.close());

  async function tableHits(): Promise<{ tables: number; hits: string[] }> {
    const tables = await sql<{ table_name: string }>`
      SELECT table_name FROM information_schema.tables
      WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`.execute(
      t.db.db,
    );
    const hits: string[] = [];
    for (const { table_name } of tables.rows) {
      const rows = await sql<{ row: string }>`SELECT r::text AS row FROM ${sql.table(table_name)} r`.execute(
        t.db.db,
      );
      for (const r of rows.rows) if (r.row.includes(marker)) hits.push(table_name);
    }
    return { tables: tables.rows.length, hits };
  }

  async function fileHits(dir: string): Promise<{ files: number; hits: string[] }> {
    const needle = Buffer.from(marker);
    let files = 0;
    const hits: string[] = [];
    const walk = async (d: string) => {
      for (const e of await fs.readdir(d, { withFileTypes: true }).catch(() => [])) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) await walk(p);
        else {
          files += 1;
          if ((await fs.readFile(p)).includes(needle)) hits.push(p);
        }
      }
    };
    await walk(dir);
    return { files, hits };
  }

  it('finds the marker nowhere: not in any table, stored file or log line', async () => {
    const text = (who: string) => (e: string) => `${who} envelope ${e}: ${marker} preu 123456,78 €`;
    const a = await makeBidder(t);
    const b = await makeBidder(t);
    // Submission, then a replacement, by a.
    const first = await sealBid(tender, { lots: [1], text: text('a') });
    await uploadBid(t, tender, a, first);
    expect((await commitVersion(t, tender, a, first)).statusCode).toBe(201);
    t.clock.advance(1000);
    const second = await sealBid(tender, { bidId: first.bidId, lots: [1, 2], text: text('a2') });
    await uploadBid(t, tender, a, second);
    expect((await commitVersion(t, tender, a, second)).statusCode).toBe(201);
    // b submits and withdraws; and leaves an abandoned upload (pieces, no version).
    const other = await sealBid(tender, { lots: [2], text: text('b') });
    await uploadBid(t, tender, b, other);
    expect((await commitVersion(t, tender, b, other)).statusCode).toBe(201);
    expect((await withdraw(t, tender, b, other.bidId)).statusCode).toBe(201);
    const abandoned = await sealBid(tender, { bidId: other.bidId, lots: [2], text: text('b2') });
    await uploadBid(t, tender, b, abandoned);

    // The deadline passes; the commitment is published.
    t.clock.set(new Date(tender.deadline.getTime() + 1));
    const committed = await commitment(t, tender);
    expect(committed.statusCode, committed.body).toBe(200);
    expect(committed.body).not.toContain(marker);

    // The search itself works: the marker is in what was sealed, and a plaintext copy is found.
    expect(text('a')('A')).toContain(marker);
    const control = path.join(t.blobDir, 'control');
    await fs.mkdir(control, { recursive: true });
    await fs.writeFile(path.join(control, 'plain.txt'), text('x')('A'));
    expect((await fileHits(control)).hits).toHaveLength(1);
    await fs.rm(control, { recursive: true });

    const db = await tableHits();
    expect(db.tables).toBeGreaterThan(30);
    expect(db.hits).toEqual([]);
    // Something was stored: 3 versions × 3 envelopes × (1 file + 3 shares), plus the abandoned upload.
    const store = await fileHits(t.blobDir);
    expect(store.files).toBeGreaterThanOrEqual(48);
    expect(store.hits).toEqual([]);
    expect(t.logs.length).toBeGreaterThan(0);
    expect(t.logs.filter((l) => l.includes(marker))).toEqual([]);
  });
});
