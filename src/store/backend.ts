/**
 * The two places the archive can live, behind one small interface: a connection (a Kysely
 * instance for the shared query layer), a write transaction, the fast path for batched writes,
 * the portal lock and read-only SQL. Everything else in the store is dialect-free.
 */
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import {
  type CompiledQuery,
  type Kysely,
  Kysely as KyselyDb,
  PostgresDialect,
  type PostgresPool,
  type PostgresPoolClient,
  SqliteDialect,
  sql,
} from 'kysely';
import pg from 'pg';
import { DocSpaceLoginsError, UnavailableError, UsageError } from '../client/errors.js';
import type { ArchiveSchema } from './schema.js';

export type DialectName = 'sqlite' | 'postgres';

export interface SqlResult {
  columns: string[];
  rows: unknown[][];
  /** True when `maxRows` cut the result short. */
  truncated: boolean;
}

/** Releases a held lock; safe to call more than once. */
export type Unlock = () => Promise<void>;

export interface Backend {
  readonly dialect: DialectName;
  /** Where the archive is: a file path, or the PostgreSQL URL without its password. */
  readonly location: string;
  readonly readOnly: boolean;
  readonly db: Kysely<ArchiveSchema>;
  /**
   * Run `fn` in one write transaction on one connection: commit when it resolves, roll back when
   * it throws. SQLite takes the write lock up front (`BEGIN IMMEDIATE`) so two processes never
   * fail half-way with SQLITE_BUSY; it waits for the busy timeout instead.
   */
  transaction<T>(fn: (db: Kysely<ArchiveSchema>) => Promise<T>): Promise<T>;
  /**
   * Execute a compiled write on `db` (a transaction's connection); returns the rows it changed.
   * `reuse` marks a statement that will run again with other values: it is prepared once (per
   * connection) instead of being parsed and planned on every call.
   */
  write(db: Kysely<ArchiveSchema>, query: CompiledQuery, reuse?: boolean): Promise<number>;
  /** Take the portal's sync lock if it is free, without waiting. */
  tryLock(portalId: number): Promise<Unlock | undefined>;
  /** Run one read-only statement and return its rows; writes are refused. */
  sql(text: string, maxRows?: number): Promise<SqlResult>;
  /** Refresh the planner's statistics (after large inserts), quickly; failures are ignored. */
  analyze(): Promise<void>;
  close(): Promise<void>;
}

export const READ_ONLY_SQL =
  'The sql command is read-only: INSERT, UPDATE, DELETE, CREATE, DROP and other writes are refused. ' +
  'Use SELECT (or WITH … SELECT)';

// ---------------------------------------------------------------------------------------------
// SQLite

export interface SqliteOptions {
  readOnly?: boolean;
  /** How long a writer waits for another process's write lock (ms). */
  busyTimeoutMs?: number;
}

const STATEMENT_CACHE = 32;

/** Lock connections of this process, kept reachable while their locks are held. */
const HELD_LOCKS = new Set<Database.Database>();

class SqliteBackend implements Backend {
  readonly dialect = 'sqlite' as const;
  readonly db: Kysely<ArchiveSchema>;
  readonly location: string;
  readonly readOnly: boolean;
  private readonly raw: Database.Database;
  private readonly busyTimeoutMs: number;
  /** better-sqlite3 prepares on every call through Kysely; batched inserts reuse statements. */
  private readonly statements = new Map<string, Database.Statement>();
  private reader: Database.Database | undefined;
  /** Locks held by this process on in-memory archives (which have no file to lock). */
  private readonly memoryLocks = new Set<number>();

  constructor(
    private readonly path: string,
    opts: SqliteOptions,
  ) {
    this.location = path;
    this.readOnly = opts.readOnly ?? false;
    this.busyTimeoutMs = opts.busyTimeoutMs ?? 10_000;
    this.raw = new Database(path, {
      readonly: this.readOnly,
      fileMustExist: this.readOnly,
      timeout: this.busyTimeoutMs,
    });
    if (!this.readOnly && path !== ':memory:') {
      // WAL: readers never block the writer, and a crash at any moment loses at most the
      // uncommitted transaction. NORMAL is durable across process crashes in WAL mode.
      this.raw.pragma('journal_mode = WAL');
      this.raw.pragma('synchronous = NORMAL');
    }
    this.raw.pragma('foreign_keys = ON');
    this.raw.pragma('cache_size = -32000');
    this.db = new KyselyDb<ArchiveSchema>({ dialect: new SqliteDialect({ database: this.raw }) });
  }

