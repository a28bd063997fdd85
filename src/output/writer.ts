/**
 * A row writer for every command and format. Rows stream through: nothing but a table keeps
 * rows in memory, so a million events export in constant memory. `write` waits for the sink to
 * drain when it pushes back.
 */
import { once } from 'node:events';
import { colorEnabled, type Tone } from './color.js';

export type OutputFormat = 'table' | 'json' | 'ndjson' | 'csv' | 'xlsx' | 'ecs';

export type CellValue = string | number | boolean | Date | null | undefined;

export interface Column<T> {
  key: string;
  header: string;
  value(row: T): CellValue;
  /** What a spreadsheet cell gets instead of `value` (e.g. a real Date for a date column). */
  cell?(row: T): CellValue;
  kind?: 'text' | 'number' | 'date';
  /** Preferred width in characters (XLSX column width, table cap). */
  width?: number;
  /** The narrowest a table on a narrow terminal may make it (an IP address is useless cut). */
  minWidth?: number;
  /** A column that matters: a narrow terminal shrinks it last and never drops it. */
  keep?: boolean;
  /** An id to copy (into `… show ID`): a table never cuts it, the other columns give way (implies `keep`). */
  whole?: boolean;
  /** Shown in a table only with `--wide` or `--columns` (spreadsheets and CSV always have it). */
  wideOnly?: boolean;
  /**
   * The value is the row's own: it reads nothing but the event's id, time and offset, and no other
   * row shares it. An export makes the other columns' text once per distinct value when these
   * come first (export/packed.ts).
   */
  perRow?: boolean;
  /** The colour of this cell in a table on a terminal. */
  tone?(row: T): Tone | undefined;
  /** What a table on a terminal shows instead of `value`, e.g. "3 h ago" for a time. */
  relative?(row: T, now: number): CellValue;
}

export interface WriterOptions<T> {
  columns: ReadonlyArray<Column<T>>;
  sink: NodeJS.WritableStream;
  /** The stable JSON form of a row (defaults to an object of the columns). */
  json?: (row: T) => unknown;
  /**
   * The row's JSON as NDJSON writes it: exactly `JSON.stringify(json(row))`, made faster (exports
   * write millions). Dropped when `fields` picks some of the JSON.
   */
  jsonText?: (row: T) => string;
  /** The ECS document of a row (format `ecs`). */
  ecs?: (row: T) => unknown;
  isTTY?: boolean;
  color?: boolean;
  /** Table: the terminal's width; lines never get longer (undefined: no limit). */
  width?: number;
  /** Table: every column at its full width (`--wide`). */
  wide?: boolean;
  /** Table, CSV, XLSX: these column keys, in this order (`--columns`). */
  select?: readonly string[];
  /** JSON, NDJSON: only these fields of each row (`--json a,b`). */
  fields?: readonly string[];
  /** The field names `fields` may use (default: the column keys). */
  jsonFields?: readonly string[];
  /** Table: show `relative` times against this instant (terminals only). */
  now?: number;
  /** CSV for Excel: UTF-8 BOM and CRLF. */
  excel?: boolean;
  /** Write the CSV header row (and BOM) first (default true; false continues an earlier output). */
  header?: boolean;
  /** Worksheet name for XLSX. */
  title?: string;
}

export interface RowWriter<T> {
  /** Nothing when the row only joined a buffer; a promise when it had to be written (await it). */
  write(row: T): Promise<void> | undefined;
  end(): Promise<void>;
}

/** Write a chunk, waiting for 'drain' when the stream's buffer is full. */
export async function writeChunk(sink: NodeJS.WritableStream, chunk: string | Buffer): Promise<void> {
  if ((sink as { destroyed?: boolean }).destroyed) throw readerGone();
  if (sink.write(chunk)) return;
  // A reader that goes away (a pager the user quit) never drains: stop on 'close' too.
  const stop = new AbortController();
  const settled = (p: Promise<unknown>) =>
    p.then(
      () => undefined,
      (err: unknown) => err,
    );
  const err = await Promise.race([
    settled(once(sink, 'drain', { signal: stop.signal })),
    settled(once(sink, 'close', { signal: stop.signal })),
  ]);
  stop.abort();
  if (err) throw err;
  if ((sink as { destroyed?: boolean }).destroyed) throw readerGone();
}

/** The error of writing to a reader that has gone: the CLI ends quietly, as on a closed pipe. */
function readerGone(): NodeJS.ErrnoException {
  return Object.assign(new Error('the reader of the output went away'), { code: 'EPIPE' });
}

export function rowObject<T>(columns: ReadonlyArray<Column<T>>, row: T): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const c of columns) {
    const v = c.value(row);
    out[c.key] = v instanceof Date ? v.toISOString() : (v ?? null);
  }
  return out;
}

/** `events.csv` → csv; `.ecs.ndjson`/`.ecs.json` → ecs; `.jsonl` → ndjson; `.txt` → table. */
export function formatFromPath(path: string): OutputFormat | undefined {
  const p = path.toLowerCase();
  if (/\.ecs\.(nd)?json$/.test(p) || p.endsWith('.ecs')) return 'ecs';
  if (p.endsWith('.csv')) return 'csv';
  if (p.endsWith('.ndjson') || p.endsWith('.jsonl')) return 'ndjson';
  if (p.endsWith('.json')) return 'json';
  if (p.endsWith('.xlsx')) return 'xlsx';
  if (p.endsWith('.txt')) return 'table';
  return undefined;
}

/** A table for a person at a terminal, NDJSON for a program reading a pipe. */
export function defaultFormat(isTTY: boolean): OutputFormat {
  return isTTY ? 'table' : 'ndjson';
}

/** Colour only on a terminal, never with NO_COLOR, always with FORCE_COLOR. */
export function useColor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  return colorEnabled({ stream, env });
}
