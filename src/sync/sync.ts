/**
 * Incremental sync of one portal into the archive.
 *
 * The rules that keep the archive whole (each one answers a bug that peers shipped):
 * - read newest-first down to the newest archived event minus an overlap window, so late or
 *   same-second events are re-read, and inserts are idempotent on (portal, id);
 * - commit events in batches as they arrive, but move the checkpoint and the coverage ledger
 *   only when the whole read succeeded, in one final transaction: a run killed at any moment
 *   leaves the old checkpoint, and the next run re-reads the same span;
 * - without the `audit` feature only the 20 newest events are reachable: archive them and prove
 *   continuity by overlap with the archive, or record a gap and say how often to sync.
 */
import type { DocSpaceClient, Page } from '../client/client.js';
import { oldestEventTime } from '../history/oldest.js';
import { probePortal } from '../history/portal.js';
import type { InvalidEvent } from '../history/reader.js';
import type { LoginEvent, RawLoginEvent } from '../model/event.js';
import { FUTURE_TOLERANCE_MS } from '../model/time.js';
import type { ArchiveStore, Checkpoint } from '../store/index.js';
import { SyncHead } from './head.js';
import { syncLatest } from './latest.js';
import { allArchived, type Archived, overlapFrom } from './overlap.js';
import { refreshPeople } from './people.js';
import { readForSync } from './read-thread.js';
import { RunRecord } from './run-record.js';
import type { PartialResult, SyncOptions, SyncResult } from './types.js';

export type { PartialResult, SyncOptions, SyncResult, SyncStage } from './types.js';

const MINUTE = 60_000;
const DAY = 86_400_000;
/** How long a retention read from the portal is trusted before it is read again. */
const RETENTION_RECHECK_MS = 60 * MINUTE;

export async function syncPortal(
  client: DocSpaceClient,
  store: ArchiveStore,
  opts: SyncOptions = {},
): Promise<SyncResult> {
  const now = opts.now ?? Date.now;
  const started = now();
  if (opts.head && opts.head.client !== client) {
    opts.head.abandon();
    throw new TypeError('syncPortal: the head was begun with another client than the one given');
  }
  const requestsBefore = opts.head?.requestsBefore ?? client.stats.requests;
  // The portal's first requests go out now, if the caller has not sent them already.
  const head = opts.head ?? new SyncHead(client);
  store.prepareLock();
  try {
    const portalId = await store.ensurePortal({ url: opts.portalKey ?? client.portal });
    return await locked(client, store, portalId, opts, { head, now, started, requestsBefore });
  } finally {
    // A window the run did not get to use (a busy lock, a failed probe, no `audit` feature) is
    // not waited for; one it read is done, and this changes nothing.
    head.abandon();
  }
}

/** What `syncPortal` settled before taking the lock. */
interface Begun {
  head: SyncHead;
  now: () => number;
  started: number;
  requestsBefore: number;
}

