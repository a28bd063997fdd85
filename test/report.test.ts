/**
 * Reports against an emulator-fed archive: every answer is computed again here, independently,
 * from the emulator's own events (`emu.state.allEvents()`), and must match. Runs once per
 * database (PostgreSQL when DOCSPACE_LOGINS_TEST_PG is set). Then the live path (facts from the
 * events themselves) must give exactly what the archive gives, and DST days must come out right.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DocSpaceClient, type LoginEvent, normaliseEvent, parseApiDate, type RunningEmulator, startEmulator } from '../src/index.js';
import { attributionKey, isPlaceholderLogin } from '../src/model/attribution.js';
import { GUEST_ID } from '../src/model/ids.js';
import { formatAtOffset } from '../src/model/time.js';
import {
  archiveData,
  dailyReport,
  EventFacts,
  inactiveFrom,
  inactiveReport,
  type Member,
  memberOf,
  parseUserSort,
  parseZone,
  peopleIdentities,
  type ReportData,
  type ReportOptions,
  runReport,
  summaryReport,
  type TopRow,
  type UserRow,
  usersReport,
  ZoneClock,
} from '../src/report/index.js';
import { type ArchiveStore, openStore } from '../src/store/index.js';
import { syncPortal } from '../src/sync/index.js';
import { type DialectCase, dialects, dialectTitle } from './helpers/dialects.js';

const NOW = Date.parse('2025-07-01T10:00:00Z');
const DAY = 86_400_000;
const SINCE = NOW - 30 * DAY;
const UNTIL = NOW;
const DIALECTS: DialectCase[] = await dialects('report');

afterAll(async () => {
  for (const d of DIALECTS) await d.cleanup();
});

/** The emulator's history as the library's LoginEvents, newest first. */
function eventsOf(emu: RunningEmulator): LoginEvent[] {
  return emu.state.allEvents().map((s) => normaliseEvent({ ...s }, parseApiDate(s.date)!));
}

const timeOf = (e: LoginEvent) => e.time;
/** The wall clock the portal shows for an event. */
const localDate = (e: LoginEvent) => formatAtOffset(e.time, e.offsetMinutes);
const inside = (e: LoginEvent) => timeOf(e) >= SINCE && timeOf(e) <= UNTIL;

function countBy<T>(items: readonly T[], key: (t: T) => string): Map<string, number> {
  const m = new Map<string, number>();
  for (const i of items) m.set(key(i), (m.get(key(i)) ?? 0) + 1);
  return m;
}

/** The first key with the highest count, keys taken in sorted order (ties: the earliest). */
function busiest(m: Map<string, number>): [string, number] {
  return [...m].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0];
}

/** Local calendar date of an instant in an IANA zone, straight from Intl (not our clock). */
function intlDate(time: number, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(
    time,
  );
}

function options(clock: ZoneClock, extra: Partial<ReportOptions> = {}): ReportOptions {
  return { since: SINCE, until: UNTIL, now: NOW, clock, ...extra };
}

