/**
 * The emulator behaving as the real server does where clients get it wrong: e-mail lookups,
 * member statuses and the people filter, bare 429s, e-mail-only password logins, cookie-only
 * logout, the exact `Bearer ` prefix, named validation fields, and (on request) impossible dates.
 * Driven through `app.fetch`, in memory.
 */
/* global ReadableStream, Request */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_SEED } from '../src/cli/context.js';
import { createEmulatorApp, type EmulatorApp } from '../src/emulator/index.js';
import { GUEST_ID } from '../src/model/ids.js';
import { parseApiDate } from '../src/model/time.js';
import { API_DATE, APP_ORIGIN, ask, NOW } from './helpers/emulator-helpers.js';

const USER_KEY = `sk-${'5'.repeat(64)}`;
const GUEST_KEY = `sk-${'6'.repeat(64)}`;
const ROOM_ADMIN_KEY = `sk-${'7'.repeat(64)}`;

let app: EmulatorApp;

beforeAll(() => {
  app = createEmulatorApp({
    seed: 9,
    users: 60,
    events: 1500,
    now: NOW,
    extraKeys: [
      { key: USER_KEY, role: 'user' },
      { key: GUEST_KEY, role: 'guest' },
      { key: ROOM_ADMIN_KEY, role: 'roomAdmin' },
    ],
  });
});
afterAll(() => {
  app.close();
});

const json = (body: unknown): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

const login = (userName: string, password: string) =>
  ask(app, 'authentication', { ...json({ userName, password }), key: null });

const newest = async () => (await ask(app, 'security/audit/login/last')).json.response as Array<Record<string, unknown>>;

describe('people by e-mail', () => {
  it('resolves an e-mail with people/email, disabled members too, and 404s an unknown one', async () => {
    const member = app.state.people.find((p) => p.role === 'user' && p.status === 1)!;
    const r = await ask(app, `people/email?email=${encodeURIComponent(member.email.toUpperCase())}`);
    expect(r.status).toBe(200);
    expect(r.json.response).toMatchObject({ id: member.id, email: member.email, userName: member.userName });
    const disabled = app.state.people.find((p) => p.status === 2 && !p.deleted)!;
    const gone = await ask(app, `people/email?email=${encodeURIComponent(disabled.email)}`);
    expect(gone.json.response).toMatchObject({ id: disabled.id, status: 2, terminated: expect.stringMatching(API_DATE) });
    const unknown = await ask(app, 'people/email?email=nobody%40example.test');
    expect(unknown.status).toBe(404);
    expect(unknown.json.error.message).toBe('The user could not be found');
  });

  it('matches people/{x} by user name or GUID only: an e-mail is a 404', async () => {
    const member = app.state.people.find((p) => p.role === 'roomAdmin' && p.status === 1)!;
    expect((await ask(app, `people/${member.userName}`)).json.response.id).toBe(member.id);
    expect((await ask(app, `people/${member.id.toUpperCase()}`)).json.response.id).toBe(member.id);
    expect((await ask(app, `people/${encodeURIComponent(member.email)}`)).status).toBe(404);
  });
});

