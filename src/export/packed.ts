/**
 * Packed export segments: NDJSON of whole events, and CSV or worksheet rows (XLSX) whose row's own
 * columns (id, date) come first. Each row is read as its id, its times and one packed text of the rest (who, what, where,
 * with what: store/packed-rows.ts), which a member's session repeats. The text of that rest is
 * made from the whole event (masked as every path masks it) the first time this thread sees its
 * packed value, then reused; only the row's own part is made for every row. Measured on a week of
 * the 5M-event bench archive (215k events, 18k distinct rests), NDJSON on one thread: 13 against
 * 8.7 µs a row. The bytes are the general path's (test/export-packed.test.ts).
 *
 * A worksheet row names its number in every cell's reference (`<c r="E42">`): its rest is kept cut
 * at those places and encoded once (`Pieces`), and each row's number goes between the pieces.
 */
import type { LoginEvent } from '../model/event.js';
import { hash32 } from '../model/hash.js';
import { eventColumns } from '../output/columns.js';
import { csvEol, csvHeader, csvLine } from '../output/csv.js';
import { eventJsonHead, eventJsonTail } from '../output/json-text.js';
import { sharedLoginMasker } from '../output/masked-logins.js';
import { selectColumns } from '../output/select.js';
import type { Column } from '../output/writer.js';
import { cellXml, columnLetters } from '../output/spreadsheetml.js';
import { lineWriter, type Pieces, piecesOf } from '../output/text.js';
import { type ByIdQuery, unpackRow } from '../store/packed-rows.js';
import { openReader, type ReadonlyConnection } from '../store/reader.js';
import { valuesToLoginEvent } from '../store/rows.js';
import type { ExportFormat, Segment } from './segment.js';

/** How a packed segment's lines are made. */
interface Lines {
  /** The row's own part, from its id, times and row number ('' when the format has none). */
  own(id: number, time: number, offsetMinutes: number, row: number): string;
  /** The rest, from the whole event ('' when the format has none); `ROW` where the row number goes. */
  rest(e: LoginEvent): string;
  /** The rest holds the row number (`ROW`): it is kept as `Pieces`. */
  numbered?: boolean;
  /** Between the two. */
  joint: string;
  eol: string;
  /** Before an export's first line: the CSV header row. */
  header: string;
}

/** The lines of a format, or undefined when it cannot be packed. */
function linesOf(how: ExportFormat): Lines | undefined {
  if (how.format === 'ndjson') {
    return how.fields?.length ? undefined : { own: eventJsonHead, rest: eventJsonTail, joint: '', eol: '\n', header: '' };
  }
  if (how.format !== 'csv' && how.format !== 'xlsx') return undefined;
  const columns = selectColumns(eventColumns, { select: how.select });
  const first = columns.findIndex((c) => !c.perRow);
  const split = first < 0 ? columns.length : first;
  // A row's own column after a shared one would cut the shared text in two.
  if (columns.slice(split).some((c) => c.perRow)) return undefined;
  const own = columns.slice(0, split);
  const rest = columns.slice(split);
  if (how.format === 'xlsx') return sheetLines(own, rest);
  return {
    // The own columns read nothing but these three fields (`Column.perRow`).
    own: (id, time, offsetMinutes) => csvLine(own, { id, time, offsetMinutes } as LoginEvent),
    rest: (e) => csvLine(rest, e),
    joint: own.length && rest.length ? ',' : '',
    eol: csvEol(how.excel),
    header: csvHeader(columns, how.excel),
  };
}

/**
 * Where a worksheet row's number goes in its cached rest: a character no cell's text can hold
 * (`cellXml` drops it as XML 1.0 forbids it), so it is found only in the references.
 */
const ROW = '\u0001';

/** Worksheet rows (`<row>` … `</row>`) as the XLSX writer makes them (output/xlsx.ts). */
function sheetLines(own: ReadonlyArray<Column<LoginEvent>>, rest: ReadonlyArray<Column<LoginEvent>>): Lines {
  const cells = (columns: ReadonlyArray<Column<LoginEvent>>, from: number, e: LoginEvent, row: string): string => {
    let xml = '';
    for (let i = 0; i < columns.length; i++) {
      const c = columns[i];
      xml += cellXml(columnLetters(from + i) + row, c.cell ? c.cell(e) : c.value(e));
    }
    return xml;
  };
  return {
    // The own columns read nothing but these three fields (`Column.perRow`).
    own: (id, time, offsetMinutes, row) => `<row r="${row}">${cells(own, 0, { id, time, offsetMinutes } as LoginEvent, String(row))}`,
    rest: (e) => `${cells(rest, own.length, e, ROW)}</row>`,
    numbered: true,
    joint: '',
    eol: '',
    // The worksheet's start and end are the workbook's (output/xlsx.ts `openSheet`).
    header: '',
  };
}

