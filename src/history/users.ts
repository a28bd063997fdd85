/**
 * Who logged in: unique user ids in order of their most recent event (the seed example's job),
 * and per-user details.
 */
import type { LoginEvent } from '../model/event.js';
import { GUEST_ID } from '../model/ids.js';

export interface UniqueUsers {
  /** Most recent first. */
  userIds: string[];
  /** Anonymous (Guest id) events left out. */
  anonymousSkipped: number;
}

/** Unique user ids of `events` (given newest first); the Guest id only with `includeAnonymous`. */
export function uniqueUsers(events: Iterable<LoginEvent>, includeAnonymous = false): UniqueUsers {
  const seen = new Set<string>();
  let anonymousSkipped = 0;
  for (const e of events) {
    if (e.anonymous && !includeAnonymous) {
      anonymousSkipped++;
      continue;
    }
    seen.add(e.anonymous ? GUEST_ID : e.userId);
  }
  return { userIds: [...seen], anonymousSkipped };
}

export interface UserActivity {
  userId: string;
  name: string;
  email: string | null;
  /** Most recent event of any kind (UTC ISO). */
  lastSeen: string;
  /** Most recent successful login (UTC ISO), if any in the period. */
  lastLogin: string | null;
  successes: number;
  /** Failures under the user's id plus anonymous failures whose typed login is the user's email or user name. */
  failures: number;
  logouts: number;
}

/** Accumulates per-user counts while events stream past, in constant memory per user. */
export class UserActivityCollector {
  private readonly users = new Map<string, UserActivity>();
  /** Anonymous failure counts by typed login (lower case). */
  private readonly failuresByLogin = new Map<string, number>();
  readonly order: string[] = [];

  constructor(private readonly includeAnonymous = false) {}

  add(e: LoginEvent): void {
    if (e.anonymous) {
      if (e.kind === 'failure' && e.login) {
        const key = e.login.toLowerCase();
        this.failuresByLogin.set(key, (this.failuresByLogin.get(key) ?? 0) + 1);
      }
      if (!this.includeAnonymous) return;
    }
    const id = e.anonymous ? GUEST_ID : e.userId;
    let u = this.users.get(id);
    if (!u) {
      u = {
        userId: id,
        name: e.anonymous ? 'Anonymous' : e.user,
        email: null,
        lastSeen: e.date,
        lastLogin: null,
        successes: 0,
        failures: 0,
        logouts: 0,
      };
      this.users.set(id, u);
      this.order.push(id);
    }
    if (e.date > u.lastSeen) u.lastSeen = e.date;
    if (e.kind === 'success') {
      u.successes++;
      if (!u.lastLogin || e.date > u.lastLogin) u.lastLogin = e.date;
    } else if (e.kind === 'failure') u.failures++;
    else if (e.kind === 'logout') u.logouts++;
  }

  /**
   * The rows, most recently seen first. `identities` maps a user id to what the people API
   * knows (name, email, user name) so anonymous failures can be attributed by typed login.
   */
  rows(
    identities: Map<string, { name?: string; email?: string; userName?: string }> = new Map(),
  ): UserActivity[] {
    return this.order.map((id) => {
      const u = { ...this.users.get(id)! };
      const who = identities.get(id);
      if (who?.name) u.name = who.name;
      if (who?.email) u.email = who.email;
      if (id !== GUEST_ID) {
        const keys = new Set([who?.email, who?.userName].filter(Boolean).map((s) => s!.toLowerCase()));
        for (const k of keys) u.failures += this.failuresByLogin.get(k) ?? 0;
      }
      return u;
    });
  }
}
