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
import type { ZipFile as ZipFileType } from 'yazl';
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
import type { RowWriter, WriterOptions } from './writer.js';

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
  const ready = import('yazl').then((m) => (book = openWorkbook(m.ZipFile, opts)));
  return {
    write: (row) => (book ? book.write(row) : ready.then((b) => b.write(row))),
    end: () => ready.then((b) => b.end()),
  };
}

function openWorkbook<T>(ZipFile: typeof ZipFileType, opts: WriterOptions<T>): RowWriter<T> {
  const columns = opts.columns;
  const name = sheetName(opts.title ?? 'Login history');
  const letters = columns.map((_, i) => columnLetters(i));

  // Any failure (zip or sink) rejects the write or end that is waiting, instead of hanging it.
  let fail!: (err: Error) => void;
  const failed = new Promise<never>((_, reject) => (fail = reject));
  failed.catch(() => {});

  const zip = new ZipFile();
  zip.on('error', fail);
  opts.sink.on('error', fail);
  zip.outputStream.pipe(opts.sink, { end: false });

  const level = { compressionLevel: COMPRESSION_LEVEL };
  zip.addBuffer(Buffer.from(CONTENT_TYPES_XML), '[Content_Types].xml', level);
  zip.addBuffer(Buffer.from(ROOT_RELS_XML), '_rels/.rels', level);
  zip.addBuffer(Buffer.from(WORKBOOK_RELS_XML), 'xl/_rels/workbook.xml.rels', level);
  zip.addBuffer(Buffer.from(STYLES_XML), 'xl/styles.xml', level);
  const sheet = new PassThrough({ highWaterMark: SHEET_BUFFER_BYTES });
  zip.addReadStream(sheet, 'xl/worksheets/sheet1.xml', level);

  let pending = sheetStart(
    columns.map((c) => ({
      header: c.header,
      width: c.width && c.width > 0 ? Math.min(255, c.width) : Math.min(40, Math.max(10, c.header.length + 2)),
    })),
  );
  let lastRow = 1;

  async function flush(): Promise<void> {
    const chunk = pending;
    pending = '';
    if (!sheet.write(chunk)) await Promise.race([once(sheet, 'drain'), failed]);
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
      sheet.end(pending + sheetEnd(columns.length, lastRow));
      pending = '';
      // The workbook names the auto-filter's range, known only now: it goes in after the sheet.
      zip.addBuffer(Buffer.from(workbookXml(name, columns.length, lastRow)), 'xl/workbook.xml', level);
      zip.end();
      try {
        await Promise.race([once(zip.outputStream, 'end'), failed]);
      } finally {
        opts.sink.off('error', fail);
      }
    },
  };
}
