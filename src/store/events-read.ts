/**
 * Reading archived events back, newest first: as rows, in chunks (merged across portals), as
 * LoginEvents, as compiled SQL for readers with a connection of their own, and as a count.
 * All of them are one query shape (`eventsIn`): the portals, the history filter, and a range
 * of the (time, id) order as row-value comparisons, which both databases answer from the
 * `events_time` index. Keyset paging is that range with the last row seen as its start.
 */
import { type CompiledQuery, sql } from 'kysely';
import type { EventFilter } from '../history/filter.js';
import type { LoginEvent } from '../model/event.js';
import type { Db, StoreContext } from './context.js';
import { PACKED_COLUMNS } from './packed-rows.js';
import { portalIds } from './portals.js';
import { type EventsQuery, whereEventFilter } from './query-filter.js';
import { EVENT_FIELDS, toLoginEvent, valuesToLoginEvent } from './rows.js';
import type { EventRow, EventsTable } from './schema.js';

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

/**
 * What a compiled range reads: every event column (default, `EVENT_FIELDS` order), the positions
 * alone (`[time, id]`), or id, time, offset and the rest packed in one text (packed-rows.ts).
 */
export type RangeColumns = 'all' | 'positions' | 'packed';

/** A stretch of the newest-first order: positions compare as (time, id) row values. */
export interface EventRange {
  /** Start here, this position included. */
  from?: EventPosition;
  /** Start just past this position (the last row of the previous page). */
  after?: EventPosition;
  /** End just before this position. */
  before?: EventPosition;
}

const EVENT_COLUMNS = EVENT_FIELDS satisfies ReadonlyArray<keyof EventsTable>;

/** The one query shape: events of `portals` (undefined: all) matching `filter`, within `range`. */
export function eventsIn(
  db: Db,
  portals: readonly number[] | undefined,
  filter: EventFilter,
  range: EventRange = {},
): EventsQuery<object> {
  let q: EventsQuery<object> = db.selectFrom('events');
  if (portals) q = portals.length === 1 ? q.where('portal_id', '=', portals[0]) : q.where('portal_id', 'in', [...portals]);
  q = whereEventFilter(q, filter);
  const at = (p: EventPosition, op: '<=' | '<' | '>') =>
    q.where((eb) => eb(eb.refTuple('time', 'id'), op, eb.tuple(p[0], p[1])));
  if (range.from) q = at(range.from, '<=');
  if (range.after) q = at(range.after, '<');
  if (range.before) q = at(range.before, '>');
  return q;
}

/** True when `a` sorts before `b` newest first: later time, then higher portal id, then higher id. */
function later(a: EventRow, b: EventRow): boolean {
  if (a.time !== b.time) return a.time > b.time;
  if (a.portal_id !== b.portal_id) return a.portal_id > b.portal_id;
  return a.id > b.id;
}

async function targetPortals(s: StoreContext, f: ArchiveQuery): Promise<number[]> {
  return f.portalIds ? [...new Set(f.portalIds)] : portalIds(s);
}

/** One portal's matching events in pages of `chunkSize`, each page one indexed range query. */
async function* portalChunks(
  s: StoreContext,
  portalId: number,
  f: ArchiveQuery,
  chunkSize: number,
  limit: number,
): AsyncGenerator<EventRow[]> {
  let after: EventPosition | undefined;
  let remaining = limit;
  while (remaining > 0) {
    const size = Math.min(chunkSize, remaining);
    const q = eventsIn(s.db, [portalId], f, { after });
    const sel = f.withRaw
      ? q.selectAll().$castTo<EventRow>()
      : q.select([...EVENT_COLUMNS, 'inserted_at', sql<null>`null`.as('raw')]).$castTo<EventRow>();
    const rows = (await sel.orderBy('time', 'desc').orderBy('id', 'desc').limit(size).execute()) as EventRow[];
    if (rows.length) yield rows;
    remaining -= rows.length;
    if (rows.length < size) return;
    const last = rows[rows.length - 1];
    after = [Number(last.time), Number(last.id)];
  }
}

/**
 * Archived events matching `filter`, newest first (time, then id, descending; across portals
 * merged by time), a chunk at a time. Memory stays constant however many rows match.
 */
