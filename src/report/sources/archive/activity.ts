/**
 * Activity facts from the archive: GROUP BY over the period's rows. On a database that groups by
 * sorting (SQLite), dimensions `events_report` covers are grouped per UTC hour in index order
 * first, so nothing is sorted; elsewhere, one GROUP BY.
 */
import { type Expression, sql } from 'kysely';
import type { ActionKind } from '../../../model/actions.js';
import type { ActivityDim, ActivityFact, ActivityOptions } from '../../facts.js';
import { type ArchiveQuery, flag, kindOf, num, scoped, scopedByHour, UTC_HOUR } from './scope.js';

/**
 * Activity dimensions in the order `events_report` has them after (portal, anonymous, hour,
 * offset, kind). `name` is covered too, but only as an attribute of the user's group.
 */
const INDEX_DIMS: readonly ActivityDim[] = ['country', 'user', 'login', 'ip', 'browser', 'platform'];

/**
 * The order dimensions are grouped in: the sort behind GROUP BY compares keys column by column,
 * so short, varied columns go first (cheaper comparisons, fewer ties to look past).
 */
const GROUP_ORDER: readonly ActivityDim[] = ['ip', 'user', 'login', 'country', 'city', 'browser', 'platform', 'name'];

/**
 * The SQL expression of each activity dimension. The user id is grouped as an expression
 * (`user_id || ''`): grouped as the bare column, SQLite's planner walks `events_user` for its
 * order and then fetches every row at random, many times slower than the period's time range.
 */
const DIM_SQL: Record<ActivityDim, { column: string; expr: Expression<unknown> }> = {
  user: { column: 'user_id', expr: sql`${sql.ref('user_id')} || ''` },
  name: { column: 'user_name', expr: sql.ref('user_name') },
  login: { column: 'login_key', expr: sql`lower(${sql.ref('login')})` },
  ip: { column: 'ip', expr: sql.ref('ip') },
  country: { column: 'country', expr: sql.ref('country') },
  city: { column: 'city', expr: sql.ref('city') },
  browser: { column: 'browser', expr: sql.ref('browser') },
  platform: { column: 'platform', expr: sql.ref('platform') },
};

type Kinds = readonly ActionKind[] | undefined;
type Rows = Array<Record<string, unknown>>;

/** What a grouped read needs, besides the archive: the one parameter list both shapes share. */
interface Grouping {
  keys: readonly ActivityDim[];
  /** With the user grouped, the name is an attribute of the group, not a key. */
  nameByUser: boolean;
  kinds: Kinds;
  anonymous?: boolean;
}

export async function archiveActivity(
  a: ArchiveQuery,
  dims: readonly ActivityDim[],
  opts: ActivityOptions = {},
): Promise<ActivityFact[]> {
  const unique = [...new Set(dims)];
  if (!opts.anonymousDims) return grouped(a, unique, opts.kinds);
  // Anonymous events grouped by fewer dimensions: two passes with narrower groups beat one
  // pass whose every row carries the wide key.
  const anonymous = opts.anonymousDims.filter((d) => unique.includes(d));
  return [...(await grouped(a, unique, opts.kinds, false)), ...(await grouped(a, anonymous, opts.kinds, true))];
}

async function grouped(a: ArchiveQuery, dims: readonly ActivityDim[], kinds: Kinds, anonymous?: boolean): Promise<ActivityFact[]> {
  const nameByUser = dims.includes('user') && dims.includes('name');
  const keys = GROUP_ORDER.filter((d) => dims.includes(d) && !(nameByUser && d === 'name'));
  const g: Grouping = { keys, nameByUser, kinds, anonymous };
  const rows = a.groupsBySorting && keys.every((d) => INDEX_DIMS.includes(d)) ? await groupedByHour(a, g) : await groupedAtOnce(a, g);
  const text = (r: Record<string, unknown>, d: ActivityDim) =>
    dims.includes(d) ? ((r[DIM_SQL[d].column] as string | null) ?? null) : null;
  return rows.map((r) => ({
    userId: text(r, 'user') ?? '',
    name: text(r, 'name') ?? '',
    login: text(r, 'login'),
    anonymous: flag(r.anonymous),
    kind: kindOf(r.kind),
    ip: text(r, 'ip') ?? '',
    country: text(r, 'country') ?? '',
    city: text(r, 'city') ?? '',
    browser: text(r, 'browser'),
    platform: text(r, 'platform'),
    events: num(r.n),
    first: num(r.first),
    last: num(r.last),
  }));
}

