/**
 * Rollups (schema 9; made again with `last_id` by schema 10): counts of the archived events kept
 * next to them, so that whole-history reports and the dashboard read thousands of rows instead of
 * millions of events.
 *
 * One piece of code makes them: `RollupBatch` (rollup-batch.ts) aggregates event rows in memory
 * (one entry per key), and `writeRollups` adds a batch to the tables: one-row upserts on SQLite,
 * multi-row upserts per table and chunk on PostgreSQL.
 * The insert path feeds it the rows it really added (never a duplicate), in the transaction that
 * adds the events, so the rollups and the events commit together; migration 10 feeds it every
 * event already archived (`rebuildRollups`), so an older archive is back-filled once, on upgrade.
 *
 * Rollups hold what the `events` table holds, no more and no less: quarantined events are not in
 * either; future-dated events are in both (reports show them, so rollups count them).
 *
 * Time keys are UTC: `hour` is `floor(time / 1h)`, `day` is `floor(time / 1 day)`; `rollup_hours`
 * keeps the portal's offset too, so the portal's own clock can be rebuilt.
 *
 * A member's hour-of-week profile is not a rollup (schema 11 dropped `rollup_user_week`): it is
 * asked for one member at a time, which the `events_user` index answers, while keeping it cost
 * the insert path 44% of its upserts (a row per member, hour of the week and kind, rewritten by
 * almost every batch).
 */
import { CompiledQuery, type Kysely } from 'kysely';
import type { DialectName } from './backend.js';
import type { ArchiveSchema } from './schema.js';

import { RollupBatch, type RollupRow as Row } from './rollup-batch.js';


/** Orders rows by the given key columns (numbers as numbers, text by code unit). */
function byKey(keys: readonly string[]): (a: Row, b: Row) => number {
  return (a, b) => {
    for (const k of keys) {
      const x = a[k];
      const y = b[k];
      if (x === y) continue;
      if (x === null) return -1;
      if (y === null) return 1;
      return x < y ? -1 : 1;
    }
    return 0;
  };
}

/** How a value column is combined when its key is already there. */
type Merge = 'sum' | 'min' | 'max' | 'name' | 'lastId' | 'least';

interface TableSpec {
  table: keyof ArchiveSchema & `rollup_${string}`;
  keys: readonly string[];
  values: Readonly<Record<string, Merge>>;
}

const DAY_VALUES: Readonly<Record<string, Merge>> = {
  events: 'sum',
  successes: 'sum',
  failures: 'sum',
  logouts: 'sum',
  first_time: 'min',
  last_time: 'max',
};

/** The rollup tables: their keys (the primary key, in order) and how each value merges. */
export const ROLLUP_TABLES: readonly TableSpec[] = [
  { table: 'rollup_hours', keys: ['portal_id', 'hour', 'offset_minutes', 'action_id', 'kind', 'anonymous'], values: { events: 'sum' } },
  {
    table: 'rollup_user_days',
    keys: ['portal_id', 'user_id', 'day', 'kind', 'ip', 'country', 'city', 'browser', 'platform'],
    // `name` and `last_id` follow `last_time`: each SET reads the row as it was, so order is free.
    values: { events: 'sum', first_time: 'min', name: 'name', last_id: 'lastId', last_time: 'max', email: 'least' },
  },
  {
    table: 'rollup_login_days',
    keys: ['portal_id', 'login_key', 'day', 'kind'],
    values: { events: 'sum', first_time: 'min', last_id: 'lastId', last_time: 'max' },
  },
  { table: 'rollup_ip_days', keys: ['portal_id', 'day', 'ip'], values: DAY_VALUES },
  { table: 'rollup_place_days', keys: ['portal_id', 'day', 'country', 'city'], values: DAY_VALUES },
  { table: 'rollup_device_days', keys: ['portal_id', 'day', 'browser', 'platform'], values: DAY_VALUES },
];


/** Runs one compiled write in the open transaction (the backend's batched-write fast path). */
export type WriteFn = (query: CompiledQuery) => Promise<unknown>;
/** Runs a one-row write once per parameter list in the open transaction (`BackendCapabilities.writeEach`). */
export type EachFn = (sql: string, rows: ReadonlyArray<readonly unknown[]>) => unknown;

