/**
 * `RollupBatch`: the rollup rows of a set of one portal's events, aggregated in memory (one row
 * per key), which `writeRollups` (rollups.ts) adds to the tables.
 */
import type { EventsTable } from './schema.js';

export const HOUR = 3_600_000;
export const DAY = 86_400_000;

export type RollupRow = Record<string, string | number | null>;
type Row = RollupRow;

/** The event columns rollups are made of. */
export type RollupSource = Pick<
  EventsTable,
  | 'portal_id'
  | 'id'
  | 'time'
  | 'offset_minutes'
  | 'user_id'
  | 'user_name'
  | 'login'
  | 'login_key'
  | 'anonymous'
  | 'action_id'
  | 'kind'
  | 'ip'
  | 'country'
  | 'city'
  | 'browser'
  | 'platform'
>;

/**
 * Small integers for the strings of one batch. `add` keys its maps by numbers made of these:
 * hashing a long key string built per event (`user, day, kind, ip, country, city, browser,
 * platform`) was most of its cost, while each event's own strings are hashed once here.
 */
class Interner<K extends string | number> {
  private readonly ids = new Map<K, number>();

  id(k: K): number {
    let i = this.ids.get(k);
    if (i === undefined) {
      i = this.ids.size;
      if (i >= ID_LIMIT) throw new RangeError('too many distinct values in one rollup batch');
      this.ids.set(k, i);
    }
    return i;
  }
}

/** Ids stay below 2^22, so two of them, or one and a day, make an exact number key (< 2^53). */
const ID_LIMIT = 2 ** 22;

/** Rollup rows of one portal's events, one per key, ready to be added to the tables. */
export class RollupBatch {
  events = 0;
  private portal: number | undefined;
  private readonly strings = new Interner<string>();
  /**
   * Kinds, action ids and offsets: a handful of values each, packed into keys in a few bits, so
   * they have pools of their own (in the strings' pool a kind first seen after 255 addresses
   * would overflow its 8 bits into the next field).
   */
  private readonly kinds = new Interner<string>();
  private readonly numbers = new Interner<number>();
  /** Pairs of string ids (country and city, browser and platform, a place and a device) as one id. */
  private readonly pairs = new Interner<number>();
  private readonly hours = new Map<number, Row>();
  private readonly loginDays = new Map<number, Row>();
  private readonly ipDays = new Map<number, Row>();
  private readonly placeDays = new Map<number, Row>();
  private readonly deviceDays = new Map<number, Row>();
  /** (day, kind, user) → (ip, place and device) → row. */
  private readonly userDays = new Map<number, Map<number, Row>>();

  /** The rows of a table, in no particular order. */
  rowsOf(table: string): Row[] {
    const byTable: Record<string, Map<number, Row> | undefined> = {
      rollup_hours: this.hours,
      rollup_login_days: this.loginDays,
      rollup_ip_days: this.ipDays,
      rollup_place_days: this.placeDays,
      rollup_device_days: this.deviceDays,
    };
    const one = byTable[table];
    if (one) return [...one.values()];
    const rows: Row[] = [];
    for (const inner of this.userDays.values()) for (const r of inner.values()) rows.push(r);
    return rows;
  }

  /** The UTC days of the batch's member day rows. */
  memberDays(): Set<number> {
    const days = new Set<number>();
    for (const inner of this.userDays.values()) {
      for (const r of inner.values()) {
        days.add(r.day as number);
        break;
      }
    }
    return days;
  }

  private pair(a: number, b: number): number {
    return this.pairs.id(a * ID_LIMIT + b);
  }

