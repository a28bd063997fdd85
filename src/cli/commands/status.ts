import { timeAgo } from '../../output/relative.js';
import type { Column } from '../../output/writer.js';
import { type StatusRow, statusRow } from '../../sync/index.js';
import { type ArchiveFlags, openArchive, parseArchiveFlags, selectedPortals } from '../archive.js';
import type { CliIo, Reporter } from '../io.js';
import { FORMATS_OF } from '../formats.js';
import { type OutputFlags, parseOutputFlags, writeRows } from '../output.js';

/** The fields of a status row's JSON, for `--json FIELD,FIELD`. */
const STATUS_FIELDS: ReadonlyArray<keyof StatusRow> = [
  'portal',
  'events',
  'oldest',
  'newest',
  'coveredFrom',
  'coveredTo',
  'gaps',
  'quarantined',
  'futureDated',
  'lastSync',
  'lastSyncStatus',
  'retentionDays',
  'audit',
  'purgeAt',
  'warning',
];

/** An end of the proven coverage. Dates are what status is read for: never cut, "117 d ago" at a terminal (ISO elsewhere). */
function coverageColumn(key: 'coveredFrom' | 'coveredTo', header: string): Column<StatusRow> {
  return { key, header, value: (r) => r[key], relative: (r, now) => timeAgo(r[key], now), kind: 'date', keep: true };
}

/** `docspace-logins status`: what the archive holds per portal, and what is at risk. */
export async function statusCommand(flags: ArchiveFlags & OutputFlags, io: CliIo, reporter: Reporter) {
  const output = parseOutputFlags(flags, io, FORMATS_OF.status);
  const archive = parseArchiveFlags(flags);
  const store = await openArchive(archive, io.env, true);
  try {
    const ids = await selectedPortals(store, archive, io.env, { defaultProfile: false });
    const stats = ids ? (await Promise.all(ids.map((id) => store.stats(id)))).flat() : await store.stats();
    const rows = stats.map((s) => statusRow(s));
    if (!rows.length) reporter.note('The archive is empty: run docspace-logins sync');
    await writeRows<StatusRow>(
      output,
      io,
      {
        columns: [
          { key: 'portal', header: 'Portal', value: (r) => r.portal, keep: true },
          { key: 'events', header: 'Events', value: (r) => r.events, kind: 'number', keep: true },
          coverageColumn('coveredFrom', 'Covered from'),
          coverageColumn('coveredTo', 'Covered to'),
          {
            key: 'gaps',
            header: 'Gaps',
            value: (r) => r.gaps.map((g) => `${g.from}..${g.to}`).join('; ') || 'none',
          },
          { key: 'quarantined', header: 'Quarantined', value: (r) => r.quarantined, kind: 'number' },
          { key: 'futureDated', header: 'Future-dated', value: (r) => r.futureDated, kind: 'number' },
          {
            key: 'lastSync',
            header: 'Last sync',
            value: (r) => (r.lastSync ? `${r.lastSync} (${r.lastSyncStatus})` : 'never'),
            relative: (r, now) => (r.lastSync ? `${timeAgo(r.lastSync, now)} (${r.lastSyncStatus})` : 'never'),
            tone: (r) => (r.lastSyncStatus && r.lastSyncStatus !== 'ok' ? 'failure' : undefined),
            keep: true,
          },
          {
            key: 'retentionDays',
            header: 'Retention',
            value: (r) => (r.retentionDays ? `${r.retentionDays} d` : '?'),
          },
          { key: 'warning', header: 'Warning', value: (r) => r.warning, tone: () => 'alert' },
        ],
        json: (r) => r,
        jsonFields: STATUS_FIELDS,
      },
      rows,
    );
    for (const r of rows) if (r.warning) reporter.warn(`${r.portal}: ${r.warning}`);
    return 0;
  } finally {
    await store.close();
  }
}