describe('member statuses and the people filter', () => {
  const everyone = () => app.state.people.filter((p) => !p.deleted);
  const ids = (r: { json: { response: Array<{ id: string }> } }) => r.json.response.map((p) => p.id).sort();

  it('renders status, type flags, registration and terminated as the employee DTO does', async () => {
    const r = await ask(app, 'people/filter?count=100');
    const byId = new Map(everyone().map((p) => [p.id, p]));
    for (const dto of r.json.response) {
      const p = byId.get(dto.id)!;
      expect(dto).toMatchObject({
        displayName: p.displayName,
        userName: p.userName,
        email: p.email,
        status: p.status,
        activationStatus: p.activationStatus,
        isOwner: p.role === 'owner',
        isAdmin: p.role === 'admin',
        isRoomAdmin: p.role === 'roomAdmin',
        isCollaborator: p.role === 'user',
        isVisitor: p.role === 'guest',
        registrationDate: expect.stringMatching(API_DATE),
      });
      expect('terminated' in dto).toBe(p.status === 2);
    }
  });

  it('leaves invited members (status 4) out of people, and gives an admin everyone in people/filter', async () => {
    const invited = everyone().filter((p) => p.status === 4);
    expect(invited.length).toBeGreaterThan(0);
    const list = await ask(app, 'people?count=100');
    expect(ids(list)).toEqual(everyone().filter((p) => p.status === 1).map((p) => p.id).sort());
    const all = await ask(app, 'people/filter?count=100');
    expect(all.json.total).toBe(everyone().length);
    expect(ids(all)).toEqual(everyone().map((p) => p.id).sort());
  });

  it.each([
    ['employeeStatus=4', (p: { status: number }) => p.status === 4],
    ['employeeStatus=2', (p: { status: number }) => p.status === 2],
    ['employeeStatus=5', (p: { status: number }) => p.status === 1],
    ['activationStatus=2', (p: { activationStatus: number }) => p.activationStatus === 2],
    ['employeeTypes=2&employeeTypes=4', (p: { role: string }) => p.role === 'guest' || p.role === 'user'],
    ['employeeType=3', (p: { role: string }) => p.role === 'admin' || p.role === 'owner'],
  ])('honours %s', async (query, keep) => {
    const r = await ask(app, `people/filter?${query}&count=100`);
    const want = everyone().filter(keep as (p: unknown) => boolean);
    expect(want.length).toBeGreaterThan(0);
    expect(ids(r)).toEqual(want.map((p) => p.id).sort());
    expect(r.json.total).toBe(want.length);
  });

  it('pages the filter with count and startIndex, total staying the whole match', async () => {
    const seen: string[] = [];
    for (let start = 0; start < 80; start += 7) {
      const r = await ask(app, `people/filter?count=7&startIndex=${start}`);
      expect(r.json.total).toBe(everyone().length);
      expect(r.json.count).toBe(r.json.response.length);
      seen.push(...r.json.response.map((p: { id: string }) => p.id));
    }
    expect(seen.sort()).toEqual(everyone().map((p) => p.id).sort());
  });

  it('answers 403 to members of type User or Guest on every people list, not to room admins', async () => {
    for (const key of [USER_KEY, GUEST_KEY]) {
      for (const path of ['people', 'people/filter', 'people/filter?employeeStatus=1']) {
        const r = await ask(app, path, { key });
        expect(r.status, path).toBe(403);
        expect(r.json.error.message).toBe('Access denied');
      }
    }
    expect((await ask(app, 'people/filter', { key: ROOM_ADMIN_KEY })).status).toBe(200);
  });

  it('generates some disabled and some invited members on the demo portal', () => {
    const demo = createEmulatorApp({ seed: DEMO_SEED, events: 10, now: NOW });
    try {
      const members = demo.state.people.filter((p) => !p.deleted);
      expect(members.filter((p) => p.status === 2).length).toBeGreaterThan(0);
      expect(members.filter((p) => p.status === 4 && p.activationStatus === 2).length).toBeGreaterThan(0);
    } finally {
      demo.close();
    }
  });
});

