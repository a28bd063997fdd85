/**
 * Applies the schema migrations (migration-list.ts) and checks an archive's schema version.
 *
 * Each migration runs once, in order, inside one write transaction together with its row in
 * `schema_version`, so a crash leaves the archive at the previous version or the next, never
 * between. Concurrent processes are serialised: SQLite by `BEGIN IMMEDIATE` (see the backend's
 * transaction), PostgreSQL by a transaction-scoped advisory lock taken before anything else.
 */
import { type Kysely, sql } from 'kysely';
import { UsageError } from '../errors/index.js';
import type { Backend } from './backend.js';
import { buildDeferred } from './deferred-indexes.js';
import { MIGRATIONS, SCHEMA_VERSION, type StoreMigration } from './migration-list.js';
import type { ArchiveSchema } from './schema.js';

/** The schema that has `deferred_indexes`. */
const DEFERRED_INDEXES_SINCE = 12;

/** Key of the transaction-scoped advisory lock that serialises PostgreSQL migrations. */
const MIGRATION_LOCK = [0x646c6f67, 0] as const;

/** The version the archive is at: 0 when it has no schema yet. */
export async function schemaVersion(db: Kysely<ArchiveSchema>): Promise<number> {
  try {
    const row = await db
      .selectFrom('schema_version')
      .select((eb) => eb.fn.max('version').as('v'))
      .executeTakeFirst();
    return Number(row?.v ?? 0);
  } catch {
    return 0;
  }
}

export interface MigrationReport {
  from: number;
  to: number;
  applied: Array<{ version: number; name: string }>;
}

function tooNew(found: number, location: string): UsageError {
  return new UsageError(
    `The archive ${location} has schema version ${found}, newer than this docspace-logins knows ` +
      `(${SCHEMA_VERSION}): upgrade docspace-logins to use it`,
    { found, supported: SCHEMA_VERSION },
  );
}

/** An archive made by an older docspace-logins: a writable open would upgrade it. */
export class OutdatedSchemaError extends UsageError {}

/** Check that a read-only archive can be read by this version, without changing it. */
export async function checkSchema(backend: Backend): Promise<number> {
  const found = await schemaVersion(backend.db);
  if (found > SCHEMA_VERSION) throw tooNew(found, backend.location);
  if (found < SCHEMA_VERSION) {
    throw new (found === 0 ? UsageError : OutdatedSchemaError)(
      found === 0
        ? `${backend.location} is not a docspace-logins archive yet: run "docspace-logins sync" to create it`
        : `The archive ${backend.location} has schema version ${found}; this version needs ${SCHEMA_VERSION}: ` +
            'run "docspace-logins sync" once to upgrade it',
      { found, supported: SCHEMA_VERSION },
    );
  }
  return found;
}

/** Bring the schema up to date. Idempotent; a no-op (one read) when it already is. */
export async function migrate(
  backend: Backend,
  migrations: readonly StoreMigration[] = MIGRATIONS,
): Promise<MigrationReport> {
  const latest = migrations[migrations.length - 1]?.version ?? 0;
  const before = await schemaVersion(backend.db);
  if (before > latest) throw tooNew(before, backend.location);
  if (before === latest) return { from: before, to: before, applied: [] };

  return backend.transaction(async (db) => {
    if (backend.dialect === 'postgres') {
      await sql`select pg_advisory_xact_lock(${MIGRATION_LOCK[0]}, ${MIGRATION_LOCK[1]})`.execute(db);
    }
    await db.schema
      .createTable('schema_version')
      .ifNotExists()
      .addColumn('version', 'integer', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('applied_at', 'bigint', (c) => c.notNull())
      .execute();
    // Read again under the lock: another process may have migrated meanwhile.
    const from = await schemaVersion(db);
    if (from > latest) throw tooNew(from, backend.location);
    const applied: MigrationReport['applied'] = [];
    // A migration may change an index a first sync had deferred: build those first.
    if (from >= DEFERRED_INDEXES_SINCE) await buildDeferred(db);
    for (const m of migrations) {
      if (m.version <= from) continue;
      await m.up(db, backend.dialect);
      await db
        .insertInto('schema_version')
        .values({ version: m.version, name: m.name, applied_at: Date.now() })
        .execute();
      applied.push({ version: m.version, name: m.name });
    }
    return { from, to: latest, applied };
  });
}
