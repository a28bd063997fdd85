/**
 * `--format` and `--output` for every command: the format is the flag, else the file's
 * extension, else a table on a terminal and NDJSON when piped. A table on a terminal fits its
 * width, has colour, relative times and a pager; a file or a pipe gets none of them.
 */

import { UsageError } from '../errors/index.js';
import {
  colorEnabled,
  createWriter,
  defaultFormat,
  formatFromPath,
  type OutputFormat,
  type RowWriter,
  splitNames,
  type WriterOptions,
} from '../output/index.js';
import { type CliIo, isTerminal, type Reporter, stderrIsTerminal, terminalWidth } from './io.js';
import { openFileOutput } from './output-file.js';
import { startPager } from './pager.js';

export interface OutputFlags {
  format?: string;
  output?: string;
  /** `--json` alone, or `--json id,date` for only those fields. */
  json?: boolean | string;
  excel?: boolean;
  /** `--columns a,b`: the table (or CSV, XLSX) columns, in this order. */
  columns?: string;
  /** `--wide`: every column of a table, at full width. */
  wide?: boolean;
  /** `--no-color` sets it false. */
  color?: boolean;
}

/**
 * The output a command was asked for, decided once from its flags (`parseOutputFlags`) before
 * any work is done; everything after reads this, never the flags.
 */
export interface OutputOptions {
  format: OutputFormat;
  /** A format was asked for (`--format`, `--json` or `--output`), not taken by default. */
  asked: boolean;
  /** The file to write (`--output`), undefined for stdout (`-` included). */
  file?: string;
  /** `--json a,b`: only these fields of each JSON row. */
  fields?: string[];
  /** `--columns a,b`: these table, CSV or XLSX columns, in this order. */
  select?: string[];
  excel: boolean;
  wide: boolean;
  /** `--no-color` sets it false. */
  color?: boolean;
}

/** What every writer of this output shares: set once by `openOutput`. */
type TerminalOptions = Pick<
  WriterOptions<unknown>,
  'sink' | 'isTTY' | 'color' | 'width' | 'wide' | 'select' | 'fields' | 'excel' | 'now'
>;

export interface OpenOutput {
  format: OutputFormat;
  sink: NodeJS.WritableStream;
  isTTY: boolean;
  /** A writer of this output's format with the terminal's manners; it counts what it writes. */
  writer<T>(opts: Omit<WriterOptions<T>, keyof TerminalOptions>): RowWriter<T>;
  /** Rows written through `writer` so far. */
  readonly rows: number;
  close(): Promise<void>;
  /**
   * The closing line on stderr, after `close`: "wrote 12 events to FILE", "12 events shown" on a
   * terminal, or "no events matched" for an empty table. `count`: rows written past `writer`
   * (a plain list), else what `writer` counted.
   */
  finish(reporter: Reporter, noun: string, count?: number): void;
}

/** The fields of `--json a,b`, or undefined for a bare `--json`. */
function jsonFields(flags: OutputFlags): string[] | undefined {
  if (typeof flags.json !== 'string') return undefined;
  const fields = splitNames(flags.json);
  if (!fields.length) throw new UsageError('--json takes field names separated by commas, e.g. --json id,date,login');
  return fields;
}

/** The output the flags ask for, checked against the formats this command can write. */
export function parseOutputFlags(
  flags: OutputFlags,
  io: CliIo,
  allowed: readonly OutputFormat[],
): OutputOptions {
  const format = chooseFormat(flags, io, allowed);
  return {
    format,
    asked: Boolean(flags.format || flags.json || flags.output),
    file: flags.output && flags.output !== '-' ? flags.output : undefined,
    fields: jsonFields(flags),
    select: flags.columns === undefined ? undefined : splitNames(flags.columns),
    excel: Boolean(flags.excel),
    wide: Boolean(flags.wide),
    color: flags.color,
  };
}

