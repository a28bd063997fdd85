/** `report inactive`: members with no successful login in N days, or ever. */
import type { Member } from '../members.js';

const DAY = 86_400_000;

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
