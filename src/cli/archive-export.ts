/**
 * `events --archive` for one portal in CSV, NDJSON or ECS, from an archive a second thread can
 * read (SQLite in a file): the parallel exporter (src/export). Anything else (PostgreSQL, several
 * portals, JSON arrays, tables, XLSX, ECS originals) takes the general path through the store's
 * query layer.
 */
import { canExport, exportArchive, type SegmentFormat } from '../export/parallel.js';
import { type ArchiveSelection, archiveFilter } from './archive.js';
import { EXIT } from './exit.js';
import { holdYoungGeneration } from './young-generation.js';
import type { ParsedHistoryFlags } from './history-flags.js';
import type { CliIo, Reporter } from './io.js';
import { openOutput, type OutputOptions } from './output.js';
import type { LoginMask } from '../output/masked-logins.js';

const FORMATS: readonly string[] = ['csv', 'ndjson', 'ecs'] satisfies SegmentFormat[];

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
  if (!FORMATS.includes(format) || !only || !canExport(store)) {
    return undefined;
  }
  try {
    const out = await openOutput(output, io);
    try {
      const how = { format: format as SegmentFormat, excel: output.excel, portal: only.url, select: output.select, fields: output.fields, maskLogins };
      // A small young generation while the segments stream through, as for `events` (young-generation.ts).
      const young = holdYoungGeneration(1);
      let count: number;
      try {
        count = await exportArchive(store, only.id, await archiveFilter(archive, parsed), how, out.sink, { limit: parsed.limit, onSegment: () => young.tick() });
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
