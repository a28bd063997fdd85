/**
 * The containment levers of the emulated portal, as the server behaves: sessions that are
 * login-event ids and die when logged out, logging a member out everywhere, disabling members,
 * the IP allow-list, login settings, API keys with scopes and `lastUsed`, and the audit trail
 * that records each change with the acting user.
 */
/* global Request */
import { afterEach, describe, expect, it } from 'vitest';
import { createEmulatorApp, type EmulatorApp } from '../src/emulator/index.js';
import { APP_ORIGIN, ask, NOW, type Reply } from './helpers/emulator-helpers.js';

const ADMIN_KEY = `sk-${'a'.repeat(64)}`;
const USER_KEY = `sk-${'b'.repeat(64)}`;
const READ_KEY = `sk-${'c'.repeat(64)}`;
const WRITE_KEY = `sk-${'d'.repeat(64)}`;

let apps: EmulatorApp[] = [];
afterEach(() => {
  for (const a of apps) a.close();
  apps = [];
});

function portal() {
  let now = NOW;
  const app = createEmulatorApp({
    seed: 3,
    events: 200,
    now: NOW,
    clock: () => now,
    extraKeys: [
      { key: ADMIN_KEY, role: 'admin' },
      { key: USER_KEY, role: 'user' },
      { key: READ_KEY, role: 'admin', permissions: ['*:read'] },
      { key: WRITE_KEY, role: 'admin', permissions: ['*:write'] },
    ],
  });
  apps.push(app);
  return { app, advance: (ms: number) => (now += ms) };
}

/** A plain member who logs in without a second factor. */
function member(app: EmulatorApp) {
  return app.state.people.find((p) => p.status === 1 && p.role === 'user' && !p.tfaAppEnabled)!;
}

async function signIn(app: EmulatorApp, email: string, password: string, ip = '127.0.0.1') {
  const r = await ask(app, 'authentication', {
    method: 'POST',
    key: null,
    headers: { 'content-type': 'application/json', 'x-forwarded-for': ip },
    body: JSON.stringify({ userName: email, password }),
  });
  return { r, token: r.json?.response?.token as string, eventId: app.state.allEvents()[0].id };
}

const as = (token: string) => ({ key: null, headers: { authorization: token } });
const put = (body?: unknown, key?: string) => ({
  method: 'PUT',
  key,
  headers: { 'content-type': 'application/json' },
  body: body === undefined ? undefined : JSON.stringify(body),
});

async function audit(app: EmulatorApp, query = ''): Promise<Array<Record<string, unknown>>> {
  return (await ask(app, `security/audit/events/filter${query}`)).json.response;
}

describe('sessions are login events', () => {
  it('lists the caller’s session by its login-event id, and an admin can end it: the token then gets 401', async () => {
    const { app } = portal();
    const m = member(app);
    const { token, eventId } = await signIn(app, m.email, m.password);
    const mine = await ask(app, 'security/activeconnections', as(token));
    expect(mine.json.response.loginEvent).toBe(eventId);
    expect(mine.json.response.items[0]).toMatchObject({ id: eventId, userId: m.id });

    const out = await ask(app, `security/activeconnections/logout/${eventId}`, put(undefined, ADMIN_KEY));
    expect(out.json.response).toBe(true);
    expect((await ask(app, 'people/@self', as(token))).status).toBe(401);
    expect((await ask(app, `security/activeconnections/logout/${eventId}`, put())).json.response).toBe(false);

    const [entry] = await audit(app, '?action=4035');
    const admin = app.state.keys.find(ADMIN_KEY)!.person;
    expect(entry).toMatchObject({ actionId: 4035, userId: admin.id, user: admin.displayName, target: [String(eventId)] });
  });

  it('refuses a member ending someone else’s session with 403 "Access denied"', async () => {
    const { app } = portal();
    const { email, password } = app.state.user;
    const { eventId } = await signIn(app, email, password);
    const r = await ask(app, `security/activeconnections/logout/${eventId}`, put(undefined, USER_KEY));
    expect(r.status).toBe(403);
    expect(r.json.error.message).toBe('Access denied');
  });

  it('logs a member out everywhere: every token dies, no response, audit 4036', async () => {
    const { app } = portal();
    const m = member(app);
    const one = await signIn(app, m.email, m.password, '203.0.113.1');
    const two = await signIn(app, m.email, m.password, '203.0.113.2');
    const r = await ask(app, `security/activeconnections/logoutall/${m.id}`, put());
    expect(r.status).toBe(200);
    expect(r.json).not.toHaveProperty('response');
    expect(r.json.count).toBe(0);
    for (const t of [one.token, two.token]) expect((await ask(app, 'people/@self', as(t))).status).toBe(401);
    expect((await audit(app, '?action=4036'))[0]).toMatchObject({ target: [m.id] });
    // Their history keeps the sessions, now inactive: a fresh login works again.
    expect((await signIn(app, m.email, m.password)).r.status).toBe(200);
  });
});