describe('rate limiting as the server sends it', () => {
  it('rejects past the per-minute window with 429, an empty body, and only X-RateLimit-Limit/Remaining', async () => {
    const limited = createEmulatorApp({ seed: 9, events: 30, now: NOW, rateLimit: { perMinute: 2 } });
    try {
      for (let i = 0; i < 2; i++) {
        const ok = await ask(limited, 'portal/quota');
        expect(ok.status).toBe(200);
        expect([...ok.headers.keys()].filter((h) => h.startsWith('x-ratelimit') || h === 'retry-after')).toEqual([]);
      }
      const r = await ask(limited, 'portal/quota');
      expect(r.status).toBe(429);
      expect(r.text).toBe('');
      expect(r.headers.get('x-ratelimit-limit')).toBe('2');
      expect(r.headers.get('x-ratelimit-remaining')).toBe('0');
      expect(r.headers.get('retry-after')).toBeNull();
      expect(r.headers.get('x-ratelimit-reset')).toBeNull();
    } finally {
      limited.close();
    }
  });

  it('rejects a request over the concurrency limit while another is in flight, the same way', async () => {
    const limited = createEmulatorApp({
      seed: 9,
      events: 30,
      now: NOW,
      rateLimit: { perMinute: 100, concurrentOther: 1 },
    });
    try {
      // A login whose body is still arriving holds the one non-GET slot.
      let reading!: () => void;
      const bodyRequested = new Promise<void>((resolve) => (reading = resolve));
      let finish!: (text: string) => void;
      const body = new ReadableStream<Uint8Array>({
        pull: (controller) => {
          reading();
          return new Promise<void>((resolve) => {
            finish = (text) => {
              controller.enqueue(new TextEncoder().encode(text));
              controller.close();
              resolve();
            };
          });
        },
      });
      const slow = limited.fetch(
        new Request(`${APP_ORIGIN}/api/2.0/authentication`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
          duplex: 'half',
        } as RequestInit),
      );
      await bodyRequested;
      const credentials = { userName: limited.state.user.email, password: limited.state.user.password };
      const second = await ask(limited, 'authentication', { ...json(credentials), key: null });
      expect(second.status).toBe(429);
      expect(second.text).toBe('');
      expect(second.headers.get('x-ratelimit-limit')).toBe('1');
      expect(second.headers.get('x-ratelimit-remaining')).toBe('0');
      expect(second.headers.get('retry-after')).toBeNull();
      // GETs have their own limiter.
      expect((await ask(limited, 'portal/quota')).status).toBe(200);
      finish(JSON.stringify(credentials));
      expect((await slow).status).toBe(200);
      expect((await ask(limited, 'authentication', { ...json(credentials), key: null })).status).toBe(200);
    } finally {
      limited.close();
    }
  });
});

describe('password login', () => {
  it('takes the e-mail or the GUID', async () => {
    const owner = app.state.people[0];
    expect((await login(app.state.user.email, app.state.user.password)).status).toBe(200);
    expect((await login(owner.id, app.state.user.password)).status).toBe(200);
  });

  it('refuses a user name with 401 and writes the failure with the Guest id and the typed login', async () => {
    const owner = app.state.people[0];
    const r = await login(owner.userName, app.state.user.password);
    expect(r.status).toBe(401);
    expect(r.json.error.message).toBe('User authentication failed');
    const failure = (await newest()).find((e) => e.actionId === 1013 && e.login === owner.userName);
    expect(failure).toMatchObject({ userId: GUEST_ID, user: owner.userName, action: 'Failed Login via API' });
  });
});

describe('logout', () => {
  it('does not end a session whose token came only in Authorization, but still writes 1006', async () => {
    const member = app.state.people.find((p) => p.role === 'admin' && p.status === 1 && !p.tfaAppEnabled)!;
    const token: string = (await login(member.email, member.password)).json.response.token;
    const out = await ask(app, 'authentication/logout', { method: 'POST', headers: { authorization: token } });
    expect(out.status).toBe(200);
    expect((await newest()).some((e) => e.actionId === 1006 && e.userId === member.id)).toBe(true);
    expect((await ask(app, 'people/@self', { headers: { authorization: token } })).status).toBe(200);
    // The same token as the asc_auth_key cookie names the session, which then ends.
    await ask(app, 'authentication/logout', { method: 'POST', key: null, headers: { cookie: `asc_auth_key=${token}` } });
    expect((await ask(app, 'people/@self', { headers: { authorization: token } })).status).toBe(401);
  });
});

