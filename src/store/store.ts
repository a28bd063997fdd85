/**
 * The archive: login events of one or more portals kept beyond the portal's retention, with a
 * ledger of which periods are proven complete, the sync runs, the checkpoint and a quarantine.
 *
 * One class for both dialects. Every query goes through Kysely; the backend only decides how a
 * connection, a write transaction, a lock and read-only SQL work (see `backend.ts`).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { type CompiledQuery, type Kysely, type Selectable, type SelectQueryBuilder, sql, type Updateable } from 'kysely';
import { normalisePortalUrl } from '../client/config.js';
import { UsageError } from '../client/errors.js';
import { defaultArchive } from '../config/paths.js';
import type { EventFilter } from '../history/filter.js';
import type { LoginEvent } from '../model/event.js';
import {
  type Backend,
  type DialectName,
  HOSTNAME,
  openError,
  type SqlResult,
  sqliteBackend,
} from './backend.js';
import { ArchiveBusyError, type LockHolder } from './errors.js';
import { EventInsert } from './insert.js';
import { checkSchema, type MigrationReport, migrate, OutdatedSchemaError } from './migrations.js';
import { EVENT_FIELDS, type Interval, mergeIntervals, subtractIntervals, toLoginEvent, toRow, valuesToLoginEvent } from './rows.js';
import type {
  ArchiveSchema,
  CoverageKind,
  EventRow,
  EventsTable,
  RunMode,
  RunStatus,
  SyncRunsTable,
} from './schema.js';

export interface OpenStoreOptions {
  /** Open for reading only: SQLite read-only, PostgreSQL sessions in read-only transactions. */
  readOnly?: boolean;
  /** Environment for the default location (`DOCSPACE_LOGINS_DB`, `XDG_DATA_HOME`, `HOME`). */
  env?: NodeJS.ProcessEnv;
  /** SQLite: how long a write waits for another process's write lock (default 10 s). */
  busyTimeoutMs?: number;
  /** PostgreSQL: connections in the pool (default 4). */
  poolSize?: number;
  /** Read-only: fail on an archive from an older version instead of upgrading it first. */
  noUpgrade?: boolean;
}

export interface PortalInfo {
  id: number;
  url: string;
  name: string | null;
  /** Minutes east of UTC. */
  timezoneOffset: number | null;
  retentionDays: number | null;
  /** When the retention was last read from the portal (epoch ms). */
  retentionCheckedAt: number | null;
  audit: boolean | null;
  createdAt: number;
  updatedAt: number;
}

export interface PortalPatch {
  name?: string | null;
  timezoneOffset?: number | null;
  retentionDays?: number | null;
  retentionCheckedAt?: number | null;
  audit?: boolean | null;
}

export interface InsertResult {
  /** New rows. */
  added: number;
  /** Already archived (same portal and id), including repeats within the batch. */
  duplicates: number;
  /** Failed validation and went to the quarantine instead. */
  quarantined: number;
}

export interface CoverageEntry {
  /** Inclusive bounds, epoch ms. */
  from: number;
  to: number;
  kind: CoverageKind;
  runId?: number | null;
  note?: string | null;
}

export interface CoverageRecord extends Required<CoverageEntry> {
  portalId: number;
  createdAt: number;
}

export interface RunInfo {
  id: number;
  portalId: number;
  startedAt: number;
  finishedAt: number | null;
  status: RunStatus;
  mode: RunMode;
  eventsSeen: number;
  eventsAdded: number;
  requests: number;
  error: string | null;
  pid: number;
  host: string;
}

export interface RunOutcome {
  status: Exclude<RunStatus, 'running'>;
  eventsSeen?: number;
  eventsAdded?: number;
  requests?: number;
  error?: string | null;
}

export interface Checkpoint {
  newestTime: number;
  newestId: number;
  runId: number | null;
  updatedAt: number;
}

export interface PortalStats {
  portal: PortalInfo;
  events: number;
  oldest: number | null;
  newest: number | null;
  /** Periods proven complete, merged. */
  covered: Interval[];
  /** Periods recorded as gaps and not covered since. */
  gaps: Interval[];
  lastRun: RunInfo | null;
  lastSuccessfulRun: RunInfo | null;
  checkpoint: Checkpoint | null;
  quarantined: number;
}