function chooseFormat(flags: OutputFlags, io: CliIo, allowed: readonly OutputFormat[]): OutputFormat {
  let format: OutputFormat | undefined;
  if (flags.format) {
    if (!(allowed as readonly string[]).includes(flags.format)) {
      throw new UsageError(`--format "${flags.format}" is not one of: ${allowed.join(', ')}`);
    }
    format = flags.format as OutputFormat;
  }
  if (flags.json) {
    if (format && format !== 'json' && format !== 'ndjson') {
      throw new UsageError(`--json and --format ${format} ask for two formats: keep one`);
    }
    format ??= 'json';
  }
  if (!format && flags.output) format = formatFromPath(flags.output);
  if (!format) format = defaultFormat(isTerminal(io) && !flags.output);
  if (!allowed.includes(format))
    throw new UsageError(`--format ${format} is not available here: use ${allowed.join(', ')}`);
  if (flags.excel && format !== 'csv') {
    throw new UsageError(`--excel shapes CSV for Excel, but the output is ${format}: use --format csv or leave out --excel`);
  }
  if (flags.wide && flags.columns) throw new UsageError('--wide shows every column and --columns some of them: keep one');
  if (format === 'xlsx' && !flags.output) {
    throw new UsageError('XLSX is a binary file: add --output FILE.xlsx');
  }
  return format;
}

export async function openOutput(opts: OutputOptions, io: CliIo): Promise<OpenOutput> {
  const { format, fields, select } = opts;
  const toFile = opts.file !== undefined;
  const terminal = !toFile && isTerminal(io);
  let sink: NodeJS.WritableStream = io.stdout;
  let close = async () => {};
  if (opts.file !== undefined) {
    // Written beside the file and renamed on success: see output-file.ts.
    const file = await openFileOutput(opts.file);
    sink = file.stream;
    close = () => file.close();
  } else if (terminal && format === 'table') {
    const pager = startPager(io);
    if (pager) {
      sink = pager.sink;
      close = () => pager.close();
    }
  }
  const shared: TerminalOptions = {
    sink,
    isTTY: terminal,
    // A file never gets escape codes; a pipe only when FORCE_COLOR asks for them.
    color: !toFile && colorEnabled({ stream: { isTTY: terminal }, env: io.env, flag: opts.color }),
    width: terminal && !opts.wide ? terminalWidth(io) : undefined,
    wide: opts.wide,
    select,
    fields,
    excel: opts.excel,
    now: terminal ? Date.now() : undefined,
  };
  let rows = 0;
  let closing: Promise<void> | undefined;
  return {
    format,
    sink,
    isTTY: terminal,
    get rows() {
      return rows;
    },
    writer<T>(opts: Omit<WriterOptions<T>, keyof TerminalOptions>): RowWriter<T> {
      const w = createWriter<T>(format, { ...opts, ...shared });
      return {
        async write(row) {
          rows++;
          await w.write(row);
        },
        end: () => w.end(),
      };
    },
    // Commands close before their closing line and again on the way out: the second does nothing.
    close: () => (closing ??= close()),
    finish(reporter, noun, count) {
      const n = count ?? rows;
      if (toFile) reporter.note(`wrote ${n} ${noun} to ${opts.file}`);
      else if (n === 0 && format === 'table') reporter.note(`no ${noun} matched`);
      else if (terminal && stderrIsTerminal(io) && format === 'table') reporter.note(`${n} ${noun} shown`);
    },
  };
}

/** Open the output, write every row, and close it: the common case of a command. */
export async function writeRows<T>(
  output: OutputOptions,
  io: CliIo,
  opts: Omit<WriterOptions<T>, keyof TerminalOptions>,
  rows: Iterable<T> | AsyncIterable<T>,
): Promise<OpenOutput> {
  const out = await openOutput(output, io);
  try {
    const writer = out.writer<T>(opts);
    for await (const row of rows) await writer.write(row);
    await writer.end();
  } finally {
    await out.close();
  }
  return out;
}
