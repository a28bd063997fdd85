/**
 * The rest of a long detection scan read on a worker thread: the worker runs the packed query
 * (events-scan.ts) on its own read-only connection and posts batches as typed arrays (the numbers)
 * plus tuple numbers, each distinct tuple sent once, already split into its values; the main thread
 * only builds the events, so reading and the engine run side by side on two cores.
 *
 * The worker's code is `scanWorker` below, started from its own source text (`eval`): it needs
 * nothing but the SQLite driver, whose path the main thread resolves and hands it, so the same code
 * runs from the sources, the build and the bundle without a worker file of its own.
 */
import { createRequire } from 'node:module';
import type { ReaderQuery } from './reader.js';

/** Rows per posted batch. */
const BATCH = 4096;
/** Rows per page of the worker's query: a batch, so most pages are posted as they come. */
export const SCAN_PAGE = BATCH;
/** Batches the worker may be ahead of the main thread (bounds the memory in flight: ~1.5 MB). */
const AHEAD = 8;
/** Distinct tuples remembered before both sides start over. */
const TUPLES = 100_000;

/**
 * How the worker splits a tuple's text: at `sep` into `parts` values, those from index `marked` on
 * written as `mark` + value, or '' for null.
 */
export interface TupleFormat {
  sep: string;
  mark: string;
  parts: number;
  marked: number;
}

/**
 * What the worker posts: `rows` rows, numbers five a row, tuple numbers one a row; the new tuples
 * in order, each split into its values (null when a value itself held the separator). Split on the
 * worker, the values arrive as strings of their own (a structured clone makes each one afresh),
 * where split on the main thread they would be views into the tuple's text.
 */
export interface ScanBatch {
  rows: number;
  nums: Float64Array;
  tuples: Int32Array;
  fresh: ((string | null)[] | null)[];
  /** The tuple numbering started over before this batch. */
  reset: boolean;
}

/**
 * The scan as keyset pages: `sql` reads at most `page` rows after the position whose time and id
 * are `parameters[at[0]]` and `parameters[at[1]]` (the first page's), in (time, id) order.
 */
export interface PagedQuery extends ReaderQuery {
  at: readonly [time: number, id: number];
  page: number;
}

interface ScanSetup {
  driver: string;
  file: string;
  query: PagedQuery;
  format: TupleFormat;
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
  let fresh: ((string | null)[] | null)[] = [];
  let n = 0;
  const { sep, mark, parts, marked } = setup.format;
  const split = (text: string): (string | null)[] | null => {
    const p: (string | null)[] = text.split(sep);
    if (p.length !== parts) return null;
    for (let i = marked; i < parts; i++) p[i] = p[i] === '' ? null : (p[i] as string).slice(mark.length);
    return p;
  };
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
  // One page of `batch` rows per call: `all` hands over a page at once, where `iterate` crosses
  // into the driver for every row (measured: ~0.8 µs a row of the worker's ~5).
  const statement = db.prepare(setup.query.sql).raw(true);
  const parameters = [...setup.query.parameters];
  const [timeAt, idAt] = setup.query.at;
  for (;;) {
    const page = statement.all(...parameters) as unknown[][];
    for (const v of page) {
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
        fresh.push(split(text));
      }
      tuples[n] = id;
      if (++n === setup.batch) post();
    }
    if (page.length < setup.query.page) break;
    const last = page[page.length - 1];
    parameters[timeAt] = last[1];
    parameters[idAt] = last[0];
  }
  if (n) post();
  db.close();
  // The end, as a message: it arrives after every batch, which the worker's exit need not.
  parentPort!.postMessage({ rows: -1 });
}
/* c8 ignore stop */

/**
 * Runs `query` (the packed scan's six columns, page by page) over `file` on a worker thread and yields its
 * batches in order. Stopping early (or an error) ends the worker.
 */
export async function* scanOnWorker(file: string, query: PagedQuery, format: TupleFormat): AsyncGenerator<ScanBatch> {
  const taken = new SharedArrayBuffer(4);
  const counter = new Int32Array(taken);
  const setup: ScanSetup = {
    driver: createRequire(import.meta.url).resolve('better-sqlite3'),
    file, query: { sql: query.sql, parameters: [...query.parameters], at: query.at, page: query.page }, format, batch: BATCH, ahead: AHEAD, limit: TUPLES, taken,
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