export interface ArchiveQuery extends EventFilter {
  /** Portals to read (default: all), merged newest first. */
  portalIds?: readonly number[];
  /** Stop after this many events. */
  limit?: number;
  /** Rows fetched per query (default 2,000). */
  chunkSize?: number;
  /** Also read the `raw` column (off by default: it is the bulk of a row). */
  withRaw?: boolean;
}

/** A place in the archive's newest-first order of one portal: (time, id). */
export type EventPosition = readonly [time: number, id: number];

export interface LockOptions {
  /** Wait for the holder to finish instead of failing at once (default false). */
  wait?: boolean;
  /** Give up waiting after this long (ms); default: wait as long as it takes. */
  timeoutMs?: number;
  /** How often to retry while waiting (ms, default 500). */
  pollMs?: number;
  /** Called once when the lock is busy and we start waiting. */
  onWait?: (holder: LockHolder | undefined) => void;
  signal?: AbortSignal;
}

export interface SqlOptions {
  /** Keep at most this many rows (`truncated` says when more were there). */
  maxRows?: number;
}

const EVENT_COLUMNS = EVENT_FIELDS satisfies ReadonlyArray<keyof EventsTable>;

/** Events added before the planner's statistics are first refreshed (then at each doubling). */
const ANALYZE_AFTER = 50_000;

/**
 * Rows per INSERT statement: 19 parameters a row keeps SQLite under its 32,766 bound-parameter
 * limit and PostgreSQL under 65,535; larger statements gained nothing in measurements.
 */
const INSERT_ROWS: Record<DialectName, number> = { sqlite: 500, postgres: 1000 };

type Db = Kysely<ArchiveSchema>;

export function isPostgresUrl(target: string): boolean {
  return /^postgres(ql)?:\/\//i.test(target.trim());
}

/** What `openStore` opens for `target`: the given URL or path, else the default archive file. */
export function resolveArchive(target?: string, env: NodeJS.ProcessEnv = process.env): string {
  const t = target?.trim();
  return t ? t : defaultArchive(env);
}

/**
 * Open (and, unless read-only, create or upgrade) the archive at `target`: a file path for
 * SQLite or a `postgres://` URL. Without a target: `$DOCSPACE_LOGINS_DB`, else
 * `$XDG_DATA_HOME/docspace-logins/archive.sqlite`, else `~/.local/share/docspace-logins/archive.sqlite`.
 */
export async function openStore(target?: string, opts: OpenStoreOptions = {}): Promise<ArchiveStore> {
  const where = resolveArchive(target, opts.env);
  let backend: Backend;
  if (isPostgresUrl(where)) {
    // Loaded only for PostgreSQL: SQLite users never pay for `pg`.
    const { postgresBackend } = await import('./backend-pg.js');
    backend = postgresBackend(where, { readOnly: opts.readOnly, poolSize: opts.poolSize });
  } else {
    backend = sqliteBackend(where, { readOnly: opts.readOnly, busyTimeoutMs: opts.busyTimeoutMs });
  }
  const store = new ArchiveStore(backend);
  try {
    if (backend.readOnly) await checkSchema(backend);
    else store.migration = await migrate(backend);
  } catch (err) {
    await backend.close().catch(() => {});
    // An archive from an older version is upgraded once (migrations only add), then read as
    // asked: a read command after an upgrade of the tool should just work. When the upgrade
    // itself is not possible (a read-only file, a read-only database role), the error says so.
    if (err instanceof OutdatedSchemaError && !opts.noUpgrade) {
      await (await openStore(target, { ...opts, readOnly: false })).close();
      return openStore(target, { ...opts, noUpgrade: true });
    }
    throw openError(backend, err);
  }
  return store;
}