  add(e: RollupSource): void {
    const p = e.portal_id;
    if (this.portal === undefined) this.portal = p;
    else if (p !== this.portal) throw new RangeError('a rollup batch holds the events of one portal');
    this.events++;
    const t = e.time;
    const hour = Math.floor(t / HOUR);
    const day = Math.floor(t / DAY);
    const kind = e.kind;
    const browser = e.browser ?? '';
    const platform = e.platform ?? '';
    const str = this.strings;
    const kindId = this.kinds.id(kind);
    // kind, anonymity, action and offset are a handful of values: 8 and 12 bits are ample.
    const num = this.numbers;
    const hourKey = (((hour * 256 + kindId) * 2 + e.anonymous) * 4096 + num.id(e.action_id)) * 4096 + num.id(e.offset_minutes);
    const h = this.hours.get(hourKey);
    if (h) (h.events as number)++;
    else this.hours.set(hourKey, { portal_id: p, hour, offset_minutes: e.offset_minutes, action_id: e.action_id, kind, anonymous: e.anonymous, events: 1 });
    const ipId = str.id(e.ip);
    const ipKey = day * ID_LIMIT + ipId;
    outcome(this.ipDays.get(ipKey) ?? set(this.ipDays, ipKey, dayRow(p, day, t, 'ip', e.ip)), kind, t);
    const placeId = this.pair(str.id(e.country), str.id(e.city));
    const placeKey = day * ID_LIMIT + placeId;
    const place = this.placeDays.get(placeKey);
    if (place) outcome(place, kind, t);
    else {
      const r = dayRow(p, day, t, 'country', e.country);
      r.city = e.city;
      outcome(set(this.placeDays, placeKey, r), kind, t);
    }
    const deviceId = this.pair(str.id(browser), str.id(platform));
    const deviceKey = day * ID_LIMIT + deviceId;
    const device = this.deviceDays.get(deviceKey);
    if (device) outcome(device, kind, t);
    else {
      const r = dayRow(p, day, t, 'browser', browser);
      r.platform = platform;
      outcome(set(this.deviceDays, deviceKey, r), kind, t);
    }
    if (e.anonymous) {
      const loginKey = e.login_key ?? '';
      const key = (day * 256 + kindId) * ID_LIMIT + str.id(loginKey);
      let r = this.loginDays.get(key);
      if (!r) r = set(this.loginDays, key, { portal_id: p, login_key: loginKey, day, kind, events: 0, first_time: t, last_time: t, last_id: e.id });
      (r.events as number)++;
      newest(r, t, e.id);
      span(r, t);
      return;
    }
    const u = e.user_id;
    const outer = (day * 256 + kindId) * ID_LIMIT + str.id(u);
    let byDims = this.userDays.get(outer);
    if (!byDims) this.userDays.set(outer, (byDims = new Map()));
    const dims = ipId * ID_LIMIT + this.pair(placeId, deviceId);
    let r = byDims.get(dims);
    if (!r) {
      r = set(byDims, dims, {
        portal_id: p,
        user_id: u,
        day,
        kind,
        ip: e.ip,
        country: e.country,
        city: e.city,
        browser,
        platform,
        events: 0,
        first_time: t,
        last_time: t,
        last_id: e.id,
        name: e.user_name,
        email: null,
      });
    }
    (r.events as number)++;
    if (t > (r.last_time as number) || (t === r.last_time && e.user_name > (r.name as string))) r.name = e.user_name;
    newest(r, t, e.id);
    span(r, t);
    // The e-mail a user's own events carried (OAuth and confirm-link logins), as the users report reads it.
    const login = e.login;
    if (login?.includes('@')) {
      const lower = login.toLowerCase();
      if (r.email === null || lower < (r.email as string)) r.email = lower;
    }
  }
}

function set(rows: Map<number, Row>, key: number, row: Row): Row {
  rows.set(key, row);
  return row;
}

/** A new row of a `DAY_VALUES` table, its one key column besides portal and day set. */
function dayRow(p: number, day: number, t: number, column: string, value: string): Row {
  const r: Row = { portal_id: p, day, events: 0, successes: 0, failures: 0, logouts: 0, first_time: t, last_time: t };
  r[column] = value;
  return r;
}

function outcome(r: Row, kind: string, t: number): void {
  (r.events as number)++;
  if (kind === 'success') (r.successes as number)++;
  else if (kind === 'failure') (r.failures as number)++;
  else if (kind === 'logout') (r.logouts as number)++;
  span(r, t);
}

/** Keep the id of the newest event (the greatest on a tie); before `span` moves `last_time`. */
function newest(r: Row, t: number, id: number): void {
  if (t > (r.last_time as number) || (t === r.last_time && id > (r.last_id as number))) r.last_id = id;
}

function span(r: Row, t: number): void {
  if (t < (r.first_time as number)) r.first_time = t;
  if (t > (r.last_time as number)) r.last_time = t;
}

