/**
 * The reports as pure functions of facts (see `facts.ts`): no database, no network, no clock but
 * the `now` they are given. The CLI and library callers feed them from the archive or a live read.
 */
import { UsageError } from '../client/errors.js';
import type { Person } from '../client/schemas.js';
import { parseApiDate } from '../model/time.js';
import type { ActivityFact, HourFact, UserSeen } from './facts.js';
import { dayName, type ZoneClock } from './zone.js';

const DAY = 86_400_000;

export interface PeriodOptions {
  since?: number;
  until?: number;
  /** The report's clock: "now" for open periods and for "days since". */
  now: number;
  clock: ZoneClock;
}

// --- daily -----------------------------------------------------------------------------------

export interface DailyRow {
  /** Local date in the report's zone, `YYYY-MM-DD`. */
  date: string;
  success: number;
  failure: number;
  logout: number;
  other: number;
  total: number;
  /** Failures under the Guest id (someone typed a login), part of `failure`. */
  anonymousFailures: number;
}

/**
 * Events per local day and kind. Days without events inside the period are listed with zeros:
 * from `since` (else the first event's day) to `until` or now (else the last event's day).
 */
export function dailyReport(hours: readonly HourFact[], o: PeriodOptions): DailyRow[] {
  const byDay = new Map<number, DailyRow>();
  let minDay = Number.POSITIVE_INFINITY;
  let maxDay = Number.NEGATIVE_INFINITY;
  for (const h of hours) {
    const day = Math.floor(h.hour / 24);
    if (day < minDay) minDay = day;
    if (day > maxDay) maxDay = day;
    let row = byDay.get(day);
    if (!row) {
      row = emptyDay(dayName(day));
      byDay.set(day, row);
    }
    row[h.kind] += h.events;
    row.total += h.events;
    if (h.kind === 'failure' && h.anonymous) row.anonymousFailures += h.events;
  }
  const dayOf = (t: number) => Math.floor(o.clock.localHour(t) / 24);
  let from = o.since !== undefined ? dayOf(o.since) : minDay;
  let to =
    o.until !== undefined ? dayOf(Math.min(o.until, o.now)) : o.since !== undefined ? dayOf(o.now) : maxDay;
  // Events outside the computed bounds (an archive ahead of the local clock) are still shown.
  from = Math.min(from, minDay);
  to = Math.max(to, maxDay);
  if (!Number.isFinite(from) || !Number.isFinite(to)) return [];
  const rows: DailyRow[] = [];
  for (let d = from; d <= to; d++) rows.push(byDay.get(d) ?? emptyDay(dayName(d)));
  return rows;
}

function emptyDay(date: string): DailyRow {
  return { date, success: 0, failure: 0, logout: 0, other: 0, total: 0, anonymousFailures: 0 };
}

// --- summary ---------------------------------------------------------------------------------

export interface CountryCount {
  /** `''` when the portal could not place the address. */
  country: string;
  events: number;
  successes: number;
  failures: number;
}

export interface Summary {
  /** The zone days and hours are counted in. */
  zone: string;
  /** The period asked for (epoch ms), null when open. */
  since: number | null;
  until: number | null;
  events: number;
  byKind: { success: number; failure: number; logout: number; other: number };
  /** Distinct users with at least one event in the period (the Guest id of anonymous failures excluded). */
  uniqueUsers: number;
  /** Failed attempts under the Guest id: someone typed a login that did not get in. */
  anonymousFailures: number;
  /** The local day with most events (the earliest on a tie). */
  busiestDay: { date: string; events: number } | null;
  /** The local hour of day (0–23) with most events over the period (the earliest on a tie). */
  busiestHour: { hour: number; events: number } | null;
  topCountries: CountryCount[];
  /** Users whose first event in the whole history falls in the period, oldest first. */
  newUsers: Array<{ userId: string; name: string; firstSeen: number }>;
}

