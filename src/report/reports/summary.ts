/** `report summary`: the period at a glance, from hour facts and the users the history knows. */
import type { ActivityFact, HourFact, UserSeen } from '../facts.js';
import { dayName } from '../zone.js';
import type { PeriodOptions } from './period.js';

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
  hours: readonly HourFact[];
  users: readonly UserSeen[];
  /** Events, successes and failures per country in the period (`ReportData.countries`). */
  countries?: readonly CountryCount[];
}

/** Country counts from activity facts grouped by country: how every source but the rollups makes them. */
export function countryCounts(facts: readonly ActivityFact[]): CountryCount[] {
  const countries = new Map<string, CountryCount>();
  for (const f of facts) {
    let c = countries.get(f.country);
    if (!c) {
      c = { country: f.country, events: 0, successes: 0, failures: 0 };
      countries.set(f.country, c);
    }
    c.events += f.events;
    if (f.kind === 'success') c.successes += f.events;
    else if (f.kind === 'failure') c.failures += f.events;
  }
  return [...countries.values()];
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
  const topCountries = [...(input.countries ?? [])]
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
