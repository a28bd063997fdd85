/**
 * The ledger of a portal's sync: which periods are proven complete (or recorded as gaps), the
 * runs that proved them, and the checkpoint the next run starts from.
 */
import { type QueryCreator, type Selectable, sql } from 'kysely';
import { HOSTNAME } from './backend.js';
import type { StoreContext } from './context.js';
import { type Interval, mergeIntervals, subtractIntervals } from './rows.js';
import type { ArchiveSchema, CoverageKind, RunMode, RunStatus, SyncRunsTable } from './schema.js';

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

export function runInfo(r: Selectable<SyncRunsTable>): RunInfo {
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

// --- coverage ---------------------------------------------------------------------------------

export async function addCoverage(s: StoreContext, portalId: number, entry: CoverageEntry): Promise<void> {
  s.writable();
  if (!(entry.from <= entry.to)) {
    throw new RangeError(`coverage period ends before it starts: ${entry.from} > ${entry.to}`);
  }
  await s.writing((db) =>
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

export async function coverageEntries(s: StoreContext, portalId: number): Promise<CoverageRecord[]> {
  const rows = await s.db
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

async function intervals(s: StoreContext, portalId: number, kind: CoverageKind): Promise<Interval[]> {
  const rows = await s.db
    .selectFrom('coverage')
    .select(['from_time', 'to_time'])
    .where('portal_id', '=', portalId)
    .where('kind', '=', kind)
    .execute();
  return rows.map((r) => ({ from: Number(r.from_time), to: Number(r.to_time) }));
}

/**
 * Does one recorded `complete` period hold all of [from, to]? (A sync with nothing new proves a
 * period an earlier run already proved: it need not be written again.) The newest periods
 * starting at or before `from` are looked at first, so the answer costs a few index rows.
 */
export async function isCovered(s: StoreContext, portalId: number, from: number, to: number): Promise<boolean> {
  const row = await s.db
    .selectFrom('coverage')
    .select('id')
    .where('portal_id', '=', portalId)
    .where('kind', '=', 'complete')
    .where('from_time', '<=', from)
    .where('to_time', '>=', to)
    .orderBy('from_time', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

export async function coverage(s: StoreContext, portalId: number): Promise<Interval[]> {
  return mergeIntervals(await intervals(s, portalId, 'complete'));
}

export async function gaps(s: StoreContext, portalId: number): Promise<Interval[]> {
  const [gap, complete] = await Promise.all([intervals(s, portalId, 'gap'), intervals(s, portalId, 'complete')]);
  return subtractIntervals(gap, complete);
}

// --- runs -------------------------------------------------------------------------------------

/**
 * Record a run: `running` from now, or (with `outcome`) a run that already ended, started at
 * `startedAt`, in one commit. Any run of the portal still marked `running` belongs to a process
 * that died: the caller holds the lock.
 */
export async function startRun(
  s: StoreContext,
  portalId: number,
  mode: RunMode,
  finished?: { startedAt: number; outcome: RunOutcome },
): Promise<number> {
  s.writable();
  const outcome = finished?.outcome;
  const run = {
    portal_id: portalId,
    started_at: finished?.startedAt ?? Date.now(),
    finished_at: outcome ? Date.now() : null,
    status: outcome?.status ?? ('running' as RunStatus),
    mode,
    events_seen: outcome?.eventsSeen ?? 0,
    events_added: outcome?.eventsAdded ?? 0,
    requests: outcome?.requests ?? 0,
    error: outcome?.error ?? null,
    pid: process.pid,
    host: HOSTNAME,
  };
  const stale = (db: QueryCreator<ArchiveSchema>) =>
    db.updateTable('sync_runs').set({ status: 'interrupted' }).where('portal_id', '=', portalId).where('status', '=', 'running');
  if (s.backend.dialect === 'postgres') {
    // One statement is atomic on its own, and its update does not see the row it inserts: one
    // round trip where a transaction takes four (a sync with nothing new makes only this write).
    // A run that ended and wrote nothing else does not wait for the WAL to reach the disk (35 ms
    // and more while the server writes a checkpoint): its row is a log line, lost only if the
    // server crashes within ~200 ms (`wal_writer_delay`); nothing else is committed this way
    // (SQLite's WAL at `synchronous = NORMAL` waits for the disk at no commit). `set_config(…,
    // true)` holds for this statement's own transaction only (never an open one's other
    // writes); RETURNING runs it once, for the one row inserted.
    const asyncCommit = sql<string>`set_config('synchronous_commit', 'off', true)`.as('commit');
    const returning = finished && !s.inTransaction ? (['id', asyncCommit] as const) : (['id'] as const);
    const row = await s.db
      .with('stale', (db) => stale(db).returning('id'))
      .insertInto('sync_runs')
      .values(run)
      .returning(returning)
      .executeTakeFirstOrThrow();
    return Number(row.id);
  }
  return s.transaction(async (tx) => {
    await stale(tx.db).execute();
    const row = await tx.db.insertInto('sync_runs').values(run).returning('id').executeTakeFirstOrThrow();
    return Number(row.id);
  });
}

export async function finishRun(s: StoreContext, runId: number, outcome: RunOutcome): Promise<void> {
  s.writable();
  await s.writing((db) =>
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

export async function runs(s: StoreContext, portalId: number, limit = 20): Promise<RunInfo[]> {
  const rows = await s.db
    .selectFrom('sync_runs')
    .selectAll()
    .where('portal_id', '=', portalId)
    .orderBy('started_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return rows.map(runInfo);
}

/** The newest run that finished with data (`ok` or `partial`). */
export async function lastSuccessfulRun(s: StoreContext, portalId: number): Promise<RunInfo | null> {
  const row = await s.db
    .selectFrom('sync_runs')
    .selectAll()
    .where('portal_id', '=', portalId)
    .where('status', 'in', ['ok', 'partial'])
    .orderBy('started_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ? runInfo(row) : null;
}

// --- checkpoint -------------------------------------------------------------------------------

export async function checkpoint(s: StoreContext, portalId: number): Promise<Checkpoint | undefined> {
  const r = await s.db.selectFrom('checkpoints').selectAll().where('portal_id', '=', portalId).executeTakeFirst();
  return r
    ? {
        newestTime: Number(r.newest_time),
        newestId: Number(r.newest_id),
        runId: r.run_id === null ? null : Number(r.run_id),
        updatedAt: Number(r.updated_at),
      }
    : undefined;
}

export async function setCheckpoint(
  s: StoreContext,
  portalId: number,
  cp: { newestTime: number; newestId: number; runId?: number | null },
): Promise<void> {
  s.writable();
  const values = { newest_time: cp.newestTime, newest_id: cp.newestId, run_id: cp.runId ?? null, updated_at: Date.now() };
  await s.writing((db) =>
    db
      .insertInto('checkpoints')
      .values({ portal_id: portalId, ...values })
      .onConflict((oc) => oc.column('portal_id').doUpdateSet(values))
      .execute(),
  );
}
