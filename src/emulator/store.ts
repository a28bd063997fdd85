/**
 * The emulator's event store: the `login_events` table of one tenant, held column by column in
 * typed arrays so that millions of rows cost tens of megabytes.
 *
 * Physically the rows are kept oldest → newest between `start` and `end` (appending a new event
 * is a push at the end, purging old ones just advances `start`); logically the API serves them
 * newest first, so "position" below always means newest-first position 0..size-1 and "row" the
 * physical index. Every string lives once in a table and a row holds its index (0 = null).
 */
import type { Rng } from './random.js';

/** Interned strings; index 0 is reserved for null. */
export class StringTable {
  readonly values: Array<string | null> = [null];
  private readonly index = new Map<string, number>();

  /** `max` is the largest index the column type can hold; beyond it new strings read as null. */
  constructor(readonly max = 0xffffffff) {}

  intern(value: string | null | undefined): number {
    if (value === null || value === undefined) return 0;
    let i = this.index.get(value);
    if (i === undefined) {
      if (this.values.length > this.max) return 0;
      i = this.values.length;
      this.values.push(value);
      this.index.set(value, i);
    }
    return i;
  }

  /** Index of a string already in the table, or -1. */
  find(value: string): number {
    return this.index.get(value) ?? -1;
  }

  get(i: number): string | null {
    return this.values[i] ?? null;
  }

  get size(): number {
    return this.values.length;
  }
}

export interface Place {
  /** As stored (may carry a port, may be IPv6). */
  readonly ip: string;
  /** As served: the part before the first `:` (the server's own trimming, which mangles IPv6). */
  readonly shownIp: string;
  readonly country: string;
  readonly city: string;
}

/** IP address plus its geolocation, interned together (geo is looked up per IP). */
export class PlaceTable {
  readonly values: Place[] = [{ ip: '', shownIp: '', country: '', city: '' }];
  private readonly index = new Map<string, number>();

  intern(ip: string, country = '', city = ''): number {
    const key = `${ip}|${country}|${city}`;
    let i = this.index.get(key);
    if (i === undefined) {
      i = this.values.length;
      this.values.push({ ip, shownIp: ip.split(':')[0], country, city });
      this.index.set(key, i);
    }
    return i;
  }

  get(i: number): Place {
    return this.values[i] ?? this.values[0];
  }

  get size(): number {
    return this.values.length;
  }
}

export interface StoreTables {
  /** User GUIDs (lower case); the app maps them to people for display names. */
  readonly users: StringTable;
  readonly logins: StringTable;
  readonly places: PlaceTable;
  readonly browsers: StringTable;
  readonly platforms: StringTable;
  /** Page paths relative to the portal origin (`/login`), prefixed with the origin when served. */
  readonly pages: StringTable;
  /** The `description` JSON array's first element (e.g. the social provider). */
  readonly descriptions: StringTable;
}

export function createTables(): StoreTables {
  return {
    users: new StringTable(),
    logins: new StringTable(),
    places: new PlaceTable(),
    browsers: new StringTable(0xffff),
    platforms: new StringTable(0xffff),
    pages: new StringTable(0xffff),
    descriptions: new StringTable(0xff),
  };
}

/** One row with its strings already interned. */
export interface EventRow {
  id: number;
  /** Epoch ms; whole seconds (MySQL `datetime`). */
  time: number;
  user: number;
  action: number;
  login: number;
  place: number;
  browser: number;
  platform: number;
  page: number;
  description: number;
  active: boolean;
}

/** The columns, in physical (oldest-first) order. */
export interface Columns {
  time: Float64Array;
  id: Int32Array;
  user: Uint32Array;
  action: Uint16Array;
  login: Uint32Array;
  place: Uint32Array;
  browser: Uint16Array;
  platform: Uint16Array;
  page: Uint16Array;
  description: Uint8Array;
  active: Uint8Array;
}

export function allocateColumns(capacity: number): Columns {
  return {
    time: new Float64Array(capacity),
    id: new Int32Array(capacity),
    user: new Uint32Array(capacity),
    action: new Uint16Array(capacity),
    login: new Uint32Array(capacity),
    place: new Uint32Array(capacity),
    browser: new Uint16Array(capacity),
    platform: new Uint16Array(capacity),
    page: new Uint16Array(capacity),
    description: new Uint8Array(capacity),
    active: new Uint8Array(capacity),
  };
}

