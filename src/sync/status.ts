/**
 * What `status` says of one portal: the archive's coverage and what is at risk of being purged
 * by the portal before the next sync.
 */
import { RETENTION_DAYS } from '../client/schemas.js';
import type { PortalStats } from '../store/index.js';
import { purgeDeadline } from './sync.js';

const DAY = 86_400_000;
/** ISO text of an instant; null for none, or for one outside what a Date can hold. */
const iso = (t: number | null | undefined) => (t && Number.isFinite(new Date(t).getTime()) ? new Date(t).toISOString() : null);

/**
 * The archived retention when it is one DocSpace can have. Archives written before the schema
 * refused other values may hold 99999999 or 0: those count as unknown, not as a deadline.
 */
function knownRetention(days: number | null | undefined): number | null {
  return days != null && Number.isInteger(days) && days >= RETENTION_DAYS.min && days <= RETENTION_DAYS.max ? days : null;
}

export interface StatusRow {
  portal: string;
  events: number;
  oldest: string | null;
  newest: string | null;
  coveredFrom: string | null;
  coveredTo: string | null;
  gaps: Array<{ from: string; to: string }>;
  quarantined: number;
  /** Archived events dated in the future when they arrived (flagged, never the checkpoint). */
  futureDated: number;
  lastSync: string | null;
  lastSyncStatus: string | null;
  retentionDays: number | null;
  audit: boolean | null;
  /** When the portal will purge the oldest event not archived yet. */
  purgeAt: string | null;
  warning: string | null;
}

/** `now` is injected so the warning can be tested. */
export function statusRow(s: PortalStats, now = Date.now()): StatusRow {
  const retentionDays = knownRetention(s.portal.retentionDays);
  const retention = retentionDays ?? RETENTION_DAYS.max;
  const newest = s.checkpoint?.newestTime ?? s.newest ?? undefined;
  // A portal no sync ever reached has nothing archived that the portal could purge first: a
  // warning would be invented from the default retention and today's date.
  const reached = newest !== undefined || s.lastRun?.status === 'ok';
  const deadline = reached ? purgeDeadline(newest ?? undefined, retention, now) : undefined;
  let warning: string | null = null;
  if (!reached) {
    warning = s.lastRun ? `no sync has succeeded yet (last run: ${s.lastRun.status}): run docspace-logins sync` : null;
  } else if (deadline! - now < 7 * DAY) {
    warning =
      deadline! <= now
        ? 'events after the last sync are already being purged by the portal: sync now'
        : `events after the last sync will be purged by the portal in ${Math.max(1, Math.floor((deadline! - now) / DAY))} day(s): sync before then`;
  }
  if (s.gaps.length && !warning) warning = `${s.gaps.length} gap(s) recorded: see the gaps column`;
  const covered = s.covered;
  return {
    portal: s.portal.url,
    events: s.events,
    oldest: iso(s.oldest),
    newest: iso(s.newest),
    coveredFrom: covered.length ? iso(covered[0].from) : null,
    coveredTo: covered.length ? iso(covered[covered.length - 1].to) : null,
    gaps: s.gaps.map((g) => ({ from: iso(g.from)!, to: iso(g.to)! })),
    quarantined: s.quarantined,
    futureDated: s.future,
    lastSync: iso(s.lastRun?.finishedAt ?? s.lastRun?.startedAt),
    lastSyncStatus: s.lastRun?.status ?? null,
    retentionDays,
    audit: s.portal.audit,
    purgeAt: iso(deadline),
    warning,
  };
}
