/**
 * The Overview's numbers: tiles with their sparklines, sign-ins by kind over time, failures by
 * weekday and hour, and the top targets, addresses and places. Each is one grouped query over
 * the events in scope; the browser gets at most a few hundred points per chart.
 *
 * These are the queries to move onto rollup tables once sync maintains them: the page only
 * sees the `Overview` shape.
 */
import { sql } from 'kysely';
import type { ActionKind } from '../../model/actions.js';
import type { ZoneClock } from '../../report/zone.js';
import type { ArchiveStore } from '../../store/index.js';
import { bucketOf, countAll, num, type Scope, scoped } from './scope.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const BUCKETS = [HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY, 7 * DAY, 30 * DAY];
/** The brute-force lock-out: the server's "too many attempts" failure. */
export const LOCKOUT_ACTION = 1023;

/** The smallest bucket that cuts `span` into at most `points` pieces. */
export function bucketFor(span: number, points: number): number {
  return BUCKETS.find((b) => span / b <= points) ?? BUCKETS[BUCKETS.length - 1];
}

export interface Series {
  bucketMs: number;
  /** Bucket starts, epoch ms (UTC). */
  starts: number[];
  values: Record<string, number[]>;
}

export interface Overview {
  totals: { success: number; failure: number; logout: number; lockout: number; users: number; ips: number };
  /** Sign-ins by kind (and lock-outs) in the chart's buckets. */
  series: Series;
  /** Distinct users and addresses over time, in buckets of their own (`activeBucket`). */
  active: Series;
  /** Failures per local weekday (0 = Monday) and hour of `clock`. */
  heat: number[][];
  targets: TargetRow[];
  ips: IpRow[];
  places: CountryRow[];
}

export interface TargetRow {
  portalId: number;
  anonymous: boolean;
  /** The user id, or for anonymous failures the typed login. */
  userId: string;
  login: string | null;
  name: string;
  failures: number;
  last: number;
}

export interface IpRow {
  ip: string;
  events: number;
  failures: number;
  users: number;
  last: number;
}

export interface PlaceCounts {
  events: number;
  failures: number;
  successes: number;
}
export interface CountryRow extends PlaceCounts {
  country: string;
  cities: Array<PlaceCounts & { city: string }>;
}

/** The buckets of a chart over `[from, to]`: at most `points` of them, every value zero. */
export function seriesFrame(from: number, to: number, points: number): Series & { first: number } {
  return frameOf(from, to, bucketFor(Math.max(HOUR, to - from), points), ['success', 'failure', 'logout', 'lockout', 'users', 'ips']);
}

/** Buckets of `bucketMs` over `[from, to]` for the series `keys`, every value zero. */
export function frameOf(from: number, to: number, bucketMs: number, keys: readonly string[]): Series & { first: number } {
  const first = Math.floor(from / bucketMs);
  const last = Math.floor(to / bucketMs);
  const starts = Array.from({ length: last - first + 1 }, (_, i) => (first + i) * bucketMs);
  const values = Object.fromEntries(keys.map((k) => [k, starts.map(() => 0)]));
  return { bucketMs, first, starts, values };
}

/**
 * The bucket of distinct users and addresses: over a period touching 7 UTC days or more, a UTC
 * day (daily active users and addresses; the chart's bucket when that is longer), which the day
 * rollups answer; over a shorter one, the chart's own bucket.
 */
export function activeBucket(from: number, to: number, chartBucketMs: number): number {
  const days = Math.floor(to / DAY) - Math.floor(from / DAY) + 1;
  return days >= 7 ? Math.max(DAY, chartBucketMs) : chartBucketMs;
}

/** Counts per bucket and kind (plus lock-outs, distinct users and addresses) over `[from, to]`. */
export async function seriesOf(store: ArchiveStore, scope: Scope, from: number, to: number, points: number): Promise<Series> {
  const frame = seriesFrame(from, to, points);
  await Promise.all([kindSeries(store, scope, frame), distinctSeries(store, scope, frame)]);
  return { bucketMs: frame.bucketMs, starts: frame.starts, values: frame.values };
}

