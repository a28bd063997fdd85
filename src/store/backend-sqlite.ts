/**
 * The SQLite backend: one file (or `:memory:`), one connection for the query layer and writes,
 * read-only side connections for long reads and for `sql`, and portal locks on side files.
 */
import { closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { type CompiledQuery, type Kysely, Kysely as KyselyDb, SqliteDialect, sql } from 'kysely';
import { DocSpaceLoginsError, IoError, UsageError } from '../errors/index.js';
import type { Backend, BackendCapabilities, SqlRows, Unlock } from './backend.js';
import { CorruptArchiveError } from './errors.js';
import { openReader } from './reader.js';
import type { ArchiveSchema } from './schema.js';
import { checkedAsIs, markChecked } from './sqlite-checked.js';
import { readOnlyName, userSql } from './sqlite-readers.js';

export interface SqliteOptions {
  readOnly?: boolean;
  /** How long a writer waits for another process's write lock (ms). */
  busyTimeoutMs?: number;
}

const STATEMENT_CACHE = 32;

/**
 * Archives up to this size get `PRAGMA quick_check` when opened for writing, unless the file is
 * exactly as this tool left it after the last check (sqlite-checked.ts). The check reads the
 * whole file: measured at ~1.1-1.3 s for 1M events (636 MB, warm cache, 2 cores), which would
 * break the 300 ms budget of an incremental sync, so larger archives rely on SQLite reporting
 * damage where it meets it (and on the cheap header check every open does).
 */
const QUICK_CHECK_MAX_BYTES = 32 * 1024 * 1024;

// URI file names (`file:…?immutable=1`) are off in better-sqlite3's build unless this is set
// before its first connection: the read-only open of a read-only folder needs them.
process.env.SQLITE_USE_URI ??= '1';

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
  private readerDb: Database.Database | undefined;
  readonly capabilities: BackendCapabilities;
  /** Locks held by this process on in-memory archives (which have no file to lock). */
  private readonly memoryLocks = new Set<number>();
  /** The file was checked (or found as last checked) on open: record its state again at close. */
  private sound = false;
  /** A first sync is loading into an archive that held no event (`bulkLoad`). */
  private loading = false;

  constructor(
    private readonly path: string,
    opts: SqliteOptions,
  ) {
    this.location = path;
    this.readOnly = opts.readOnly ?? false;
    this.busyTimeoutMs = opts.busyTimeoutMs ?? 10_000;
    // A -wal file left beside the archive: a writer died, or is running now. Check as before.
    const walLeft = !this.readOnly && path !== ':memory:' && existsSync(`${path}-wal`);
    this.raw = new Database(readOnlyName(path, this.readOnly), {
      readonly: this.readOnly,
      fileMustExist: this.readOnly,
      timeout: this.busyTimeoutMs,
    });
    // Reading the header proves the file is an SQLite database before anything relies on it.
    this.raw.pragma('schema_version');
    if (!this.readOnly && path !== ':memory:') {
      // WAL: readers never block the writer, and a crash at any moment loses at most the
      // uncommitted transaction. NORMAL is durable across process crashes in WAL mode.
      this.raw.pragma('journal_mode = WAL');
      this.raw.pragma('synchronous = NORMAL');
      // Checkpoint at 40 MB of WAL, not SQLite's 4 MB: a sync rewrites the same index and rollup
      // pages batch after batch, and every checkpoint copies them into the file (and syncs it)
      // again. A 200k-event insert took half the wall time; readers are not slowed.
      this.raw.pragma('wal_autocheckpoint = 10000');
      this.sound = !walLeft && checkedAsIs(path);
      if (!this.sound && statSync(path).size <= QUICK_CHECK_MAX_BYTES) {
        const problems = this.raw.pragma('quick_check(3)', { simple: false }) as Array<{ quick_check: string }>;
        if (problems[0]?.quick_check !== 'ok') {
          this.raw.close();
          // One line: SQLite puts a heading and one problem per line in the first row.
          const found = problems.map((p) => p.quick_check).join('\n').replace(/\*\*\* in database main \*\*\*/, '');
          throw new CorruptArchiveError(path, `quick_check: ${found.trim().split(/\s*\n\s*/).join('; ')}`);
        }
        markChecked(path);
        this.sound = true;
      }
    }
    this.raw.pragma('foreign_keys = ON');
    this.raw.pragma(`cache_size = -${CACHE_KIB}`);
    this.db = new KyselyDb<ArchiveSchema>({ dialect: new SqliteDialect({ database: this.raw }) });
    const inFile = path !== ':memory:';
    this.capabilities = {
      groupsBySorting: true,
      claimLocking: 'single-writer',
      // 19 parameters a row keeps a statement under SQLite's 32,766 bound parameters; larger
      // statements gained nothing in measurements.
      maxInsertRows: 500,
      writeEach: (sql, rows) => {
        // Only inside `transaction`, on its connection, as `write` is.
        const stmt = this.statement(sql);
        let changes = 0;
        for (const r of rows) changes += stmt.run(r as unknown[]).changes;
        return changes;
      },
      indexDefinitions: async (db, names) =>
        (await sql<{ name: string; definition: string }>`SELECT name, sql AS definition FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND name IN (${sql.join(names)})`.execute(db)).rows,
      bulkLoad: (on) => this.bulkLoad(on),
      fileReader: inFile ? () => openReader({ file: readOnlyName(path, true) }) : undefined,
      iterateRaw: (query: CompiledQuery) => {
        // An in-memory archive has no file for a second connection: read it on its own.
        const conn = inFile ? this.reader() : this.raw;
        // better-sqlite3 builds plain arrays much faster than row objects (~2.5x on a 200k-row read).
        return conn.prepare(query.sql).raw(true).iterate(...(query.parameters as unknown[])) as IterableIterator<unknown[]>;
      },
    };
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
        const failure = localFailure(this.path, err);
        if (failure instanceof CorruptArchiveError) this.sound = false;
        throw failure ?? err;
      }
    });
  }

  async write(_db: Kysely<ArchiveSchema>, query: CompiledQuery): Promise<number> {
    // Called only inside `transaction`, which holds Kysely's one connection: running the
    // statement on the same better-sqlite3 handle directly is therefore part of it. Every
    // statement is cached: better-sqlite3 through Kysely would prepare it on each call.
    return this.statement(query.sql).run(query.parameters as unknown[]).changes;
  }

  /**
   * A load into an archive that held no event, from its first insert to its indexes built: a
   * smaller page cache (BULK_CACHE_KIB), and no fsync. `synchronous = OFF` gives up only what a
   * power loss or an OS crash mid-load could break, and there is nothing yet to break: the archive
   * had no event, every event is still on the portal, and a damaged file is found by the quick
   * check on the next open (the crash leaves the -wal file). A process that dies loses nothing
   * more than under NORMAL. Once the load ends, a checkpoint under NORMAL syncs the WAL and then
   * the file, so everything written during the load is on disk before the sync returns.
   * Measured: 400k events, first sync, three interleaved runs each: 19.8 s → 17.4 s wall, the
   * main thread's time in fsync gone (it was ~15% of its samples, in state D).
   */
  private async bulkLoad(on: boolean): Promise<void> {
    if (on === this.loading) return;
    this.loading = on;
    // SQLite refuses to change `synchronous` inside a transaction, and the connection is shared:
    // under `sync --all` another portal's transaction may be open on it. Holding Kysely's
    // connection waits for that transaction to end.
    await this.db.connection().execute(async () => {
      this.raw.pragma(`cache_size = -${on ? BULK_CACHE_KIB : CACHE_KIB}`);
      this.raw.pragma(`synchronous = ${on ? 'OFF' : 'NORMAL'}`);
      if (!on) this.raw.pragma('wal_checkpoint(PASSIVE)');
    });
  }

  private statement(text: string): Database.Statement {
    let stmt = this.statements.get(text);
    if (!stmt) {
      if (this.statements.size >= STATEMENT_CACHE) this.statements.clear();
      stmt = this.raw.prepare(text);
      this.statements.set(text, stmt);
    }
    return stmt;
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

  async sql(text: string, portalIds?: readonly number[]): Promise<SqlRows> {
    return userSql(this.path, this.raw, text, portalIds);
  }

  private reader(): Database.Database {
    if (!this.readerDb) {
      this.readerDb = new Database(readOnlyName(this.path, true), { readonly: true, fileMustExist: true, timeout: 5000 });
      this.readerDb.pragma('query_only = ON');
    }
    return this.readerDb;
  }

  async analyze(): Promise<void> {
    if (this.readOnly || !this.raw.open || this.raw.inTransaction) return;
    // Without statistics a per-user query walks the time index instead of the user index.
    // `optimize` only analyses what changed, and the limit keeps it to milliseconds.
    try {
      this.raw.pragma('busy_timeout = 100');
      if (!this.loading && this.statisticsBlind()) {
        this.raw.pragma('analysis_limit = 0');
        this.raw.exec('ANALYZE');
      } else {
        this.raw.pragma('analysis_limit = 400');
        this.raw.pragma('optimize');
      }
    } catch {
      // Busy: the statistics can wait for the next time.
    } finally {
      this.raw.pragma(`busy_timeout = ${this.busyTimeoutMs}`);
    }
  }

  /**
   * Whether the planner's statistics of a large events table cannot tell one member's events from
   * the portal's. They come from the first 400 rows of each index (`analysis_limit`), which on an
   * archive of one portal all share it and, in `events_user`, mostly one member: on 1M events they
   * said a member has as many events as the portal (`1000000 401 401 1`), and per-member queries
   * (the User page, `--user`) scanned a covering index of the whole portal instead (200 ms against
   * 5 ms per query). Such statistics, or none for `events_user` (the indexes a first sync built at
   * its end), are made again from the whole tables: 1.2 s for 1M events, once, since `optimize`
   * leaves a table alone until it has changed a lot.
   */
  private statisticsBlind(): boolean {
    let user: { stat: string } | undefined;
    try {
      // The rowid grows with the table (events are not deleted): one look down the b-tree.
      const last = this.raw.prepare('select max(rowid) as n from events').get() as { n: number | null };
      if ((last.n ?? 0) < BLIND_STATS_ROWS) return false;
      user = this.raw.prepare("select stat from sqlite_stat1 where tbl = 'events' and idx = 'events_user'").get() as typeof user;
    } catch {
      return false; // never analysed (no sqlite_stat1): `optimize` makes them
    }
    if (!user) return true;
    const [, perPortal, perMember] = user.stat.split(' ').map(Number);
    // Whole-table statistics say ≤ 1,000 rows a portal only for ≥ 100 portals, and one member a
    // portal besides: not worth telling apart from a sample.
    return perPortal <= 1000 && perMember * 2 > perPortal;
  }

  async close(): Promise<void> {
    this.readerDb?.close();
    this.readerDb = undefined;
    this.statements.clear();
    // SQLite's advice for connections about to close.
    await this.analyze();
    await this.db.destroy();
    // Closed (the WAL copied into the file if this was the last connection): as this tool left it.
    if (this.sound) markChecked(this.path);
  }
}

