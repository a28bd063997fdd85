/**
 * Facts: the small aggregated rows every report is computed from. The archive produces them in
 * SQL (GROUP BY, see `archive.ts`); a live read produces the same rows from the events as they
 * stream past (`EventFacts` below). The reports themselves (`reports.ts`) only ever see facts,
 * so both sources give the same answers by construction.
 */
import type { ActionKind } from '../model/actions.js';
import type { LoginEvent } from '../model/event.js';
import { GUEST_ID } from '../model/ids.js';
import type { ZoneClock } from './zone.js';

/** Events of one local hour (wall-clock hours since the epoch in the report's zone). */
export interface HourFact {
  hour: number;
  kind: ActionKind;
  anonymous: boolean;
  /** Only when asked for `byCountry`. */
  country?: string;
  events: number;
}

export interface HourOptions {
  /** Also group by country (the summary's top countries come from the same pass). */
  byCountry?: boolean;
}

export interface ActivityOptions {
  /** Only events of these kinds. */
  kinds?: readonly ActionKind[];
  /**
   * Group anonymous events by these dimensions only (default: all of `dims`); the others read as
   * empty for them. Anonymous failures are numerous and varied: grouping them by less is cheaper.
   */
  anonymousDims?: readonly ActivityDim[];
}

/** What activity can be grouped by, besides kind and anonymity (always grouped). */
export type ActivityDim = 'user' | 'name' | 'login' | 'ip' | 'country' | 'city' | 'browser' | 'platform';

export const ALL_DIMS: readonly ActivityDim[] = ['user', 'name', 'login', 'ip', 'country', 'city', 'browser', 'platform'];

/**
 * Events sharing the grouped dimensions, with their count and time span. Dimensions that were
 * not grouped are empty (`''` or null). Grouped together with `user`, `name` is not a key but
 * the user's name in the group (the greatest, should it have changed within the group): a user
 * renamed is still one user.
 */
export interface ActivityFact {
  /** Lower-case user id; the Guest id for anonymous events. */
  userId: string;
  /** The user name the events carried. */
  name: string;
  /** The typed login, lower case (failures carry the Guest id, so this names the target). */
  login: string | null;
  anonymous: boolean;
  kind: ActionKind;
  ip: string;
  country: string;
  city: string;
  browser: string | null;
  platform: string | null;
  events: number;
  /** Epoch ms of the first and the last of these events. */
  first: number;
  last: number;
}

/** A (non-anonymous) user the history knows, over all of it, not only the period. */
export interface UserSeen {
  userId: string;
  /** The name on the user's newest event. */
  name: string;
  /** First and last event of any kind (epoch ms), over the whole history up to `until`. */
  firstSeen: number;
  lastSeen: number;
  /** Has at least one event in the report's period. */
  inPeriod: boolean;
}

/** The bounds a report covers; both inclusive, epoch ms, either may be open. */
export interface Period {
  since?: number;
  until?: number;
}

export function inPeriod(time: number, p: Period): boolean {
  return (p.since === undefined || time >= p.since) && (p.until === undefined || time <= p.until);
}

/** Where a report's facts come from: the archive (SQL) or a live read (`EventFacts`). */
export interface ReportData {
  /** Events in the period per local hour of `clock`, kind and anonymity (and country). */
  hours(clock: ZoneClock, opts?: HourOptions): Promise<HourFact[]>;
  /** Events in the period grouped by `dims` (plus kind and anonymity). */
  activity(dims: readonly ActivityDim[], opts?: ActivityOptions): Promise<ActivityFact[]>;
  /** Every non-anonymous user in the history (up to `until`), whether or not active in the period. */
  users(): Promise<UserSeen[]>;
  /** Newest successful login in the period per user id (users without one are absent). */
  lastSuccess(userIds: readonly string[]): Promise<Map<string, number>>;
  /** The portal's offset (minutes) for showing aggregated times in `portal` mode: its newest event's. */
  portalOffset(): Promise<number | undefined>;
}

const SEP = '\u0000';

function factKey(f: ActivityFact): string {
  return [f.userId, f.name, f.login ?? SEP, f.anonymous ? 1 : 0, f.kind, f.ip, f.country, f.city, f.browser ?? SEP, f.platform ?? SEP].join(SEP);
}

/** Re-group facts by fewer dimensions (the dimensions left out become empty). */
export function projectFacts(
  facts: Iterable<ActivityFact>,
  dims: readonly ActivityDim[],
  opts: ActivityOptions = {},
): ActivityFact[] {
  const wanted = opts.kinds?.length ? new Set(opts.kinds) : undefined;
  const named = new Set(dims);
  const anonymousKeep = new Set((opts.anonymousDims ?? dims).filter((d) => named.has(d)));
  const out = new Map<string, ActivityFact>();
  for (const f of facts) {
    if (wanted && !wanted.has(f.kind)) continue;
    const keep = f.anonymous ? anonymousKeep : named;
    const p: ActivityFact = {
      userId: keep.has('user') ? f.userId : '',
      name: keep.has('name') ? f.name : '',
      login: keep.has('login') ? f.login : null,
      anonymous: f.anonymous,
      kind: f.kind,
      ip: keep.has('ip') ? f.ip : '',
      country: keep.has('country') ? f.country : '',
      city: keep.has('city') ? f.city : '',
      browser: keep.has('browser') ? f.browser : null,
      platform: keep.has('platform') ? f.platform : null,
      events: f.events,
      first: f.first,
      last: f.last,
    };
    const nameByUser = keep.has('user') && keep.has('name');
    const key = factKey(nameByUser ? { ...p, name: '' } : p);
    const have = out.get(key);
    if (!have) out.set(key, p);
    else {
      have.events += p.events;
      if (p.first < have.first) have.first = p.first;
      if (p.last > have.last) have.last = p.last;
      if (nameByUser && p.name > have.name) have.name = p.name;
    }
  }
  return [...out.values()];
}