describe('people/status', () => {
  it('disables a member: sessions and credentials stop working, then re-enables them', async () => {
    const { app } = portal();
    const m = member(app);
    const { token } = await signIn(app, m.email, m.password);
    const r = await ask(app, 'people/status/2', put({ userIds: [m.id] }));
    expect(r.json.response[0]).toMatchObject({ id: m.id, status: 2, terminated: expect.any(String) });
    expect((await ask(app, 'people/@self', as(token))).status).toBe(401);
    const before = app.state.store.size;
    const again = await signIn(app, m.email, m.password);
    expect(again.r.status).toBe(403);
    expect(app.state.store.size).toBe(before);
    expect((await ask(app, 'people?count=100')).json.response.some((p: { id: string }) => p.id === m.id)).toBe(false);
    expect((await audit(app, '?action=4020'))[0]).toMatchObject({ target: [m.id] });

    await ask(app, 'people/status/1', put({ userIds: [m.id] }));
    expect((await signIn(app, m.email, m.password)).r.status).toBe(200);
  });

  it('leaves the owner as they are and refuses members without admin rights', async () => {
    const { app } = portal();
    const owner = app.state.people[0];
    const r = await ask(app, 'people/status/2', put({ userIds: [owner.id] }, ADMIN_KEY));
    expect(r.json.response[0].status).toBe(1);
    expect((await ask(app, 'people/status/2', put({ userIds: [owner.id] }, USER_KEY))).status).toBe(403);
  });
});

