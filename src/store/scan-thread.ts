/**
 * The rest of a long detection scan read on a worker thread: the worker runs the packed query
 * (events-scan.ts) on its own read-only connection and posts batches as typed arrays (the numbers)
 * plus tuple numbers, each distinct tuple text sent once; the main thread only splits new tuples
 * and builds the events, so reading and the engine run side by side on two cores.
 *
 * The worker's code is `scanWorker` below, started from its own source text (`eval`): it needs
 * nothing but the SQLite driver, whose path the main thread resolves and hands it, so the same code
 * runs from the sources, the build and the bundle without a worker file of its own.
 */
import { createRequire } from 'node:module';
import type { ReaderQuery } from './reader.js';

/** Rows per posted batch. */
const BATCH = 4096;
/** Batches the worker may be ahead of the main thread (bounds the memory in flight: ~1.5 MB). */
const AHEAD = 8;
/** Distinct tuples remembered before both sides start over. */
const TUPLES = 100_000;

/** What the worker posts: `rows` rows, numbers five a row, tuple numbers one a row; new tuple texts in order. */
export interface ScanBatch {
  rows: number;
  nums: Float64Array;
  tuples: Int32Array;
  fresh: string[];
  /** The tuple numbering started over before this batch. */
  reset: boolean;
}

interface ScanSetup {
  driver: string;
  file: string;
  query: ReaderQuery;
  batch: number;
  ahead: number;
  limit: number;
  /** [batches taken by the main thread]. */
  taken: SharedArrayBuffer;
}

/**
 * The worker: self-contained (it is run from its source text), so it imports nothing, loads
 * modules through `load` and reads everything from `workerData`. The query's columns are id, time, offset, action id, anonymous,
 * then the tuple text.
 */
/* c8 ignore start */
function scanWorker(load: (id: string) => unknown): void {
  const { parentPort, workerData } = load('node:worker_threads') as typeof import('node:worker_threads');
  const setup = workerData as ScanSetup;
  const Database = load(setup.driver) as typeof import('better-sqlite3');
  const db = new Database(setup.file, { readonly: true, fileMustExist: true, timeout: 5000 });
  const taken = new Int32Array(setup.taken);
  const ids = new Map<string, number>();
  let sent = 0;
  let reset = false;
  let nums = new Float64Array(setup.batch * 5);
  let tuples = new Int32Array(setup.batch);
  let fresh: string[] = [];
  let n = 0;
  const post = () => {
    // Wait while the main thread is `ahead` batches behind.
    while (sent - Atomics.load(taken, 0) >= setup.ahead) Atomics.wait(taken, 0, Atomics.load(taken, 0), 1000);
    parentPort!.postMessage({ rows: n, nums, tuples, fresh, reset }, [nums.buffer, tuples.buffer]);
    sent++;
    nums = new Float64Array(setup.batch * 5);
    tuples = new Int32Array(setup.batch);
    fresh = [];
    reset = false;
    n = 0;
  };
  const rows = db.prepare(setup.query.sql).raw(true).iterate(...setup.query.parameters) as IterableIterator<unknown[]>;
  for (const v of rows) {
    const at = n * 5;
    nums[at] = Number(v[0]);
    nums[at + 1] = Number(v[1]);
    nums[at + 2] = Number(v[2]);
    nums[at + 3] = Number(v[3]);
    nums[at + 4] = Number(v[4]);
    const text = v[5] as string;
    let id = ids.get(text);
    if (id === undefined) {
      if (ids.size >= setup.limit) {
        ids.clear();
        // The batch so far numbers tuples of the old table: send it before starting over.
        if (n) post();
        reset = true;
      }
      id = ids.size;
      ids.set(text, id);
      fresh.push(text);
    }
    tuples[n] = id;
    if (++n === setup.batch) post();
  }
  if (n) post();
  db.close();
  // The end, as a message: it arrives after every batch, which the worker's exit need not.
  parentPort!.postMessage({ rows: -1 });
}
/* c8 ignore stop */

/**
 * Runs `query` (the packed scan's six columns) over `file` on a worker thread and yields its
 * batches in order. Stopping early (or an error) ends the worker.
 */
export async function* scanOnWorker(file: string, query: ReaderQuery): AsyncGenerator<ScanBatch> {
  const taken = new SharedArrayBuffer(4);
  const counter = new Int32Array(taken);
  const setup: ScanSetup = {
    driver: createRequire(import.meta.url).resolve('better-sqlite3'),
    file, query: { sql: query.sql, parameters: [...query.parameters] }, batch: BATCH, ahead: AHEAD, limit: TUPLES, taken,
  };
  // Loaded here, not with the store: most commands that open it never scan on a thread.
  const { Worker } = await import('node:worker_threads');
  // `require` handed in by name: a bundler rewrites the word inside the function's own text.
  const worker = new Worker(`(${scanWorker.toString()})(require)`, { eval: true, workerData: setup, resourceLimits: { maxYoungGenerationSizeMb: 4 } });
  const inbox: ScanBatch[] = [];
  let done = false;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  worker.on('message', (m: ScanBatch) => {
    if (m.rows < 0) done = true;
    else inbox.push(m);
    wake?.();
  });
  worker.on('error', (err) => {
    failure ??= err;
    wake?.();
  });
  worker.on('exit', (code) => {
    if (!done) failure ??= new Error(`the scan worker stopped (exit code ${code})`);
    wake?.();
  });
  try {
    for (;;) {
      while (!inbox.length) {
        if (done) return;
        if (failure) throw failure;
        await new Promise<void>((r) => (wake = r));
        wake = undefined;
      }
      yield inbox.shift()!;
      Atomics.add(counter, 0, 1);
      Atomics.notify(counter, 0);
    }
  } finally {
    await worker.terminate();
  }
}