export interface SummaryInput {
  /** Hour facts grouped by country too (`byCountry`). */
  hours: readonly HourFact[];
  users: readonly UserSeen[];
}

export function summaryReport(input: SummaryInput, o: PeriodOptions & { top?: number }): Summary {
  const byKind = { success: 0, failure: 0, logout: 0, other: 0 };
  let anonymousFailures = 0;
  const days = new Map<number, number>();
  const hourOfDay = new Array<number>(24).fill(0);
  for (const h of input.hours) {
    byKind[h.kind] += h.events;
    if (h.kind === 'failure' && h.anonymous) anonymousFailures += h.events;
    const day = Math.floor(h.hour / 24);
    days.set(day, (days.get(day) ?? 0) + h.events);
    hourOfDay[((h.hour % 24) + 24) % 24] += h.events;
  }
  let busiestDay: Summary['busiestDay'] = null;
  for (const [day, events] of [...days].sort((a, b) => a[0] - b[0])) {
    if (!busiestDay || events > busiestDay.events) busiestDay = { date: dayName(day), events };
  }
  let busiestHour: Summary['busiestHour'] = null;
  hourOfDay.forEach((events, hour) => {
    if (events > 0 && (!busiestHour || events > busiestHour.events)) busiestHour = { hour, events };
  });
  const countries = new Map<string, CountryCount>();
  for (const h of input.hours) {
    const country = h.country ?? '';
    let c = countries.get(country);
    if (!c) {
      c = { country, events: 0, successes: 0, failures: 0 };
      countries.set(country, c);
    }
    c.events += h.events;
    if (h.kind === 'success') c.successes += h.events;
    else if (h.kind === 'failure') c.failures += h.events;
  }
  const topCountries = [...countries.values()]
    .sort((a, b) => b.events - a.events || a.country.localeCompare(b.country))
    .slice(0, o.top ?? 5);
  const inside = (t: number) => (o.since === undefined || t >= o.since) && (o.until === undefined || t <= o.until);
  const newUsers = input.users
    .filter((u) => inside(u.firstSeen))
    .sort((a, b) => a.firstSeen - b.firstSeen || a.userId.localeCompare(b.userId))
    .map((u) => ({ userId: u.userId, name: u.name, firstSeen: u.firstSeen }));
  return {
    zone: o.clock.label,
    since: o.since ?? null,
    until: o.until ?? null,
    events: byKind.success + byKind.failure + byKind.logout + byKind.other,
    byKind,
    uniqueUsers: input.users.filter((u) => u.inPeriod).length,
    anonymousFailures,
    busiestDay,
    busiestHour,
    topCountries,
    newUsers,
  };
}

// --- users -----------------------------------------------------------------------------------

export interface UserRow {
  userId: string;
  name: string;
  /** An email the history (or the people API) ties to the user, if any. */
  email: string | null;
  firstLogin: number | null;
  lastLogin: number | null;
  /** First and last event of any kind in the period. */
  firstSeen: number;
  lastSeen: number;
  successes: number;
  /** Failures under the user's id plus anonymous failures whose typed login is the user's. */
  failures: number;
  /** The part of `failures` that came in anonymously, matched by the typed login. */
  anonymousFailures: number;
  logouts: number;
  /** Distinct source addresses of the user's own events. */
  ips: number;
  countries: string[];
  browsers: string[];
  platforms: string[];
}

/** What else is known about a user (from the people API): used to match typed logins. */
export interface UserIdentity {
  email?: string | null;
  userName?: string | null;
  name?: string | null;
}

export const USER_SORT_KEYS = [
  'last-seen',
  'first-seen',
  'last-login',
  'first-login',
  'successes',
  'failures',
  'logouts',
  'ips',
  'countries',
  'browsers',
  'platforms',
  'name',
  'email',
  'user-id',
] as const;

export type UserSortKey = (typeof USER_SORT_KEYS)[number];

export interface UserSort {
  key: UserSortKey;
  descending: boolean;
}

