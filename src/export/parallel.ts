/**
 * Exporting a large part of an archive on two cores. Reading rows out of SQLite and
 * formatting them cost about the same, and both are single-threaded work, so a long export is
 * cut into segments of the archive's (time, id) order: the main thread formats one segment
 * straight into the output while a worker thread formats the next one, whose text is written
 * as soon as the main thread's segment is done; the worker is handed its next segment before
 * that, and the main thread's segments are sized to keep both busy (`Share`). Output order and content are exactly those of
 * the one-thread path; memory holds the text of at most two of the worker's segments.
 *
 * Segments are disjoint ranges of the order, each read in its own snapshot: a sync writing at
 * the same time can add events to a range not yet read, never duplicate or reorder one.
 */
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import type { EventFilter } from '../history/filter.js';
import { writeChunk } from '../output/writer.js';
import type { ArchiveStore, EventPosition, ReadonlyConnection } from '../store/index.js';
import { packs } from './packed.js';
import { type ExportFormat, type Segment, writeSegment } from './segment.js';
import type { SegmentReply, SegmentRequest, WorkerSetup } from './worker.js';

/** The worksheet row of an XLSX export's first event: row 1 is the header. */
const FIRST_ROW = 2;

/** Set by the CLI bundle, whose chunks sit one folder below the worker's entry point. */
declare const EXPORT_WORKER: string | undefined;

export interface ExportOptions {
  /** Stop after this many events. */
  limit?: number;
  /** Rows per segment (default 16,384): the unit of work, and of text held for the worker. */
  segmentRows?: number;
  /** Use a worker thread when there is more than one segment (default true). */
  parallel?: boolean;
  /** Called after each segment this thread formats (the CLI looks at its memory there). */
  onSegment?: () => void;
}

export type { ExportFormat, SegmentFormat } from './segment.js';

/** Whether `exportArchive` can read this store: it needs readers of its own, one per thread. */
export function canExport(store: ArchiveStore): boolean {
  return store.capabilities.fileReader !== undefined;
}

/**
 * Write one portal's events matching `filter`, newest first, to `sink`; returns how many were
 * written. The store must offer readers of its own (`canExport`); every query is the store's
 * own (`compileEventRange`), so the filters mean exactly what they mean everywhere else.
 */
export async function exportArchive(
  store: ArchiveStore,
  portalId: number,
  filter: EventFilter,
  how: ExportFormat,
  sink: NodeJS.WritableStream,
  opts: ExportOptions = {},
): Promise<number> {
  const reader: ReadonlyConnection | undefined = store.openReader();
  if (!reader) throw new Error('exportArchive needs an archive a second thread can read (SQLite in a file)');
  const rows = Math.max(1, opts.segmentRows ?? 16_384);
  let worker: SegmentWorker | undefined;
  try {
    let remaining = opts.limit ?? Number.POSITIVE_INFINITY;
    let from: EventPosition | undefined;
    let ended = false;
    let header = true;
    /** Rows in the segments made so far (a worksheet numbers its rows from them). */
    let taken = 0;
    const byId = packs(how) ? store.compileEventById(portalId) : undefined;
    /**
     * The next segment: from `from` to the position `size` rows further, found by walking
     * the `(portal_id, time, id)` index alone when the filter is by time only.
     */
    const next = (size: number): Segment | undefined => {
      // The first segment always runs, even empty: a CSV of nothing still has its header row.
      if (ended || (remaining <= 0 && !header)) return undefined;
      const limit = Math.max(0, Math.min(size, remaining));
      const boundary = store.compileEventRange(portalId, filter, { from, limit: 1, offset: limit, columns: 'positions' });
      const before = limit > 0 ? (reader.first(boundary) as [number, number] | undefined) : undefined;
      const q = store.compileEventRange(portalId, filter, { from, before, limit, columns: byId ? 'packed' : 'all' });
      const seg: Segment = { sql: q.sql, parameters: q.parameters, header, byId };
      // Every segment but the last holds exactly `limit` rows: its end was found `limit` rows on, and
      // an archive only gains events (a sync adding some to this range moves them to the next one).
      if (how.format === 'xlsx') seg.firstRow = FIRST_ROW + taken;
      header = false;
      remaining -= limit;
      taken += limit;
      ended = before === undefined;
      from = before;
      return seg;
    };
    const parallel = opts.parallel !== false;
    const start = (seg: Segment | undefined): Promise<SegmentDone> | undefined => {
      if (!seg || !worker) return undefined;
      const job = worker.run(seg);
      // Awaited below; if this thread's segment fails first, its failure is the one reported.
      job.catch(() => undefined);
      return job;
    };
    /** Whether more than `n` rows are left from `from` (one walk of the index, as `next` makes). */
    const moreThan = (n: number): boolean =>
      n < remaining && reader.first(store.compileEventRange(portalId, filter, { from, limit: 1, offset: n, columns: 'positions' })) !== undefined;
    /** The rows left from `from`, counted up to `cap` (positions only, from the index: once, at the end). */
    const left = (cap: number): number => {
      let n = 0;
      for (const _ of reader.iterate(store.compileEventRange(portalId, filter, { from, limit: Math.min(cap, remaining), columns: 'positions' }))) n++;
      return n;
    };
    let total = 0;
    // The worker takes a few hundred milliseconds to start: it starts before this thread formats
    // its first segment, and is handed segments only once it has started. Until then this
    // thread goes on alone in small segments, so that it sees the worker ready soon (a first
    // segment of full size left the worker idle ~150 ms of a 2 s export).
    const two = parallel && moreThan(rows);
    if (two) worker = new SegmentWorker({ reader: reader.spec, how });
    let mine = next(two ? Math.ceil(rows / 8) : rows);
    let job: Promise<SegmentDone> | undefined;
    const share = new Share(rows);
    while (mine) {
      const began = performance.now();
      const own = await writeSegment(reader, how, mine, sink);
      opts.onSegment?.();
      share.own(own, performance.now() - began);
      total += own;
      // The worker's own time: the reply itself waits until this thread's segment is done.
      const done = job && (await job);
      if (done) share.theirs(done.rows, done.ms);
      // The worker's next segment goes out before this one's text is written, so it never
      // waits for the main thread's writing.
      const ready = worker?.started() === true;
      const want = done ? share.next() : ready || !worker ? rows : Math.ceil(rows / 8);
      const saved: { from: EventPosition | undefined; remaining: number; ended: boolean; header: boolean; taken: number } = { from, remaining, ended, header, taken };
      mine = next(want);
      if (mine && ready && ended) {
        // The end lies within this thread's segment: what is left is split between the threads as
        // the share says, instead of this thread taking it all while the worker waits (~150 ms of
        // a 2 s export). Counting it walks the index once, here; elsewhere `next` walks it alone.
        ({ from, remaining, ended, header, taken } = saved);
        mine = next(Math.max(1, Math.round((left(want) * want) / (want + rows))));
      }
      job = mine && ready ? start(next(rows)) : undefined;
      if (!done) continue;
      const writing = performance.now();
      for (const chunk of done.chunks) await writeChunk(sink, chunk);
      share.writing(performance.now() - writing);
      total += done.rows;
    }
    return total;
  } finally {
    reader.close();
    await worker?.close();
  }
}

