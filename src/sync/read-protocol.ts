/**
 * What the sync's reading thread and the main thread say to each other (src/sync/read-thread.ts
 * and read-worker.ts). Events travel in batches with the text `events.raw` keeps for each.
 */
import type { Page } from '../client/client.js';
import type { ThreadClientOptions } from '../client/thread-client.js';
import type { ClientStats, WaitNotice } from '../client/send.js';
import type { PostedError } from '../errors/index.js';
import type { EventFilter } from '../history/filter.js';
import type { InvalidEvent, ReadProgress, ReadSummary } from '../history/reader.js';
import type { LoginEvent, RawLoginEvent } from '../model/event.js';

export interface ReadSetup {
  client: ThreadClientOptions;
  filter: EventFilter;
  /** The history's first window, already read by the main thread (`ReadOptions.firstWindow`). */
  firstWindow?: Page<RawLoginEvent>;
  /** Forward the client's diagnostic lines and wait notices (only when the caller listens). */
  debug: boolean;
  wait: boolean;
  progress: boolean;
  /** Events posted and not yet taken before the reader pauses: the memory the thread may hold. */
  highWater: number;
}

export type FromReader =
  | { t: 'events'; events: LoginEvent[]; kept: Array<string | null>; stats: ClientStats }
  | { t: 'invalid'; invalid: InvalidEvent }
  | { t: 'unproven'; info: { time: number; reason: string } }
  | { t: 'progress'; progress: ReadProgress }
  | { t: 'wait'; notice: WaitNotice }
  | { t: 'debug'; line: string }
  | { t: 'done'; summary: ReadSummary; stats: ClientStats }
  | { t: 'error'; error: PostedError; stats: ClientStats };

/** `taken`: events the main thread has consumed so far (lets the reader go on). */
export type ToReader = { t: 'taken'; taken: number } | { t: 'stop' };
