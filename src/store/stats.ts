/** What the archive holds per portal, for `status`: events, period, coverage, gaps, runs, checkpoint. */
import type { StoreContext } from './context.js';
import { FUTURE_TOLERANCE_MS } from '../model/time.js';
import { quarantineCount } from './events-write.js';
import { type Checkpoint, checkpoint, coverage, gaps, lastSuccessfulRun, type RunInfo, runs } from './ledger.js';
import { type PortalInfo, portal, portals } from './portals.js';
import type { Interval } from './rows.js';

export interface PortalStats {
  portal: PortalInfo;
  events: number;
  oldest: number | null;
  newest: number | null;
  /** Periods proven complete, merged. */
  covered: Interval[];
  /** Periods recorded as gaps and not covered since. */
  gaps: Interval[];
  lastRun: RunInfo | null;
  lastSuccessfulRun: RunInfo | null;
  checkpoint: Checkpoint | null;
  quarantined: number;
  /** Events dated later than they were archived (beyond the tolerance): kept, flagged, never the checkpoint. */
  future: number;
}

export async function stats(s: StoreContext, portalId?: number): Promise<PortalStats[]> {
  const list = portalId === undefined ? await portals(s) : [await portal(s, portalId)];
  const out: PortalStats[] = [];
  for (const p of list) {
    if (!p) continue;
    const id = p.id;
    const events = s.db.selectFrom('events').where('portal_id', '=', id);
    // Separate min and max: each is then a single index probe on both dialects.
    const [count, oldest, newest, covered, gapList, last, success, cp, quarantined] = await Promise.all([
      events.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst(),
      events.select((eb) => eb.fn.min('time').as('t')).executeTakeFirst(),
      events.select((eb) => eb.fn.max('time').as('t')).executeTakeFirst(),
      coverage(s, id),
      gaps(s, id),
      runs(s, id, 1),
      lastSuccessfulRun(s, id),
      checkpoint(s, id),
      quarantineCount(s, id),
    ]);
    // Future-dated events lie above the checkpoint by construction: a short range of the time index.
    const ahead = await events
      .where('time', '>', cp?.newestTime ?? 0)
      .where((eb) => eb('time', '>', eb('inserted_at', '+', FUTURE_TOLERANCE_MS)))
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirst();
    out.push({
      portal: p,
      events: Number(count?.n ?? 0),
      oldest: oldest?.t == null ? null : Number(oldest.t),
      newest: newest?.t == null ? null : Number(newest.t),
      covered,
      gaps: gapList,
      lastRun: last[0] ?? null,
      lastSuccessfulRun: success,
      checkpoint: cp ?? null,
      quarantined,
      future: Number(ahead?.n ?? 0),
    });
  }
  return out;
}