  /**
   * `BEGIN IMMEDIATE`, waiting for another writer without blocking the event loop. SQLite's own
   * busy handler sleeps synchronously: while it waits, nothing else in this process runs, so a
   * second connection in the same process would wait for a transaction that cannot finish.
   */
  private async beginImmediate(): Promise<void> {
    const deadline = Date.now() + this.busyTimeoutMs;
    this.raw.pragma('busy_timeout = 0');
    try {
      for (let delay = 1; ; delay = Math.min(delay * 2, 50)) {
        try {
          this.raw.exec('begin immediate');
          return;
        } catch (err) {
          if (!(err as { code?: string }).code?.startsWith('SQLITE_BUSY') || Date.now() >= deadline)
            throw err;
        }
        await new Promise((r) => setTimeout(r, delay));
      }
    } finally {
      this.raw.pragma(`busy_timeout = ${this.busyTimeoutMs}`);
    }
  }

  async transaction<T>(fn: (db: Kysely<ArchiveSchema>) => Promise<T>): Promise<T> {
    return this.db.connection().execute(async (conn) => {
      // Kysely's connection is held (its mutex is ours), so the handle can be used directly.
      await this.beginImmediate();
      try {
        const result = await fn(conn);
        await sql`commit`.execute(conn);
        return result;
      } catch (err) {
        // Some errors (SQLITE_FULL, SQLITE_IOERR) already rolled the transaction back.
        if (this.raw.inTransaction) await sql`rollback`.execute(conn);
        throw err;
      }
    });
  }

  async write(_db: Kysely<ArchiveSchema>, query: CompiledQuery): Promise<number> {
    // Called only inside `transaction`, which holds Kysely's one connection: running the
    // statement on the same better-sqlite3 handle directly is therefore part of it. Every
    // statement is cached: better-sqlite3 through Kysely would prepare it on each call.
    let stmt = this.statements.get(query.sql);
    if (!stmt) {
      if (this.statements.size >= STATEMENT_CACHE) this.statements.clear();
      stmt = this.raw.prepare(query.sql);
      this.statements.set(query.sql, stmt);
    }
    return stmt.run(query.parameters as unknown[]).changes;
  }

  private lockFile(portalId: number): string {
    return join(`${this.path}.locks`, `portal-${portalId}.lock`);
  }

  /**
   * The lock is an exclusive SQLite lock on a small side file (`<archive>.locks/portal-N.lock`),
   * held by an open transaction. The operating system drops it when the process ends, however it
   * ends (SIGKILL included), so no stale lock can outlive its holder and there is no pid to
   * recycle; SQLite also arbitrates between connections inside one process.
   */
  async tryLock(portalId: number): Promise<Unlock | undefined> {
    if (this.path === ':memory:') {
      if (this.memoryLocks.has(portalId)) return undefined;
      this.memoryLocks.add(portalId);
      return async () => {
        this.memoryLocks.delete(portalId);
      };
    }
    const file = this.lockFile(portalId);
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    const handle = new Database(file, { timeout: 0 });
    try {
      handle.exec('begin exclusive');
    } catch (err) {
      handle.close();
      if ((err as { code?: string }).code?.startsWith('SQLITE_BUSY')) return undefined;
      throw err;
    }
    // Held strongly until released: a connection the garbage collector finalises closes, and
    // with it the lock (a holder awaiting something unreachable would otherwise lose it).
    HELD_LOCKS.add(handle);
    return async () => {
      if (!HELD_LOCKS.delete(handle)) return;
      try {
        handle.exec('rollback');
      } finally {
        handle.close();
      }
    };
  }

  async sql(text: string, maxRows?: number): Promise<SqlResult> {
    // A connection of its own, opened read-only: even a statement that slipped past the check
    // below could not write through it.
    const conn = this.path === ':memory:' ? this.raw : this.openReader();
    let stmt: Database.Statement;
    try {
      stmt = conn.prepare(text);
    } catch (err) {
      throw new UsageError(`SQL error: ${(err as Error).message}`, { dialect: 'sqlite' }, { cause: err });
    }
    if (!stmt.readonly) throw new UsageError(READ_ONLY_SQL);
    if (!stmt.reader) throw new UsageError('The sql command runs queries that return rows: use SELECT');
    const columns = stmt.columns().map((c) => c.name);
    const rows: unknown[][] = [];
    let truncated = false;
    try {
      for (const row of stmt.raw(true).iterate() as IterableIterator<unknown[]>) {
        if (maxRows !== undefined && rows.length >= maxRows) {
          truncated = true;
          break;
        }
        rows.push(row);
      }
    } catch (err) {
      if ((err as { code?: string }).code === 'SQLITE_READONLY') throw new UsageError(READ_ONLY_SQL);
      throw new UsageError(`SQL error: ${(err as Error).message}`, { dialect: 'sqlite' }, { cause: err });
    }
    return { columns, rows, truncated };
  }

