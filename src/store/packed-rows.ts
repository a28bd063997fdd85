/**
 * Events read as four values: id, time, offset, and the rest of the row packed by SQL into one
 * text (`PACKED_REST`). In a week of history nine rows in ten repeat the rest of an earlier row
 * (a member's session: who, what, where, with what), so a long NDJSON export makes the rest of
 * its text once per distinct value, keyed by this one string, instead of once per row
 * (export/segment.ts). `unpackRow` gives the row back in `EVENT_FIELDS` order for
 * `valuesToLoginEvent`, or undefined when a value itself held the separator: that row is read
 * again by id (`compileEventById`).
 */
import { type RawBuilder, sql } from 'kysely';
import { LOGIN_EVENT_FIELDS } from '../model/event-fields.js';
import type { Db } from './context.js';
import { EVENT_FIELDS } from './rows.js';

const SEP = '\x1f';
/** Before a nullable value, so that '' (no mark) is null and a mark alone is the empty string. */
const MARK = '\x02';

/** The fields read as columns of their own: the row's place in the order, and its time. */
const OWN: ReadonlySet<string> = new Set(['id', 'time', 'offset_minutes']);
/** The rest, packed in this order. */
const REST = LOGIN_EVENT_FIELDS.filter((f) => !OWN.has(f.column));
/** Where each packed value goes in `EVENT_FIELDS` order (the portal's place stays null). */
const REST_AT = REST.map((f) => EVENT_FIELDS.indexOf(f.column));
const OWN_AT = ['id', 'time', 'offset_minutes'].map((c) => EVENT_FIELDS.indexOf(c as (typeof EVENT_FIELDS)[number]));

/**
 * The packed text: the values joined by the separator, nullable ones marked. `concat_ws` makes
 * it in one call (SQLite ≥ 3.44, as better-sqlite3 ships it); its numbers come as their text.
 */
export const PACKED_REST: RawBuilder<string> = sql<string>`concat_ws(${sql.lit(SEP)}, ${sql.join(
  REST.map((f) => (f.type === 'optional-text' ? sql`ifnull(${sql.lit(MARK)} || ${sql.ref(f.column)}, '')` : sql.ref(f.column))),
)})`;

/** The columns of a packed read, in the order `unpackRow` takes them. */
export const PACKED_COLUMNS = ['id', 'time', 'offset_minutes', PACKED_REST.as('rest')] as const;

/** A packed row (`[id, time, offset, rest]`) as values in `EVENT_FIELDS` order, or undefined for an odd one. */
export function unpackRow(v: readonly unknown[]): unknown[] | undefined {
  const parts = (v[3] as string).split(SEP);
  if (parts.length !== REST.length) return undefined;
  const out: unknown[] = new Array(EVENT_FIELDS.length).fill(null);
  for (let i = 0; i < 3; i++) out[OWN_AT[i]] = Number(v[i]);
  for (let i = 0; i < REST.length; i++) {
    const p = parts[i];
    const type = REST[i].type;
    out[REST_AT[i]] = type === 'integer' || type === 'flag' ? Number(p) : type === 'optional-text' ? (p === '' ? null : p.slice(1)) : p;
  }
  return out;
}

/**
 * One event by id, every column in `EVENT_FIELDS` order: the SQL and its parameters with null at
 * `idAt`, where a reader puts the id it asks for (plain data: it goes to the exporter's worker).
 */
export function compileEventById(db: Db, portalId: number): ByIdQuery {
  const marker = Symbol('id');
  const q = db
    .selectFrom('events')
    .select([...EVENT_FIELDS])
    .where('portal_id', '=', portalId)
    .where('id', '=', marker as unknown as number)
    .compile();
  const idAt = q.parameters.indexOf(marker);
  if (idAt < 0) throw new Error('the event-by-id query lost its id');
  return { sql: q.sql, parameters: q.parameters.map((p) => (p === marker ? null : p)), idAt };
}

/** The query of one event by id (`compileEventById`). */
export interface ByIdQuery {
  sql: string;
  parameters: readonly unknown[];
  idAt: number;
}
