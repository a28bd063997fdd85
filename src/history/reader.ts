/**
 * Reading the full login history.
 *
 * Why it is not a simple loop: `login/filter` has no `total`, orders by `date` only (events in
 * the same second come back in any order, differently on every request), and new events are
 * inserted at the head while we page, shifting every offset. Offset paging alone can therefore
 * both duplicate and drop events at page boundaries.
 *
 * What we do instead: request overlapping windows of the *unfiltered* list (stride
 * `100 − overlap`), several in flight. Each response is a consistent snapshot of a contiguous
 * run of the list, so every event dated strictly between its oldest and newest date is in it.
 * Two adjacent responses therefore prove that nothing is missing between them when the newer
 * date of the older window is strictly newer than the oldest date of the newer window. When a
 * boundary is not proven (a tie group straddles it, or inserts shifted a prefetched page past
 * it) we fetch a repair window with a larger overlap. Duplicates only ever come from adjacent
 * windows, so de-duplication by `id` needs to remember only events near the current position:
 * memory stays constant however long the history.
 */
import type { DocSpaceClient, Page } from '../client/client.js';
import { MAX_PAGE_SIZE } from '../client/client.js';
import { NoProgressError } from '../errors/index.js';
import type { LoginEvent, RawLoginEvent } from '../model/event.js';
import { normaliseEvent } from '../model/event.js';
import { isPlausibleEventDate, parseApiDate } from '../model/time.js';
import { compileFilter, type EventFilter } from './filter.js';
import type { InvalidEvent, ReadEvent, ReadOptions, ReadProgress, ReadSummary } from './read-types.js';

// The reader's callers import these with it.
export type { InvalidEvent, ReadEvent, ReadOptions, ReadProgress, ReadSummary };

/** One window as accepted into the chain. */
interface Window {
  start: number;
  /** `raw` only when the caller asked for it: otherwise the page's objects are not kept alive. */
  events: Array<{ e: LoginEvent; raw: RawLoginEvent | undefined }>;
  /** Newest and oldest instant in the window (undefined when empty). */
  first?: number;
  last?: number;
  short: boolean;
}

function invalidDateReason(raw: RawLoginEvent, parsed: boolean): string {
  const text = String(raw.date).slice(0, 40);
  return parsed
    ? `event ${raw.id}: field "date": ${text} is not a date DocSpace can have written`
    : `event ${raw.id}: field "date": not a DocSpace date (${text})`;
}

const REPAIR_OVERLAPS = [50, 90, 99];
/** Repair windows tried for one boundary before it is reported unproven. */
const MAX_REPAIRS = 32;
/**
 * Full windows in a row with no event not already seen before we call the server broken. On a
 * real portal each new offset reaches older events; only a burst of more than a window's worth of
 * new events at the head can make one window repeat its neighbour, and never five in a row.
 */
const NO_PROGRESS_WINDOWS = 5;
/** Ids remembered for de-duplication (about 80 windows' worth). */
const DEDUP_MEMORY = 8192;

/** A set that forgets its oldest members beyond `capacity`. */
class Recent<K> {
  private readonly ring: K[];
  private readonly set = new Set<K>();
  private next = 0;
  constructor(private readonly capacity: number) {
    this.ring = new Array<K>(capacity);
  }
  /** False when `key` was already there. */
  add(id: K): boolean {
    if (this.set.has(id)) return false;
    if (this.set.size >= this.capacity) this.set.delete(this.ring[this.next]);
    this.ring[this.next] = id;
    this.next = (this.next + 1) % this.capacity;
    this.set.add(id);
    this.added++;
    return true;
  }
  /** Ids added so far (not bounded by the capacity). */
  added = 0;
}

/**
 * Read the unfiltered history newest-first and yield the events matching `filter`, each once
 * (with the served object when `opts.raw`). The returned summary (from the generator's
 * `return`) says whether the read is complete.
 */
