/**
 * The sync's reading thread: reads the portal's history with a client of its own (made from the
 * main thread's options) and posts the events in batches, each with the text `events.raw` keeps.
 * Parsing, validating and normalising responses then run beside the main thread's inserts.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { DocSpaceClient } from '../client/client.js';
import { postError } from '../errors/index.js';
import { readHistory } from '../history/reader.js';
import type { LoginEvent } from '../model/event.js';
import { rawToKeep } from '../store/original.js';
import type { FromReader, ReadSetup, ToReader } from './read-protocol.js';

/** Events per message: fewer messages, and still a small share of the high-water mark. */
const BATCH = 500;
/** Events read but not posted are posted after this long without a full batch. */
const IDLE_MS = 200;

const setup = workerData as ReadSetup;
const port = parentPort;
if (!port) throw new Error('the read worker runs only as a worker thread');
const post = (m: FromReader) => port.postMessage(m);

const stop = new AbortController();
let taken = 0;
let resume: (() => void) | undefined;
port.on('message', (m: ToReader) => {
  if (m.t === 'stop') stop.abort();
  else taken = m.taken;
  resume?.();
});

const client = new DocSpaceClient({
  ...setup.client,
  onDebug: setup.debug ? (line) => post({ t: 'debug', line }) : undefined,
  onWait: setup.wait ? (notice) => post({ t: 'wait', notice }) : undefined,
});

async function run(): Promise<void> {
  const reader = readHistory(client, setup.filter, {
    raw: true,
    signal: stop.signal,
    onInvalid: (invalid) => post({ t: 'invalid', invalid }),
    onUnproven: (info) => post({ t: 'unproven', info }),
    onProgress: setup.progress ? (progress) => post({ t: 'progress', progress }) : undefined,
    firstWindow: setup.firstWindow && Promise.resolve(setup.firstWindow),
  });
  let events: LoginEvent[] = [];
  let kept: Array<string | null> = [];
  let posted = 0;
  let postedAt = Date.now();
  const postNow = () => {
    if (!events.length) return;
    post({ t: 'events', events, kept, stats: { ...client.stats } });
    posted += events.length;
    postedAt = Date.now();
    events = [];
    kept = [];
  };
  // A slow portal: what was read goes on even when a batch is not full.
  const idle = setInterval(() => {
    if (Date.now() - postedAt >= IDLE_MS) postNow();
  }, IDLE_MS);
  idle.unref();
  const flush = async () => {
    postNow();
    while (posted - taken > setup.highWater && !stop.signal.aborted) {
      await new Promise<void>((r) => (resume = r));
      resume = undefined;
    }
  };
  for (;;) {
    const step = await reader.next();
    if (step.done) {
      clearInterval(idle);
      await flush();
      post({ t: 'done', summary: step.value, stats: { ...client.stats } });
      return;
    }
    events.push(step.value.event);
    kept.push(rawToKeep(step.value.raw!, step.value.event));
    if (events.length >= BATCH) await flush();
    if (stop.signal.aborted) {
      clearInterval(idle);
      await reader.return(undefined as never);
      return;
    }
  }
}

run()
  .catch((err: unknown) => {
    if (!stop.signal.aborted) post({ t: 'error', error: postError(err), stats: { ...client.stats } });
  })
  .finally(() => void client.close().then(() => port.close()));
