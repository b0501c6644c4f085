/**
 * The OCDS bulk downloads (issue 6 point 3), generated incrementally into `<dataDir>/ocds-bulk/`:
 *
 *  - `releases.jsonl.gz`: every release, one canonical JSON text a line, in publication order (the
 *    feed's (xid, seq) order, ocds.feed.ts). Each run appends only the releases past the manifest's
 *    mark as new gzip members: concatenated members are one gzip file (RFC 1952 §2.2), so the history
 *    is never decoded or rewritten. (Its SHA-256 in the manifest is still computed over the whole
 *    file on each run that appends.) The file starts with an empty member, so it is valid gzip
 *    while empty.
 *  - `daily/YYYY-MM-DD.releases.jsonl.gz`: the same, per UTC day of publication (`published_at`),
 *    appended the same way. A day is marked final (immutable, cached for ever) once it is over by
 *    the grace period and none of its visible releases is above the watermark; the grace covers a
 *    transaction that read the clock in that day and is still in flight (not yet visible).
 *  - `records.jsonl.gz`: every record as an OCDS record object (ocid, `releases` as linked releases,
 *    `compiledRelease`). versionedRelease is left out by design (the coordinator's rule: it is served
 *    per record at /ocds/v1/records/{ocid}); it would multiply the file's size. Records change in
 *    place, so they cannot be appended: they are partitioned by a stable hash of the ocid (the first
 *    byte of its MD5, modulo SEGMENTS) into segment files, each one gzip member sorted by ocid; a run
 *    rewrites only the segments holding a record changed since the manifest's records mark, and the
 *    download is the segments in order. The file is thus ordered by (segment, ocid): deterministic,
 *    and a record appears exactly once, with its current content.
 *  - `contracts.csv`: the flattening of each compiled release (ocds-csv.ts), segmented like the
 *    records and rewritten with them (a header piece, then the segments in order).
 *
 * Consistency. Which rows are taken follows the feeds' watermark (ocds.feed.ts): only rows whose
 * writing transaction is below pg_snapshot_xmin(pg_current_snapshot()) are past the marks, so a
 * late commit with a lower seq is never skipped. The manifest (`manifest.json`, written to a
 * temporary file, fsynced and renamed) is the only commit point: it names each file's size and
 * SHA-256. The routes serve the appended files up to the manifest's size only, so a reader never
 * sees a half-written member; a run that died midway leaves bytes past that size, which the next
 * run truncates before appending. Rewritten files (segments) carry the generation in their name and
 * the previous generation's files are kept until the next run, so a download in progress keeps its
 * open files. Two runs never overlap: an in-process guard per directory and, on PostgreSQL (several
 * processes may share the database and the data directory), a session advisory lock keyed by the
 * schema, held on one pooled connection for the run (PGlite is one process over one connection:
 * holding its connection would stall every request, and the in-process guard is enough there).
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';
import { sql } from 'kysely';
import type { Clock } from '../../platform/clock.js';
import { toCsv } from '../../platform/csv.js';
import type { Db, DriverName } from '../../platform/db/client.js';
import { isJsonObject } from './merge.types.js';
import { recordEntries } from './ocds.feed.js';
import { type FeedKey, type ReleasePageRow, recordKeysAfter, releasePage } from './ocds.repo.js';
import { CONTRACT_CSV_HEADER, contractRows } from './ocds-csv.js';

const gzip = promisify(gzipCallback);

export const BULK_DIR = 'ocds-bulk';
export const SEGMENTS = 64;
const PAGE = 1000;
const RECORD_BATCH = 200;
/** A day's file becomes final this long after the day ends (see the module comment). */
export const DEFAULT_DAILY_GRACE_MS = 15 * 60_000;

export type BulkDeps = {
  db: Db;
  driver: DriverName;
  /** The data directory (config.dataDir); the files go to `<dataDir>/ocds-bulk`. */
  dataDir: string;
  /** The public origin, for the records' release links (config.publicUrl). */
  baseUrl: string;
  clock: Clock;
  dailyGraceMs?: number;
};

export type FileEntry = {
  /** The file's name inside the bulk directory. */
  file: string;
  size: number;
  sha256: string;
  /** Lines (releases, records) or data rows (CSV). */
  count: number;
  lastModified: string;
};

