/**
 * The dashboard's rollup queries against the same questions answered from the events one by one
 * (in JavaScript, from `queryLoginEventChunks`), on SQLite and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LoginEvent, type RunningEmulator, startEmulator } from '../src/index.js';
import { attributeFailure, PeopleDirectory } from '../src/model/attribution.js';
import {
  bucketFor,
  failuresByWeekdayHour,
  LOCKOUT_ACTION,
  MAX_POINTS,
  overview,
  signInsOverTime,
  topCountries,
  topIps,
  topTargets,
  userBaseline,
} from '../src/report/sources/rollups.js';
import { parseZone, ZoneClock } from '../src/report/zone.js';
import { type ArchiveStore, openStore } from '../src/store/index.js';
import { syncInto } from './helpers/archive.js';
import { dialects, dialectTitle } from './helpers/dialects.js';

const NOW = Date.parse('2025-07-01T10:00:00Z');
const DAY = 86_400_000;
const HOUR = 3_600_000;
const cases = await dialects('rollupdash');
afterAll(async () => {
  for (const c of cases) await c.cleanup();
});

const countBy = <T>(items: Iterable<T>, key: (x: T) => string) => {
  const m = new Map<string, number>();
  for (const x of items) m.set(key(x), (m.get(key(x)) ?? 0) + 1);
  return m;
};

describe('bucketFor', () => {
  it('keeps a series within MAX_POINTS points, at the narrowest width that does', () => {
    expect(bucketFor(0)).toBe(1);
    expect(bucketFor(MAX_POINTS - 1)).toBe(1);
    expect(bucketFor(MAX_POINTS)).toBe(2);
    expect(bucketFor(90 * 24)).toBe(2);
    expect(bucketFor(5 * 365 * 24)).toBe(24);
    for (const span of [10, 5000, 40_000, 200_000]) expect(Math.ceil((span + 1) / bucketFor(span))).toBeLessThanOrEqual(MAX_POINTS);
  });
});

for (const c of cases) {
  describe.skipIf(c.skip)(dialectTitle(c, 'dashboard rollup queries'), () => {
    let emu: RunningEmulator;
    let store: ArchiveStore;
    let events: LoginEvent[];
    const since = NOW - 14 * DAY - (NOW % DAY);
    const until = NOW - (NOW % DAY) - 1;
    const utc = new ZoneClock(parseZone('UTC'));
    const q = { since, until, clock: utc };
    const inPeriod = (e: LoginEvent) => e.time >= since && e.time <= until;

    beforeAll(async () => {
      emu = await startEmulator({ now: NOW, seed: 9, users: 24, events: 3000, days: 30 });
      const db = await c.fresh();
      await syncInto(emu, db);
      store = await openStore(db);
      events = [];
      for await (const chunk of store.queryLoginEventChunks({})) events.push(...chunk);
    }, 120_000);
    afterAll(async () => {
      await store?.close();
      await emu?.close();
    });

    it('overview: totals and sparklines of successes, failures, lockouts, unique users and addresses', async () => {
      const o = await overview(store, q);
      const period = events.filter(inPeriod);
      expect(o.successes.total).toBe(period.filter((e) => e.kind === 'success').length);
      expect(o.failures.total).toBe(period.filter((e) => e.kind === 'failure').length);
      expect(o.failures.total).toBeGreaterThan(0);
      expect(o.lockouts.total).toBe(period.filter((e) => e.actionId === LOCKOUT_ACTION).length);
      expect(o.uniqueUsers.total).toBe(new Set(period.filter((e) => !e.anonymous).map((e) => e.userId)).size);
      expect(o.uniqueIps.total).toBe(new Set(period.map((e) => e.ip)).size);
      expect(o.successes.spark.reduce((s, p) => s + p.value, 0)).toBe(o.successes.total);
      const perDay = countBy(
        new Set(period.filter((e) => !e.anonymous).map((e) => `${Math.floor(e.time / DAY)}|${e.userId}`)),
        (k) => k.split('|')[0],
      );
      expect(o.uniqueUsers.spark).toEqual([...perDay].sort((a, b) => Number(a[0]) - Number(b[0])).map(([d, v]) => ({ start: Number(d) * DAY, value: v })));
    });

    it('sign-ins by kind over time: every event of the period in its local bucket, within MAX_POINTS', async () => {
      const portal = new ZoneClock(parseZone('portal'));
      const s = await signInsOverTime(store, { clock: portal });
      expect(s.starts.length).toBeLessThanOrEqual(MAX_POINTS);
      expect(s.bucketHours).toBe(1);
      const expected = countBy(events, (e) => `${portal.localHour(e.time, offsetOf(e)) * HOUR}|${e.kind}`);
      for (const [key, count] of expected) {
        const [start, kind] = key.split('|');
        const i = s.starts.indexOf(Number(start));
        expect(s.kinds[kind as 'success'][i], key).toBe(count);
      }
      const total = Object.values(s.kinds).flat().reduce((a, b) => a + b, 0);
      expect(total).toBe(events.length);
    });

    it('failures by weekday and hour on the portal clock', async () => {
      const portal = new ZoneClock(parseZone('portal'));
      const m = await failuresByWeekdayHour(store, { clock: portal });
      const expected = Array.from({ length: 7 }, () => new Array<number>(24).fill(0));
      for (const e of events) {
        if (e.kind !== 'failure') continue;
        const local = new Date(portal.wallClock(e.time, offsetOf(e)));
        expected[(local.getUTCDay() + 6) % 7][local.getUTCHours()]++;
      }
      expect(m).toEqual(expected);
    });

    it('top addresses and countries → cities with counts, failures and success rate', async () => {
      const period = events.filter(inPeriod);
      const ips = await topIps(store, q, 5);
      const byIp = countBy(period, (e) => e.ip);
      const best = [...byIp].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, 5);
      expect(ips.map((r) => [r.ip, r.events])).toEqual(best);
      const top = ips[0];
      const its = period.filter((e) => e.ip === top.ip);
      expect(top.failures).toBe(its.filter((e) => e.kind === 'failure').length);
      expect(top.firstSeen).toBe(Math.min(...its.map((e) => e.time)));
      const countries = await topCountries(store, q, 3, 2);
      const byCountry = countBy(period, (e) => e.country);
      expect(countries.map((r) => [r.country, r.events])).toEqual([...byCountry].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, 3));
      const c0 = countries[0];
      const s = period.filter((e) => e.country === c0.country && e.kind === 'success').length;
      const f = period.filter((e) => e.country === c0.country && e.kind === 'failure').length;
      expect(c0.successRate).toBeCloseTo(s / (s + f), 12);
      expect(c0.cities.length).toBeLessThanOrEqual(2);
      expect(c0.cities[0].events).toBe(countBy(period.filter((e) => e.country === c0.country), (e) => e.city).get(c0.cities[0].city));
    });

    it('top targets: own failures and typed logins given to members by the attribution rule', async () => {
      const portalId = (await store.portals())[0].id;
      const directory = new PeopleDirectory(await store.people(portalId, { includeRemoved: true }));
      const expected = new Map<string, number>();
      for (const e of events.filter(inPeriod)) {
        if (e.kind !== 'failure') continue;
        const target = e.anonymous ? (attributeFailure(e.login, directory) ?? (e.login ? `key:${e.login}` : undefined)) : e.userId;
        if (target !== undefined) expected.set(target, (expected.get(target) ?? 0) + 1);
      }
      const rows = await topTargets(store, q, 1000);
      const users = rows.filter((r) => r.userId !== null);
      expect(users.length).toBeGreaterThan(0);
      for (const r of users) expect(r.failures, r.userId!).toBe(expected.get(r.userId!));
      const attributed = [...expected].filter(([k]) => !k.startsWith('key:'));
      expect(users.length).toBe(attributed.length);
    });

    it("a member's baseline: hour of week, places, devices and addresses with first and last seen", async () => {
      const own = events.filter((e) => !e.anonymous);
      const [userId] = [...countBy(own, (e) => e.userId)].sort((a, b) => b[1] - a[1])[0];
      const mine = own.filter((e) => e.userId === userId);
      const b = await userBaseline(store, userId.toUpperCase(), { clock: utc });
      expect(b.events).toBe(mine.length);
      const week = new Array<number>(168).fill(0);
      for (const e of mine) {
        const d = new Date(e.time);
        week[((d.getUTCDay() + 6) % 7) * 24 + d.getUTCHours()]++;
      }
      expect(b.weekHours).toEqual(week);
      const places = countBy(mine, (e) => `${e.country}|${e.city}`);
      expect(new Map(b.places.map((p) => [`${p.country}|${p.city}`, p.events]))).toEqual(places);
      const first = b.devices[0];
      const times = mine.filter((e) => (e.browser ?? '') === first.browser && (e.platform ?? '') === first.platform).map((e) => e.time);
      expect([first.firstSeen, first.lastSeen]).toEqual([Math.min(...times), Math.max(...times)]);
      expect(b.ips.reduce((s, i) => s + i.events, 0)).toBe(mine.length);
    });
  });
}

function offsetOf(e: LoginEvent): number {
  return e.offsetMinutes;
}
