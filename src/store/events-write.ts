/**
 * Writing events: the batched, idempotent insert of the sync's hot path, and the quarantine
 * where events that fail validation are kept as received.
 */
import type { LoginEvent } from '../model/event.js';
import { type StoreContext, safeJson } from './context.js';
import type { EventInsert } from './insert.js';
import { RollupBatch } from './rollup-batch.js';
import { markMonths } from './rollup-months.js';
import { writeRollups } from './rollups.js';
import { toRow } from './rows.js';
import type { EventsTable } from './schema.js';

export interface InsertResult {
  /** New rows. */
  added: number;
  /** Already archived (same portal and id), including repeats within the batch. */
  duplicates: number;
  /** Failed validation and went to the quarantine instead. */
  quarantined: number;
}

/**
 * Archive events of one portal, inside the open transaction. Idempotent: an event already
 * archived (same portal and id) is counted as a duplicate and left as it is. The rollups get the
 * events really added, aggregated over the whole call and written at its end, in the same
 * transaction (one upsert row per rollup key, not a statement per event).
 */
export async function insertEvents(
  s: StoreContext,
  inserts: EventInsert,
  portalId: number,
  events: readonly LoginEvent[],
  raw?: ReadonlyArray<string | null | undefined>,
  receivedAt?: number,
): Promise<InsertResult> {
  const db = s.db;
  // events.portal_id is not a declared foreign key (checking it row by row costs PostgreSQL a
  // third of its insert rate), so check the portal once per call instead.
  const portal = await db.selectFrom('portals').select('id').where('id', '=', portalId).executeTakeFirst();
  if (!portal) throw new RangeError(`No portal with id ${portalId} in the archive: call ensurePortal first`);
  const now = receivedAt ?? Date.now();
  const perStatement = s.backend.capabilities.maxInsertRows;
  let added = 0;
  let quarantined = 0;
  let batch: EventsTable[] = [];
  const rollups = new RollupBatch();
  const each = s.backend.capabilities.writeEach;
  const flush = async () => {
    for (const row of await newRows(s, portalId, batch)) rollups.add(row);
    if (each) {
      const one = inserts.eachRow(batch);
      added += each(one.sql, one.rows);
    } else added += await s.backend.write(db, inserts.build(batch), batch.length === perStatement);
    batch = [];
  };
  for (let i = 0; i < events.length; i++) {
    const r = toRow(portalId, events[i], raw?.[i] ?? null, now);
    if ('reason' in r) {
      if (await quarantine(s, portalId, r.reason, raw?.[i] ?? safeJson(events[i]))) quarantined++;
      continue;
    }
    batch.push(r.row);
    if (batch.length === perStatement) await flush();
  }
  if (batch.length > 0) await flush();
  await writeRollups(rollups, (q) => s.backend.write(db, q, true), s.backend.dialect, each);
  await markMonths(rollups, portalId, (q) => s.backend.write(db, q), s.backend.dialect);
  return { added, duplicates: events.length - quarantined - added, quarantined };
}

/**
 * The rows of a batch that the insert will add: not archived yet, and the first of their id in
 * the batch. One range read of the primary key per batch: ids grow with time, so a batch's range
 * holds few archived ids but those it overlaps.
 */
async function newRows(s: StoreContext, portalId: number, rows: readonly EventsTable[]): Promise<EventsTable[]> {
  let low = Number.POSITIVE_INFINITY;
  let high = Number.NEGATIVE_INFINITY;
  for (const r of rows) {
    if (r.id < low) low = r.id;
    if (r.id > high) high = r.id;
  }
  const found = await s.db
    .selectFrom('events')
    .select('id')
    .where('portal_id', '=', portalId)
    .where('id', '>=', low)
    .where('id', '<=', high)
    .execute();
  const skip = new Set(found.map((r) => Number(r.id)));
  const out: EventsTable[] = [];
  for (const r of rows) {
    if (skip.has(r.id)) continue;
    skip.add(r.id);
    out.push(r);
  }
  return out;
}

/**
 * Keep an event that failed validation, as received, with the reason. The same invalid event is
 * served again on every sync that reads its span: it is kept once. Returns false when it was
 * already there.
 */
export async function quarantine(
  s: StoreContext,
  portalId: number,
  reason: string,
  raw: unknown,
  runId?: number | null,
): Promise<boolean> {
  const text = typeof raw === 'string' ? raw : safeJson(raw);
  return s.writing(async (db) => {
    const known = await db
      .selectFrom('quarantine')
      .select('id')
      .where('portal_id', '=', portalId)
      .where('raw', '=', text)
      .limit(1)
      .executeTakeFirst();
    if (known) return false;
    await db
      .insertInto('quarantine')
      .values({ portal_id: portalId, received_at: Date.now(), reason, raw: text, run_id: runId ?? null })
      .execute();
    return true;
  });
}

export async function quarantineCount(s: StoreContext, portalId?: number): Promise<number> {
  let q = s.db.selectFrom('quarantine');
  if (portalId !== undefined) q = q.where('portal_id', '=', portalId);
  const row = await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
  return Number(row?.n ?? 0);
}
