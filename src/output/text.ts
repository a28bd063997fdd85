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

/** Lines written by `lineWriter`. */
export interface LineWriter {
  /** One line: `head`, then `tail`, then the end of line. A promise only when a chunk filled and is being written. */
  write(head: string, tail: string): Promise<void> | undefined;
  /**
   * One line: `head`, then the pieces with the decimal digits of `n` between each two, then the
   * end of line (a worksheet row's cells, whose references carry its number: export/packed.ts).
   */
  writePieces(head: string, tail: Pieces, n: number): Promise<void> | undefined;
  end(): Promise<void>;
}

/** Text cut where a number goes, encoded once (`piecesOf`). */
export interface Pieces {
  /** The text without its marks, as UTF-8. */
  bytes: Uint8Array;
  /** Where each mark was in `bytes`, in order. */
  cuts: readonly number[];
}

/**
 * `text` cut at every `mark`, encoded as UTF-8. One byte array and its cuts, not an array per
 * piece: an export keeps thousands of these, and each array is an object of its own to V8.
 */
export function piecesOf(text: string, mark: string): Pieces {
  const parts = text.split(mark);
  const bytes = Buffer.from(parts.join(''));
  const cuts: number[] = [];
  let at = 0;
  for (let i = 0; i < parts.length - 1; i++) cuts.push((at += Buffer.byteLength(parts[i])));
  return { bytes, cuts };
}

/** The most digits a row number has (Excel's last row is 1,048,576). */
const MAX_DIGITS = 16;

/**
 * Lines of text made elsewhere (an export's packed rows, export/segment.ts), each followed by
 * `eol`, after `first` (a header row, when there is one). The texts are encoded straight into
 * ~64 KB byte chunks, two pieces a line: joining them as strings first made V8 walk each line's
 * rope of pieces again, and the joined text was then encoded once more on its way out.
 */
export function lineWriter(sink: NodeJS.WritableStream, eol: string, first = ''): LineWriter {
  const eolBytes = Buffer.from(eol);
  // Never from Buffer's shared pool: a worker hands its chunks' memory to the main thread.
  let buf = Buffer.allocUnsafeSlow(CHUNK);
  let size = 0;
  const flush = (): Promise<void> | undefined => {
    if (!size) return undefined;
    const full = buf.subarray(0, size);
    buf = Buffer.allocUnsafeSlow(CHUNK);
    size = 0;
    return writeChunk(sink, full);
  };
  /** Room for `units` UTF-16 units (at most 3 bytes each) and the end of line; a promise when a chunk went out. */
  const room = (units: number): Promise<void> | undefined => {
    const most = units * 3 + eolBytes.length;
    if (size + most <= buf.length) return undefined;
    const writing = flush();
    if (most > buf.length) buf = Buffer.allocUnsafeSlow(most);
    return writing;
  };
  if (first) {
    room(first.length);
    size += buf.write(first, size);
  }
  const digits = new Uint8Array(MAX_DIGITS);
  return {
    write(head, tail) {
      const writing = room(head.length + tail.length);
      size += buf.write(head, size);
      size += buf.write(tail, size);
      for (let i = 0; i < eolBytes.length; i++) buf[size++] = eolBytes[i];
      return writing;
    },
    writePieces(head, tail, n) {
      // The digits once, copied in at each cut byte by byte: a string written a dozen times a line
      // would cross into C++ (Buffer#write) for each. The pieces go through views, which cost less
      // than copying them byte by byte (1M-event XLSX: 13.7 against 15.6 s of CPU).
      let count = 0;
      for (let v = Math.trunc(Math.abs(n)); count === 0 || v > 0; v = Math.trunc(v / 10)) digits[MAX_DIGITS - ++count] = 48 + (v % 10);
      const { bytes, cuts } = tail;
      const writing = room(head.length + Math.ceil((bytes.length + count * cuts.length) / 3));
      size += buf.write(head, size);
      let from = 0;
      for (let c = 0; c <= cuts.length; c++) {
        const to = c < cuts.length ? cuts[c] : bytes.length;
        buf.set(bytes.subarray(from, to), size);
        size += to - from;
        if (c < cuts.length) for (let i = MAX_DIGITS - count; i < MAX_DIGITS; i++) buf[size++] = digits[i];
        from = to;
      }
      for (let i = 0; i < eolBytes.length; i++) buf[size++] = eolBytes[i];
      return writing;
    },
    async end() {
      await flush();
    },
  };
}
