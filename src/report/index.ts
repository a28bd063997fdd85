/**
 * Reports over login history, as a library: facts from the archive (`archiveData`, SQL) or from
 * any stream of events (`EventFacts`, e.g. a live read), pure report functions over them, and
 * the columns and JSON the CLI writes.
 */
export { type ArchiveScope, ArchiveReportData, archiveData, resolveArchiveUsers } from './archive.js';
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
  EventFacts,
  type HourFact,
  inPeriod,
  offsetMinutes,
  type Period,
  projectFacts,
  type ReportData,
  type UserSeen,
} from './facts.js';
export {
  type CountryCount,
  type DailyRow,
  dailyReport,
  type FailureRow,
  failuresReport,
  type InactiveRow,
  inactiveReport,
  type Member,
  type MemberRole,
  memberOf,
  memberRole,
  type PeriodOptions,
  parseUserSort,
  type Summary,
  type SummaryInput,
  summaryReport,
  sortUsers,
  type TopDimension,
  type TopRow,
  topReport,
  USER_SORT_KEYS,
  type UserIdentity,
  type UserRow,
  type UserSort,
  type UserSortKey,
  usersReport,
} from './reports.js';
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
export { dayName, dayOfHour, parseZone, ZoneClock, type ZoneSpec, zoneLabel } from './zone.js';
