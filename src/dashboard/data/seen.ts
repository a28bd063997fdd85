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
  return (await groups(store, scope, columns, limit, opts.named ?? false)).map((g) => seenRow(columns, g));
}

/**
 * Several of these tables over one scope from one read of its events (the User page's places,
 * devices and addresses read the member's events once, not three times): grouped by every column
 * any of them names, then each regrouped here as its own GROUP BY would make it (counts add up,
 * first and last are the least and the greatest). Ties on `last` go in the keys' order.
 */
export async function seenEach(
  store: ArchiveStore,
  scope: Scope,
  tables: ReadonlyArray<readonly SeenColumn[]>,
  limit: number,
): Promise<SeenRow[][]> {
  const all = [...new Set(tables.flat())];
  const fine = await groups(store, scope, all, undefined, false);
  return tables.map((columns) => {
    const merged = new Map<string, Group>();
    for (const g of fine) {
      // By the values as the database holds them: NULL and '' stay apart, as in SQL.
      const key = JSON.stringify(columns.map((c) => g.values[c] ?? null));
      const m = merged.get(key);
      if (!m) merged.set(key, { ...g });
      else {
        m.events += g.events;
        m.failures += g.failures;
        m.successes += g.successes;
        if (g.first < m.first) m.first = g.first;
        if (g.last > m.last) m.last = g.last;
      }
    }
    return [...merged]
      .sort(([ka, a], [kb, b]) => b.last - a.last || (ka < kb ? -1 : 1))
      .slice(0, limit)
      .map(([, g]) => seenRow(columns, g));
  });
}

/** A row as grouped, its key columns as the database gave them. */
type Group = Omit<SeenRow, 'keys'> & { values: Record<string, unknown> };

async function groups(
  store: ArchiveStore,
  scope: Scope,
  columns: readonly SeenColumn[],
  limit: number | undefined,
  named: boolean,
): Promise<Group[]> {
  let q = scoped(store, scope)
    .select([
      ...columns,
      countAll.as('n'),
      sql<number>`sum(case when kind = 'failure' then 1 else 0 end)`.as('failures'),
      sql<number>`sum(case when kind = 'success' then 1 else 0 end)`.as('successes'),
      sql<number>`min(time)`.as('first'),
      sql<number>`max(time)`.as('last'),
      (named ? sql<string>`max(user_name)` : sql<string>`''`).as('name'),
    ])
    .groupBy([...columns]);
  if (limit !== undefined) q = q.orderBy(sql.raw('last'), 'desc').limit(limit);
  const rows = await q.execute();
  return rows.map((r) => ({
    values: r as unknown as Record<string, unknown>,
    events: num(r.n),
    failures: num(r.failures),
    successes: num(r.successes),
    first: num(r.first),
    last: num(r.last),
    name: String(r.name ?? ''),
  }));
}

function seenRow(columns: readonly SeenColumn[], { values, ...counts }: Group): SeenRow {
  return { keys: Object.fromEntries(columns.map((c) => [c, String(values[c] ?? '')])), ...counts };
}