/** `--sort KEY` or `KEY:asc|desc`. Counts and times sort largest/newest first, text A to Z. */
export function parseUserSort(value: string | undefined): UserSort {
  const [rawKey, dir] = (value ?? 'last-seen').trim().toLowerCase().split(':');
  const key = rawKey as UserSortKey;
  if (!USER_SORT_KEYS.includes(key)) {
    throw new UsageError(`--sort "${value}" is not one of: ${USER_SORT_KEYS.join(', ')} (add :asc or :desc to flip)`);
  }
  if (dir !== undefined && dir !== 'asc' && dir !== 'desc') {
    throw new UsageError(`--sort "${value}": the direction must be :asc or :desc`);
  }
  const textual = key === 'name' || key === 'email' || key === 'user-id';
  return { key, descending: dir ? dir === 'desc' : !textual };
}

function sortValue(r: UserRow, key: UserSortKey): number | string | null {
  switch (key) {
    case 'last-seen':
      return r.lastSeen;
    case 'first-seen':
      return r.firstSeen;
    case 'last-login':
      return r.lastLogin;
    case 'first-login':
      return r.firstLogin;
    case 'successes':
      return r.successes;
    case 'failures':
      return r.failures;
    case 'logouts':
      return r.logouts;
    case 'ips':
      return r.ips;
    case 'countries':
      return r.countries.length;
    case 'browsers':
      return r.browsers.length;
    case 'platforms':
      return r.platforms.length;
    case 'name':
      return r.name.toLowerCase();
    case 'email':
      return r.email?.toLowerCase() ?? null;
    case 'user-id':
      return r.userId;
  }
}

export function sortUsers(rows: UserRow[], sort: UserSort): UserRow[] {
  return rows.sort((a, b) => {
    const x = sortValue(a, sort.key);
    const y = sortValue(b, sort.key);
    // Missing values (never logged in, no email) go last whichever way.
    if (x === null || y === null) {
      if (x !== y) return x === null ? 1 : -1;
    } else if (x !== y) {
      const c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
      return sort.descending ? -c : c;
    }
    return a.name.localeCompare(b.name) || a.userId.localeCompare(b.userId);
  });
}

/**
 * One row per user with events in the period. `facts` are grouped by user, name, login, ip,
 * country, browser and platform. Anonymous failures are credited to a user when the typed login
 * (lower case) is one the user is known by: a login on the user's own events (OAuth and
 * confirm-link logins carry the email, logouts the name), the user's name, what `identities`
 * adds (email, user name), or the local part of the user's email when no one else shares it.
 */
