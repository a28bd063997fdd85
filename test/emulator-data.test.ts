/**
 * The emulator's data and state: determinism per seed, dates in the portal's zone, people,
 * retention and purging, live events, the realism of the generated history, and scale.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createEmulatorApp, type RunningEmulator, startEmulator } from '../src/emulator/index.js';
import { GUEST_ID } from '../src/model/ids.js';
import { parseApiDate } from '../src/model/time.js';
import { API_DATE, call, NOW } from './helpers/emulator-helpers.js';

describe('determinism', () => {
  it('gives the same people, ids and key for the same seed, and different ones for another seed', () => {
    const a = createEmulatorApp({ seed: 11, events: 800, now: NOW });
    const b = createEmulatorApp({ seed: 11, events: 800, now: NOW });
    const c = createEmulatorApp({ seed: 12, events: 800, now: NOW });
    try {
      const view = (x: typeof a) => ({
        people: x.state.people.map((p) => [p.id, p.email, p.role, p.status]),
        events: x.state.allEvents().map((e) => [e.id, e.date, e.userId, e.actionId, e.ip]),
        key: x.state.apiKey,
      });
      expect(view(a)).toEqual(view(b));
      const va = view(a);
      const vc = view(c);
      expect(vc.people).not.toEqual(va.people);
      expect(vc.events).not.toEqual(va.events);
      expect(vc.key).not.toBe(va.key);
      expect(va.key).toMatch(/^sk-[0-9a-f]{64}$/);
    } finally {
      a.close();
      b.close();
      c.close();
    }
  });

  it('ends the history a little before now and spreads it over the requested days', () => {
    const app = createEmulatorApp({ seed: 2, events: 2000, days: 30, now: NOW });
    try {
      const newest = app.state.store.newestTime()!;
      const oldest = app.state.store.oldestTime()!;
      expect(newest).toBeLessThan(NOW);
      expect(NOW - newest).toBeLessThan(5 * 60_000);
      expect(oldest).toBeGreaterThanOrEqual(NOW - 30 * 86_400_000);
      expect(oldest).toBeLessThan(NOW - 25 * 86_400_000);
      expect(app.state.store.size).toBe(2000);
    } finally {
      app.close();
    }
  });
});

describe('dates', () => {
  it('prints the Berlin offset of each instant (+02:00 in summer, +01:00 in winter) with 7 digits', () => {
    const app = createEmulatorApp({ seed: 5, events: 3000, days: 200, now: NOW, timezone: 'Europe/Berlin' });
    try {
      const events = app.state.allEvents();
      const offsets = new Set<string>();
      for (const e of events) {
        expect(e.date).toMatch(API_DATE);
        const month = Number(e.date.slice(5, 7));
        if (month >= 5 && month <= 9) expect(e.date.endsWith('+02:00')).toBe(true);
        if (month === 1 || month === 2) expect(e.date.endsWith('+01:00')).toBe(true);
        offsets.add(e.date.slice(-6));
      }
      expect(offsets).toEqual(new Set(['+01:00', '+02:00']));
      // The printed wall-clock time plus offset is the stored instant.
      const store = app.state.store;
      const newest = parseApiDate(events[0].date)!;
      expect(newest.time).toBe(store.newestTime());
      expect(newest.offsetMinutes).toBe(120);
    } finally {
      app.close();
    }
  });

  it('ends dates in Z for a UTC portal', () => {
    const app = createEmulatorApp({ seed: 5, events: 300, now: NOW, timezone: 'UTC' });
    try {
      const events = app.state.allEvents();
      expect(events.every((e) => API_DATE.test(e.date) && e.date.endsWith('.0000000Z'))).toBe(true);
    } finally {
      app.close();
    }
  });

  it('uses the zone offset in people dates too', async () => {
    const emu = await startEmulator({ seed: 5, events: 10, now: NOW, timezone: 'America/New_York' });
    try {
      const r = await call(emu, 'people?count=100');
      for (const p of r.json.response) expect(p.registrationDate).toMatch(/^\S+\.\d{7}-0[45]:00$/);
    } finally {
      await emu.close();
    }
  });

  it('can reproduce the server printing the repeated fall-back hour one hour late', () => {
    const plain = createEmulatorApp({ events: 1, timezone: 'Europe/Berlin' });
    const quirky = createEmulatorApp({ events: 1, timezone: 'Europe/Berlin', dstFoldQuirk: true });
    try {
      // 00:30Z is 02:30 CEST, the first pass through the repeated hour on 2025-10-26.
      const first = Date.parse('2025-10-26T00:30:00Z');
      expect(plain.state.formatDate(first)).toBe('2025-10-26T02:30:00.0000000+02:00');
      expect(quirky.state.formatDate(first)).toBe('2025-10-26T02:30:00.0000000+01:00');
      // The second pass (02:30 CET) and ordinary instants print the same either way.
      for (const t of ['2025-10-26T01:30:00Z', '2025-10-25T12:00:00Z', '2025-07-01T12:00:00Z']) {
        expect(quirky.state.formatDate(Date.parse(t))).toBe(plain.state.formatDate(Date.parse(t)));
      }
    } finally {
      plain.close();
      quirky.close();
    }
  });

  it('rejects an unknown time zone', () => {
    expect(() => createEmulatorApp({ timezone: 'Mars/Olympus' })).toThrow(/time zone/);
  });
});

describe('people', () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await startEmulator({ seed: 9, users: 60, events: 3000, now: NOW });
  });
  afterAll(async () => {
    await emu.close();
  });

  it('pages active members with count, startIndex and total', async () => {
    const active = emu.state.people.filter((p) => p.status === 1 && !p.deleted);
    const seen: string[] = [];
    for (let start = 0; ; start += 25) {
      const r = await call(emu, `people?count=25&startIndex=${start}`);
      expect(r.json.total).toBe(active.length);
      expect(r.json.count).toBe(r.json.response.length);
      seen.push(...r.json.response.map((p: { id: string }) => p.id));
      if (r.json.response.length < 25) break;
    }
    expect(new Set(seen)).toEqual(new Set(active.map((p) => p.id)));
    expect(seen).toHaveLength(active.length);
    const bad = await call(emu, 'people?count=101');
    expect(bad.status).toBe(400);
  });

  it('has one owner, some admins, room admins, users and guests with the DTO flags', async () => {
    const r = await call(emu, 'people?count=100');
    const list: Array<Record<string, boolean>> = r.json.response;
    expect(list.filter((p) => p.isOwner)).toHaveLength(1);
    expect(list.find((p) => p.isOwner)!.isAdmin).toBe(false);
    expect(list.filter((p) => p.isAdmin).length).toBeGreaterThan(0);
    expect(list.filter((p) => p.isRoomAdmin).length).toBeGreaterThan(0);
    expect(list.filter((p) => p.isCollaborator).length).toBeGreaterThan(0);
    expect(list.filter((p) => p.isVisitor).length).toBeGreaterThan(0);
  });

  it('finds a member by GUID or user name (not by e-mail), and answers 404 JSON otherwise', async () => {
    const p = emu.state.people.find((x) => x.role === 'user' && x.status === 1)!;
    for (const key of [p.id, p.userName]) {
      const r = await call(emu, `people/${encodeURIComponent(key)}`);
      expect(r.status).toBe(200);
      expect(r.json.response.id).toBe(p.id);
    }
    const byEmail = await call(emu, `people/${encodeURIComponent(p.email)}`);
    expect(byEmail.status).toBe(404);
    expect(byEmail.json.error.message).toBe('The user could not be found');
    const missing = await call(emu, 'people/00000000-0000-0000-0000-000000000001');
    expect(missing.status).toBe(404);
    expect(missing.json.error.message).toBe('The user could not be found');
    expect(missing.json.statusCode).toBe(404);
  });

  it('keeps terminated members out of /people but in history and in people/{id}', async () => {
    const gone = emu.state.people.find((p) => p.status === 2 && !p.deleted)!;
    expect(gone).toBeDefined();
    const list = await call(emu, 'people?count=100');
    expect(list.json.response.map((p: { id: string }) => p.id)).not.toContain(gone.id);
    const one = await call(emu, `people/${gone.id}`);
    expect(one.json.response.status).toBe(2);
    expect(one.json.response.terminated).toMatch(API_DATE);
    const filtered = await call(emu, 'people/filter?employeeStatus=2');
    expect(filtered.json.response.map((p: { id: string }) => p.id)).toContain(gone.id);
    const events = emu.state.allEvents().filter((e) => e.userId === gone.id);
    expect(events.length).toBeGreaterThan(0);
    expect(events.every((e) => parseApiDate(e.date)!.time <= gone.terminated!)).toBe(true);
  });

  it('has active and invited members who never logged in (no event at all)', () => {
    const never = emu.state.people.filter((p) => p.neverLoggedIn);
    expect(never.some((p) => p.status === 1)).toBe(true);
    expect(never.some((p) => p.status === 4)).toBe(true);
    const events = emu.state.allEvents();
    for (const p of never) {
      expect([1, 4]).toContain(p.status);
      expect(events.some((e) => e.userId === p.id || e.login === p.email)).toBe(false);
    }
  });

  it('shows a deleted member as "Unknown Account" (or the logged login) and 404 in people', async () => {
    const deleted = emu.state.people.find((p) => p.deleted)!;
    const events = emu.state.allEvents().filter((e) => e.userId === deleted.id);
    expect(events.length).toBeGreaterThan(0);
    for (const e of events) expect(e.user).toBe(e.login ?? 'Unknown Account');
    expect((await call(emu, `people/${deleted.id}`)).status).toBe(404);
  });
});

describe('generated history', () => {
  it('looks like a real portal: success codes, SSO/OAuth/social/TFA, logouts, Guest failures, bursts, sprays', () => {
    const app = createEmulatorApp({ seed: 1, events: 20_000, now: NOW });
    try {
      const events = app.state.allEvents();
      const codes = new Map<number, number>();
      for (const e of events) codes.set(e.actionId, (codes.get(e.actionId) ?? 0) + 1);
      for (const code of [1010, 1029, 1015, 1019, 1024, 1028, 1006, 1013, 1023]) {
        expect(codes.get(code) ?? 0).toBeGreaterThan(0);
      }
      const successes = (codes.get(1010) ?? 0) + (codes.get(1029) ?? 0);
      expect(successes).toBeGreaterThan(events.length * 0.25);
      // Failures carry the Guest id and the typed login as user.
      const failures = events.filter((e) => e.actionId === 1013);
      expect(failures.every((e) => e.userId === GUEST_ID)).toBe(true);
      expect(failures.every((e) => e.user === e.login)).toBe(true);
      expect(failures.some((e) => e.country === '' && e.city === '')).toBe(true);
      // OAuth rows log the email; logouts log the display name.
      const people = new Map(app.state.people.map((p) => [p.id, p]));
      for (const e of events.filter((x) => x.actionId === 1028))
        expect(e.login).toBe(people.get(e.userId)!.email);
      for (const e of events.filter((x) => x.actionId === 1006))
        expect(e.login).toBe(people.get(e.userId)!.displayName);
      // A brute-force burst: one IP and one login, several attempts in one second, ending with 1023.
      const bySecondIpLogin = new Map<string, number>();
      for (const e of failures) {
        const k = `${e.date}|${e.ip}|${e.login}`;
        bySecondIpLogin.set(k, (bySecondIpLogin.get(k) ?? 0) + 1);
      }
      expect(Math.max(...bySecondIpLogin.values())).toBeGreaterThanOrEqual(3);
      // A spray: one IP trying many different logins.
      const loginsByIp = new Map<string, Set<string>>();
      for (const e of failures) {
        if (!loginsByIp.has(e.ip)) loginsByIp.set(e.ip, new Set());
        loginsByIp.get(e.ip)!.add(e.login!);
      }
      expect(Math.max(...[...loginsByIp.values()].map((s) => s.size))).toBeGreaterThanOrEqual(8);
      // Ids: unique, nearly in date order, a few OAuth rows out of order.
      const ids = events.map((e) => e.id);
      expect(new Set(ids).size).toBe(ids.length);
      let inversions = 0;
      for (let i = 1; i < ids.length; i++) if (ids[i] > ids[i - 1]) inversions++;
      expect(inversions).toBeGreaterThan(0);
      expect(inversions).toBeLessThan(ids.length * 0.02);
      // Tie runs exist but stay small.
      const store = app.state.store;
      let biggest = 0;
      let tied = 0;
      for (let p = 0; p < store.size; ) {
        const [from, to] = store.tieRun(p);
        biggest = Math.max(biggest, to - from);
        if (to - from > 1) tied += to - from;
        p = to;
      }
      expect(tied).toBeGreaterThan(0);
      expect(biggest).toBeLessThanOrEqual(40);
    } finally {
      app.close();
    }
  });

  it('follows a working-week rhythm in the portal zone', () => {
    const app = createEmulatorApp({ seed: 4, events: 20_000, now: NOW });
    try {
      let workHours = 0;
      let night = 0;
      for (const e of app.state.allEvents()) {
        if (e.userId === GUEST_ID) continue;
        const hour = Number(e.date.slice(11, 13));
        if (hour >= 8 && hour < 18) workHours++;
        if (hour < 5) night++;
      }
      expect(workHours).toBeGreaterThan(night * 10);
    } finally {
      app.close();
    }
  });
});

describe('retention, purge and live events', () => {
  it('purges events before a date via the control API and the state', async () => {
    const emu = await startEmulator({ seed: 6, events: 2000, now: NOW });
    try {
      const cut = NOW - 30 * 86_400_000;
      const r = (
        await call(emu, `/__emulator/purge?before=${new Date(cut).toISOString()}`, {
          method: 'POST',
          key: null,
        })
      ).json;
      expect(r.purged).toBeGreaterThan(0);
      expect(emu.state.store.oldestTime()).toBeGreaterThanOrEqual(cut);
      expect(r.events).toBe(emu.state.store.size);
      const last = await call(
        emu,
        `security/audit/login/filter?startIndex=${emu.state.store.size - 1}&count=1`,
      );
      expect(parseApiDate(last.json.response[0].date)!.time).toBeGreaterThanOrEqual(cut);
      // The same through the state object.
      const size = emu.state.store.size;
      const removed = emu.state.purge(NOW - 10 * 86_400_000);
      expect(removed).toBeGreaterThan(0);
      expect(emu.state.store.size).toBe(size - removed);
      expect(emu.state.store.oldestTime()).toBeGreaterThanOrEqual(NOW - 10 * 86_400_000);
    } finally {
      await emu.close();
    }
  });

  it('applies the lifetime setting: GET/POST settings/lifetime, 400 outside 1..180, shorter lifetime purges', async () => {
    const emu = await startEmulator({ seed: 6, events: 2000, days: 90, now: NOW });
    try {
      const get = await call(emu, 'security/audit/settings/lifetime');
      expect(get.json.response).toMatchObject({ loginHistoryLifeTime: 180, auditTrailLifeTime: 180 });
      expect(get.json.response.lastModified).toMatch(/Z$/);
      for (const bad of [0, 181]) {
        const r = await call(emu, 'security/audit/settings/lifetime', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ settings: { loginHistoryLifeTime: bad, auditTrailLifeTime: 30 } }),
        });
        expect(r.status).toBe(400);
        expect(r.json.error.type).toBe('System.ArgumentException');
        expect(r.json.error.message).toBe('LoginHistoryLifeTime');
      }
      const before = emu.state.store.size;
      const set = await call(emu, 'security/audit/settings/lifetime', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ settings: { loginHistoryLifeTime: 30, auditTrailLifeTime: 60 } }),
      });
      expect(set.status).toBe(200);
      expect(set.json.response).toMatchObject({ loginHistoryLifeTime: 30, auditTrailLifeTime: 60 });
      expect(emu.state.store.size).toBeLessThan(before);
      expect(emu.state.store.oldestTime()).toBeGreaterThanOrEqual(emu.state.now() - 30 * 86_400_000 - 1000);
      const again = await call(emu, 'security/audit/settings/lifetime');
      expect(again.json.response.loginHistoryLifeTime).toBe(30);
    } finally {
      await emu.close();
    }
  });

  it('purges at start-up when the history is older than lifetimeDays', () => {
    const app = createEmulatorApp({ seed: 6, events: 2000, days: 90, lifetimeDays: 10, now: NOW });
    try {
      expect(app.state.store.size).toBeLessThan(2000);
      expect(app.state.store.oldestTime()).toBeGreaterThanOrEqual(NOW - 10 * 86_400_000);
      expect(app.state.stats().purged).toBe(2000 - app.state.store.size);
    } finally {
      app.close();
    }
  });

  it('appends live events at the head while running, and stops on close', async () => {
    // The live timer and the time it measures are faked, so one simulated second is exactly
    // 40 events however loaded the machine (timeouts and sockets stay real).
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'], now: NOW });
    try {
      const emu = await startEmulator({ seed: 6, events: 200, now: NOW, live: 40 });
      const before = emu.state.store.size;
      const firstId = emu.state.store.lastId;
      vi.advanceTimersByTime(1000);
      expect(emu.state.store.size - before).toBe(40);
      const last = await call(emu, 'security/audit/login/last');
      expect(Math.max(...last.json.response.map((e: { id: number }) => e.id))).toBeGreaterThan(firstId);
      await emu.close();
      const closed = emu.state.store.size;
      vi.advanceTimersByTime(10_000);
      expect(emu.state.store.size).toBe(closed);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('scale', () => {
  it('generates a million events in seconds and serves a deep 100-event window without scanning', async () => {
    // CPU time of this process, not wall time: other processes on a loaded machine delay the
    // work but do not add to it, so the bounds hold however busy the machine is (vitest runs
    // each test file in a process of its own, so no other file adds to it either).
    const cpuMs = (since?: NodeJS.CpuUsage) => {
      const u = process.cpuUsage(since);
      return (u.user + u.system) / 1000;
    };
    const c0 = process.cpuUsage();
    const emu = await startEmulator({ seed: 1, events: 1_000_000, now: NOW });
    try {
      expect(emu.state.store.size).toBe(1_000_000);
      expect(cpuMs(c0)).toBeLessThan(15_000);
      expect(emu.state.stats().storeBytes).toBeLessThan(60_000_000);
      // Warm up, then time deep windows: O(window), so about as cheap as the first page.
      await call(emu, 'security/audit/login/filter?count=100');
      const c1 = process.cpuUsage();
      for (let i = 0; i < 20; i++) {
        const r = await call(emu, `security/audit/login/filter?startIndex=${999_000 - i * 100}&count=100`);
        expect(r.json.count).toBe(100);
      }
      expect(cpuMs(c1) / 20).toBeLessThan(100);
    } finally {
      await emu.close();
    }
  });
});
