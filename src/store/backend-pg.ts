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
import { UsageError } from '../client/errors.js';
import type { ArchiveSchema } from './schema.js';
import { type Backend, connectionError, READ_ONLY_SQL, redactUrl, type SqlResult, type Unlock } from './backend.js';

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


export function postgresBackend(url: string, opts: PostgresOptions = {}): Backend {
  return new PostgresBackend(url, opts);
}

/** Wrap a failure of the first query on a fresh backend into a message that says where. */
