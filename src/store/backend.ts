/**
 * What the store needs from a database, behind one small interface: a connection (a Kysely
 * instance for the shared query layer), a write transaction, the fast path for batched writes,
 * the portal lock and read-only SQL. Where the dialects differ in what they can do, the backend
 * says so through `capabilities` (kysely's `supports*` style), so no caller asks which database
 * it is talking to. The implementations are `backend-sqlite.ts` and `backend-pg.ts`.
 */
import { hostname } from 'node:os';
import type { CompiledQuery, Kysely } from 'kysely';
import { DocSpaceLoginsError, UnavailableError, UsageError } from '../errors/index.js';
import type { ReadonlyConnection } from './reader.js';
import type { ArchiveSchema } from './schema.js';

export type DialectName = 'sqlite' | 'postgres';

export interface SqlResult {
  columns: string[];
  rows: unknown[][];
  /** True when `maxRows` cut the result short. */
  truncated: boolean;
}

/**
 * The rows of one read-only statement, fetched as they are consumed: memory stays bounded
 * however many rows match. Iterate at most once; `close` ends the read early (iterating to the
 * end or breaking out of a `for await` closes it too).
 */
export interface SqlRows extends AsyncIterable<unknown[]> {
  readonly columns: readonly string[];
  close(): Promise<void>;
}

/** Releases a held lock; safe to call more than once. */
export type Unlock = () => Promise<void>;

/** What a backend can do beyond the common interface. */
export interface BackendCapabilities {
  /**
   * GROUP BY works by sorting (SQLite has no hash aggregation): reading in an index's order is
   * what makes a grouping cheap. False where the database hashes (PostgreSQL).
   */
  readonly groupsBySorting: boolean;
  /**
   * How workers claim queued rows (the alert outbox) without taking the same one twice:
   * `skip-locked` where concurrent transactions lock rows (PostgreSQL: FOR UPDATE SKIP LOCKED),
   * `single-writer` where one write lock serialises every writer (SQLite).
   */
  readonly claimLocking: 'skip-locked' | 'single-writer';
  /** Rows per multi-row INSERT of events (19 parameters a row, under the bound-parameter limit). */
  readonly maxInsertRows: number;
  /**
   * Present where one-row statements are cheaper than multi-row ones (SQLite, in process): run
   * the one-row write `sql` once per parameter list, on the open transaction's connection;
   * returns the rows changed. A multi-row INSERT … ON CONFLICT makes SQLite keep a statement
   * journal (a temporary file) to undo it half-way: measured on 200k events, it wrote 941 MB
   * against 386 MB for the same rows one statement each, and cost more CPU.
   */
  readonly writeEach?: (sql: string, rows: ReadonlyArray<readonly unknown[]>) => number;
  /**
   * Present where the definition of an index can be read back to build it again (its `CREATE
   * INDEX` text: SQLite's `sqlite_master`, PostgreSQL's `pg_indexes`), so a load into an empty
   * archive can build the indexes once over the loaded rows instead of keeping them up to date
   * row by row (deferred-indexes.ts). Returns those of `names` that exist, read through `db`.
   */
  readonly indexDefinitions?: (db: Kysely<ArchiveSchema>, names: readonly string[]) => Promise<Array<{ name: string; definition: string }>>;
  /**
   * Present where a load without secondary indexes into an archive with no event
   * (deferred-indexes.ts) can be made cheaper: less of the connection's memory than its queries
   * need, no fsync until it ends. Called with `true` when the load starts and `false` once the
   * indexes are built again (which makes the load durable); it waits for any transaction open on
   * the connection (another portal's, under `sync --all`).
   */
  readonly bulkLoad?: (on: boolean) => Promise<void>;
  /**
   * Present where `tryLock` opens a connection of its own (PostgreSQL: the advisory lock's
   * session): starts opening it now, so that it overlaps what a sync does before it locks (the
   * portal's row). The next `tryLock` takes it; `close` ends it when none did.
   */
  readonly prepareLock?: () => void;
  /**
   * Present when another thread (or process) can read the archive on a connection of its own:
   * SQLite in a file. The connection is read-only, so a long read never blocks a writer.
   */
  readonly fileReader?: () => ReadonlyConnection;
  /**
   * Present when a compiled SELECT can be streamed as value arrays without the query layer's
   * per-row objects (SQLite: ~2.5x faster on long reads), from a read-only connection.
   */
  readonly iterateRaw?: (query: CompiledQuery) => IterableIterator<unknown[]>;
}

