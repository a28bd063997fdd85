/**
 * Per-user probes of the archive: every user (a loose index scan of `events_user`, one probe per
 * user, not a pass over the events), each user's newest success, and the offsets the portal used over time.
 */
import { sql } from 'kysely';
import { GUEST_ID } from '../../../model/ids.js';
import { OffsetHistory } from '../../../model/offset-history.js';
import type { UserSeen } from '../../facts.js';
import { type ArchiveQuery, flag, num, UTC_HOUR } from './scope.js';

/**
 * Every user id per portal by a loose index scan of `events_user` (one probe per user, not a
 * pass over the events), each with its first and last event and whether it has one in the period.
 */
export async function archiveUsers(a: ArchiveQuery): Promise<UserSeen[]> {
  const { since, until } = a.scope;
  const merged = new Map<string, UserSeen>();
  for (const p of a.portals) {
    const upTo = until !== undefined ? sql`AND e.time <= ${until}` : sql``;
    const inside =
      since === undefined && until === undefined
        ? sql`1`
        : sql`CASE WHEN EXISTS (SELECT 1 FROM events e WHERE e.portal_id = ${p} AND e.user_id = u.id
            ${since !== undefined ? sql`AND e.time >= ${since}` : sql``} ${upTo}) THEN 1 ELSE 0 END`;
    const r = await sql<{ id: string; first_seen: unknown; last_seen: unknown; name: string | null; inside: unknown }>`
      WITH RECURSIVE u(id) AS (
        SELECT min(user_id) FROM events WHERE portal_id = ${p}
        UNION ALL
        SELECT (SELECT min(e.user_id) FROM events e WHERE e.portal_id = ${p} AND e.user_id > u.id)
        FROM u WHERE u.id IS NOT NULL
      )
      SELECT u.id AS id,
        (SELECT min(e.time) FROM events e WHERE e.portal_id = ${p} AND e.user_id = u.id ${upTo}) AS first_seen,
        (SELECT max(e.time) FROM events e WHERE e.portal_id = ${p} AND e.user_id = u.id ${upTo}) AS last_seen,
        (SELECT e.user_name FROM events e WHERE e.portal_id = ${p} AND e.user_id = u.id ${upTo}
          ORDER BY e.time DESC LIMIT 1) AS name,
        ${inside} AS inside
      FROM u WHERE u.id IS NOT NULL`.execute(a.db);
    for (const row of r.rows) {
      if (row.id === GUEST_ID || row.first_seen === null || row.first_seen === undefined) continue;
      const seen: UserSeen = {
        userId: row.id,
        name: row.name ?? '',
        firstSeen: num(row.first_seen),
        lastSeen: num(row.last_seen),
        inPeriod: flag(row.inside),
      };
      const have = merged.get(seen.userId);
      if (!have) merged.set(seen.userId, seen);
      else {
        have.firstSeen = Math.min(have.firstSeen, seen.firstSeen);
        if (seen.lastSeen > have.lastSeen) {
          have.lastSeen = seen.lastSeen;
          have.name = seen.name;
        }
        have.inPeriod ||= seen.inPeriod;
      }
    }
  }
  return [...merged.values()];
}

/** Newest successful login per user in the period: a backward walk of `events_user` that stops at the first success. */
export async function archiveLastSuccess(a: ArchiveQuery, userIds: readonly string[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const { since, until } = a.scope;
  for (const p of a.portals) {
    for (const raw of userIds) {
      const id = raw.toLowerCase();
      let q = a.db
        .selectFrom('events')
        .select('time')
        .where('portal_id', '=', p)
        .where('user_id', '=', id)
        .where('kind', '=', 'success');
      if (since !== undefined) q = q.where('time', '>=', since);
      if (until !== undefined) q = q.where('time', '<=', until);
      const row = await q.orderBy('time', 'desc').limit(1).executeTakeFirst();
      if (row) out.set(id, Math.max(out.get(id) ?? Number.NEGATIVE_INFINITY, num(row.time)));
    }
  }
  return out;
}

/**
 * The offsets the portals used over their history: one offset per UTC hour (the largest, if an hour
 * saw two), kept only where it changes (`lag` does that in the database, so a few rows come back).
 * From the rollups, which keep each hour's offset; from the events only when there are no rollups.
 */
export async function archivePortalOffsets(a: Pick<ArchiveQuery, 'db' | 'portals'>): Promise<OffsetHistory> {
  if (!a.portals.length) return new OffsetHistory();
  const inPortals = sql`portal_id IN (${sql.join(a.portals)})`;
  const fromRollups = sql`SELECT hour, max(offset_minutes) AS off FROM rollup_hours WHERE ${inPortals} GROUP BY hour`;
  const fromEvents = sql`SELECT ${UTC_HOUR} AS hour, max(offset_minutes) AS off FROM events WHERE ${inPortals} GROUP BY 1`;
  for (const perHour of [fromRollups, fromEvents]) {
    const { rows } = await sql<{ hour: number | string; off: number | string }>`
      SELECT hour, off FROM (
        SELECT hour, off, lag(off) OVER (ORDER BY hour) AS prev FROM (${perHour}) AS h
      ) AS c
      WHERE prev IS NULL OR prev <> off
      ORDER BY hour`.execute(a.db);
    if (rows.length) return OffsetHistory.fromHours(rows.map((r) => [num(r.hour), num(r.off)] as const));
  }
  return new OffsetHistory();
}
