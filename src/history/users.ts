/**
 * Who logged in: unique user ids in order of their most recent event (the seed example's job).
 * The same list from the archive's rollups, and the per-user details, are report/user-activity.ts.
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
