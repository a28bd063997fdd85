/**
 * Per-user views over the one activity builder (activity.ts): the details row of `users --details`,
 * the unique-user list from the archive's facts, and the library's streaming collector.
 */
import type { UniqueUsers } from '../history/users.js';
import type { LoginEvent } from '../model/event.js';
import { GUEST_ID } from '../model/ids.js';
import { isoUtc } from '../model/time.js';
import { buildUserActivity, USER_ACTIVITY_DIMS, USER_ACTIVITY_OPTIONS, type UserRow } from './activity.js';
import type { ActivityFact } from './facts.js';
import { EventFacts } from './sources/events.js';
import { parseUserSort, sortUsers } from './user-sort.js';

/**
 * `uniqueUsers` from the users report's facts (the archive's rollups): each user placed by their
 * newest event, as a newest-first read of the events places them; the Guest id by the newest
 * anonymous event, only with `includeAnonymous`.
 */
export function uniqueUsersOfFacts(
  facts: Iterable<ActivityFact>,
  includeAnonymous = false,
  /** The id of each user's newest event, where newest events share an instant (greatest first, as the read orders them). */
  newestIds: ReadonlyMap<string, number> = new Map(),
): UniqueUsers {
  const last = new Map<string, number>();
  let anonymousSkipped = 0;
  for (const f of facts) {
    if (f.anonymous && !includeAnonymous) {
      anonymousSkipped += f.events;
      continue;
    }
    const id = f.anonymous ? GUEST_ID : f.userId;
    last.set(id, Math.max(last.get(id) ?? Number.NEGATIVE_INFINITY, f.last));
  }
  const id = (u: string) => newestIds.get(u) ?? 0;
  const userIds = [...last].sort((a, b) => b[1] - a[1] || id(b[0]) - id(a[0]) || a[0].localeCompare(b[0])).map(([u]) => u);
  return { userIds, anonymousSkipped };
}

export interface UserActivity {
  /** The portal, when the read covered several. */
  portal?: string;
  userId: string;
  name: string;
  email: string | null;
  /** Most recent event of any kind (UTC ISO). */
  lastSeen: string;
  /** Most recent successful login (UTC ISO), if any in the period. */
  lastLogin: string | null;
  successes: number;
  /** Failures under the user's id plus anonymous failures attributed to the user (see `model/attribution.ts`). */
  failures: number;
  logouts: number;
}

/** The details row of a per-user row of the one builder (`report/activity.ts`). */
export function userActivityOf(r: UserRow): UserActivity {
  return {
    userId: r.userId,
    name: r.name,
    email: r.email,
    lastSeen: isoUtc(r.lastSeen),
    lastLogin: r.lastLogin === null ? null : isoUtc(r.lastLogin),
    successes: r.successes,
    failures: r.failures,
    logouts: r.logouts,
  };
}

/**
 * Per-user counts while events stream past, for library users (src/index.ts exports it): the
 * live facts and the one builder, sorted as `users --details` sorts. The CLI builds the same rows
 * itself (from rollups or a read), so nothing here can answer differently from it.
 */
export class UserActivityCollector {
  private readonly facts = new EventFacts();

  constructor(private readonly includeAnonymous = false) {}

  add(e: LoginEvent): void {
    this.facts.add(e);
  }

  /** User ids, most recently seen first. */
  get order(): string[] {
    return this.rows().map((r) => r.userId);
  }

  /**
   * The rows, most recently seen first. `identities` is the people directory (user id → name,
   * e-mail, user name): without it, anonymous failures are attributed to nobody.
   */
  rows(identities?: Map<string, { name?: string; email?: string; userName?: string }>): UserActivity[] {
    const people = identities && new Map([...identities].map(([id, who]) => [id.toLowerCase(), who]));
    const facts = this.facts.activityNow(USER_ACTIVITY_DIMS, USER_ACTIVITY_OPTIONS);
    const { rows } = buildUserActivity(facts, { people, includeAnonymous: this.includeAnonymous });
    return sortUsers(rows, parseUserSort(undefined)).map(userActivityOf);
  }
}