function portalInfo(r: Selectable<ArchiveSchema['portals']>): PortalInfo {
  return {
    id: Number(r.id),
    url: r.url,
    name: r.name,
    timezoneOffset: r.timezone_offset === null ? null : Number(r.timezone_offset),
    retentionDays: r.retention_days === null ? null : Number(r.retention_days),
    retentionCheckedAt: r.retention_checked_at === null ? null : Number(r.retention_checked_at),
    audit: r.audit === null ? null : Number(r.audit) === 1,
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}

function runInfo(r: Selectable<SyncRunsTable>): RunInfo {
  return {
    id: Number(r.id),
    portalId: Number(r.portal_id),
    startedAt: Number(r.started_at),
    finishedAt: r.finished_at === null ? null : Number(r.finished_at),
    status: r.status,
    mode: r.mode,
    eventsSeen: Number(r.events_seen),
    eventsAdded: Number(r.events_added),
    requests: Number(r.requests),
    error: r.error,
    pid: Number(r.pid),
    host: r.host,
  };
}

/** True when `a` sorts before `b` newest first: later time, then higher portal id, then higher id. */
function later(a: EventRow, b: EventRow): boolean {
  if (a.time !== b.time) return a.time > b.time;
  if (a.portal_id !== b.portal_id) return a.portal_id > b.portal_id;
  return a.id > b.id;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });

export class ArchiveStore {
  readonly dialect: DialectName;
  /** File path, or the PostgreSQL URL without its password. */
  readonly location: string;
  readonly readOnly: boolean;
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
  /** Events added through this store, and when to refresh the planner's statistics next. */
  private readonly growth: { added: number; next: number };

  /** @internal Use `openStore`. */
  constructor(
    private readonly backend: Backend,
    bound?: Db,
    outer?: ArchiveStore,
  ) {
    this.dialect = backend.dialect;
    this.location = backend.location;
    this.readOnly = backend.readOnly;
    this.bound = bound;
    this.context = outer?.context ?? new AsyncLocalStorage();
    this.inserts = outer?.inserts ?? new EventInsert(backend.db);
    this.growth = outer?.growth ?? { added: 0, next: ANALYZE_AFTER };
  }

  /** The Kysely instance for queries the store does not offer (reports); joins an open transaction. */
  get db(): Db {
    return this.bound ?? this.context.getStore()?.bound ?? this.backend.db;
  }

  get inTransaction(): boolean {
    return this.bound !== undefined || this.context.getStore() !== undefined;
  }

  private writable(): void {
    if (this.readOnly) throw new UsageError(`The archive ${this.location} is open read-only`);
  }

  /** Writes outside a transaction get one of their own (SQLite then waits for the write lock without blocking). */
  private writing<T>(fn: (db: Db) => Promise<T>): Promise<T> {
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
    if (this.growth.added >= this.growth.next) {
      // Committed a lot since the last look: refresh statistics at 50k, 100k, 200k… events, so a
      // first sync of millions analyses a handful of times, and queries right after it are fast.
      this.growth.next = this.growth.added * 2;
      await this.backend.analyze();
    }
    return result;
  }

  // --- portals -------------------------------------------------------------------------------

  /** The portal's id, adding it on first sight. `url` is normalised to its origin. */
  async ensurePortal(p: { url: string; name?: string | null }): Promise<number> {
    const url = normalisePortalUrl(p.url);
    const found = await this.db
      .selectFrom('portals')
      .select(['id', 'name'])
      .where('url', '=', url)
      .executeTakeFirst();
    if (found) {
      if (p.name !== undefined && p.name !== found.name) {
        await this.updatePortal(Number(found.id), { name: p.name });
      }
      return Number(found.id);
    }
    const now = Date.now();
    await this.writing((db) =>
      db
        .insertInto('portals')
        .values({
          url,
          name: p.name ?? null,
          timezone_offset: null,
          retention_days: null,
          retention_checked_at: null,
          audit: null,
          created_at: now,
          updated_at: now,
        })
        .onConflict((oc) => oc.column('url').doNothing())
        .execute(),
    );
    const row = await this.db
      .selectFrom('portals')
      .select('id')
      .where('url', '=', url)
      .executeTakeFirstOrThrow();
    return Number(row.id);
  }

  async updatePortal(portalId: number, patch: PortalPatch): Promise<void> {
    this.writable();
    const set: Updateable<ArchiveSchema['portals']> = { updated_at: Date.now() };
    if (patch.name !== undefined) set.name = patch.name;
    if (patch.timezoneOffset !== undefined) set.timezone_offset = patch.timezoneOffset;
    if (patch.retentionDays !== undefined) set.retention_days = patch.retentionDays;
    if (patch.retentionCheckedAt !== undefined) set.retention_checked_at = patch.retentionCheckedAt;
    if (patch.audit !== undefined) set.audit = patch.audit === null ? null : patch.audit ? 1 : 0;
    await this.writing((db) => db.updateTable('portals').set(set).where('id', '=', portalId).execute());
  }

