/**
 * XLSX through exceljs's streaming writer: each row is committed as it comes, so memory stays
 * flat. Dates are real date cells; the header row is frozen and carries an auto-filter. Text
 * is always written as a string cell, never as a formula, so injection cannot happen here.
 */
import type ExcelJSType from 'exceljs';
import type { CellValue, RowWriter, WriterOptions } from './writer.js';

const DATE_FORMAT = 'yyyy-mm-dd hh:mm:ss';

export function xlsxWriter<T>(opts: WriterOptions<T>): RowWriter<T> {
  // exceljs is large (about 30 MB resident): load it only when an XLSX is written.
  const ready = import('exceljs').then((m) => open(m.default, opts));
  let rows = 0;
  return {
    async write(row) {
      (await ready).write(row);
      if (++rows % 200 === 0) await drainBacklog();
    },
    async end() {
      await (await ready).end();
    },
  };
}

function open<T>(ExcelJS: typeof ExcelJSType, opts: WriterOptions<T>) {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
    stream: opts.sink as unknown as import('node:stream').Stream,
    useStyles: true,
    useSharedStrings: false,
    // Fast deflate: XLSX is XML, which compresses well at any level; level 1 is ~3x quicker.
    zip: { zlib: { level: 1 } },
  });
  const sheet = workbook.addWorksheet(opts.title ?? 'Login history', {
    views: [{ state: 'frozen', ySplit: 1 }],
  });
  sheet.columns = opts.columns.map((c) => ({
    header: c.header,
    key: c.key,
    width: c.width ?? Math.min(40, Math.max(10, c.header.length + 2)),
    style: c.kind === 'date' ? { numFmt: DATE_FORMAT } : undefined,
  }));
  sheet.getRow(1).font = { bold: true };
  sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: opts.columns.length } };
  return {
    write(row: T) {
      const values = opts.columns.map((c) => xlsxCell(c.cell ? c.cell(row) : c.value(row)));
      sheet.addRow(values).commit();
    },
    async end() {
      sheet.commit();
      await workbook.commit();
    },
  };
}

/** Buffered output (the XML waiting for zlib) allowed before the writer waits. */
const BACKLOG_BYTES = 32 * 1024 * 1024;

/**
 * exceljs hands rows to its zip stream without back-pressure, and zlib compresses on the thread
 * pool, progressing only while we yield. Yield every 200 rows; when buffers still pile up, give
 * zlib a few milliseconds (bounded: buffer memory is only released at GC, so it lags).
 */
async function drainBacklog(): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
  for (let i = 0; i < 10 && process.memoryUsage().arrayBuffers > BACKLOG_BYTES; i++) {
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

function xlsxCell(v: CellValue): string | number | boolean | Date | null {
  if (v === undefined || v === null) return null;
  // A plain string stays a string cell: exceljs only writes formulas for { formula } objects.
  return v;
}
