import { createRequire } from 'node:module';
import { type PGlite, parse, protocol } from '@electric-sql/pglite';
import {
  type CompiledQuery,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type QueryCompiler,
  type QueryResult,
} from 'kysely';

/**
 * PGlite is a single connection. Kysely may ask for several connections at once (a transaction
 * and a plain query from another request); this mutex hands out the one connection in turn, so a
 * transaction is never interleaved with another request's statements.
 */
class Mutex {
  #tail: Promise<void> = Promise.resolve();

  lock(): Promise<() => void> {
    let release!: () => void;
    const next = new Promise<void>((resolve) => {
      release = resolve;
    });
    const acquired = this.#tail.then(() => release);
    this.#tail = this.#tail.then(() => next);
    return acquired;
  }
}

const WRITE_COMMANDS = /^\s*(insert|update|delete|merge)\b/i;

/**
 * node-postgres's own conversion of a parameter to its text (or binary) form: a Date, an array, a
 * Buffer, an object as JSON. The same function prepares every parameter on the PostgreSQL driver,
 * so both drivers send the server the same values.
 */
const { prepareValue } = createRequire(import.meta.url)('pg/lib/utils.js') as {
  prepareValue: (value: unknown) => string | Buffer | null;
};

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

class PGliteConnection implements DatabaseConnection {
  constructor(private readonly pg: PGlite) {}

  async executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    // Without parameters, use the simple protocol so that multi-statement scripts (migrations) run
    // as they do on node-postgres; the last statement's result is the query's result.
    const result =
      compiled.parameters.length === 0
        ? ((await this.pg.exec(compiled.sql)).at(-1) ?? { rows: [], affectedRows: 0 })
        : await this.#extendedQuery(compiled.sql, compiled.parameters);
    const isWrite = WRITE_COMMANDS.test(compiled.sql);
    return {
      rows: result.rows as R[],
      ...(isWrite && result.affectedRows !== undefined
        ? { numAffectedRows: BigInt(result.affectedRows) }
        : {}),
    };
  }

  /**
   * A statement with parameters, as node-postgres sends it: Parse, Bind, Describe, Execute and Sync
   * in one message, the parameters untyped (the server infers them, as it does for node-postgres)
   * and prepared by `prepareValue`. PGlite's own `query()` makes six calls into the WASM module
   * for the same thing (it describes the statement first to pick a serializer per parameter type):
   * measured at 0.40 ms against 0.09 ms for a `SELECT` without parameters, and every request
   * pays it several times (docs/BENCHMARKS.md, deadline-surge).
   */
  async #extendedQuery(text: string, parameters: readonly unknown[]) {
    const s = protocol.serialize;
    const message = concat([
      s.parse({ text }),
      s.bind({ values: parameters.map((p) => prepareValue(p)) }),
      s.describe({ type: 'P' }),
      s.execute({}),
      s.sync(),
    ]);
    const messages = await this.pg.runExclusive(() =>
      this.pg.execProtocolStream(message, { syncToFs: false }),
    );
    return parse.parseResults(messages, this.pg.parsers)[0] ?? { rows: [], affectedRows: 0 };
  }

  // biome-ignore lint/correctness/useYield: streaming is not offered on PGlite; the method must exist.
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('Streaming queries are not supported on PGlite');
  }
}

class PGliteDriver implements Driver {
  readonly #mutex = new Mutex();
  readonly #connection: PGliteConnection;
  #release: (() => void) | undefined;

  constructor(private readonly pg: PGlite) {
    this.#connection = new PGliteConnection(pg);
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    // PGlite answers without real I/O, so queued requests could run back to back and starve the
    // event loop: yielding first lets the server accept new connections between queries.
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.#release = await this.#mutex.lock();
    return this.#connection;
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await this.pg.exec('BEGIN');
    void connection;
  }

  async commitTransaction(): Promise<void> {
    await this.pg.exec('COMMIT');
  }

  async rollbackTransaction(): Promise<void> {
    await this.pg.exec('ROLLBACK');
  }

  async releaseConnection(): Promise<void> {
    const release = this.#release;
    this.#release = undefined;
    release?.();
  }

  async destroy(): Promise<void> {
    await this.pg.close();
  }
}

/** Kysely dialect over an embedded PGlite instance. */
export class PGliteDialect implements Dialect {
  constructor(private readonly pg: PGlite) {}
  createAdapter(): DialectAdapter {
    return new PostgresAdapter();
  }
  createDriver(): Driver {
    return new PGliteDriver(this.pg);
  }
  createQueryCompiler(): QueryCompiler {
    return new PostgresQueryCompiler();
  }
  createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new PostgresIntrospector(db);
  }
}
