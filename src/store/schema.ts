/**
 * The archive's tables as the typed query layer sees them. One schema for SQLite and PostgreSQL:
 * instants are epoch milliseconds in 64-bit integers and flags are 0/1 integers, so the same
 * queries (and the same hand-written `sql` examples) work on both.
 */
import type { Generated } from 'kysely';
import type { PersonRole } from '../model/person.js';
import type { FindingTables } from './findings-schema.js';

/** 0 or 1: booleans are stored as integers so SQLite and PostgreSQL read and write them alike. */
export type Flag = 0 | 1;

export type CoverageKind = 'complete' | 'gap';
export type RunMode = 'audit' | 'last20';
/** `running` until finished; a run whose process died is marked `interrupted` by the next run. */
export type RunStatus = 'running' | 'ok' | 'partial' | 'failed' | 'interrupted';

export interface PortalsTable {
  id: Generated<number>;
  /** Normalised origin, e.g. `https://acme.onlyoffice.com`. */
  url: string;
  name: string | null;
  /** The portal's UTC offset in minutes, as its latest events showed it. */
  timezone_offset: number | null;
  /** `loginHistoryLifeTime` in days, as last read. */
  retention_days: number | null;
  /** When `retention_days` was read from the portal (epoch ms). */
  retention_checked_at: number | null;
  /** The plan's `audit` feature (1 = full history reachable, 0 = only the 20 newest). */
  audit: Flag | null;
  created_at: number;
  updated_at: number;
}

export interface EventsTable {
  portal_id: number;
  /** DocSpace's event id, unique per portal. */
  id: number;
  /** UTC instant, epoch ms. */
  time: number;
  /** The portal's offset at that instant, minutes east of UTC. */
  offset_minutes: number;
  user_id: string;
  user_name: string;
  login: string | null;
  /** `attributionKey(login)` for anonymous events with a login, else null (model/attribution.ts). */
  login_key: string | null;
  anonymous: Flag;
  action_id: number;
  kind: string;
  action: string;
  ip: string;
  country: string;
  city: string;
  browser: string | null;
  platform: string | null;
  page: string | null;
  /** The event exactly as the server sent it (JSON), when the caller kept it. */
  raw: string | null;
  inserted_at: number;
}

export interface CoverageTable {
  id: Generated<number>;
  portal_id: number;
  /** Inclusive bounds, epoch ms. */
  from_time: number;
  to_time: number;
  kind: CoverageKind;
  run_id: number | null;
  note: string | null;
  created_at: number;
}

export interface SyncRunsTable {
  id: Generated<number>;
  portal_id: number;
  started_at: number;
  finished_at: number | null;
  status: RunStatus;
  mode: RunMode;
  events_seen: number;
  events_added: number;
  requests: number;
  error: string | null;
  pid: number;
  host: string;
}

export interface CheckpointsTable {
  portal_id: number;
  newest_time: number;
  newest_id: number;
  run_id: number | null;
  updated_at: number;
}

export interface QuarantineTable {
  id: Generated<number>;
  portal_id: number;
  received_at: number;
  reason: string;
  raw: string;
  run_id: number | null;
}

/** Who holds a portal's sync lock: information for the "busy" message, not the lock itself. */
export interface SyncLocksTable {
  portal_id: number;
  pid: number;
  host: string;
  acquired_at: number;
}

/** A portal's people directory as last read; a member gone from a complete read is kept, marked removed. */
export interface PeopleTable {
  portal_id: number;
  /** The user's GUID, lower-case. */
  id: string;
  display_name: string;
  user_name: string | null;
  email: string | null;
  /** 1 active, 2 disabled, 4 invited. */
  status: number;
  role: PersonRole;
  registered_at: number;
  terminated_at: number | null;
  /** When the directory was read that last listed this member (epoch ms). */
  read_at: number;
  /** When a complete read first missed this member (epoch ms); null while listed. */
  removed_at: number | null;
}

/**
 * What `respond` did on a portal (schema 7): the requests sent, the portal's answers (trimmed)
 * and the verification read back, next to the finding that prompted it. JSON in text columns.
 */
export interface ResponsesTable {
  id: Generated<number>;
  portal_id: number;
  /** The finding it answered, if any. */
  finding_id: string | null;
  action: string;
  /** The member's GUID. */
  target_user_id: string;
  /** The session's login-event id (logout-session). */
  target_session_id: number | null;
  /** `verified`, `unverified` or `failed`. */
  outcome: string;
  /** 1 when a watcher responded on its own (what `autoRespondPolicy`'s hourly cap counts), else 0. */
  automatic: number;
  /** JSON: the requests as sent, each with its status and answer; never a credential. */
  requests: string;
  /** JSON: the checks made afterwards. */
  verification: string | null;
  error: string | null;
  started_at: number;
  finished_at: number;
}

