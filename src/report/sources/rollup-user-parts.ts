/**
 * Where a member rollup question over whole UTC days is read from: the whole months of the
 * period that are grouped and clean come from `rollup_user_months`, everything else (months the
 * last sync changed and has not grouped again, and the days at either end of the period that
 * do not fill a month) from `rollup_user_days`. Both tables have the columns the users report
 * reads, so each question runs once per part and merges the parts' rows, as it merges the
 * edges of a rolling period (rollup-edges.ts). See store/rollup-months.ts.
 */
import { type Expression, type SqlBool, sql } from 'kysely';
import { firstDayOf, monthOf } from '../../store/rollup-months.js';
import type { ArchiveStore } from '../../store/index.js';
import type { Units } from './rollup-edges.js';

export interface UserPart {
  table: 'rollup_user_days' | 'rollup_user_months';
  /** The rows of this part (portals included). */
  where: Expression<SqlBool>;
}

/** More months marked than this (a sync that failed again and again): all is read from the days. */
const MAX_DIRTY = 64;

interface DayRange {
  portal?: number;
  first?: number;
  last?: number;
}

function dayRange(r: DayRange) {
  const parts = [
    ...(r.portal !== undefined ? [sql<SqlBool>`portal_id = ${r.portal}`] : []),
    ...(r.first !== undefined ? [sql<SqlBool>`day >= ${r.first}`] : []),
    ...(r.last !== undefined ? [sql<SqlBool>`day <= ${r.last}`] : []),
  ];
  return parts.length ? sql<SqlBool>`(${sql.join(parts, sql` AND `)})` : sql<SqlBool>`1 = 1`;
}

/** The parts of the member rollups that answer for `days` (whole UTC days, open ends allowed). */
export async function userParts(store: ArchiveStore, portals: readonly number[], days: Units): Promise<UserPart[]> {
  const inPortals = sql<SqlBool>`portal_id IN (${sql.join([...portals])})`;
  const allDays = (): UserPart[] => [{ table: 'rollup_user_days', where: sql<SqlBool>`${inPortals} AND ${dayRange(days)}` }];
  const { first, last } = days;
  const firstMonth = first === undefined ? undefined : firstDayOf(monthOf(first)) === first ? monthOf(first) : monthOf(first) + 1;
  const lastMonth = last === undefined ? undefined : firstDayOf(monthOf(last) + 1) - 1 === last ? monthOf(last) : monthOf(last) - 1;
  if (firstMonth !== undefined && lastMonth !== undefined && firstMonth > lastMonth) return allDays();
  let marked = store.db.selectFrom('rollup_months_dirty').select(['portal_id', 'month']).where('portal_id', 'in', [...portals]);
  if (firstMonth !== undefined) marked = marked.where('month', '>=', firstMonth);
  if (lastMonth !== undefined) marked = marked.where('month', '<=', lastMonth);
  const dirty = (await marked.execute()).map((r) => ({ portal: Number(r.portal_id), month: Number(r.month) }));
  if (dirty.length > MAX_DIRTY) return allDays();

  const months = [
    inPortals,
    ...(firstMonth !== undefined ? [sql<SqlBool>`month >= ${firstMonth}`] : []),
    ...(lastMonth !== undefined ? [sql<SqlBool>`month <= ${lastMonth}`] : []),
    ...dirty.map((d) => sql<SqlBool>`NOT (portal_id = ${d.portal} AND month = ${d.month})`),
  ];
  const dayRanges: DayRange[] = dirty.map((d) => ({ portal: d.portal, first: firstDayOf(d.month), last: firstDayOf(d.month + 1) - 1 }));
  if (first !== undefined && firstMonth !== undefined && first < firstDayOf(firstMonth)) dayRanges.push({ first, last: firstDayOf(firstMonth) - 1 });
  if (last !== undefined && lastMonth !== undefined && last >= firstDayOf(lastMonth + 1)) dayRanges.push({ first: firstDayOf(lastMonth + 1), last });
  const parts: UserPart[] = [{ table: 'rollup_user_months', where: sql<SqlBool>`${sql.join(months, sql` AND `)}` }];
  if (dayRanges.length) {
    parts.push({ table: 'rollup_user_days', where: sql<SqlBool>`${inPortals} AND (${sql.join(dayRanges.map(dayRange), sql` OR `)})` });
  }
  return parts;
}