const linesFor = new WeakMap<ExportFormat, Lines | null>();

function lines(how: ExportFormat): Lines | undefined {
  let l = linesFor.get(how);
  if (l === undefined) linesFor.set(how, (l = linesOf(how) ?? null));
  return l ?? undefined;
}

/** Whether segments in this format read packed rows. */
export function packs(how: ExportFormat): boolean {
  return lines(how) !== undefined;
}

/** Distinct rests remembered before a thread's cache starts over (~600 bytes each, key included). */
const RESTS = 20_000;
/**
 * Once the cache is half full, a rest is remembered only the second time it is seen among recent
 * first sightings (a table of SIGHTS hashes: `secondSight`). A remembered text outlives the young
 * generation, so V8 moves it to the old one; every text the cache lets go is old-generation
 * garbage, and V8 lets the old generation grow to a few times its live size before collecting it.
 * Remembering every rest on first sight, a long export turned its cache over again and again with
 * rests seen once. CSV of the 1M newest events of a 6-month archive (52k distinct rests), two
 * threads, interleaved with remembering every rest: peak old generation 21-22 MB against 35-37
 * (worker thread) and 16-18 against 21-33 (main thread), where an unpacked export has 12-14 and
 * 11-18; peak RSS 198-247 MB, median 215, against 218-260, median 235 (unpacked: 183-210); CPU
 * time no more (15.0-20.5 s against 15.6-21.2 s, a busy host). Replayed in the same order: 27k
 * texts stored instead of 93k, 73k made instead of 93k. An export whose threads each see fewer
 * than RESTS / 2 distinct rests is not changed (40k rows of that archive; 170k: 23.1k texts made
 * instead of 22.8k).
 */
const SIGHTS = 65_536;

/** A thread's texts of rests by packed value, and the hashes of rests seen once (`secondSight`). */
interface Rests {
  texts: Map<string, string | Pieces>;
  seen: Int32Array;
}

/** Each thread's rests, per export (its format and mask decide their texts). */
const restsOf = new WeakMap<ExportFormat, Rests>();

/**
 * Whether `key` is among the first sightings in `seen` (32-bit hashes, one slot each); if not,
 * it is recorded there, in place of the one its slot held. A collision only lets a rest in
 * early, or keeps one out longer: the texts are the same either way.
 */
function secondSight(seen: Int32Array, key: string): boolean {
  // Never 0, the value of an empty slot.
  const h = hash32(key) | 1;
  const at = h & (seen.length - 1);
  if (seen[at] === h) return true;
  seen[at] = h;
  return false;
}

/** Write a packed segment (`packs(how)`) to `sink`; returns how many events it held. */
export async function writePacked(
  reader: ReadonlyConnection,
  how: ExportFormat,
  seg: Segment,
  byId: ByIdQuery,
  sink: NodeJS.WritableStream,
): Promise<number> {
  const made = lines(how);
  if (!made) throw new Error(`a ${how.format} export segment cannot be packed`);
  const writer = lineWriter(sink, made.eol, seg.header ? made.header : '');
  const mask = how.maskLogins && sharedLoginMasker(how.maskLogins);
  let cache = restsOf.get(how);
  if (!cache) restsOf.set(how, (cache = { texts: new Map(), seen: new Int32Array(SIGHTS) }));
  const { texts: rests, seen } = cache;
  let n = 0;
  let row = seg.firstRow ?? 0;
  // The connection is busy while its rows stream: a row read again goes through another one.
  let again: ReadonlyConnection | undefined;
  try {
    for (const v of reader.iterate(seg)) {
      const key = v[3] as string;
      let rest = rests.get(key);
      if (rest === undefined) {
        const values = unpackRow(v);
        // A value that held the separator: the row is read again, and its text never cached (its
        // packed value may be another row's too).
        const e = valuesToLoginEvent(values ?? rowById((again ??= openReader(reader.spec)), byId, v[0]));
        const text = made.joint + made.rest(mask ? mask(e) : e);
        // Made of many pieces, the text is a rope until something reads it: reading one character
        // makes V8 flatten it in place, once, where every row's join would walk the rope again
        // (measured: 5x the joining time).
        text.charCodeAt(0);
        rest = made.numbered ? piecesOf(text, ROW) : text;
        if (values && (rests.size < RESTS / 2 || secondSight(seen, key))) {
          if (rests.size >= RESTS) rests.clear();
          rests.set(key, rest);
        }
      }
      const own = made.own(v[0] as number, v[1] as number, v[2] as number, row);
      const writing = typeof rest === 'string' ? writer.write(own, rest) : writer.writePieces(own, rest, row);
      row++;
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
