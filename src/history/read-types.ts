/** What a read of the login history takes and gives: its options, progress, summary and the events it yields. */
import type { Page } from '../client/client.js';
import type { LoginEvent, RawLoginEvent } from '../model/event.js';

export interface InvalidEvent {
  reason: string;
  raw: unknown;
}

export interface ReadProgress {
  /** Windows accepted so far. */
  pages: number;
  /** Distinct events seen (before the user's filters). */
  scanned: number;
  /** Events that matched and were yielded. */
  matched: number;
  /** Oldest instant covered so far (epoch ms). */
  oldest?: number;
  /** Newest instant seen (epoch ms). */
  newest?: number;
}

export interface ReadOptions {
  /**
   * Windows in flight at once; defaults to the client's concurrency (when it is no more than the
   * client's, as many again wait in the client's limiter, ready to go out as answers arrive).
   */
  concurrency?: number;
  /** Positions shared by adjacent windows (default 4). */
  overlap?: number;
  /**
   * Start with one window in flight and double while more are needed. Default: when the read
   * is bounded by `since` or `limit`.
   */
  rampUp?: boolean;
  /** Stop after this many matching events. */
  limit?: number;
  onProgress?: (p: ReadProgress) => void;
  onInvalid?: (e: InvalidEvent) => void;
  /** A boundary between windows whose completeness could not be proven. */
  onUnproven?: (info: { time: number; reason: string }) => void;
  signal?: AbortSignal;
  /** Keep with each event the object the portal served (`raw`), for `event.original` and sync. */
  raw?: boolean;
  /**
   * The first window (`startIndex` 0, a full page), already requested by the caller: a sync asks
   * for it together with the portal's quota, so the two requests share one round trip. Used in
   * place of requesting that window (once).
   */
  firstWindow?: Promise<Page<RawLoginEvent>>;
}

export interface ReadSummary extends ReadProgress {
  /** True when the end of the history (or the `since` bound) was reached with every boundary proven. */
  complete: boolean;
  /** Reached the oldest event the portal still has. */
  reachedEnd: boolean;
  unproven: number;
  invalid: number;
  requests: number;
}

/**
 * What a read yields: the normalised event, and with `raw: true` the object the portal served
 * for it (unknown fields and key order kept).
 */
export interface ReadEvent {
  event: LoginEvent;
  raw?: RawLoginEvent;
}
