/**
 * Aligned columns for a person at a terminal. Widths come from the first 1,000 rows; later rows
 * reuse them (and a longer value is cut with an ellipsis), so a long listing starts printing at
 * once and never sits in memory.
 */
import { type CellValue, type Column, type RowWriter, type WriterOptions, writeChunk } from './writer.js';

const BUFFERED_ROWS = 1000;
const MAX_WIDTH = 48;

export function tableCell(v: CellValue): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  // Control characters from attacker-typed logins must not move the cursor or recolour the terminal.
  return String(v).replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ');
}

export function tableWriter<T>(opts: WriterOptions<T>): RowWriter<T> {
  const cols = opts.columns;
  const bold = (s: string) => (opts.color ? `\u001b[1m${s}\u001b[22m` : s);
  let buffered: string[][] | undefined = [];
  let widths: number[] = cols.map((c) => Math.min(c.width ?? MAX_WIDTH, c.header.length));
  const cells = (row: T) => cols.map((c) => tableCell(c.value(row)));
  const line = (values: string[]) =>
    values
      .map((v, i) => {
        const w = widths[i];
        const text = v.length > w ? `${v.slice(0, Math.max(1, w - 1))}…` : v;
        const numeric = (cols[i] as Column<T>).kind === 'number';
        return i === values.length - 1 && !numeric ? text : numeric ? text.padStart(w) : text.padEnd(w);
      })
      .join('  ')
      .trimEnd();
  const flush = async () => {
    if (!buffered) return;
    for (const r of buffered)
      widths = widths.map((w, i) => Math.max(w, Math.min(cols[i].width ?? MAX_WIDTH, r[i].length)));
    let out = `${bold(line(cols.map((c) => c.header)))}\n`;
    for (const r of buffered) out += `${line(r)}\n`;
    buffered = undefined;
    await writeChunk(opts.sink, out);
  };
  return {
    async write(row) {
      if (buffered) {
        buffered.push(cells(row));
        if (buffered.length >= BUFFERED_ROWS) await flush();
        return;
      }
      await writeChunk(opts.sink, `${line(cells(row))}\n`);
    },
    async end() {
      await flush();
    },
  };
}
