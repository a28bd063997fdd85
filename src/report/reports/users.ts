/** `report users`: one row per user active in the period, from the one per-user builder, sorted. */
import { buildUserActivity, type UserActivityRows, type UserIdentity } from '../activity.js';
import type { ActivityFact } from '../facts.js';
import { parseUserSort, sortUsers, type UserSort } from '../user-sort.js';

export type { UserIdentity, UserRow } from '../activity.js';

export interface UsersReportOptions {
  sort?: UserSort;
  top?: number;
  /**
   * The people directory (lower-case user id → e-mail, user name, name). Without it anonymous
   * failures are attributed to nobody, and the result says so (`attributed: false`).
   */
  identities?: ReadonlyMap<string, UserIdentity>;
}

/** The rows and whether anonymous failures could be attributed. */
export function usersActivityReport(facts: readonly ActivityFact[], o: UsersReportOptions = {}): UserActivityRows {
  const { rows, attributed } = buildUserActivity(facts, { people: o.identities });
  sortUsers(rows, o.sort ?? parseUserSort(undefined));
  return { rows: o.top !== undefined ? rows.slice(0, o.top) : rows, attributed };
}

/** One row per user with events in the period; see `buildUserActivity` for how failures are counted. */
export function usersReport(facts: readonly ActivityFact[], o: UsersReportOptions = {}) {
  return usersActivityReport(facts, o).rows;
}
