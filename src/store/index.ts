/**
 * The archive store: login events kept beyond the portal's retention, in SQLite or PostgreSQL.
 */
export { type DialectName, READ_ONLY_SQL, redactUrl, type SqlResult } from './backend.js';
export { ArchiveBusyError, type LockHolder } from './errors.js';
export { MIGRATIONS, type MigrationReport, SCHEMA_VERSION } from './migrations.js';
export { type ServedFields, servedJson } from './original.js';
export { type Interval, mergeIntervals, parseOffset, subtractIntervals, toLoginEvent } from './rows.js';
export type { ArchiveSchema, CoverageKind, EventRow, RunMode, RunStatus } from './schema.js';
export {
  type ArchiveQuery,
  ArchiveStore,
  type Checkpoint,
  type CoverageEntry,
  type CoverageRecord,
  type EventPosition,
  type InsertResult,
  isPostgresUrl,
  type LockOptions,
  type OpenStoreOptions,
  openStore,
  type PortalInfo,
  type PortalPatch,
  type PortalStats,
  type RunInfo,
  type RunOutcome,
  resolveArchive,
  type SqlOptions,
} from './store.js';
