/**
 * The Overview from the rollups sync maintains next to the events (src/store/rollups.ts), so the
 * whole history of millions of events costs a few thousand rollup rows. The answer is the one the
 * event queries of `overview.ts` give, number for number, and the rollups are used only where that
 * holds: no narrowing beyond the period, and a period that is the whole history or whole UTC days
 * (day tables are cut at UTC midnight; an open or `now` end counts as whole when no archived event
 * lies past it). Anything else is answered from the events, as before.
 *
 * Distinct users and addresses come from the day tables in their own buckets: per UTC day (or the
 * chart's longer bucket) over a period touching 7 days or more, as the dashboard's day-sized
 * periods (`30d`, which start at a UTC midnight) always do, so those never scan events; only a
 * shorter period, bucketed in hours, has them counted from its events.
 */
import { sql } from 'kysely';
import type { ArchiveStore } from '../../store/index.js';
import {
  distinctSeries,
  LOCKOUT_ACTION,
  type CountryRow,
  type IpRow,
  type Overview,
  overview as overviewFromEvents,
  overviewFrames,
  placesFrom,
  plain,
  type Series,
  type TargetRow,
} from './overview.js';
import type { ZoneClock } from '../../report/zone.js';
import { num, type Scope } from './scope.js';
import { dayScope } from '../../report/sources/rollup-query.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** The period as rollup keys: inclusive UTC days, and the matching hours (open when undefined). */
interface Keys {
  portals: number[];
  firstDay?: number;
  lastDay?: number;
}

/** Everything the Overview shows: from the rollups where they answer exactly, else from the events. */
export async function overviewOf(store: ArchiveStore, scope: Scope, clock: ZoneClock, from: number, to: number): Promise<Overview> {
  const keys = await rollupKeys(store, scope);
  if (!keys) return overviewFromEvents(store, scope, clock, from, to);
  const { chart, active } = overviewFrames(from, to);
  const [, , totals, heat, targets, ips, places] = await Promise.all([
    rollupSeries(store, keys, chart),
    rollupActive(store, scope, keys, active),
    rollupTotals(store, keys),
    rollupHeat(store, keys, clock),
    rollupTargets(store, keys, 10),
    rollupIps(store, keys, 10),
    rollupPlaces(store, keys, 8, 5),
  ]);
  return { totals: { ...totals, ips: ips.distinct }, series: plain(chart), active: plain(active), heat, targets, ips: ips.rows, places };
}

/** The oldest and newest archived event of the portals (one index probe each), if any. */
export async function archiveSpan(store: ArchiveStore, portalIds: readonly number[]): Promise<{ oldest?: number; newest?: number }> {
  const span: { oldest?: number; newest?: number } = {};
  for (const id of portalIds) {
    const events = store.db.selectFrom('events').where('portal_id', '=', id);
    const [lo, hi] = await Promise.all([
      events.select((eb) => eb.fn.min('time').as('t')).executeTakeFirst(),
      events.select((eb) => eb.fn.max('time').as('t')).executeTakeFirst(),
    ]);
    if (lo?.t != null) span.oldest = Math.min(span.oldest ?? Number.POSITIVE_INFINITY, num(lo.t));
    if (hi?.t != null) span.newest = Math.max(span.newest ?? Number.NEGATIVE_INFINITY, num(hi.t));
  }
  return span;
}

/** The rollup keys of `scope`, or undefined when the rollups cannot give its exact answer. */
export async function rollupKeys(store: ArchiveStore, scope: Scope): Promise<Keys | undefined> {
  const { since, until, ...rest } = scope.filter;
  if (scope.ip || scope.country || !scope.portalIds.length) return undefined;
  if (Object.values(rest).some((v) => v !== undefined && !(Array.isArray(v) && v.length === 0))) return undefined;
  if (since !== undefined && since % DAY !== 0) return undefined;
  const keys: Keys = { portals: [...scope.portalIds] };
  if (since !== undefined) keys.firstDay = since / DAY;
  if (until !== undefined) {
    if ((until + 1) % DAY === 0) keys.lastDay = (until + 1) / DAY - 1;
    else {
      const { newest } = await archiveSpan(store, scope.portalIds);
      if (newest !== undefined && newest > until) return undefined;
    }
  }
  return keys;
}

type DayTable = 'rollup_user_days' | 'rollup_login_days' | 'rollup_ip_days' | 'rollup_place_days';

/** `portal_id IN … AND day BETWEEN …` for a day table, on the days of `k`. */
function inDays<T extends DayTable>(k: Keys) {
  const period = {
    since: k.firstDay === undefined ? undefined : k.firstDay * DAY,
    until: k.lastDay === undefined ? undefined : (k.lastDay + 1) * DAY - 1,
  };
  return dayScope<T>(period, k.portals);
}

