import { type StatusRow, statusRow } from '../../sync/index.js';
import { type ArchiveFlags, openArchive, selectedPortals } from '../archive.js';
import type { CliIo, Reporter } from '../io.js';
import { type OutputFlags, writeRows } from '../output.js';

/** `docspace-logins status`: what the archive holds per portal, and what is at risk. */
export async function statusCommand(flags: ArchiveFlags & OutputFlags, io: CliIo, reporter: Reporter) {
  const store = await openArchive(flags, io.env, true);
  try {
    const ids = await selectedPortals(store, flags, io.env, { defaultProfile: false });
    const stats = ids ? (await Promise.all(ids.map((id) => store.stats(id)))).flat() : await store.stats();
    const rows = stats.map((s) => statusRow(s));
    if (!rows.length) reporter.note('The archive is empty: run docspace-logins sync');
    await writeRows<StatusRow>(
      flags,
      io,
      ['table', 'json', 'ndjson', 'csv'],
      {
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
      },
      rows,
    );
    for (const r of rows) if (r.warning) reporter.warn(`${r.portal}: ${r.warning}`);
    return 0;
  } finally {
    await store.close();
  }
}
