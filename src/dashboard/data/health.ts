/** Archive health per portal: the coverage ledger, gaps, sync runs, retention and purge risk, quarantine. */
import { statusRow, type StatusRow } from '../../sync/index.js';
import type { ArchiveStore, PortalInfo } from '../../store/index.js';
import type { CoverageRecord, RunInfo } from '../../store/ledger.js';

export interface PortalHealth {
  portal: PortalInfo;
  status: StatusRow;
  ledger: CoverageRecord[];
  runs: RunInfo[];
}

export async function health(store: ArchiveStore, portalIds: readonly number[], now: number): Promise<PortalHealth[]> {
  const out: PortalHealth[] = [];
  for (const id of portalIds) {
    const [stats] = await store.stats(id);
    if (!stats) continue;
    out.push({
      portal: stats.portal,
      status: statusRow(stats, now),
      ledger: (await store.coverageEntries(id)).slice(-30),
      runs: await store.runs(id, 10),
    });
  }
  return out;
}
