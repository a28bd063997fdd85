// The archive kept up to date: sync a portal into the store, read its people, and sum up its status.
export { SyncHead } from './head.js';
export { type StatusRow, statusRow } from './status.js';
export { purgeDeadline, type SyncOptions, type SyncResult, type SyncStage, syncPortal } from './sync.js';
