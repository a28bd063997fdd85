/**
 * What every archive query of a report shares: the portals and period it covers, the `--user`
 * filter, and how the database groups. Also the small decoders of the rows both dialects return
 * (counts may come back as strings, flags as booleans or 0/1).
 */
import { type Kysely, type SelectQueryBuilder, sql } from 'kysely';
import type { ActionKind } from '../../../model/actions.js';
import { isActionKind } from '../../../model/actions.js';
import { type ArchiveSchema, type ArchiveStore, whereEventFilter } from '../../../store/index.js';
import type { Period } from '../../facts.js';

export const HOUR = 3_600_000;

/** The UTC hour of an event, spelt exactly as `events_report` indexes it (a literal, not a parameter). */
export const UTC_HOUR = sql<number>`${sql.ref('time')} / ${sql.lit(HOUR)}`;

export interface ArchiveScope extends Period {
  /** Portals to read (default: every portal in the archive). */
  portalIds?: readonly number[];
  /** Only events of these user ids… */
  userIds?: readonly string[];
  /** …or anonymous events typed with these logins (by the attribution rule's key). */
  logins?: readonly string[];
}

export type Db = Kysely<ArchiveSchema>;
export type EventsQuery<O> = SelectQueryBuilder<ArchiveSchema, 'events', O>;

/** One report's view of the archive: the database, the portals named once, the scope. */
export interface ArchiveQuery {
  db: Db;
  portals: readonly number[];
  scope: ArchiveScope;
  /**
   * Does the database group by sorting? SQLite does (it has no hash aggregation): for it, reading
   * in the order of `events_report` is what makes a GROUP BY cheap. PostgreSQL hashes, and there
   * one GROUP BY over the period beats an extra hourly level whose groups outgrow its memory.
   */
  groupsBySorting: boolean;
}

/** The one place reports ask how the store groups: a capability of its backend. */
export function groupsBySorting(store: ArchiveStore): boolean {
  return store.capabilities.groupsBySorting;
}

export const num = (v: unknown): number => Number(v);
export const flag = (v: unknown): boolean => v === true || Number(v) === 1;
export const kindOf = (v: unknown): ActionKind => (typeof v === 'string' && isActionKind(v) ? v : 'other');

/** The period, portal and user filters on a query over `events`. */
export function scoped<O>(a: ArchiveQuery, q: EventsQuery<O>, period = true): EventsQuery<O> {
  const s = a.scope;
  q = q.where('portal_id', 'in', a.portals.length ? [...a.portals] : [-1]);
  // The one SQL version of the history filter, the same as the store's event reads.
  return whereEventFilter(q, { since: s.since, until: s.until, userIds: s.userIds, logins: s.logins }, { period });
}

/**
 * `scoped` for a read of `events_report`: the period as a range of UTC hours, and the anonymity
 * asked for (default: both). `anonymous` is 0 or 1, and naming the values lets the index be
 * read as one range of hours per value instead of all of the portal's entries. On SQLite the
 * exact bounds are on `+time`: the unary plus keeps it from taking `events_time`'s range on
 * `time` instead (it may, before `PRAGMA optimize` has measured the new index) and then sorting.
 */
export function scopedByHour<O>(a: ArchiveQuery, q: EventsQuery<O>, anonymous?: boolean): EventsQuery<O> {
  const { since, until } = a.scope;
  q = scoped(a, q, false).where('anonymous', 'in', anonymous === undefined ? [0, 1] : [anonymous ? 1 : 0]);
  const time = a.groupsBySorting ? sql<number>`+${sql.ref('time')}` : sql<number>`${sql.ref('time')}`;
  // Math.trunc is SQL's integer division: `time >= since` implies `time / 3600000 >= trunc(since / 3600000)`.
  if (since !== undefined) q = q.where(time, '>=', since).where(UTC_HOUR, '>=', Math.trunc(since / HOUR));
  if (until !== undefined) q = q.where(time, '<=', until).where(UTC_HOUR, '<=', Math.trunc(until / HOUR));
  return q;
}
