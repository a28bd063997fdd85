/**
 * The history filter (`EventFilter`) in SQL, the one version of it: every query of the archive
 * that selects events by period, kind, action or user goes through here, so a filter means the
 * same on the archive as on a live read (`compileFilter`).
 */
import type { Expression, ExpressionBuilder, SelectQueryBuilder, SqlBool } from 'kysely';
import { attributionKey } from '../model/attribution.js';
import type { EventFilter } from '../history/filter.js';
import type { ArchiveSchema } from './schema.js';

export type EventsQuery<O> = SelectQueryBuilder<ArchiveSchema, 'events', O>;

export interface FilterParts {
  /** Include `since`/`until` (default true); off for callers that bound time their own way. */
  period?: boolean;
}

/**
 * The user part alone: the user id, or an anonymous event's typed login by its attribution key
 * (failures carry the Guest id; `login_key` is `attributionKey(login)`, stored on write).
 */
export function userCondition(
  eb: ExpressionBuilder<ArchiveSchema, 'events'>,
  f: Pick<EventFilter, 'userIds' | 'logins'>,
): Expression<SqlBool> | undefined {
  const ids = f.userIds?.length ? f.userIds.map((s) => s.toLowerCase()) : undefined;
  const logins = f.logins?.length ? f.logins.map(attributionKey) : undefined;
  if (!ids && !logins) return undefined;
  return eb.or([
    ...(ids ? [eb('user_id', 'in', ids)] : []),
    ...(logins ? [eb('login_key', 'in', logins)] : []),
  ]);
}

/** `q` narrowed to the events `f` matches. */
export function whereEventFilter<O>(q: EventsQuery<O>, f: EventFilter, parts: FilterParts = {}): EventsQuery<O> {
  if (parts.period !== false) {
    if (f.since !== undefined) q = q.where('time', '>=', f.since);
    if (f.until !== undefined) q = q.where('time', '<=', f.until);
  }
  if (f.kinds?.length) q = q.where('kind', 'in', [...f.kinds]);
  if (f.actionIds?.length) q = q.where('action_id', 'in', [...f.actionIds]);
  if (f.userIds?.length || f.logins?.length) q = q.where((eb) => userCondition(eb, f)!);
  return q;
}