export function usersReport(
  facts: readonly ActivityFact[],
  o: { sort?: UserSort; top?: number; identities?: ReadonlyMap<string, UserIdentity> } = {},
): UserRow[] {
  interface Acc {
    row: UserRow;
    nameTime: number;
    ips: Set<string>;
    countries: Set<string>;
    browsers: Set<string>;
    platforms: Set<string>;
    logins: Set<string>;
  }
  const users = new Map<string, Acc>();
  const anonymous: ActivityFact[] = [];
  for (const f of facts) {
    if (f.anonymous) {
      if (f.kind === 'failure' && f.login) anonymous.push(f);
      continue;
    }
    let u = users.get(f.userId);
    if (!u) {
      u = {
        row: {
          userId: f.userId,
          name: f.name,
          email: null,
          firstLogin: null,
          lastLogin: null,
          firstSeen: f.first,
          lastSeen: f.last,
          successes: 0,
          failures: 0,
          anonymousFailures: 0,
          logouts: 0,
          ips: 0,
          countries: [],
          browsers: [],
          platforms: [],
        },
        nameTime: f.last,
        ips: new Set(),
        countries: new Set(),
        browsers: new Set(),
        platforms: new Set(),
        logins: new Set(),
      };
      users.set(f.userId, u);
    }
    const r = u.row;
    if (f.last > u.nameTime || (f.last === u.nameTime && f.name > r.name)) {
      u.nameTime = f.last;
      r.name = f.name;
    }
    r.firstSeen = Math.min(r.firstSeen, f.first);
    r.lastSeen = Math.max(r.lastSeen, f.last);
    if (f.kind === 'success') {
      r.successes += f.events;
      r.firstLogin = r.firstLogin === null ? f.first : Math.min(r.firstLogin, f.first);
      r.lastLogin = r.lastLogin === null ? f.last : Math.max(r.lastLogin, f.last);
    } else if (f.kind === 'failure') r.failures += f.events;
    else if (f.kind === 'logout') r.logouts += f.events;
    if (f.ip) u.ips.add(f.ip);
    if (f.country) u.countries.add(f.country);
    if (f.browser) u.browsers.add(f.browser);
    if (f.platform) u.platforms.add(f.platform);
    if (f.login) u.logins.add(f.login.toLowerCase());
  }

  // Which typed logins name which users.
  const keys = new Map<string, Set<string>>();
  const claim = (key: string | null | undefined, userId: string) => {
    const k = key?.trim().toLowerCase();
    if (!k) return;
    let s = keys.get(k);
    if (!s) keys.set(k, (s = new Set()));
    s.add(userId);
  };
  const emails = new Map<string, string>();
  for (const [id, u] of users) {
    const who = o.identities?.get(id);
    const email = who?.email?.trim() || [...u.logins].find((l) => l.includes('@')) || null;
    if (email) emails.set(id, email);
    u.row.email = email;
    if (who?.name) u.row.name = who.name;
    for (const l of u.logins) claim(l, id);
    claim(u.row.name, id);
    claim(email, id);
    claim(who?.userName, id);
  }
  const localParts = new Map<string, string[]>();
  for (const [id, email] of emails) {
    const local = email.split('@')[0].toLowerCase();
    localParts.set(local, [...(localParts.get(local) ?? []), id]);
  }
  for (const [local, ids] of localParts) if (ids.length === 1 && !keys.has(local)) claim(local, ids[0]);
  for (const f of anonymous) {
    for (const id of keys.get(f.login!.toLowerCase()) ?? []) {
      const r = users.get(id)!.row;
      r.failures += f.events;
      r.anonymousFailures += f.events;
    }
  }

  const rows = [...users.values()].map((u) => {
    u.row.ips = u.ips.size;
    u.row.countries = [...u.countries].sort();
    u.row.browsers = [...u.browsers].sort();
    u.row.platforms = [...u.platforms].sort();
    return u.row;
  });
  sortUsers(rows, o.sort ?? parseUserSort(undefined));
  return o.top !== undefined ? rows.slice(0, o.top) : rows;
}

// --- failures --------------------------------------------------------------------------------

export interface FailureRow {
  /** Grouped by the typed login or by the source address. */
  group: 'login' | 'ip';
  /** The login (lower case; `''` when none was typed) or the IP address. */
  key: string;
  failures: number;
  firstFailure: number;
  lastFailure: number;
  /** Distinct source addresses (login rows) or distinct typed logins (IP rows). */
  ips: number;
  logins: number;
  countries: string[];
  /** A successful login came from one of these addresses after its first failure here. */
  successAfter: boolean;
}

/**
 * Failed attempts by typed login and by source IP. `failures` are failure facts grouped by
 * user, name, login, ip and country; `successes` success facts grouped by ip (their `last` is
 * the newest success from that address). A failure under a real user id with no typed login is
 * filed under the user's name.
 */
