import type { EventView } from './view.js';

/**
 * What each user normally does, learnt from their successful logins: the values they used
 * (countries, places, devices) with when last seen and how often, the portal-local hours of the
 * week they are active on (as distinct days per slot), and their previous success. Rules read a
 * profile *before* the event being judged is added, so "new" means new. Bounded: at most
 * MAX_VALUES values per field and the last HISTORY_DAYS days of activity per user.
 */

const MAX_VALUES = 64;
const HISTORY_DAYS = 400;
/** Baselines ask "at least N successes lately" with N around 20: remembering 64 answers that. */
const RECENT = 64;
/** Failures kept per target: enough to find three from elsewhere among the user's own typos. */
const RECENT_FAILURES = 8;

export const PROFILE_FIELDS = ['countryIso', 'country', 'place', 'device'] as const;
export type ProfileField = (typeof PROFILE_FIELDS)[number];

export interface LastSuccess {
  id: number;
  ts: number;
  ip: string;
  country: string;
  city: string;
  device: string;
}

export interface Profile {
  first: number;
  /**
   * How many values the profile has forgotten (a field full): an entry of `values` found once
   * stays the same array, updated in place, until then (the detection view keeps it while this is unchanged).
   */
  forgot: number;
  /** field → value → [last seen (ms), times seen]. */
  values: Record<ProfileField, Map<string, [number, number]>>;
  /** Per hour-of-week slot (0–167): the distinct local days seen there, ascending (undefined: none). */
  slots: (number[] | undefined)[];
  /** Local days of the most recent successes (at most RECENT), oldest first. */
  recent: number[];
  last?: LastSuccess;
}

/** A failure remembered for "≥3 failures in 24 h": when, and from which address, device and place. */
export type RecentFailure = [ts: number, ip: string, device: string, place: string];

export class Profiles {
  readonly users = new Map<string, Profile>();
  /** Target → its last RECENT_FAILURES failures, oldest first (DocSpace's "≥3 failures in 24 h"). */
  readonly failures = new Map<string, RecentFailure[]>();

  get(userId: string): Profile | undefined {
    return this.users.get(userId);
  }

  /**
   * Failures against `target` in the `windowMs` before `ts`, counting at most RECENT_FAILURES,
   * leaving out the user's own typos: failures from the address and device of `success`, or
   * from a device and place the user's profile `p` has signed in with.
   */
  recentFailures(target: string, ts: number, windowMs: number, success: Pick<EventView, 'ip' | 'device'>, p: Profile | undefined): number {
    const list = this.failures.get(target);
    if (!list) return 0;
    let n = 0;
    for (let i = 0; i < list.length; i++) {
      const f = list[i];
      if (f[0] < ts - windowMs || f[0] > ts) continue;
      if (f[1] === success.ip && f[2] === success.device) continue;
      if (p && p.values.device.has(f[2]) && p.values.place.has(f[3])) continue;
      n++;
    }
    return n;
  }

  /** Learns from `v` after all rules have judged it. */
  learn(v: EventView): void {
    if (v.outcome === 'failure') {
      if (!v.target) return;
      const list = this.failures.get(v.target);
      if (!list) this.failures.set(v.target, [[v.ts, v.ip, v.device, v.place]]);
      else if (list.length < RECENT_FAILURES) list.push([v.ts, v.ip, v.device, v.place]);
      else {
        // Full: the oldest entry leaves and its array is reused for the newest.
        const f = list.shift()!;
        f[0] = v.ts;
        f[1] = v.ip;
        f[2] = v.device;
        f[3] = v.place;
        list.push(f);
      }
      return;
    }
    if (v.outcome !== 'success') return;
    // The view's profile is this map's entry for the user (looked up once per event).
    let p = v.profile ?? this.users.get(v.userId);
    if (!p) {
      p = { first: v.ts, forgot: 0, values: { countryIso: new Map(), country: new Map(), place: new Map(), device: new Map() }, slots: noSlots(), recent: [] };
      this.users.set(v.userId, p);
    }
    // PROFILE_FIELDS one by one: a loop over field names would read each by a computed key.
    // The view found the entries the profile already had for the event's values (`seen`).
    const s = v.seen;
    see(p, p.values.countryIso, s.countryIso, v.countryIso, v.ts);
    see(p, p.values.country, s.country, v.country, v.ts);
    see(p, p.values.place, s.place, v.place, v.ts);
    see(p, p.values.device, s.device, v.device, v.ts);
    const days = p.slots[v.hourOfWeek];
    if (!days) p.slots[v.hourOfWeek] = [v.day];
    else if (days[days.length - 1] !== v.day) {
      days.push(v.day);
      while (days.length && days[0] < v.day - HISTORY_DAYS) days.shift();
    }
    p.recent.push(v.day);
    if (p.recent.length > RECENT) p.recent.shift();
    const last = p.last;
    if (!last) p.last = { id: v.id, ts: v.ts, ip: v.ip, country: v.country, city: v.city, device: v.device };
    else {
      // One record per user, updated in place: no allocation per success.
      last.id = v.id;
      last.ts = v.ts;
      last.ip = v.ip;
      last.country = v.country;
      last.city = v.city;
      last.device = v.device;
    }
  }

