/** What a sync of one portal is asked (`SyncOptions`) and what it answers (`SyncResult`). */
import type { ReadProgress } from '../history/reader.js';
import type { SyncHead } from './head.js';
import type { PeopleRefresh } from './people.js';

/** A step of a sync after its read that may take a while: said on a terminal so the bar does not sit at 100%. */
export type SyncStage = 'indexes';

export interface SyncOptions {
  /**
   * Re-read this much before the newest archived event. Default: 15 minutes, but no further back
   * than the `OVERLAP_EVENTS` newest archived events, so that a sync with nothing new reads one
   * window of the portal's list however dense its history. A value given here is re-read in full.
   */
  overlapMs?: number;
  /** Commit after this many events (default 5,000) or 2 seconds, whichever comes first. */
  batchSize?: number;
  /**
   * Read a first sync's whole history on a worker thread, beside this thread's inserts (default
   * false: the library's tests run its sources, where the worker's file is not built). The CLI
   * turns it on. Ignored for a client that cannot be made again on another thread.
   */
  readThread?: boolean;
  /** Wait for another sync of the same portal instead of failing at once. */
  wait?: boolean;
  /** `floor`: the oldest instant this run will reach (the checkpoint minus the overlap, or the retention limit). */
  onProgress?: (p: ReadProgress & { floor: number; now: number }) => void;
  /** A step after the read begins (the indexes of a first sync being built: seconds per million events). */
  onStage?: (stage: SyncStage) => void;
  /**
   * The portal's first requests, sent by the caller before it opened the archive (`new
   * SyncHead(client)`, for the same client). Without it they are sent as the sync begins.
   */
  head?: SyncHead;
  /** Identity of the portal in the archive (default: the client's URL); `--demo` uses a fixed one. */
  portalKey?: string;
  onWarning?: (message: string) => void;
  /** Stop early (SIGINT): the current batch is committed, the checkpoint is not moved. */
  signal?: AbortSignal;
  now?: () => number;
  /**
   * Events dated later than the run's start plus this much (default 10 minutes) are archived but
   * never move the checkpoint or the proven coverage: DocSpace's OAuth service writes rows on its
   * own clock, and a broken or hostile server can send any date. One such event used as the
   * checkpoint would make every later sync stop above the real new events.
   */
  futureToleranceMs?: number;
}

export interface SyncResult {
  portal: string;
  portalId: number;
  mode: 'audit' | 'last20';
  /** Events the run saw (after de-duplication). */
  seen: number;
  /** Events new to the archive. */
  added: number;
  quarantined: number;
  /** Events dated in the future (beyond the tolerance): archived, but not trusted as the checkpoint. */
  future: number;
  /** What became of the people directory (read when stale or when new events name unknown ids). */
  people?: PeopleRefresh;
  requests: number;
  durationMs: number;
  /** The period this run proved complete, if any. */
  covered?: { from: number; to: number };
  /** A gap this run found (events the portal no longer has, or more than 20 new between polls). */
  gap?: { from: number; to: number; advice: string };
  /** The run was interrupted before it finished (the checkpoint did not move). */
  interrupted: boolean;
  retentionDays: number;
}

export type PartialResult = Omit<
  SyncResult,
  'portal' | 'portalId' | 'mode' | 'retentionDays' | 'requests' | 'durationMs'
> & { userIds?: ReadonlySet<string> };
