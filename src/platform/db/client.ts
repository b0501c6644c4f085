import fs from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { unaccent } from '@electric-sql/pglite/contrib/unaccent';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { PGliteDialect } from './pglite-dialect.js';
import type { Database } from './schema.js';

export type Db = Kysely<Database>;
export type DriverName = 'pglite' | 'postgres';

/** The small storage interface every module uses: one Kysely instance over either driver. */
export type DatabaseHandle = {
  db: Db;
  driver: DriverName;
  close(): Promise<void>;
  /** PGlite only: a gzipped tarball of the data directory (tests clone a migrated template). */
  dumpDataDir?: () => Promise<Blob>;
};

// Same value shapes on both drivers: bigint and numeric as strings (no float ever), date as 'YYYY-MM-DD'.
const OID_INT8 = 20;
const OID_NUMERIC = 1700;
const OID_DATE = 1082;
const asText = (v: string): string => v;

/**
 * Memory of the embedded database. PGlite keeps PostgreSQL's shared buffers inside its WASM heap,
 * in the server's own process, and touches them at start: with PostgreSQL's default (128 MB, and
 * WAL buffers in proportion) that was a third of the idle server's resident memory (368 MiB idle
 * against 247 MiB with 16 MB, deadline-surge benchmark, docs/BENCHMARKS.md). The data files stay
 * in the operating system's page cache behind it, so a buffer miss is a read from memory, not from
 * the disk. A PostgreSQL server (DATABASE_URL) keeps its own settings.
 */
const PGLITE_SETTINGS = ['-c', 'shared_buffers=16MB'];

export type OpenOptions = {
  /** postgres:// URL; when set, node-postgres is used. */
  databaseUrl?: string | undefined;
  /** PGlite data directory; undefined keeps the database in memory. */
  dataDir?: string | undefined;
  /** A PGlite data-dir tarball to start from (tests clone a migrated template this way). */
  loadDataDir?: Blob | undefined;
  /** search_path for the PostgreSQL connections (tests isolate each file in its own schema). */
  searchPath?: string | undefined;
  poolSize?: number;
  /** Told when the server ends an idle pooled connection (PostgreSQL only); by default a process warning. */
  onIdleError?: ((err: Error) => void) | undefined;
};

/** Opens the database: node-postgres when a URL is given, PGlite otherwise. */
export async function openDatabase(options: OpenOptions): Promise<DatabaseHandle> {
  if (options.databaseUrl) {
    const types = {
      getTypeParser: (oid: number, format?: 'text' | 'binary') => {
        if (oid === OID_INT8 || oid === OID_NUMERIC || oid === OID_DATE) return asText;
        return pg.types.getTypeParser(oid, format);
      },
    };
    const pool = new pg.Pool({
      connectionString: options.databaseUrl,
      max: options.poolSize ?? 10,
      types: types as pg.CustomTypesConfig,
      ...(options.searchPath ? { options: `-c search_path=${options.searchPath}` } : {}),
    });
    // An idle pooled connection that the server ends (a restart, an administrator's
    // pg_terminate_backend, DROP DATABASE … FORCE) is reported as an 'error' event on the pool;
    // unhandled, it would kill the process. The pool drops that client and the next query opens a
    // new one, so it is reported, not thrown.
    pool.on('error', (err) => {
      (
        options.onIdleError ??
        ((e: Error) => process.emitWarning(`idle database connection lost: ${e.message}`))
      )(err);
    });
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return { db, driver: 'postgres', close: () => db.destroy() };
  }
  if (options.dataDir) await fs.mkdir(options.dataDir, { recursive: true });
  const pglite = await PGlite.create({
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    ...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}),
    parsers: { [OID_INT8]: asText, [OID_NUMERIC]: asText, [OID_DATE]: asText },
    // Tender search (migrations/0003_search.sql) needs both. Every instance loads them, including
    // one started from a dumped data directory, whose catalog already names them.
    extensions: { unaccent, pg_trgm },
    startParams: [...PGlite.defaultStartParams, ...PGLITE_SETTINGS],
  });
  const db = new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
  return { db, driver: 'pglite', close: () => db.destroy(), dumpDataDir: () => pglite.dumpDataDir('gzip') };
}
