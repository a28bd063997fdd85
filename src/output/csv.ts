/**
 * RFC 4180 CSV through csv-stringify. User names, typed logins and browser strings come from
 * whoever typed them, attackers included, so a text cell that a spreadsheet would run as a
 * formula gets a leading apostrophe.
 */
import { once } from 'node:events';
import { stringify } from 'csv-stringify';
import type { CellValue, RowWriter, WriterOptions } from './writer.js';

const FORMULA_START = /^[=+\-@\t\r]/;

/** Neutralise a text cell that Excel, LibreOffice or Sheets would evaluate. */
export function neutraliseFormula(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

export function csvCell(value: CellValue, kind: 'text' | 'number' | 'date' = 'text'): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return kind === 'number' && /^-?\d+(\.\d+)?$/.test(value) ? value : neutraliseFormula(value);
}

export function csvWriter<T>(opts: WriterOptions<T>): RowWriter<T> {
  const stringifier = stringify({
    header: true,
    columns: opts.columns.map((c) => ({ key: c.key, header: c.header })),
    bom: Boolean(opts.excel),
    record_delimiter: opts.excel ? 'windows' : 'unix',
    quoted_match: /^\s|\s$/,
  });
  // csv-stringify emits a chunk per record; pass them on in ~64 KB writes (one write per row
  // would be one system call per event), pausing while the sink is full.
  let pending: Buffer[] = [];
  let size = 0;
  const pass = () => {
    if (!pending.length) return;
    const data = pending.length === 1 ? pending[0] : Buffer.concat(pending, size);
    pending = [];
    size = 0;
    if (!opts.sink.write(data)) stringifier.pause();
  };
  stringifier.on('data', (chunk: Buffer) => {
    pending.push(chunk);
    size += chunk.length;
    if (size >= 64 * 1024) pass();
  });
  stringifier.on('end', pass);
  opts.sink.on('drain', () => stringifier.resume());
  return {
    async write(row) {
      const record: Record<string, string> = {};
      for (const c of opts.columns) record[c.key] = csvCell(c.value(row), c.kind);
      if (!stringifier.write(record)) await once(stringifier, 'drain');
    },
    async end() {
      const done = once(stringifier, 'end');
      stringifier.end();
      await done;
    },
  };
}