/** Fills `frame`'s counts by kind and lock-outs per bucket from the events of `scope`. */
async function kindSeries(store: ArchiveStore, scope: Scope, frame: Series & { first: number }): Promise<void> {
  const { first, starts, values } = frame;
  const lock = sql<number>`sum(case when action_id = ${sql.lit(LOCKOUT_ACTION)} then 1 else 0 end)`;
  const rows = await scoped(store, scope)
    .select([bucketOf(frame.bucketMs).as('b'), 'kind', countAll.as('n'), lock.as('locks')])
    .groupBy([sql.raw('b'), 'kind'])
    .execute();
  for (const r of rows) {
    const i = num(r.b) - first;
    if (i < 0 || i >= starts.length) continue;
    if (r.kind in values) values[r.kind as ActionKind][i] += num(r.n);
    values.lockout[i] += num(r.locks);
  }
}

/** Fills `frame`'s distinct users and addresses per bucket from the events of `scope`. */
export async function distinctSeries(store: ArchiveStore, scope: Scope, frame: Series & { first: number }): Promise<void> {
  const { first, starts, values } = frame;
  const distinct = await scoped(store, scope)
    .select([
      bucketOf(frame.bucketMs).as('b'),
      sql<number>`count(distinct case when anonymous = 0 then user_id end)`.as('users'),
      sql<number>`count(distinct ip)`.as('ips'),
    ])
    .groupBy(sql.raw('b'))
    .execute();
  for (const r of distinct) {
    const i = num(r.b) - first;
    if (i < 0 || i >= starts.length) continue;
    values.users[i] = num(r.users);
    values.ips[i] = num(r.ips);
  }
}

/** The Overview's two frames over `[from, to]`: the chart's (by kind) and the distinct series' own. */
export function overviewFrames(from: number, to: number): { chart: Series & { first: number }; active: Series & { first: number } } {
  const chart = frameOf(from, to, bucketFor(Math.max(HOUR, to - from), 180), ['success', 'failure', 'logout', 'lockout']);
  const active = frameOf(from, to, activeBucket(from, to, chart.bucketMs), ['users', 'ips']);
  return { chart, active };
}

/** Everything the Overview shows, for the events in `scope` between `from` and `to`. */
export async function overview(store: ArchiveStore, scope: Scope, clock: ZoneClock, from: number, to: number): Promise<Overview> {
  const { chart, active } = overviewFrames(from, to);
  const [, , totals, heat, targets, ips, places] = await Promise.all([
    kindSeries(store, scope, chart),
    distinctSeries(store, scope, active),
    totalsOf(store, scope),
    failureHeat(store, scope, clock),
    topTargets(store, scope, 10),
    topIps(store, scope, 10),
    topPlaces(store, scope, 8, 5),
  ]);
  return { totals, series: plain(chart), active: plain(active), heat, targets, ips, places };
}

/** A frame as the page sees it (without its first bucket's index). */
export const plain = ({ bucketMs, starts, values }: Series): Series => ({ bucketMs, starts, values });

async function totalsOf(store: ArchiveStore, scope: Scope): Promise<Overview['totals']> {
  const kinds = await scoped(store, scope)
    .select(['kind', countAll.as('n'), sql<number>`sum(case when action_id = ${sql.lit(LOCKOUT_ACTION)} then 1 else 0 end)`.as('locks')])
    .groupBy('kind')
    .execute();
  const by = new Map(kinds.map((k) => [k.kind, num(k.n)]));
  const distinct = await scoped(store, scope)
    .select([
      sql<number>`count(distinct case when anonymous = 0 then user_id end)`.as('users'),
      sql<number>`count(distinct ip)`.as('ips'),
    ])
    .executeTakeFirst();
  return {
    success: by.get('success') ?? 0,
    failure: by.get('failure') ?? 0,
    logout: by.get('logout') ?? 0,
    lockout: kinds.reduce((n, k) => n + num(k.locks), 0),
    users: num(distinct?.users),
    ips: num(distinct?.ips),
  };
}

/**
 * Failures (or `kind`) per local weekday × hour. SQL groups by UTC hour and the event's own
 * offset; the zone's wall clock is applied here, so DST and the `portal` zone come out right.
 */