  async portals(): Promise<PortalInfo[]> {
    const rows = await this.db.selectFrom('portals').selectAll().orderBy('id').execute();
    return rows.map(portalInfo);
  }

  /** A portal by id or by URL (any spelling `normalisePortalUrl` accepts). */
  async portal(idOrUrl: number | string): Promise<PortalInfo | undefined> {
    let q = this.db.selectFrom('portals').selectAll();
    q =
      typeof idOrUrl === 'number'
        ? q.where('id', '=', idOrUrl)
        : q.where('url', '=', normalisePortalUrl(idOrUrl));
    const row = await q.executeTakeFirst();
    return row ? portalInfo(row) : undefined;
  }

  private async portalName(portalId: number): Promise<string> {
    return (await this.portal(portalId))?.url ?? `portal ${portalId}`;
  }

  // --- events --------------------------------------------------------------------------------

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
  ): Promise<InsertResult> {
    this.writable();
    if (events.length === 0) return { added: 0, duplicates: 0, quarantined: 0 };
    if (!this.inTransaction) return this.transaction((tx) => tx.insertEvents(portalId, events, raw));
    const db = this.db;
    // events.portal_id is not a declared foreign key (checking it row by row costs PostgreSQL a
    // third of its insert rate), so check the portal once per call instead.
    const portal = await db.selectFrom('portals').select('id').where('id', '=', portalId).executeTakeFirst();
    if (!portal)
      throw new RangeError(`No portal with id ${portalId} in the archive: call ensurePortal first`);
    const now = Date.now();
    const perStatement = INSERT_ROWS[this.dialect];
    let added = 0;
    let quarantined = 0;
    let batch: EventsTable[] = [];
    const flush = async () => {
      added += await this.backend.write(db, this.inserts.build(batch), batch.length === perStatement);
      batch = [];
    };
    for (let i = 0; i < events.length; i++) {
      const r = toRow(portalId, events[i], raw?.[i] ?? null, now);
      if ('reason' in r) {
        quarantined++;
        await this.quarantine(portalId, r.reason, raw?.[i] ?? safeJson(events[i]));
        continue;
      }
      batch.push(r.row);
      if (batch.length === perStatement) await flush();
    }
    if (batch.length > 0) await flush();
    this.growth.added += added;
    return { added, duplicates: events.length - quarantined - added, quarantined };
  }

  /** Which of these event ids the portal already has (to prove overlap with a new page). */
  async existingIds(portalId: number, ids: readonly number[]): Promise<Set<number>> {
    const found = new Set<number>();
    for (let i = 0; i < ids.length; i += 1000) {
      const chunk = ids.slice(i, i + 1000);
      const rows = await this.db
        .selectFrom('events')
        .select('id')
        .where('portal_id', '=', portalId)
        .where('id', 'in', chunk)
        .execute();
      for (const r of rows) found.add(Number(r.id));
    }
    return found;
  }

  private applyFilter<O>(
    q: SelectQueryBuilder<ArchiveSchema, 'events', O>,
    f: ArchiveQuery,
  ): SelectQueryBuilder<ArchiveSchema, 'events', O> {
    if (f.since !== undefined) q = q.where('time', '>=', f.since);
    if (f.until !== undefined) q = q.where('time', '<=', f.until);
    if (f.kinds?.length) q = q.where('kind', 'in', [...f.kinds]);
    if (f.actionIds?.length) q = q.where('action_id', 'in', [...f.actionIds]);
    const ids = f.userIds?.length ? f.userIds.map((s) => s.toLowerCase()) : undefined;
    const logins = f.logins?.length ? f.logins.map((s) => s.toLowerCase()) : undefined;
    // Like the live filter: the user id, or the typed login (failures carry the Guest id).
    if (ids || logins) {
      q = q.where((eb) =>
        eb.or([
          ...(ids ? [eb('user_id', 'in', ids)] : []),
          ...(logins
            ? [eb.and([eb('login', 'is not', null), eb(eb.fn('lower', ['login']), 'in', logins)])]
            : []),
        ]),
      );
    }
    return q;
  }

  private async targetPortals(f: ArchiveQuery): Promise<number[]> {
    if (f.portalIds) return [...new Set(f.portalIds)];
    const rows = await this.db.selectFrom('portals').select('id').orderBy('id').execute();
    return rows.map((r) => Number(r.id));
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
  async *queryEventChunks(filter: ArchiveQuery = {}): AsyncGenerator<EventRow[]> {
    const limit = filter.limit ?? Number.POSITIVE_INFINITY;
    if (limit <= 0) return;
    const chunkSize = Math.max(1, Math.min(filter.chunkSize ?? 2000, 50_000));
    const portals = await this.targetPortals(filter);
    if (portals.length === 1) {
      yield* this.portalChunks(portals[0], filter, chunkSize, limit);
      return;
    }
    // k-way merge of the per-portal streams, each already newest first.
    const sources = portals.map((p) => ({
      gen: this.portalChunks(p, filter, chunkSize, limit),
      rows: [] as EventRow[],
      pos: 0,
      done: false,
    }));
    const head = async (s: (typeof sources)[number]): Promise<EventRow | undefined> => {
      while (!s.done && s.pos >= s.rows.length) {
        const next = await s.gen.next();
        if (next.done) s.done = true;
        else {
          s.rows = next.value;
          s.pos = 0;
        }
      }
      return s.done ? undefined : s.rows[s.pos];
    };
    try {
      let left = limit;
      let out: EventRow[] = [];
      while (left > 0) {
        let best: (typeof sources)[number] | undefined;
        let bestRow: EventRow | undefined;
        for (const s of sources) {
          const r = s.pos < s.rows.length ? s.rows[s.pos] : await head(s);
          if (r && (!bestRow || later(r, bestRow))) {
            best = s;
            bestRow = r;
          }
        }
        if (!best || !bestRow) break;
        best.pos++;
        out.push(bestRow);
        left--;
        if (out.length === chunkSize) {
          yield out;
          out = [];
        }
      }
      if (out.length) yield out;
    } finally {
      await Promise.all(sources.map((s) => s.gen.return(undefined)));
    }
  }

  /**
   * Archived events as LoginEvents, newest first, in chunks. One portal on SQLite takes the fast
   * path: the same query, compiled once and streamed as value arrays from a read-only connection.
   */
  async *queryLoginEventChunks(filter: ArchiveQuery = {}, chunk = 2000): AsyncGenerator<LoginEvent[]> {
    const portals = await this.targetPortals(filter);
    if (this.backend.iterateRaw && portals.length === 1) {
      const q = this.compileEventRange(portals[0], filter, { limit: filter.limit });
      let out: LoginEvent[] = [];
      for (const values of this.backend.iterateRaw(q)) {
        out.push(valuesToLoginEvent(values));
        if (out.length === chunk) {
          yield out;
          out = [];
        }
      }
      if (out.length) yield out;
      return;
    }
    for await (const rows of this.queryEventChunks({ ...filter, chunkSize: chunk })) yield rows.map(toLoginEvent);
  }

  /**
   * The SQL of one portal's events matching `filter`, newest first, as value arrays in
   * `EVENT_FIELDS` order, for readers with a connection of their own (the parallel exporter's
   * worker). `from`/`before` bound a range of the (time, id) order; `positionsOnly` selects just
   * (time, id), which the `events_time` index answers alone.
   */
  compileEventRange(
    portalId: number,
    filter: EventFilter,
    range: {
      from?: EventPosition;
      before?: EventPosition;
      limit?: number;
      offset?: number;
      positionsOnly?: boolean;
    } = {},
  ): CompiledQuery {
    let q = this.applyFilter(this.db.selectFrom('events').where('portal_id', '=', portalId), filter);
    const { from, before } = range;
    if (from) q = q.where((eb) => eb(eb.refTuple('time', 'id'), '<=', eb.tuple(from[0], from[1])));
    if (before) q = q.where((eb) => eb(eb.refTuple('time', 'id'), '>', eb.tuple(before[0], before[1])));
    let sel = q
      .select(range.positionsOnly ? ['time', 'id'] : [...EVENT_COLUMNS])
      .orderBy('time', 'desc')
      .orderBy('id', 'desc');
    if (range.limit !== undefined) sel = sel.limit(range.limit);
    if (range.offset !== undefined) sel = sel.offset(range.offset);
    return sel.compile();
  }

  private async *portalChunks(
    portalId: number,
    f: ArchiveQuery,
    chunkSize: number,
    limit: number,
  ): AsyncGenerator<EventRow[]> {
    let cursor: { time: number; id: number } | undefined;
    let remaining = limit;
    while (remaining > 0) {
      const size = Math.min(chunkSize, remaining);
      let q = this.db.selectFrom('events').where('portal_id', '=', portalId);
      q = this.applyFilter(q, f);
      if (cursor) {
        const { time, id } = cursor;
        q = q.where('time', '<=', time).where((eb) => eb.or([eb('time', '<', time), eb('id', '<', id)]));
      }
      const sel = f.withRaw
        ? q.selectAll()
        : q.select([...EVENT_COLUMNS, 'inserted_at', sql<null>`null`.as('raw')]);
      const rows = (await sel
        .orderBy('time', 'desc')
        .orderBy('id', 'desc')
        .limit(size)
        .execute()) as EventRow[];
      if (rows.length) yield rows;
      remaining -= rows.length;
      if (rows.length < size) return;
      const last = rows[rows.length - 1];
      cursor = { time: Number(last.time), id: Number(last.id) };
    }
  }

  /** How many archived events match (same filters as `queryEvents`, without limit). */
  async countEvents(filter: ArchiveQuery = {}): Promise<number> {
    let q = this.db.selectFrom('events');
    if (filter.portalIds) {
      if (filter.portalIds.length === 0) return 0;
      q = q.where('portal_id', 'in', [...filter.portalIds]);
    }
    q = this.applyFilter(q, filter);
    const row = await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  // --- coverage ledger -----------------------------------------------------------------------

  /** Record a period as proven complete, or as a gap (with a note saying why and what to do). */
  async addCoverage(portalId: number, entry: CoverageEntry): Promise<void> {
    this.writable();
    if (!(entry.from <= entry.to)) {
      throw new RangeError(`coverage period ends before it starts: ${entry.from} > ${entry.to}`);
    }
    await this.writing((db) =>
      db
        .insertInto('coverage')
        .values({
          portal_id: portalId,
          from_time: entry.from,
          to_time: entry.to,
          kind: entry.kind,
          run_id: entry.runId ?? null,
          note: entry.note ?? null,
          created_at: Date.now(),
        })
        .execute(),
    );
  }

  /** The ledger as written, oldest period first. */
  async coverageEntries(portalId: number): Promise<CoverageRecord[]> {
    const rows = await this.db
      .selectFrom('coverage')
      .selectAll()
      .where('portal_id', '=', portalId)
      .orderBy('from_time')
      .orderBy('id')
      .execute();
    return rows.map((r) => ({
      portalId: Number(r.portal_id),
      from: Number(r.from_time),
      to: Number(r.to_time),
      kind: r.kind,
      runId: r.run_id === null ? null : Number(r.run_id),
      note: r.note,
      createdAt: Number(r.created_at),
    }));
  }

  private async intervals(portalId: number, kind: CoverageKind): Promise<Interval[]> {
    const rows = await this.db
      .selectFrom('coverage')
      .select(['from_time', 'to_time'])
      .where('portal_id', '=', portalId)
      .where('kind', '=', kind)
      .execute();
    return rows.map((r) => ({ from: Number(r.from_time), to: Number(r.to_time) }));
  }

  /** Periods proven complete, merged (overlapping or touching periods become one). */
  async coverage(portalId: number): Promise<Interval[]> {
    return mergeIntervals(await this.intervals(portalId, 'complete'));
  }

  /** Recorded gaps, merged, minus any part a later run proved complete. */
  async gaps(portalId: number): Promise<Interval[]> {
    const [gaps, complete] = await Promise.all([
      this.intervals(portalId, 'gap'),
      this.intervals(portalId, 'complete'),
    ]);
    return subtractIntervals(gaps, complete);
  }

  // --- sync runs -----------------------------------------------------------------------------

  /**
   * Record the start of a sync run. Call it while holding `withPortalLock`: any run of the portal
   * still marked `running` then belongs to a process that died, and is marked `interrupted`.
   */
  async startRun(portalId: number, mode: RunMode): Promise<number> {
    this.writable();
    return this.transaction(async (tx) => {
      await tx.db
        .updateTable('sync_runs')
        .set({ status: 'interrupted' })
        .where('portal_id', '=', portalId)
        .where('status', '=', 'running')
        .execute();
      const row = await tx.db
        .insertInto('sync_runs')
        .values({
          portal_id: portalId,
          started_at: Date.now(),
          finished_at: null,
          status: 'running',
          mode,
          events_seen: 0,
          events_added: 0,
          requests: 0,
          error: null,
          pid: process.pid,
          host: HOSTNAME,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return Number(row.id);
    });
  }

  async finishRun(runId: number, outcome: RunOutcome): Promise<void> {
    this.writable();
    await this.writing((db) =>
      db
        .updateTable('sync_runs')
        .set({
          status: outcome.status,
          finished_at: Date.now(),
          events_seen: outcome.eventsSeen ?? 0,
          events_added: outcome.eventsAdded ?? 0,
          requests: outcome.requests ?? 0,
          error: outcome.error ?? null,
        })
        .where('id', '=', runId)
        .execute(),
    );
  }

  /** Runs of a portal, newest first. */
  async runs(portalId: number, limit = 20): Promise<RunInfo[]> {
    const rows = await this.db
      .selectFrom('sync_runs')
      .selectAll()
      .where('portal_id', '=', portalId)
      .orderBy('started_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
    return rows.map(runInfo);
  }

  // --- checkpoint ----------------------------------------------------------------------------

  async checkpoint(portalId: number): Promise<Checkpoint | undefined> {
    const r = await this.db
      .selectFrom('checkpoints')
      .selectAll()
      .where('portal_id', '=', portalId)
      .executeTakeFirst();
    return r
      ? {
          newestTime: Number(r.newest_time),
          newestId: Number(r.newest_id),
          runId: r.run_id === null ? null : Number(r.run_id),
          updatedAt: Number(r.updated_at),
        }
      : undefined;
  }

  /** Move the checkpoint; do it in the transaction that commits the run's data, or after it. */
  async setCheckpoint(
    portalId: number,
    cp: { newestTime: number; newestId: number; runId?: number | null },
  ): Promise<void> {
    this.writable();
    const values = {
      newest_time: cp.newestTime,
      newest_id: cp.newestId,
      run_id: cp.runId ?? null,
      updated_at: Date.now(),
    };
    await this.writing((db) =>
      db
        .insertInto('checkpoints')
        .values({ portal_id: portalId, ...values })
        .onConflict((oc) => oc.column('portal_id').doUpdateSet(values))
        .execute(),
    );
  }

  // --- quarantine ----------------------------------------------------------------------------

  /** Keep an event that failed validation, as received, with the reason. */
  async quarantine(portalId: number, reason: string, raw: unknown, runId?: number | null): Promise<void> {
    this.writable();
    await this.writing((db) =>
      db
        .insertInto('quarantine')
        .values({
          portal_id: portalId,
          received_at: Date.now(),
          reason,
          raw: typeof raw === 'string' ? raw : safeJson(raw),
          run_id: runId ?? null,
        })
        .execute(),
    );
  }

  async quarantineCount(portalId?: number): Promise<number> {
    let q = this.db.selectFrom('quarantine');
    if (portalId !== undefined) q = q.where('portal_id', '=', portalId);
    const row = await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  // --- status --------------------------------------------------------------------------------

  /** Per portal (or for one): events archived, period, coverage, gaps, runs, checkpoint. */
  async stats(portalId?: number): Promise<PortalStats[]> {
    const portals = portalId === undefined ? await this.portals() : [await this.portal(portalId)];
    const out: PortalStats[] = [];
    for (const portal of portals) {
      if (!portal) continue;
      const id = portal.id;
      const events = this.db.selectFrom('events').where('portal_id', '=', id);
      // Separate min and max: each is then a single index probe on both dialects.
      const [count, oldest, newest, covered, gaps, runs, success, checkpoint, quarantined] =
        await Promise.all([
          events.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst(),
          events.select((eb) => eb.fn.min('time').as('t')).executeTakeFirst(),
          events.select((eb) => eb.fn.max('time').as('t')).executeTakeFirst(),
          this.coverage(id),
          this.gaps(id),
          this.runs(id, 1),
          this.db
            .selectFrom('sync_runs')
            .selectAll()
            .where('portal_id', '=', id)
            .where('status', 'in', ['ok', 'partial'])
            .orderBy('started_at', 'desc')
            .orderBy('id', 'desc')
            .limit(1)
            .executeTakeFirst(),
          this.checkpoint(id),
          this.quarantineCount(id),
        ]);
      out.push({
        portal,
        events: Number(count?.n ?? 0),
        oldest: oldest?.t == null ? null : Number(oldest.t),
        newest: newest?.t == null ? null : Number(newest.t),
        covered,
        gaps,
        lastRun: runs[0] ?? null,
        lastSuccessfulRun: success ? runInfo(success) : null,
        checkpoint: checkpoint ?? null,
        quarantined,
      });
    }
    return out;
  }

  /**
   * Refresh the query planner's statistics. Done on its own as the archive grows (and, for
   * SQLite, on close); worth calling after loading an archive by other means.
   */
  async analyze(): Promise<void> {
    await this.backend.analyze();
  }

  // --- read-only SQL -------------------------------------------------------------------------

  /**
   * One read-only statement over the archive, for the `sql` command. SQLite runs it on a
   * separate read-only connection, PostgreSQL in a `READ ONLY` transaction of its own session;
   * a statement that writes is refused with a UsageError either way.
   */
  sql(text: string, opts: SqlOptions = {}): Promise<SqlResult> {
    if (!text.trim()) return Promise.reject(new UsageError('The SQL statement is empty'));
    return this.backend.sql(text, opts.maxRows);
  }

  // --- locking -------------------------------------------------------------------------------

  /**
   * Run `fn` while holding the portal's sync lock, so one portal is synced by one process at a
   * time while other portals go on in parallel. The lock dies with its holder (SIGKILL
   * included). When it is taken: throw ArchiveBusyError, or with `wait`, retry until it is free.
   */
  async withPortalLock<T>(portalId: number, fn: () => Promise<T>, opts: LockOptions = {}): Promise<T> {
    this.writable();
    const started = Date.now();
    const pollMs = opts.pollMs ?? 500;
    let waiting = false;
    let unlock = await this.backend.tryLock(portalId);
    while (!unlock) {
      const holder = await this.lockHolder(portalId);
      const waited = Date.now() - started;
      if (!opts.wait || (opts.timeoutMs !== undefined && waited >= opts.timeoutMs)) {
        throw new ArchiveBusyError(await this.portalName(portalId), holder, opts.wait ? waited : undefined);
      }
      if (!waiting) {
        waiting = true;
        opts.onWait?.(holder);
      }
      const left =
        opts.timeoutMs === undefined ? pollMs : Math.max(0, Math.min(pollMs, opts.timeoutMs - waited));
      await sleep(left, opts.signal);
      unlock = await this.backend.tryLock(portalId);
    }
    try {
      const holder = { pid: process.pid, host: HOSTNAME, acquired_at: Date.now() };
      await this.writing((db) =>
        db
          .insertInto('sync_locks')
          .values({ portal_id: portalId, ...holder })
          .onConflict((oc) => oc.column('portal_id').doUpdateSet(holder))
          .execute(),
      );
      return await fn();
    } finally {
      try {
        await this.writing((db) =>
          db
            .deleteFrom('sync_locks')
            .where('portal_id', '=', portalId)
            .where('pid', '=', process.pid)
            .where('host', '=', HOSTNAME)
            .execute(),
        );
      } finally {
        await unlock();
      }
    }
  }

  /** The recorded holder of a busy lock; undefined when unknown or when that process is gone. */
  private async lockHolder(portalId: number): Promise<LockHolder | undefined> {
    const r = await this.db
      .selectFrom('sync_locks')
      .selectAll()
      .where('portal_id', '=', portalId)
      .executeTakeFirst();
    if (!r) return undefined;
    const holder = { pid: Number(r.pid), host: r.host, since: Number(r.acquired_at) };
    if (holder.host === HOSTNAME && !isAlive(holder.pid)) return undefined;
    return holder;
  }

  async close(): Promise<void> {
    if (this.bound) throw new Error('close() the store, not the transaction');
    await this.backend.close();
  }
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
