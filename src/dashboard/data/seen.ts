/**
 * "Where and with what" tables: events grouped by some columns, each group with its count,
 * failures, and first and last time seen. The User page's places and devices and the IP page's
 * users and places are all this one query.
 */
import { sql } from 'kysely';
import type { ArchiveStore } from '../../store/index.js';
import { countAll, num, type Scope, scoped } from './scope.js';

export type SeenColumn = 'country' | 'city' | 'browser' | 'platform' | 'user_id' | 'ip' | 'portal_id';

export interface SeenRow {
  keys: Record<string, string>;
  events: number;
  failures: number;
  successes: number;
  first: number;
  last: number;
  /** A display name for `user_id` groups (the newest the events carry). */
  name: string;
}

export async function seen(
  store: ArchiveStore,
  scope: Scope,
  columns: readonly SeenColumn[],
  limit: number,
  opts: { named?: boolean } = {},
): Promise<SeenRow[]> {
  const rows = await scoped(store, scope)
    .select([
      ...columns,
      countAll.as('n'),
      sql<number>`sum(case when kind = 'failure' then 1 else 0 end)`.as('failures'),
      sql<number>`sum(case when kind = 'success' then 1 else 0 end)`.as('successes'),
      sql<number>`min(time)`.as('first'),
      sql<number>`max(time)`.as('last'),
      (opts.named ? sql<string>`max(user_name)` : sql<string>`''`).as('name'),
    ])
    .groupBy([...columns])
    .orderBy(sql.raw('last'), 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => {
    const row = r as unknown as Record<string, unknown>;
    return {
      keys: Object.fromEntries(columns.map((c) => [c, String(row[c] ?? '')])),
      events: num(r.n),
      failures: num(r.failures),
      successes: num(r.successes),
      first: num(r.first),
      last: num(r.last),
      name: String(r.name ?? ''),
    };
  });
}
