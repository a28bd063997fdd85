/**
 * The dashboard's questions, answered from the rollups (schema 9) so that no page reads raw
 * events: overview tiles with sparklines, sign-ins by kind over time, failures by weekday and
 * hour, top targets, addresses and places, and one user's baseline. For one portal or several,
 * over a period, bucketed on the clock of a `ZoneClock` (the portal's, or a chosen zone).
 *
 * Times inside are numbers: instants are epoch ms; a bucket's `start` is its local wall-clock
 * start as epoch-like ms (`ZoneClock.wallClock`: the UTC fields carry the local time).
 *
 * Precision: hour counts are kept per UTC hour and offset, so they land on the right local hour
 * in the portal's zone and in any zone whose offset is whole hours; in a `+05:30` zone an hour's
 * events go to the local hour it starts in. Day tables (users, addresses, places, devices,
 * targets) are cut at UTC midnight: a period is widened to the UTC days it touches.
 */
import { sql } from 'kysely';
import { ACTION_KINDS, type ActionKind } from '../../model/actions.js';
import type { ArchiveStore } from '../../store/index.js';
import { bounds, DAY, type DashboardQuery, type Db, dayScope, HOUR, n, portalsOf } from './rollup-query.js';

export type { DashboardQuery } from './rollup-query.js';
export {
  type CityRow,
  type CountRow,
  type CountryRow,
  type DeviceSeen,
  type IpRow,
  type PlaceSeen,
  type TargetRow,
  topCountries,
  topIps,
  topTargets,
  type UserBaseline,
  userBaseline,
} from './rollup-tops.js';
/** `LoginFailBruteForce`: the portal locked the login out after too many attempts. */
export const LOCKOUT_ACTION = 1023;
/** Charts get at most this many points. */
export const MAX_POINTS = 2_000;
/** Bucket widths a series may use, in hours. */
const BUCKET_HOURS = [1, 2, 3, 6, 12, 24, 48, 168, 336, 720, 2160, 8760] as const;

export interface SeriesPoint {
  /** Local wall-clock start of the bucket (epoch-like ms). */
  start: number;
  value: number;
}

export interface Tile {
  total: number;
  /** Per bucket of `bucketHours` (days for unique users and addresses). */
  spark: SeriesPoint[];
}

export interface Overview {
  bucketHours: number;
  successes: Tile;
  failures: Tile;
  lockouts: Tile;
  /** Distinct users with an event of their own in the period (exact: from per-day keys). */
  uniqueUsers: Tile;
  /** Distinct source addresses in the period. */
  uniqueIps: Tile;
}

export interface KindSeries {
  bucketHours: number;
  /** Bucket starts, ascending, one per bucket from the first to the last with events. */
  starts: number[];
  /** Events per kind, aligned with `starts`. */
  kinds: Record<ActionKind, number[]>;
}

/** Rows of `rollup_hours` in the period: UTC hour, offset, action, kind, events. */
async function hourRows(db: Db, q: DashboardQuery, portals: number[]) {
  const b = bounds(q);
  let s = db
    .selectFrom('rollup_hours')
    .select(['hour', 'offset_minutes', 'action_id', 'kind', (eb) => eb.fn.sum<number>('events').as('n')])
    .where('portal_id', 'in', portals);
  if (b.firstHour !== undefined) s = s.where('hour', '>=', b.firstHour);
  if (b.lastHour !== undefined) s = s.where('hour', '<=', b.lastHour);
  const rows = await s.groupBy(['hour', 'offset_minutes', 'action_id', 'kind']).execute();
  return rows.map((r) => {
    const utc = n(r.hour);
    const offset = n(r.offset_minutes);
    const local = q.clock.localHour(utc * HOUR, offset);
    return { local, actionId: n(r.action_id), kind: r.kind as ActionKind, events: n(r.n) };
  });
}

/** The narrowest bucket that keeps a span of local hours within `MAX_POINTS`. */
export function bucketFor(spanHours: number): number {
  return BUCKET_HOURS.find((h) => Math.ceil((spanHours + 1) / h) <= MAX_POINTS) ?? BUCKET_HOURS[BUCKET_HOURS.length - 1];
}

/** A local hour's bucket start: weeks begin on Monday, longer buckets count from the epoch. */
function bucketStart(localHour: number, width: number): number {
  const shift = width === 168 || width === 336 ? 72 : 0;
  return (Math.floor((localHour + shift) / width) * width - shift) * HOUR;
}