/**
 * The upsert of `rows` rows into a rollup table. Text is compared byte-wise on both databases
 * (`COLLATE "C"` on PostgreSQL, SQLite's default), so the least e-mail and the name on a tie do
 * not depend on the server's locale.
 */
function upsertSql(spec: TableSpec, rows: number, dialect: DialectName): string {
  const columns = [...spec.keys, ...Object.keys(spec.values)];
  const c = dialect === 'postgres' ? ' COLLATE "C"' : '';
  let n = 0;
  const ph = () => (dialect === 'postgres' ? `$${++n}` : '?');
  const tuple = () => `(${columns.map(ph).join(', ')})`;
  const values = Array.from({ length: rows }, tuple).join(', ');
  const T = spec.table;
  const merge = (col: string, how: Merge): string => {
    const old = `${T}.${col}`;
    const add = `excluded.${col}`;
    switch (how) {
      case 'sum':
        return `${old} + ${add}`;
      case 'min':
        return `CASE WHEN ${add} < ${old} THEN ${add} ELSE ${old} END`;
      case 'max':
        return `CASE WHEN ${add} > ${old} THEN ${add} ELSE ${old} END`;
      case 'name':
        return `CASE WHEN excluded.last_time > ${T}.last_time OR (excluded.last_time = ${T}.last_time AND ${add}${c} > ${old}${c}) THEN ${add} ELSE ${old} END`;
      case 'lastId':
        return `CASE WHEN excluded.last_time > ${T}.last_time OR (excluded.last_time = ${T}.last_time AND ${add} > ${old}) THEN ${add} ELSE ${old} END`;
      case 'least':
        return `CASE WHEN ${old} IS NULL OR (${add} IS NOT NULL AND ${add}${c} < ${old}${c}) THEN ${add} ELSE ${old} END`;
    }
  };
  const set = Object.entries(spec.values)
    .map(([col, how]) => `${col} = ${merge(col, how)}`)
    .join(', ');
  return `INSERT INTO ${T} (${columns.join(', ')}) VALUES ${values} ON CONFLICT (${spec.keys.join(', ')}) DO UPDATE SET ${set}`;
}

/**
 * Rows per upsert statement: a batch's rows go in chunks of these sizes, largest first, so each
 * table has three statement shapes, each prepared once and reused (a statement per distinct
 * remainder would be parsed anew every batch). 256 rows of the widest table are 4,352 bound
 * values, far below SQLite's limit (32,766) and PostgreSQL's (65,535).
 */
const CHUNK_SIZES = [256, 16, 1] as const;

const statements = new Map<string, string>();

function statementFor(spec: TableSpec, rows: number, dialect: DialectName): string {
  const name = `${dialect}:${spec.table}:${rows}`;
  let text = statements.get(name);
  if (text === undefined) {
    if (statements.size > 256) statements.clear();
    text = upsertSql(spec, rows, dialect);
    statements.set(name, text);
  }
  return text;
}

/**
 * Add a batch to the rollup tables: per table, multi-row upserts in chunks of `CHUNK_SIZES`, or
 * one-row upserts through `each` where the backend has it (SQLite: see `writeEach`). Call it
 * inside the transaction that adds the batch's events.
 */
export async function writeRollups(batch: RollupBatch, write: WriteFn, dialect: DialectName, each?: EachFn): Promise<void> {
  if (batch.events === 0) return;
  for (const spec of ROLLUP_TABLES) {
    const rows = batch.rowsOf(spec.table);
    if (!rows.length) continue;
    // In primary-key order: consecutive upserts land on the same index pages.
    rows.sort(byKey(spec.keys));
    const columns = [...spec.keys, ...Object.keys(spec.values)];
    if (each) {
      each(statementFor(spec, 1, dialect), rows.map((r) => columns.map((col) => r[col])));
      continue;
    }
    for (let i = 0; i < rows.length; ) {
      const size = CHUNK_SIZES.find((c) => c <= rows.length - i)!;
      const chunk = rows.slice(i, i + size);
      i += size;
      const text = statementFor(spec, chunk.length, dialect);
      const parameters = new Array(chunk.length * columns.length);
      let k = 0;
      for (const r of chunk) for (const col of columns) parameters[k++] = r[col];
      await write(CompiledQuery.raw(text, parameters));
    }
  }
}


