/**
 * What every rollup query of the dashboard shares: the question (portals, period, clock), the
 * portals named once, and the period as the UTC hours and days the rollups are keyed by.
 */
import type { ExpressionBuilder } from 'kysely';
import type { ArchiveSchema, ArchiveStore } from '../../store/index.js';
import type { ZoneClock } from '../zone.js';

export const HOUR = 3_600_000;
export const DAY = 86_400_000;

export interface DashboardQuery {
  /** Portals to read (default: every portal in the archive). */
  portalIds?: readonly number[];
  /** Inclusive bounds, epoch ms; open when undefined. */
  since?: number;
  until?: number;
  /** The clock buckets are cut on. */
  clock: ZoneClock;
}

export type Db = ArchiveStore['db'];
export const n = (v: unknown) => Number(v ?? 0);

export async function portalsOf(store: ArchiveStore, q: Pick<DashboardQuery, 'portalIds'>): Promise<number[]> {
  const ids = q.portalIds ? [...q.portalIds] : (await store.portals()).map((p) => p.id);
  return ids.length ? ids : [-1];
}

/** The UTC hours and days a period touches. */
export function bounds(q: Pick<DashboardQuery, 'since' | 'until'>) {
  return {
    firstHour: q.since === undefined ? undefined : Math.floor(q.since / HOUR),
    lastHour: q.until === undefined ? undefined : Math.floor(q.until / HOUR),
    firstDay: q.since === undefined ? undefined : Math.floor(q.since / DAY),
    lastDay: q.until === undefined ? undefined : Math.floor(q.until / DAY),
  };
}

type RollupTable = keyof ArchiveSchema & `rollup_${string}`;

/** `portal_id IN … AND day BETWEEN …` on a day table. */
export function dayScope<T extends RollupTable>(q: Pick<DashboardQuery, 'since' | 'until'>, portals: number[]) {
  const b = bounds(q);
  return (eb: ExpressionBuilder<ArchiveSchema, T>) => {
    const ref = eb.ref as (c: string) => never;
    const parts = [eb(ref('portal_id'), 'in', portals as never)];
    if (b.firstDay !== undefined) parts.push(eb(ref('day'), '>=', b.firstDay as never));
    if (b.lastDay !== undefined) parts.push(eb(ref('day'), '<=', b.lastDay as never));
    return eb.and(parts);
  };
}

