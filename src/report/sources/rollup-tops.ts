/**
 * The dashboard's tables from the rollups' day tables: top addresses, countries → cities and
 * targets of the period, and one member's baseline (see `rollups.ts` for precision and zones).
 */
import { sql } from 'kysely';
import { attributeFailure, PeopleDirectory } from '../../model/attribution.js';
import type { ArchiveStore } from '../../store/index.js';
import { type DashboardQuery, dayScope, n, portalsOf } from './rollup-query.js';

export interface CountRow {
  events: number;
  successes: number;
  failures: number;
  /** successes / (successes + failures), null without either. */
  successRate: number | null;
  firstSeen: number;
  lastSeen: number;
}

export interface IpRow extends CountRow {
  ip: string;
}

export interface CityRow extends CountRow {
  city: string;
}

export interface CountryRow extends CountRow {
  country: string;
  cities: CityRow[];
}

export interface TargetRow {
  /** The member aimed at, when the typed login (or their own failed event) names one. */
  userId: string | null;
  /** The attribution key of what was typed, when no member could be named. */
  loginKey: string | null;
  failures: number;
  firstFailure: number;
  lastFailure: number;
}

export interface PlaceSeen {
  country: string;
  city: string;
  events: number;
  firstSeen: number;
  lastSeen: number;
}

export interface DeviceSeen {
  browser: string;
  platform: string;
  events: number;
  firstSeen: number;
  lastSeen: number;
}

export interface UserBaseline {
  userId: string;
  events: number;
  /** Events per local hour of the week, Monday 00:00 = index 0 (168 entries). */
  weekHours: number[];
  places: PlaceSeen[];
  devices: DeviceSeen[];
  ips: Array<{ ip: string; events: number; firstSeen: number; lastSeen: number }>;
}

function countRow(r: { events: unknown; successes: unknown; failures: unknown; first: unknown; last: unknown }): CountRow {
  const successes = n(r.successes);
  const failures = n(r.failures);
  return {
    events: n(r.events),
    successes,
    failures,
    successRate: successes + failures > 0 ? successes / (successes + failures) : null,
    firstSeen: n(r.first),
    lastSeen: n(r.last),
  };
}

const COUNTS = [
  sql<number>`sum(events)`.as('events'),
  sql<number>`sum(successes)`.as('successes'),
  sql<number>`sum(failures)`.as('failures'),
  sql<number>`min(first_time)`.as('first'),
  sql<number>`max(last_time)`.as('last'),
] as const;

/** Source addresses with most events in the period. */
export async function topIps(store: ArchiveStore, q: DashboardQuery, limit = 10): Promise<IpRow[]> {
  const rows = await store.db
    .selectFrom('rollup_ip_days')
    .select(['ip', ...COUNTS])
    .where(dayScope<'rollup_ip_days'>(q, await portalsOf(store, q)))
    .groupBy('ip')
    .orderBy(sql`sum(events)`, 'desc')
    .orderBy('ip')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ ip: r.ip, ...countRow(r) }));
}

/** Countries with most events in the period, each with its cities (most events first). */
export async function topCountries(store: ArchiveStore, q: DashboardQuery, limit = 10, citiesPerCountry = 10): Promise<CountryRow[]> {
  const rows = await store.db
    .selectFrom('rollup_place_days')
    .select(['country', 'city', ...COUNTS])
    .where(dayScope<'rollup_place_days'>(q, await portalsOf(store, q)))
    .groupBy(['country', 'city'])
    .execute();
  const countries = new Map<string, { row: CountryRow; cities: CityRow[] }>();
  for (const r of rows) {
    const city: CityRow = { city: r.city, ...countRow(r) };
    let c = countries.get(r.country);
    if (!c) countries.set(r.country, (c = { row: { country: r.country, ...countRow({ events: 0, successes: 0, failures: 0, first: city.firstSeen, last: city.lastSeen }), cities: [] }, cities: [] }));
    const t = c.row;
    t.events += city.events;
    t.successes += city.successes;
    t.failures += city.failures;
    t.firstSeen = Math.min(t.firstSeen, city.firstSeen);
    t.lastSeen = Math.max(t.lastSeen, city.lastSeen);
    c.cities.push(city);
  }
  const byEvents = <T extends { events: number }>(key: (x: T) => string) => (a: T, b: T) => b.events - a.events || key(a).localeCompare(key(b));
  return [...countries.values()]
    .map(({ row, cities }) => {
      row.successRate = row.successes + row.failures > 0 ? row.successes / (row.successes + row.failures) : null;
      row.cities = cities.sort(byEvents<CityRow>((x) => x.city)).slice(0, citiesPerCountry);
      return row;
    })
    .sort(byEvents<CountryRow>((x) => x.country))
    .slice(0, limit);
}

/**
 * The accounts most aimed at by failed sign-ins in the period: a member's own failures, and the
 * anonymous ones given to a member by the one attribution rule (`model/attribution.ts`) with the
 * portal's archived people directory; what names nobody stays a typed login (its key).
 */
