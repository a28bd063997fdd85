/**
 * What the watcher needs from incremental detection (src/detect/run.ts `detectNew`): the shape
 * of a stored finding and of the call. Kept here as types only, so the loop can be driven by the
 * real detection or, in tests of the loop itself, by a stand-in.
 */
import type { Finding } from '../detect/types.js';
import type { RuleSpec } from '../detect/rule-schema.js';
import type { ArchiveStore } from '../store/index.js';

export type StoredFindingStatus = 'open' | 'acknowledged' | 'resolved' | 'suppressed';

/** A finding as the archive keeps it: detect's `Finding` plus its portal, status and history. */
export interface WatchedFinding extends Finding {
  portalId: number;
  status: StoredFindingStatus;
  history: ReadonlyArray<{ at: number; status: StoredFindingStatus; note?: string }>;
  createdAt: number;
  updatedAt: number;
}

export interface DetectNewOptions {
  portalId: number;
  rules: readonly RuleSpec[];
  params?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  secret?: string;
  /** Called inside the transaction that records the changed findings: what it writes through `tx` commits with them. */
  onChanged?: (changed: WatchedFinding[], tx: ArchiveStore) => Promise<void>;
}

/** Detection over the events archived since the last run, findings and state written in one transaction. */
export type DetectNew = (store: ArchiveStore, opts: DetectNewOptions) => Promise<unknown>;
