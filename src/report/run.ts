/** One entry point per report: which facts it needs from a source, then the pure report over them. */
import { USER_ACTIVITY_DIMS, USER_ACTIVITY_OPTIONS } from './activity.js';
import type { Member } from './members.js';
import {
  type DailyRow,
  dailyReport,
  type FailureRow,
  failuresReport,
  type InactiveRow,
  inactiveReport,
  type PeriodOptions,
  type Summary,
  summaryReport,
  type TopDimension,
  type TopRow,
  topReport,
  type UserIdentity,
  type UserRow,
  usersActivityReport,
} from './reports/index.js';
import type { ReportData } from './sources/index.js';
import type { UserSort } from './user-sort.js';

export const REPORT_NAMES = [
  'summary',
  'users',
  'failures',
  'inactive',
  'ips',
  'countries',
  'browsers',
  'platforms',
  'daily',
] as const;

export type ReportName = (typeof REPORT_NAMES)[number];

export function isReportName(value: string): value is ReportName {
  return (REPORT_NAMES as readonly string[]).includes(value);
}

/** The reports that rank values of one dimension. */
export const TOP_REPORTS: Readonly<Record<'ips' | 'countries' | 'browsers' | 'platforms', TopDimension>> = {
  ips: 'ip',
  countries: 'country',
  browsers: 'browser',
  platforms: 'platform',
};

export interface ReportOptions extends PeriodOptions {
  /** Rows of a top-N report (default 10), countries in the summary (default 5), a cap elsewhere. */
  top?: number;
  /** Order of the users report. */
  sort?: UserSort;
  /**
   * The people directory (lower-case user id → e-mail, user name, name): anonymous failures are
   * attributed by it. Without it the users report attributes none and says so.
   */
  identities?: ReadonlyMap<string, UserIdentity>;
  /** The failures report: a typed login that may be a password → its keyed hash (`typedLoginMasker`). */
  maskLogin?: (login: string) => string | undefined;
}

export type ReportResult =
  | { name: 'summary'; summary: Summary }
  | { name: 'daily'; rows: DailyRow[] }
  | { name: 'users'; rows: UserRow[]; attributed: boolean }
  | { name: 'failures'; rows: FailureRow[] }
  | { name: 'ips' | 'countries' | 'browsers' | 'platforms'; rows: TopRow[] }
  | { name: 'inactive'; rows: InactiveRow[] };

/** Every report but `inactive` (which needs the members list: see `inactiveFrom`). */
export async function runReport(
  name: Exclude<ReportName, 'inactive'>,
  data: ReportData,
  o: ReportOptions,
): Promise<ReportResult> {
  switch (name) {
    case 'summary': {
      const hours = await data.hours(o.clock);
      const countries = await data.countries();
      const users = await data.users();
      return { name, summary: summaryReport({ hours, users, countries }, o) };
    }
    case 'daily':
      return { name, rows: dailyReport(await data.hours(o.clock), o) };
    case 'users': {
      // Anonymous events count only as failures typed with a user's login: group them by that alone.
      const facts = await data.activity(USER_ACTIVITY_DIMS, USER_ACTIVITY_OPTIONS);
      return { name, ...usersActivityReport(facts, { sort: o.sort, top: o.top, identities: o.identities }) };
    }
    case 'failures': {
      const failures = await data.activity(['user', 'name', 'login', 'ip', 'country'], { kinds: ['failure'] });
      const successes = await data.activity(['ip'], { kinds: ['success'] });
      return { name, rows: failuresReport(failures, successes, { top: o.top, maskLogin: o.maskLogin }) };
    }
    case 'ips':
    case 'countries':
    case 'browsers':
    case 'platforms': {
      const dim = TOP_REPORTS[name];
      const facts = await data.activity(dim === 'ip' ? ['ip', 'user', 'country', 'city'] : [dim, 'user']);
      return { name, rows: topReport(dim, facts, { top: o.top }) };
    }
  }
}

/** `inactive`: members without a successful login in `days` days (or ever), from any source's history. */
export async function inactiveFrom(
  members: readonly Member[],
  data: ReportData,
  o: { days: number; now: number },
): Promise<InactiveRow[]> {
  const last = await data.lastSuccess(members.map((m) => m.userId));
  return inactiveReport(members, last, o);
}