export interface Backend {
  readonly dialect: DialectName;
  /** Where the archive is: a file path, or the PostgreSQL URL without its password. */
  readonly location: string;
  readonly readOnly: boolean;
  readonly db: Kysely<ArchiveSchema>;
  readonly capabilities: BackendCapabilities;
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
  /**
   * Take the portal's sync lock if it is free, without waiting. The lock dies with the process
   * that holds it, however it ends.
   */
  tryLock(portalId: number): Promise<Unlock | undefined>;
  /**
   * Start one read-only statement on a connection of its own and stream its rows; a statement
   * that could write, or have another side effect, is refused with a UsageError.
   */
  /**
   * One read-only statement. With `portalIds`, the archive's tables are seen through views of
   * those portals' rows only (the scope rule of every command that reads the archive).
   */
  sql(text: string, portalIds?: readonly number[]): Promise<SqlRows>;
  /** Refresh the planner's statistics (after large inserts), quickly; failures are ignored. */
  analyze(): Promise<void>;
  close(): Promise<void>;
}

export const READ_ONLY_SQL =
  'The sql command is read-only: INSERT, UPDATE, DELETE, CREATE, DROP and other writes are refused. ' +
  'Use SELECT (or WITH … SELECT)';

export const HOSTNAME = hostname();

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

export function connectionError(location: string, err: unknown): Error {
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

/** Wrap a failure of the first query on a fresh backend into a message that says where. */
export function openError(backend: Backend, err: unknown): unknown {
  if (backend.dialect !== 'postgres' || err instanceof DocSpaceLoginsError) return err;
  const code = (err as { code?: unknown }).code;
  const connecting =
    typeof code === 'string' && (/^(08|28|3D)/.test(code) || /^E[A-Z]+$/.test(code) || code === 'ETIMEDOUT');
  return connecting || err instanceof AggregateError ? connectionError(backend.location, err) : err;
}

/** Tables with a `portal_id` column, which a portal-scoped `sql` sees through views (the outbox's too, by finding). */
export const PORTAL_TABLES = ['events', 'coverage', 'sync_runs', 'checkpoints', 'quarantine', 'people', 'sync_locks',
  'findings', 'finding_history', 'detect_state', 'detect_keys', 'responses',
  'rollup_hours', 'rollup_user_days', 'rollup_login_days', 'rollup_ip_days', 'rollup_place_days', 'rollup_device_days',
  'rollup_user_months', 'rollup_months_dirty'] as const;

/**
 * The temporary views that narrow `sql` to some portals: each shadows its table for unqualified
 * names (both databases look at temporary objects first). `from` qualifies the real table.
 */
export function scopeViews(portalIds: readonly number[], from: (table: string) => string): string[] {
  const ids = portalIds.map((id) => String(Math.trunc(Number(id)))).join(', ') || '-1';
  return [
    `create temp view portals as select * from ${from('portals')} where id in (${ids})`,
    ...PORTAL_TABLES.map((t) => `create temp view ${t} as select * from ${from(t)} where portal_id in (${ids})`),
    // Alerts carry no portal id: they belong to a portal through their finding.
    `create temp view outbox_alerts as select * from ${from('outbox_alerts')} where finding_id in ` +
      `(select id from ${from('findings')} where portal_id in (${ids}))`,
    `create temp view outbox_deliveries as select * from ${from('outbox_deliveries')} where alert_id in (select id from outbox_alerts)`,
  ];
}