/**
 * Dimensions `events_report` covers: grouped per hour in index order (the GROUP BY is a prefix
 * of its key, so nothing is sorted), then those groups by the dimensions asked for. A month of
 * a busy portal is some 900k events but only about a third as many hourly groups.
 */
async function groupedByHour(a: ArchiveQuery, { keys, nameByUser, kinds, anonymous }: Grouping): Promise<Rows> {
  const depth = Math.max(0, ...keys.map((d) => INDEX_DIMS.indexOf(d) + 1));
  // The bare user id here: `user_id || ''` (see DIM_SQL) would not be the index's column.
  const prefix = INDEX_DIMS.slice(0, depth).map((d) => (d === 'user' ? sql.ref('user_id') : DIM_SQL[d].expr));
  let q = scopedByHour(a, a.db.selectFrom('events'), anonymous);
  // `kind || ''`, not `kind`: compared to a single value, SQLite takes the column as constant,
  // drops it from the GROUP BY, no longer sees a prefix of the index there, and sorts.
  if (kinds?.length) q = q.where(sql<string>`${sql.ref('kind')} || ''`, 'in', [...kinds]);
  const hourly = q
    .select([
      // min(lower(login)), not lower(login): the bare expression in the result makes SQLite
      // read the row for `login`; the aggregate is computed from the index (and is the same
      // value, lower(login) being a group key).
      ...keys.map((d) =>
        (d === 'login' ? sql`min(${DIM_SQL.login.expr})` : sql.ref(DIM_SQL[d].column)).as(DIM_SQL[d].column),
      ),
      ...(nameByUser ? [sql`max(${sql.ref('user_name')})`.as('user_name')] : []),
      'kind',
      'anonymous',
      (eb) => eb.fn.countAll().as('n'),
      (eb) => eb.fn.min('time').as('first'),
      (eb) => eb.fn.max('time').as('last'),
    ])
    .groupBy([sql.ref('portal_id'), sql.ref('anonymous'), UTC_HOUR, sql.ref('offset_minutes'), sql.ref('kind'), ...prefix])
    .as('hourly');
  const columns = keys.map((d) => sql.ref(`hourly.${DIM_SQL[d].column}`));
  return (await a.db
    .selectFrom(hourly)
    .select([
      ...keys.map((d, i) => sql`${columns[i]}`.as(DIM_SQL[d].column)),
      ...(nameByUser ? [sql`max(${sql.ref('hourly.user_name')})`.as('user_name')] : []),
      'hourly.kind',
      'hourly.anonymous',
      (eb) => eb.fn.sum(sql.ref('hourly.n')).as('n'),
      (eb) => eb.fn.min(sql.ref('hourly.first')).as('first'),
      (eb) => eb.fn.max(sql.ref('hourly.last')).as('last'),
    ])
    .groupBy([...columns, 'hourly.kind', 'hourly.anonymous'])
    .execute()) as Rows;
}

/** One GROUP BY over the period's rows: on PostgreSQL, and for what `events_report` lacks (`city`, `name` alone). */
async function groupedAtOnce(a: ArchiveQuery, { keys, nameByUser, kinds, anonymous }: Grouping): Promise<Rows> {
  let q = scoped(a, a.db.selectFrom('events'));
  if (kinds?.length) q = q.where('kind', 'in', [...kinds]);
  if (anonymous !== undefined) q = q.where('anonymous', '=', anonymous ? 1 : 0);
  const exprs = keys.map((d) => DIM_SQL[d].expr);
  return (await q
    .select([
      ...exprs.map((e, i) => sql`${e}`.as(DIM_SQL[keys[i]].column)),
      ...(nameByUser ? [sql`max(${sql.ref('user_name')})`.as(DIM_SQL.name.column)] : []),
      'kind',
      'anonymous',
      (eb) => eb.fn.countAll().as('n'),
      (eb) => eb.fn.min('time').as('first'),
      (eb) => eb.fn.max('time').as('last'),
    ])
    .groupBy([...exprs, 'kind', 'anonymous'])
    .execute()) as Rows;
}
