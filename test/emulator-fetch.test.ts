/**
 * The emulator as an in-memory app: `app.fetch(Request)` answers like the node:http listener,
 * with no socket at all.
 */
/* global Request */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmulatorApp, type EmulatorApp } from '../src/emulator/index.js';
import { APP_ORIGIN, ask, NOW } from './helpers/emulator-helpers.js';

let app: EmulatorApp;

beforeAll(() => {
  app = createEmulatorApp({ seed: 21, events: 300, now: NOW });
});
afterAll(() => {
  app.close();
});

describe('app.fetch', () => {
  it('serves login/last in the envelope, echoing the requested URL in links', async () => {
    const r = await ask(app, 'security/audit/login/last');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(r.headers.get('server-timing')).toMatch(/^aspnetcore-request-time;dur=\d+$/);
    expect(r.json.count).toBe(20);
    expect(r.json.links).toEqual([{ href: `${APP_ORIGIN}/api/2.0/security/audit/login/last`, action: 'GET' }]);
    const newest = app.state.allEvents(APP_ORIGIN).slice(0, 20).map((e) => e.id);
    expect(new Set(r.json.response.map((e: { id: number }) => e.id))).toEqual(new Set(newest));
  });

  it('answers without credentials with 401 and an empty body, and an unknown route with 404', async () => {
    const anonymous = await ask(app, 'security/audit/login/last', { key: null });
    expect(anonymous.status).toBe(401);
    expect(anonymous.text).toBe('');
    expect((await ask(app, 'security/audit/nothing')).status).toBe(404);
  });

  it('logs in from a JSON body, sets the session cookie, and counts the requests', async () => {
    app.state.resetStats();
    const r = await ask(app, 'authentication', {
      method: 'POST',
      key: null,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userName: app.state.user.email, password: app.state.user.password }),
    });
    expect(r.status).toBe(200);
    const token: string = r.json.response.token;
    expect(r.headers.get('set-cookie')).toMatch(new RegExp(`^asc_auth_key=${token};`));
    const me = await ask(app, 'people/@self', { headers: { authorization: token } });
    expect(me.json.response.id).toBe(app.state.people[0].id);
    expect(app.state.stats().byStatus).toEqual({ '200': 2 });
  });

  it('lets loopback callers (the default) use the control API, and nobody else', async () => {
    const stats = await ask(app, '/__emulator/info', { key: null });
    expect(stats.json.seed).toBe(21);
    const outside = await app.fetch(new Request(`${APP_ORIGIN}/__emulator/info`), { remoteAddress: '203.0.113.9' });
    expect(outside.status).toBe(404);
  });

  it('rejects like a network error when a fault drops the connection', async () => {
    const flaky = createEmulatorApp({ seed: 21, events: 20, now: NOW, failRate: 1 });
    try {
      const outcomes = new Set<string>();
      for (let i = 0; i < 16; i++) {
        try {
          outcomes.add(String((await ask(flaky, 'security/audit/login/last')).status));
        } catch (err) {
          expect(err).toBeInstanceOf(TypeError);
          outcomes.add('dropped');
        }
      }
      expect(outcomes).toEqual(new Set(['500', '502', '503', 'dropped']));
    } finally {
      flaky.close();
    }
  });
});

describe('start-up retention', () => {
  it('keeps every generated event however long generation took (history as long as the retention)', () => {
    // The clock reads ten minutes after the instant the history was generated for, as after a slow
    // generation of a large history: the start-up clean-up must still cut at that instant.
    const slow = createEmulatorApp({ seed: 21, events: 5000, days: 1, lifetimeDays: 1, now: NOW, clock: () => NOW + 10 * 60_000 });
    try {
      expect(slow.state.store.size).toBe(5000);
    } finally {
      slow.close();
    }
  });
});
