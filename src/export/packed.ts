/**
 * Packed export segments: NDJSON of whole events, and CSV whose row's own columns (id, date) come
 * first. Each row is read as its id, its times and one packed text of the rest (who, what, where,
 * with what: store/packed-rows.ts), which a member's session repeats. The text of that rest is
 * made from the whole event (masked as every path masks it) the first time this thread sees its
 * packed value, then reused; only the row's own part is made for every row. Measured on a week of
 * the 5M-event bench archive (215k events, 18k distinct rests), NDJSON on one thread: 13 against
 * 8.7 µs a row. The bytes are the general path's (test/export-packed.test.ts).
 */
import type { LoginEvent } from '../model/event.js';
import { eventColumns } from '../output/columns.js';
import { csvEol, csvHeader, csvLine } from '../output/csv.js';
import { eventJsonHead, eventJsonTail } from '../output/json-text.js';
import { sharedLoginMasker } from '../output/masked-logins.js';
import { selectColumns } from '../output/select.js';
import { lineWriter } from '../output/text.js';
import { type ByIdQuery, unpackRow } from '../store/packed-rows.js';
import { openReader, type ReadonlyConnection } from '../store/reader.js';
import { valuesToLoginEvent } from '../store/rows.js';
import type { ExportFormat, Segment } from './segment.js';

/** How a packed segment's lines are made. */
interface Lines {
  /** The row's own part, from its id and times ('' when the format has none). */
  own(id: number, time: number, offsetMinutes: number): string;
  /** The rest, from the whole event ('' when the format has none). */
  rest(e: LoginEvent): string;
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
  if (how.format !== 'csv') return undefined;
  const columns = selectColumns(eventColumns, { select: how.select });
  const first = columns.findIndex((c) => !c.perRow);
  const split = first < 0 ? columns.length : first;
  // A row's own column after a shared one would cut the shared text in two.
  if (columns.slice(split).some((c) => c.perRow)) return undefined;
  const own = columns.slice(0, split);
  const rest = columns.slice(split);
  return {
    // The own columns read nothing but these three fields (`Column.perRow`).
    own: (id, time, offsetMinutes) => csvLine(own, { id, time, offsetMinutes } as LoginEvent),
    rest: (e) => csvLine(rest, e),
    joint: own.length && rest.length ? ',' : '',
    eol: csvEol(how.excel),
    header: csvHeader(columns, how.excel),
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
/** Each thread's texts of rests, by packed value, per export (its format and mask decide them). */
const restsOf = new WeakMap<ExportFormat, Map<string, string>>();

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
  let rests = restsOf.get(how);
  if (!rests) restsOf.set(how, (rests = new Map()));
  let n = 0;
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
        rest = made.rest(mask ? mask(e) : e);
        // Made of many pieces, the text is a rope until something reads it: reading one character
        // makes V8 flatten it in place, once, where every row's join would walk the rope again
        // (measured: 5x the joining time).
        rest.charCodeAt(0);
        if (values) {
          if (rests.size >= RESTS) rests.clear();
          rests.set(key, rest);
        }
      }
      const writing = writer.write(made.own(v[0] as number, v[1] as number, v[2] as number) + made.joint + rest);
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
