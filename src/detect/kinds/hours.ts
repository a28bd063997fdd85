import type { Profile } from '../profiles.js';

/**
 * A user's usual hours: the hour-of-week baseline that off-hours judgements (DSL-012, DSL-015's
 * signal) read. One hour-of-week slot alone is too thin a sample: a member seen at 16:00 on
 * Tuesdays and Thursdays is not off-hours at 16:00 on a Wednesday, yet three Wednesdays at 16:00
 * in ninety days is more than most people give. So a slot is judged together with its neighbours
 * (± `tolerance` hours) on every day of the same kind (Monday to Friday, or the weekend): the
 * support is the number of distinct days in the history on which the user signed in there, and
 * the slot is usual at `minDays` of them. A Saturday night stays off-hours for an office worker.
 */

export interface HoursBaseline {
  /** Days of history looked at, before the day being judged. */
  historyDays: number;
  /** Neighbouring hours counted with the slot, each side. */
  tolerance: number;
  /** Distinct days of support that make a slot usual. */
  minDays: number;
}

const WORKDAYS = [0, 1, 2, 3, 4];
const WEEKEND = [5, 6];

/**
 * Distinct days before `day` (within the history) on which the user signed in within the
 * tolerance of `hourOfWeek`'s hour on a day of its kind, counting up to `b.minDays` (enough to
 * answer "usual or not").
 */
export function hourSupport(p: Profile, hourOfWeek: number, day: number, b: HoursBaseline): number {
  const hour = hourOfWeek % 24;
  const from = day - b.historyDays;
  // The days found so far, in a scratch list kept between calls: this runs for every success.
  const seen = SEEN;
  let n = 0;
  for (const weekday of Math.floor(hourOfWeek / 24) >= 5 ? WEEKEND : WORKDAYS) {
    for (let k = -b.tolerance; k <= b.tolerance; k++) {
      const days = p.slots[(((weekday * 24 + hour + k) % 168) + 168) % 168];
      if (!days) continue;
      for (let i = days.length - 1; i >= 0 && days[i] >= from; i--) {
        const d = days[i];
        if (d >= day || foundIn(seen, n, d)) continue;
        seen[n++] = d;
        if (n >= b.minDays) return n;
      }
    }
  }
  return n;
}

const SEEN: number[] = [];

function foundIn(list: readonly number[], n: number, d: number): boolean {
  for (let i = 0; i < n; i++) if (list[i] === d) return true;
  return false;
}

/** Whether `hourOfWeek` is among the user's usual hours on `day`. */
export function usualHour(p: Profile, hourOfWeek: number, day: number, b: HoursBaseline): boolean {
  return hourSupport(p, hourOfWeek, day, b) >= b.minDays;
}
