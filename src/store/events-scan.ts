/**
 * The archive read detection makes: one portal's events oldest first, only the columns the rules
 * read (`DetectEvent`), as plain objects. Reading is most of a full pass over a large archive, and
 * most of a row's cost is turning each column into a JS value, so the scan leaves out what no
 * rule reads (the user's name, the action's label, the page, the portal) and the typed login of
 * member events (only anonymous failures are attributed by it). SQLite streams one compiled
 * query as value arrays; other backends read keyset pages of the same query.
 */
import { sql } from 'kysely';
import type { DetectEvent } from '../detect/types.js';
import type { EventFilter } from '../history/filter.js';
import { ACTION_KINDS, type ActionKind, actionKind } from '../model/actions.js';
import type { StoreContext } from './context.js';
import { type EventPosition, eventsIn } from './events-read.js';

/** The scan's columns, in the order `valuesToDetectEvent` reads them. */
const SCAN_COLUMNS = [
  'id', 'time', 'offset_minutes', 'user_id', 'login', 'anonymous', 'action_id', 'kind', 'ip', 'country', 'city', 'browser', 'platform',
] as const;


const KINDS: ReadonlySet<string> = new Set(ACTION_KINDS);

/** A row of the scan's columns as the event detection reads (numbers may come as strings: PostgreSQL's bigint). */
export function valuesToDetectEvent(v: readonly unknown[]): DetectEvent {
  const actionId = Number(v[6]);
  const kind = v[7] as string;
  return {
    id: Number(v[0]),
    time: Number(v[1]),
    offsetMinutes: Number(v[2]),
    userId: v[3] as string,
    login: v[4] as string | null,
    anonymous: Number(v[5]) === 1,
    actionId,
    kind: KINDS.has(kind) ? (kind as ActionKind) : actionKind(actionId),
    ip: v[8] as string,
    country: v[9] as string,
    city: v[10] as string,
    browser: v[11] as string | null,
    platform: v[12] as string | null,
  };
}

/**
 * One portal's events matching `filter`, oldest first (time, then id), after `after` when given,
 * `chunk` at a time: what detection (and the watcher's nothing-new gate) reads.
 */
export async function* detectEventsOldestFirst(
  s: StoreContext,
  portalId: number,
  filter: EventFilter,
  after?: EventPosition,
  chunk = 2000,
): AsyncGenerator<DetectEvent[]> {
  const page = (from: EventPosition | undefined) =>
    eventsIn(s.db, [portalId], filter, from ? { before: from } : {})
      .select([
        'id', 'time', 'offset_minutes', 'user_id',
        sql<string | null>`case when ${sql.ref('anonymous')} <> 0 then ${sql.ref('login')} end`.as('login'),
        'anonymous', 'action_id', 'kind', 'ip', 'country', 'city', 'browser', 'platform',
      ])
      .orderBy('time', 'asc')
      .orderBy('id', 'asc');
  const iterateRaw = s.backend.capabilities.iterateRaw;
  if (iterateRaw && !s.inTransaction) {
    let out: DetectEvent[] = [];
    for (const values of iterateRaw(page(after).compile())) {
      out.push(valuesToDetectEvent(values));
      if (out.length === chunk) {
        yield out;
        out = [];
      }
    }
    if (out.length) yield out;
    return;
  }
  let from = after;
  for (;;) {
    const rows = (await page(from).limit(chunk).execute()) as Record<string, unknown>[];
    if (rows.length) yield rows.map((r) => valuesToDetectEvent(SCAN_COLUMNS.map((c) => r[c])));
    if (rows.length < chunk) return;
    const last = rows[rows.length - 1];
    from = [Number(last.time), Number(last.id)];
  }
}
