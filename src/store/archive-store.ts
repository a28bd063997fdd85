/**
 * The archive: login events of one or more portals kept beyond the portal's retention, with a
 * ledger of which periods are proven complete, the sync runs, the checkpoint, a quarantine and
 * the people directory.
 *
 * `ArchiveStore` is a thin facade: it owns the connection, the transaction and the close, and
 * hands every concern to its module (portals, events-write, events-read, ledger, locks, stats,
 * people, rollup-upkeep, raw-sql, planner-stats), each a set of functions over the store seen as
 * a `StoreContext`; the findings, responses and alert outbox come from the class it extends
 * (archive-records.ts). One class for both dialects: queries go through Kysely, and the backend
 * says what it can do (`capabilities`).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { CompiledQuery } from 'kysely';
import { UsageError } from '../errors/index.js';
import type { EventFilter } from '../history/filter.js';
import type { DirectoryPerson } from '../model/person.js';
import type { LoginEvent } from '../model/event.js';
import type { Backend, BackendCapabilities, DialectName, SqlResult, SqlRows } from './backend.js';
import { ArchiveRecords } from './archive-records.js';
import type { Db, StoreContext } from './context.js';
import * as deferred from './deferred-indexes.js';
import * as read from './events-read.js';
import type { ArchiveQuery, EventRange, RangeColumns } from './events-read.js';
import * as write from './events-write.js';
import type { InsertResult } from './events-write.js';
import { EventInsert } from './insert.js';
import * as ledger from './ledger.js';
import { type ByIdQuery, compileEventById } from './packed-rows.js';
import type { Checkpoint, CoverageEntry, CoverageRecord, RunInfo, RunOutcome } from './ledger.js';
import * as locks from './locks.js';
import type { LockOptions } from './locks.js';
import type { MigrationReport } from './migrations.js';
import * as people from './people.js';
import type { ArchivedPerson, PeopleQuery, ReplacePeopleResult } from './people.js';
import * as portals from './portals.js';
import { PlannerStats } from './planner-stats.js';
import type { PortalInfo, PortalPatch } from './portals.js';
import * as rawSql from './raw-sql.js';
import type { SqlOptions } from './raw-sql.js';
import type { ReadonlyConnection } from './reader.js';
import type { Interval } from './rows.js';
import type { EventRow, RunMode } from './schema.js';
import * as upkeep from './rollup-upkeep.js';
import { type PortalStats, stats } from './stats.js';

export class ArchiveStore extends ArchiveRecords implements StoreContext {
  readonly dialect: DialectName;
  /** File path, or the PostgreSQL URL without its password. */
  readonly location: string;
  readonly readOnly: boolean;
  /** What the database can do (for queries the store does not offer, such as reports). */
  readonly capabilities: BackendCapabilities;
  /** What opening did to the schema (absent when read-only or inside a transaction). */
  migration?: MigrationReport;

  /** The transaction's connection, for a store handed to a `transaction` callback. */
  private readonly bound: Db | undefined;
  /**
   * Which transaction the current async context is in, so that calls made on the outer store from
   * inside a `transaction` callback join it instead of waiting for it (on SQLite, forever).
   */
  private readonly context: AsyncLocalStorage<ArchiveStore>;
  private readonly inserts: EventInsert;
  /** Events added through this store (and its transactions), and when to refresh the planner's statistics. */
  private readonly growth: PlannerStats;

  /** @internal Use `openStore`. */
  constructor(
    /** @internal */ readonly backend: Backend,
    bound?: Db,
    outer?: ArchiveStore,
  ) {
    super();
    this.dialect = backend.dialect;
    this.location = backend.location;
    this.readOnly = backend.readOnly;
    this.capabilities = backend.capabilities;
    this.bound = bound;
    this.context = outer?.context ?? new AsyncLocalStorage();
    this.inserts = outer?.inserts ?? new EventInsert(backend.db);
    this.growth = outer?.growth ?? new PlannerStats(backend);
  }

  /** The Kysely instance for queries the store does not offer (reports); joins an open transaction. */
  get db(): Db {
    return this.bound ?? this.context.getStore()?.bound ?? this.backend.db;
  }

  get inTransaction(): boolean {
    return this.bound !== undefined || this.context.getStore() !== undefined;
  }

  /** @internal */
  writable(): void {
    if (this.readOnly) throw new UsageError(`The archive ${this.location} is open read-only`);
  }

  /** @internal Writes outside a transaction get one of their own (SQLite then waits for the write lock without blocking). */
  writing<T>(fn: (db: Db) => Promise<T>): Promise<T> {
    this.writable();
    return this.inTransaction ? fn(this.db) : this.transaction((tx) => fn(tx.db));
  }

  /**
   * Run `fn` in one transaction: everything it writes through `tx` (or through this store from
   * inside `fn`) commits together or not at all. Nested calls join the outer transaction. Keep
   * network I/O out of `fn`: on SQLite the transaction holds the archive's write lock.
   */
  async transaction<T>(fn: (tx: ArchiveStore) => Promise<T>): Promise<T> {
    const current = this.bound ? this : this.context.getStore();
    if (current) return fn(current);
    this.writable();
    const result = await this.backend.transaction((db) => {
      const tx = new ArchiveStore(this.backend, db, this);
      return this.context.run(tx, () => fn(tx));
    });
    const refresh = this.growth.afterCommit();
    if (refresh) await refresh;
    return result;
  }

  // --- portals (portals.ts) ---------------------------------------------------------------------

  /** The portal's id, adding it on first sight. `url` is normalised to its origin. */
  ensurePortal(p: { url: string; name?: string | null }): Promise<number> {
    return portals.ensurePortal(this, p);
  }

  updatePortal(portalId: number, patch: PortalPatch): Promise<void> {
    return portals.updatePortal(this, portalId, patch);
  }

  portals(): Promise<PortalInfo[]> {
    return portals.portals(this);
  }

  /** A portal by id or by URL (any spelling `normalisePortalUrl` accepts). */
  portal(idOrUrl: number | string): Promise<PortalInfo | undefined> {
    return portals.portal(this, idOrUrl);
  }

  // --- events (events-write.ts, events-read.ts) -------------------------------------------------

  /**
   * Archive events of one portal. Idempotent: an event already archived (same portal and id) is
   * counted as a duplicate and left as it is. Events that fail validation go to the quarantine.
   * `raw[i]` is the server's JSON of `events[i]`, kept when given. Runs in one transaction (the
   * caller's, if one is open), in multi-row statements.
   */
  async insertEvents(
    portalId: number,
    events: readonly LoginEvent[],
    raw?: ReadonlyArray<string | null | undefined>,
    /** `inserted_at`: when the reader received them, by its clock (default now). */
    receivedAt?: number,
  ): Promise<InsertResult> {
    this.writable();
    if (events.length === 0) return { added: 0, duplicates: 0, quarantined: 0 };
    if (!this.inTransaction) return this.transaction((tx) => tx.insertEvents(portalId, events, raw, receivedAt));
    const result = await write.insertEvents(this, this.inserts, portalId, events, raw, receivedAt);
    this.growth.grew(result.added);
    return result;
  }

  /** Which of these event ids the portal already has (to prove overlap with a new page). */
  existingIds(portalId: number, ids: readonly number[]): Promise<Set<number>> {
    return read.existingIds(this, portalId, ids);
  }

  /**
   * Archived events matching `filter`, newest first (time, then id, descending; across portals
   * merged by time). Streams in chunks with keyset pagination, so memory stays constant however
   * many rows match; each chunk is one indexed range query.
   */
  async *queryEvents(filter: ArchiveQuery = {}): AsyncGenerator<EventRow> {
    for await (const chunk of this.queryEventChunks(filter)) yield* chunk;
  }

  /** `queryEvents` a chunk at a time (up to `chunkSize` rows): less overhead per row for exports. */
  queryEventChunks(filter: ArchiveQuery = {}): AsyncGenerator<EventRow[]> {
    return read.queryEventChunks(this, filter);
  }

  /** Archived events as LoginEvents, newest first, in chunks (fast path: see `capabilities.iterateRaw`). */
  queryLoginEventChunks(filter: ArchiveQuery = {}, chunk = 2000): AsyncGenerator<LoginEvent[]> {
    return read.queryLoginEventChunks(this, filter, chunk);
  }

  /** The SQL of one portal's events in a range of the (time, id) order: see `events-read.ts`. */
  compileEventRange(
    portalId: number,
    filter: EventFilter,
    range: Pick<EventRange, 'from' | 'before'> & { limit?: number; offset?: number; columns?: RangeColumns } = {},
  ): CompiledQuery {
    return read.compileEventRange(this.db, portalId, filter, range);
  }

  /** The SQL of one event by id, every column (to read again a row a packed range could not unpack). */
  compileEventById(portalId: number): ByIdQuery {
    return compileEventById(this.db, portalId);
  }

  /** How many archived events match (same filters as `queryEvents`, without limit). */
  countEvents(filter: ArchiveQuery = {}): Promise<number> {
    return read.countEvents(this, filter);
  }

  /**
   * A read-only connection of its own for long reads (the exporter's threads), when the backend
   * has one (`capabilities.fileReader`); the caller closes it.
   */
  openReader(): ReadonlyConnection | undefined {
    return this.capabilities.fileReader?.();
  }

  // --- rollups (rollup-upkeep.ts) ---------------------------------------------------------------

  /**
   * Make the rollups (of one portal, or all) again from the archived events, in one transaction.
   * Sync keeps them and migration 10 back-fills them; this is for an archive whose events were
   * written by other means (a bulk load). Returns the events read.
   */
  rebuildRollups(portalId?: number): Promise<number> {
    return upkeep.rebuildAll(this, portalId);
  }

  /**
   * Group again the months whose member day rows changed (of one portal, or all), in one
   * transaction: the end of a sync. Returns the months grouped (rollup-months.ts).
   */
  regroupMonths(portalId?: number): Promise<number> {
    return upkeep.regroupMarked(this, portalId);
  }

  // --- ledger (ledger.ts) -----------------------------------------------------------------------

  /** Record a period as proven complete, or as a gap (with a note saying why and what to do). */
  addCoverage(portalId: number, entry: CoverageEntry): Promise<void> {
    return ledger.addCoverage(this, portalId, entry);
  }

  /** The ledger as written, oldest period first. */
  coverageEntries(portalId: number): Promise<CoverageRecord[]> {
    return ledger.coverageEntries(this, portalId);
  }

  /** Periods proven complete, merged (overlapping or touching periods become one). */
  coverage(portalId: number): Promise<Interval[]> {
    return ledger.coverage(this, portalId);
  }

  /** Does one recorded `complete` period hold all of [from, to]? */
  isCovered(portalId: number, from: number, to: number): Promise<boolean> {
    return ledger.isCovered(this, portalId, from, to);
  }

  /** Recorded gaps, merged, minus any part a later run proved complete. */
  gaps(portalId: number): Promise<Interval[]> {
    return ledger.gaps(this, portalId);
  }

  /**
   * Record the start of a sync run. Call it while holding `withPortalLock`: any run of the portal
   * still marked `running` then belongs to a process that died, and is marked `interrupted`.
   */
  startRun(portalId: number, mode: RunMode): Promise<number> {
    return ledger.startRun(this, portalId, mode);
  }

  /** Record a run that already ended (one commit): a run that needed no other write. */
  recordRun(portalId: number, mode: RunMode, startedAt: number, outcome: RunOutcome): Promise<number> {
    return ledger.startRun(this, portalId, mode, { startedAt, outcome });
  }

  finishRun(runId: number, outcome: RunOutcome): Promise<void> {
    return ledger.finishRun(this, runId, outcome);
  }

  /** Runs of a portal, newest first. */
  runs(portalId: number, limit = 20): Promise<RunInfo[]> {
    return ledger.runs(this, portalId, limit);
  }

  checkpoint(portalId: number): Promise<Checkpoint | undefined> {
    return ledger.checkpoint(this, portalId);
  }

  /** Move the checkpoint; do it in the transaction that commits the run's data, or after it. */
  setCheckpoint(portalId: number, cp: { newestTime: number; newestId: number; runId?: number | null }): Promise<void> {
    return ledger.setCheckpoint(this, portalId, cp);
  }

  // --- quarantine (events-write.ts) -------------------------------------------------------------

  /** Keep an event that failed validation, as received, with the reason. */
  quarantine(portalId: number, reason: string, raw: unknown, runId?: number | null): Promise<boolean> {
    return write.quarantine(this, portalId, reason, raw, runId);
  }

  quarantineCount(portalId?: number): Promise<number> {
    return write.quarantineCount(this, portalId);
  }

  // --- people (people.ts) -----------------------------------------------------------------------

  /**
   * Record the portal's people as read at `readAt`: everyone given is added or updated; after a
   * complete read (the default), members not given are marked removed, and kept.
   */
  replacePeople(
    portalId: number,
    list: readonly DirectoryPerson[],
    readAt: number,
    opts: { complete?: boolean } = {},
  ): Promise<ReplacePeopleResult> {
    return people.replacePeople(this, portalId, list, readAt, opts);
  }

  /** How many members the portal's directory holds, and when it was last read. */
  peopleFreshness(portalId: number): Promise<{ members: number; readAt: number }> {
    return people.peopleFreshness(this, portalId);
  }

  /** Which of these user ids the portal's directory does not know. */
  unknownPeople(portalId: number, ids: readonly string[]): Promise<string[]> {
    return people.unknownPeople(this, portalId, ids);
  }

  /** The portal's people by display name; removed ones only when asked. */
  people(portalId: number, opts: { includeRemoved?: boolean } = {}): Promise<ArchivedPerson[]> {
    return people.people(this, portalId, opts);
  }

  /** People of the portal matching any of `query.keys` by id, e-mail or user name (removed ones too). */
  findPeople(portalId: number, query: PeopleQuery): Promise<ArchivedPerson[]> {
    return people.findPeople(this, portalId, query);
  }

  // --- status, maintenance, SQL (raw-sql.ts), locks ---------------------------------------------

  /** Per portal (or for one): events archived, period, coverage, gaps, runs, checkpoint. */
  stats(portalId?: number): Promise<PortalStats[]> {
    return stats(this, portalId);
  }

  /**
   * Refresh the query planner's statistics. Done on its own as the archive grows (and, for
   * SQLite, on close); worth calling after loading an archive by other means.
   */
  async analyze(): Promise<void> {
    await this.backend.analyze();
  }

  /**
   * Before loading a whole history into an archive with no events: drop the secondary indexes no
   * insert needs, to build them once at the end (`restoreIndexes`). Returns the names dropped
   * (none on a backend that cannot, or an archive that has events). See deferred-indexes.ts.
   */
  deferIndexes(): Promise<string[]> {
    return deferred.deferIndexes(this);
  }

  /** Build the indexes a load deferred (also those of a run that died); one read when none are. */
  async restoreIndexes(): Promise<number> {
    const built = await deferred.restoreIndexes(this);
    // The statistics were taken without them: the planner needs theirs.
    if (built) await this.backend.analyze();
    return built;
  }

  /**
   * One read-only statement over the archive, its rows streamed as they are consumed, on a
   * connection of its own: SQLite opens it read-only, PostgreSQL runs a cursor in a READ ONLY
   * transaction after an allowlist check. Anything that could write is refused (UsageError).
   */
  sqlRows(text: string, opts: { portalIds?: readonly number[] } = {}): Promise<SqlRows> {
    return rawSql.sqlRows(this, text, opts.portalIds);
  }

  /** `sqlRows`, collected: for results known to be small, or cut at `maxRows`. */
  sql(text: string, opts: SqlOptions = {}): Promise<SqlResult> {
    return rawSql.collectSql(this, text, opts);
  }

  /**
   * Run `fn` while holding the portal's sync lock, so one portal is synced by one process at a
   * time while other portals go on in parallel. The lock dies with its holder (SIGKILL
   * included). When it is taken: throw ArchiveBusyError, or with `wait`, retry until it is free.
   */
  withPortalLock<T>(portalId: number, fn: () => Promise<T>, opts: LockOptions = {}): Promise<T> {
    return locks.withPortalLock(this, portalId, fn, opts);
  }

  /** Start opening what the next `withPortalLock` needs (PostgreSQL: its session), to overlap the work before it. */
  prepareLock(): void {
    this.backend.capabilities.prepareLock?.();
  }

  /** Name this process as the lock's holder (with `withPortalLock`'s `holderRow: false`). */
  recordLockHolder(portalId: number): Promise<void> {
    return locks.recordHolder(this, portalId);
  }

  /** Remove the row `recordLockHolder` wrote. */
  clearLockHolder(portalId: number): Promise<void> {
    return locks.clearHolder(this, portalId);
  }

  async close(): Promise<void> {
    if (this.bound) throw new Error('close() the store, not the transaction');
    await this.backend.close();
  }
}