/** Sign-ins by kind over time, in buckets chosen so a chart gets at most `MAX_POINTS` points. */
export async function signInsOverTime(store: ArchiveStore, q: DashboardQuery): Promise<KindSeries> {
  const rows = await hourRows(store.db, q, await portalsOf(store, q));
  const kinds = Object.fromEntries(ACTION_KINDS.map((k) => [k, [] as number[]])) as Record<ActionKind, number[]>;
  if (!rows.length) return { bucketHours: 1, starts: [], kinds };
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const r of rows) {
    min = Math.min(min, r.local);
    max = Math.max(max, r.local);
  }
  const width = bucketFor(max - min);
  const first = bucketStart(min, width);
  const step = width * HOUR;
  const count = Math.floor((bucketStart(max, width) - first) / step) + 1;
  const starts = Array.from({ length: count }, (_, i) => first + i * step);
  for (const k of ACTION_KINDS) kinds[k] = new Array<number>(count).fill(0);
  for (const r of rows) kinds[r.kind][Math.floor((bucketStart(r.local, width) - first) / step)] += r.events;
  return { bucketHours: width, starts, kinds };
}

/** Failures per local weekday (Monday = 0) and hour of day: `matrix[weekday][hour]`. */
export async function failuresByWeekdayHour(store: ArchiveStore, q: DashboardQuery): Promise<number[][]> {
  const matrix = Array.from({ length: 7 }, () => new Array<number>(24).fill(0));
  for (const r of await hourRows(store.db, q, await portalsOf(store, q))) {
    if (r.kind !== 'failure') continue;
    const day = Math.floor(r.local / 24);
    const weekday = (((day + 3) % 7) + 7) % 7;
    matrix[weekday][((r.local % 24) + 24) % 24] += r.events;
  }
  return matrix;
}

function sparkOf(map: Map<number, number>): SeriesPoint[] {
  return [...map].sort((a, b) => a[0] - b[0]).map(([start, value]) => ({ start, value }));
}

/** The overview tiles: totals of the period with a sparkline each. */
export async function overview(store: ArchiveStore, q: DashboardQuery): Promise<Overview> {
  const portals = await portalsOf(store, q);
  const rows = await hourRows(store.db, q, portals);
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const r of rows) {
    min = Math.min(min, r.local);
    max = Math.max(max, r.local);
  }
  const width = rows.length ? bucketFor(max - min) : 1;
  const sums = { successes: new Map<number, number>(), failures: new Map<number, number>(), lockouts: new Map<number, number>() };
  const totals = { successes: 0, failures: 0, lockouts: 0 };
  const add = (k: keyof typeof sums, start: number, v: number) => {
    sums[k].set(start, (sums[k].get(start) ?? 0) + v);
    totals[k] += v;
  };
  for (const r of rows) {
    const start = bucketStart(r.local, width);
    if (r.kind === 'success') add('successes', start, r.events);
    if (r.kind === 'failure') add('failures', start, r.events);
    if (r.actionId === LOCKOUT_ACTION) add('lockouts', start, r.events);
  }
  const distinct = async (table: 'rollup_user_days' | 'rollup_ip_days', column: 'user_id' | 'ip'): Promise<Tile> => {
    const perDay = await store.db
      .selectFrom(table as 'rollup_ip_days')
      .select(['day', sql<number>`count(distinct ${sql.ref(column)})`.as('n')])
      .where(dayScope<'rollup_ip_days'>(q, portals))
      .groupBy('day')
      .execute();
    const total = await store.db
      .selectFrom(table as 'rollup_ip_days')
      .select(sql<number>`count(distinct ${sql.ref(column)})`.as('n'))
      .where(dayScope<'rollup_ip_days'>(q, portals))
      .executeTakeFirst();
    return { total: n(total?.n), spark: perDay.map((r) => ({ start: n(r.day) * DAY, value: n(r.n) })).sort((a, b) => a.start - b.start) };
  };
  return {
    bucketHours: width,
    successes: { total: totals.successes, spark: sparkOf(sums.successes) },
    failures: { total: totals.failures, spark: sparkOf(sums.failures) },
    lockouts: { total: totals.lockouts, spark: sparkOf(sums.lockouts) },
    uniqueUsers: await distinct('rollup_user_days', 'user_id'),
    uniqueIps: await distinct('rollup_ip_days', 'ip'),
  };
}