for (const d of DIALECTS) {
  describe.skipIf(Boolean(d.skip))(dialectTitle(d, 'reports over an emulator-fed archive'), () => {
    let emu: RunningEmulator;
    let client: DocSpaceClient;
    let store: ArchiveStore;
    let all: LoginEvent[];
    let period: LoginEvent[];
    let data: ReportData;
    let portalClock: ZoneClock;

    beforeAll(async () => {
      emu = await startEmulator({ now: NOW, seed: 11, users: 40, events: 4000, days: 60 });
      client = new DocSpaceClient({ portal: emu.url, credentials: { kind: 'apiKey', apiKey: emu.apiKey } });
      store = await openStore(await d.fresh());
      await syncPortal(client, store);
      all = eventsOf(emu);
      period = all.filter(inside);
      data = await archiveData(store, { since: SINCE, until: UNTIL });
      portalClock = new ZoneClock(parseZone('portal'), await data.portalOffsets());
    });

    afterAll(async () => {
      await store?.close();
      await client?.close();
      await emu?.close();
    });

    it('the fixture has what the reports must handle: failures, anonymous failures, logouts, members who never logged in', () => {
      expect(period.length).toBeGreaterThan(1000);
      expect(period.some((e) => e.anonymous && e.kind === 'failure')).toBe(true);
      expect(period.some((e) => e.kind === 'logout')).toBe(true);
      expect(emu.state.people.some((p) => p.neverLoggedIn && p.status === 1 && !p.deleted)).toBe(true);
    });

    it('summary: events by kind, unique users, anonymous failures, busiest day and hour, top countries, new users', async () => {
      const r = await runReport('summary', data, options(portalClock));
      if (r.name !== 'summary') throw new Error('wrong report');
      const s = r.summary;
      const kinds = countBy(period, (e) => e.kind);
      expect(s.byKind).toEqual({
        success: kinds.get('success') ?? 0,
        failure: kinds.get('failure') ?? 0,
        logout: kinds.get('logout') ?? 0,
        other: kinds.get('other') ?? 0,
      });
      expect(s.events).toBe(period.length);
      expect(s.uniqueUsers).toBe(new Set(period.filter((e) => !e.anonymous).map((e) => e.userId)).size);
      expect(s.anonymousFailures).toBe(period.filter((e) => e.anonymous && e.kind === 'failure').length);
      // The portal's own wall clock: the date and hour DocSpace prints for each event.
      const [day, dayCount] = busiest(countBy(period, (e) => localDate(e).slice(0, 10)));
      expect(s.busiestDay).toEqual({ date: day, events: dayCount });
      const [hour, hourCount] = busiest(countBy(period, (e) => localDate(e).slice(11, 13)));
      expect(s.busiestHour).toEqual({ hour: Number(hour), events: hourCount });
      const countries = [...countBy(period, (e) => e.country)]
        .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
        .slice(0, 5);
      expect(s.topCountries.map((c) => [c.country, c.events])).toEqual(countries);
      const first = new Map<string, number>();
      for (const e of all) {
        if (e.anonymous || timeOf(e) > UNTIL) continue;
        first.set(e.userId, Math.min(first.get(e.userId) ?? Infinity, timeOf(e)));
      }
      const fresh = [...first].filter(([, t]) => t >= SINCE && t <= UNTIL).map(([id]) => id);
      expect(fresh.length).toBeGreaterThan(0);
      expect(s.newUsers.map((u) => u.userId).sort()).toEqual(fresh.sort());
    });

    it('daily: counts per local day and kind, every day of the period listed', async () => {
      const r = await runReport('daily', data, options(portalClock));
      if (r.name !== 'daily') throw new Error('wrong report');
      expect(r.rows[0].date).toBe('2025-06-01');
      expect(r.rows.at(-1)!.date).toBe('2025-07-01');
      expect(r.rows).toHaveLength(31);
      for (const row of r.rows) {
        const day = period.filter((e) => localDate(e).startsWith(row.date));
        expect(row, row.date).toEqual({
          date: row.date,
          success: day.filter((e) => e.kind === 'success').length,
          failure: day.filter((e) => e.kind === 'failure').length,
          logout: day.filter((e) => e.kind === 'logout').length,
          other: day.filter((e) => e.kind === 'other').length,
          total: day.length,
          anonymousFailures: day.filter((e) => e.kind === 'failure' && e.anonymous).length,
        });
      }
    });

    it('daily in another IANA zone: each event on the date Intl gives for that zone', async () => {
      const zone = 'America/New_York';
      const clock = new ZoneClock(parseZone(zone));
      const r = await runReport('daily', data, options(clock));
      if (r.name !== 'daily') throw new Error('wrong report');
      const expected = countBy(period, (e) => intlDate(timeOf(e), zone));
      const got = new Map(r.rows.filter((x) => x.total > 0).map((x) => [x.date, x.total]));
      expect(got).toEqual(expected);
    });

    it('users: one row per user with logins, failures (anonymous ones by the people directory), logouts, IPs, countries, devices', async () => {
      const identities = await peopleIdentities(client);
      const r = await runReport('users', data, options(portalClock, { sort: parseUserSort('name'), identities }));
      if (r.name !== 'users') throw new Error('wrong report');
      expect(r.attributed).toBe(true);
      const own = period.filter((e) => !e.anonymous);
      const ids = [...new Set(own.map((e) => e.userId))];
      expect(r.rows.map((u) => u.userId).sort()).toEqual([...ids].sort());
      // The directory: a typed login names the one member whose e-mail or user name it is.
      const owners = new Map<string, string | null>();
      for (const [id, p] of identities) {
        for (const v of [p.email, p.userName]) {
          if (v) owners.set(v.toLowerCase(), owners.has(v.toLowerCase()) ? null : id);
        }
      }
      let attributed = 0;
      for (const row of r.rows) {
        const mine = own.filter((e) => e.userId === row.userId);
        const successes = mine.filter((e) => e.kind === 'success').map(timeOf);
        const anonymous = period.filter(
          (e) => e.anonymous && e.kind === 'failure' && e.login && owners.get(e.login.toLowerCase()) === row.userId,
        ).length;
        attributed += anonymous;
        const set = (f: (e: LoginEvent) => string | null) =>
          [...new Set(mine.map(f).filter((v): v is string => Boolean(v)))].sort();
        const seenEmails = set((e) => e.login?.toLowerCase() ?? null).filter((l) => l.includes('@'));
        expect(row, row.name).toEqual({
          userId: row.userId,
          name: identities.get(row.userId)?.name || mine.sort((a, b) => timeOf(b) - timeOf(a))[0].user,
          email: identities.get(row.userId)?.email || seenEmails[0] || null,
          firstLogin: successes.length ? Math.min(...successes) : null,
          lastLogin: successes.length ? Math.max(...successes) : null,
          firstSeen: Math.min(...mine.map(timeOf)),
          lastSeen: Math.max(...mine.map(timeOf)),
          successes: successes.length,
          failures: mine.filter((e) => e.kind === 'failure').length + anonymous,
          anonymousFailures: anonymous,
          logouts: mine.filter((e) => e.kind === 'logout').length,
          ips: set((e) => e.ip).length,
          countries: set((e) => e.country),
          browsers: set((e) => e.browser),
          platforms: set((e) => e.platform),
        } satisfies UserRow);
      }
      // The emulator's typos and lockouts hit real accounts: some failures must be credited.
      expect(attributed).toBeGreaterThan(0);
      expect(r.rows.map((u) => u.name)).toEqual([...r.rows.map((u) => u.name)].sort((a, b) => a.localeCompare(b)));
    });

    it('users without a people directory credit no anonymous failure, and say so', async () => {
      const r = await runReport('users', data, options(portalClock));
      if (r.name !== 'users') throw new Error('wrong report');
      expect(r.attributed).toBe(false);
      for (const row of r.rows) {
        const mine = period.filter((e) => !e.anonymous && e.userId === row.userId);
        expect(row.anonymousFailures).toBe(0);
        expect(row.failures).toBe(mine.filter((e) => e.kind === 'failure').length);
      }
    });

    it('failures: by typed login and by IP, with counts, first and last time, and whether a success followed from the same IP', async () => {
      const r = await runReport('failures', data, options(portalClock));
      if (r.name !== 'failures') throw new Error('wrong report');
      const fails = period.filter((e) => e.kind === 'failure');
      const successes = period.filter((e) => e.kind === 'success');
      const successAfter = (ip: string, t: number) => successes.some((s) => s.ip === ip && timeOf(s) > t);
      // A typed login by its attribution key; the placeholder DocSpace writes for none typed, as none typed.
      const loginOf = (e: LoginEvent) =>
        e.login?.trim() ? (isPlaceholderLogin(e.login) ? '' : attributionKey(e.login)) : e.anonymous ? '' : e.user.toLowerCase();
      const byLogin = r.rows.filter((x) => x.group === 'login');
      const byIp = r.rows.filter((x) => x.group === 'ip');
      expect(byLogin.map((x) => x.key).sort()).toEqual([...new Set(fails.map(loginOf))].sort());
      expect(byIp.map((x) => x.key).sort()).toEqual([...new Set(fails.map((e) => e.ip))].sort());
      for (const row of byLogin) {
        const mine = fails.filter((e) => loginOf(e) === row.key);
        const ips = [...new Set(mine.map((e) => e.ip))];
        expect(row.failures, row.key).toBe(mine.length);
        expect(row.firstFailure).toBe(Math.min(...mine.map(timeOf)));
        expect(row.lastFailure).toBe(Math.max(...mine.map(timeOf)));
        expect(row.ips).toBe(ips.length);
        expect(row.successAfter, row.key).toBe(
          ips.some((ip) => successAfter(ip, Math.min(...mine.filter((e) => e.ip === ip).map(timeOf)))),
        );
      }
      for (const row of byIp) {
        const mine = fails.filter((e) => e.ip === row.key);
        expect(row.failures, row.key).toBe(mine.length);
        expect(row.logins).toBe(new Set(mine.map(loginOf)).size);
        expect(row.successAfter, row.key).toBe(successAfter(row.key, Math.min(...mine.map(timeOf))));
      }
      expect(byIp.some((x) => x.successAfter)).toBe(true);
      expect(byIp.some((x) => !x.successAfter)).toBe(true);
      // Most failures first.
      expect(byLogin.map((x) => x.failures)).toEqual([...byLogin.map((x) => x.failures)].sort((a, b) => b - a));
    });

    it('ips, countries, browsers, platforms: the top N by events, with unique users', async () => {
      const dims = {
        ips: (e: LoginEvent) => e.ip,
        countries: (e: LoginEvent) => e.country,
        browsers: (e: LoginEvent) => e.browser ?? '',
        platforms: (e: LoginEvent) => e.platform ?? '',
      };
      for (const [name, key] of Object.entries(dims) as Array<[keyof typeof dims, (e: LoginEvent) => string]>) {
        const r = await runReport(name, data, options(portalClock, { top: 4 }));
        const expected = [...countBy(period, key)]
          .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
          .slice(0, 4)
          .map(([k, events]) => {
            const mine = period.filter((e) => key(e) === k);
            return {
              key: k,
              events,
              successes: mine.filter((e) => e.kind === 'success').length,
              failures: mine.filter((e) => e.kind === 'failure').length,
              users: new Set(mine.filter((e) => !e.anonymous).map((e) => e.userId)).size,
              lastSeen: Math.max(...mine.map(timeOf)),
            };
          });
        const rows = (r as { rows: TopRow[] }).rows;
        expect(
          rows.map((x) => ({
            key: x.key,
            events: x.events,
            successes: x.successes,
            failures: x.failures,
            users: x.users,
            lastSeen: x.lastSeen,
          })),
          name,
        ).toEqual(expected);
      }
    });

    it('inactive: every active member without a successful login in N days, never-logged-in members as never', async () => {
      // The last login is searched in the whole history, not just the period.
      const history = await archiveData(store, { until: UNTIL });
      const members: Member[] = emu.state.people
        .filter((p) => p.status === 1 && !p.deleted)
        .map((p) => ({
          userId: p.id,
          name: p.displayName,
          email: p.email,
          role: 'user',
          registered: p.registered,
          pending: p.activationStatus === 2,
        }));
      const rows = await inactiveFrom(members, history, { days: 14, now: UNTIL });
      const last = new Map<string, number>();
      for (const e of all) {
        if (e.kind === 'success' && !e.anonymous && timeOf(e) <= UNTIL) {
          last.set(e.userId, Math.max(last.get(e.userId) ?? 0, timeOf(e)));
        }
      }
      const expected = members.filter((m) => !last.has(m.userId) || last.get(m.userId)! < UNTIL - 14 * DAY);
      expect(rows.map((x) => x.userId).sort()).toEqual(expected.map((m) => m.userId).sort());
      const never = emu.state.people.filter((p) => p.neverLoggedIn && p.status === 1 && !p.deleted);
      expect(never.length).toBeGreaterThan(0);
      for (const p of never) {
        const row = rows.find((x) => x.userId === p.id);
        expect(row, p.displayName).toMatchObject({ lastLogin: null, daysInactive: null });
      }
      for (const row of rows.filter((x) => x.lastLogin !== null)) {
        expect(row.lastLogin).toBe(last.get(row.userId));
        expect(row.daysInactive).toBe(Math.floor((UNTIL - row.lastLogin!) / DAY));
      }
      // Never-logged-in first, then the longest inactive.
      const firstSeen = rows.findIndex((x) => x.lastLogin !== null);
      expect(rows.slice(0, firstSeen).every((x) => x.lastLogin === null)).toBe(true);
      const times = rows.slice(firstSeen).map((x) => x.lastLogin!);
      expect(times).toEqual([...times].sort((a, b) => a - b));
    });

    it('the same reports from the events themselves (a live read) equal the archive answers', async () => {
      const live = await new EventFacts({ since: SINCE, until: UNTIL }).addAll(all);
      for (const name of ['summary', 'daily', 'users', 'failures', 'ips', 'countries', 'browsers', 'platforms'] as const) {
        for (const tz of ['portal', 'Europe/Berlin', 'Asia/Kolkata']) {
          const clock = new ZoneClock(parseZone(tz), portalClock.portalOffsets);
          const o = options(clock, { top: 50 });
          expect(await runReport(name, live, o), `${name} ${tz}`).toEqual(await runReport(name, data, o));
        }
      }
      expect(await live.portalOffsets()).toEqual(await data.portalOffsets());
    });

    it('--user, resolved through the archived people directory: the member\'s events and failures typed with their e-mail', async () => {
      const { archivePeopleLookup } = await import('../src/store/people-lookup.js');
      const { filterForPeople, resolveUsers } = await import('../src/history/resolve-users.js');
      const { attributionKey } = await import('../src/model/attribution.js');
      const [portal] = await store.portals();
      const people = await store.people(portal.id);
      // A member with both sign-ins and failures typed with their e-mail in the period.
      const member = people.find(
        (p) =>
          p.email &&
          period.some((e) => e.userId === p.id) &&
          period.some((e) => e.anonymous && e.login && attributionKey(e.login) === attributionKey(p.email!)),
      )!;
      expect(member).toBeDefined();
      const lookup = await archivePeopleLookup(store, [portal.id]);
      for (const input of [member.id, member.email!.toUpperCase(), member.displayName]) {
        const who = filterForPeople({}, await resolveUsers([input], lookup));
        const scoped = await archiveData(store, { since: SINCE, until: UNTIL, userIds: who.userIds, logins: who.logins });
        const r = await runReport('daily', scoped, options(portalClock));
        if (r.name !== 'daily') throw new Error('wrong report');
        const keys = new Set(who.logins);
        const mine = period.filter((e) => e.userId === member.id || (e.anonymous && e.login !== null && keys.has(attributionKey(e.login))));
        expect(r.rows.reduce((n, x) => n + x.total, 0), input).toBe(mine.length);
      }
    });
  });
}

