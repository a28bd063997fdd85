/**
 * `events --archive` for one portal in CSV, NDJSON, ECS or XLSX, from an archive a second thread
 * can read (SQLite in a file): the parallel exporter (src/export). Anything else (PostgreSQL,
 * several portals, JSON arrays, tables, ECS originals, XLSX columns a packed row cannot make)
 * takes the general path through the store's query layer.
 */
import { packs } from '../export/packed.js';
import { canExport, type ExportFormat, exportArchive, type SegmentFormat } from '../export/parallel.js';
import { eventColumns } from '../output/columns.js';
import { selectColumns } from '../output/select.js';
import { type ArchiveSelection, archiveFilter } from './archive.js';
import { EXIT } from './exit.js';
import { holdYoungGeneration } from './young-generation.js';
import type { ParsedHistoryFlags } from './history-flags.js';
import type { CliIo, Reporter } from './io.js';
import { openOutput, type OutputOptions } from './output.js';
import type { LoginMask } from '../output/masked-logins.js';

const FORMATS: readonly string[] = ['csv', 'ndjson', 'ecs', 'xlsx'] satisfies SegmentFormat[];

/**
 * Export and return the exit code; or undefined, with the archive still open, when this path
 * does not apply. The archive is closed on every other way out, errors included.
 */
export async function exportFromArchive(
  archive: ArchiveSelection,
  output: OutputOptions,
  parsed: ParsedHistoryFlags,
  io: CliIo,
  reporter?: Reporter,
  maskLogins?: LoginMask,
): Promise<number | undefined> {
  const { store, only } = archive;
  const { format } = output;
  const how: ExportFormat = { format: format as SegmentFormat, excel: output.excel, portal: only?.url, select: output.select, fields: output.fields, maskLogins };
  if (!FORMATS.includes(format) || !only || !canExport(store)) {
    return undefined;
  }
  // XLSX segments are always packed (export/segment.ts); a bad column name is told here.
  const packed = format !== 'xlsx' || (await Promise.resolve().then(() => packs(how)).catch(async (err: unknown) => {
    await store.close();
    throw err;
  }));
  if (!packed) return undefined;
  try {
    const out = await openOutput(output, io);
    try {
      // A small young generation while the segments stream through, as for `events` (young-generation.ts).
      const young = holdYoungGeneration(1);
      let count: number;
      try {
        const filter = await archiveFilter(archive, parsed);
        const run = (sink: NodeJS.WritableStream) => exportArchive(store, only.id, filter, how, sink, { limit: parsed.limit, onSegment: () => young.tick() });
        count = format === 'xlsx' ? await inWorkbook(out.sink, how, run) : await run(out.sink);
      } finally {
        young.release();
      }
      await out.close();
      if (reporter && output.file !== undefined) reporter.note(`wrote ${count} events to ${output.file}`);
    } finally {
      await out.close();
    }
  } finally {
    await store.close();
  }
  return EXIT.ok;
}

/** An export's rows in the one worksheet of a workbook on `sink`, as `events --format xlsx` writes it. */
async function inWorkbook(sink: NodeJS.WritableStream, how: ExportFormat, run: (rows: NodeJS.WritableStream) => Promise<number>): Promise<number> {
  const { openSheet } = await import('../output/xlsx.js');
  const sheet = await openSheet({ sink, columns: selectColumns(eventColumns, { select: how.select }) });
  // A failure of the workbook (a full disk) ends the rows' stream: that failure is the one to tell.
  const count = await run(sheet.rows).catch((err: unknown) => {
    throw sheet.failure() ?? err;
  });
  await sheet.end(count + 1);
  return count;
}