describe('the Bearer prefix', () => {
  it.each([
    ['bearer in lower case', (k: string) => `bearer ${k}`],
    ['BEARER in upper case', (k: string) => `BEARER ${k}`],
    ['two spaces', (k: string) => `Bearer  ${k}`],
    ['a tab', (k: string) => `Bearer\t${k}`],
    ['no prefix', (k: string) => k],
  ])('answers 401 with an empty body for %s', async (_label, header) => {
    const r = await ask(app, 'security/audit/login/last', { headers: { authorization: header(app.state.apiKey) } });
    expect(r.status).toBe(401);
    expect(r.text).toBe('');
  });

  it('accepts exactly "Bearer " and the key', async () => {
    const r = await ask(app, 'security/audit/login/last', { headers: { authorization: `Bearer ${app.state.apiKey}` } });
    expect(r.status).toBe(200);
  });
});

describe('validation messages', () => {
  it.each([
    ['security/audit/login/filter?startIndex=abc', 'startIndex', "The value 'abc' is not valid for StartIndex."],
    ['security/audit/login/filter?userId=nope', 'userId', "The value 'nope' is not valid for UserId."],
    ['security/audit/login/filter?from=yesterday', 'from', "The value 'yesterday' is not valid for From."],
    ['people/filter?employeeStatus=3', 'employeeStatus', "The value '3' is not valid for EmployeeStatus."],
    ['people/filter?activationStatus=9', 'activationStatus', "The value '9' is not valid for ActivationStatus."],
    ['people/filter?employeeTypes=7', 'employeeTypes', "The value '7' is not valid for EmployeeTypes."],
  ])('%s names the field', async (path, key, message) => {
    const r = await ask(app, path);
    expect(r.status).toBe(400);
    expect(r.json.response.errors).toEqual({ [key]: [message] });
  });
});

describe('impossible dates, on request', () => {
  it('serves none by default', async () => {
    for (const e of app.state.allEvents()) {
      const at = parseApiDate(e.date);
      expect(at, e.date).toBeDefined();
      expect(at!.time).toBeLessThanOrEqual(app.state.now());
      expect(e.date.startsWith('0001') || e.date.startsWith('9999')).toBe(false);
    }
  });

  it('serves a future date, year 0001, year 9999 and offset +99:99 when the options ask', async () => {
    const odd = createEmulatorApp({
      seed: 9,
      events: 100,
      now: NOW,
      oddDates: [{ kind: 'future', hours: 6 }, { kind: 'year-0001' }, { kind: 'year-9999' }, { kind: 'bad-offset' }],
    });
    try {
      const dates: string[] = (await ask(odd, 'security/audit/login/last')).json.response
        .slice(0, 4)
        .map((e: { date: string }) => e.date);
      const future = dates
        .map((d) => parseApiDate(d))
        .find((at) => at && at.time > NOW + 3_600_000 && at.time < NOW + 86_400_000);
      expect(future!.time - NOW).toBeGreaterThanOrEqual(6 * 3_600_000);
      expect(future!.time - NOW).toBeLessThan(6 * 3_600_000 + 60_000);
      expect(dates).toContain('0001-01-01T00:00:00.0000000Z');
      expect(dates).toContain('9999-12-31T23:59:59.9999999Z');
      expect(dates.some((d) => /^2025-07-01T\d{2}:\d{2}:\d{2}\.\d{7}\+99:99$/.test(d))).toBe(true);
    } finally {
      odd.close();
    }
  });

  it('appends one through the control API', async () => {
    const r = await ask(app, '/__emulator/odd-date?kind=year-9999', { method: 'POST', key: null });
    expect(r.json.date).toBe('9999-12-31T23:59:59.9999999Z');
    const served = (await newest()).find((e) => e.id === r.json.id);
    expect(served?.date).toBe('9999-12-31T23:59:59.9999999Z');
    expect((await ask(app, '/__emulator/odd-date?kind=tomorrow', { method: 'POST', key: null })).status).toBe(400);
  });
});