export async function topTargets(store: ArchiveStore, q: DashboardQuery, limit = 10): Promise<TargetRow[]> {
  const portals = await portalsOf(store, q);
  const targets = new Map<string, TargetRow>();
  const add = (userId: string | null, loginKey: string | null, failures: number, first: number, last: number) => {
    const key = userId !== null ? `u:${userId}` : `k:${loginKey}`;
    const t = targets.get(key);
    if (!t) targets.set(key, { userId, loginKey: userId !== null ? null : loginKey, failures, firstFailure: first, lastFailure: last });
    else {
      t.failures += failures;
      t.firstFailure = Math.min(t.firstFailure, first);
      t.lastFailure = Math.max(t.lastFailure, last);
    }
  };
  const own = await store.db
    .selectFrom('rollup_user_days')
    .select(['user_id', sql<number>`sum(events)`.as('n'), sql<number>`min(first_time)`.as('first'), sql<number>`max(last_time)`.as('last')])
    .where(dayScope<'rollup_user_days'>(q, portals))
    .where('kind', '=', 'failure')
    .groupBy('user_id')
    .execute();
  for (const r of own) add(r.user_id, null, n(r.n), n(r.first), n(r.last));
  for (const p of portals) {
    const people = p < 0 ? [] : await store.people(p, { includeRemoved: true });
    const directory = new PeopleDirectory(people);
    const typed = await store.db
      .selectFrom('rollup_login_days')
      .select(['login_key', sql<number>`sum(events)`.as('n'), sql<number>`min(first_time)`.as('first'), sql<number>`max(last_time)`.as('last')])
      .where(dayScope<'rollup_login_days'>(q, [p]))
      .where('kind', '=', 'failure')
      .groupBy('login_key')
      .execute();
    for (const r of typed) {
      if (!r.login_key) continue;
      add(attributeFailure(r.login_key, directory) ?? null, r.login_key, n(r.n), n(r.first), n(r.last));
    }
  }
  return [...targets.values()]
    .sort((a, b) => b.failures - a.failures || b.lastFailure - a.lastFailure || String(a.userId ?? a.loginKey).localeCompare(String(b.userId ?? b.loginKey)))
    .slice(0, limit);
}

/**
 * A member's baseline over the period (default: the whole history): when they sign in (hour of
 * the week on `q.clock`), from where, with what, and from which addresses, each with first and
 * last seen. Their own events only: failures typed with their login are in `topTargets`.
 */
export async function userBaseline(store: ArchiveStore, userId: string, q: DashboardQuery): Promise<UserBaseline> {
  const portals = await portalsOf(store, q);
  const id = userId.toLowerCase();
  const days = await store.db
    .selectFrom('rollup_user_days')
    .select(['ip', 'country', 'city', 'browser', 'platform', sql<number>`sum(events)`.as('n'), sql<number>`min(first_time)`.as('first'), sql<number>`max(last_time)`.as('last')])
    .where(dayScope<'rollup_user_days'>(q, portals))
    .where('user_id', '=', id)
    .groupBy(['ip', 'country', 'city', 'browser', 'platform'])
    .execute();
  const places = new Map<string, PlaceSeen>();
  const devices = new Map<string, DeviceSeen>();
  const ips = new Map<string, { ip: string; events: number; firstSeen: number; lastSeen: number }>();
  const merge = <T extends { events: number; firstSeen: number; lastSeen: number }>(m: Map<string, T>, key: string, make: () => T, r: { n: unknown; first: unknown; last: unknown }) => {
    let x = m.get(key);
    if (!x) m.set(key, (x = make()));
    x.events += n(r.n);
    x.firstSeen = Math.min(x.firstSeen, n(r.first));
    x.lastSeen = Math.max(x.lastSeen, n(r.last));
  };
  let events = 0;
  for (const r of days) {
    events += n(r.n);
    const seen = { events: 0, firstSeen: Number.POSITIVE_INFINITY, lastSeen: Number.NEGATIVE_INFINITY };
    merge(places, `${r.country}\u0000${r.city}`, () => ({ country: r.country, city: r.city, ...seen }), r);
    merge(devices, `${r.browser}\u0000${r.platform}`, () => ({ browser: r.browser, platform: r.platform, ...seen }), r);
    merge(ips, r.ip, () => ({ ip: r.ip, ...seen }), r);
  }
  // The week profile (the whole history) is counted per UTC hour of the week and offset from the
  // member's own events, which the events_user index finds, then placed on the clock here (a zone
  // with daylight saving uses its offset now, as the profile spans the year). 1970-01-01 was a
  // Thursday: hour 0 of the epoch is hour 72 of its week (Monday 00:00 = 0).
  const weekHour = sql<number>`((${sql.ref('time')} / 3600000) + 72) % 168`;
  const week = await store.db
    .selectFrom('events')
    .select([weekHour.as('week_hour'), 'offset_minutes', sql<number>`count(*)`.as('n')])
    .where('portal_id', 'in', portals)
    .where('user_id', '=', id)
    .groupBy([weekHour, 'offset_minutes'])
    .execute();
  const weekHours = new Array<number>(168).fill(0);
  const now = q.until ?? Date.now();
  for (const r of week) {
    const shift = Math.floor(q.clock.offsetAt(now, n(r.offset_minutes)) / 60);
    weekHours[(((n(r.week_hour) + shift) % 168) + 168) % 168] += n(r.n);
  }
  const byEvents = <T extends { events: number; lastSeen: number }>(a: T, b: T) => b.events - a.events || b.lastSeen - a.lastSeen;
  return {
    userId: id,
    events,
    weekHours,
    places: [...places.values()].sort(byEvents),
    devices: [...devices.values()].sort(byEvents),
    ips: [...ips.values()].sort(byEvents),
  };
}
