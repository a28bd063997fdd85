// The watcher: sync, detect on what is new, queue alerts with the findings, deliver; in a loop.
export { findingRevision, groupingFor, suggestedResponse, toAlertFinding } from './alert-finding.js';
export { DEFAULT_FRESH_FOR_MS, HISTORY_SUMMARY_RULE, historySummary, isHistory } from './backlog.js';
export type { DetectNew, DetectNewOptions, StoredFindingStatus, WatchedFinding } from './contract.js';
export { type CycleReport, type PortalCycle, processAlive, runCycle, type WatchDeps, type WatchedPortal } from './cycle.js';
export { type Health, healthDocument, healthFile, healthServer } from './health.js';
export { cycleLine, type LogFormat } from './log.js';
export { sleep, watchLoop, type WatchLoopOptions } from './loop.js';
export { type WatchDestinations, watchDestinations } from './destinations.js';
