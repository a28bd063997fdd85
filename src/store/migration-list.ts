/**
 * The archive's schema history: every migration, in order, the same list for both dialects.
 * Only DDL differs between dialects (how an auto-increment key is spelt); queries never do.
 * The runner that applies them is migrations.ts.
 */
import { type Kysely, sql } from 'kysely';
import { outboxStatements } from '../alert/outbox-schema.js';
import { attributionKey } from '../model/attribution.js';
import type { DialectName } from './backend.js';
import { createFindingTables } from './findings-schema.js';
import { createMonthTables, rebuildMonths } from './rollup-months.js';
import { createRollupTables, dropRollupTables, rebuildRollups } from './rollups.js';

export interface StoreMigration {
  version: number;
  name: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations describe tables that the current types may not know.
  up(db: Kysely<any>, dialect: DialectName): Promise<void>;
}

/** `integer` auto-increment primary key, spelt the way each dialect wants it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- column builder of a table under construction.
function serialKey(dialect: DialectName): (col: any) => any {
  return dialect === 'postgres'
    ? (col) => col.generatedByDefaultAsIdentity().primaryKey()
    : (col) => col.primaryKey().autoIncrement();
}

export const MIGRATIONS: readonly StoreMigration[] = [
  {
    version: 1,
    name: 'archive tables',
    async up(db, dialect) {
      const id = serialKey(dialect);
      await db.schema
        .createTable('portals')
        .addColumn('id', 'integer', id)
        .addColumn('url', 'text', (c) => c.notNull().unique())
        .addColumn('name', 'text')
        .addColumn('timezone_offset', 'integer')
        .addColumn('retention_days', 'integer')
        .addColumn('audit', 'smallint')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('events')
        // Not a declared foreign key: see insertEvents, which checks the portal once per batch.
        .addColumn('portal_id', 'integer', (c) => c.notNull())
        .addColumn('id', 'bigint', (c) => c.notNull())
        .addColumn('time', 'bigint', (c) => c.notNull())
        .addColumn('offset_minutes', 'integer', (c) => c.notNull())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('user_name', 'text', (c) => c.notNull())
        .addColumn('login', 'text')
        .addColumn('anonymous', 'smallint', (c) => c.notNull())
        .addColumn('action_id', 'integer', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('ip', 'text', (c) => c.notNull())
        .addColumn('country', 'text', (c) => c.notNull())
        .addColumn('city', 'text', (c) => c.notNull())
        .addColumn('browser', 'text')
        .addColumn('platform', 'text')
        .addColumn('page', 'text')
        .addColumn('raw', 'text')
        .addColumn('inserted_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('events_pk', ['portal_id', 'id'])
        .execute();
      // Indexes cost most of an insert (each one is a B-tree to update, and SQLite rewrites every
      // page a transaction touched), so only the ones that turn a scan of the whole archive into
      // a lookup: time windows and newest-first paging (keyset on time, id); one user's history;
      // failures by the typed login (partial: most successful logins have no login). Per-IP and
      // per-country questions aggregate over a time window, which the time index serves.
      await db.schema.createIndex('events_time').on('events').columns(['portal_id', 'time', 'id']).execute();
      await db.schema
        .createIndex('events_user')
        .on('events')
        .columns(['portal_id', 'user_id', 'time'])
        .execute();
      await db.schema
        .createIndex('events_login')
        .on('events')
        .expression(sql`portal_id, lower(login), time`)
        .where(sql.ref('login'), 'is not', null)
        .execute();

      await db.schema
        .createTable('sync_runs')
        .addColumn('id', 'integer', id)
        .addColumn('portal_id', 'integer', (c) => c.notNull().references('portals.id'))
        .addColumn('started_at', 'bigint', (c) => c.notNull())
        .addColumn('finished_at', 'bigint')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('mode', 'text', (c) => c.notNull())
        .addColumn('events_seen', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('events_added', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('requests', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('error', 'text')
        .addColumn('pid', 'integer', (c) => c.notNull())
        .addColumn('host', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('sync_runs_portal')
        .on('sync_runs')
        .columns(['portal_id', 'started_at'])
        .execute();

      await db.schema
        .createTable('coverage')
        .addColumn('id', 'integer', id)
        .addColumn('portal_id', 'integer', (c) => c.notNull().references('portals.id'))
        .addColumn('from_time', 'bigint', (c) => c.notNull())
        .addColumn('to_time', 'bigint', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('complete', 'gap')`))
        .addColumn('run_id', 'integer', (c) => c.references('sync_runs.id'))
        .addColumn('note', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addCheckConstraint('coverage_bounds', sql`from_time <= to_time`)
        .execute();
      await db.schema
        .createIndex('coverage_portal')
        .on('coverage')
        .columns(['portal_id', 'kind', 'from_time'])
        .execute();

      await db.schema
        .createTable('checkpoints')
        .addColumn('portal_id', 'integer', (c) => c.primaryKey().references('portals.id'))
        .addColumn('newest_time', 'bigint', (c) => c.notNull())
        .addColumn('newest_id', 'bigint', (c) => c.notNull())
        .addColumn('run_id', 'integer', (c) => c.references('sync_runs.id'))
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('quarantine')
        .addColumn('id', 'integer', id)
        .addColumn('portal_id', 'integer', (c) => c.notNull().references('portals.id'))
        .addColumn('received_at', 'bigint', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('raw', 'text', (c) => c.notNull())
        .addColumn('run_id', 'integer', (c) => c.references('sync_runs.id'))
        .execute();
      await db.schema.createIndex('quarantine_portal').on('quarantine').columns(['portal_id']).execute();

      await db.schema
        .createTable('sync_locks')
        .addColumn('portal_id', 'integer', (c) => c.primaryKey().references('portals.id'))
        .addColumn('pid', 'integer', (c) => c.notNull())
        .addColumn('host', 'text', (c) => c.notNull())
        .addColumn('acquired_at', 'bigint', (c) => c.notNull())
        .execute();
    },
  },
  {
    version: 2,
    name: 'when the retention was last read',
    async up(db) {
      // The sync reads `loginHistoryLifeTime` again only when this is older than an hour, so an
      // up-to-date archive costs two requests (the quota and one page of history), not three.
      await db.schema.alterTable('portals').addColumn('retention_checked_at', 'bigint').execute();
    },
  },
  {
    version: 3,
    name: 'covering index for the reports',
    async up(db) {
      // Reports aggregate a period's events by hour, kind and the activity dimensions. With this
      // index they read no table row, and since its key is anonymity, the UTC hour and then the
      // columns they group by, SQLite aggregates in index order instead of sorting every event of
      // the period (see src/report/archive.ts, whose queries must spell the hour `time / 3600000`).
      // Anonymity first: a report that reads only one side reads only that side. Events arrive
      // newest first, hour by hour, so an insert lands next to the previous one of its kind.
      // `city` is left out: only the ips report needs it.
      await db.schema
        .createIndex('events_report')
        .on('events')
        .expression(
          sql`portal_id, anonymous, (${sql.ref('time')} / 3600000), offset_minutes, kind, country,
            user_id, lower(login), ip, browser, platform, user_name, ${sql.ref('time')}`,
        )
        .execute();
    },
  },
  {
    version: 4,
    name: 'people directory',
    async up(db) {
      // Who each user id is, so the archive can answer `--user someone@example.com` offline and
      // tell disabled and removed accounts apart. A member missing from a later read is marked
      // removed, not deleted: their events stay in the archive and still need a name.
      await db.schema
        .createTable('people')
        .addColumn('portal_id', 'integer', (c) => c.notNull().references('portals.id'))
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('display_name', 'text', (c) => c.notNull())
        .addColumn('user_name', 'text')
        .addColumn('email', 'text')
        .addColumn('status', 'smallint', (c) => c.notNull().check(sql`status in (1, 2, 4)`))
        .addColumn('role', 'text', (c) =>
          c.notNull().check(sql`role in ('owner', 'admin', 'room_admin', 'user', 'guest')`),
        )
        .addColumn('registered_at', 'bigint', (c) => c.notNull())
        .addColumn('terminated_at', 'bigint')
        .addColumn('read_at', 'bigint', (c) => c.notNull())
        .addColumn('removed_at', 'bigint')
        .addPrimaryKeyConstraint('people_pk', ['portal_id', 'id'])
        .execute();
    },
  },
  {
    version: 5,
    name: 'attribution key of typed logins',
    async up(db) {
      // `--user anna@…` selects the anonymous failures typed with Anna's e-mail or user name by
      // the attribution rule's key (model/attribution.ts: Unicode case folding, which neither
      // SQLite's ASCII-only lower() nor PostgreSQL's lower() does). The key is computed in
      // JavaScript when an event is written, so both databases compare exactly what a live read
      // compares. Old rows are keyed through a table of their distinct logins (few: people
      // retype the same addresses), in one pass over the anonymous events.
      await db.schema.alterTable('events').addColumn('login_key', 'text').execute();
      const logins = await db
        .selectFrom('events')
        .select('login')
        .distinct()
        .where('anonymous', '=', 1)
        .where('login', 'is not', null)
        .execute();
      if (logins.length) {
        await db.schema.createTable('login_keys_tmp').addColumn('login', 'text', (c) => c.primaryKey()).addColumn('login_key', 'text').execute();
        for (let i = 0; i < logins.length; i += 400) {
          const values = logins.slice(i, i + 400).map((r) => ({ login: r.login as string, login_key: attributionKey(r.login as string) }));
          await db.insertInto('login_keys_tmp').values(values).execute();
        }
        await sql`update events set login_key = (select k.login_key from login_keys_tmp k where k.login = events.login)
          where anonymous = 1 and login is not null`.execute(db);
        await db.schema.dropTable('login_keys_tmp').execute();
      }
      // The key replaces lower(login) as the way to a target's failures.
      await db.schema.dropIndex('events_login').execute();
      await db.schema
        .createIndex('events_login_key')
        .on('events')
        .columns(['portal_id', 'login_key', 'time'])
        .where(sql.ref('login_key'), 'is not', null)
        .execute();
    },
  },
  {
    version: 6,
    name: 'findings',
    // Detections kept between runs: findings, their status history, the engine's state, the login key.
    up: createFindingTables,
  },
  {
    version: 7,
    name: 'containment responses',
    async up(db, dialect) {
      await db.schema
        .createTable('responses')
        .addColumn('id', 'integer', serialKey(dialect))
        .addColumn('portal_id', 'integer', (c) => c.notNull().references('portals.id'))
        .addColumn('finding_id', 'text')
        .addColumn('action', 'text', (c) =>
          c.notNull().check(sql`action in ('logout-session', 'logout-user', 'disable-user')`),
        )
        .addColumn('target_user_id', 'text', (c) => c.notNull())
        .addColumn('target_session_id', 'bigint')
        .addColumn('outcome', 'text', (c) => c.notNull().check(sql`outcome in ('verified', 'unverified', 'failed')`))
        .addColumn('automatic', 'smallint', (c) => c.notNull().defaultTo(0))
        .addColumn('requests', 'text', (c) => c.notNull())
        .addColumn('verification', 'text')
        .addColumn('error', 'text')
        .addColumn('started_at', 'bigint', (c) => c.notNull())
        .addColumn('finished_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('responses_finding').on('responses').columns(['portal_id', 'finding_id']).execute();
      await db.schema.createIndex('responses_time').on('responses').columns(['portal_id', 'started_at']).execute();
    },
  },
  {
    version: 8,
    name: 'alert outbox',
    async up(db) {
      // The watcher queues alerts in the transaction that records the findings, so an alert can
      // neither be lost nor sent for a finding that was rolled back. The DDL is the outbox's own
      // (src/alert/outbox-schema.ts), written to mean the same on both databases.
      for (const statement of outboxStatements()) await sql.raw(statement).execute(db);
    },
  },
  {
    version: 9,
    name: 'rollups',
    async up(db) {
      // Counts per hour, per day and user / address / place / device, and per user and hour of
      // the week, kept by the insert path from now on (see rollups.ts). Filled by migration 10.
      await createRollupTables(db);
    },
  },
  {
    version: 10,
    name: 'rollups keep the newest event id',
    async up(db, dialect) {
      // Schema 9 as first made had no `last_id` (which orders users whose newest events share an
      // instant): the rollups are made again here and back-filled, once, from the archive's
      // events, by the same code the insert path runs.
      await dropRollupTables(db);
      await createRollupTables(db);
      await rebuildRollups(db, (q) => db.executeQuery(q), dialect);
    },
  },
  {
    version: 11,
    name: 'the week profile is read from the events',
    async up(db) {
      // A member's hour-of-week profile is asked for one member at a time (the user page), which
      // the events_user index answers; as a rollup it was 44% of the insert path's upserts.
      await db.schema.dropTable('rollup_user_week').ifExists().execute();
    },
  },
  {
    version: 12,
    name: 'indexes a first sync builds at its end',
    async up(db) {
      // The definitions of the indexes a first sync dropped to load faster, until it builds
      // them again (deferred-indexes.ts); empty otherwise.
      await db.schema
        .createTable('deferred_indexes')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('definition', 'text', (c) => c.notNull())
        .addColumn('deferred_at', 'bigint', (c) => c.notNull())
        .execute();
    },
  },
  {
    version: 13,
    name: 'monthly user rollup',
    async up(db) {
      // The users report over the whole history grouped every member day row (189,979 at 2M
      // events); the month table holds 12,363. Back-filled from the day table (rollup-months.ts).
      await createMonthTables(db);
      await rebuildMonths(db);
    },
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;