describe('IP restrictions', () => {
  async function from(app: EmulatorApp, ip: string, key: string): Promise<Reply> {
    const req = new Request(`${APP_ORIGIN}/api/2.0/people/@self`, {
      headers: { authorization: `Bearer ${key}`, 'x-forwarded-for': ip },
    });
    const res = await app.fetch(req);
    return { status: res.status, headers: res.headers, text: await res.text(), json: undefined };
  }

  it('saves single addresses only, then refuses callers elsewhere with 403 text/plain, except the owner', async () => {
    const { app } = portal();
    const cidr = await ask(app, 'settings/iprestrictions', put({ ipRestrictions: [{ ip: '203.0.113.0/24' }], enable: true }));
    expect(cidr.status).toBe(400);
    const ok = await ask(
      app,
      'settings/iprestrictions',
      put({ ipRestrictions: [{ ip: '203.0.113.5', forAdmin: false }], enable: true }),
    );
    expect(ok.json.response).toEqual([{ id: expect.any(Number), tenantId: 1, ip: '203.0.113.5', forAdmin: false }]);
    const blocked = await from(app, '198.51.100.1', ADMIN_KEY);
    expect(blocked.status).toBe(403);
    expect(blocked.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(blocked.text).toBe('The access to the portal is restricted');
    expect((await from(app, '203.0.113.5', ADMIN_KEY)).status).toBe(200);
    expect((await from(app, '198.51.100.1', app.state.apiKey)).status).toBe(200);
    expect((await ask(app, 'settings/iprestrictions/settings')).json.response.enable).toBe(true);
    expect((await audit(app, '?action=6094')).length).toBe(1);
  });

  it('still hands a token to a login from a refused address, but writes no event and refuses the token', async () => {
    const { app } = portal();
    await ask(app, 'settings/iprestrictions', put({ ipRestrictions: [{ ip: '203.0.113.5' }], enable: true }));
    const m = member(app);
    const before = app.state.store.size;
    const { r, token } = await signIn(app, m.email, m.password, '198.51.100.7');
    expect(r.status).toBe(200);
    expect(app.state.store.size).toBe(before);
    const req = new Request(`${APP_ORIGIN}/api/2.0/people/@self`, {
      headers: { authorization: token, 'x-forwarded-for': '198.51.100.7' },
    });
    expect((await app.fetch(req)).status).toBe(403);
  });
});

describe('login settings', () => {
  it('reads the defaults, saves 1..9999 only, audits each change, and resets on DELETE', async () => {
    const { app } = portal();
    const url = 'settings/security/loginSettings';
    expect((await ask(app, url)).json.response).toEqual({ attemptCount: 5, blockTime: 60, checkPeriod: 60, isDefault: true });
    expect((await ask(app, url, put({ attemptCount: 0 }))).status).toBe(400);
    expect((await ask(app, url, put({ blockTime: 300 }))).json.response).toMatchObject({ blockTime: 300, isDefault: false });
    expect((await ask(app, url, { method: 'DELETE' })).json.response.isDefault).toBe(true);
    expect((await audit(app, '?action=6095')).length).toBe(2);
    expect((await ask(app, url, { key: USER_KEY })).status).toBe(403);
  });
});

describe('API keys', () => {
  it('lets a *:read key read but not contain (403, empty body), and a *:write key do both', async () => {
    const { app } = portal();
    const m = member(app);
    const { eventId } = await signIn(app, m.email, m.password);
    expect((await ask(app, 'security/audit/login/last', { key: READ_KEY })).status).toBe(200);
    const refused = await ask(app, `security/activeconnections/logout/${eventId}`, put(undefined, READ_KEY));
    expect(refused.status).toBe(403);
    expect(refused.text).toBe('');
    const done = await ask(app, `security/activeconnections/logout/${eventId}`, put(undefined, WRITE_KEY));
    expect(done.json.response).toBe(true);
  });

  it('lists keys with lastUsed moving on each use, and a deactivated key gets 401', async () => {
    const { app, advance } = portal();
    await ask(app, 'people?count=1', { key: READ_KEY });
    const list = async () => (await ask(app, 'keys')).json.response as Array<Record<string, unknown>>;
    const first = (await list()).find((k) => k.name === 'admin key' && (k.permissions as string[])[0] === '*:read')!;
    expect(first).toMatchObject({ keyPostfix: READ_KEY.slice(-4), isActive: true, lastUsed: expect.any(String) });
    advance(3_600_000);
    await ask(app, 'people?count=1', { key: READ_KEY });
    const second = (await list()).find((k) => k.id === first.id)!;
    expect(Date.parse(second.lastUsed as string)).toBe(Date.parse(first.lastUsed as string) + 3_600_000);

    const off = await ask(app, `keys/${first.id}`, put({ changed: { isActive: false } }));
    expect(off.json.response).toBe(true);
    expect((await ask(app, 'people?count=1', { key: READ_KEY })).status).toBe(401);
    expect((await audit(app, '?action=6059'))[0]).toMatchObject({ target: [first.id] });
  });

  it('shows a member only their own keys', async () => {
    const { app } = portal();
    const mine = (await ask(app, 'keys', { key: USER_KEY })).json.response as Array<{ keyPostfix: string }>;
    expect(mine.map((k) => k.keyPostfix)).toEqual([USER_KEY.slice(-4)]);
  });
});

describe('the audit trail', () => {
  it('filters before paging, newest first, and validates count', async () => {
    const { app, advance } = portal();
    await ask(app, 'settings/security/loginSettings', put({ attemptCount: 6 }));
    advance(1000);
    await ask(app, 'settings/iprestrictions', put({ ipRestrictions: [] }));
    advance(1000);
    await ask(app, 'settings/iprestrictions', put({ ipRestrictions: [] }));
    const one = await audit(app, '?action=6095&count=1');
    expect(one.map((e) => e.actionId)).toEqual([6095]);
    const all = await audit(app);
    expect(all.map((e) => e.actionId)).toEqual([6094, 6094, 6095]);
    expect((await ask(app, 'security/audit/events/filter?count=0')).status).toBe(400);
    expect((await ask(app, 'security/audit/events/filter', { key: USER_KEY })).status).toBe(403);
  });
});