  /** Successes in the `days` local days up to `day`, counting at most 64. */
  static successes(p: Profile, day: number, days: number): number {
    return countIn(p.recent, day - days, day + 1);
  }

  exportState(): unknown {
    return {
      users: [...this.users].map(([id, p]) => [
        id,
        { first: p.first, last: p.last && { ...p.last }, values: Object.fromEntries(PROFILE_FIELDS.map((f) => [f, [...p.values[f]]])), slots: p.slots.flatMap((days, slot) => (days ? [[slot, days]] : [])), recent: p.recent },
      ]),
      failures: [...this.failures].map(([k, list]) => [k, list.map((f) => [...f])]),
    };
  }

  importState(state: unknown): void {
    const s = state as { users: [string, Record<string, unknown>][]; failures: [string, RecentFailure[]][] };
    this.users.clear();
    for (const [id, raw] of s.users) {
      const values = raw.values as Record<ProfileField, [string, [number, number]][]>;
      this.users.set(id, {
        first: raw.first as number,
        forgot: 0,
        last: raw.last ? { ...(raw.last as LastSuccess) } : undefined,
        values: Object.fromEntries(PROFILE_FIELDS.map((f) => [f, new Map(values[f])])) as Profile['values'],
        slots: slotsOf(raw.slots as [number, number[]][]),
        recent: raw.recent as number[],
      });
    }
    this.failures.clear();
    for (const [k, v] of s.failures) this.failures.set(k, v.map((f) => [...f] as RecentFailure));
  }
}

/** Per hour of the week, nothing yet: an array (an index, where a map would hash the slot for every success). */
function noSlots(): (number[] | undefined)[] {
  return new Array<number[] | undefined>(168).fill(undefined);
}

/** Slots as the state keeps them ([slot, days] pairs; a map's entries before it was an array). */
function slotsOf(pairs: readonly [number, number[]][]): (number[] | undefined)[] {
  const slots = noSlots();
  for (const [slot, days] of pairs) slots[slot] = days;
  return slots;
}

/**
 * How many of the ascending `list` lie in [from, to): two binary searches. Per-user day lists are
 * ascending (days are pushed in event order), and baselines ask this for every success.
 */
export function countIn(list: readonly number[], from: number, to: number): number {
  return lowerBound(list, to) - lowerBound(list, from);
}

function lowerBound(list: readonly number[], x: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Notes `value` (when not empty) as seen at `ts`: its entry `known` (the view's, undefined when
 * the field has no such value) is updated in place; a new one may push out the oldest value.
 */
function see(p: Profile, map: Map<string, [number, number]>, known: [number, number] | undefined, value: string, ts: number): void {
  if (!value) return;
  if (known) {
    known[0] = ts;
    known[1]++;
  } else {
    if (map.size >= MAX_VALUES) {
      map.delete(oldest(map));
      p.forgot++;
    }
    map.set(value, [ts, 1]);
  }
}

function oldest(map: Map<string, [number, number]>): string {
  let key = '';
  let at = Infinity;
  for (const [k, [t]] of map) if (t < at) [key, at] = [k, t];
  return key;
}
