/** Making the archive's rollups (rollups.ts) and month rows (rollup-months.ts) again, each in a write transaction. */
import type { StoreContext } from './context.js';
import * as months from './rollup-months.js';
import * as rollups from './rollups.js';

/** Rollups and months of one portal (or all) from the archived events; returns the events read. */
export function rebuildAll(store: StoreContext, portalId?: number): Promise<number> {
  return store.writing(async (db) => {
    const events = await rollups.rebuildRollups(db, (q) => store.backend.write(db, q), store.backend.dialect, portalId);
    await months.rebuildMonths(db, portalId);
    return events;
  });
}

/** Group again the months whose day rows changed; returns the months grouped. */
export async function regroupMarked(store: StoreContext, portalId?: number): Promise<number> {
  // A sync that added nothing opens no write transaction for this.
  if (!(await months.anyMarked(store.db, portalId))) return 0;
  return store.writing((db) => months.regroupMonths(db, portalId));
}