function hours(store: ArchiveStore, k: Keys) {
  let q = store.db.selectFrom('rollup_hours').where('portal_id', 'in', k.portals);
  if (k.firstDay !== undefined) q = q.where('hour', '>=', k.firstDay * 24);
  if (k.lastDay !== undefined) q = q.where('hour', '<', (k.lastDay + 1) * 24);
  return q;
}

const lockouts = sql<number>`sum(case when action_id = ${sql.lit(LOCKOUT_ACTION)} then events else 0 end)`;
const eventsSum = sql<number>`sum(events)`;

type Frame = Series & { first: number };

/** The index of bucket `b` in `frame`, or -1 when it lies outside. */
function at(frame: Frame, b: unknown): number {
  const i = num(b) - frame.first;
  return i >= 0 && i < frame.starts.length ? i : -1;
}

/** Fills the chart's counts by kind and lock-outs from the hour table. */
async function rollupSeries(store: ArchiveStore, k: Keys, frame: Frame): Promise<void> {
  const { values } = frame;
  const per = sql.lit(frame.bucketMs / HOUR);
  const rows = await hours(store, k)
    .select([sql<number>`(hour / ${per})`.as('b'), 'kind', eventsSum.as('n'), lockouts.as('locks')])
    .groupBy([sql.raw('b'), 'kind'])
    .execute();
  for (const r of rows) {
    const i = at(frame, r.b);
    if (i < 0) continue;
    if (r.kind in values) values[r.kind][i] += num(r.n);
    values.lockout[i] += num(r.locks);
  }
}

/** Fills distinct users and addresses per bucket: from the day tables for whole-day buckets, else from the events. */
async function rollupActive(store: ArchiveStore, scope: Scope, k: Keys, frame: Frame): Promise<void> {
  if (frame.bucketMs % DAY !== 0) return distinctSeries(store, scope, frame);
  const perDays = sql.lit(frame.bucketMs / DAY);
  const distinct = async (table: 'rollup_user_days' | 'rollup_ip_days', column: 'user_id' | 'ip', key: 'users' | 'ips') => {
    const counted = await store.db
      .selectFrom(table as 'rollup_ip_days')
      .where(inDays<'rollup_ip_days'>(k))
      .select([sql<number>`(day / ${perDays})`.as('b'), sql<number>`count(distinct ${sql.ref(column)})`.as('n')])
      .groupBy(sql.raw('b'))
      .execute();
    for (const r of counted) {
      const i = at(frame, r.b);
      if (i >= 0) frame.values[key][i] = num(r.n);
    }
  };
  await Promise.all([distinct('rollup_user_days', 'user_id', 'users'), distinct('rollup_ip_days', 'ip', 'ips')]);
}

/** The totals but distinct addresses (counted with the top addresses, in the same pass). */
async function rollupTotals(store: ArchiveStore, k: Keys): Promise<Omit<Overview['totals'], 'ips'>> {
  const [kinds, users] = await Promise.all([
    hours(store, k).select(['kind', eventsSum.as('n'), lockouts.as('locks')]).groupBy('kind').execute(),
    store.db
      .selectFrom('rollup_user_days')
      .where(inDays<'rollup_user_days'>(k)).select(sql<number>`count(distinct user_id)`.as('n')).executeTakeFirst(),
  ]);
  const by = new Map(kinds.map((r) => [r.kind, num(r.n)]));
  return {
    success: by.get('success') ?? 0,
    failure: by.get('failure') ?? 0,
    logout: by.get('logout') ?? 0,
    lockout: kinds.reduce((s, r) => s + num(r.locks), 0),
    users: num(users?.n),
  };
}

/** Failures per local weekday × hour: per UTC hour and offset, placed on `clock` as the events' query does. */
async function rollupHeat(store: ArchiveStore, k: Keys, clock: ZoneClock): Promise<number[][]> {
  const grid = Array.from({ length: 7 }, () => Array.from({ length: 24 }, () => 0));
  const rows = await hours(store, k)
    .where('kind', '=', 'failure')
    .select(['hour', 'offset_minutes', eventsSum.as('n')])
    .groupBy(['hour', 'offset_minutes'])
    .execute();
  for (const r of rows) {
    const wall = new Date(clock.wallClock(num(r.hour) * HOUR, num(r.offset_minutes)));
    grid[(wall.getUTCDay() + 6) % 7][wall.getUTCHours()] += num(r.n);
  }
  return grid;
}

/**
 * The most failed-against accounts: a member's own failures (by id) and anonymous ones (by the
 * typed login's key), as the events' query groups them. The typed text and the name shown are
 * those of the newest failure of each of the chosen few (its id is kept by the rollups), read by
 * primary key: every login of a key reads the same to the attribution rule.
 */