// ---------------------------------------------------------------------------------------------

const BERLIN_USER = '0b9a4c1e-1111-4222-8333-000000000001';

/** A hand-made event at `iso` (UTC), shown by the portal at `offset` (e.g. `+02:00`). */
function handMade(id: number, iso: string, offset: string, kind: 'success' | 'failure' = 'success'): LoginEvent {
  const time = Date.parse(iso);
  const sign = offset.startsWith('-') ? -1 : 1;
  const minutes = sign * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4, 6)));
  const local = new Date(time + minutes * 60_000).toISOString().slice(0, 19);
  return normaliseEvent(
    {
      id,
      date: `${local}.0000000${offset}`,
      user: kind === 'success' ? 'Anna Schmidt' : 'anna@example.com',
      userId: kind === 'success' ? BERLIN_USER : GUEST_ID,
      login: kind === 'success' ? undefined : 'anna@example.com',
      action: kind === 'success' ? 'Login success via login and password' : 'Login Fail',
      actionId: kind === 'success' ? 1029 : 1002,
      ip: '203.0.113.7',
      country: 'Germany',
      city: 'Berlin',
    },
    parseApiDate(`${local}.0000000${offset}`)!,
  );
}

describe('day boundaries across DST changes', () => {
  // Europe/Berlin: 2025-03-30 02:00 CET → 03:00 CEST; 2025-10-26 03:00 CEST → 02:00 CET.
  const events = [
    handMade(1, '2025-03-29T22:30:00Z', '+01:00'), // 03-29 23:30 CET
    handMade(2, '2025-03-29T23:30:00Z', '+01:00'), // 03-30 00:30 CET
    handMade(3, '2025-03-30T00:59:59Z', '+01:00'), // 03-30 01:59:59 CET, just before the change
    handMade(4, '2025-03-30T01:00:00Z', '+02:00'), // 03-30 03:00 CEST, the first summer instant
    handMade(5, '2025-03-30T21:59:59Z', '+02:00'), // 03-30 23:59:59 CEST
    handMade(6, '2025-03-30T22:00:00Z', '+02:00'), // 03-31 00:00 CEST
    handMade(7, '2025-10-25T21:59:59Z', '+02:00'), // 10-25 23:59:59 CEST
    handMade(8, '2025-10-25T22:00:00Z', '+02:00'), // 10-26 00:00 CEST
    handMade(9, '2025-10-26T00:30:00Z', '+02:00', 'failure'), // 10-26 02:30 CEST (first time)
    handMade(10, '2025-10-26T01:30:00Z', '+01:00', 'failure'), // 10-26 02:30 CET (second time)
    handMade(11, '2025-10-26T22:59:59Z', '+01:00'), // 10-26 23:59:59 CET
    handMade(12, '2025-10-26T23:00:00Z', '+01:00'), // 10-27 00:00 CET
  ];
  const expectedBerlin = {
    '2025-03-29': 1,
    '2025-03-30': 4,
    '2025-03-31': 1,
    '2025-10-25': 1,
    '2025-10-26': 4,
    '2025-10-27': 1,
  };
  let store: ArchiveStore;

  beforeAll(async () => {
    store = await openStore(join(mkdtempSync(join(tmpdir(), 'dl-report-dst-')), 'archive.sqlite'));
    const portal = await store.ensurePortal({ url: 'https://dst.example.com' });
    await store.insertEvents(portal, events);
  });
  afterAll(async () => {
    await store?.close();
  });

  async function days(tz: string, source: 'archive' | 'events' = 'archive'): Promise<Record<string, number>> {
    const data =
      source === 'archive' ? await archiveData(store) : await new EventFacts().addAll(events);
    const clock = new ZoneClock(parseZone(tz), await data.portalOffsets());
    const r = await runReport('daily', data, { now: Date.parse('2025-12-31T00:00:00Z'), clock });
    if (r.name !== 'daily') throw new Error('wrong report');
    return Object.fromEntries(r.rows.filter((x) => x.total > 0).map((x) => [x.date, x.total]));
  }

  it('--tz Europe/Berlin: every event on its Berlin date, the 23-hour and the 25-hour day included', async () => {
    expect(await days('Europe/Berlin')).toEqual(expectedBerlin);
    expect(await days('Europe/Berlin', 'events')).toEqual(expectedBerlin);
  });

  it('the portal offset each event carries gives the same Berlin dates', async () => {
    expect(await days('portal')).toEqual(expectedBerlin);
  });

  it('a fixed +01:00 does not follow DST: summer events near midnight move a day', async () => {
    const fixed = await days('+01:00');
    expect(fixed['2025-03-30']).toBe(5); // 03-30 23:59:59 CEST is still 22:59:59 at +01:00
    expect(fixed['2025-03-31']).toBeUndefined(); // 03-31 00:00 CEST is 03-30 23:00 at +01:00
    expect(fixed).not.toEqual(expectedBerlin);
  });

  it('UTC days are UTC days', async () => {
    const expected = countBy(events, (e) => new Date(e.time).toISOString().slice(0, 10));
    expect(await days('UTC')).toEqual(Object.fromEntries(expected));
  });

  it('half-hour zones (Asia/Kolkata, Australia/Adelaide with DST) are bucketed exactly', async () => {
    for (const zone of ['Asia/Kolkata', 'Australia/Adelaide', 'America/St_Johns']) {
      const expected = Object.fromEntries(countBy(events, (e) => intlDate(e.time, zone)));
      expect(await days(zone), zone).toEqual(expected);
      expect(await days(zone, 'events'), zone).toEqual(expected);
    }
  });

  it('the busiest hour of a Berlin summary is counted on the Berlin clock', async () => {
    const data = await archiveData(store);
    const clock = new ZoneClock(parseZone('Europe/Berlin'));
    const r = await runReport('summary', data, { now: Date.parse('2025-12-31T00:00:00Z'), clock });
    if (r.name !== 'summary') throw new Error('wrong report');
    // Berlin 23:00 and 00:00 have four events each (the earliest hour wins a tie); on the UTC
    // clock the same events make 22:00 the busiest.
    expect(r.summary.busiestHour).toEqual({ hour: 0, events: 4 });
    expect(r.summary.busiestDay).toEqual({ date: '2025-03-30', events: 4 });
    expect(r.summary.anonymousFailures).toBe(2);
  });
});

