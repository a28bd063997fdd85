/**
 * What `status` says of one portal: the archive's coverage and what is at risk of being purged
 * by the portal before the next sync.
 */
import type { PortalStats } from '../store/index.js';
import { purgeDeadline } from './sync.js';

const DAY = 86_400_000;
const iso = (t: number | null | undefined) => (t ? new Date(t).toISOString() : null);

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
  const retention = s.portal.retentionDays ?? 180;
  const newest = s.checkpoint?.newestTime ?? s.newest ?? undefined;
  const deadline = purgeDeadline(newest ?? undefined, retention, now);
  let warning: string | null = null;
  if (deadline - now < 7 * DAY) {
    warning =
      deadline <= now
        ? 'events after the last sync are already being purged by the portal: sync now'
        : `events after the last sync will be purged by the portal in ${Math.max(1, Math.floor((deadline - now) / DAY))} day(s): sync before then`;
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
    retentionDays: s.portal.retentionDays,
    audit: s.portal.audit,
    purgeAt: iso(deadline),
    warning,
  };
}
