/**
 * The export worker: formats the segments the main thread hands it and posts the text back.
 * It opens its own reader from the store's description of it (connections cannot cross threads).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openReader, type ReaderSpec } from '../store/reader.js';
import { type ExportFormat, type Segment, writeSegment } from './segment.js';

export interface SegmentRequest {
  seq: number;
  segment: Segment;
}

export type SegmentReply =
  | { seq: number; chunk: Uint8Array }
  /** `done` rows in `ms` milliseconds of the worker's own time. */
  | { seq: number; done: number; ms: number }
  | { seq: number; error: string };

/** What the worker is started with. */
export interface WorkerSetup {
  /** The main thread's reader, to be opened again here. */
  reader: ReaderSpec;
  how: ExportFormat;
  /** Shared with the main thread: set to 1 once this thread can take a segment. */
  started: Int32Array;
}

const { reader: spec, how, started } = workerData as WorkerSetup;
const port = parentPort;
if (!port) throw new Error('the export worker runs only as a worker thread');
const reader = openReader(spec);
const encoder = new TextEncoder();
Atomics.store(started, 0, 1);

port.on('message', (req: SegmentRequest) => {
  // A sink that posts each ~64 KB chunk at once, encoded here and moved (not copied) to the main
  // thread, which keeps it outside its heap until it is its turn and writes the bytes as they are.
  const sink = {
    write(chunk: string | Uint8Array) {
      // Bytes (text.ts's lineWriter) move as they are unless they could be a slice of Buffer's
      // shared pool (under 4 KB), whose memory must stay here: those are copied.
      const bytes = typeof chunk === 'string' ? encoder.encode(chunk) : chunk.byteLength >= 4096 ? chunk : new Uint8Array(chunk);
      port.postMessage({ seq: req.seq, chunk: bytes } satisfies SegmentReply, [bytes.buffer as ArrayBuffer]);
      return true;
    },
  } as unknown as NodeJS.WritableStream;
  const began = performance.now();
  writeSegment(reader, how, req.segment, sink).then(
    (done) => port.postMessage({ seq: req.seq, done, ms: performance.now() - began } satisfies SegmentReply),
    (err: unknown) => port.postMessage({ seq: req.seq, error: String((err as Error)?.message ?? err) } satisfies SegmentReply),
  );
});
