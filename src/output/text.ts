/** JSON array, NDJSON and ECS writers: one row at a time, straight to the sink. */
import { type RowWriter, rowObject, type WriterOptions, writeChunk } from './writer.js';

/** A JSON array streamed element by element, valid JSON for 0, 1 or a million rows. */
export function jsonArrayWriter<T>(opts: WriterOptions<T>): RowWriter<T> {
  const toJson = opts.json ?? ((r: T) => rowObject(opts.columns, r));
  let count = 0;
  return {
    async write(row) {
      const text = JSON.stringify(toJson(row), null, 2).replace(/\n/g, '\n  ');
      await writeChunk(opts.sink, `${count++ === 0 ? '[\n  ' : ',\n  '}${text}`);
    },
    async end() {
      await writeChunk(opts.sink, count === 0 ? '[]\n' : '\n]\n');
    },
  };
}

export function ndjsonWriter<T>(opts: WriterOptions<T>, map?: (row: T) => unknown): RowWriter<T> {
  const toJson = map ?? opts.json ?? ((r: T) => rowObject(opts.columns, r));
  return {
    async write(row) {
      await writeChunk(opts.sink, `${JSON.stringify(toJson(row))}\n`);
    },
    async end() {},
  };
}
