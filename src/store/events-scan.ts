/**
 * The archive read detection makes: one portal's events oldest first, only the columns the rules
 * read (`DetectEvent`), as plain objects. Reading is most of a full pass over a large archive, and
 * most of a row's cost is turning each column into a JS value, so the scan leaves out what no
 * rule reads (the user's name, the action's label, the page, the portal) and the typed login of
 * member events (only anonymous failures are attributed by it). SQLite streams one compiled
 * query with the text columns packed into one (`packedScan`); other backends read keyset pages
 * of the plain columns.
 */
import { type CompiledQuery, sql } from 'kysely';
import type { DetectEvent, SharedStrings } from '../detect/types.js';
import type { EventFilter } from '../history/filter.js';
import { ACTION_KINDS, type ActionKind, actionKind } from '../model/actions.js';
import type { StoreContext } from './context.js';
import { type EventPosition, eventsIn } from './events-read.js';
import { type PagedQuery, SCAN_PAGE, scanOnWorker, type TupleFormat } from './scan-thread.js';

type Matching = ReturnType<typeof eventsIn>;

/** The scan's columns, in the order `valuesToDetectEvent` reads them. */
const SCAN_COLUMNS = [
  'id', 'time', 'offset_minutes', 'user_id', 'login', 'anonymous', 'action_id', 'kind', 'ip', 'country', 'city', 'browser', 'platform',
] as const;

const KINDS: ReadonlySet<string> = new Set(ACTION_KINDS);
/** Each kind as the one string the code compares with (a pointer check rather than a character one). */
const CANONICAL: ReadonlyMap<string, ActionKind> = new Map(ACTION_KINDS.map((k) => [k, k]));

/** A row of the scan's columns as the event detection reads (numbers may come as strings: PostgreSQL's bigint). */
function valuesToDetectEvent(v: readonly unknown[]): DetectEvent {
  const actionId = Number(v[6]);
  const kind = v[7] as string;
  return {
    id: Number(v[0]),
    time: Number(v[1]),
    offsetMinutes: Number(v[2]),
    userId: v[3] as string,
    login: v[4] as string | null,
    anonymous: Number(v[5]) === 1,
    actionId,
    kind: KINDS.has(kind) ? (kind as ActionKind) : actionKind(actionId),
    ip: v[8] as string,
    country: v[9] as string,
    city: v[10] as string,
    browser: v[11] as string | null,
    platform: v[12] as string | null,
    // The same shape as the packed scan's events (which share one per distinct set of strings).
    shared: undefined,
  };
}

/** The scan's plain columns of `q`, oldest first. */
function plainColumns(q: Matching) {
  return q
    .select([
      'id', 'time', 'offset_minutes', 'user_id',
      sql<string | null>`case when ${sql.ref('anonymous')} <> 0 then ${sql.ref('login')} end`.as('login'),
      'anonymous', 'action_id', 'kind', 'ip', 'country', 'city', 'browser', 'platform',
    ])
    .orderBy('time', 'asc')
    .orderBy('id', 'asc');
}

/**
 * One portal's events matching `filter`, oldest first (time, then id), after `after` when given,
 * `chunk` at a time: what detection (and the watcher's nothing-new gate) reads. `handoff` and
 * `page` are the worker's start and page size (for tests).
 */
export async function* detectEventsOldestFirst(
  s: StoreContext,
  portalId: number,
  filter: EventFilter,
  after?: EventPosition,
  chunk = 2000,
  handoff = HANDOFF,
  page = SCAN_PAGE,
): AsyncGenerator<DetectEvent[]> {
  const matching = (from: EventPosition | undefined) => eventsIn(s.db, [portalId], filter, from ? { before: from } : {});
  const iterateRaw = s.backend.capabilities.iterateRaw;
  if (iterateRaw && !s.inTransaction) {
    yield* packedScan(s, iterateRaw, matching, after, chunk, handoff, page);
    return;
  }
  let from = after;
  for (;;) {
    const rows = (await plainColumns(matching(from)).limit(chunk).execute()) as Record<string, unknown>[];
    if (rows.length) yield rows.map((r) => valuesToDetectEvent(SCAN_COLUMNS.map((c) => r[c])));
    if (rows.length < chunk) return;
    const last = rows[rows.length - 1];
    from = [Number(last.time), Number(last.id)];
  }
}

