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
import { eventJsonHead, eventJsonTail, eventJsonText } from '../output/json-text.js';
import { type LoginMask, loginMasker } from '../output/masked-logins.js';
import { openReader, type ReadonlyConnection } from '../store/reader.js';
import { type ByIdQuery, unpackRow } from '../store/packed-rows.js';
import { valuesToLoginEvent } from '../store/rows.js';

/** The formats whose segments can be concatenated as text. */
export type SegmentFormat = 'ndjson' | 'ecs' | 'csv';

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
   * The query reads packed rows (`packs(how)`): here is the query of one event by id, for a row
   * that cannot be unpacked (`ArchiveStore.compileEventById`).
   */
  byId?: ByIdQuery;
}

/**
 * Whether a segment in this format reads packed rows: NDJSON of whole events, whose text is made
 * once per distinct rest of the row (store/packed-rows.ts). Measured on a week of a 5M-event
 * archive (200k events): 8.7 against 13 µs a row on one thread, the same bytes.
 */
export function packs(how: ExportFormat): boolean {
  return how.format === 'ndjson' && !how.fields?.length;
}

/**
 * One masker per mask for every segment a thread writes: building it reads the whole people
 * directory, and its cache of typed logins is worth keeping from one segment to the next.
 */
const maskers = new WeakMap<LoginMask, (e: LoginEvent) => LoginEvent>();

function maskerFor(mask: LoginMask): (e: LoginEvent) => LoginEvent {
  let f = maskers.get(mask);
  if (!f) {
    f = loginMasker(mask);
    maskers.set(mask, f);
  }
  return f;
}

/** Write a segment's events to `sink`; returns how many there were. */
export async function writeSegment(
  reader: ReadonlyConnection,
  how: ExportFormat,
  seg: Segment,
  sink: NodeJS.WritableStream,
): Promise<number> {
  if (seg.byId) return writePacked(reader, how, seg, seg.byId, sink);
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
  const mask = how.maskLogins && maskerFor(how.maskLogins);
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

/** Distinct rests remembered before a thread's cache starts over (~300 bytes of text each). */
const TAILS = 20_000;
/** Each thread's texts of the rest of a row, by packed value, per export (its mask decides them). */
const tailsOf = new WeakMap<ExportFormat, Map<string, string>>();

/**
 * A packed segment, as NDJSON: each row is its head (id and times, made for every row) and the
 * text of the rest, made from the whole event (masked as the other path masks it) the first time
 * its packed value is seen, then taken from the cache. The bytes are `eventJsonText`'s.
 */
async function writePacked(
  reader: ReadonlyConnection,
  how: ExportFormat,
  seg: Segment,
  byId: ByIdQuery,
  sink: NodeJS.WritableStream,
): Promise<number> {
  const writer = createWriter<string>('ndjson', { columns: [], sink, jsonText: (line) => line });
  const mask = how.maskLogins && maskerFor(how.maskLogins);
  let tails = tailsOf.get(how);
  if (!tails) tailsOf.set(how, (tails = new Map()));
  let n = 0;
  // The connection is busy while its rows stream: a row read again goes through another one.
  let again: ReadonlyConnection | undefined;
  try {
    for (const v of reader.iterate(seg)) {
      const key = v[3] as string;
      let tail = tails.get(key);
      if (tail === undefined) {
        const values = unpackRow(v);
        // A value that held the separator: the row is read again, and its text never cached (its
        // packed value may be another row's too).
        const e = valuesToLoginEvent(values ?? rowById((again ??= openReader(reader.spec)), byId, v[0]));
        tail = eventJsonTail(mask ? mask(e) : e);
        // Made of ~30 pieces, the text is a rope until something reads it: reading one character
        // makes V8 flatten it in place, once, where every row's join would walk the rope again
        // (measured: 5x the joining time).
        tail.charCodeAt(0);
        if (values) {
          if (tails.size >= TAILS) tails.clear();
          tails.set(key, tail);
        }
      }
      const writing = writer.write(eventJsonHead(v[0] as number, v[1] as number, v[2] as number) + tail);
      if (writing) await writing;
      n++;
    }
  } finally {
    again?.close();
  }
  await writer.end();
  return n;
}

function rowById(reader: ReadonlyConnection, q: ByIdQuery, id: unknown): unknown[] {
  const parameters = [...q.parameters];
  parameters[q.idAt] = id;
  const row = reader.first({ sql: q.sql, parameters });
  if (!row) throw new Error(`event ${String(id)} went from the archive during the export`);
  return row;
}
