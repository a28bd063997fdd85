/**
 * One segment of an archive export: the events of one portal between two positions of the
 * archive's (time, id) order, read from SQLite and written in one text format. The main thread
 * and the export worker run the same code, so both halves of an export format identically.
 */
import type Database from 'better-sqlite3';
import type { LoginEvent } from '../model/event.js';
import { eventColumns, eventJson } from '../output/columns.js';
import { toEcs } from '../output/ecs.js';
import { createWriter } from '../output/index.js';
import { EVENT_FIELDS, valuesToLoginEvent } from '../store/rows.js';

/** The formats whose segments can be concatenated as text. */
export type SegmentFormat = 'ndjson' | 'ecs' | 'csv';

/** A position in the archive's newest-first order. */
export type Position = readonly [time: number, id: number];

export interface ExportPlan {
  file: string;
  portalId: number;
  since?: number;
  until?: number;
  kinds?: readonly string[];
  actionIds?: readonly number[];
  /** The event's user id is one of these (lower case)… */
  userIds?: readonly string[];
  /** …or the typed login is, case-insensitively (lower case). */
  logins?: readonly string[];
  format: SegmentFormat;
  /** CSV for Excel (BOM and CRLF). */
  excel?: boolean;
  /** The portal URL, for ECS `observer`. */
  portal?: string;
}

export interface Segment {
  /** First row: at or before this position (none: from the newest). */
  from?: Position;
  /** Stop before this position (none: to the oldest). */
  before?: Position;
  limit: number;
  /** Write the format's header (the CSV header row) before the rows. */
  header: boolean;
}

const marks = (n: number) => Array.from({ length: n }, () => '?').join(', ');

/** `WHERE` of every query of a plan, with its parameters: the archive store's filter, in SQLite. */
function scope(plan: ExportPlan): { where: string; params: Array<number | string> } {
  const where = ['portal_id = ?'];
  const params: Array<number | string> = [plan.portalId];
  if (plan.kinds?.length) {
    where.push(`kind IN (${marks(plan.kinds.length)})`);
    params.push(...plan.kinds);
  }
  if (plan.actionIds?.length) {
    where.push(`action_id IN (${marks(plan.actionIds.length)})`);
    params.push(...plan.actionIds);
  }
  const who: string[] = [];
  if (plan.userIds?.length) {
    who.push(`user_id IN (${marks(plan.userIds.length)})`);
    params.push(...plan.userIds);
  }
  if (plan.logins?.length) {
    who.push(`(login IS NOT NULL AND lower(login) IN (${marks(plan.logins.length)}))`);
    params.push(...plan.logins);
  }
  if (who.length) where.push(`(${who.join(' OR ')})`);
  if (plan.since !== undefined) {
    where.push('time >= ?');
    params.push(plan.since);
  }
  if (plan.until !== undefined) {
    where.push('time <= ?');
    params.push(plan.until);
  }
  return { where: where.join(' AND '), params };
}

/**
 * The position `offset` rows after `from` (inclusive), or undefined past the end. The query
 * walks only the `(portal_id, time, id)` index when the plan filters by time alone (a few ms per
 * boundary); other filters make it read the rows it steps over.
 */
export function positionAfter(
  db: Database.Database,
  plan: ExportPlan,
  from: Position | undefined,
  offset: number,
): Position | undefined {
  const { where, params } = scope(plan);
  const sql =
    `SELECT time, id FROM events WHERE ${where}${from ? ' AND (time, id) <= (?, ?)' : ''} ` +
    'ORDER BY time DESC, id DESC LIMIT 1 OFFSET ?';
  const row = db
    .prepare(sql)
    .raw(true)
    .get(...params, ...(from ?? []), offset) as [number, number] | undefined;
  return row ? [row[0], row[1]] : undefined;
}

/** Write a segment's events to `sink`; returns how many there were. */
export async function writeSegment(
  db: Database.Database,
  plan: ExportPlan,
  seg: Segment,
  sink: NodeJS.WritableStream,
): Promise<number> {
  const { where, params } = scope(plan);
  let sql = `SELECT ${EVENT_FIELDS.join(', ')} FROM events WHERE ${where}`;
  const args: Array<number | string> = [...params];
  if (seg.from) {
    sql += ' AND (time, id) <= (?, ?)';
    args.push(...seg.from);
  }
  if (seg.before) {
    sql += ' AND (time, id) > (?, ?)';
    args.push(...seg.before);
  }
  sql += ' ORDER BY time DESC, id DESC LIMIT ?';
  args.push(seg.limit);
  const writer = createWriter<LoginEvent>(plan.format, {
    columns: eventColumns,
    sink,
    json: eventJson,
    ecs: (e) => toEcs(e, { portal: plan.portal }),
    excel: plan.excel,
    header: seg.header,
  });
  let n = 0;
  for (const values of db.prepare(sql).raw(true).iterate(...args) as IterableIterator<unknown[]>) {
    await writer.write(valuesToLoginEvent(values));
    n++;
  }
  await writer.end();
  return n;
}