/**
 * The text columns of a row packed by SQL into one value (`TUPLE_SQL`): the stored kind, then the
 * event's strings, each after the separator, the nullable ones marked (`\x02` + value, '' for
 * null). better-sqlite3's cost is per column far more than per byte, and the same tuple (a user's
 * outcome, address, place and device) comes back again and again, so each distinct tuple is split
 * once and its strings are shared by every event that carries it (which also hands the engine the
 * same string objects as map keys, their hashes already computed).
 */
const SEP = '\x1f';
const MARK = '\x02';
const TUPLE_PARTS = 8;
/** The tuple's layout for the worker, which splits it there: the nullable values (browser on) are marked. */
const TUPLE_FORMAT: TupleFormat = { sep: SEP, mark: MARK, parts: TUPLE_PARTS, marked: 5 };
/** Distinct tuples remembered before the cache starts over (a few MB; 19k in a 500k-event archive). */
const TUPLE_CACHE = 100_000;

/** A row's text columns; `kind` is null when the stored one is not a kind (the action id decides). */
type Tuple = readonly [kind: ActionKind | null, userId: string, ip: string, country: string, city: string, browser: string | null, platform: string | null, login: string | null, shared: SharedStrings];

const sep = sql.lit(SEP);
/** A nullable column with the separator before it, folded into its `ifnull` (one `||` a column fewer: ~2% of the worker's SQL time). */
const marked = (column: string) => sql`ifnull(${sep} || ${sql.lit(MARK)} || ${sql.ref(column)}, ${sep})`;
const TUPLE_SQL = sql<string>`${sql.ref('kind')} || ${sep} || ${sql.ref('user_id')} || ${sep} || ${sql.ref('ip')} || ${sep} || ${sql.ref('country')} || ${sep} || ${sql.ref('city')} || ${marked('browser')} || ${marked('platform')} || case when ${sql.ref('anonymous')} <> 0 then ${marked('login')} else ${sep} end`;

/**
 * `s` as the engine's maps want it: `split` and `slice` hand out views into the tuple's text, which
 * hash and compare through an indirection on every map lookup (measured: the engine ran ~15%
 * slower on them). A property key is stored as one flat string, made once per distinct tuple.
 */
function flat(s: string): string {
  const o: Record<string, true> = { [s]: true };
  for (const k in o) return k;
  return s;
}

const unmark = (s: string): string | null => (s === '' ? null : flat(s.slice(1)));

/** `text` split into its parts, or undefined when a value itself held the separator. */
function splitTuple(text: string): Tuple | undefined {
  const p = text.split(SEP);
  if (p.length !== TUPLE_PARTS) return undefined;
  return [CANONICAL.get(p[0]) ?? null, flat(p[1]), flat(p[2]), flat(p[3]), flat(p[4]), unmark(p[5]), unmark(p[6]), unmark(p[7]), { derived: undefined }];
}

/**
 * Equal strings as one string object: the worker's values come as strings of their own, each
 * distinct tuple's a fresh copy, and the engine's map lookups compare one object by pointer
 * (measured: the main thread's share of a 1M-event pass 5.66 -> 5.38 s CPU). A map of the values
 * seen, not `flat` (an object and a property key made per call: a third of the main thread's
 * reading, measured). Started over with the tuple table.
 */
class Interner {
  private readonly values = new Map<string, string>();
  of(s: string): string {
    const known = this.values.get(s);
    if (known !== undefined) return known;
    this.values.set(s, s);
    return s;
  }
  orNull(s: string | null): string | null {
    return s === null ? null : this.of(s);
  }
  clear(): void {
    this.values.clear();
  }
}

/** A tuple the worker split (its strings made one object per value by `i`), or undefined for an odd one. */
function splitByWorker(p: (string | null)[] | null, i: Interner): Tuple | undefined {
  if (!p) return undefined;
  const [, userId, ip, country, city, browser, platform, login] = p;
  return [CANONICAL.get(p[0]!) ?? null, i.of(userId!), i.of(ip!), i.of(country!), i.of(city!), i.orNull(browser), i.orNull(platform), i.orNull(login), { derived: undefined }];
}

/**
 * A whole number read from a Float64Array as a small integer when it is one: V8 stores an object's
 * number fields by their representation, and a double-valued id or action id in the events from the
 * worker would turn those fields into boxed doubles for every event the engine reads.
 */
const small = (x: number): number => ((x | 0) === x ? x | 0 : x);

/**
 * The query `compile` makes for a position, as keyset pages from `from`: compiled once at a
 * position of markers, whose places among the parameters are where each next page's start goes.
 */