export type DailyEntry = FileEntry & { final: boolean };
export type SegmentEntry = {
  file: string;
  size: number;
  count: number;
  csvFile: string;
  csvSize: number;
  rows: number;
};

export type Manifest = {
  version: 1;
  generation: number;
  generatedAt: string;
  releases: FileEntry & { mark: FeedKey | null };
  daily: Record<string, DailyEntry>;
  records: Omit<FileEntry, 'file'> & { mark: FeedKey | null; segments: SegmentEntry[] };
  csv: Omit<FileEntry, 'file'> & { header: string };
};

export type BulkResult =
  | { status: 'busy'; ms: number }
  | {
      status: 'done';
      generation: number;
      releases: { appended: number; total: number; bytes: number };
      daily: { touched: string[]; finalised: string[]; late: number };
      records: { changed: number; segmentsRewritten: number; total: number; bytes: number };
      csv: { rows: number; bytes: number; rewritten: boolean };
      ms: number;
    };

export const bulkDir = (dataDir: string): string => path.join(dataDir, BULK_DIR);
const RELEASES_FILE = 'releases.jsonl.gz';
const MANIFEST_FILE = 'manifest.json';
export const dailyFile = (day: string): string => `daily/${day}.releases.jsonl.gz`;

/** The segment of an ocid: the first byte of its MD5, modulo SEGMENTS (stable across versions). */
export function segmentOf(ocid: string): number {
  return (createHash('md5').update(ocid, 'utf8').digest()[0] as number) % SEGMENTS;
}

// --- manifest -----------------------------------------------------------------------------------

function emptyManifest(): Manifest {
  return {
    version: 1,
    generation: 0,
    generatedAt: '',
    releases: { file: RELEASES_FILE, size: 0, sha256: '', count: 0, lastModified: '', mark: null },
    daily: {},
    records: { size: 0, sha256: '', count: 0, lastModified: '', mark: null, segments: [] },
    csv: { size: 0, sha256: '', count: 0, lastModified: '', header: '' },
  };
}

