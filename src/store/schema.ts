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

export interface SchemaVersionTable {
  version: number;
  name: string;
  applied_at: number;
}

/** Detection tables (findings-schema.ts) join the archive's own. */
export interface ArchiveSchema extends FindingTables {
  portals: PortalsTable;
  events: EventsTable;
  coverage: CoverageTable;
  sync_runs: SyncRunsTable;
  checkpoints: CheckpointsTable;
  quarantine: QuarantineTable;
  sync_locks: SyncLocksTable;
  people: PeopleTable;
  schema_version: SchemaVersionTable;
}

/** An archived event row as queries return it. */
export type EventRow = EventsTable;
