/**
 * Aligned columns for a person at a terminal, fitted to its width: a line never wraps. Widths
 * come from the first 1,000 rows; later rows reuse them (a longer value is cut with an
 * ellipsis), so a long listing starts printing at once and never sits in memory.
 */
import { paint, type Tone } from './color.js';
import type { CellValue, Column, RowWriter, WriterOptions } from './writer.js';
import { writeChunk } from './writer.js';

const BUFFERED_ROWS = 1000;
/** No column is wider than this unless it says so. */
const MAX_WIDTH = 48;
const GAP = 2;
/** How narrow a text column may get before it is dropped (optional) or cut (kept). */
const MIN_OPTIONAL = 10;
const MIN_KEPT = 12;

export function tableCell(v: CellValue): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  // Control characters from attacker-typed logins must not move the cursor or recolour the terminal.
  return String(v).replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ');
}

/** Width in terminal cells, counted in code points (a name in Cyrillic is as wide as it is long). */
export function textWidth(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** `s` cut to `width` cells, the last one an ellipsis when anything was cut. */
export function truncate(s: string, width: number): string {
  if (textWidth(s) <= width) return s;
  if (width <= 0) return '';
  return `${Array.from(s)
    .slice(0, width - 1)
    .join('')}…`;
}

export interface FitColumn {
  header: string;
  /** The width its longest value (or header) needs, capped. */
  natural: number;
  keep?: boolean;
  whole?: boolean;
  kind?: Column<unknown>['kind'];
  minWidth?: number;
}

export interface Fit {
  /** Indices of the columns shown, in order. */
  shown: number[];
  /** Width of each column (by index into the input). */
  widths: number[];
}

/** The narrowest a column may be: numbers, kept times and whole ids are never cut. */
function minimum(c: FitColumn): number {
  if (c.whole || c.kind === 'number' || (c.kind === 'date' && c.keep)) return c.natural;
  return Math.min(c.natural, c.minWidth ?? (c.keep ? MIN_KEPT : MIN_OPTIONAL));
}

/**
 * Which columns fit in `width`, and how wide each is. Optional columns shrink first, then go
 * from the right; the columns that matter shrink only when nothing else is left. When even
 * that is too wide, the caller cuts the line.
 */
export function fitColumns(cols: readonly FitColumn[], width: number | undefined): Fit {
  const all = cols.map((_, i) => i);
  const natural = cols.map((c) => c.natural);
  if (width === undefined) return { shown: all, widths: natural };
  // A table that marks nothing as important keeps at least its first column.
  const kept = (i: number) => Boolean(cols[i].keep || cols[i].whole) || (i === 0 && !cols.some((c) => c.keep || c.whole));
  const min = cols.map((c, i) => minimum({ ...c, keep: kept(i) }));
  const shown = all.slice();
  let widths = natural.slice();
  const total = () => shown.reduce((sum, i) => sum + widths[i], 0) + GAP * Math.max(0, shown.length - 1);
  const squeeze = (which: (i: number) => boolean) => {
    while (total() > width) {
      let widest = -1;
      for (const i of shown) {
        if (which(i) && widths[i] > min[i] && (widest < 0 || widths[i] >= widths[widest])) widest = i;
      }
      if (widest < 0) return;
      widths[widest]--;
    }
  };
  for (;;) {
    widths = natural.slice();
    squeeze((i) => !kept(i));
    if (total() <= width) break;
    const drop = shown.findLastIndex((i) => !kept(i));
    if (drop < 0) break;
    shown.splice(drop, 1);
  }
  squeeze(() => true);
  return { shown, widths };
}

interface Cells {
  text: string[];
  tones?: Array<Tone | undefined>;
}

export function tableWriter<T>(opts: WriterOptions<T>): RowWriter<T> {
  const cols = opts.columns;
  const color = Boolean(opts.color);
  const now = opts.now;
  let buffered: Cells[] | undefined = [];
  let fit: Fit | undefined;
  let overflow = false;

  const cells = (row: T): Cells => ({
    text: cols.map((c) => tableCell(c.relative && now !== undefined ? c.relative(row, now) : c.value(row))),
    tones: color ? cols.map((c) => c.tone?.(row)) : undefined,
  });

  const line = (r: Cells, header = false): string => {
    const { shown, widths } = fit!;
    const parts = shown.map((i, n) => {
      const w = widths[i];
      const text = truncate(r.text[i], w);
      const pad = ' '.repeat(Math.max(0, w - textWidth(text)));
      const numeric = cols[i].kind === 'number';
      const last = n === shown.length - 1;
      const tone = overflow ? undefined : header ? 'header' : r.tones?.[i];
      const shownText = color ? paint(text, tone) : text;
      if (numeric) return pad + shownText;
      return last ? shownText : shownText + pad;
    });
    let out = parts.join(' '.repeat(GAP)).trimEnd();
    if (overflow) {
      // Even the columns that matter are too wide: cut the line rather than let it wrap, unless
      // that would cut an id meant to be copied (then the terminal wraps it, as gh's ids do).
      if (!shown.some((i) => cols[i].whole)) out = truncate(out, opts.width!);
      if (header && color) out = paint(out, 'header');
    }
    return `${out}\n`;
  };

  const flush = async () => {
    if (!buffered) return;
    const rows = buffered;
    buffered = undefined;
    // No rows, no bare header: the command says that nothing matched.
    if (!rows.length) return;
    const fitCols: FitColumn[] = cols.map((c, i) => {
      const cap = c.whole ? Infinity : (c.width ?? MAX_WIDTH);
      let natural = textWidth(c.header);
      for (const r of rows) natural = Math.max(natural, Math.min(cap, textWidth(r.text[i])));
      return { header: c.header, natural, keep: c.keep, whole: c.whole, kind: c.kind, minWidth: c.minWidth };
    });
    fit = fitColumns(fitCols, opts.width);
    const used =
      fit.shown.reduce((s, i) => s + fit!.widths[i], 0) + GAP * Math.max(0, fit.shown.length - 1);
    overflow = opts.width !== undefined && used > opts.width;
    let out = line({ text: cols.map((c) => c.header) }, true);
    for (const r of rows) out += line(r);
    await writeChunk(opts.sink, out);
  };

  return {
    async write(row) {
      if (buffered) {
        buffered.push(cells(row));
        if (buffered.length >= BUFFERED_ROWS) await flush();
        return;
      }
      await writeChunk(opts.sink, line(cells(row)));
    },
    async end() {
      await flush();
    },
  };
}
