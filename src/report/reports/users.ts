/** `report users`: one row per user active in the period. */
import type { ActivityFact } from '../facts.js';
import { parseUserSort, sortUsers, type UserSort } from '../user-sort.js';

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