/** Events below which the sampled statistics are left as they are (a full analysis is cheap there anyway). */
const BLIND_STATS_ROWS = 100_000;

/** The page cache of a connection, in KiB. */
const CACHE_KIB = 32_000;
/**
 * The page cache while a first sync loads without secondary indexes, and builds them (the build's
 * sorter sizes itself by it too): appending rows and upserting rollups touch far fewer pages than
 * queries do. On a 1M-event first sync (per-thread CPU, interleaved runs): main thread 28.2 s CPU
 * with either size, peak RSS 184–187 MB against 197–198 MB.
 */
const BULK_CACHE_KIB = 16_000;

export function sqliteBackend(path: string, opts: SqliteOptions = {}): Backend {
  if (path !== ':memory:' && !opts.readOnly) {
    try {
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      // The archive holds personal data (logins, IPs): create it readable by its owner only.
      // SQLite gives the -wal and -shm files the mode of the database file.
      closeSync(openSync(path, 'a', 0o600));
    } catch (err) {
      throw new IoError(path, 'create the archive', err);
    }
  }
  try {
    return new SqliteBackend(path, opts);
  } catch (err) {
    if (err instanceof DocSpaceLoginsError) throw err;
    const code = (err as { code?: string }).code ?? '';
    if (opts.readOnly && code === 'SQLITE_CANTOPEN' && !existsSync(path)) {
      throw new UsageError(
        `There is no archive at ${path} yet: run "docspace-logins sync" first, or pass --db`,
        { path },
        { cause: err },
      );
    }
    if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT')) {
      throw new CorruptArchiveError(path, (err as Error).message, err);
    }
    if (/^SQLITE_(CANTOPEN|READONLY|IOERR|FULL|PERM)/.test(code)) {
      throw new IoError(path, opts.readOnly ? 'read the archive' : 'write the archive', err);
    }
    throw new UsageError(
      `Cannot open the archive ${path}: ${(err as Error).message}`,
      { path },
      { cause: err },
    );
  }
}

/**
 * The error for a write the machine refused (full disk, I/O error, read-only file) or a page
 * SQLite found damaged, naming the archive; undefined for anything else (a bug, a constraint).
 */
function localFailure(path: string, err: unknown): DocSpaceLoginsError | undefined {
  const code = (err as { code?: unknown }).code;
  if (typeof code !== 'string') return undefined;
  if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT')) return new CorruptArchiveError(path, (err as Error).message, err);
  if (/^SQLITE_(FULL|IOERR|READONLY|CANTOPEN|PERM)/.test(code)) return new IoError(path, 'write the archive', err);
  return undefined;
}