/** What the worker sends back for a segment: its text, its rows, and its own time for them. */
interface SegmentDone {
  rows: number;
  chunks: Buffer[];
  ms: number;
}

/**
 * How many rows the main thread takes in its next segment. Besides formatting its own segments
 * it writes every byte of the export, the worker's included, so equal segments leave the worker
 * waiting; the main thread's share is set from the last pair so that formatting its segment and
 * writing the worker's take as long as the worker's segment does. Segments are ranges of one
 * order whatever their size, so the output never depends on the timing, only the split does.
 */
export class Share {
  private ownRate = 0;
  private theirRate = 0;
  private writeMs = 0;
  constructor(private readonly rows: number) {}

  own(rows: number, ms: number): void {
    if (rows >= 1024 && ms > 0) this.ownRate = ms / rows;
  }

  theirs(rows: number, ms: number): void {
    // A short last segment says little about the rate.
    this.theirRate = rows >= this.rows / 2 && ms > 0 ? ms / rows : 0;
  }

  writing(ms: number): void {
    this.writeMs = ms;
  }

  next(): number {
    if (!this.ownRate || !this.theirRate) return this.rows;
    const rows = (this.theirRate * this.rows - this.writeMs) / this.ownRate;
    return Math.round(Math.min(2 * this.rows, Math.max(this.rows / 8, rows)));
  }
}

/** The worker thread, one segment at a time. */
class SegmentWorker {
  private readonly worker: Worker;
  private seq = 0;
  private current:
    | { seq: number; chunks: Buffer[]; resolve: (r: SegmentDone) => void; reject: (e: Error) => void }
    | undefined;
  private failure: Error | undefined;
  private readonly exited: Promise<void>;
  /** Set to 1 by the worker once it has loaded and opened its reader. */
  private readonly flag = new Int32Array(new SharedArrayBuffer(4));

  constructor(setup: Omit<WorkerSetup, 'started'>) {
    const url = new URL(typeof EXPORT_WORKER === 'string' ? EXPORT_WORKER : './worker.js', import.meta.url);
    // A small young generation for the worker: its default one would add ~100 MB resident to
    // an export. (Set here, not by a V8 flag in the CLI's shebang: see main.ts.)
    this.worker = new Worker(url, { workerData: { ...setup, started: this.flag } satisfies WorkerSetup, resourceLimits: { maxYoungGenerationSizeMb: 12 } });
    this.worker.on('message', (m: SegmentReply) => {
      const job = this.current;
      if (!job || m.seq !== job.seq) return;
      if ('chunk' in m) job.chunks.push(Buffer.from(m.chunk.buffer, m.chunk.byteOffset, m.chunk.byteLength));
      else {
        this.current = undefined;
        if ('done' in m) job.resolve({ rows: m.done, chunks: job.chunks, ms: m.ms });
        else job.reject(new Error(`export worker: ${m.error}`));
      }
    });
    const fail = (err: Error) => {
      this.failure = err;
      this.current?.reject(err);
      this.current = undefined;
    };
    this.worker.on('error', fail);
    // Watched from the start: a worker that failed to load has exited before `close` asks.
    this.exited = once(this.worker, 'exit').then(() => undefined, () => undefined);
    this.worker.on('exit', (code) => fail(new Error(`export worker exited with code ${code}`)));
  }

  /** Whether the worker is ready for a segment (read without waiting for its messages). */
  started(): boolean {
    return Atomics.load(this.flag, 0) === 1;
  }

  run(segment: Segment): Promise<SegmentDone> {
    if (this.failure) return Promise.reject(this.failure);
    const seq = ++this.seq;
    return new Promise((resolve, reject) => {
      this.current = { seq, chunks: [], resolve, reject };
      this.worker.postMessage({ seq, segment } satisfies SegmentRequest);
    });
  }

  async close(): Promise<void> {
    this.failure ??= new Error('export worker closed');
    await this.worker.terminate();
    await this.exited;
  }
}