// ---------------------------------------------------------------------------------------------

const PEOPLE = [
  { id: '0b9a4c1e-2222-4222-8333-000000000001', name: 'Asha Rao', email: 'asha@example.com' },
  { id: '0b9a4c1e-2222-4222-8333-000000000002', name: 'Ravi Iyer', email: 'ravi@example.com' },
  { id: '0b9a4c1e-2222-4222-8333-000000000003', name: 'Jonas Weber', email: 'jonas@example.com' },
];

/**
 * `count` events of one portal, one every 37 minutes from `start` (UTC), dated at the portal's
 * `offset`: successes, logouts and OAuth logins of three people, and anonymous failures typed
 * with their emails or with an unknown login, from a few addresses, countries and devices.
 */
function portalEvents(firstId: number, start: string, offset: string, count: number): LoginEvent[] {
  const sign = offset.startsWith('-') ? -1 : 1;
  const minutes = sign * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4, 6)));
  const out: LoginEvent[] = [];
  for (let i = 0; i < count; i++) {
    const time = Date.parse(start) + i * 37 * 60_000 + (i % 11) * 1000;
    const date = `${new Date(time + minutes * 60_000).toISOString().slice(0, 19)}.0000000${offset}`;
    const who = PEOPLE[i % PEOPLE.length];
    const failure = i % 5 === 0;
    const [actionId, action] = failure ? [1002, 'Login Fail'] : i % 5 === 1 ? [1006, 'Logout'] : [1029, 'Login success'];
    out.push(
      normaliseEvent(
        {
          id: firstId + i,
          date,
          userId: failure ? GUEST_ID : who.id,
          user: failure ? who.email : who.name,
          login: failure ? (i % 3 === 2 ? 'nobody@example.com' : who.email) : i % 5 === 2 ? who.email : undefined,
          action,
          actionId,
          ip: `198.51.100.${i % 7}`,
          country: ['India', 'Germany', ''][i % 3],
          city: ['Mumbai', 'Berlin', ''][i % 3],
          browser: ['Chrome 126', 'Firefox 127', undefined][i % 4 === 3 ? 2 : i % 2],
          platform: ['Windows 11', 'Android', undefined][i % 3],
        },
        parseApiDate(date)!,
      ),
    );
  }
  return out;
}

