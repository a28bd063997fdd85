/**
 * Sync of a portal without the `audit` feature: only the 20 newest events are reachable. They
 * are archived, and continuity is proven by overlap with the archive, or a gap is recorded with
 * advice on how often to sync.
 */
import type { DocSpaceClient } from '../client/client.js';
import { readLatest, type InvalidEvent } from '../history/reader.js';
import { FUTURE_TOLERANCE_MS } from '../model/time.js';
import type { ArchiveStore } from '../store/index.js';
import { rawToKeep } from '../store/original.js';
import type { PartialResult, SyncResult } from './sync.js';

const MINUTE = 60_000;

export async function syncLatest(
  client: DocSpaceClient,
  store: ArchiveStore,
  portalId: number,
  runId: number,
  latestTrusted: number,
): Promise<PartialResult> {
  // Coverage is stated in the portal's own timeline (its newest event), never our clock; events
  // dated beyond `latestTrusted` are archived but take no part in it.
  const checkpoint = await store.checkpoint(portalId);
  const invalid: InvalidEvent[] = [];
  const served = await readLatest(client, {}, { onInvalid: (inv) => invalid.push(inv), raw: true });
  const trusted = served.filter((s) => s.event.time <= latestTrusted);
  const ahead = served.filter((s) => s.event.time > latestTrusted);
  const events = trusted.map((s) => s.event);
  const future = ahead.length;
  let added = 0;
  let quarantinedByStore = 0;
  let covered: SyncResult['covered'];
  let gap: SyncResult['gap'];
  const times = events.map((e) => e.time);
  const newestTime = times.length ? Math.max(...times) : undefined;
  const oldestTime = times.length ? Math.min(...times) : undefined;
  await store.transaction(async (tx) => {
    // Trusted and future-dated events are inserted apart: only a trusted event found already
    // archived proves that this snapshot overlaps the last one.
    const insert = (list: typeof served) =>
      tx.insertEvents(
        portalId,
        list.map((s) => s.event),
        list.map((s) => rawToKeep(s.raw!, s.event)),
        latestTrusted - FUTURE_TOLERANCE_MS,
      );
    const r = await insert(trusted);
    const f = await insert(ahead);
    added = r.added + f.added;
    quarantinedByStore = r.quarantined + f.quarantined;
    const alreadyArchived = events.length - r.added;
    let newlyQuarantined = 0;
    for (const inv of invalid) if (await tx.quarantine(portalId, inv.reason, inv.raw, runId)) newlyQuarantined++;
    quarantinedByStore += newlyQuarantined;
    if (newestTime === undefined || oldestTime === undefined) return;
    const wholeHistory = served.length + invalid.length < 20;
    const overlaps = checkpoint !== undefined && oldestTime <= checkpoint.newestTime && alreadyArchived > 0;
    if (wholeHistory) {
      // Fewer than 20 events in all: the snapshot is the portal's whole history.
      covered = { from: 0, to: newestTime };
    } else if (!checkpoint || overlaps) {
      covered = { from: checkpoint ? checkpoint.newestTime : oldestTime, to: newestTime };
    } else {
      const spanMs = Math.max(newestTime - oldestTime, MINUTE);
      const every = Math.max(1, Math.floor(spanMs / 2 / MINUTE));
      gap = {
        from: checkpoint.newestTime,
        to: oldestTime,
        advice: `more than 20 login events happened since the last sync (the portal lacks the audit feature, so only the 20 newest are readable): events between ${new Date(checkpoint.newestTime).toISOString()} and ${new Date(oldestTime).toISOString()} are missing; sync at least every ${every} minute(s)`,
      };
      covered = { from: oldestTime, to: newestTime };
    }
    if (covered) await tx.addCoverage(portalId, { ...covered, kind: 'complete', runId });
    if (gap)
      await tx.addCoverage(portalId, { from: gap.from, to: gap.to, kind: 'gap', runId, note: gap.advice });
    const newest = events.reduce((a, b) => (b.time > a.time ? b : a));
    if (!checkpoint || newestTime >= checkpoint.newestTime) {
      await tx.setCheckpoint(portalId, { newestTime, newestId: newest.id, runId });
    }
  });
  return {
    seen: served.length,
    userIds: new Set(events.filter((e) => !e.anonymous).map((e) => e.userId)),
    added,
    future,
    quarantined: quarantinedByStore,
    covered,
    gap,
    interrupted: false,
  };
}