export interface SchemaVersionTable {
  version: number;
  name: string;
  applied_at: number;
}

/**
 * Rollups (schema 9): counts kept by the sync's insert path in the transaction that adds the
 * events, so whole-history reports and the dashboard never scan millions of rows. `hour` is the
 * UTC hour (`time / 3600000`), `day` the UTC day (`time / 86400000`); `browser`/`platform` are
 * `''` when the event had none (key columns cannot be null). See `rollups.ts`.
 */
export interface RollupHoursTable {
  portal_id: number;
  hour: number;
  offset_minutes: number;
  action_id: number;
  kind: string;
  anonymous: Flag;
  events: number;
}

/** A member's own (non-anonymous) events per UTC day and kind, place and device. */
export interface RollupUserDaysTable {
  portal_id: number;
  user_id: string;
  day: number;
  kind: string;
  ip: string;
  country: string;
  city: string;
  browser: string;
  platform: string;
  events: number;
  first_time: number;
  last_time: number;
  /** The id of the newest of these events (the greatest on a tie): orders users as a newest-first read does. */
  last_id: number;
  /** The user name on the newest of these events (at `last_time`), the greatest on a tie. */
  name: string;
  /** The least typed login containing `@` among these events, lower case (an e-mail the events carried). */
  email: string | null;
}

/**
 * `rollup_user_days` grouped again by UTC month (`year * 12 + month`, January = 0) and by the
 * columns the users report reads (schema 12, rollup-months.ts); no last_id, no city. `name` and
 * `email` are keys here: a month row per name and e-mail its day rows carried.
 */
export interface RollupUserMonthsTable {
  portal_id: number;
  month: number;
  user_id: string;
  kind: string;
  ip: string;
  country: string;
  browser: string;
  platform: string;
  email: string | null;
  name: string;
  events: number;
  first_time: number;
  last_time: number;
}

/** Months whose day rows changed since the month table last grouped them: read from the day table. */
export interface RollupMonthsDirtyTable {
  portal_id: number;
  month: number;
}

/** Anonymous events per attribution key of the typed login (`''`: none typed), UTC day and kind: who was aimed at. */
export interface RollupLoginDaysTable {
  portal_id: number;
  login_key: string;
  day: number;
  kind: string;
  events: number;
  first_time: number;
  last_time: number;
  /** The id of the newest of these events (the greatest on a tie). */
  last_id: number;
}

/** Events per UTC day and one dimension value (anonymous ones included): source address, place, or device. */
interface DayCounts {
  portal_id: number;
  day: number;
  events: number;
  successes: number;
  failures: number;
  logouts: number;
  first_time: number;
  last_time: number;
}
export interface RollupIpDaysTable extends DayCounts {
  ip: string;
}
export interface RollupPlaceDaysTable extends DayCounts {
  country: string;
  city: string;
}
export interface RollupDeviceDaysTable extends DayCounts {
  browser: string;
  platform: string;
}

/** A member's own events per hour of the week (UTC, Monday 00:00 = 0) and offset: the baseline. */
export interface ArchiveSchema extends FindingTables {
  rollup_hours: RollupHoursTable;
  rollup_user_days: RollupUserDaysTable;
  rollup_user_months: RollupUserMonthsTable;
  rollup_months_dirty: RollupMonthsDirtyTable;
  rollup_login_days: RollupLoginDaysTable;
  rollup_ip_days: RollupIpDaysTable;
  rollup_place_days: RollupPlaceDaysTable;
  rollup_device_days: RollupDeviceDaysTable;
  portals: PortalsTable;
  events: EventsTable;
  coverage: CoverageTable;
  sync_runs: SyncRunsTable;
  checkpoints: CheckpointsTable;
  quarantine: QuarantineTable;
  sync_locks: SyncLocksTable;
  people: PeopleTable;
  responses: ResponsesTable;
  schema_version: SchemaVersionTable;
  deferred_indexes: DeferredIndexesTable;
}

/** An index a first sync dropped, until it builds it again (deferred-indexes.ts). */
export interface DeferredIndexesTable {
  name: string;
  definition: string;
  deferred_at: number;
}

/** An archived event row as queries return it. */
export type EventRow = EventsTable;