export function failuresReport(
  failures: readonly ActivityFact[],
  successes: readonly ActivityFact[],
  o: { top?: number } = {},
): FailureRow[] {
  const lastSuccess = new Map<string, number>();
  for (const s of successes) {
    if (s.kind !== 'success' || !s.ip) continue;
    lastSuccess.set(s.ip, Math.max(lastSuccess.get(s.ip) ?? Number.NEGATIVE_INFINITY, s.last));
  }
  interface Acc {
    row: FailureRow;
    other: Set<string>;
    countries: Set<string>;
    /** First failure per address (for the login rows) or for this address (IP rows). */
    firstByIp: Map<string, number>;
  }
  const groups = { login: new Map<string, Acc>(), ip: new Map<string, Acc>() };
  const add = (group: 'login' | 'ip', key: string, other: string, f: ActivityFact) => {
    let a = groups[group].get(key);
    if (!a) {
      a = {
        row: {
          group,
          key,
          failures: 0,
          firstFailure: f.first,
          lastFailure: f.last,
          ips: 0,
          logins: 0,
          countries: [],
          successAfter: false,
        },
        other: new Set(),
        countries: new Set(),
        firstByIp: new Map(),
      };
      groups[group].set(key, a);
    }
    a.row.failures += f.events;
    a.row.firstFailure = Math.min(a.row.firstFailure, f.first);
    a.row.lastFailure = Math.max(a.row.lastFailure, f.last);
    a.other.add(other);
    if (f.country) a.countries.add(f.country);
    if (f.ip) a.firstByIp.set(f.ip, Math.min(a.firstByIp.get(f.ip) ?? Number.POSITIVE_INFINITY, f.first));
  };
  for (const f of failures) {
    if (f.kind !== 'failure') continue;
    const login = f.login?.toLowerCase() || (f.anonymous ? '' : (f.name || f.userId).toLowerCase());
    add('login', login, f.ip, f);
    add('ip', f.ip, login, f);
  }
  const out: FailureRow[] = [];
  for (const group of ['login', 'ip'] as const) {
    const rows = [...groups[group].values()].map((a) => {
      const r = a.row;
      if (group === 'login') {
        r.ips = a.other.size;
        r.logins = 1;
      } else {
        r.ips = 1;
        r.logins = a.other.size;
      }
      r.countries = [...a.countries].sort();
      r.successAfter = [...a.firstByIp].some(([ip, first]) => (lastSuccess.get(ip) ?? Number.NEGATIVE_INFINITY) > first);
      return r;
    });
    rows.sort((a, b) => b.failures - a.failures || b.lastFailure - a.lastFailure || a.key.localeCompare(b.key));
    // A loop, not push(...rows): an argument list of a few hundred thousand rows (every typed
    // login of a long history) overflows the stack.
    for (const r of o.top !== undefined ? rows.slice(0, o.top) : rows) out.push(r);
  }
  return out;
}

// --- top N -----------------------------------------------------------------------------------

export type TopDimension = 'ip' | 'country' | 'browser' | 'platform';

export interface TopRow {
  /** The address, country, browser or platform (`''` when the portal did not record one). */
  key: string;
  events: number;
  successes: number;
  failures: number;
  logouts: number;
  /** Distinct users (anonymous events not counted). */
  users: number;
  firstSeen: number;
  lastSeen: number;
  /** For IP addresses: where the portal placed it (the most frequent, if it moved). */
  country?: string;
  city?: string;
}