export const COLUMN_NAMES = [
  'time',
  'id',
  'user',
  'action',
  'login',
  'place',
  'browser',
  'platform',
  'page',
  'description',
  'active',
] as const satisfies ReadonlyArray<keyof Columns>;

/** Write an event's interned fields into row `r`, dated `time`; the id is the caller's (generation gives ids after sorting). */
export function writeRow(c: Columns, r: number, e: Omit<EventRow, 'id'>, time: number): void {
  c.time[r] = time;
  c.user[r] = e.user;
  c.action[r] = e.action;
  c.login[r] = e.login;
  c.place[r] = e.place;
  c.browser[r] = e.browser;
  c.platform[r] = e.platform;
  c.page[r] = e.page;
  c.description[r] = e.description;
  c.active[r] = e.active ? 1 : 0;
}

/** Bytes per row across all columns. */
export const BYTES_PER_EVENT = 8 + 4 + 4 + 2 + 4 + 4 + 2 + 2 + 2 + 1 + 1;

export class EventStore {
  private cols: Columns;
  private capacity: number;
  private start = 0;
  private end: number;
  private maxId = 0;

  /**
   * Take ownership of `columns` whose first `count` rows are sorted by time ascending.
   * `headroom` extra rows are reserved for live events.
   */
  constructor(
    readonly tables: StoreTables,
    columns?: Columns,
    count = 0,
  ) {
    this.cols = columns ?? allocateColumns(1024);
    this.capacity = this.cols.time.length;
    this.end = count;
    for (let r = 0; r < count; r++) if (this.cols.id[r] > this.maxId) this.maxId = this.cols.id[r];
  }

  /** Direct access to the columns (physical order; rows `firstRow()..lastRow()`). */
  get columns(): Columns {
    return this.cols;
  }

  get size(): number {
    return this.end - this.start;
  }

  /** Highest id ever stored (ids are never reused, like an auto-increment). */
  get lastId(): number {
    return this.maxId;
  }

  /** Approximate bytes held by the columns. */
  get bytes(): number {
    return this.capacity * BYTES_PER_EVENT;
  }

  /** Physical row of newest-first position `p` (valid until the next append or purge). */
  row(p: number): number {
    return this.end - 1 - p;
  }

  /** Newest event time, or undefined when empty. */
  newestTime(): number | undefined {
    return this.size ? this.cols.time[this.end - 1] : undefined;
  }

  oldestTime(): number | undefined {
    return this.size ? this.cols.time[this.start] : undefined;
  }

  /** Append a new event at the head. Its time is raised to the current newest time if older. */
  append(e: EventRow): number {
    if (this.end === this.capacity) this.grow();
    const r = this.end++;
    const newest = r > this.start ? this.cols.time[r - 1] : e.time;
    return this.put(r, e, Math.max(e.time, newest));
  }

  /**
   * Insert an event below the head at its place in time (after the events of the same second):
   * a row that lands late, as when a slow request commits after newer ones (see
   * `EmulatorState.insertLateEvents`). Newer rows move up by one; returns the new row.
   */
  insertAt(e: EventRow): number {
    if (this.end === this.capacity) this.grow();
    const t = this.cols.time;
    let r = this.end;
    while (r > this.start && t[r - 1] > e.time) r--;
    for (const name of COLUMN_NAMES) this.cols[name].copyWithin(r + 1, r, this.end);
    this.end++;
    return this.put(r, e, e.time);
  }

  /** Write `e` into row `r` at `time`; returns `r`. */
  private put(r: number, e: EventRow, time: number): number {
    writeRow(this.cols, r, e, time);
    this.cols.id[r] = e.id;
    if (e.id > this.maxId) this.maxId = e.id;
    return r;
  }

  /** The next auto-increment id, skipping `gap` ids used by other tenants. */
  takeId(gap = 0): number {
    this.maxId += 1 + gap;
    return this.maxId;
  }

