/** `report daily`: events per local day and kind, with the empty days of the period listed too. */
import type { HourFact } from '../facts.js';
import { dayName } from '../zone.js';
import type { PeriodOptions } from './period.js';

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
