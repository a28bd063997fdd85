/**
 * The emulator's login-history endpoints over real HTTP: envelope, `last`, `filter` with the
 * server's window-then-filter order, validation, paging, tie shuffling, the no-audit fallback.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../src/emulator/index.js';
import { GUEST_ID } from '../src/model/ids.js';
import { parseApiDate } from '../src/model/time.js';
import { API_DATE, call, expectedWindow, NOW, storedIds } from './helpers/emulator-helpers.js';

let emu: RunningEmulator;

beforeAll(async () => {
  emu = await startEmulator({ seed: 7, events: 3000, now: NOW });
});
afterAll(async () => {
  await emu.close();
});

describe('envelope', () => {
  it('wraps events in response/count/links/status/statusCode with the full request URL and no total', async () => {
    const r = await call(emu, 'security/audit/login/filter?count=5&startIndex=3');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(r.headers.get('server-timing')).toMatch(/^aspnetcore-request-time;dur=\d+$/);
    expect(Object.keys(r.json)).toEqual(['response', 'count', 'links', 'status', 'statusCode']);
    expect(r.json.count).toBe(5);
    expect(r.json.response).toHaveLength(5);
    expect(r.json.links).toEqual([
      { href: `${emu.url}/api/2.0/security/audit/login/filter?count=5&startIndex=3`, action: 'GET' },
    ]);
    expect(r.json.status).toBe(0);
    expect(r.json.statusCode).toBe(200);
    expect('total' in r.json).toBe(false);
  });

  it('serves events with the documented fields, omitting null login/browser/platform/page', async () => {
    const r = await call(emu, 'security/audit/login/filter?count=100');
    for (const e of r.json.response) {
      expect(typeof e.id).toBe('number');
      expect(e.date).toMatch(API_DATE);
      expect(typeof e.user).toBe('string');
      expect(e.user.length).toBeGreaterThan(0);
      expect(typeof e.actionId).toBe('number');
      expect(typeof e.action).toBe('string');
      expect(typeof e.ip).toBe('string');
      expect(typeof e.country).toBe('string');
      for (const k of ['login', 'browser', 'platform', 'page']) {
        if (k in e) expect(typeof e[k]).toBe('string');
      }
    }
    // Most successful logins have no login field at all.
    const successes = r.json.response.filter((e: { actionId: number }) =>
      [1010, 1029, 1015].includes(e.actionId),
    );
    expect(successes.length).toBeGreaterThan(0);
    expect(successes.every((e: object) => !('login' in e))).toBe(true);
  });

  it('answers an unknown API route with 404 and an empty body', async () => {
    const r = await call(emu, 'security/audit/login/nothing');
    expect(r.status).toBe(404);
    expect(r.text).toBe('');
  });
});

describe('login/last', () => {
  it('returns the 20 newest events (ties at the edge may swap members)', async () => {
    const r = await call(emu, 'security/audit/login/last');
    expect(r.json.count).toBe(20);
    const got = new Set<number>(r.json.response.map((e: { id: number }) => e.id));
    expect(got.size).toBe(20);
    const { must, may } = expectedWindow(emu, 0, 20);
    for (const id of must) expect(got.has(id)).toBe(true);
    for (const id of got) expect(must.has(id) || may.has(id)).toBe(true);
  });

  it('uses the limited action text, with the provider for social logins', async () => {
    const all = emu.state.allEvents();
    expect(
      all.some((e) => e.actionId === 1019 && /^Login Via Social Account Success: \w+$/.test(e.action)),
    ).toBe(true);
    const { actionText } = await import('../src/emulator/index.js');
    const long = 'x'.repeat(60);
    expect(actionText(1019, long, true)).toBe(`Login Via Social Account Success: ${'x'.repeat(47)}...`);
    expect(actionText(1019, long, false)).toBe(`Login Via Social Account Success: ${long}`);
  });
});

describe('login/filter', () => {
  it('windows the unfiltered list first, then filters: userId returns only that window’s matches', async () => {
    const all = emu.state.allEvents();
    // A user with events both inside the first 100 and further back.
    const inWindow = new Map<string, number>();
    for (const e of all.slice(0, 100))
      if (e.userId !== GUEST_ID) inWindow.set(e.userId, (inWindow.get(e.userId) ?? 0) + 1);
    const [userId] = [...inWindow.keys()].filter((u) => all.slice(100).some((e) => e.userId === u));
    expect(userId).toBeDefined();
    const { must, may } = expectedWindow(emu, 0, 100);
    const r = await call(emu, `security/audit/login/filter?userId=${userId}&count=100`);
    const got: Array<{ id: number; userId: string }> = r.json.response;
    expect(got.every((e) => e.userId === userId)).toBe(true);
    const expected = all.filter((e) => e.userId === userId && must.has(e.id)).map((e) => e.id);
    for (const id of expected) expect(got.map((e) => e.id)).toContain(id);
    for (const e of got) expect(must.has(e.id) || may.has(e.id)).toBe(true);
    const everything = all.filter((e) => e.userId === userId).length;
    expect(got.length).toBeLessThan(everything);
    expect(r.json.count).toBe(got.length);
  });

  it('filters a later window by action and dates (inclusive) inside the window only', async () => {
    const all = emu.state.allEvents();
    const start = 200;
    const { must } = expectedWindow(emu, start, 100);
    const windowEvents = all.filter((e) => must.has(e.id));
    const from = windowEvents[windowEvents.length - 1].date;
    const to = windowEvents[0].date;
    const r = await call(
      emu,
      `security/audit/login/filter?startIndex=${start}&count=100&action=1013&from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`,
    );
    expect(r.status).toBe(200);
    const want = windowEvents.filter((e) => e.actionId === 1013).map((e) => e.id);
    const got: number[] = r.json.response.map((e: { id: number }) => e.id);
    for (const id of want) expect(got).toContain(id);
    expect(r.json.response.every((e: { actionId: number }) => e.actionId === 1013)).toBe(true);
    // A user filter that matches nothing in this window gives an empty page, not a 404.
    const none = await call(
      emu,
      `security/audit/login/filter?startIndex=${start}&count=1&userId=${GUEST_ID}&action=1029`,
    );
    expect(none.json.response).toEqual([]);
    expect(none.json.count).toBe(0);
  });

  it('accepts the action by name and GUIDs in other .NET forms', async () => {
    const byName = await call(emu, 'security/audit/login/filter?action=LoginFailViaApi&count=50');
    expect(byName.status).toBe(200);
    expect(byName.json.response.every((e: { actionId: number }) => e.actionId === 1013)).toBe(true);
    const n = await call(emu, `security/audit/login/filter?userId=${GUEST_ID.replaceAll('-', '')}&count=50`);
    expect(n.status).toBe(200);
    expect(n.json.response.every((e: { userId: string }) => e.userId === GUEST_ID)).toBe(true);
  });

  it.each([0, 101, -5])('rejects count=%s with the 400 validation envelope', async (count) => {
    const r = await call(emu, `security/audit/login/filter?count=${count}`);
    expect(r.status).toBe(400);
    expect(r.json).toEqual({
      response: {
        type: 'https://tools.ietf.org/html/rfc9110#section-15.5.1',
        title: 'One or more validation errors occurred.',
        status: 400,
        errors: { count: ['The field Count must be between 1 and 100.'] },
        traceId: expect.stringMatching(/^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/),
      },
      count: 1,
      links: [{ href: `${emu.url}/api/2.0/security/audit/login/filter?count=${count}`, action: 'GET' }],
      status: 1,
      statusCode: 400,
    });
  });

  it.each([
    ['no zone', 'from=2025-06-01T10:00:00'],
    ['six fractional digits', 'from=2025-06-01T10:00:00.123456Z'],
    ['date only', 'to=2025-06-01'],
    ['+ decoded as a space', 'from=2025-06-01T10:00:00+02:00'],
    ['garbage', 'to=yesterday'],
    ['bad GUID', 'userId=not-a-guid'],
    ['undefined action', 'action=1030'],
    ['unknown action name', 'action=LoginMaybe'],
    ['non-numeric count', 'count=ten'],
  ])('answers 400 for %s', async (_label, query) => {
    const r = await call(emu, `security/audit/login/filter?${query}`);
    expect(r.status).toBe(400);
    expect(r.json.status).toBe(1);
    expect(r.json.statusCode).toBe(400);
    expect(Object.keys(r.json.response.errors)).toHaveLength(1);
  });

  it.each([
    '2025-06-01T10:00:00Z',
    '2025-06-01T10:00:00.123Z',
    '2025-06-01T10:00:00.1234567Z',
    '2025-06-01T12:00:00%2B02:00',
    '2025-06-01T05:00:00.000-05:00',
  ])('accepts from=%s', async (from) => {
    const r = await call(emu, `security/audit/login/filter?from=${from}&count=10`);
    expect(r.status).toBe(200);
  });

  it('ignores a negative startIndex and defaults count to 100', async () => {
    const r = await call(emu, 'security/audit/login/filter?startIndex=-40');
    expect(r.status).toBe(200);
    expect(r.json.count).toBe(100);
    const { must } = expectedWindow(emu, 0, 100);
    const got = new Set(r.json.response.map((e: { id: number }) => e.id));
    for (const id of must) expect(got.has(id)).toBe(true);
  });

  it('pages the unfiltered list: every id once, except members of tie runs cut by a page edge', async () => {
    const ids = storedIds(emu);
    const store = emu.state.store;
    const seen = new Map<number, number>();
    const risky = new Set<number>();
    let previousOldest = Number.POSITIVE_INFINITY;
    for (let start = 0; start < ids.length; start += 100) {
      const r = await call(emu, `security/audit/login/filter?startIndex=${start}&count=100`);
      const page: Array<{ id: number; date: string }> = r.json.response;
      expect(page.length).toBe(Math.min(100, ids.length - start));
      const times = page.map((e) => parseApiDate(e.date)!.time);
      for (let i = 1; i < times.length; i++) expect(times[i]).toBeLessThanOrEqual(times[i - 1]);
      expect(times[0]).toBeLessThanOrEqual(previousOldest);
      previousOldest = times[times.length - 1];
      for (const e of page) seen.set(e.id, (seen.get(e.id) ?? 0) + 1);
      if (start > 0) {
        const [from, to] = store.tieRun(start);
        if (from < start) for (let p = from; p < to; p++) risky.add(ids[p]);
      }
    }
    const past = await call(emu, `security/audit/login/filter?startIndex=${ids.length}&count=100`);
    expect(past.json.response).toEqual([]);
    for (const id of ids) {
      if (!risky.has(id)) expect(seen.get(id)).toBe(1);
    }
    // The total read equals the history size.
    expect([...seen.values()].reduce((a, b) => a + b, 0)).toBe(ids.length);
  });
});

describe('ties', () => {
  it('returns a tie run in a different order on different requests', async () => {
    const store = emu.state.store;
    let run: [number, number] | undefined;
    for (let p = 0; p < store.size && !run; ) {
      const [from, to] = store.tieRun(p);
      if (to - from >= 4) run = [from, to];
      p = to;
    }
    expect(run).toBeDefined();
    const [from, to] = run!;
    const orders = new Set<string>();
    for (let i = 0; i < 8; i++) {
      const r = await call(emu, `security/audit/login/filter?startIndex=${from}&count=${to - from}`);
      orders.add(r.json.response.map((e: { id: number }) => e.id).join(','));
    }
    expect(orders.size).toBeGreaterThan(1);
  });

  it('lets a run cut by the window edge contribute a random subset of its members', async () => {
    const store = emu.state.store;
    let run: [number, number] | undefined;
    for (let p = 0; p < store.size && !run; ) {
      const [from, to] = store.tieRun(p);
      if (to - from >= 3) run = [from, to];
      p = to;
    }
    const [from, to] = run!;
    const ids = storedIds(emu);
    const members = new Set(ids.slice(from, to));
    // The window starts one past the run's first position, so it holds size-1 members of it.
    const subsets = new Set<string>();
    for (let i = 0; i < 12; i++) {
      const r = await call(emu, `security/audit/login/filter?startIndex=${from + 1}&count=${to - from - 1}`);
      const got: number[] = r.json.response.map((e: { id: number }) => e.id);
      expect(got.every((id) => members.has(id))).toBe(true);
      subsets.add([...got].sort((a, b) => a - b).join(','));
    }
    expect(subsets.size).toBeGreaterThan(1);
  });
});

describe('portal without the audit feature', () => {
  let plain: RunningEmulator;
  beforeAll(async () => {
    plain = await startEmulator({ seed: 7, events: 500, now: NOW, audit: false });
  });
  afterAll(async () => {
    await plain.close();
  });

  it('reports audit:false in portal/quota', async () => {
    const r = await call(plain, 'portal/quota');
    expect(r.json.response.audit).toBe(false);
    const paid = await call(emu, 'portal/quota');
    expect(paid.json.response.audit).toBe(true);
  });

  it('answers every filter with exactly what last answers (the 20 newest, limited text)', async () => {
    const { must, may } = expectedWindow(plain, 0, 20);
    const someone = plain.state.people[1].id;
    for (const q of [
      'count=5&startIndex=300',
      `userId=${someone}`,
      'action=1013&from=2020-01-01T00:00:00Z',
      '',
    ]) {
      const r = await call(plain, `security/audit/login/filter?${q}`);
      expect(r.status).toBe(200);
      expect(r.json.count).toBe(20);
      const got: number[] = r.json.response.map((e: { id: number }) => e.id);
      for (const id of must) expect(got).toContain(id);
      for (const id of got) expect(must.has(id) || may.has(id)).toBe(true);
    }
  });

  it('still validates the parameters first', async () => {
    const r = await call(plain, 'security/audit/login/filter?count=500');
    expect(r.status).toBe(400);
  });
});