/** The rest of `syncPortal`, under the portal's lock. */
function locked(client: DocSpaceClient, store: ArchiveStore, portalId: number, opts: SyncOptions, begun: Begun): Promise<SyncResult> {
  const { head, now, started, requestsBefore } = begun;
  return store.withPortalLock(
    portalId,
    async () => {
      // The quota is read on every run (the `audit` feature decides how the history can be read).
      // The retention is read again when the archive's copy is over an hour old: the portal
      // purges once a day, so a fresher value could not change what this run reads or warns of.
      const known = await store.portal(portalId);
      const knownLifetimeDays =
        known?.retentionDays != null &&
        known.retentionCheckedAt != null &&
        started - known.retentionCheckedAt < RETENTION_RECHECK_MS
          ? known.retentionDays
          : undefined;
      // While the portal's first requests (below) are in flight, the archive's side of the read
      // is prepared on the connection that would otherwise wait for them; its first statement
      // goes out before them. The archive is touched again only once it is done: a statement
      // sent meanwhile would make the pool open a second connection.
      const start = known?.audit ? startFull(store, portalId, opts.overlapMs) : undefined;
      start?.catch(() => undefined);
      const archiveIdle = () => start?.then(() => undefined, () => undefined);
      // The first window of the history is asked for now if the quota has not asked for it yet
      // and the archive says the portal had the `audit` feature (the quota is still what
      // decides; unused if the feature is gone): a sync with nothing new waits for one round trip.
      if (known?.audit) head.window();
      const caps = await probePortal(client, { knownLifetimeDays, quota: head.quota }).catch(async (err: unknown) => {
        await archiveIdle();
        // A portal that refused or broke the first requests still gets its failed run on
        // record, so `status` shows the failure instead of a portal that was never tried.
        await new RunRecord(store, portalId, known?.audit === false ? 'last20' : 'audit')
          .finish({ status: 'failed', eventsSeen: 0, eventsAdded: 0, requests: client.stats.requests - requestsBefore, error: client.redact((err as Error).message) })
          .catch(() => undefined);
        throw err;
      });
      // Written only when it changed (or the retention was read again): nothing else is.
      if (known?.audit !== caps.audit || known.retentionDays !== caps.lifetimeDays || knownLifetimeDays === undefined) {
        await archiveIdle();
        await store.updatePortal(portalId, {
          audit: caps.audit,
          retentionDays: caps.lifetimeDays,
          ...(knownLifetimeDays === undefined ? { retentionCheckedAt: started } : {}),
        });
      }
      const run = new RunRecord(store, portalId, caps.audit ? 'audit' : 'last20');
      const base = {
        portal: client.portal,
        portalId,
        mode: (caps.audit ? 'audit' : 'last20') as SyncResult['mode'],
        retentionDays: caps.lifetimeDays,
      };
      const latest = async () => {
        await archiveIdle();
        return syncLatest(client, store, portalId, await run.start(), started + (opts.futureToleranceMs ?? FUTURE_TOLERANCE_MS));
      };
      try {
        const { userIds, ...result } = caps.audit
          ? await syncFull({ client, store, portalId, run, opts: { ...opts, firstWindow: head.window() }, now, lifetimeDays: caps.lifetimeDays, start })
          : await latest();
        // The months this run changed are grouped again once, here, not per batch (rollup-months.ts);
        // until then reports read those months from the day rows.
        await store.regroupMonths(portalId);
        const people = result.interrupted
          ? undefined
          : await refreshPeople(client, store, portalId, now(), { seenIds: userIds });
        if (people?.error) {
          opts.onWarning?.(`the people directory was not refreshed (${people.error}): failed logins cannot be attributed to members until it is`);
        }
        const final: SyncResult = {
          ...base,
          ...result,
          people,
          requests: client.stats.requests - requestsBefore,
          durationMs: now() - started,
        };
        await run.finish({
          status: final.interrupted ? 'interrupted' : 'ok',
          eventsSeen: final.seen,
          eventsAdded: final.added,
          requests: final.requests,
        });
        if (final.gap) opts.onWarning?.(final.gap.advice);
        if (final.future) {
          opts.onWarning?.(
            `${final.future} event(s) are dated in the future (the portal's clock, or a broken server): archived, but not used as the sync checkpoint`,
          );
        }
        return final;
      } catch (err) {
        await run
          .finish({
            status: 'failed',
            eventsSeen: 0,
            eventsAdded: 0,
            requests: client.stats.requests - requestsBefore,
            error: client.redact((err as Error).message),
          })
          .catch(() => undefined);
        throw err;
      }
    },
    // The holder's row goes with the run's own first and last writes (run-record.ts).
    { wait: opts.wait ?? false, holderRow: false },
  );
}

/** What a read of the audit history works with. */
interface FullSync {
  client: DocSpaceClient;
  store: ArchiveStore;
  portalId: number;
  run: RunRecord;
  opts: SyncOptions & { firstWindow?: Promise<Page<RawLoginEvent>> };
  now: () => number;
  lifetimeDays: number;
  /** `startFull`, begun while the portal was probed. */
  start?: Promise<FullStart>;
}

