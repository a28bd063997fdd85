/**
 * docspace-logins as a library: the same pieces the CLI is built from.
 */
export {
  type ClientOptions,
  type ClientStats,
  DEFAULT_CONCURRENCY,
  DocSpaceClient,
  describeWait,
  type FilterQuery,
  MAX_CONCURRENCY,
  MAX_PAGE_SIZE,
  type Page,
  type WaitNotice,
} from './client/client.js';
export {
  type ConnectionSettings,
  type Credentials,
  normalisePortalUrl,
  resolveConnection,
} from './client/config.js';
export {
  AuthenticationError,
  DocSpaceLoginsError,
  type ErrorCode,
  IncompleteError,
  IoError,
  NoProgressError,
  NotDocSpaceError,
  PermissionError,
  RateLimitError,
  ResponseShapeError,
  UnavailableError,
  UsageError,
} from './errors/index.js';
export { DEFAULT_RETRY, type RetryPolicy } from './client/retry.js';
export type { ActiveConnections, AuditSettings, Person, Quota } from './client/schemas.js';
export { type EmulatorOptions, type RunningEmulator, startEmulator } from './emulator/server.js';
export { compileFilter, type EventFilter } from './history/filter.js';
export {
  type HistorySummary,
  type LoginHistory,
  loginHistory,
} from './history/history.js';
export { type PortalCapabilities, probePortal } from './history/portal.js';
export {
  type ReadEvent,
  type ReadOptions,
  type ReadProgress,
  type ReadSummary,
  readHistory,
  readLatest,
} from './history/reader.js';
export { type UniqueUsers, uniqueUsers } from './history/users.js';
export { type UserActivity, UserActivityCollector } from './report/user-activity.js';
export {
  ACTIONS,
  type ActionInfo,
  type ActionKind,
  actionCodes,
  actionKind,
  actionLabel,
} from './model/actions.js';
export {
  eventSubject,
  eventTime,
  type LoginEvent,
  normaliseEvent,
  type RawLoginEvent,
} from './model/event.js';
export { GUEST_ID, isAnonymousId, isGuid } from './model/ids.js';
export { eventJson, type LoginEventJson } from './output/columns.js';
export { formatApiDate, formatAtOffset, parseApiDate, parseDuration, parseTimeInput } from './model/time.js';
