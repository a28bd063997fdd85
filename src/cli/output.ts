/**
 * `--format` and `--output` for every command: the format is the flag, else the file's
 * extension, else a table on a terminal and NDJSON when piped.
 */

import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { UsageError } from '../client/errors.js';
import {
  createWriter,
  defaultFormat,
  formatFromPath,
  type OutputFormat,
  type WriterOptions,
} from '../output/index.js';
import type { CliIo } from './io.js';

export const FORMATS: readonly OutputFormat[] = ['table', 'json', 'ndjson', 'csv', 'xlsx', 'ecs'];

export interface OutputFlags {
  format?: string;
  output?: string;
  json?: boolean;
  excel?: boolean;
}

export interface OpenOutput {
  format: OutputFormat;
  sink: NodeJS.WritableStream;
  isTTY: boolean;
  close(): Promise<void>;
}

export function chooseFormat(
  flags: OutputFlags,
  io: CliIo,
  allowed: readonly OutputFormat[] = FORMATS,
): OutputFormat {
  let format: OutputFormat | undefined;
  if (flags.json) format = 'json';
  if (flags.format) {
    if (!(allowed as readonly string[]).includes(flags.format)) {
      throw new UsageError(`--format "${flags.format}" is not one of: ${allowed.join(', ')}`);
    }
    format = flags.format as OutputFormat;
  }
  if (!format && flags.output) format = formatFromPath(flags.output);
  if (!format) format = defaultFormat(Boolean(io.stdout.isTTY) && !flags.output);
  if (!allowed.includes(format))
    throw new UsageError(`--format ${format} is not available here: use ${allowed.join(', ')}`);
  if (format === 'xlsx' && !flags.output) {
    throw new UsageError('XLSX is a binary file: add --output FILE.xlsx');
  }
  return format;
}

export async function openOutput(
  flags: OutputFlags,
  io: CliIo,
  allowed?: readonly OutputFormat[],
): Promise<OpenOutput> {
  const format = chooseFormat(flags, io, allowed);
  if (!flags.output || flags.output === '-') {
    return { format, sink: io.stdout, isTTY: Boolean(io.stdout.isTTY), close: async () => {} };
  }
  // A 1 MB buffer lets the thread pool write one chunk while the next is being formatted; with
  // the default 16 KB every 64 KB chunk would stall the export until the disk write returned.
  const stream = createWriteStream(flags.output, { highWaterMark: 1024 * 1024 });
  await new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', (err: NodeJS.ErrnoException) =>
      reject(new UsageError(`Cannot write ${flags.output} (${err.code ?? err.message}): check the path`)),
    );
  });
  return {
    format,
    sink: stream,
    isTTY: false,
    async close() {
      stream.end();
      await once(stream, 'close');
    },
  };
}

/** Open the output the flags ask for, write every row, and close it: the common case of a command. */
export async function writeRows<T>(
  flags: OutputFlags,
  io: CliIo,
  allowed: readonly OutputFormat[],
  opts: Omit<WriterOptions<T>, 'sink' | 'isTTY'>,
  rows: Iterable<T> | AsyncIterable<T>,
): Promise<void> {
  const out = await openOutput(flags, io, allowed);
  try {
    const writer = createWriter<T>(out.format, {
      ...opts,
      sink: out.sink,
      isTTY: out.isTTY,
      excel: flags.excel,
    });
    for await (const row of rows) await writer.write(row);
    await writer.end();
  } finally {
    await out.close();
  }
}