async function rollupTargets(store: ArchiveStore, k: Keys, limit: number): Promise<TargetRow[]> {
  const top = (anonymous: boolean) =>
    failuresAt(store, k, anonymous)
      .select(['portal_id', sql.ref<string>(targetColumn(anonymous)).as('key'), eventsSum.as('n'), sql<number>`max(last_time)`.as('last')])
      .groupBy(['portal_id', sql.ref(targetColumn(anonymous))])
      .orderBy(sql.raw('n'), 'desc')
      .orderBy(sql.raw('last'), 'desc')
      .limit(limit)
      .execute()
      .then((rows) => rows.map((r) => ({ portalId: num(r.portal_id), anonymous, key: r.key, failures: num(r.n), last: num(r.last) })));
  const rows = (await Promise.all([top(false), top(true)]))
    .flat()
    .sort((a, b) => b.failures - a.failures || b.last - a.last)
    .slice(0, limit);
  return Promise.all(
    rows.map(async (r): Promise<TargetRow> => {
      const newest = await newestFailure(store, { ...k, portals: [r.portalId] }, r.anonymous, r.key);
      const event = newest !== undefined
        ? await store.db
            .selectFrom('events')
            .where('portal_id', '=', r.portalId)
            .where('id', '=', newest)
            .select(['user_id', 'login', 'user_name'])
            .executeTakeFirst()
        : undefined;
      return { portalId: r.portalId, anonymous: r.anonymous, userId: event?.user_id ?? r.key, login: event?.login ?? null, name: event?.user_name ?? '', failures: r.failures, last: r.last };
    }),
  );
}

/** Where a target's failures are counted: a member's own by id, anonymous ones by the typed login's key. */
function targetColumn(anonymous: boolean): 'login_key' | 'user_id' {
  return anonymous ? 'login_key' : 'user_id';
}

/** The failure rows of the period aimed at members (`anonymous` false) or typed as logins. */
function failuresAt(store: ArchiveStore, k: Keys, anonymous: boolean) {
  // Both day tables have the columns used here; the cast only picks one for the types.
  const table = anonymous ? 'rollup_login_days' : ('rollup_user_days' as 'rollup_login_days');
  return store.db.selectFrom(table).where(inDays<'rollup_login_days'>(k)).where('kind', '=', 'failure');
}

/** The id of the newest failure aimed at a member (`anonymous` false) or typed as a login key. */
async function newestFailure(store: ArchiveStore, k: Keys, anonymous: boolean, key: string): Promise<number | undefined> {
  const row = await failuresAt(store, k, anonymous)
    .where(sql.ref(targetColumn(anonymous)), '=', key)
    .select('last_id')
    .orderBy('last_time', 'desc')
    .orderBy('last_id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ? num(row.last_id) : undefined;
}

/** The top addresses, and (from the same grouping) how many distinct addresses there are. */
async function rollupIps(store: ArchiveStore, k: Keys, limit: number): Promise<{ rows: IpRow[]; distinct: number }> {
  const top = await store.db
    .selectFrom('rollup_ip_days')
    .where(inDays<'rollup_ip_days'>(k))
    .select([
      'ip',
      eventsSum.as('n'),
      sql<number>`sum(failures)`.as('failures'),
      sql<number>`max(last_time)`.as('last'),
      sql<number>`count(*) over ()`.as('distinct'),
    ])
    .groupBy('ip')
    .orderBy(sql.raw('n'), 'desc')
    .orderBy('ip')
    .limit(limit)
    .execute();
  if (!top.length) return { rows: [], distinct: 0 };
  const users = await store.db
    .selectFrom('rollup_user_days')
    .where(inDays<'rollup_user_days'>(k))
    .where(
      'ip',
      'in',
      top.map((r) => r.ip),
    )
    .select(['ip', sql<number>`count(distinct user_id)`.as('n')])
    .groupBy('ip')
    .execute();
  const usersOf = new Map(users.map((r) => [r.ip, num(r.n)]));
  const rows = top.map((r) => ({ ip: r.ip, events: num(r.n), failures: num(r.failures), users: usersOf.get(r.ip) ?? 0, last: num(r.last) }));
  return { rows, distinct: num(top[0].distinct) };
}

async function rollupPlaces(store: ArchiveStore, k: Keys, countries: number, cities: number): Promise<CountryRow[]> {
  const rows = await store.db
      .selectFrom('rollup_place_days')
      .where(inDays<'rollup_place_days'>(k))
    .select(['country', 'city', eventsSum.as('n'), sql<number>`sum(failures)`.as('failures'), sql<number>`sum(successes)`.as('successes')])
    .groupBy(['country', 'city'])
    .execute();
  return placesFrom(rows, countries, cities);
}
