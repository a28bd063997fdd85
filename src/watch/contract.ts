/**
 * What the watcher takes from incremental detection (src/detect/run.ts): the stored finding and
 * the call. Injected into the cycle as a function, so tests of the loop can also drive it with a
 * detection of their own making.
 */
import type { DetectNewOptions, DetectRunResult } from '../detect/run.js';
import type { ArchiveStore } from '../store/archive-store.js';
import type { FindingStatus, StoredFinding } from '../store/findings.js';

export type { DetectNewOptions };
export type WatchedFinding = StoredFinding;
export type StoredFindingStatus = FindingStatus;

/** Detection over the events archived since the last run; findings, state and `onChanged` commit together. */
export type DetectNew = (store: ArchiveStore, opts: DetectNewOptions) => Promise<Pick<DetectRunResult, 'events'> & Partial<DetectRunResult>>;