for (const d of DIALECTS) {
  describe.skipIf(Boolean(d.skip))(dialectTitle(d, 'two portals, one at +05:30 and one at +02:00, in one archive'), () => {
    // A UTC hour at +05:30 straddles two local hours, so these events cannot be counted per UTC
    // hour and moved by the offset: the archive must still put each on its own portal's clock.
    const india = portalEvents(1, '2025-05-20T00:00:00Z', '+05:30', 900);
    const berlin = portalEvents(1, '2025-05-20T00:10:00Z', '+02:00', 700);
    const all = [...india, ...berlin];
    // Bounds that are not whole hours: the hour range narrows the read, the times decide.
    const period = { since: Date.parse('2025-05-21T03:17:29Z'), until: Date.parse('2025-06-08T19:42:05Z') };
    const now = Date.parse('2025-06-09T00:00:00Z');
    let target: string;
    let store: ArchiveStore;
    let data: ReportData;
    let live: EventFacts;

    beforeAll(async () => {
      target = await d.fresh();
      store = await openStore(target);
      await store.insertEvents(await store.ensurePortal({ url: 'https://india.example.com' }), india);
      await store.insertEvents(await store.ensurePortal({ url: 'https://berlin.example.com' }), berlin);
      data = await archiveData(store, period);
      live = await new EventFacts(period).addAll(all);
    });
    afterAll(async () => {
      await store?.close();
    });

    it("daily on the portal clock: every event on its own portal's local date", async () => {
      const clock = new ZoneClock(parseZone('portal'), await data.portalOffsets());
      const r = await runReport('daily', data, { ...period, now, clock });
      if (r.name !== 'daily') throw new Error('wrong report');
      const inside = all.filter((e) => e.time >= period.since && e.time <= period.until);
      const expected = countBy(inside, (e) => localDate(e).slice(0, 10));
      expect(Object.fromEntries(r.rows.filter((x) => x.total > 0).map((x) => [x.date, x.total]))).toEqual(
        Object.fromEntries(expected),
      );
    });

    it('every report in every kind of zone equals the answer from the events themselves', async () => {
      for (const tz of ['portal', 'UTC', '+05:30', 'Asia/Kolkata', 'Europe/Berlin']) {
        const clock = new ZoneClock(parseZone(tz), await data.portalOffsets());
        const o = { ...period, now, clock, top: 50 };
        for (const name of ['summary', 'daily', 'users', 'failures', 'ips', 'countries', 'browsers', 'platforms'] as const) {
          expect(await runReport(name, data, o), `${name} ${tz}`).toEqual(await runReport(name, live, o));
        }
      }
    });

    it.skipIf(d.name !== 'sqlite')(
      'on SQLite the period is read from events_report alone, and nothing but hourly groups is sorted',
      async () => {
        // Every statement the reports prepare, explained on a connection of our own.
        const prepared = vi.spyOn(Database.prototype, 'prepare');
        let sqls: string[];
        try {
          const clock = new ZoneClock(parseZone('portal'), await data.portalOffsets());
          for (const name of ['summary', 'daily', 'users', 'failures', 'countries'] as const) {
            await runReport(name, data, { ...period, now, clock });
          }
          sqls = prepared.mock.calls.map((c) => String(c[0]));
        } finally {
          prepared.mockRestore();
        }
        const statements = [...new Set(sqls)].filter((q) => q.includes('"time" / 3600000'));
        // Grouped by UTC hour: the hour counts and the first level of every activity report.
        const hourly = statements.filter((q) => q.includes('group by "portal_id", "anonymous", "time" / 3600000'));
        expect(hourly.length).toBeGreaterThanOrEqual(4);
        const db = new Database(target, { readonly: true });
        try {
          for (const q of statements) {
            const params = (q.match(/\?/g) ?? []).map(() => 0);
            const plan = db.prepare(`EXPLAIN QUERY PLAN ${q}`).all(...params) as Array<{ parent: number; detail: string }>;
            const search = plan.find((p) => /^(SEARCH|SCAN) events\b/.test(p.detail));
            expect(search?.detail, q).toMatch(/USING COVERING INDEX events_report/);
            if (!hourly.includes(q)) continue; // the +05:30 portal's events, counted on its local clock
            // A temporary B-tree next to the read of events would be a sort of every event.
            expect(plan.filter((p) => p.parent === search!.parent && p.detail.includes('TEMP B-TREE')), q).toEqual([]);
          }
        } finally {
          db.close();
        }
      },
    );
  });
}

