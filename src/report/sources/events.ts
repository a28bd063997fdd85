/** Facts from events as they stream past: a live read, or any list of LoginEvents. */
import type { ActionKind } from '../../model/actions.js';
import type { LoginEvent } from '../../model/event.js';
import { GUEST_ID } from '../../model/ids.js';
import { OffsetHistory } from '../../model/offset-history.js';
import {
  type ActivityDim,
  type ActivityFact,
  type ActivityOptions,
  factKey,
  type HourFact,
  type HourOptions,
  inPeriod,
  type Period,
  projectFacts,
  type UserSeen,
} from '../facts.js';
import { type CountryCount, countryCounts } from '../reports/summary.js';
import type { ZoneClock } from '../zone.js';
import type { ReportData } from './index.js';

const HOUR = 3_600_000;

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
  /** The portal's offset per UTC hour with events (the largest, if an hour saw two), as the archive's rollups keep it. */
  private readonly hourOffsets = new Map<number, number>();

  constructor(private readonly period: Period = {}) {}

  add(e: LoginEvent): void {
    const time = e.time;
    if (this.period.until !== undefined && time > this.period.until) return;
    const hour = Math.floor(time / HOUR);
    const hourOffset = this.hourOffsets.get(hour);
    if (hourOffset === undefined || e.offsetMinutes > hourOffset) this.hourOffsets.set(hour, e.offsetMinutes);
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
    const offset = e.offsetMinutes;
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
    return this.activityNow(dims, opts);
  }

  /** `activity` for callers that cannot wait (the work is synchronous here). */
  activityNow(dims: readonly ActivityDim[], opts: ActivityOptions = {}): ActivityFact[] {
    return projectFacts(this.full.values(), dims, opts);
  }

  async countries(): Promise<CountryCount[]> {
    return countryCounts(this.activityNow(['country']));
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

  async portalOffsets(): Promise<OffsetHistory> {
    return OffsetHistory.fromHours(this.hourOffsets);
  }
}