/** Events read per query while rebuilding, and aggregated before each write. */
const REBUILD_CHUNK = 20_000;
const REBUILD_FLUSH = 200_000;

const SOURCE_COLUMNS = [
  'portal_id',
  'id',
  'time',
  'offset_minutes',
  'user_id',
  'user_name',
  'login',
  'login_key',
  'anonymous',
  'action_id',
  'kind',
  'ip',
  'country',
  'city',
  'browser',
  'platform',
] as const;

/**
 * Empty the rollups (of one portal, or all) and make them again from the archived events, through
 * the same `RollupBatch` the insert path uses: migration 10's back-fill, and the repair for an
 * archive whose events were written by other means. Run it inside a write transaction.
 */
export async function rebuildRollups(
  db: Kysely<ArchiveSchema>,
  write: WriteFn,
  dialect: DialectName,
  portalId?: number,
): Promise<number> {
  for (const spec of ROLLUP_TABLES) {
    let d = db.deleteFrom(spec.table);
    if (portalId !== undefined) d = d.where('portal_id', '=', portalId);
    await d.execute();
  }
  let portals = (await db.selectFrom('portals').select('id').execute()).map((r) => Number(r.id));
  if (portalId !== undefined) portals = portals.filter((p) => p === portalId);
  let total = 0;
  for (const p of portals) {
    // A batch holds one portal's events.
    let batch = new RollupBatch();
    let after = Number.MIN_SAFE_INTEGER;
    for (;;) {
      const rows = await db
        .selectFrom('events')
        .select(SOURCE_COLUMNS)
        .where('portal_id', '=', p)
        .where('id', '>', after)
        .orderBy('id')
        .limit(REBUILD_CHUNK)
        .execute();
      for (const r of rows) {
        batch.add({ ...r, id: Number(r.id), time: Number(r.time), offset_minutes: Number(r.offset_minutes), anonymous: Number(r.anonymous) === 1 ? 1 : 0, action_id: Number(r.action_id) });
      }
      total += rows.length;
      if (batch.events >= REBUILD_FLUSH) {
        await writeRollups(batch, write, dialect);
        batch = new RollupBatch();
      }
      if (rows.length < REBUILD_CHUNK) break;
      after = Number(rows[rows.length - 1].id);
    }
    await writeRollups(batch, write, dialect);
  }
  return total;
}

/** Drop the rollup tables (migration 10 makes them again). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations describe tables the current types may not know.
export async function dropRollupTables(db: Kysely<any>): Promise<void> {
  for (const spec of ROLLUP_TABLES) await db.schema.dropTable(spec.table).ifExists().execute();
}

/** Migrations 9 and 10's DDL: the rollup tables with their keys as primary keys, and the period indexes. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations describe tables the current types may not know.
export async function createRollupTables(db: Kysely<any>): Promise<void> {
  const types: Record<string, 'integer' | 'bigint' | 'text' | 'smallint'> = {
    portal_id: 'integer',
    hour: 'integer',
    day: 'integer',
    offset_minutes: 'integer',
    action_id: 'integer',
    anonymous: 'smallint',
    events: 'bigint',
    successes: 'bigint',
    failures: 'bigint',
    logouts: 'bigint',
    first_time: 'bigint',
    last_time: 'bigint',
    last_id: 'bigint',
  };
  for (const spec of ROLLUP_TABLES) {
    let t = db.schema.createTable(spec.table);
    for (const col of [...spec.keys, ...Object.keys(spec.values)]) {
      const nullable = col === 'email';
      t = t.addColumn(col, types[col] ?? 'text', (c) => (nullable ? c : c.notNull()));
    }
    await t.addPrimaryKeyConstraint(`${spec.table}_pk`, [...spec.keys] as never).execute();
  }
  // Period questions over every user (unique users of a day, the dashboard's tables) read by day.
  await db.schema.createIndex('rollup_user_days_day').on('rollup_user_days').columns(['portal_id', 'day']).execute();
  await db.schema.createIndex('rollup_login_days_day').on('rollup_login_days').columns(['portal_id', 'day']).execute();
}