// ---------------------------------------------------------------------------------------------

describe('pure report pieces', () => {
  it('--tz accepts portal, local, UTC, offsets and IANA names, and rejects anything else', () => {
    expect(parseZone(undefined)).toEqual({ kind: 'portal' });
    expect(parseZone('UTC')).toEqual({ kind: 'fixed', offsetMinutes: 0 });
    expect(parseZone('-05:30')).toEqual({ kind: 'fixed', offsetMinutes: -330 });
    expect(parseZone('europe/berlin')).toEqual({ kind: 'iana', name: 'Europe/Berlin' });
    expect(parseZone('local', { TZ: 'Asia/Tokyo' })).toEqual({ kind: 'iana', name: 'Asia/Tokyo' });
    expect(() => parseZone('Mars/Olympus_Mons')).toThrow(/not a time zone/);
    expect(() => parseZone('+15:00')).toThrow(/offset/);
  });

  it('--sort knows its keys and directions; unknown keys are a usage error', () => {
    expect(parseUserSort(undefined)).toEqual({ key: 'last-seen', descending: true });
    expect(parseUserSort('name')).toEqual({ key: 'name', descending: false });
    expect(parseUserSort('failures:asc')).toEqual({ key: 'failures', descending: false });
    expect(() => parseUserSort('shoe-size')).toThrow(/not one of/);
    expect(() => parseUserSort('name:up')).toThrow(/asc or :desc/);
  });

  it('users sorted by last login put never-logged-in users last, whichever the direction', () => {
    const fact = (userId: string, kind: 'success' | 'failure', t: number) => ({
      userId,
      name: userId,
      login: null,
      anonymous: false,
      kind,
      ip: '',
      country: '',
      city: '',
      browser: null,
      platform: null,
      events: 1,
      first: t,
      last: t,
    });
    const facts = [fact('a', 'success', 10), fact('b', 'failure', 30), fact('c', 'success', 20)];
    expect(usersReport(facts, { sort: parseUserSort('last-login') }).map((u) => u.userId)).toEqual(['c', 'a', 'b']);
    expect(usersReport(facts, { sort: parseUserSort('last-login:asc') }).map((u) => u.userId)).toEqual(['a', 'c', 'b']);
    expect(usersReport(facts, { sort: parseUserSort('failures'), top: 1 }).map((u) => u.userId)).toEqual(['b']);
  });

  it('users: the people API identity credits failures typed with the user name', () => {
    const base = { anonymous: false, ip: '', country: '', city: '', browser: null, platform: null, events: 1, first: 1, last: 1 };
    const rows = usersReport(
      [
        { ...base, userId: 'u1', name: 'Anna Schmidt', login: null, kind: 'success' },
        { ...base, userId: '', name: '', login: 'anna.schmidt', anonymous: true, kind: 'failure', events: 3 },
        { ...base, userId: '', name: '', login: 'someone.else', anonymous: true, kind: 'failure', events: 5 },
      ],
      { identities: new Map([['u1', { email: 'anna@example.com', userName: 'anna.schmidt' }]]) },
    );
    expect(rows).toMatchObject([{ userId: 'u1', email: 'anna@example.com', failures: 3, anonymousFailures: 3 }]);
  });

  it('inactive: members decide who is listed; a recent login keeps a member off the list', () => {
    const member = (userId: string, registered: number | null): Member => ({
      userId,
      name: userId,
      email: null,
      role: 'user',
      registered,
      pending: false,
    });
    const now = 100 * DAY;
    const rows = inactiveReport(
      [member('recent', 1), member('old', 1), member('never-late', 50 * DAY), member('never-early', 2 * DAY)],
      new Map([
        ['recent', now - 2 * DAY],
        ['old', now - 40 * DAY],
        ['not-a-member', now - 90 * DAY],
      ]),
      { days: 30, now },
    );
    expect(rows.map((r) => [r.userId, r.daysInactive])).toEqual([
      ['never-early', null],
      ['never-late', null],
      ['old', 40],
    ]);
  });

  it('roles come from the people API flags, most powerful first', () => {
    const person = (flags: Record<string, boolean>) =>
      memberOf({ id: 'ID', displayName: 'X', registrationDate: '2024-01-02T03:04:05.0000000+01:00', ...flags });
    expect(person({ isOwner: true, isAdmin: true }).role).toBe('owner');
    expect(person({ isAdmin: true }).role).toBe('admin');
    expect(person({ isRoomAdmin: true }).role).toBe('room admin');
    expect(person({ isVisitor: true }).role).toBe('guest');
    expect(person({ isCollaborator: true }).role).toBe('user');
    expect(person({}).registered).toBe(Date.parse('2024-01-02T02:04:05Z'));
  });

  it('daily fills the days without events between --since and --until with zeros', () => {
    const clock = new ZoneClock(parseZone('UTC'));
    const hour = (iso: string) => Math.floor(Date.parse(iso) / 3_600_000);
    const rows = dailyReport(
      [
        { hour: hour('2025-01-02T05:00:00Z'), kind: 'success', anonymous: false, events: 2 },
        { hour: hour('2025-01-04T23:00:00Z'), kind: 'failure', anonymous: true, events: 1 },
      ],
      { since: Date.parse('2025-01-01T12:00:00Z'), until: Date.parse('2025-01-05T00:00:00Z'), now: Date.parse('2025-02-01'), clock },
    );
    expect(rows.map((r) => [r.date, r.total, r.anonymousFailures])).toEqual([
      ['2025-01-01', 0, 0],
      ['2025-01-02', 2, 0],
      ['2025-01-03', 0, 0],
      ['2025-01-04', 1, 1],
      ['2025-01-05', 0, 0],
    ]);
  });

  it('a summary of nothing is zeros and nulls, not an error', () => {
    const s = summaryReport({ hours: [], users: [] }, { now: 0, clock: new ZoneClock(parseZone('UTC')) });
    expect(s).toMatchObject({ events: 0, uniqueUsers: 0, busiestDay: null, busiestHour: null, topCountries: [], newUsers: [] });
  });
});