export async function* readHistory(
  client: DocSpaceClient,
  filter: EventFilter = {},
  opts: ReadOptions = {},
): AsyncGenerator<ReadEvent, ReadSummary, undefined> {
  const withRaw = opts.raw === true;
  const size = MAX_PAGE_SIZE;
  const overlap = Math.min(Math.max(opts.overlap ?? 4, 1), size - 1);
  const stride = size - overlap;
  const maxInFlight = Math.max(1, opts.concurrency ?? client.concurrency);
  const matches = compileFilter(filter);
  const requestsBefore = client.stats.requests;
  const progress: ReadProgress = { pages: 0, scanned: 0, matched: 0 };
  const summary = (complete: boolean, reachedEnd: boolean): ReadSummary => ({
    ...progress,
    complete: complete && unproven === 0,
    reachedEnd,
    unproven,
    invalid: invalidSeen.added,
    requests: client.stats.requests - requestsBefore,
  });

  // Invalid events reappear in overlapping windows: report each once. Like the ids, only the
  // recent ones need remembering, so a flood of invalid events keeps memory flat; the count
  // is kept apart.
  const invalidSeen = new Recent<string>(DEDUP_MEMORY);
  const toWindow = (start: number, page: Page<RawLoginEvent>): Window => {
    const events: Window['events'] = [];
    for (const raw of page.items) {
      const instant = parseApiDate(raw.date);
      if (!instant || !isPlausibleEventDate(instant)) {
        reportInvalid({ reason: invalidDateReason(raw, instant !== undefined), raw });
        continue;
      }
      events.push({ e: normaliseEvent(raw, instant), raw: withRaw ? raw : undefined });
    }
    for (const inv of page.invalid) reportInvalid(inv);
    let first: number | undefined;
    let last: number | undefined;
    for (const { e } of events) {
      if (first === undefined || e.time > first) first = e.time;
      if (last === undefined || e.time < last) last = e.time;
    }
    const count = page.items.length + page.invalid.length;
    return { start, events, first, last, short: count < size };
  };
  const reportInvalid = (inv: InvalidEvent) => {
    const key = JSON.stringify(inv.raw);
    if (!invalidSeen.add(key)) return;
    opts.onInvalid?.(inv);
  };

  // The pipeline: windows are requested ahead of the consumer and kept `inFlightLimit` deep at
  // every completion (not only when the consumer advances), so one slow response or a repair
  // does not idle the other slots. Completed windows wait at most `lookahead` ahead.
  const pending = new Map<number, Promise<Window>>();
  const lookahead = maxInFlight * 4;
  // When the client sends no more at once than we want in flight, as many again wait in its
  // limiter: a slot is refilled the moment an answer arrives, not after that page's parsing
  // (the client parses on the next turn of the event loop), which under a full pipeline also
  // waits for every page that arrived before it. Cancelled when the read stops.
  const depth = maxInFlight >= client.concurrency ? maxInFlight + client.concurrency : maxInFlight;
  const cancel = new AbortController();
  let nextToRequest = 0;
  let consumed = 0;
  let outstanding = 0;
  // A read bounded by `since` or `limit` is usually short (an incremental sync, `--limit 5`):
  // start with one window and double while more are needed, instead of paying for a full
  // pipeline it will not use. An unbounded read goes wide at once.
  const rampUp = opts.rampUp ?? (filter.since !== undefined || opts.limit !== undefined);
  let inFlightLimit = rampUp ? 1 : depth;
  let endSeen = false;
  let stopped = false;
  let firstWindow = opts.firstWindow;
  const fetchWindow = (start: number) => {
    const page =
      start === 0 && firstWindow ? firstWindow : client.filterEvents({ startIndex: start, count: size }, cancel.signal);
    if (start === 0) firstWindow = undefined;
    return page.then((p) => toWindow(start, p));
  };
  const pump = () => {
    // While ramping up, look no further ahead than the current limit: a short read (an
    // incremental sync) must not pay for windows it will not use.
    const ahead = inFlightLimit < maxInFlight ? inFlightLimit : lookahead;
    while (!endSeen && !stopped && outstanding < inFlightLimit && nextToRequest < consumed + ahead) {
      const idx = nextToRequest++;
      outstanding++;
      const promise = fetchWindow(idx * stride).then((w) => {
        // A short window is the end of the list: request nothing beyond it.
        if (w.short) endSeen = true;
        arrived(idx, w);
        return w;
      });
      promise
        .finally(() => {
          outstanding--;
          pump();
        })
        // Errors surface when the window is awaited; keep Node from flagging them earlier.
        .catch(() => undefined);
      pending.set(idx, promise);
    }
  };

  /** Is everything between `a` (newer) and `b` (older) in a ∪ b? */
  const proven = (a: Window, b: Window) =>
    b.events.length === 0 || a.last === undefined || (b.first !== undefined && b.first > a.last);

  // Repair windows asked for as soon as both sides of an unproven boundary have arrived, keyed
  // by where they start: the consumer reaches that boundary later, and a repair requested only
  // then waits behind a full pipeline while the consumer waits for it. Only for an unbounded
  // read, which will reach every boundary; `done` holds the windows not yet consumed.
  const early = new Map<number, Promise<Window>>();
  const done = new Map<number, Window>();
  const repairStart = (w: Window) => w.start + size - REPAIR_OVERLAPS[0];
  const prefetchRepair = (newer: Window, older: Window) => {
    if (proven(newer, older) || early.has(repairStart(newer))) return;
    const repair = fetchWindow(repairStart(newer));
    repair.catch(() => undefined);
    early.set(repairStart(newer), repair);
  };
  const arrived = (idx: number, w: Window) => {
    if (rampUp || stopped || idx < consumed) return;
    done.set(idx, w);
    const newer = done.get(idx - 1);
    const older = done.get(idx + 1);
    if (newer) prefetchRepair(newer, w);
    if (older) prefetchRepair(w, older);
  };
  const repairWindow = (start: number) => {
    const ready = early.get(start);
    early.delete(start);
    return ready ?? fetchWindow(start);
  };

  // Emitted ids, for de-duplication: a window can only repeat events that a shifted neighbour
  // already gave, so the most recent few thousand ids suffice and memory stays bounded.
  const emitted = new Recent<number>(DEDUP_MEMORY);

  let prev: Window | undefined;
  let unproven = 0;
  let stale = 0;
  let limitReached = false;

  /** Yield a window's new, matching events. Returns true when the limit is reached. */
  function* emit(w: Window): Generator<ReadEvent, boolean> {
    for (const { e, raw } of w.events) {
      if (!emitted.add(e.id)) continue;
      progress.scanned++;
      if (matches(e)) {
        progress.matched++;
        yield raw ? { event: e, raw } : { event: e };
        if (opts.limit !== undefined && progress.matched >= opts.limit) {
          limitReached = true;
          return true;
        }
      }
    }
    if (w.first !== undefined && (progress.newest === undefined || w.first > progress.newest))
      progress.newest = w.first;
    if (w.last !== undefined && (progress.oldest === undefined || w.last < progress.oldest))
      progress.oldest = w.last;
    return false;
  }

  /** Accept a window as the new end of the proven chain. Returns true to stop. */
  function* accept(w: Window): Generator<ReadEvent, boolean> {
    if (yield* emit(w)) return true;
    progress.pages++;
    opts.onProgress?.({ ...progress });
    prev = w;
    return false;
  }

  /**
   * A same-second group larger than a window cannot be proven by any single response. Sample
   * windows across it until two rounds in a row add nothing new, so that what the server has
   * is collected, and report the boundary as unproven.
   */
  async function* sweep(from: Window): AsyncGenerator<ReadEvent, boolean> {
    const tie = from.last;
    if (tie === undefined) return false;
    let quiet = 0;
    // Bounded: at most 4 rounds of 20 windows (a group of about 1,000 events), so a portal that
    // keeps writing into the current second cannot hold the read forever.
    for (let round = 0; round < 4 && quiet < 2; round++) {
      const before = emitted.added;
      for (let pos = from.start + 1; pos < from.start + 10 * size; pos += size / 2) {
        const w = await fetchWindow(pos);
        if (yield* emit(w)) return true;
        if (w.short || w.last === undefined || w.last < tie) break;
      }
      quiet = emitted.added === before ? quiet + 1 : 0;
    }
    return false;
  }

  try {
    for (let idx = 0; ; idx++) {
      if (opts.signal?.aborted) throw opts.signal.reason ?? new Error('aborted');
      consumed = idx;
      pump();
      const promise = pending.get(idx);
      if (!promise) break;
      pending.delete(idx);
      const w = await promise;
      done.delete(idx - 1);

      if (prev && !proven(prev, w)) {
        // Repair windows chained from `prev` towards `w`, each overlapping the last one: a window
        // that proves its boundary is accepted and the next starts from it (new events keep
        // shifting the list, so a fixed number of windows may never catch up); one that does not
        // is fetched again with a larger overlap. Bounded, so a portal that inserts faster than
        // we read cannot hold the read forever.
        let level = 0;
        for (let n = 0; n < MAX_REPAIRS && !proven(prev, w); n++) {
          const repair = await repairWindow(prev.start + size - REPAIR_OVERLAPS[level]);
          if (proven(prev, repair)) {
            if (yield* accept(repair)) return summary(true, false);
            if (repair.short) break;
          } else if (level < REPAIR_OVERLAPS.length - 1) {
            level++;
          } else {
            // Even the largest overlap does not prove it: a same-second group, handled below.
            break;
          }
        }
        if (!proven(prev, w)) {
          if (yield* sweep(prev)) return summary(true, false);
          unproven++;
          opts.onUnproven?.({
            time: prev.last ?? 0,
            reason:
              'more events share one second than a page holds; they were sampled repeatedly but cannot be proven complete',
          });
        }
      }
      const addedBefore = emitted.added;
      if (yield* accept(w)) return summary(true, false);
      if (w.short) return summary(true, true);
      stale = emitted.added === addedBefore ? stale + 1 : 0;
      if (stale >= NO_PROGRESS_WINDOWS) throw new NoProgressError(client.portal, stale, w.start);
      if (filter.since !== undefined && w.last !== undefined && w.last < filter.since) {
        // Everything newer than this window's oldest event has been covered.
        return summary(true, false);
      }
      if (inFlightLimit < depth) inFlightLimit = Math.min(depth, inFlightLimit * 2);
    }
  } finally {
    // Stop requesting when the consumer stops early (limit, --since, error, break), and drop
    // the windows still waiting in the client's limiter: past the end they are wasted.
    stopped = true;
    cancel.abort();
  }
  return summary(!limitReached, endSeen);
}

/**
 * The 20 newest events (`login/last`), normalised, with invalid ones reported: all a portal
 * without the `audit` feature can give. Each comes with the object served when `opts.raw`.
 */
export async function readLatest(
  client: DocSpaceClient,
  filter: EventFilter = {},
  opts: Pick<ReadOptions, 'onInvalid' | 'raw'> = {},
): Promise<ReadEvent[]> {
  const page = await client.lastEvents();
  const predicate = compileFilter(filter);
  const out: ReadEvent[] = [];
  for (const inv of page.invalid) opts.onInvalid?.(inv);
  for (const raw of page.items) {
    const instant = parseApiDate(raw.date);
    if (!instant || !isPlausibleEventDate(instant)) {
      opts.onInvalid?.({ reason: invalidDateReason(raw, instant !== undefined), raw });
      continue;
    }
    const event = normaliseEvent(raw, instant);
    if (predicate(event)) out.push(opts.raw ? { event, raw } : { event });
  }
  return out;
}
