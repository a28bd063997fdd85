/**
 * What every page is looking at, read from the query string once: the portal (one or all), the
 * time zone, and the period. A bad value is the user's mistake: one line on the page, status 400.
 */
import { UsageError } from '../errors/index.js';
import { parseTimeInput } from '../model/time.js';
import { archivePortalOffsets } from '../report/sources/archive/users.js';
import { parseZone, ZoneClock, type ZoneSpec, zoneLabel } from '../report/zone.js';
import type { ArchiveStore, PortalInfo } from '../store/index.js';

export const PERIODS: ReadonlyArray<readonly [string, string]> = [
  ['24h', 'Last 24 hours'],
  ['7d', 'Last 7 days'],
  ['30d', 'Last 30 days'],
  ['90d', 'Last 90 days'],
  ['180d', 'Last 180 days'],
  ['all', 'All history'],
];
export const DEFAULT_PERIOD = '30d';
export const ZONES = ['portal', 'UTC', 'local'];

export interface View {
  url: URL;
  now: number;
  portals: PortalInfo[];
  /** `all` or a portal id, as in the query string. */
  portalParam: string;
  portalIds: number[];
  tz: string;
  zone: ZoneSpec;
  clock: ZoneClock;
  period: string;
  /**
   * Where the period starts: a day-sized period (`30d`) at a UTC midnight, like a date histogram's
   * aligned buckets ("Last 30 days" is the 29 whole UTC days before today plus today so far), so
   * the Overview can answer it from the day rollups; an hour-sized one (`24h`) rolls with `now`.
   */
  since?: number;
  until: number;
}

export async function readView(
  store: ArchiveStore,
  url: URL,
  now: number,
  defaults: { portalIds?: readonly number[] },
): Promise<View> {
  const portals = await store.portals();
  const asked = url.searchParams.get('portal');
  let portalIds: number[];
  let portalParam: string;
  if (asked === 'all' || (!asked && !defaults.portalIds?.length)) {
    portalIds = portals.map((p) => p.id);
    portalParam = 'all';
  } else {
    const id = asked ? Number(asked) : defaults.portalIds![0];
    if (!portals.some((p) => p.id === id)) throw new UsageError(`portal "${asked}" is not in this archive`);
    portalIds = [id];
    portalParam = String(id);
  }
  const tz = url.searchParams.get('tz') || 'portal';
  const zone = parseZone(tz, process.env);
  const only = portalIds.length === 1 ? portals.find((p) => p.id === portalIds[0]) : undefined;
  // In portal mode an aggregated time is shown at the offset the portal used then (as reports do);
  // the portal's configured offset only when the archive holds no event yet.
  const history = zone.kind === 'portal' ? await archivePortalOffsets({ db: store.db, portals: portalIds }) : undefined;
  const clock = new ZoneClock(zone, history && !history.empty ? history : (only?.timezoneOffset ?? portals[0]?.timezoneOffset ?? 0));
  const period = url.searchParams.get('period') || DEFAULT_PERIOD;
  let since: number | undefined;
  if (period !== 'all') {
    since = parseTimeInput(period, now);
    if (since === undefined || !/^\d+[dhm]$/.test(period)) {
      throw new UsageError(`period "${period}" is not one of: ${PERIODS.map(([p]) => p).join(', ')} (or e.g. 14d, 6h)`);
    }
    const days = /^(\d+)d$/.exec(period);
    if (days) since = periodDayStart(now, Number(days[1]));
  }
  return { url, now, portals, portalParam, portalIds, tz, zone, clock, period, since, until: now };
}

const DAY = 86_400_000;

/** The UTC midnight that starts a period of `days` days ending today (today counts as one). */
export function periodDayStart(now: number, days: number): number {
  return (Math.floor(now / DAY) - Math.max(1, days) + 1) * DAY;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** The start of a day-aligned period as the page says it (`since 2 Nov 2025 00:00 UTC`), else undefined. */
export function periodStartNote(v: View): string | undefined {
  if (v.since === undefined || v.since % DAY !== 0 || !/^\d+d$/.test(v.period)) return undefined;
  const d = new Date(v.since);
  return `since ${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} 00:00 UTC`;
}

/** The query parameters that keep the view on every link. */
export function viewParams(v: View): Record<string, string> {
  return {
    portal: v.portalParam,
    tz: v.tz === 'portal' ? '' : v.tz,
    period: v.period === DEFAULT_PERIOD ? '' : v.period,
  };
}

export function zoneName(v: View): string {
  return zoneLabel(v.zone);
}
