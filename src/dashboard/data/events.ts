/**
 * A page of events, newest first, with keyset paging: the cursor is the last row's
 * (time, portal, id), so page 1,000 costs what page 1 costs, on millions of rows.
 */
import { sql } from 'kysely';
import type { LoginEvent } from '../../model/event.js';
import type { ArchiveStore } from '../../store/index.js';
import { EVENT_FIELDS, toLoginEvent } from '../../store/rows.js';
import type { EventRow } from '../../store/schema.js';
import { type Scope, scoped } from './scope.js';

export interface Cursor {
  time: number;
  portalId: number;
  id: number;
}

export interface ArchivedEvent {
  portalId: number;
  event: LoginEvent;
  time: number;
  offsetMinutes: number;
}

export interface EventPage {
  rows: ArchivedEvent[];
  /** Where the next (older) page starts; absent on the last page. */
  next?: Cursor;
}

export function cursorText(c: Cursor): string {
  return `${c.time}.${c.portalId}.${c.id}`;
}

export function parseCursor(text: string | null | undefined): Cursor | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)$/.exec(text ?? '');
  return m ? { time: Number(m[1]), portalId: Number(m[2]), id: Number(m[3]) } : undefined;
}

export async function eventPage(store: ArchiveStore, scope: Scope, size: number, after?: Cursor): Promise<EventPage> {
  // The cursor's time is also the period's end, so the time index is entered at the cursor (SQLite
  // does not bound the range by the row value alone: page 1,000 would walk the 999 before it).
  const until = after ? Math.min(scope.filter.until ?? after.time, after.time) : scope.filter.until;
  let q = scoped(store, { ...scope, filter: { ...scope.filter, until } });
  if (after) {
    q = q.where((eb) =>
      eb(eb.refTuple('time', 'portal_id', 'id'), '<', eb.tuple(after.time, after.portalId, after.id)),
    );
  }
  const rows = (await q
    .select([...EVENT_FIELDS, 'inserted_at', sql<null>`null`.as('raw')])
    .orderBy('time', 'desc')
    .orderBy('portal_id', 'desc')
    .orderBy('id', 'desc')
    .limit(size + 1)
    .execute()) as EventRow[];
  const shown = rows.slice(0, size).map(archived);
  const last = shown[shown.length - 1];
  return {
    rows: shown,
    next: rows.length > size && last ? { time: last.time, portalId: last.portalId, id: last.event.id } : undefined,
  };
}

export function archived(row: EventRow): ArchivedEvent {
  return {
    portalId: Number(row.portal_id),
    event: toLoginEvent(row),
    time: Number(row.time),
    offsetMinutes: Number(row.offset_minutes),
  };
}

/** Every event of `scope`, newest first, in chunks: for exports of the current filter. */
export async function* allEvents(store: ArchiveStore, scope: Scope): AsyncGenerator<ArchivedEvent[]> {
  let after: Cursor | undefined;
  for (;;) {
    const page = await eventPage(store, scope, 2000, after);
    if (page.rows.length) yield page.rows;
    if (!page.next) return;
    after = page.next;
  }
}
