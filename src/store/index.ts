/**
 * The archive store: login events kept beyond the portal's retention, in SQLite or PostgreSQL.
 */
export { ArchiveStore } from './archive-store.js';
export type { SqlOptions } from './raw-sql.js';
export {
  type BackendCapabilities,
  type DialectName,
  READ_ONLY_SQL,
  redactUrl,
  type SqlResult,
  type SqlRows,
} from './backend.js';
export { ArchiveBusyError, type LockHolder } from './errors.js';
export type { ArchiveQuery, EventPosition, EventRange } from './events-read.js';
export type { InsertResult } from './events-write.js';
export type { Checkpoint, CoverageEntry, CoverageRecord, RunInfo, RunOutcome } from './ledger.js';
export type { LockOptions } from './locks.js';
export {
  FINDING_STATUSES,
  type FindingHistoryEntry,
  type FindingStatus,
  type FindingsQuery,
  type StatusChange,
  type StoredDetectState,
  type StoredFinding,
  type UpsertResult,
} from './findings.js';
export { MIGRATIONS, SCHEMA_VERSION } from './migration-list.js';
export type { MigrationReport } from './migrations.js';
export { isPostgresUrl, type OpenStoreOptions, openStore, resolveArchive } from './open.js';
export { type ServedFields, servedJson } from './original.js';
export type { ArchivedPerson, PeopleQuery, ReplacePeopleResult } from './people.js';
export type { PortalInfo, PortalPatch } from './portals.js';
export type { ResponsesQuery, StoredResponse, StoredResponseInput } from './responses.js';
export { type EventsQuery, type FilterParts, userCondition, whereEventFilter } from './query-filter.js';
export type { ReadonlyConnection, ReaderSpec } from './reader.js';
export { type Interval, mergeIntervals, subtractIntervals, toLoginEvent } from './rows.js';
export type { ArchiveSchema, CoverageKind, EventRow, PeopleTable, RunMode, RunStatus } from './schema.js';
export type { PortalStats } from './stats.js';
export type { DirectoryPerson, PersonRole, PersonStatus } from '../model/person.js';
