/**
 * How each report is written: columns for table, CSV and XLSX (times shown in the report's zone,
 * real date cells in spreadsheets) and the stable JSON of a row (times as ISO 8601 UTC).
 */
import type { Column } from '../output/writer.js';
import type { DailyRow, FailureRow, InactiveRow, Summary, TopDimension, TopRow, UserRow } from './reports/index.js';
import type { ReportResult } from './run.js';
import { TOP_REPORTS } from './run.js';
import type { ZoneClock } from './zone.js';

export interface ReportTable<T> {
  columns: ReadonlyArray<Column<T>>;
  rows: readonly T[];
  /** The stable JSON of a row. */
  json: (row: T) => unknown;
  /** Worksheet name. */
  title: string;
}

/** `2025-06-03T14:05:09Z` for JSON; null stays null. */
export const isoUtc = (t: number | null | undefined): string | null =>
  t === null || t === undefined ? null : new Date(t).toISOString();

const UNKNOWN = '(unknown)';
const orUnknown = (s: string | null | undefined) => (s ? s : UNKNOWN);

function timeColumn<T>(
  clock: ZoneClock,
  key: string,
  header: string,
  get: (row: T) => number | null,
  missing: string | null = null,
): Column<T> {
  return {
    key,
    header,
    value: (r) => {
      const t = get(r);
      return t === null ? missing : clock.format(t);
    },
    // Spreadsheets get the wall-clock time in the report's zone as a real date cell.
    cell: (r) => {
      const t = get(r);
      return t === null ? missing : new Date(clock.wallClock(t));
    },
    kind: 'date',
    width: 25,
  };
}

const count = <T>(key: string, header: string, get: (row: T) => number, width = 9): Column<T> => ({
  key,
  header,
  value: get,
  kind: 'number',
  width,
});

export function dailyTable(rows: readonly DailyRow[]): ReportTable<DailyRow> {
  return {
    title: 'Daily',
    rows,
    columns: [
      {
        key: 'date',
        header: 'Date',
        value: (r) => r.date,
        cell: (r) => new Date(`${r.date}T00:00:00Z`),
        kind: 'date',
        width: 12,
      },
      count('success', 'Successes', (r) => r.success),
      count('failure', 'Failures', (r) => r.failure),
      count('anonymousFailures', 'Anonymous failures', (r) => r.anonymousFailures, 18),
      count('logout', 'Logouts', (r) => r.logout),
      count('other', 'Other', (r) => r.other, 6),
      count('total', 'Total', (r) => r.total),
    ],
    json: (r) => ({ ...r }),
  };
}

export interface SummaryLine {
  section: string;
  item: string;
  value: string | number;
}

/** The summary as section / item / value lines, for tables and spreadsheets. */
export function summaryLines(s: Summary, clock: ZoneClock): SummaryLine[] {
  const lines: SummaryLine[] = [];
  const add = (section: string, item: string, value: string | number) => lines.push({ section, item, value });
  add('period', 'from', s.since === null ? 'the first archived event' : clock.format(s.since));
  add('period', 'to', s.until === null ? 'now' : clock.format(s.until));
  add('period', 'time zone', s.zone);
  add('events', 'total', s.events);
  add('events', 'successful logins', s.byKind.success);
  add('events', 'failed logins', s.byKind.failure);
  add('events', 'logouts', s.byKind.logout);
  if (s.byKind.other) add('events', 'other', s.byKind.other);
  add('users', 'unique users', s.uniqueUsers);
  add('users', 'new users', s.newUsers.length);
  add('failures', 'anonymous failures', s.anonymousFailures);
  add('busiest', 'day', s.busiestDay ? `${s.busiestDay.date} (${s.busiestDay.events} events)` : 'none');
  add(
    'busiest',
    'hour',
    s.busiestHour ? `${hourRange(s.busiestHour.hour)} (${s.busiestHour.events} events)` : 'none',
  );
  for (const c of s.topCountries) {
    add('top countries', orUnknown(c.country), `${c.events} events (${c.successes} logins, ${c.failures} failures)`);
  }
  for (const u of s.newUsers) add('new users', u.name || u.userId, `first seen ${clock.format(u.firstSeen)}`);
  return lines;
}

