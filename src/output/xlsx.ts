/**
 * XLSX, streamed: the worksheet's XML is generated as text row by row (`spreadsheetml.ts`) and
 * zipped by yazl as it comes, so memory stays flat however many rows. Dates are real date
 * cells; the header row is bold, frozen and carries an auto-filter. Text is always an inline
 * string cell, never a formula, so formula injection cannot happen here.
 *
 * Back-pressure runs end to end: a row waits while the worksheet stream is full, the stream
 * drains as fast as zlib compresses, and zlib only as fast as the sink accepts the zip. The
 * writer leaves the sink open, like every other format: its owner ends it.
 */
import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import {
  CONTENT_TYPES_XML,
  cellXml,
  columnLetters,
  ROOT_RELS_XML,
  sheetEnd,
  sheetName,
  sheetStart,
  STYLES_XML,
  WORKBOOK_RELS_XML,
  workbookXml,
} from './spreadsheetml.js';
import { type Column, type RowWriter, type WriterOptions, writeChunk } from './writer.js';

/** Deflate level: the worksheet is repetitive XML, and level 1 is several times quicker than 6 for a slightly larger file. */
const COMPRESSION_LEVEL = 1;
/** Rows are handed to the zip in pieces of about this many characters. */
const CHUNK_CHARS = 64 * 1024;
/** What the worksheet stream buffers before a row waits for zlib. */
const SHEET_BUFFER_BYTES = 1024 * 1024;
const DONE: Promise<void> = Promise.resolve();

export function xlsxWriter<T>(opts: WriterOptions<T>): RowWriter<T> {
  // Loaded only when an XLSX is written (it brings zlib), like every heavy module of the CLI.
  let book: RowWriter<T> | undefined;
  const ready = openSheet(opts).then((sheet) => (book = sheetRows(sheet, opts.columns)));
  return {
    write: (row) => (book ? book.write(row) : ready.then((b) => b.write(row))),
    end: () => ready.then((b) => b.end()),
  };
}

/** A workbook of one worksheet, open for its rows (`<row>` elements, numbered from 2). */
export interface OpenSheet {
  /** Where the rows' XML goes, as text or UTF-8 bytes; it pushes back while zlib catches up. */
  rows: NodeJS.WritableStream;
  /** Ends the worksheet after row `lastRow` (1: the header alone) and the workbook after it. */
  end(lastRow: number): Promise<void>;
  /** Why the workbook failed (the zip or the sink), once it has. */
  failure(): Error | undefined;
}

/**
 * Start a workbook on `opts.sink` whose one worksheet has these columns: the parts before the
 * worksheet's rows are written, the header row included. The rows come from `xlsxWriter`, or from
 * an archive export that makes them on two threads (export/packed.ts).
 */
export async function openSheet(opts: Pick<WriterOptions<unknown>, 'sink' | 'title'> & { columns: ReadonlyArray<Column<never>> }): Promise<OpenSheet> {
  // yazl is CommonJS: `default` is its exports both in Node and in the CLI's bundle (which has no named ones).
  const { ZipFile } = (await import('yazl')).default;
  const columns = opts.columns;
  const name = sheetName(opts.title ?? 'Login history');
  let failure: Error | undefined;
  let failed!: (err: Error) => void;
  const failing = new Promise<never>((_, reject) => (failed = reject));
  failing.catch(() => {});
  const zip = new ZipFile();
  const level = { compressionLevel: COMPRESSION_LEVEL };
  zip.addBuffer(Buffer.from(CONTENT_TYPES_XML), '[Content_Types].xml', level);
  zip.addBuffer(Buffer.from(ROOT_RELS_XML), '_rels/.rels', level);
  zip.addBuffer(Buffer.from(WORKBOOK_RELS_XML), 'xl/_rels/workbook.xml.rels', level);
  zip.addBuffer(Buffer.from(STYLES_XML), 'xl/styles.xml', level);
  const rows = new PassThrough({ highWaterMark: SHEET_BUFFER_BYTES });
  zip.addReadStream(rows, 'xl/worksheets/sheet1.xml', level);
  // Any failure (zip or sink) ends the rows' stream with it: a row waiting for room gets the error.
  const fail = (err: Error) => {
    failure ??= err;
    failed(failure);
    rows.destroy(err);
  };
  // Told through `failure` and `failing`; a listener here keeps the stream's error from being uncaught.
  rows.on('error', () => {});
  zip.on('error', fail);
  opts.sink.on('error', fail);
  zip.outputStream.pipe(opts.sink, { end: false });
  rows.write(
    sheetStart(
      columns.map((c) => ({
        header: c.header,
        width: c.width && c.width > 0 ? Math.min(255, c.width) : Math.min(40, Math.max(10, c.header.length + 2)),
      })),
    ),
  );
  return {
    rows,
    failure: () => failure,
    async end(lastRow) {
      try {
        if (failure) throw failure;
        rows.end(sheetEnd(columns.length, lastRow));
        // The workbook names the auto-filter's range, known only now: it goes in after the sheet.
        zip.addBuffer(Buffer.from(workbookXml(name, columns.length, lastRow)), 'xl/workbook.xml', level);
        zip.end();
        await Promise.race([once(zip.outputStream, 'end'), failing]);
      } finally {
        opts.sink.off('error', fail);
      }
    },
  };
}

/** Rows of a sheet from values, each row's XML made here and handed on in ~64 KB pieces. */
function sheetRows<T>(sheet: OpenSheet, columns: ReadonlyArray<Column<T>>): RowWriter<T> {
  const letters = columns.map((_, i) => columnLetters(i));
  let pending = '';
  let lastRow = 1;

  async function flush(): Promise<void> {
    const chunk = pending;
    pending = '';
    await writeChunk(sheet.rows, chunk).catch((err: unknown) => {
      throw sheet.failure() ?? err;
    });
  }

  return {
    write(row) {
      const r = ++lastRow;
      let xml = `<row r="${r}">`;
      for (let i = 0; i < columns.length; i++) {
        const c = columns[i];
        xml += cellXml(letters[i] + r, c.cell ? c.cell(row) : c.value(row));
      }
      pending += `${xml}</row>`;
      return pending.length >= CHUNK_CHARS ? flush() : DONE;
    },
    async end() {
      if (pending) await flush();
      await sheet.end(lastRow);
    },
  };
}
