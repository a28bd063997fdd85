/**
 * The export worker: formats the segments the main thread hands it and posts the text back.
 * It holds its own read-only SQLite connection (connections cannot cross threads).
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { type ExportPlan, type Segment, writeSegment } from './segment.js';

export interface SegmentRequest {
  seq: number;
  segment: Segment;
}

export type SegmentReply =
  | { seq: number; chunk: string }
  | { seq: number; done: number }
  | { seq: number; error: string };

const plan = workerData as ExportPlan;
const port = parentPort;
if (!port) throw new Error('the export worker runs only as a worker thread');
const db = new Database(plan.file, { readonly: true, fileMustExist: true });

port.on('message', (req: SegmentRequest) => {
  // A sink that posts each ~64 KB chunk at once: the main thread keeps them until it is their turn.
  const sink = {
    write(chunk: string) {
      port.postMessage({ seq: req.seq, chunk } satisfies SegmentReply);
      return true;
    },
  } as unknown as NodeJS.WritableStream;
  writeSegment(db, plan, req.segment, sink).then(
    (done) => port.postMessage({ seq: req.seq, done } satisfies SegmentReply),
    (err: unknown) => port.postMessage({ seq: req.seq, error: String((err as Error)?.message ?? err) } satisfies SegmentReply),
  );
});