export function hourRange(hour: number): string {
  const h = (n: number) => `${String(n % 24).padStart(2, '0')}:00`;
  return `${h(hour)}–${h(hour + 1)}`;
}

/** The stable JSON of the summary: one object. */
export function summaryJson(s: Summary): unknown {
  return {
    zone: s.zone,
    since: isoUtc(s.since),
    until: isoUtc(s.until),
    events: s.events,
    byKind: s.byKind,
    uniqueUsers: s.uniqueUsers,
    anonymousFailures: s.anonymousFailures,
    busiestDay: s.busiestDay,
    busiestHour: s.busiestHour,
    topCountries: s.topCountries,
    newUsers: s.newUsers.map((u) => ({ userId: u.userId, name: u.name, firstSeen: isoUtc(u.firstSeen) })),
  };
}

export function summaryTable(s: Summary, clock: ZoneClock): ReportTable<SummaryLine> {
  return {
    title: 'Summary',
    rows: summaryLines(s, clock),
    columns: [
      { key: 'section', header: 'Section', value: (l) => l.section, width: 14 },
      { key: 'item', header: 'Item', value: (l) => l.item, width: 28 },
      { key: 'value', header: 'Value', value: (l) => l.value, width: 40 },
    ],
    json: (l) => ({ ...l }),
  };
}

/** `attributed`, when given, rides on every JSON row: whether anonymous failures could be attributed. */
export function usersTable(rows: readonly UserRow[], clock: ZoneClock, attributed?: boolean): ReportTable<UserRow> {
  return {
    title: 'Users',
    rows,
    columns: [
      { key: 'userId', header: 'User ID', value: (r) => r.userId, width: 36 },
      { key: 'name', header: 'Name', value: (r) => r.name, width: 24, keep: true },
      { key: 'email', header: 'Email', value: (r) => r.email, width: 30, keep: true },
      timeColumn(clock, 'firstLogin', 'First login', (r) => r.firstLogin),
      { ...timeColumn(clock, 'lastLogin', 'Last login', (r) => r.lastLogin), keep: true },
      timeColumn(clock, 'lastSeen', 'Last seen', (r) => r.lastSeen),
      { ...count('successes', 'Successes', (r) => r.successes), keep: true },
      { ...count('failures', 'Failures', (r) => r.failures), keep: true },
      count('logouts', 'Logouts', (r) => r.logouts),
      count('ips', 'IPs', (r) => r.ips, 4),
      { key: 'countries', header: 'Countries', value: (r) => r.countries.join('; '), width: 24 },
      { key: 'browsers', header: 'Browsers', value: (r) => r.browsers.join('; '), width: 28 },
      { key: 'platforms', header: 'Platforms', value: (r) => r.platforms.join('; '), width: 28 },
    ],
    json: (r) => ({
      ...r,
      firstLogin: isoUtc(r.firstLogin),
      lastLogin: isoUtc(r.lastLogin),
      firstSeen: isoUtc(r.firstSeen),
      lastSeen: isoUtc(r.lastSeen),
      ...(attributed === undefined ? {} : { attributed }),
    }),
  };
}

