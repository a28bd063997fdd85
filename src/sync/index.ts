export { type StatusRow, statusRow } from './status.js';
export { purgeDeadline, type SyncOptions, type SyncResult, syncPortal } from './sync.js';
