/**
 * Report facts from the archive, aggregated in SQL so that millions of events never cross into
 * JavaScript: GROUP BY over the period's rows for the grouped facts (`hours.ts`, `activity.ts`),
 * and index probes (a loose index scan over `events_user`) for everything per user (`users.ts`).
 * Kysely's builder, integer arithmetic on epoch-ms `time`, and a recursive CTE both dialects accept.
 *
 * How the period is grouped depends on how the database groups. PostgreSQL hashes: one GROUP BY
 * over the period's rows. SQLite sorts, and sorting a month of events (~900k rows) cost it far
 * more than reading them, so it reads `events_report` (schema 3), whose key is anonymity, the UTC
 * hour (`time / 3600000`) and then the columns the reports group by: a GROUP BY that lists a
 * prefix of that key streams through the index with no sort. Hours are counted by UTC hour and
 * placed on the local clock; activity is grouped per hour in index order, then those far fewer
 * rows by the dimensions asked for. Both shapes give the same facts (the tests run both).
 */
import type { OffsetHistory } from '../../../model/offset-history.js';
import type { ArchiveStore } from '../../../store/index.js';
import type { ActivityDim, ActivityFact, ActivityOptions, HourFact, HourOptions, Period, UserSeen } from '../../facts.js';
import { type CountryCount, countryCounts } from '../../reports/summary.js';
import type { ZoneClock } from '../../zone.js';
import type { ReportData } from '../index.js';
import { RollupReportData } from '../rollup-facts.js';
import { archiveActivity } from './activity.js';
import { archiveHours } from './hours.js';
import { type ArchiveQuery, type ArchiveScope, groupsBySorting } from './scope.js';
import { archiveLastSuccess, archivePortalOffsets, archiveUsers } from './users.js';

export type { ArchiveScope } from './scope.js';


export interface ArchiveDataOptions {
  /**
   * Answer from the rollups what they answer exactly (whole hours and days, no `--user`: see
   * `rollup-facts.ts`), and the rest from the events. Default true; false reads only the events.
   */
  rollups?: boolean;
}

/**
 * Report facts over the archive. `scope.portalIds` undefined means every portal; the portal
 * list is read once, so every query names its portals (and each can use the per-portal indexes).
 */
export async function archiveData(
  store: ArchiveStore,
  scope: ArchiveScope = {},
  opts: ArchiveDataOptions = {},
): Promise<ArchiveReportData | RollupReportData> {
  const portalIds = scope.portalIds ? [...new Set(scope.portalIds)] : (await store.portals()).map((p) => p.id);
  const events = new ArchiveReportData(store, { ...scope, portalIds });
  return opts.rollups === false ? events : new RollupReportData(store, events.scope, events);
}

export class ArchiveReportData implements ReportData {
  private readonly query: ArchiveQuery;

  constructor(
    private readonly store: ArchiveStore,
    readonly scope: ArchiveScope & { portalIds: readonly number[] },
  ) {
    this.query = { db: store.db, portals: [...scope.portalIds], scope, groupsBySorting: groupsBySorting(store) };
  }

  /** The same read over a part of the period (an edge the rollups leave: `rollup-edges.ts`). */
  narrowed(period: Period): ArchiveReportData {
    return new ArchiveReportData(this.store, { ...this.scope, since: period.since, until: period.until });
  }

  hours(clock: ZoneClock, opts: HourOptions = {}): Promise<HourFact[]> {
    return archiveHours(this.query, clock, opts);
  }

  activity(dims: readonly ActivityDim[], opts: ActivityOptions = {}): Promise<ActivityFact[]> {
    return archiveActivity(this.query, dims, opts);
  }

  async countries(): Promise<CountryCount[]> {
    return countryCounts(await this.activity(['country']));
  }

  async users(): Promise<UserSeen[]> {
    let users = await archiveUsers(this.query);
    const { userIds, logins } = this.scope;
    if (userIds?.length || logins?.length) {
      const ids = new Set((userIds ?? []).map((u) => u.toLowerCase()));
      users = users.filter((u) => ids.has(u.userId));
    }
    return users;
  }

  lastSuccess(userIds: readonly string[]): Promise<Map<string, number>> {
    return archiveLastSuccess(this.query, userIds);
  }

  portalOffsets(): Promise<OffsetHistory> {
    return archivePortalOffsets(this.query);
  }
}
