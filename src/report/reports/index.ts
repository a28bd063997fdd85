// The reports as pure functions of facts: no database, no network, no clock but the `now` they are given.
export { type DailyRow, dailyReport } from './daily.js';
export { type FailureRow, failuresReport } from './failures.js';
export { type InactiveRow, inactiveReport } from './inactive.js';
export type { PeriodOptions } from './period.js';
export { type CountryCount, countryCounts, type Summary, type SummaryInput, summaryReport } from './summary.js';
export { type TopDimension, type TopRow, topReport } from './top.js';
export { type UserIdentity, type UserRow, type UsersReportOptions, usersActivityReport, usersReport } from './users.js';
