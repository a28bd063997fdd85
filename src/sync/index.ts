export { purgeDeadline, type SyncOptions, type SyncResult, syncPortal } from './sync.js';
