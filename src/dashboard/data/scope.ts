/**
 * What every dashboard query is about: which portals, which period, and the extra narrowing the
 * Events page offers beyond the CLI's history filter (address, country). The SQL of the history
 * filter itself is the store's one version of it (`eventsIn` → `store/query-filter.ts`).
 */
import { sql } from 'kysely';
import type { EventFilter } from '../../history/filter.js';
import type { ArchiveStore } from '../../store/index.js';
import { eventsIn } from '../../store/events-read.js';
import type { EventsQuery } from '../../store/query-filter.js';

export interface Scope {
  /** The portals shown (never empty: an empty archive has no pages to show). */
  portalIds: readonly number[];
  filter: EventFilter;
  ip?: string;
  country?: string;
}

/** The events of `scope` as a query to select from. */
export function scoped(store: ArchiveStore, scope: Scope): EventsQuery<object> {
  let q = eventsIn(store.db, scope.portalIds, scope.filter);
  if (scope.ip) q = q.where('ip', '=', scope.ip);
  if (scope.country) q = q.where('country', '=', scope.country);
  return q;
}

/** `count(*)` as a number on both databases (PostgreSQL answers bigint as text). */
export const countAll = sql<number>`count(*)`;

/** Integer division of the event time into buckets of `ms`, inlined so both databases group by it. */
export const bucketOf = (ms: number) => sql<number>`(time / ${sql.lit(ms)})`;

export const num = (v: unknown): number => Number(v ?? 0);
