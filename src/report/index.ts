/**
 * Reports over login history, as a library: facts from the archive (`archiveData`, SQL) or from
 * any stream of events (`EventFacts`, e.g. a live read), pure report functions over them, and
 * the columns and JSON the CLI writes.
 */
export {
  buildUserActivity,
  USER_ACTIVITY_DIMS,
  USER_ACTIVITY_OPTIONS,
  type UserActivityOptions,
  type UserActivityRows,
} from './activity.js';
export { type ArchiveDataOptions, type ArchiveScope, ArchiveReportData, archiveData } from './sources/archive/index.js';
export { RollupReportData } from './sources/rollup-facts.js';
export * as dashboardQueries from './sources/rollups.js';
export {
  dailyTable,
  failuresTable,
  hourRange,
  inactiveTable,
  isoUtc,
  type ReportTable,
  reportTable,
  type SummaryLine,
  summaryJson,
  summaryLines,
  summaryTable,
  topTable,
  usersTable,
} from './columns.js';
export {
  ALL_DIMS,
  type ActivityDim,
  type ActivityFact,
  type HourFact,
  inPeriod,
  type Period,
  projectFacts,
  type UserSeen,
} from './facts.js';
export { type Member, type MemberRole, memberOf, memberRole, peopleIdentities } from './members.js';
export {
  type CountryCount,
  type DailyRow,
  dailyReport,
  type FailureRow,
  failuresReport,
  type InactiveRow,
  inactiveReport,
  type PeriodOptions,
  type Summary,
  type SummaryInput,
  summaryReport,
  type TopDimension,
  type TopRow,
  topReport,
  type UserIdentity,
  type UserRow,
  type UsersReportOptions,
  usersActivityReport,
  usersReport,
} from './reports/index.js';
export {
  inactiveFrom,
  isReportName,
  REPORT_NAMES,
  type ReportName,
  type ReportOptions,
  type ReportResult,
  runReport,
  TOP_REPORTS,
} from './run.js';
export { EventFacts } from './sources/events.js';
export type { ReportData } from './sources/index.js';
export { parseUserSort, sortUsers, USER_SORT_KEYS, type UserSort, type UserSortKey } from './user-sort.js';
export { dayName, dayOfHour, parseZone, ZoneClock, type ZoneSpec, zoneLabel } from './zone.js';