/** The top `top` values of a dimension by events. `facts` are grouped by it and by user (and for IPs by country and city). */
export function topReport(dim: TopDimension, facts: readonly ActivityFact[], o: { top?: number } = {}): TopRow[] {
  interface Acc {
    row: TopRow;
    users: Set<string>;
    places: Map<string, { country: string; city: string; events: number }>;
  }
  const groups = new Map<string, Acc>();
  for (const f of facts) {
    const key = (dim === 'ip' ? f.ip : dim === 'country' ? f.country : dim === 'browser' ? f.browser : f.platform) ?? '';
    let a = groups.get(key);
    if (!a) {
      a = {
        row: { key, events: 0, successes: 0, failures: 0, logouts: 0, users: 0, firstSeen: f.first, lastSeen: f.last },
        users: new Set(),
        places: new Map(),
      };
      groups.set(key, a);
    }
    const r = a.row;
    r.events += f.events;
    if (f.kind === 'success') r.successes += f.events;
    else if (f.kind === 'failure') r.failures += f.events;
    else if (f.kind === 'logout') r.logouts += f.events;
    r.firstSeen = Math.min(r.firstSeen, f.first);
    r.lastSeen = Math.max(r.lastSeen, f.last);
    if (!f.anonymous && f.userId) a.users.add(f.userId);
    if (dim === 'ip') {
      const pk = `${f.country}\u0000${f.city}`;
      const p = a.places.get(pk) ?? { country: f.country, city: f.city, events: 0 };
      p.events += f.events;
      a.places.set(pk, p);
    }
  }
  const rows = [...groups.values()].map((a) => {
    a.row.users = a.users.size;
    if (dim === 'ip') {
      const best = [...a.places.values()].sort(
        (x, y) => y.events - x.events || x.country.localeCompare(y.country) || x.city.localeCompare(y.city),
      )[0];
      a.row.country = best?.country ?? '';
      a.row.city = best?.city ?? '';
    }
    return a.row;
  });
  rows.sort((a, b) => b.events - a.events || a.key.localeCompare(b.key));
  return rows.slice(0, o.top ?? 10);
}

// --- inactive --------------------------------------------------------------------------------

export type MemberRole = 'owner' | 'admin' | 'room admin' | 'user' | 'guest';

export interface Member {
  userId: string;
  name: string;
  email: string | null;
  role: MemberRole;
  /** Epoch ms, when the people API gives it. */
  registered: number | null;
  /** Invited but has not accepted yet (activation pending). */
  pending: boolean;
}

/** The role DocSpace shows for a member (the flags of the people API, most powerful first). */
export function memberRole(p: Pick<Person, 'isOwner' | 'isAdmin' | 'isRoomAdmin' | 'isVisitor' | 'isCollaborator'>): MemberRole {
  if (p.isOwner) return 'owner';
  if (p.isAdmin) return 'admin';
  if (p.isRoomAdmin) return 'room admin';
  if (p.isVisitor) return 'guest';
  return 'user';
}

export function memberOf(p: Person): Member {
  const registered = p.registrationDate ? parseApiDate(p.registrationDate, true)?.time ?? null : null;
  const name =
    p.displayName?.trim() || [p.firstName, p.lastName].filter(Boolean).join(' ').trim() || p.userName || p.email || p.id;
  return {
    userId: p.id.toLowerCase(),
    name,
    email: p.email || null,
    role: memberRole(p),
    registered,
    pending: p.activationStatus === 2,
  };
}

export interface InactiveRow extends Member {
  /** Newest successful login known, or null: never (in the history searched). */
  lastLogin: number | null;
  /** Whole days since `lastLogin`, null when never. */
  daysInactive: number | null;
}

/**
 * Every member without a successful login in the last `days` days, or ever: the members list
 * decides who is listed, the history only when they last got in. Never-logged-in members first
 * (longest registered first), then the longest inactive.
 */
export function inactiveReport(
  members: readonly Member[],
  lastSuccess: ReadonlyMap<string, number>,
  o: { days: number; now: number },
): InactiveRow[] {
  const cutoff = o.now - o.days * DAY;
  const rows: InactiveRow[] = [];
  for (const m of members) {
    const last = lastSuccess.get(m.userId.toLowerCase()) ?? null;
    if (last !== null && last >= cutoff) continue;
    rows.push({ ...m, lastLogin: last, daysInactive: last === null ? null : Math.floor((o.now - last) / DAY) });
  }
  return rows.sort((a, b) => {
    if ((a.lastLogin === null) !== (b.lastLogin === null)) return a.lastLogin === null ? -1 : 1;
    if (a.lastLogin === null || b.lastLogin === null) {
      const ra = a.registered ?? Number.MAX_SAFE_INTEGER;
      const rb = b.registered ?? Number.MAX_SAFE_INTEGER;
      return ra - rb || a.name.localeCompare(b.name);
    }
    return a.lastLogin - b.lastLogin || a.name.localeCompare(b.name);
  });
}