export async function* queryEventChunks(s: StoreContext, filter: ArchiveQuery = {}): AsyncGenerator<EventRow[]> {
  const limit = filter.limit ?? Number.POSITIVE_INFINITY;
  if (limit <= 0) return;
  const chunkSize = Math.max(1, Math.min(filter.chunkSize ?? 2000, 50_000));
  const portals = await targetPortals(s, filter);
  if (portals.length === 1) {
    yield* portalChunks(s, portals[0], filter, chunkSize, limit);
    return;
  }
  // k-way merge of the per-portal streams, each already newest first.
  const sources = portals.map((p) => ({
    gen: portalChunks(s, p, filter, chunkSize, limit),
    rows: [] as EventRow[],
    pos: 0,
    done: false,
  }));
  const head = async (src: (typeof sources)[number]): Promise<EventRow | undefined> => {
    while (!src.done && src.pos >= src.rows.length) {
      const next = await src.gen.next();
      if (next.done) src.done = true;
      else {
        src.rows = next.value;
        src.pos = 0;
      }
    }
    return src.done ? undefined : src.rows[src.pos];
  };
  try {
    let left = limit;
    let out: EventRow[] = [];
    while (left > 0) {
      let best: (typeof sources)[number] | undefined;
      let bestRow: EventRow | undefined;
      for (const src of sources) {
        const r = src.pos < src.rows.length ? src.rows[src.pos] : await head(src);
        if (r && (!bestRow || later(r, bestRow))) {
          best = src;
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
    await Promise.all(sources.map((src) => src.gen.return(undefined)));
  }
}

/**
 * Archived events as LoginEvents, newest first, in chunks. One portal on a backend that can
 * stream raw values takes the fast path: the same query, compiled once and streamed.
 */
export async function* queryLoginEventChunks(
  s: StoreContext,
  filter: ArchiveQuery = {},
  chunk = 2000,
): AsyncGenerator<LoginEvent[]> {
  const portals = await targetPortals(s, filter);
  const iterateRaw = s.backend.capabilities.iterateRaw;
  if (iterateRaw && portals.length === 1) {
    yield* loginEventChunks(iterateRaw(compileEventRange(s.db, portals[0], filter, { limit: filter.limit })), chunk);
    return;
  }
  // Several portals: every event says which one it came from (archived rows know it by id).
  const urls =
    portals.length > 1
      ? new Map((await s.db.selectFrom('portals').select(['id', 'url']).execute()).map((p) => [Number(p.id), p.url]))
      : undefined;
  for await (const rows of queryEventChunks(s, { ...filter, chunkSize: chunk })) {
    yield rows.map((r) => {
      const e = toLoginEvent(r);
      if (urls) e.portal = urls.get(Number(r.portal_id));
      return e;
    });
  }
}

/**
 * The SQL of one portal's events matching `filter`, newest first, as value arrays in
 * `EVENT_FIELDS` order, for readers with a connection of their own (the parallel exporter's
 * worker). `from`/`before` bound a range of the (time, id) order; `positionsOnly` selects just
 * (time, id), which the `events_time` index answers alone.
 */
export function compileEventRange(
  db: Db,
  portalId: number,
  filter: EventFilter,
  range: EventRange & { limit?: number; offset?: number; columns?: RangeColumns } = {},
): CompiledQuery {
  const q = eventsIn(db, [portalId], filter, range);
  let sel = (range.columns === 'positions' ? q.select(['time', 'id']) : range.columns === 'packed' ? q.select([...PACKED_COLUMNS]) : q.select([...EVENT_COLUMNS]))
    .orderBy('time', 'desc')
    .orderBy('id', 'desc');
  if (range.limit !== undefined) sel = sel.limit(range.limit);
  if (range.offset !== undefined) sel = sel.offset(range.offset);
  return sel.compile();
}

/** How many archived events match (same filters as `queryEventChunks`, without limit). */
export async function countEvents(s: StoreContext, filter: ArchiveQuery = {}): Promise<number> {
  if (filter.portalIds?.length === 0) return 0;
  const row = await eventsIn(s.db, filter.portalIds, filter)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** Which of these event ids the portal already has (to prove overlap with a new page). */
export async function existingIds(s: StoreContext, portalId: number, ids: readonly number[]): Promise<Set<number>> {
  const found = new Set<number>();
  for (let i = 0; i < ids.length; i += 1000) {
    const chunk = ids.slice(i, i + 1000);
    const rows = await s.db
      .selectFrom('events')
      .select('id')
      .where('portal_id', '=', portalId)
      .where('id', 'in', chunk)
      .execute();
    for (const r of rows) found.add(Number(r.id));
  }
  return found;
}

/** Rows of the fast path (`capabilities.iterateRaw`) as LoginEvents, `chunk` at a time. */
function* loginEventChunks(rows: Iterable<unknown[]>, chunk: number): Generator<LoginEvent[]> {
  let out: LoginEvent[] = [];
  for (const values of rows) {
    out.push(valuesToLoginEvent(values));
    if (out.length === chunk) {
      yield out;
      out = [];
    }
  }
  if (out.length) yield out;
}
