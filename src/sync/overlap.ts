/**
 * Where an incremental read starts, and what the archive already holds there: the read goes
 * down to the checkpoint less an overlap, and the events it brings back again are, usually,
 * proved archived without writing them again.
 */
import type { LoginEvent } from '../model/event.js';
import type { ArchiveStore } from '../store/index.js';

const MINUTE = 60_000;
/**
 * The default overlap's bound in events. The portal serves at most 100 events a request
 * (`MAX_PAGE_SIZE`): re-reading 80 archived events leaves room in one window for events that
 * share the oldest one's second, invalid ones (served, never archived) and future-dated ones.
 * Late rows land seconds below the head (a request's duration, another service's clock), far
 * less than 80 events even on a portal that writes several a second.
 */
const OVERLAP_EVENTS = 80;

/**
 * The archived events an incremental read starts among: their ids, exact for every time at or
 * above `from` (the read below the checkpoint stops at its OVERLAP_EVENTS-th newest event, so
 * that event's own millisecond may hold more than it brought back).
 */
export interface Archived {
  ids: Set<number>;
  from: number;
}

/** Where an incremental read starts: `overlapMs` before the checkpoint (see `SyncOptions.overlapMs`). */
export async function overlapFrom(
  store: ArchiveStore,
  portalId: number,
  newestTime: number,
  overlapMs: number | undefined,
): Promise<{ since: number; archived?: Archived }> {
  if (overlapMs !== undefined) return { since: newestTime - overlapMs };
  const since = newestTime - 15 * MINUTE;
  // The OVERLAP_EVENTS newest archived events at or below the checkpoint: one index range read.
  const ids = new Set<number>();
  let nth: number | undefined;
  for await (const chunk of store.queryEventChunks({ portalIds: [portalId], since, until: newestTime, limit: OVERLAP_EVENTS, chunkSize: OVERLAP_EVENTS })) {
    for (const row of chunk) ids.add(Number(row.id));
    if (chunk.length) nth = Number(chunk[chunk.length - 1].time);
  }
  if (ids.size < OVERLAP_EVENTS || nth === undefined) return { since, archived: { ids, from: since } };
  return { since: Math.max(since, nth), archived: { ids, from: nth + 1 } };
}

/**
 * Are all of `events` already archived? Asked only of a batch wholly at or below the checkpoint.
 * The overlap's own read answers for the times it holds exactly; the archive, for the rest.
 */
export async function allArchived(
  store: ArchiveStore,
  portalId: number,
  events: readonly LoginEvent[],
  checkpointTime: number | undefined,
  archived: Archived | undefined,
): Promise<boolean> {
  if (checkpointTime === undefined || events.some((e) => e.time > checkpointTime)) return false;
  const ask: LoginEvent[] = [];
  for (const e of events) {
    if (!archived || e.time < archived.from) ask.push(e);
    else if (!archived.ids.has(e.id)) return false;
  }
  if (!ask.length) return true;
  const found = await store.existingIds(portalId, ask.map((e) => e.id));
  return ask.every((e) => found.has(e.id));
}
