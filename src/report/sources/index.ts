// Where a report's facts come from: the archive (SQL, `archive/`; its rollups, `rollup-facts.ts`) or any stream of events (`events.ts`).
import type { ActivityDim, ActivityFact, ActivityOptions, HourFact, HourOptions, UserSeen } from '../facts.js';
import type { OffsetHistory } from '../../model/offset-history.js';
import type { CountryCount } from '../reports/summary.js';
import type { ZoneClock } from '../zone.js';

/** Where a report's facts come from: the archive (SQL) or a live read (`EventFacts`). */
export interface ReportData {
  /** Events in the period per local hour of `clock`, kind and anonymity (and country). */
  hours(clock: ZoneClock, opts?: HourOptions): Promise<HourFact[]>;
  /** Events in the period grouped by `dims` (plus kind and anonymity). */
  activity(dims: readonly ActivityDim[], opts?: ActivityOptions): Promise<ActivityFact[]>;
  /** Events, successes and failures per country in the period (the summary's top countries). */
  countries(): Promise<CountryCount[]>;
  /** Every non-anonymous user in the history (up to `until`), whether or not active in the period. */
  users(): Promise<UserSeen[]>;
  /** Newest successful login in the period per user id (users without one are absent). */
  lastSuccess(userIds: readonly string[]): Promise<Map<string, number>>;
  /** The offsets the portal used over its history, for showing aggregated times in `portal` mode. */
  portalOffsets(): Promise<OffsetHistory>;
}
