/**
 * Authentication, authorisation and failure modes of the emulator: empty-body 401/402/403/429,
 * JSON error envelopes, login events written by POST /authentication, rate limits, injected
 * faults and latency.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type RunningEmulator, startEmulator } from '../src/emulator/index.js';
import { GUEST_ID } from '../src/model/ids.js';
import { call, NOW } from './helpers/emulator-helpers.js';

const USER_KEY = `sk-${'1'.repeat(64)}`;
const NOSCOPE_KEY = `sk-${'2'.repeat(64)}`;
const EXPIRED_KEY = `sk-${'3'.repeat(64)}`;
const ROOM_ADMIN_KEY = `sk-${'4'.repeat(64)}`;
const CHROME_UA =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Safari/537.36';

let emu: RunningEmulator;

beforeAll(async () => {
  emu = await startEmulator({
    seed: 3,
    events: 400,
    now: NOW,
    extraKeys: [
      { key: USER_KEY, role: 'user' },
      { key: NOSCOPE_KEY, role: 'noscope' },
      { key: EXPIRED_KEY, role: 'expired' },
      { key: ROOM_ADMIN_KEY, role: 'roomAdmin' },
    ],
  });
});
afterAll(async () => {
  await emu.close();
});

async function newest(e: RunningEmulator) {
  const r = await call(e, 'security/audit/login/last');
  return r.json.response as Array<Record<string, unknown>>;
}

describe('401 with an empty body', () => {
  it.each([
    ['no Authorization header', null, undefined],
    ['a wrong key', `sk-${'9'.repeat(64)}`, undefined],
    ['the key without Bearer', undefined, 'raw'],
    ['an expired key', EXPIRED_KEY, undefined],
    ['an unknown session token', undefined, 'token'],
  ])('for %s', async (_label, key, mode) => {
    const headers: Record<string, string> = {};
    if (mode === 'raw') headers.authorization = emu.apiKey;
    if (mode === 'token') headers.authorization = 'Bearer not-a-real-session-token';
    const r = await call(emu, 'security/audit/login/last', {
      key: key as string | null | undefined,
      headers,
    });
    expect(r.status).toBe(401);
    expect(r.text).toBe('');
  });
});

describe('403', () => {
  it('answers a non-admin key with the JSON error envelope "Access denied" and a .NET stack', async () => {
    const r = await call(emu, 'security/audit/login/filter', { key: USER_KEY });
    expect(r.status).toBe(403);
    expect(r.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(r.json.status).toBe(1);
    expect(r.json.statusCode).toBe(403);
    expect(r.json.error.message).toBe('Access denied');
    expect(r.json.error.type).toBe('ASC.Common.Security.Authorizing.AuthorizingException');
    expect(r.json.error.stack).toMatch(/^ {3}at ASC\./);
    expect(typeof r.json.error.hresult).toBe('number');
  });

  it('still lets a non-admin key of a room admin read people', async () => {
    expect((await call(emu, 'security/audit/login/last', { key: ROOM_ADMIN_KEY })).status).toBe(403);
    const r = await call(emu, 'people?count=5', { key: ROOM_ADMIN_KEY });
    expect(r.status).toBe(200);
  });

  it('answers a key without the needed scope with an empty body', async () => {
    const r = await call(emu, 'security/audit/login/last', { key: NOSCOPE_KEY });
    expect(r.status).toBe(403);
    expect(r.text).toBe('');
  });
});

describe('unpaid portal', () => {
  it('answers 402 with an empty body, but lets authentication through', async () => {
    const unpaid = await startEmulator({ seed: 3, events: 50, now: NOW, unpaid: true });
    try {
      for (const path of ['security/audit/login/last', 'people', 'portal/quota']) {
        const r = await call(unpaid, path);
        expect(r.status).toBe(402);
        expect(r.text).toBe('');
      }
      const anonymous = await call(unpaid, 'security/audit/login/last', { key: null });
      expect(anonymous.status).toBe(401);
      const auth = await call(unpaid, 'authentication', {
        method: 'POST',
        key: null,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ userName: unpaid.user.email, password: unpaid.user.password }),
      });
      expect(auth.status).toBe(200);
    } finally {
      await unpaid.close();
    }
  });
});

describe('POST /authentication', () => {
  it('returns a token that works raw and as Bearer, and writes a 1010 event for the user', async () => {
    const r = await call(emu, 'authentication', {
      method: 'POST',
      key: null,
      headers: { 'content-type': 'application/json', 'user-agent': CHROME_UA },
      body: JSON.stringify({ userName: emu.user.email, password: emu.user.password }),
    });
    expect(r.status).toBe(200);
    expect(r.json.response).toEqual({
      token: expect.any(String),
      expires: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{7}Z$/),
      sms: false,
      tfa: false,
    });
    const token: string = r.json.response.token;
    const owner = emu.state.people[0];
    const events = await newest(emu);
    const login = events.find((e) => e.actionId === 1010 && e.userId === owner.id);
    expect(login).toMatchObject({
      user: owner.displayName,
      userId: owner.id,
      action: 'Successful Login via API',
      ip: '127.0.0.1',
      browser: 'Chrome 125',
      platform: 'Windows 10',
      page: `${emu.url}/api/2.0/authentication`,
    });
    expect(login).not.toHaveProperty('login');
    for (const authorization of [token, `Bearer ${token}`]) {
      const me = await call(emu, 'people/@self', { headers: { authorization } });
      expect(me.status).toBe(200);
      expect(me.json.response.id).toBe(owner.id);
    }
    // The session shows up in active connections as the current one.
    const conn = await call(emu, 'security/activeconnections', { headers: { authorization: token } });
    expect(conn.json.response.loginEvent).toBe(login!.id);
    expect(conn.json.response.items[0].id).toBe(login!.id);

    // Logout writes 1006 with the display name as login; the session ends only when the token
    // comes as the asc_auth_key cookie.
    const out = await call(emu, 'authentication/logout', {
      method: 'POST',
      headers: { cookie: `asc_auth_key=${token}` },
    });
    expect(out.status).toBe(200);
    expect(out.json).not.toHaveProperty('response');
    const logout = (await newest(emu)).find((e) => e.actionId === 1006 && e.userId === owner.id);
    expect(logout).toMatchObject({ login: owner.displayName, action: 'Logout' });
    const after = await call(emu, 'people/@self', { headers: { authorization: token } });
    expect(after.status).toBe(401);
  });

  it('answers a wrong password with 401 "User authentication failed" and writes 1013 with the Guest id', async () => {
    const typed = 'someone@example.test';
    const r = await call(emu, 'authentication', {
      method: 'POST',
      key: null,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userName: typed, password: 'nope' }),
    });
    expect(r.status).toBe(401);
    expect(r.json).toEqual({
      error: { message: 'User authentication failed', type: null, stack: null, hresult: 0 },
      status: 1,
      statusCode: 401,
    });
    const failure = (await newest(emu)).find((e) => e.actionId === 1013 && e.login === typed);
    expect(failure).toMatchObject({
      userId: GUEST_ID,
      user: typed,
      login: typed,
      action: 'Failed Login via API',
    });
    // Fetch's default UA is parsed too; no UA at all would omit browser/platform.
    expect(typeof failure!.browser).toBe('string');
  });

  it('writes 1029 for a passwordHash login and asks for the second factor of a 2FA member without an event', async () => {
    const { createHash } = await import('node:crypto');
    const plain = emu.state.people.find((p) => p.status === 1 && !p.tfaAppEnabled && p.role === 'user')!;
    const hashed = await call(emu, 'authentication', {
      method: 'POST',
      key: null,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        userName: plain.email,
        passwordHash: createHash('sha256').update(plain.password).digest('hex'),
      }),
    });
    expect(hashed.status).toBe(200);
    expect((await newest(emu)).some((e) => e.actionId === 1029 && e.userId === plain.id)).toBe(true);

    const tfa = emu.state.people.find((p) => p.status === 1 && p.tfaAppEnabled)!;
    const before = emu.state.store.size;
    const r = await call(emu, 'authentication', {
      method: 'POST',
      key: null,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userName: tfa.email, password: tfa.password }),
    });
    expect(r.status).toBe(200);
    expect(r.json.response).toMatchObject({ sms: false, tfa: true, confirmUrl: expect.any(String) });
    expect(r.json.response).not.toHaveProperty('token');
    expect(emu.state.store.size).toBe(before);
  });

  it('accepts Basic credentials on every request without writing login events', async () => {
    const before = emu.state.store.size;
    const basic = Buffer.from(`${emu.user.email}:${emu.user.password}`).toString('base64');
    const r = await call(emu, 'security/audit/login/last', { headers: { authorization: `Basic ${basic}` } });
    expect(r.status).toBe(200);
    expect(emu.state.store.size).toBe(before);
    const wrong = Buffer.from(`${emu.user.email}:nope`).toString('base64');
    expect((await call(emu, 'people', { headers: { authorization: `Basic ${wrong}` } })).status).toBe(401);
  });

  it('locks a login out after repeated failures with 403 and a 1023 event', async () => {
    const typed = 'victim@example.test';
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) {
      const r = await call(emu, 'authentication', {
        method: 'POST',
        key: null,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ userName: typed, password: `guess-${i}` }),
      });
      statuses.push(r.status);
    }
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses.slice(5)).toEqual([403, 403]);
    const events = await newest(emu);
    expect(events.filter((e) => e.login === typed && e.actionId === 1023)).toHaveLength(2);
  });
});

describe('rate limiting', () => {
  it('rejects with 429, an empty body and Retry-After only on the rejection', async () => {
    const limited = await startEmulator({
      seed: 3,
      events: 50,
      now: NOW,
      rateLimit: { perMinute: 3, headers: 'retry-after' },
    });
    try {
      for (let i = 0; i < 3; i++) {
        const ok = await call(limited, 'security/audit/login/last');
        expect(ok.status).toBe(200);
        expect(ok.headers.get('retry-after')).toBeNull();
        expect(ok.headers.get('x-ratelimit-limit')).toBeNull();
      }
      const r = await call(limited, 'security/audit/login/last');
      expect(r.status).toBe(429);
      expect(r.text).toBe('');
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(Number(r.headers.get('retry-after'))).toBeLessThanOrEqual(60);
      expect(r.headers.get('x-ratelimit-limit')).toBe('3');
      expect(r.headers.get('x-ratelimit-remaining')).toBe('0');
      expect(r.headers.get('x-ratelimit-reset')).toBeNull();
    } finally {
      await limited.close();
    }
  });

  it('can send X-RateLimit-Reset instead, or no headers at all', async () => {
    for (const headers of ['reset', 'none'] as const) {
      const limited = await startEmulator({
        seed: 3,
        events: 50,
        now: NOW,
        rateLimit: { perMinute: 1, headers },
      });
      try {
        expect((await call(limited, 'portal/quota')).status).toBe(200);
        const r = await call(limited, 'portal/quota');
        expect(r.status).toBe(429);
        expect(r.text).toBe('');
        expect(r.headers.get('retry-after')).toBeNull();
        if (headers === 'reset') {
          const reset = Number(r.headers.get('x-ratelimit-reset'));
          expect(reset).toBeGreaterThan(Date.now() / 1000);
          expect(reset).toBeLessThanOrEqual(Date.now() / 1000 + 61);
        } else {
          expect(r.headers.get('x-ratelimit-reset')).toBeNull();
          expect(r.headers.get('x-ratelimit-limit')).toBeNull();
        }
      } finally {
        await limited.close();
      }
    }
  });
});

describe('faults and latency', () => {
  it('with failRate 1 fails every request with 500 JSON, 502/503 empty or a dropped connection', async () => {
    const flaky = await startEmulator({ seed: 3, events: 50, now: NOW, failRate: 1 });
    try {
      const kinds = new Set<string>();
      for (let i = 0; i < 24; i++) {
        try {
          const r = await call(flaky, 'security/audit/login/last', { headers: { connection: 'close' } });
          kinds.add(String(r.status));
          if (r.status === 500) {
            expect(r.json.status).toBe(1);
            expect(r.json.statusCode).toBe(500);
            expect(r.json.error.stack).toMatch(/ {3}at /);
          } else {
            expect([502, 503]).toContain(r.status);
            expect(r.text).toBe('');
          }
        } catch {
          kinds.add('dropped');
        }
      }
      expect(kinds.size).toBeGreaterThanOrEqual(3);
      expect([...kinds].every((k) => ['500', '502', '503', 'dropped'].includes(k))).toBe(true);
    } finally {
      await flaky.close();
    }
  });

  it('delays each response by latencyMs without blocking other requests', async () => {
    // The emulator's sleep is injected: five requests are all waiting at once (none holds up
    // another) and none is answered until its wait ends, without measuring wall time.
    const waits: Array<{ ms: number; release: () => void }> = [];
    const slow = await startEmulator({
      seed: 3,
      events: 50,
      now: NOW,
      latencyMs: 150,
      sleep: (ms) => new Promise<void>((release) => waits.push({ ms, release })),
    });
    try {
      let answered = 0;
      const replies = Promise.all(
        Array.from({ length: 5 }, () => call(slow, 'security/audit/login/last').finally(() => answered++)),
      );
      await vi.waitFor(() => expect(waits).toHaveLength(5), { timeout: 10_000, interval: 5 });
      expect(waits.map((w) => w.ms)).toEqual([150, 150, 150, 150, 150]);
      expect(answered).toBe(0);
      for (const w of waits) w.release();
      expect((await replies).every((r) => r.status === 200)).toBe(true);
    } finally {
      await slow.close();
    }
  });

  it('waits at least latencyMs by default (a lower bound only: a loaded machine may take longer)', async () => {
    const slow = await startEmulator({ seed: 3, events: 50, now: NOW, latencyMs: 150 });
    try {
      const t0 = performance.now();
      const reply = await call(slow, 'security/audit/login/last');
      expect(reply.status).toBe(200);
      expect(performance.now() - t0).toBeGreaterThanOrEqual(145);
    } finally {
      await slow.close();
    }
  });
});

describe('control API', () => {
  it('counts requests by path and resets the counters', async () => {
    await fetch(`${emu.url}/__emulator/reset-stats`, { method: 'POST' });
    await call(emu, 'security/audit/login/last');
    await call(emu, 'security/audit/login/filter?count=3');
    await call(emu, 'security/audit/login/filter?count=4');
    const stats = (await call(emu, '/__emulator/stats', { key: null })).json;
    expect(stats.requests).toBe(3);
    expect(stats.byPath).toEqual({
      '/api/2.0/security/audit/login/last': 1,
      '/api/2.0/security/audit/login/filter': 2,
    });
    expect(stats.events).toBe(emu.state.store.size);
    expect(emu.state.stats().requests).toBe(3);
  });

  it('appends events at the head on POST /__emulator/events', async () => {
    const before = emu.state.store.size;
    const r = (await call(emu, '/__emulator/events?count=5', { method: 'POST', key: null })).json;
    expect(r.appended).toBe(5);
    expect(emu.state.store.size).toBe(before + 5);
    const got = (await newest(emu)).map((e) => e.id);
    for (const id of r.ids) expect(got).toContain(id);
  });
});
