/**
 * The monthly user rollup (schema 13): `rollup_user_days` grouped again by UTC calendar month,
 * for the questions that group every member's whole history (`report users --since all`), which
 * over the day table sort every day row (`day` sits in the middle of its key).
 *
 * One decision: the day table is the only place where events are attributed; a month row is a
 * pure GROUP BY of that month's day rows. It is not kept per event (within one sync batch a
 * month key is about as distinct as a day key, so it would double the insert path's upserts):
 *
 * - the insert path marks the months whose day rows it changed (`rollup_months_dirty`), in the
 *   transaction that changes them;
 * - the end of a sync (and a rebuild, and migration 13) groups the marked months again and
 *   clears their marks (`regroupMonths`), in one transaction;
 * - readers take a month from the month table only when it is not marked, and the day table's
 *   rows otherwise, so a sync interrupted before its regroup never gives a wrong answer.
 *
 * Months are numbered `year * 12 + month` (January = 0), UTC.
 */
import { CompiledQuery, type Kysely, sql } from 'kysely';
import type { DialectName } from './backend.js';
import type { RollupBatch } from './rollup-batch.js';
import type { WriteFn } from './rollups.js';
import type { ArchiveSchema } from './schema.js';

const DAY = 86_400_000;

/** The UTC month a UTC day falls in. */
export function monthOf(day: number): number {
  const d = new Date(day * DAY);
  return d.getUTCFullYear() * 12 + d.getUTCMonth();
}

/** The first UTC day of a month. */
export function firstDayOf(month: number): number {
  const year = Math.floor(month / 12);
  return Date.UTC(year, month - year * 12, 1) / DAY;
}

/** The columns a month row groups the day rows by; the rest are summed or spanned. */
const GROUP = ['user_id', 'kind', 'ip', 'country', 'browser', 'platform', 'email', 'name'] as const;

/**
 * Mark the months of a batch's member day rows as changed (to be grouped again), inside the
 * transaction that writes them. On PostgreSQL an existing mark is updated, not skipped, so that
 * a regroup deleting it waits for this transaction (and then sees its day rows) or runs first
 * (and this mark comes back).
 */
export async function markMonths(batch: RollupBatch, portalId: number, write: WriteFn, dialect: DialectName): Promise<void> {
  const months = [...new Set([...batch.memberDays()].map(monthOf))];
  if (!months.length) return;
  const ph = (i: number) => (dialect === 'postgres' ? `($1, $${i + 2})` : '(?, ?)');
  const text =
    `INSERT INTO rollup_months_dirty (portal_id, month) VALUES ${months.map((_, i) => ph(i)).join(', ')} ` +
    'ON CONFLICT (portal_id, month) DO UPDATE SET month = excluded.month';
  const parameters = dialect === 'postgres' ? [portalId, ...months] : months.flatMap((m) => [portalId, m]);
  await write(CompiledQuery.raw(text, parameters));
}

/** Whether a month (of one portal, or any) is marked. */
export async function anyMarked(db: Kysely<ArchiveSchema>, portalId?: number): Promise<boolean> {
  let q = db.selectFrom('rollup_months_dirty').select('month');
  if (portalId !== undefined) q = q.where('portal_id', '=', portalId);
  return (await q.limit(1).executeTakeFirst()) !== undefined;
}

/**
 * Group the marked months (of one portal, or all) again from the day table and clear their
 * marks. Run it inside a write transaction. Returns the months grouped.
 */
export async function regroupMonths(db: Kysely<ArchiveSchema>, portalId?: number): Promise<number> {
  let d = db.deleteFrom('rollup_months_dirty');
  if (portalId !== undefined) d = d.where('portal_id', '=', portalId);
  const marks = await d.returning(['portal_id', 'month']).execute();
  for (const m of marks) {
    const portal = Number(m.portal_id);
    const month = Number(m.month);
    await db.deleteFrom('rollup_user_months').where('portal_id', '=', portal).where('month', '=', month).execute();
    const rows = db
      .selectFrom('rollup_user_days')
      .select([
        sql<number>`${portal}`.as('portal_id'),
        sql<number>`${month}`.as('month'),
        ...GROUP,
        (eb) => eb.fn.sum<number>('events').as('events'),
        (eb) => eb.fn.min('first_time').as('first_time'),
        (eb) => eb.fn.max('last_time').as('last_time'),
      ])
      .where('portal_id', '=', portal)
      .where('day', '>=', firstDayOf(month))
      .where('day', '<', firstDayOf(month + 1))
      .groupBy([...GROUP]);
    await db
      .insertInto('rollup_user_months')
      .columns(['portal_id', 'month', ...GROUP, 'events', 'first_time', 'last_time'])
      .expression(rows)
      .execute();
  }
  return marks.length;
}

/**
 * Make the month table (of one portal, or all) again from the day table: every month with day
 * rows is marked, then grouped. Migration 12's back-fill, and the end of `rebuildRollups`.
 */
export async function rebuildMonths(db: Kysely<ArchiveSchema>, portalId?: number): Promise<number> {
  let clear = db.deleteFrom('rollup_user_months');
  if (portalId !== undefined) clear = clear.where('portal_id', '=', portalId);
  await clear.execute();
  let days = db.selectFrom('rollup_user_days').select(['portal_id', 'day']).distinct();
  if (portalId !== undefined) days = days.where('portal_id', '=', portalId);
  const marks = new Map<string, { portal_id: number; month: number }>();
  for (const r of await days.execute()) {
    const mark = { portal_id: Number(r.portal_id), month: monthOf(Number(r.day)) };
    marks.set(`${mark.portal_id}:${mark.month}`, mark);
  }
  const all = [...marks.values()];
  for (let i = 0; i < all.length; i += 500) {
    await db.insertInto('rollup_months_dirty').values(all.slice(i, i + 500)).onConflict((oc) => oc.doNothing()).execute();
  }
  return regroupMonths(db, portalId);
}

/** Migration 12's DDL: the month table and the marks. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations describe tables the current types may not know.
export async function createMonthTables(db: Kysely<any>): Promise<void> {
  let t = db.schema
    .createTable('rollup_user_months')
    .addColumn('portal_id', 'integer', (c) => c.notNull())
    .addColumn('month', 'integer', (c) => c.notNull());
  for (const col of GROUP) t = t.addColumn(col, 'text', (c) => (col === 'email' ? c : c.notNull()));
  for (const col of ['events', 'first_time', 'last_time']) t = t.addColumn(col, 'bigint', (c) => c.notNull());
  // No primary key: rows are only ever replaced a whole month at a time.
  await t.execute();
  await db.schema.createIndex('rollup_user_months_month').on('rollup_user_months').columns(['portal_id', 'month']).execute();
  await db.schema
    .createTable('rollup_months_dirty')
    .addColumn('portal_id', 'integer', (c) => c.notNull())
    .addColumn('month', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('rollup_months_dirty_pk', ['portal_id', 'month'])
    .execute();
}