/** The manifest, or undefined when nothing has been generated in this data directory yet. */
export async function readManifest(dataDir: string): Promise<Manifest | undefined> {
  try {
    const parsed = JSON.parse(
      await fs.readFile(path.join(bulkDir(dataDir), MANIFEST_FILE), 'utf8'),
    ) as unknown;
    return isJsonObject(parsed) && parsed.version === 1 ? (parsed as unknown as Manifest) : undefined;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Writes a file whole, durably, under its final name only once complete (temporary + rename). */
async function writeAtomic(file: string, data: string | Uint8Array): Promise<void> {
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  const fh = await fs.open(tmp, 'w');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await fs.rename(tmp, file);
}

/** Appends bytes to a file cut first to `size` (dropping a dead run's partial write); fsynced. */
async function appendAt(file: string, size: number, data: Uint8Array): Promise<void> {
  const fh = await fs.open(file, 'a+');
  try {
    const { size: actual } = await fh.stat();
    if (actual < size) throw new Error(`${file} is shorter (${actual}) than its manifest says (${size})`);
    if (actual > size) await fh.truncate(size);
    await fh.write(data, 0, data.length, size);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** SHA-256 of the first `size` bytes of the files, in order (hex). */
async function hashFiles(parts: readonly { file: string; size: number }[]): Promise<string> {
  const hash = createHash('sha256');
  for (const p of parts) {
    if (p.size === 0) continue;
    for await (const chunk of createReadStream(p.file, { start: 0, end: p.size - 1 }))
      hash.update(chunk as Buffer);
  }
  return hash.digest('hex');
}

// --- SQL -----------------------------------------------------------------------------------------

/** Whether any visible release of the UTC day is still above the watermark. */
async function dayHeldBack(db: Db, day: string): Promise<boolean> {
  const start = new Date(`${day}T00:00:00Z`);
  const end = new Date(start.getTime() + 86_400_000);
  const row = await db
    .selectFrom('ocds_release')
    .select(sql<boolean>`true`.as('held'))
    .where('published_at', '>=', start)
    .where('published_at', '<', end)
    .where(sql<boolean>`xid >= pg_snapshot_xmin(pg_current_snapshot())`)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

// --- the lock -----------------------------------------------------------------------------------

const runningHere = new Set<string>();

async function withBulkLock<T>(deps: BulkDeps, fn: () => Promise<T>): Promise<T | 'busy'> {
  const key = path.resolve(bulkDir(deps.dataDir));
  if (runningHere.has(key)) return 'busy';
  runningHere.add(key);
  try {
    if (deps.driver !== 'postgres') return await fn();
    // One pooled connection holds the session lock for the whole run (and releases it).
    return await deps.db.connection().execute(async (conn) => {
      const lockKey = sql`hashtextextended('contracta:ocds-bulk:' || current_schema(), 0)`;
      const got = await sql<{ ok: boolean }>`SELECT pg_try_advisory_lock(${lockKey}) AS ok`.execute(conn);
      if (!got.rows[0]?.ok) return 'busy' as const;
      try {
        return await fn();
      } finally {
        await sql`SELECT pg_advisory_unlock(${lockKey})`.execute(conn);
      }
    });
  } finally {
    runningHere.delete(key);
  }
}

// --- generation ---------------------------------------------------------------------------------

const utcDay = (d: Date): string => d.toISOString().slice(0, 10);

type SegmentOutput = { records: Buffer; csv: string; count: number; rows: number };

/** The records and CSV rows of some ocids (sorted), read by primary key in batches. */
async function buildSegment(deps: BulkDeps, ocids: readonly string[]): Promise<SegmentOutput> {
  const lines: string[] = [];
  const rows: string[] = [];
  let rowCount = 0;
  for (let i = 0; i < ocids.length; i += RECORD_BATCH) {
    const batch = ocids.slice(i, i + RECORD_BATCH);
    const records = await deps.db
      .selectFrom('ocds_record')
      .select(['ocid', 'compiled'])
      .where('ocid', 'in', batch)
      .orderBy('ocid')
      .execute();
    // As the records feed serves them (linked releases, compiled release).
    for (const entry of await recordEntries(deps.db, deps.baseUrl, records)) {
      lines.push(JSON.stringify(entry));
      const csvRows = contractRows(entry.compiledRelease);
      rowCount += csvRows.length;
      if (csvRows.length > 0) rows.push(toCsv(csvRows));
    }
  }
  const text = lines.length > 0 ? `${lines.join('\n')}\n` : '';
  return { records: await gzip(text), csv: rows.join(''), count: lines.length, rows: rowCount };
}

/** Every ocid, sorted (the primary key's order), grouped by segment. */
async function ocidsBySegment(db: Db): Promise<string[][]> {
  const out: string[][] = Array.from({ length: SEGMENTS }, () => []);
  let last: string | undefined;
  for (;;) {
    const page = await db
      .selectFrom('ocds_record')
      .select('ocid')
      .$if(last !== undefined, (q) => q.where('ocid', '>', last as string))
      .orderBy('ocid')
      .limit(10_000)
      .execute();
    for (const r of page) out[segmentOf(r.ocid)]?.push(r.ocid);
    if (page.length < 10_000) return out;
    last = page[page.length - 1]?.ocid;
  }
}

/** Appends the releases past the mark to the releases file and the daily files. */
async function appendReleases(
  deps: BulkDeps,
  dir: string,
  m: Manifest,
  now: Date,
): Promise<{ appended: number; touched: Set<string>; late: number }> {
  const releasesPath = path.join(dir, RELEASES_FILE);
  if (m.releases.size === 0) {
    // An empty member first: the file is valid gzip from the start, before any release.
    const empty = await gzip('');
    await appendAt(releasesPath, 0, empty);
    m.releases.size = empty.length;
  }
  let appended = 0;
  let late = 0;
  const touched = new Set<string>();
  for (;;) {
    const rows = await releasePage(deps.db, { after: m.releases.mark ?? undefined, limit: PAGE });
    if (rows.length === 0) break;
    const member = await gzip(`${rows.map((r) => r.json).join('\n')}\n`);
    await appendAt(releasesPath, m.releases.size, member);
    m.releases.size += member.length;
    m.releases.count += rows.length;
    const byDay = new Map<string, string[]>();
    for (const r of rows) {
      const day = utcDay(r.published_at);
      if (m.daily[day]?.final) {
        // Published under a day already closed: it stays in releases.jsonl.gz only (counted).
        late += 1;
        continue;
      }
      const lines = byDay.get(day);
      if (lines) lines.push(r.json);
      else byDay.set(day, [r.json]);
    }
    for (const [day, lines] of byDay) {
      const entry: DailyEntry = m.daily[day] ?? {
        file: dailyFile(day),
        size: 0,
        sha256: '',
        count: 0,
        lastModified: '',
        final: false,
      };
      const part = await gzip(`${lines.join('\n')}\n`);
      await appendAt(path.join(dir, entry.file), entry.size, part);
      entry.size += part.length;
      entry.count += lines.length;
      entry.lastModified = now.toISOString();
      m.daily[day] = entry;
      touched.add(day);
    }
    const last = rows[rows.length - 1] as ReleasePageRow;
    m.releases.mark = { xid: last.xid, seq: last.seq };
    appended += rows.length;
    if (rows.length < PAGE) break;
  }
  if (appended > 0 || m.releases.sha256 === '') {
    m.releases.sha256 = await hashFiles([{ file: releasesPath, size: m.releases.size }]);
    m.releases.lastModified = now.toISOString();
  }
  for (const day of touched) {
    const entry = m.daily[day] as DailyEntry;
    entry.sha256 = await hashFiles([{ file: path.join(dir, entry.file), size: entry.size }]);
  }
  return { appended, touched, late };
}

/** Marks as final the days over by the grace period with nothing of theirs above the watermark. */
async function finaliseDays(deps: BulkDeps, m: Manifest, now: Date): Promise<string[]> {
  const grace = deps.dailyGraceMs ?? DEFAULT_DAILY_GRACE_MS;
  const finalised: string[] = [];
  for (const [day, entry] of Object.entries(m.daily)) {
    if (entry.final) continue;
    const end = new Date(`${day}T00:00:00Z`).getTime() + 86_400_000;
    if (now.getTime() < end + grace) continue;
    if (await dayHeldBack(deps.db, day)) continue;
    entry.final = true;
    finalised.push(day);
  }
  return finalised;
}

/** Rewrites the segments of the records changed past the mark (all of them on the first run). */
async function rewriteSegments(
  deps: BulkDeps,
  dir: string,
  m: Manifest,
  generation: number,
  now: Date,
): Promise<{ changed: number; rewritten: number }> {
  const touched = new Set<number>();
  let changed = 0;
  let mark = m.records.mark;
  for (;;) {
    const rows = await recordKeysAfter(deps.db, mark ?? undefined, PAGE);
    for (const r of rows) touched.add(segmentOf(r.ocid));
    changed += rows.length;
    const last = rows[rows.length - 1];
    if (last) mark = { xid: last.xid, seq: last.seq };
    if (rows.length < PAGE) break;
  }
  const first = m.records.segments.length !== SEGMENTS;
  if (first) for (let s = 0; s < SEGMENTS; s++) touched.add(s);
  m.records.mark = mark;
  if (touched.size === 0) return { changed, rewritten: 0 };

  const ocids = await ocidsBySegment(deps.db);
  const segments = first
    ? Array.from({ length: SEGMENTS }, (): SegmentEntry | undefined => undefined)
    : [...m.records.segments];
  await fs.mkdir(path.join(dir, 'records'), { recursive: true });
  await fs.mkdir(path.join(dir, 'csv'), { recursive: true });
  for (const s of [...touched].sort((a, b) => a - b)) {
    const out = await buildSegment(deps, ocids[s] ?? []);
    const name = String(s).padStart(2, '0');
    const file = `records/${name}.${generation}.jsonl.gz`;
    const csvFile = `csv/${name}.${generation}.csv`;
    await writeAtomic(path.join(dir, file), out.records);
    await writeAtomic(path.join(dir, csvFile), out.csv);
    segments[s] = {
      file,
      size: out.records.length,
      count: out.count,
      csvFile,
      csvSize: Buffer.byteLength(out.csv, 'utf8'),
      rows: out.rows,
    };
  }
  m.records.segments = segments.map((s) => {
    if (!s) throw new Error('a records segment is missing');
    return s;
  });
  m.records.size = m.records.segments.reduce((n, s) => n + s.size, 0);
  m.records.count = m.records.segments.reduce((n, s) => n + s.count, 0);
  m.records.sha256 = await hashFiles(
    m.records.segments.map((s) => ({ file: path.join(dir, s.file), size: s.size })),
  );
  m.records.lastModified = now.toISOString();

  const header = toCsv([[...CONTRACT_CSV_HEADER]]);
  if (m.csv.header !== header) await writeAtomic(path.join(dir, 'csv', 'header.csv'), header);
  m.csv.header = header;
  const headerSize = Buffer.byteLength(header, 'utf8');
  m.csv.size = headerSize + m.records.segments.reduce((n, s) => n + s.csvSize, 0);
  m.csv.count = m.records.segments.reduce((n, s) => n + s.rows, 0);
  m.csv.sha256 = await hashFiles([
    { file: path.join(dir, 'csv', 'header.csv'), size: headerSize },
    ...m.records.segments.map((s) => ({ file: path.join(dir, s.csvFile), size: s.csvSize })),
  ]);
  m.csv.lastModified = now.toISOString();
  return { changed, rewritten: touched.size };
}

/** Removes segment files neither this manifest nor the previous one names (downloads in progress). */
async function removeStale(dir: string, current: Manifest, previous: Manifest | undefined): Promise<void> {
  const keep = new Set<string>();
  for (const m of [current, previous])
    for (const s of m?.records.segments ?? []) keep.add(s.file).add(s.csvFile);
  for (const sub of ['records', 'csv']) {
    const names = await fs.readdir(path.join(dir, sub)).catch(() => [] as string[]);
    for (const name of names) {
      const rel = `${sub}/${name}`;
      if (name === 'header.csv' || keep.has(rel)) continue;
      await fs.rm(path.join(dir, rel), { force: true });
    }
  }
}

/**
 * Brings the bulk files up to date: appends the new releases, rewrites the changed records'
 * segments and their CSV, closes the finished days, then commits the manifest. `busy` when another
 * run holds the lock (it will include whatever this one would have).
 */
export async function regenerateBulk(deps: BulkDeps): Promise<BulkResult> {
  const started = performance.now();
  const outcome = await withBulkLock(deps, async () => {
    const dir = bulkDir(deps.dataDir);
    await fs.mkdir(path.join(dir, 'daily'), { recursive: true });
    const previous = await readManifest(deps.dataDir);
    const m: Manifest = structuredClone(previous ?? emptyManifest());
    const now = deps.clock.now();
    const generation = m.generation + 1;
    const releases = await appendReleases(deps, dir, m, now);
    const finalised = await finaliseDays(deps, m, now);
    const records = await rewriteSegments(deps, dir, m, generation, now);
    const changed =
      previous === undefined ||
      releases.appended > 0 ||
      finalised.length > 0 ||
      records.rewritten > 0 ||
      JSON.stringify(previous.records.mark) !== JSON.stringify(m.records.mark);
    if (changed) {
      m.generation = generation;
      m.generatedAt = now.toISOString();
      await writeAtomic(path.join(dir, MANIFEST_FILE), `${JSON.stringify(m, null, 1)}\n`);
      await removeStale(dir, m, previous);
    }
    return {
      status: 'done' as const,
      generation: m.generation,
      releases: { appended: releases.appended, total: m.releases.count, bytes: m.releases.size },
      daily: { touched: [...releases.touched].sort(), finalised, late: releases.late },
      records: {
        changed: records.changed,
        segmentsRewritten: records.rewritten,
        total: m.records.count,
        bytes: m.records.size,
      },
      csv: { rows: m.csv.count, bytes: m.csv.size, rewritten: records.rewritten > 0 },
    };
  });
  const ms = Math.round(performance.now() - started);
  return outcome === 'busy' ? { status: 'busy', ms } : { ...outcome, ms };
}

/**
 * Runs regenerateBulk every `intervalS` seconds until stopped; errors are reported, not thrown.
 * The stop function resolves once a run in progress has ended, so that the database can be closed
 * after it.
 */
export function startBulkLoop(
  deps: BulkDeps,
  intervalS: number,
  report: (result: BulkResult | Error) => void,
): () => Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let running: Promise<void> = Promise.resolve();
  const tick = () => {
    running = (async () => {
      try {
        report(await regenerateBulk(deps));
      } catch (err) {
        report(err instanceof Error ? err : new Error(String(err)));
      }
      if (!stopped) {
        timer = setTimeout(tick, intervalS * 1000);
        timer.unref();
      }
    })();
  };
  // The first run soon after start (the files of a fresh install), then every interval.
  timer = setTimeout(tick, Math.min(intervalS, 5) * 1000);
  timer.unref();
  return async () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    await running;
  };
}
