import { createWriter } from '../../output/index.js';
import type { PortalStats } from '../../store/index.js';
import { purgeDeadline } from '../../sync/index.js';
import { type ArchiveFlags, openArchive, selectedPortals } from '../archive.js';
import type { CliIo, Reporter } from '../io.js';
import { type OutputFlags, openOutput } from '../output.js';

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
  lastSync: string | null;
  lastSyncStatus: string | null;
  retentionDays: number | null;
  audit: boolean | null;
  /** When the portal will purge the oldest event not archived yet. */
  purgeAt: string | null;
  warning: string | null;
}

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
    lastSync: iso(s.lastRun?.finishedAt ?? s.lastRun?.startedAt),
    lastSyncStatus: s.lastRun?.status ?? null,
    retentionDays: s.portal.retentionDays,
    audit: s.portal.audit,
    purgeAt: iso(deadline),
    warning,
  };
}

/** `docspace-logins status`: what the archive holds per portal, and what is at risk. */
export async function statusCommand(flags: ArchiveFlags & OutputFlags, io: CliIo, reporter: Reporter) {
  const store = await openArchive(flags, io.env, true);
  try {
    const ids = await selectedPortals(store, flags, io.env);
    const stats = ids ? (await Promise.all(ids.map((id) => store.stats(id)))).flat() : await store.stats();
    const rows = stats.map((s) => statusRow(s));
    if (!rows.length) reporter.note('The archive is empty: run docspace-logins sync');
    const out = await openOutput(flags, io, ['table', 'json', 'ndjson', 'csv']);
    try {
      const writer = createWriter<StatusRow>(out.format, {
        columns: [
          { key: 'portal', header: 'Portal', value: (r) => r.portal },
          { key: 'events', header: 'Events', value: (r) => r.events, kind: 'number' },
          { key: 'coveredFrom', header: 'Covered from', value: (r) => r.coveredFrom },
          { key: 'coveredTo', header: 'Covered to', value: (r) => r.coveredTo },
          {
            key: 'gaps',
            header: 'Gaps',
            value: (r) => r.gaps.map((g) => `${g.from}..${g.to}`).join('; ') || 'none',
          },
          { key: 'quarantined', header: 'Quarantined', value: (r) => r.quarantined, kind: 'number' },
          {
            key: 'lastSync',
            header: 'Last sync',
            value: (r) => (r.lastSync ? `${r.lastSync} (${r.lastSyncStatus})` : 'never'),
          },
          {
            key: 'retentionDays',
            header: 'Retention',
            value: (r) => (r.retentionDays ? `${r.retentionDays} d` : '?'),
          },
          { key: 'warning', header: 'Warning', value: (r) => r.warning },
        ],
        json: (r) => r,
        sink: out.sink,
        isTTY: out.isTTY,
      });
      for (const r of rows) await writer.write(r);
      await writer.end();
    } finally {
      await out.close();
    }
    for (const r of rows) if (r.warning) reporter.warn(`${r.portal}: ${r.warning}`);
    return 0;
  } finally {
    await store.close();
  }
}