function pagedQuery(compile: (at: EventPosition) => CompiledQuery, from: EventPosition, page: number): PagedQuery {
  const markers = [Symbol('time'), Symbol('id')];
  const q = compile(markers as unknown as EventPosition);
  const at = markers.map((m) => q.parameters.indexOf(m)) as [number, number];
  if (at[0] < 0 || at[1] < 0) throw new Error('the detection scan query lost its position');
  const parameters = [...q.parameters];
  parameters[at[0]] = from[0];
  parameters[at[1]] = from[1];
  return { sql: q.sql, parameters, at, page };
}

/** Rows read in the calling thread before a scan goes on on a worker (incremental runs never get there). */
const HANDOFF = 50_000;

type IterateRaw = (query: CompiledQuery) => IterableIterator<unknown[]>;

/**
 * SQLite's scan: one streamed query of six columns, the tuple split once per distinct text. A row
 * whose values hold the separator is read alone through the plain columns, and the stream starts
 * again after it (a connection runs one statement at a time). Past `handoff` rows of an archive
 * file the rest is read on a worker thread (scan-thread.ts).
 */
async function* packedScan(
  s: StoreContext,
  iterateRaw: IterateRaw,
  matching: (from: EventPosition | undefined) => Matching,
  after: EventPosition | undefined,
  chunk: number,
  handoff: number,
  page: number,
): AsyncGenerator<DetectEvent[]> {
  const columns = (from: EventPosition | undefined) =>
    matching(from)
      .select(['id', 'time', 'offset_minutes', 'action_id', 'anonymous', TUPLE_SQL.as('tuple')])
      .orderBy('time', 'asc')
      .orderBy('id', 'asc');
  const packed = (from: EventPosition | undefined) => columns(from).compile();
  const oddRow = (id: number) => {
    const out: DetectEvent[] = [];
    for (const row of iterateRaw(plainColumns(matching(undefined).where('id', '=', id)).compile())) out.push(valuesToDetectEvent(row));
    return out;
  };
  const tuples = new Map<string, Tuple>();
  const file = s.backend.capabilities.fileReader ? handoff : Infinity;
  let read = 0;
  let out: DetectEvent[] = [];
  let from = after;
  for (;;) {
    let odd: unknown[] | undefined;
    let more = false;
    for (const v of iterateRaw(packed(from))) {
      const text = v[5] as string;
      let t = tuples.get(text);
      if (t === undefined) {
        t = splitTuple(text);
        if (!t) {
          odd = v;
          break;
        }
        if (tuples.size >= TUPLE_CACHE) tuples.clear();
        tuples.set(text, t);
      }
      const actionId = Number(v[3]);
      out.push({
        id: Number(v[0]), time: Number(v[1]), offsetMinutes: Number(v[2]), userId: t[1], login: t[7], anonymous: Number(v[4]) === 1,
        actionId, kind: t[0] ?? actionKind(actionId), ip: t[2], country: t[3], city: t[4], browser: t[5], platform: t[6], shared: t[8],
      });
      if (out.length === chunk) {
        yield out;
        out = [];
      }
      if (++read >= file) {
        from = [Number(v[1]), Number(v[0])];
        more = true;
        break;
      }
    }
    if (more) break;
    if (!odd) {
      if (out.length) yield out;
      return;
    }
    from = [Number(odd[1]), Number(odd[0])];
    out.push(...oddRow(from[1]));
    if (out.length >= chunk) {
      yield out;
      out = [];
    }
  }
  // The rest on a worker thread, its own connection to the same file.
  const reader = s.backend.capabilities.fileReader!();
  const path = reader.spec.file;
  reader.close();
  let table: (Tuple | undefined)[] = [];
  const strings = new Interner();
  for await (const b of scanOnWorker(path, pagedQuery((at) => columns(at).limit(page).compile(), from!, page), TUPLE_FORMAT)) {
    if (b.reset) {
      table = [];
      strings.clear();
    }
    for (const parts of b.fresh) table.push(splitByWorker(parts, strings));
    const nums = b.nums;
    for (let i = 0; i < b.rows; i++) {
      const t = table[b.tuples[i]];
      const at = i * 5;
      if (!t) out.push(...oddRow(nums[at]));
      else {
        const actionId = small(nums[at + 3]);
        out.push({
          id: small(nums[at]), time: nums[at + 1], offsetMinutes: small(nums[at + 2]), userId: t[1], login: t[7], anonymous: nums[at + 4] === 1,
          actionId, kind: t[0] ?? actionKind(actionId), ip: t[2], country: t[3], city: t[4], browser: t[5], platform: t[6], shared: t[8],
        });
      }
      if (out.length >= chunk) {
        yield out;
        out = [];
      }
    }
  }
  if (out.length) yield out;
}
