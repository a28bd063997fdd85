/**
 * A first sync into an empty archive builds the secondary indexes of events and rollups once,
 * after its last insert, instead of updating them row by row: an index built over loaded rows is
 * one sort, while keeping it up to date touches a random page per row and index. Measured on 1M
 * of the emulator's events into SQLite (CPU time, the raw insert loop of bench/tasks): inserts
 * 20–22 s with the indexes kept, 11 s without them plus 6 s to build them at the end.
 *
 * The definitions dropped are recorded in `deferred_indexes` in the same transaction as the drop,
 * so a run that dies half-way leaves the archive correct (queries only slower) and the next writer
 * builds them (`restoreIndexes`, called by every sync and before migrations). Only where the
 * backend can read an index's definition back (`capabilities.indexDefinitions`: both do).
 */
import { sql } from 'kysely';
import type { Db, StoreContext } from './context.js';

/**
 * Indexes no insert needs. `events_time` stays: reads of the newest events during a long first
 * sync (`events --archive`, `status`) keep their index, and the primary keys stay (they decide
 * what is a duplicate).
 */
const DEFERRABLE = ['events_user', 'events_report', 'events_login_key', 'rollup_user_days_day', 'rollup_login_days_day'];

/**
 * Drop the deferrable indexes when the archive holds no event of any portal (an index serves every
 * portal, and only a load from nothing gains), recording their definitions. Returns the names
 * dropped: none when the archive already has events, the backend cannot, or they were deferred by
 * a run before (then they stay deferred until that run's `restoreIndexes` or the next one).
 */
export async function deferIndexes(ctx: StoreContext): Promise<string[]> {
  const definitions = ctx.backend.capabilities.indexDefinitions;
  if (!definitions || ctx.backend.readOnly) return [];
  const names = await ctx.transaction(async (tx) => {
    const db = tx.db;
    await oneAtATime(tx);
    if (await db.selectFrom('events').select('portal_id').limit(1).executeTakeFirst()) return [];
    const found = await definitions(db, DEFERRABLE);
    if (!found.length) return [];
    const at = Date.now();
    for (const { name, definition } of found) {
      await db.insertInto('deferred_indexes').values({ name, definition, deferred_at: at }).onConflict((oc) => oc.doNothing()).execute();
      await db.schema.dropIndex(name).ifExists().execute();
    }
    return found.map((f) => f.name);
  });
  if (names.length) await ctx.backend.capabilities.bulkLoad?.(true);
  return names;
}

/**
 * Build every index a run deferred, in one transaction, and forget it. One read when there is
 * none. Returns how many were built.
 */
export async function restoreIndexes(ctx: StoreContext): Promise<number> {
  const caps = ctx.backend.capabilities;
  if (ctx.backend.readOnly || !caps.indexDefinitions) return 0;
  try {
    const pending = await ctx.db.selectFrom('deferred_indexes').select('name').limit(1).executeTakeFirst();
    // Read again under the write lock: another writer may have built them meanwhile.
    return pending
      ? await ctx.transaction(async (tx) => {
          await oneAtATime(tx);
          return buildDeferred(tx.db);
        })
      : 0;
  } finally {
    await caps.bulkLoad?.(false);
  }
}

/**
 * Serialize the transactions that drop or build deferred indexes. SQLite has one writer at a
 * time already; on PostgreSQL two first syncs of different portals into one empty archive would
 * each drop (or build) indexes, every DROP INDEX locking the events table, in an order of their
 * own: a deadlock. The table lock is held until the transaction ends; plain reads go on.
 */
async function oneAtATime(tx: StoreContext): Promise<void> {
  if (tx.backend.dialect === 'postgres') await sql`lock table deferred_indexes in exclusive mode`.execute(tx.db);
}

/** @internal Build the recorded indexes on `db`, inside its transaction (also run by `migrate`). */
export async function buildDeferred(db: Db): Promise<number> {
  const rows = await db.selectFrom('deferred_indexes').select(['name', 'definition']).execute();
  for (const { definition } of rows) {
    // SQLite keeps a definition without its IF NOT EXISTS.
    await sql.raw(definition.replace(/^CREATE (UNIQUE )?INDEX /i, 'CREATE $1INDEX IF NOT EXISTS ')).execute(db);
  }
  if (rows.length) await db.deleteFrom('deferred_indexes').execute();
  return rows.length;
}