  private openReader(): Database.Database {
    if (!this.reader) {
      this.reader = new Database(this.path, { readonly: true, fileMustExist: true, timeout: 5000 });
      this.reader.pragma('query_only = ON');
    }
    return this.reader;
  }

  async analyze(): Promise<void> {
    if (this.readOnly || !this.raw.open || this.raw.inTransaction) return;
    // Without statistics a per-user query walks the time index instead of the user index.
    // `optimize` only analyses what changed, and the limit keeps it to milliseconds.
    try {
      this.raw.pragma('busy_timeout = 100');
      this.raw.pragma('analysis_limit = 400');
      this.raw.pragma('optimize');
    } catch {
      // Busy: the statistics can wait for the next time.
    } finally {
      this.raw.pragma(`busy_timeout = ${this.busyTimeoutMs}`);
    }
  }

  async close(): Promise<void> {
    this.reader?.close();
    this.reader = undefined;
    this.statements.clear();
    // SQLite's advice for connections about to close.
    await this.analyze();
    await this.db.destroy();
  }
}

export function sqliteBackend(path: string, opts: SqliteOptions = {}): Backend {
  try {
    if (path !== ':memory:' && !opts.readOnly) {
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      // The archive holds personal data (logins, IPs): create it readable by its owner only.
      // SQLite gives the -wal and -shm files the mode of the database file.
      closeSync(openSync(path, 'a', 0o600));
    }
    return new SqliteBackend(path, opts);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (opts.readOnly && code === 'SQLITE_CANTOPEN') {
      throw new UsageError(
        `There is no archive at ${path} yet: run "docspace-logins sync" first, or pass --db`,
        { path },
        { cause: err },
      );
    }
    throw new UsageError(
      `Cannot open the archive ${path}: ${(err as Error).message}`,
      { path },
      { cause: err },
    );
  }
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL

export interface PostgresOptions {
  readOnly?: boolean;
  /** Connections in the pool (default 4); locks and `sql` use connections of their own. */
  poolSize?: number;
  applicationName?: string;
}

/** node-postgres returns int8 as a string; our int8 columns (epoch ms, ids, counts) fit a number. */
function parseInt8(value: string): number | string {
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : value;
}

const pgTypes = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === pg.types.builtins.INT8 && format !== 'binary'
      ? parseInt8
      : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/** The URL with its password replaced, for messages and `location`. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
  }
}

/** Statements kept prepared per connection (each holds its plan in the server's memory). */
const PREPARED_MAX = 4;

/** Key of the session-level advisory lock of a portal: (namespace, portal id). */
export const PG_LOCK_NAMESPACE = 0x646c6f67;

class PostgresBackend implements Backend {
  readonly dialect = 'postgres' as const;
  readonly db: Kysely<ArchiveSchema>;
  readonly location: string;
  readonly readOnly: boolean;
  private readonly pool: pg.Pool;
  private readonly config: pg.ClientConfig;
  /** SQL text → name of the prepared statement it runs as. */
  private readonly prepared = new Map<string, string>();

  constructor(url: string, opts: PostgresOptions) {
    this.location = redactUrl(url);
    this.readOnly = opts.readOnly ?? false;
    this.config = {
      connectionString: url,
      types: pgTypes,
      application_name: opts.applicationName ?? 'docspace-logins',
      // An unreachable host fails in seconds, not after the operating system's TCP time-out.
      connectionTimeoutMillis: 10_000,
    };
    this.pool = new pg.Pool({ ...this.config, max: opts.poolSize ?? 4 });
    const pool = this.pool;
    const prepared = this.prepared;
    // Kysely sends every query unnamed, so PostgreSQL parses and plans it each time; a batched
    // INSERT of 19,000 parameters spends a third of its time there. Statements registered by
    // `write(…, reuse)` go out as named prepared statements instead (node-postgres prepares a
    // name once per connection and remembers it).
    const kyselyPool: PostgresPool = {
      async connect() {
        const client = await pool.connect();
        return {
          query: ((text: unknown, values?: ReadonlyArray<unknown>) => {
            const name = typeof text === 'string' ? prepared.get(text) : undefined;
            if (name) return client.query({ name, text: text as string, values: values as unknown[] });
            return client.query(text as string, values as unknown[]);
          }) as unknown as PostgresPoolClient['query'],
          release: () => client.release(),
        };
      },
      end: () => pool.end(),
    };
    // An idle connection that dies (server restart) must not crash the process.
    this.pool.on('error', () => {});
    if (this.readOnly) {
      // Every transaction on these connections, implicit or explicit, is READ ONLY.
      this.pool.on('connect', (client) => {
        client.query('set default_transaction_read_only = on').catch(() => {});
      });
    }
    this.db = new KyselyDb<ArchiveSchema>({ dialect: new PostgresDialect({ pool: kyselyPool }) });
  }

  transaction<T>(fn: (db: Kysely<ArchiveSchema>) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(fn);
  }

  async write(db: Kysely<ArchiveSchema>, query: CompiledQuery, reuse = false): Promise<number> {
    if (reuse && !this.prepared.has(query.sql)) {
      if (this.prepared.size >= PREPARED_MAX) return this.write(db, query);
      this.prepared.set(query.sql, `docspace_logins_${this.prepared.size + 1}`);
    }
    const result = await db.executeQuery(query);
    return Number(result.numAffectedRows ?? 0n);
  }

  private async client(applicationName: string): Promise<pg.Client> {
    const client = new pg.Client({ ...this.config, application_name: applicationName });
    client.on('error', () => {});
    try {
      await client.connect();
    } catch (err) {
      throw connectionError(this.location, err);
    }
    return client;
  }

  /**
   * A session-level advisory lock on a connection of its own, kept open while the lock is held.
   * PostgreSQL drops it when that session ends, so a killed worker never leaves it behind.
   */
  async tryLock(portalId: number): Promise<Unlock | undefined> {
    const client = await this.client(`docspace-logins sync lock (pid ${process.pid} on ${hostname()})`);
    let ok: boolean;
    try {
      const res = await client.query<{ ok: boolean }>('select pg_try_advisory_lock($1, $2) as ok', [
        PG_LOCK_NAMESPACE,
        portalId,
      ]);
      ok = res.rows[0]?.ok === true;
    } catch (err) {
      await client.end().catch(() => {});
      throw err;
    }
    if (!ok) {
      await client.end().catch(() => {});
      return undefined;
    }
    let held = true;
    return async () => {
      if (!held) return;
      held = false;
      try {
        await client.query('select pg_advisory_unlock($1, $2)', [PG_LOCK_NAMESPACE, portalId]);
      } finally {
        await client.end().catch(() => {});
      }
    };
  }

  async sql(text: string, maxRows?: number): Promise<SqlResult> {
    // A fresh session, discarded afterwards, so nothing the statement sets survives it. The
    // extended protocol accepts exactly one statement, so "COMMIT; DELETE …" cannot step out of
    // the read-only transaction.
    const client = await this.client('docspace-logins sql');
    try {
      await client.query('begin read only');
      let res: pg.QueryArrayResult<unknown[]>;
      try {
        res = await client.query({ text, rowMode: 'array', queryMode: 'extended' } as pg.QueryArrayConfig);
      } catch (err) {
        const code = (err as { code?: string }).code;
        if (code === '25006') throw new UsageError(READ_ONLY_SQL);
        throw new UsageError(
          `SQL error: ${(err as Error).message}`,
          { dialect: 'postgres', code },
          { cause: err },
        );
      }
      const columns = (res.fields ?? []).map((f) => f.name);
      const all = res.rows ?? [];
      const truncated = maxRows !== undefined && all.length > maxRows;
      return { columns, rows: truncated ? all.slice(0, maxRows) : all, truncated };
    } finally {
      await client.query('rollback').catch(() => {});
      await client.end().catch(() => {});
    }
  }

  async analyze(): Promise<void> {
    if (this.readOnly) return;
    // Until autovacuum gets to it, a freshly filled table has no statistics, and the planner
    // then sorts every matching row for each keyset page instead of walking the time index.
    try {
      await sql`analyze events`.execute(this.db);
    } catch {
      // Not the table's owner, or busy: autovacuum will do it.
    }
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }
}

function connectionError(location: string, err: unknown): Error {
  const e = err as { code?: string; message?: string };
  if (e.code === '28P01' || e.code === '28000') {
    return new UsageError(
      `PostgreSQL at ${location} refused the credentials: ${e.message}`,
      {},
      { cause: err },
    );
  }
  if (e.code === '3D000') {
    return new UsageError(`${e.message} (${location}): create the database first`, {}, { cause: err });
  }
  return new UnavailableError(
    `Cannot connect to PostgreSQL at ${location}: ${e.message || e.code || 'error'}`,
    {},
    { cause: err },
  );
}

export function postgresBackend(url: string, opts: PostgresOptions = {}): Backend {
  return new PostgresBackend(url, opts);
}

/** Wrap a failure of the first query on a fresh backend into a message that says where. */
export function openError(backend: Backend, err: unknown): unknown {
  if (backend.dialect !== 'postgres' || err instanceof DocSpaceLoginsError) return err;
  const code = (err as { code?: unknown }).code;
  const connecting =
    typeof code === 'string' && (/^(08|28|3D)/.test(code) || /^E[A-Z]+$/.test(code) || code === 'ETIMEDOUT');
  return connecting || err instanceof AggregateError ? connectionError(backend.location, err) : err;
}

export const HOSTNAME = hostname();