/** Where a read of the audit history starts, as the archive says. */
interface FullStart {
  checkpoint: Checkpoint | undefined;
  /** The checkpoint less the overlap; undefined for a whole history. */
  since: number | undefined;
  archived?: Archived;
}

async function startFull(store: ArchiveStore, portalId: number, overlapMs: number | undefined): Promise<FullStart> {
  // Indexes an earlier first sync deferred and did not live to build (one read when none).
  await store.restoreIndexes();
  const checkpoint = await store.checkpoint(portalId);
  return checkpoint ? { checkpoint, ...(await overlapFrom(store, portalId, checkpoint.newestTime, overlapMs)) } : { checkpoint, since: undefined };
}

async function syncFull(a: FullSync): Promise<PartialResult> {
  const { store, portalId, opts } = a;
  const { checkpoint, since, archived } = await (a.start ?? startFull(store, portalId, opts.overlapMs));
  // A whole history into an archive with no events: indexes are built once, after the load.
  const deferred = since === undefined ? await store.deferIndexes() : [];
  let result: PartialResult;
  try {
    result = await readAll(a, checkpoint, since, archived);
  } catch (err) {
    // Also when the read failed: what was archived is served by its indexes. The read's error
    // is the one to report; a failed build is done again by the next sync.
    if (deferred.length) await store.restoreIndexes().catch(() => undefined);
    throw err;
  }
  if (deferred.length) {
    opts.onStage?.('indexes');
    await store.restoreIndexes();
  }
  return result;
}

