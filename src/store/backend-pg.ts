/**
 * The PostgreSQL backend, in a module of its own so that SQLite users never load `pg`
 * (about 16 MB resident): `openStore` imports it only for a postgres:// target.
 */
import { hostname } from 'node:os';
import {
  type CompiledQuery,
  type Kysely,
  Kysely as KyselyDb,
  PostgresDialect,
  type PostgresPool,
  type PostgresPoolClient,
  sql,
} from 'kysely';
import pg from 'pg';
import { UnavailableError, UsageError } from '../errors/index.js';
import type { ArchiveSchema } from './schema.js';
import {
  type Backend,
  type BackendCapabilities,
  connectionError,
  READ_ONLY_SQL,
  redactUrl,
  scopeViews,
  type SqlRows,
  type Unlock,
} from './backend.js';
import { assertReadOnlyQuery } from './pg-sql-guard.js';

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

/** Statements kept prepared per connection (each holds its plan in the server's memory). */
const PREPARED_MAX = 32;

/** Rows fetched from the `sql` cursor at a time. */
const SQL_FETCH_ROWS = 1000;

/**
 * Key of the session-level advisory lock of a portal: (this archive's namespace, portal id).
 * Advisory locks are per database, not per schema, and portal ids start at 1 in every archive:
 * the namespace is a hash of the archive's schema, so two archives in two schemas of one
 * database never hold each other's locks.
 */
const LOCK_SQL = "select pg_try_advisory_lock(hashtext('docspace-logins:' || current_schema()), $1) as ok";
const UNLOCK_SQL = "select pg_advisory_unlock(hashtext('docspace-logins:' || current_schema()), $1)";

class PostgresBackend implements Backend {
  readonly dialect = 'postgres' as const;
  readonly db: Kysely<ArchiveSchema>;
  readonly location: string;
  readonly readOnly: boolean;
  readonly capabilities: BackendCapabilities = {
    // PostgreSQL hashes groups: one GROUP BY over a period beats reading in an index's order.
    groupsBySorting: false,
    claimLocking: 'skip-locked',
    // 19 parameters a row keep a statement under the protocol's 65,535 bound parameters.
    maxInsertRows: 1000,
    // `indexdef` names the table with its schema: built again in the schema it was read from.
    indexDefinitions: async (db, names) =>
      (await sql<{ name: string; definition: string }>`select indexname as name, indexdef as definition from pg_indexes where schemaname = current_schema() and indexname in (${sql.join(names)})`.execute(db)).rows,
    // A session is a new server process: forked while the portal's row is read, not after it
    // (a sync with nothing new waited ~10 ms for it).
    prepareLock: () => {
      if (this.readOnly || this.lockSession) return;
      this.lockSession = this.client(this.lockName);
      this.lockSession.catch(() => {});
    },
  };
  /** The next lock's session, opened ahead by `prepareLock`. */
  private lockSession: Promise<pg.Client> | undefined;
  private readonly lockName = `docspace-logins sync lock (pid ${process.pid} on ${hostname()})`;
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
      // A name in the URL (`?application_name=nightly`) wins: it is how an operator tells this
      // tool's sessions apart in pg_stat_activity.
      application_name: urlApplicationName(url) ?? opts.applicationName ?? 'docspace-logins',
      // An unreachable host fails in seconds, not after the operating system's TCP time-out.
      connectionTimeoutMillis: 10_000,
    };
    this.pool = new pg.Pool({ ...this.config, max: opts.poolSize ?? 4 });
    const pool = this.pool;
    const prepared = this.prepared;
    const location = this.location;
    // Kysely sends every query unnamed, so PostgreSQL parses and plans it each time; a batched
    // INSERT of 19,000 parameters spends a third of its time there. Statements registered by
    // `write(…, reuse)` go out as named prepared statements instead (node-postgres prepares a
    // name once per connection and remembers it).
    const kyselyPool: PostgresPool = {
      async connect() {
        let client: pg.PoolClient;
        try {
          client = await pool.connect();
        } catch (err) {
          throw connectionError(location, err);
        }
        // The pool listens for errors of idle connections only: a connection terminated while
        // checked out (a server restart, pg_terminate_backend) would otherwise emit an 'error'
        // nobody handles and end the process. The failing query reports it instead.
        const ignore = () => {};
        client.on('error', ignore);
        const query = (text: unknown, values?: ReadonlyArray<unknown>) => {
          const name = typeof text === 'string' ? prepared.get(text) : undefined;
          const config = name
            ? { name, text: text as string, values: values as unknown[] }
            : { text: text as string, values: values as unknown[] };
          return client.query(config).catch((err: unknown) => {
            throw lostConnection(location, err) ?? err;
          });
        };
        return {
          query: query as unknown as PostgresPoolClient['query'],
          release: () => {
            client.off('error', ignore);
            client.release();
          },
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
    const opened = this.lockSession ?? this.client(this.lockName);
    this.lockSession = undefined;
    const client = await opened;
    let ok: boolean;
    try {
      const res = await client.query<{ ok: boolean }>(LOCK_SQL, [portalId]);
      ok = res.rows[0]?.ok === true;
    } catch (err) {
      await client.end().catch(() => {});
      throw lostConnection(this.location, err) ?? err;
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
        await client.query(UNLOCK_SQL, [portalId]);
      } catch (err) {
        // A session that ended took its lock with it: there is nothing left to release.
        if (!lostConnection(this.location, err)) throw err;
      } finally {
        // The lock is released once the statement returns: the session's end (the server's
        // reply to it takes ~10 ms, a backend exiting) is not waited for.
        void client.end().catch(() => {});
      }
    };
  }

  /**
   * The statement passes `assertReadOnlyQuery` (see pg-sql-guard.ts for why an allowlist), then
   * runs as a cursor in a READ ONLY transaction of a fresh session, discarded afterwards, so
   * nothing the statement could set survives it. The cursor is what keeps memory bounded: rows
   * come `SQL_FETCH_ROWS` at a time as the caller consumes them.
   */
  async sql(text: string, portalIds?: readonly number[]): Promise<SqlRows> {
    assertReadOnlyQuery(text);
    const client = await this.client('docspace-logins sql');
    if (portalIds) {
      try {
        // Temporary views of this session only, made before it turns read-only.
        const schema = (await client.query<{ s: string }>('select current_schema() as s')).rows[0].s;
        const quoted = `"${schema.replace(/"/g, '""')}"`;
        for (const view of scopeViews(portalIds, (t) => `${quoted}.${t}`)) await client.query(view);
      } catch (err) {
        await client.end().catch(() => {});
        throw lostConnection(this.location, err) ?? pgSqlError(err);
      }
    }
    let closed = false;
    const close = async () => {
      if (closed) return;
      closed = true;
      await client.query('rollback').catch(() => {});
      await client.end().catch(() => {});
    };
    const fetch = async () => {
      try {
        return await client.query<unknown[]>({ text: `fetch ${SQL_FETCH_ROWS} from docspace_logins_sql`, rowMode: 'array' });
      } catch (err) {
        throw lostConnection(this.location, err) ?? pgSqlError(err);
      }
    };
    let first: pg.QueryArrayResult<unknown[]>;
    try {
      // Every later transaction of the session would be read-only too; and strings are parsed
      // the standard way, as the guard's tokenizer reads them.
      await client.query('set session characteristics as transaction read only');
      await client.query('set standard_conforming_strings = on');
      await client.query('begin read only');
      try {
        // The extended protocol takes exactly one statement: "COMMIT; DELETE …" cannot step out.
        await client.query({
          text: `declare docspace_logins_sql no scroll cursor for ${text}`,
          queryMode: 'extended',
        } as pg.QueryConfig);
      } catch (err) {
        throw lostConnection(this.location, err) ?? pgSqlError(err);
      }
      first = await fetch();
    } catch (err) {
      await close();
      throw err;
    }
    return {
      columns: (first.fields ?? []).map((f) => f.name),
      close,
      async *[Symbol.asyncIterator]() {
        try {
          for (let batch = first.rows; ; batch = (await fetch()).rows) {
            yield* batch;
            if (batch.length < SQL_FETCH_ROWS) return;
          }
        } finally {
          await close();
        }
      },
    };
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
    const spare = this.lockSession;
    this.lockSession = undefined;
    await spare?.then((c) => c.end()).catch(() => {});
    await this.db.destroy();
  }
}

