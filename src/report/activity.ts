/**
 * The one per-user activity builder: `report users` and `users --details` both count successes,
 * failures and logouts per user here, from the same facts, live or from the archive, so the two
 * commands cannot disagree. Anonymous failures go to a user only by the rule of
 * `model/attribution.ts`, and only when a people directory is at hand.
 */
import { attributeFailure, PeopleDirectory } from '../model/attribution.js';
import { GUEST_ID } from '../model/ids.js';
import type { ActivityDim, ActivityFact, ActivityOptions } from './facts.js';

/** What the people API says about a user: the directory anonymous failures are matched against. */
export interface UserIdentity {
  email?: string | null;
  userName?: string | null;
  name?: string | null;
}

export interface UserRow {
  userId: string;
  name: string;
  /** The user's e-mail from the people directory, else one the user's own events carried. */
  email: string | null;
  firstLogin: number | null;
  lastLogin: number | null;
  /** First and last event of any kind in the period. */
  firstSeen: number;
  lastSeen: number;
  successes: number;
  /** Failures under the user's id plus the anonymous failures attributed to the user. */
  failures: number;
  /** The part of `failures` that came in anonymously, attributed by the typed login. */
  anonymousFailures: number;
  logouts: number;
  /** Distinct source addresses of the user's own events. */
  ips: number;
  countries: string[];
  browsers: string[];
  platforms: string[];
}

export interface UserActivityRows {
  /** One row per user with events of their own in the period (unsorted). */
  rows: UserRow[];
  /** False when no people directory was given: anonymous failures went to nobody. */
  attributed: boolean;
}

/** The facts the builder reads: grouped by user and devices; anonymous ones by typed login alone. */
export const USER_ACTIVITY_DIMS: readonly ActivityDim[] = ['user', 'name', 'login', 'ip', 'country', 'browser', 'platform'];
export const USER_ACTIVITY_OPTIONS: ActivityOptions = { anonymousDims: ['login'] };

export interface UserActivityOptions {
  /** The people directory by lower-case user id. Undefined: none available, nothing is attributed. */
  people?: ReadonlyMap<string, UserIdentity>;
  /** Also a row for the Guest id, counting every anonymous event (`users --include-anonymous`). */
  includeAnonymous?: boolean;
}

interface Acc {
  row: UserRow;
  nameTime: number;
  ips: Set<string>;
  countries: Set<string>;
  browsers: Set<string>;
  platforms: Set<string>;
  /** An e-mail the user's own events carried (OAuth and confirm-link logins), if any. */
  seenEmail: string | null;
}

function newAcc(userId: string, name: string, f: ActivityFact): Acc {
  return {
    row: {
      userId,
      name,
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
    seenEmail: null,
  };
}

function count(u: Acc, f: ActivityFact): void {
  const r = u.row;
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
}

/** Per-user rows from facts grouped by `USER_ACTIVITY_DIMS` (with `USER_ACTIVITY_OPTIONS`). */
export function buildUserActivity(facts: readonly ActivityFact[], o: UserActivityOptions = {}): UserActivityRows {
  const users = new Map<string, Acc>();
  const anonymous: ActivityFact[] = [];
  let guest: Acc | undefined;
  for (const f of facts) {
    if (f.anonymous) {
      if (f.kind === 'failure') anonymous.push(f);
      if (o.includeAnonymous) count((guest ??= newAcc(GUEST_ID, 'Anonymous', f)), f);
      continue;
    }
    let u = users.get(f.userId);
    if (!u) users.set(f.userId, (u = newAcc(f.userId, f.name, f)));
    // The newest name wins (the greatest on a tie, as the archive's max(user_name) does).
    if (f.last > u.nameTime || (f.last === u.nameTime && f.name > u.row.name)) {
      u.nameTime = f.last;
      u.row.name = f.name;
    }
    // The least of several, so that the archive and a live read (facts in any order) agree.
    const login = f.login?.toLowerCase();
    if (login?.includes('@') && (u.seenEmail === null || login < u.seenEmail)) u.seenEmail = login;
    count(u, f);
  }

  if (o.people) {
    const directory = new PeopleDirectory([...o.people].map(([id, p]) => ({ id, email: p.email, userName: p.userName })));
    for (const f of anonymous) {
      const id = attributeFailure(f.login, directory);
      const r = id === undefined ? undefined : users.get(id)?.row;
      if (!r) continue;
      r.failures += f.events;
      r.anonymousFailures += f.events;
    }
  }

  const rows = [...users.values()].map((u) => {
    const who = o.people?.get(u.row.userId);
    if (who?.name) u.row.name = who.name;
    u.row.email = who?.email?.trim() || u.seenEmail;
    u.row.ips = u.ips.size;
    u.row.countries = [...u.countries].sort();
    u.row.browsers = [...u.browsers].sort();
    u.row.platforms = [...u.platforms].sort();
    return u.row;
  });
  if (guest) rows.push(guest.row);
  return { rows, attributed: o.people !== undefined };
}