export async function weekHours(store: ArchiveStore, scope: Scope, clock: ZoneClock, kind: ActionKind): Promise<number[][]> {
  const grid = Array.from({ length: 7 }, () => Array.from({ length: 24 }, () => 0));
  const rows = await scoped(store, { ...scope, filter: { ...scope.filter, kinds: [kind] } })
    .select([bucketOf(HOUR).as('h'), 'offset_minutes', countAll.as('n')])
    .groupBy([sql.raw('h'), 'offset_minutes'])
    .execute();
  for (const r of rows) {
    const wall = new Date(clock.wallClock(num(r.h) * HOUR, num(r.offset_minutes)));
    grid[(wall.getUTCDay() + 6) % 7][wall.getUTCHours()] += num(r.n);
  }
  return grid;
}

const failureHeat = (store: ArchiveStore, scope: Scope, clock: ZoneClock) => weekHours(store, scope, clock, 'failure');

/** The most failed-against accounts: a member by id, or an anonymous failure by its typed login. */
export async function topTargets(store: ArchiveStore, scope: Scope, limit: number): Promise<TargetRow[]> {
  const target = sql<string>`case when anonymous = 1 then coalesce(login_key, '') else user_id end`;
  const rows = await scoped(store, { ...scope, filter: { ...scope.filter, kinds: ['failure'] } })
    .select([
      'portal_id',
      'anonymous',
      target.as('target'),
      sql<string>`max(user_id)`.as('user_id'),
      sql<string | null>`max(login)`.as('login'),
      sql<string>`max(user_name)`.as('name'),
      countAll.as('n'),
      sql<number>`max(time)`.as('last'),
    ])
    .groupBy(['portal_id', 'anonymous', sql.raw('target')])
    .orderBy(sql.raw('n'), 'desc')
    .orderBy(sql.raw('last'), 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    portalId: num(r.portal_id),
    anonymous: num(r.anonymous) === 1,
    userId: r.user_id,
    login: r.login,
    name: r.name,
    failures: num(r.n),
    last: num(r.last),
  }));
}

const failuresSum = sql<number>`sum(case when kind = 'failure' then 1 else 0 end)`;
const successSum = sql<number>`sum(case when kind = 'success' then 1 else 0 end)`;

export async function topIps(store: ArchiveStore, scope: Scope, limit: number): Promise<IpRow[]> {
  const rows = await scoped(store, scope)
    .select([
      'ip',
      countAll.as('n'),
      failuresSum.as('failures'),
      sql<number>`count(distinct case when anonymous = 0 then user_id end)`.as('users'),
      sql<number>`max(time)`.as('last'),
    ])
    .groupBy('ip')
    .orderBy(sql.raw('n'), 'desc')
    .orderBy('ip')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ ip: r.ip, events: num(r.n), failures: num(r.failures), users: num(r.users), last: num(r.last) }));
}

/** Countries by events, each with its top cities (a Country → City table). */
export async function topPlaces(store: ArchiveStore, scope: Scope, countries: number, cities: number): Promise<CountryRow[]> {
  const rows = await scoped(store, scope)
    .select(['country', 'city', countAll.as('n'), failuresSum.as('failures'), successSum.as('successes')])
    .groupBy(['country', 'city'])
    .execute();
  return placesFrom(rows, countries, cities);
}

/** Countries → cities from per-(country, city) counts: the `countries` with most events, each with its top `cities`. */
export function placesFrom(
  rows: ReadonlyArray<{ country: string; city: string; n: unknown; failures: unknown; successes: unknown }>,
  countries: number,
  cities: number,
): CountryRow[] {
  const byCountry = new Map<string, CountryRow>();
  for (const r of rows) {
    const c = byCountry.get(r.country) ?? { country: r.country, events: 0, failures: 0, successes: 0, cities: [] };
    const counts = { events: num(r.n), failures: num(r.failures), successes: num(r.successes) };
    c.events += counts.events;
    c.failures += counts.failures;
    c.successes += counts.successes;
    c.cities.push({ city: r.city, ...counts });
    byCountry.set(r.country, c);
  }
  // Ties broken by name: rows come in the database's grouping order (PostgreSQL's hash
  // aggregate has none), and the rollups and the events must show the same places at the cut.
  return [...byCountry.values()]
    .sort((a, b) => b.events - a.events || byName(a.country, b.country))
    .slice(0, countries)
    .map((c) => ({ ...c, cities: c.cities.sort((a, b) => b.events - a.events || byName(a.city, b.city)).slice(0, cities) }));
}

function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