export function failuresTable(rows: readonly FailureRow[], clock: ZoneClock): ReportTable<FailureRow> {
  return {
    title: 'Failures',
    rows,
    columns: [
      { key: 'group', header: 'By', value: (r) => r.group, width: 5, keep: true },
      { key: 'key', header: 'Login or IP', value: (r) => (r.key ? r.key : '(none typed)'), width: 32, keep: true },
      { ...count('failures', 'Failures', (r) => r.failures), keep: true },
      timeColumn(clock, 'firstFailure', 'First', (r) => r.firstFailure),
      timeColumn(clock, 'lastFailure', 'Last', (r) => r.lastFailure),
      count('ips', 'IPs', (r) => r.ips, 4),
      count('logins', 'Logins', (r) => r.logins, 6),
      { key: 'countries', header: 'Countries', value: (r) => r.countries.join('; '), width: 24 },
      { key: 'successAfter', header: 'Success after', value: (r) => r.successAfter, width: 13 },
    ],
    json: (r) => ({ ...r, firstFailure: isoUtc(r.firstFailure), lastFailure: isoUtc(r.lastFailure) }),
  };
}

const TOP_HEADERS: Record<TopDimension, string> = {
  ip: 'IP',
  country: 'Country',
  browser: 'Browser',
  platform: 'Platform',
};

export function topTable(dim: TopDimension, rows: readonly TopRow[], clock: ZoneClock): ReportTable<TopRow> {
  const place: Array<Column<TopRow>> =
    dim === 'ip'
      ? [
          { key: 'country', header: 'Country', value: (r) => r.country ?? '', width: 16 },
          { key: 'city', header: 'City', value: (r) => r.city ?? '', width: 16 },
        ]
      : [];
  return {
    title: `Top ${TOP_HEADERS[dim].toLowerCase()}s`,
    rows,
    columns: [
      { key: dim, header: TOP_HEADERS[dim], value: (r) => orUnknown(r.key), width: dim === 'ip' ? 16 : 28, keep: true },
      ...place,
      { ...count('events', 'Events', (r) => r.events), keep: true },
      count('successes', 'Successes', (r) => r.successes),
      count('failures', 'Failures', (r) => r.failures),
      count('logouts', 'Logouts', (r) => r.logouts),
      count('users', 'Users', (r) => r.users, 6),
      timeColumn(clock, 'lastSeen', 'Last seen', (r) => r.lastSeen),
    ],
    json: ({ key, ...r }) => ({ [dim]: key, ...r, firstSeen: isoUtc(r.firstSeen), lastSeen: isoUtc(r.lastSeen) }),
  };
}

export function inactiveTable(rows: readonly InactiveRow[], clock: ZoneClock): ReportTable<InactiveRow> {
  return {
    title: 'Inactive',
    rows,
    columns: [
      { key: 'name', header: 'Name', value: (r) => r.name, width: 24, keep: true },
      { key: 'email', header: 'Email', value: (r) => r.email, width: 30, keep: true },
      { key: 'role', header: 'Role', value: (r) => r.role, width: 10 },
      timeColumn(clock, 'registered', 'Registered', (r) => r.registered),
      { ...timeColumn(clock, 'lastLogin', 'Last login', (r) => r.lastLogin, 'never'), keep: true },
      { key: 'daysInactive', header: 'Days', value: (r) => r.daysInactive, kind: 'number', width: 5 },
      { key: 'status', header: 'Status', value: (r) => (r.pending ? 'invited' : r.disabled ? 'disabled' : 'active'), width: 8 },
      { key: 'userId', header: 'User ID', value: (r) => r.userId, width: 36 },
    ],
    json: (r) => ({ ...r, registered: isoUtc(r.registered), lastLogin: isoUtc(r.lastLogin) }),
  };
}

/** The table of any report result (the summary as section / item / value lines). */
export function reportTable(result: ReportResult, clock: ZoneClock): ReportTable<unknown> {
  const t = (() => {
    switch (result.name) {
      case 'summary':
        return summaryTable(result.summary, clock);
      case 'daily':
        return dailyTable(result.rows);
      case 'users':
        return usersTable(result.rows, clock, result.attributed);
      case 'failures':
        return failuresTable(result.rows, clock);
      case 'inactive':
        return inactiveTable(result.rows, clock);
      default:
        return topTable(TOP_REPORTS[result.name], result.rows, clock);
    }
  })();
  return t as ReportTable<unknown>;
}