export function postgresBackend(url: string, opts: PostgresOptions = {}): Backend {
  return new PostgresBackend(url, opts);
}

/** `application_name` from the URL's query, when it names one. */
function urlApplicationName(url: string): string | undefined {
  try {
    return new URL(url).searchParams.get('application_name') || undefined;
  } catch {
    return undefined;
  }
}

/**
 * The error for a query that failed because its session is gone (08xxx connection exceptions,
 * 57P01-57P03 shutdown or termination, a socket that closed); undefined for any other failure.
 */
export function lostConnection(location: string, err: unknown): UnavailableError | undefined {
  if (err instanceof UnavailableError) return err;
  const e = err as { code?: unknown; message?: unknown };
  const code = typeof e.code === 'string' ? e.code : '';
  const message = typeof e.message === 'string' ? e.message : '';
  const lost =
    code.startsWith('08') ||
    /^57P0[123]$/.test(code) ||
    /^E(CONNRESET|PIPE|CONNREFUSED|TIMEDOUT|HOSTUNREACH)$/.test(code) ||
    /Connection terminated|connection ended|Client has encountered a connection error|not queryable/i.test(message);
  if (!lost) return undefined;
  return new UnavailableError(
    `Lost the connection to PostgreSQL at ${location} (${message || code}): check that the server is up, then run the command again`,
    { code },
    { cause: err },
  );
}

function pgSqlError(err: unknown): UsageError {
  const e = err as { code?: string; message?: string };
  // 25006: a write in a read-only transaction; 0A000 here: DECLARE refused a data-modifying WITH.
  if (e.code === '25006' || (e.code === '0A000' && /data-modifying/i.test(e.message ?? '')))
    return new UsageError(READ_ONLY_SQL);
  return new UsageError(`SQL error: ${e.message}`, { dialect: 'postgres', code: e.code }, { cause: err });
}