async function readAll(
  a: FullSync,
  checkpoint: Checkpoint | undefined,
  since: number | undefined,
  archived: Archived | undefined,
): Promise<PartialResult> {
  const { client, store, portalId, run, opts, now, lifetimeDays } = a;
  // Large commits are much cheaper per event (each rewrites the index pages it touched); the
  // time bound keeps a slow portal's progress on disk. A kill loses at most one batch.
  const batchSize = opts.batchSize ?? 5_000;
  let lastFlush = now();
  const startedAt = now();
  const latestTrusted = startedAt + (opts.futureToleranceMs ?? FUTURE_TOLERANCE_MS);
  const userIds = new Set<string>();
  let seen = 0;
  let added = 0;
  let quarantined = 0;
  let future = 0;
  let batch: LoginEvent[] = [];
  // The JSON each event was served as, for `events.raw` when it cannot be rebuilt from the
  // columns (`raws[i]` belongs to `batch[i]`; see rawToKeep).
  let raws: Array<string | null> = [];
  const invalid: InvalidEvent[] = [];
  const flush = async () => {
    lastFlush = now();
    if (batch.length) {
      const events = batch;
      const eventRaws = raws;
      batch = [];
      raws = [];
      // The overlap re-read below the checkpoint is usually all archived already: one read
      // proves it, and the write transaction is not needed.
      if (!(await allArchived(store, portalId, events, checkpoint?.newestTime, archived))) {
        // Members are looked up for events new to the archive only: a re-read one was looked up
        // when it was archived (and the directory is read again hourly all the same).
        for (const e of events) if (!e.anonymous) userIds.add(e.userId);
        await run.start();
        const r = await store.insertEvents(portalId, events, eventRaws, now());
        added += r.added;
        quarantined += r.quarantined;
      }
    }
    while (invalid.length) {
      const inv = invalid.shift()!;
      if (await store.quarantine(portalId, inv.reason, inv.raw, await run.start())) quarantined++;
    }
  };
  // What the progress measures against: the checkpoint, or on a first sync the oldest event the
  // portal really holds (a young portal has far less than its retention), found only when a
  // progress display asked for it.
  let floor = since ?? startedAt - lifetimeDays * DAY;
  if (since === undefined && opts.onProgress) {
    const oldest = await oldestEventTime(client, opts.signal).catch(() => undefined);
    if (oldest !== undefined) floor = Math.max(floor, Math.min(oldest, startedAt));
  }
  const reader = readForSync(
    client,
    since !== undefined ? { since } : {},
    {
      onInvalid: (inv) => invalid.push(inv),
      onUnproven: (u) => opts.onWarning?.(`${u.reason} (around ${new Date(u.time).toISOString()})`),
      onProgress: opts.onProgress ? (p) => opts.onProgress?.({ ...p, floor, now: startedAt }) : undefined,
      firstWindow: opts.firstWindow,
    },
    // A whole history is worth a thread of its own; an incremental read is a page or two.
    opts.readThread === true && since === undefined,
  );
  let newest: LoginEvent | undefined;
  let summary: Awaited<ReturnType<typeof reader.next>>['value'] | undefined;
  for (;;) {
    if (opts.signal?.aborted) {
      await flush();
      await reader.return(undefined as never);
      return { seen, added, quarantined, future, interrupted: true };
    }
    const step = await reader.next();
    if (step.done) {
      summary = step.value;
      break;
    }
    const { events, kept } = step.value;
    for (let i = 0; i < events.length; i++) {
      const e = events[i];
      seen++;
      if (e.time > latestTrusted) future++;
      else if (!newest || e.time > newest.time || (e.time === newest.time && e.id > newest.id)) newest = e;
      batch.push(e);
      raws.push(kept[i]);
      if (batch.length >= batchSize) await flush();
    }
    if (now() - lastFlush > 2000) await flush();
  }
  await flush();

  // The read finished: record what it proved, and move the checkpoint, atomically.
  const top = Math.max(newest ? newest.time : 0, checkpoint?.newestTime ?? 0);
  const oldestRead = summary.oldest;
  let covered: SyncResult['covered'];
  let gap: SyncResult['gap'];
  if (summary.complete) {
    const purgedSinceLastSync =
      checkpoint !== undefined &&
      summary.reachedEnd &&
      oldestRead !== undefined &&
      oldestRead > checkpoint.newestTime;
    // Reaching the end of the retained history proves everything the portal still has; when the
    // portal purged events we never archived, the proof starts at its oldest event.
    const from = summary.reachedEnd
      ? purgedSinceLastSync
        ? oldestRead
        : Math.min(oldestRead ?? top, since ?? Number.POSITIVE_INFINITY)
      : (since ?? oldestRead ?? top);
    covered = { from, to: Math.max(top, from) };
    if (purgedSinceLastSync) {
      // The portal no longer has the events between our newest archived one and its oldest.
      gap = {
        from: checkpoint.newestTime,
        to: oldestRead,
        advice: `events between ${iso(checkpoint.newestTime)} and ${iso(oldestRead)} were purged by the portal before this sync: sync at least every few days`,
      };
    }
  }
  // With nothing new, the checkpoint stays where it is and the period is one an earlier run
  // proved: nothing is written (the run's own record aside).
  const moveCheckpoint =
    newest !== undefined && summary.complete && (checkpoint?.newestTime !== top || checkpoint.newestId !== newest.id);
  if (moveCheckpoint || gap || (covered && !(await store.isCovered(portalId, covered.from, covered.to)))) {
    // The run's record first, in a commit of its own: a rollback here must not take it along.
    const runId = await run.start();
    await store.transaction(async (tx) => {
      if (covered) await tx.addCoverage(portalId, { ...covered, kind: 'complete', runId });
      if (gap)
        await tx.addCoverage(portalId, { from: gap.from, to: gap.to, kind: 'gap', runId, note: gap.advice });
      if (newest && summary.complete) {
        await tx.setCheckpoint(portalId, { newestTime: top, newestId: newest.id, runId });
      }
    });
  }
  return { seen, added, quarantined, future, covered, gap, interrupted: false, userIds };
}

function iso(t: number): string {
  return new Date(t).toISOString();
}

/** When the oldest event not yet archived will be purged by the portal (epoch ms). */
export function purgeDeadline(
  newestArchived: number | undefined,
  retentionDays: number,
  now: number,
): number {
  return (newestArchived ?? now - retentionDays * DAY) + retentionDays * DAY;
}