  private grow(): void {
    const size = this.size;
    if (this.start > this.capacity / 2) {
      // Enough purged space at the front: compact in place.
      for (const name of COLUMN_NAMES) this.cols[name].copyWithin(0, this.start, this.end);
    } else {
      const next = allocateColumns(Math.max(1024, Math.ceil(this.capacity * 1.5)));
      for (const name of COLUMN_NAMES) {
        (next[name] as Float64Array).set((this.cols[name] as Float64Array).subarray(this.start, this.end));
      }
      this.cols = next;
      this.capacity = next.time.length;
    }
    this.start = 0;
    this.end = size;
  }

  /** First physical row whose time is >= `time`. */
  private lowerBound(time: number): number {
    let lo = this.start;
    let hi = this.end;
    const t = this.cols.time;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (t[mid] < time) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Delete every event dated before `time` (what the retention service does). Returns how many. */
  purgeBefore(time: number): number {
    const cut = this.lowerBound(time);
    const removed = cut - this.start;
    this.start = cut;
    return removed;
  }

  /** Number of events dated at or after `time`. */
  countSince(time: number): number {
    return this.end - this.lowerBound(time);
  }

  /** Physical row holding event `id`, or -1 (ids are nearly sorted; a few OAuth rows are out of order). */
  findRow(id: number): number {
    const ids = this.cols.id;
    let lo = this.start;
    let hi = this.end;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (ids[mid] < id) lo = mid + 1;
      else hi = mid;
    }
    const from = Math.max(this.start, lo - 16);
    const to = Math.min(this.end, lo + 16);
    for (let r = from; r < to; r++) if (ids[r] === id) return r;
    return -1;
  }

  /**
   * Rows of the newest-first window [startPos, startPos+count), as a server without a secondary
   * sort key returns them: every run of events sharing the same second comes back in a fresh
   * random order. A run straddling an edge of the window therefore contributes a random subset
   * of its members. Cost: the window plus the two runs at its edges, never the whole table.
   */
  window(startPos: number, count: number, rng: Rng): number[] {
    const out: number[] = [];
    const size = this.size;
    const s = Math.max(0, startPos);
    const e = Math.min(size, s + Math.max(0, count));
    if (s >= e) return out;
    const t = this.cols.time;
    // Physical rows: position p ↔ row end-1-p, so the window is rows (end-e, end-s], newest first.
    let hiRow = this.end - 1 - s; // newest row in window
    const loRow = this.end - e; // oldest row in window
    // Extend to the start of the tie run containing the first position.
    let runTop = hiRow;
    while (runTop + 1 < this.end && t[runTop + 1] === t[hiRow]) runTop++;
    while (hiRow >= loRow) {
      // The run is rows [runBottom, runTop] (all with time t[runTop]).
      const time = t[runTop];
      let runBottom = runTop;
      while (runBottom - 1 >= this.start && t[runBottom - 1] === time) runBottom--;
      const runSize = runTop - runBottom + 1;
      // Window rows belonging to this run: [max(runBottom, loRow), hiRow].
      const take = hiRow - Math.max(runBottom, loRow) + 1;
      if (runSize === 1) {
        out.push(runTop);
      } else {
        // A uniformly random permutation of the run, of which the window sees `take` consecutive
        // slots starting at offset (runTop - hiRow): equivalently a random ordered sample.
        const members: number[] = [];
        for (let r = runTop; r >= runBottom; r--) members.push(r);
        const skip = runTop - hiRow;
        const need = skip + take;
        for (let i = 0; i < need; i++) {
          const j = i + Math.floor(rng.next() * (runSize - i));
          const tmp = members[i];
          members[i] = members[j];
          members[j] = tmp;
          if (i >= skip) out.push(members[i]);
        }
      }
      hiRow = runBottom - 1;
      runTop = hiRow;
    }
    return out;
  }

  /** Newest-first position range [from, to) of the tie run containing position `p`. */
  tieRun(p: number): [number, number] {
    const t = this.cols.time;
    const r = this.row(p);
    let top = r;
    let bottom = r;
    while (top + 1 < this.end && t[top + 1] === t[r]) top++;
    while (bottom - 1 >= this.start && t[bottom - 1] === t[r]) bottom--;
    return [this.end - 1 - top, this.end - bottom];
  }

  /** Visit rows newest → oldest until `visit` returns false. */
  scan(visit: (row: number) => boolean | undefined): void {
    for (let r = this.end - 1; r >= this.start; r--) if (visit(r) === false) return;
  }
}
