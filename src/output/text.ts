/** JSON array, NDJSON and ECS writers, and lines made elsewhere: rows stream through in ~64 KB chunks. */
import { type RowWriter, rowObject, type WriterOptions, writeChunk } from './writer.js';

const CHUNK = 64 * 1024;

/**
 * Collects text and writes it in chunks: one write per row would be one system call per event
 * on a pipe, which costs more than making the JSON.
 */
class ChunkedText {
  private parts: string[] = [];
  private size = 0;
  constructor(private readonly sink: NodeJS.WritableStream) {}

  /** A promise only when the text filled a chunk and it is being written. */
  add(text: string): Promise<void> | undefined {
    this.parts.push(text);
    this.size += text.length;
    return this.size >= CHUNK ? this.flush() : undefined;
  }

  async flush(): Promise<void> {
    if (!this.parts.length) return;
    const text = this.parts.join('');
    this.parts = [];
    this.size = 0;
    await writeChunk(this.sink, text);
  }
}

/** A JSON array streamed element by element, valid JSON for 0, 1 or a million rows. */
export function jsonArrayWriter<T>(opts: WriterOptions<T>): RowWriter<T> {
  const toJson = opts.json ?? ((r: T) => rowObject(opts.columns, r));
  const out = new ChunkedText(opts.sink);
  let count = 0;
  return {
    write(row) {
      const text = JSON.stringify(toJson(row), null, 2).replace(/\n/g, '\n  ');
      return out.add(`${count++ === 0 ? '[\n  ' : ',\n  '}${text}`);
    },
    async end() {
      await out.add(count === 0 ? '[]\n' : '\n]\n');
      await out.flush();
    },
  };
}

export function ndjsonWriter<T>(opts: WriterOptions<T>, map?: (row: T) => unknown): RowWriter<T> {
  const toJson = map ?? opts.json ?? ((r: T) => rowObject(opts.columns, r));
  const toText = map ? undefined : opts.jsonText;
  const out = new ChunkedText(opts.sink);
  return {
    write(row) {
      return out.add(`${toText ? toText(row) : JSON.stringify(toJson(row))}\n`);
    },
    async end() {
      await out.flush();
    },
  };
}

/**
 * Lines of text made elsewhere (an export's packed rows, export/segment.ts), each followed by
 * `eol`, after `first` (a header row, when there is one).
 */
export function lineWriter(sink: NodeJS.WritableStream, eol: string, first = ''): RowWriter<string> {
  const out = new ChunkedText(sink);
  if (first) out.add(first);
  return {
    write(line) {
      return out.add(line + eol);
    },
    async end() {
      await out.flush();
    },
  };
}
