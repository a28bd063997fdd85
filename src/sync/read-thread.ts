/**
 * The sync's read of the history, with the text `events.raw` keeps for each event: on this thread,
 * or on a worker thread of its own (read-worker.ts) so that fetching, parsing and validating the
 * next pages run while this thread writes the last ones. Both yield the same events in the same
 * order and end with the same summary; the worker's requests count in the client's stats.
 */
import type { DocSpaceClient } from '../client/client.js';
import type { ThreadClient } from '../client/thread-client.js';
import type { ClientStats } from '../client/send.js';
import { reviveError } from '../errors/index.js';
import type { EventFilter } from '../history/filter.js';
import { type ReadOptions, type ReadSummary, readHistory } from '../history/reader.js';
import type { LoginEvent } from '../model/event.js';
import { rawToKeep } from '../store/original.js';
import type { FromReader, ReadSetup, ToReader } from './read-protocol.js';

/** Set by the CLI bundle, whose chunks sit one folder below the worker's entry point. */
declare const READ_WORKER: string | undefined;

/**
 * Events in the order read, each with what `events.raw` keeps for it (`kept[i]` is `events[i]`'s;
 * see rawToKeep). A run of them at a time: the worker's messages as they come, so the sync's loop
 * awaits once per message, not once per event.
 */
export interface KeptEvents {
  events: readonly LoginEvent[];
  kept: ReadonlyArray<string | null>;
}

/** `firstWindow`: a page already asked for; a worker is handed it as answered (or asks again if it failed). */
type Callbacks = Pick<ReadOptions, 'onInvalid' | 'onUnproven' | 'onProgress' | 'firstWindow'>;

/** Events the worker may read ahead of what this thread has taken (about 1 MB of them). */
const HIGH_WATER = 2_000;

/**
 * Read on a worker thread when `thread` is set and the client can be made again there
 * (`DocSpaceClient.forThread`), otherwise here.
 */
export function readForSync(
  client: DocSpaceClient,
  filter: EventFilter,
  cb: Callbacks,
  thread: boolean,
): AsyncGenerator<KeptEvents, ReadSummary, undefined> {
  const spec = thread ? client.forThread() : undefined;
  return spec ? readOnWorker(client, spec, filter, cb) : readHere(client, filter, cb);
}

async function* readHere(client: DocSpaceClient, filter: EventFilter, cb: Callbacks): AsyncGenerator<KeptEvents, ReadSummary, undefined> {
  const reader = readHistory(client, filter, { ...cb, raw: true });
  try {
    for (;;) {
      const step = await reader.next();
      if (step.done) return step.value;
      yield { events: [step.value.event], kept: [rawToKeep(step.value.raw!, step.value.event)] };
    }
  } finally {
    await reader.return(undefined as never);
  }
}

async function* readOnWorker(
  client: DocSpaceClient,
  spec: ThreadClient,
  filter: EventFilter,
  cb: Callbacks,
): AsyncGenerator<KeptEvents, ReadSummary, undefined> {
  const setup: ReadSetup = {
    client: spec.options,
    filter,
    firstWindow: await cb.firstWindow?.catch(() => undefined),
    debug: spec.onDebug !== undefined,
    wait: spec.onWait !== undefined,
    progress: cb.onProgress !== undefined,
    highWater: HIGH_WATER,
  };
  const url = new URL(typeof READ_WORKER === 'string' ? READ_WORKER : './read-worker.js', import.meta.url);
  // A young generation as small as the main thread's (main.ts): the worker's garbage is short-lived.
  // Its live data is the windows in flight and queued (two per request slot, 100 events each) and
  // a batch: a few MB. Without a cap V8 lets the old generation grow far past that before
  // collecting it: measured on a 1M-event first sync, 252 MB resident uncapped, 209 MB at 40 MB.
  const oldMb = 32 + (spec.options.concurrency ?? 8);
  // Loaded here: an incremental sync reads on this thread and never needs the module.
  const { Worker } = await import('node:worker_threads');
  const worker = new Worker(url, { workerData: setup, resourceLimits: { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: oldMb } });
  spec.onDebug?.('reading the history on a worker thread');
  const inbox: FromReader[] = [];
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  worker.on('message', (m: FromReader) => {
    inbox.push(m);
    wake?.();
  });
  worker.on('error', (err) => {
    failure ??= err;
    wake?.();
  });
  worker.on('exit', (code) => {
    failure ??= new Error(`the read worker stopped (exit code ${code})`);
    wake?.();
  });
  const base: ClientStats = { ...client.stats };
  const count = (s: ClientStats) => {
    client.stats.requests = base.requests + s.requests;
    client.stats.retries = base.retries + s.retries;
    client.stats.waitedMs = base.waitedMs + s.waitedMs;
  };
  const tell = (m: ToReader) => worker.postMessage(m);
  let taken = 0;
  try {
    for (;;) {
      while (!inbox.length) {
        if (failure) throw failure;
        await new Promise<void>((r) => (wake = r));
        wake = undefined;
      }
      const m = inbox.shift()!;
      switch (m.t) {
        case 'events':
          count(m.stats);
          // Taken as it is handed over, not once the caller comes back for more: the caller may
          // spend that time writing a whole batch, and the worker reads on meanwhile.
          taken += m.events.length;
          tell({ t: 'taken', taken });
          yield { events: m.events, kept: m.kept };
          break;
        case 'invalid':
          cb.onInvalid?.(m.invalid);
          break;
        case 'unproven':
          cb.onUnproven?.(m.info);
          break;
        case 'progress':
          cb.onProgress?.(m.progress);
          break;
        case 'wait':
          spec.onWait?.(m.notice);
          break;
        case 'debug':
          spec.onDebug?.(m.line);
          break;
        case 'done':
          count(m.stats);
          return m.summary;
        case 'error':
          count(m.stats);
          throw reviveError(m.error);
      }
    }
  } finally {
    worker.removeAllListeners('exit');
    tell({ t: 'stop' });
    await worker.terminate();
  }
}
