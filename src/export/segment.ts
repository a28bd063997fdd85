/**
 * One segment of an archive export: events of one portal between two positions of the archive's
 * (time, id) order, read through the store's own reader with a query the store compiled, and written in one text
 * format. The main thread and the export worker run the same code, so both halves of an export
 * format identically.
 */
import type { LoginEvent } from '../model/event.js';
import { EVENT_FIELDS, eventColumns, eventJson } from '../output/columns.js';
import { toEcs } from '../output/ecs.js';
import { createWriter } from '../output/index.js';
import { eventJsonText } from '../output/json-text.js';
import { type LoginMask, sharedLoginMasker } from '../output/masked-logins.js';
import type { ByIdQuery } from '../store/packed-rows.js';
import type { ReadonlyConnection } from '../store/reader.js';
import { valuesToLoginEvent } from '../store/rows.js';
import { writePacked } from './packed.js';

/**
 * The formats whose segments can be concatenated as text. XLSX segments are the rows of the
 * worksheet (numbered from `Segment.firstRow`), which the caller puts in a workbook (output/xlsx.ts
 * `openSheet`); they are always packed.
 */
export type SegmentFormat = 'ndjson' | 'ecs' | 'csv' | 'xlsx';

/** How every segment of an export is written. */
export interface ExportFormat {
  format: SegmentFormat;
  /** CSV for Excel (BOM and CRLF). */
  excel?: boolean;
  /** The portal URL, for ECS `observer`. */
  portal?: string;
  /** `--columns a,b`: these CSV columns, in this order. */
  select?: readonly string[];
  /** `--json a,b`: only these fields of each NDJSON row. */
  fields?: readonly string[];
  /** Mask typed logins that may be passwords, with this key (`--mask-logins`); absent: as archived. */
  maskLogins?: LoginMask;
}

export interface Segment {
  /** The store's compiled query for the segment's rows (`ArchiveStore.compileEventRange`). */
  sql: string;
  parameters: readonly unknown[];
  /** Write the format's header (the CSV header row) before the rows. */
  header: boolean;
  /**
   * The query reads packed rows (`packs(how)`, packed.ts): here is the query of one event by id,
   * for a row that cannot be unpacked (`ArchiveStore.compileEventById`).
   */
  byId?: ByIdQuery;
  /** XLSX: the worksheet row of the segment's first event. */
  firstRow?: number;
}

/** Write a segment's events to `sink`; returns how many there were. */
export async function writeSegment(
  reader: ReadonlyConnection,
  how: ExportFormat,
  seg: Segment,
  sink: NodeJS.WritableStream,
): Promise<number> {
  if (seg.byId) return writePacked(reader, how, seg, seg.byId, sink);
  if (how.format === 'xlsx') throw new Error('XLSX export segments must be packed (packs(how))');
  const writer = createWriter<LoginEvent>(how.format, {
    columns: eventColumns,
    sink,
    json: eventJson,
    jsonText: eventJsonText,
    jsonFields: EVENT_FIELDS,
    ecs: (e) => toEcs(e, { portal: how.portal }),
    excel: how.excel,
    select: how.select,
    fields: how.fields,
    header: seg.header,
  });
  const mask = how.maskLogins && sharedLoginMasker(how.maskLogins);
  let n = 0;
  for (const values of reader.iterate(seg)) {
    const e = valuesToLoginEvent(values);
    // Most rows only join the writer's buffer: no promise, no await for them.
    const writing = writer.write(mask ? mask(e) : e);
    if (writing) await writing;
    n++;
  }
  await writer.end();
  return n;
}