/**
 * Facts from events as they stream past (a live read, or any list of LoginEvents): one pass,
 * memory in proportion to the distinct facts, not to the events. Events outside `period` still
 * count for `users()` (first seen ever), like the archive's whole history does.
 */
export class EventFacts implements ReportData {
  private readonly full = new Map<string, ActivityFact>();
  private readonly seen = new Map<string, UserSeen>();
  private readonly success = new Map<string, number>();
  /** Per event: its time and portal offset, kind and anonymity, for hour facts in any zone. */
  private readonly moments = new Map<
    string,
    { time: number; offset: number; kind: ActionKind; anonymous: boolean; country: string; events: number }
  >();
  private newest?: { time: number; offset: number };

  constructor(private readonly period: Period = {}) {}

  add(e: LoginEvent): void {
    const time = Date.parse(e.date);
    if (this.period.until !== undefined && time > this.period.until) return;
    if (!this.newest || time > this.newest.time) this.newest = { time, offset: offsetMinutes(e.offset) };
    const userId = e.anonymous ? GUEST_ID : e.userId.toLowerCase();
    if (!e.anonymous) {
      let u = this.seen.get(userId);
      if (!u) {
        u = { userId, name: e.user, firstSeen: time, lastSeen: time, inPeriod: false };
        this.seen.set(userId, u);
      }
      if (time < u.firstSeen) u.firstSeen = time;
      if (time >= u.lastSeen) {
        u.lastSeen = time;
        u.name = e.user;
      }
    }
    if (!inPeriod(time, this.period)) return;
    if (!e.anonymous) {
      this.seen.get(userId)!.inPeriod = true;
      if (e.kind === 'success' && time > (this.success.get(userId) ?? -Infinity)) this.success.set(userId, time);
    }
    const fact: ActivityFact = {
      userId,
      name: e.user,
      login: e.login === null ? null : e.login.toLowerCase(),
      anonymous: e.anonymous,
      kind: e.kind,
      ip: e.ip,
      country: e.country,
      city: e.city,
      browser: e.browser,
      platform: e.platform,
      events: 1,
      first: time,
      last: time,
    };
    const key = factKey(fact);
    const have = this.full.get(key);
    if (!have) this.full.set(key, fact);
    else {
      have.events++;
      if (time < have.first) have.first = time;
      if (time > have.last) have.last = time;
    }
    // Hour facts need the zone, known only when asked: keep events per second and offset.
    const offset = offsetMinutes(e.offset);
    const mKey = `${Math.floor(time / 1000)}|${offset}|${e.kind}|${e.anonymous ? 1 : 0}|${e.country}`;
    const m = this.moments.get(mKey);
    if (m) m.events++;
    else {
      this.moments.set(mKey, {
        time: Math.floor(time / 1000) * 1000,
        offset,
        kind: e.kind,
        anonymous: e.anonymous,
        country: e.country,
        events: 1,
      });
    }
  }

  async addAll(events: AsyncIterable<LoginEvent> | Iterable<LoginEvent>): Promise<this> {
    for await (const e of events) this.add(e);
    return this;
  }

  async hours(clock: ZoneClock, opts: HourOptions = {}): Promise<HourFact[]> {
    const out = new Map<string, HourFact>();
    for (const m of this.moments.values()) {
      const hour = clock.localHour(m.time, m.offset);
      const country = opts.byCountry ? m.country : undefined;
      const key = `${hour}|${m.kind}|${m.anonymous ? 1 : 0}|${country ?? ''}`;
      const have = out.get(key);
      if (have) have.events += m.events;
      else {
        out.set(key, {
          hour,
          kind: m.kind,
          anonymous: m.anonymous,
          events: m.events,
          ...(opts.byCountry ? { country } : {}),
        });
      }
    }
    return [...out.values()];
  }

  async activity(dims: readonly ActivityDim[], opts: ActivityOptions = {}): Promise<ActivityFact[]> {
    return projectFacts(this.full.values(), dims, opts);
  }

  async users(): Promise<UserSeen[]> {
    return [...this.seen.values()].map((u) => ({ ...u }));
  }

  async lastSuccess(userIds: readonly string[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    for (const id of userIds) {
      const t = this.success.get(id.toLowerCase());
      if (t !== undefined) out.set(id.toLowerCase(), t);
    }
    return out;
  }

  async portalOffset(): Promise<number | undefined> {
    return this.newest?.offset;
  }
}

const OFFSET = /^([+-])(\d{2}):(\d{2})$/;

/** `Z` → 0, `+02:00` → 120 (the normalised event's offset). */
export function offsetMinutes(offset: string): number {
  const m = OFFSET.exec(offset);
  if (!m) return 0;
  const minutes = Number(m[2]) * 60 + Number(m[3]);
  return m[1] === '-' ? -minutes : minutes;
}
