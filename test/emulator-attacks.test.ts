/**
 * Real authentication attempts against the emulator write login events the way the server
 * does (action codes, Guest id, typed login, address, device, geo), the brute-force guard
 * follows the login settings on the emulator's own clock, and the demo history carries labelled
 * attack scenarios with their ground truth.
 */
/* global Request */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { distanceKm, OFFICE_CITIES, ATTACK_CITIES } from '../src/emulator/data/catalogue.js';
import { createEmulatorApp, DEMO, type EmulatorApp, type Scenario, tfaCode } from '../src/emulator/index.js';
import { GUEST_ID } from '../src/model/ids.js';
import { APP_ORIGIN, ask, NOW, type Reply } from './helpers/emulator-helpers.js';

const CHROME_UA =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Safari/537.36';

let apps: EmulatorApp[] = [];
afterEach(() => {
  for (const a of apps) a.close();
  apps = [];
});

/** An app on a clock the test moves by hand. */
function portal(options: Parameters<typeof createEmulatorApp>[0] = {}) {
  let now = NOW;
  const app = createEmulatorApp({ seed: 3, events: 200, now: NOW, clock: () => now, ...options });
  apps.push(app);
  return { app, advance: (ms: number) => (now += ms) };
}

function login(app: EmulatorApp, body: Record<string, unknown>, headers: Record<string, string> = {}, path = 'authentication') {
  return ask(app, path, {
    method: 'POST',
    key: null,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

/** The newest event of the history, as served. */
function newest(app: EmulatorApp) {
  return app.state.allEvents()[0];
}

async function fromAddress(app: EmulatorApp, remoteAddress: string, path: string, init: RequestInit): Promise<Reply> {
  const res = await app.fetch(new Request(`${APP_ORIGIN}/api/2.0/${path}`, init), { remoteAddress });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: text ? JSON.parse(text) : undefined };
}

describe('login attempts write login events', () => {
  it('logs a wrong password as 1013 with the Guest id, the typed login, address, browser and platform', async () => {
    const { app } = portal();
    const r = await login(app, { userName: 'Nobody@Example.test', password: 'x' }, { 'user-agent': CHROME_UA });
    expect(r.status).toBe(401);
    expect(newest(app)).toMatchObject({
      actionId: 1013,
      userId: GUEST_ID,
      login: 'Nobody@Example.test',
      ip: '127.0.0.1',
      browser: 'Chrome 125',
      platform: 'Windows 10',
    });
  });

  it('takes the client address from the first X-Forwarded-For entry, but only from loopback', async () => {
    const { app } = portal();
    const body = JSON.stringify({ userName: 'a@b.test', password: 'x' });
    const init = { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': '203.0.113.9, 10.0.0.1' }, body };
    await fromAddress(app, '127.0.0.1', 'authentication', init);
    expect(newest(app).ip).toBe('203.0.113.9');
    await fromAddress(app, '198.51.100.20', 'authentication', { ...init, body });
    expect(newest(app).ip).toBe('198.51.100.20');
  });

  it('places addresses with the geo ranges (most specific first, IPv6 too), else its own mapping', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'emu-geo-'));
    const file = join(dir, 'geo.csv');
    writeFileSync(
      file,
      'cidr,country,city\n203.0.113.0/24,Germany,Berlin\n203.0.113.128/25,France,Paris\n"2001:db8::/32",Japan,"Tokyo"\n',
    );
    const { app } = portal({ geo: file });
    const cases: Array<[string, string, string]> = [
      ['203.0.113.7', 'Germany', 'Berlin'],
      ['203.0.113.200', 'France', 'Paris'],
      ['2001:db8::42', 'Japan', 'Tokyo'],
      // Outside the file: the emulator's own invented prefixes, else unknown.
      ['85.214.10.20', 'Germany', 'Berlin'],
      ['159.89.1.2', 'Singapore', 'Singapore'],
      ['192.0.2.1', '', ''],
    ];
    for (const [ip, country, city] of cases) {
      await login(app, { userName: 'geo@x.test', password: 'x' }, { 'x-forwarded-for': ip });
      expect(newest(app), ip).toMatchObject({ country, city });
    }
  });

  it('rejects a geo file with a line that is not a range', () => {
    expect(() => createEmulatorApp({ events: 0, geo: [{ cidr: '300.1.2.3/8', country: 'X', city: 'Y' }] })).toThrow(
      /not an IP range/,
    );
  });
});

describe('brute-force protection per typed login and address', () => {
  it('answers the sixth attempt within a minute with 403 and 1023, and lets the pair try again after the block', async () => {
    const { app, advance } = portal();
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await login(app, { userName: 'victim@x.test', password: `p${i}` })).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 403]);
    expect(newest(app)).toMatchObject({ actionId: 1023, login: 'victim@x.test', userId: GUEST_ID });
    advance(59_000);
    expect((await login(app, { userName: 'victim@x.test', password: 'p' })).status).toBe(403);
    advance(2_000);
    expect((await login(app, { userName: 'victim@x.test', password: 'p' })).status).toBe(401);
  });

  it('never locks out a spray over many logins or many addresses on one login', async () => {
    const { app } = portal();
    for (let i = 0; i < 12; i++) {
      expect((await login(app, { userName: `user${i}@x.test`, password: 'Summer2025' })).status).toBe(401);
      const ip = `198.51.100.${i + 1}`;
      expect((await login(app, { userName: 'target@x.test', password: 'x' }, { 'x-forwarded-for': ip })).status).toBe(401);
    }
    expect(app.state.allEvents().some((e) => e.actionId === 1023)).toBe(false);
  });

  it('follows loginSettings: two attempts in ten seconds, blocked for thirty', async () => {
    const { app, advance } = portal();
    const put = await ask(app, 'settings/security/loginSettings', {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ attemptCount: 2, blockTime: 30, checkPeriod: 10 }),
    });
    expect(put.json.response).toEqual({ attemptCount: 2, blockTime: 30, checkPeriod: 10, isDefault: false });
    const attempt = async () => (await login(app, { userName: 'x@x.test', password: 'x' })).status;
    expect([await attempt(), await attempt(), await attempt()]).toEqual([401, 401, 403]);
    advance(30_000);
    expect(await attempt()).toBe(401);
    advance(11_000);
    // Outside the check period the earlier attempts no longer count.
    expect([await attempt(), await attempt()]).toEqual([401, 401]);
  });

  it('does not count a right password, so a member who gets in is not locked out', async () => {
    const { app } = portal();
    const { email, password } = app.state.user;
    for (let i = 0; i < 4; i++) await login(app, { userName: email, password: 'wrong' });
    for (let i = 0; i < 3; i++) expect((await login(app, { userName: email, password })).status).toBe(200);
  });
});

describe('the second-factor step', () => {
  it('logs a wrong code as 1025 under the member (the password was right), and a right one as 1024', async () => {
    const { app } = portal();
    const member = app.state.people.find((p) => p.status === 1 && p.tfaAppEnabled)!;
    const creds = { userName: member.email, password: member.password };
    const first = await login(app, creds);
    expect(first.json.response).toMatchObject({ tfa: true });
    const right = tfaCode(member.id, app.state.now());
    const wrong = right === '000000' ? '000001' : '000000';
    const bad = await login(app, creds, {}, `authentication/${wrong}`);
    expect(bad.status).toBe(401);
    expect(newest(app)).toMatchObject({ actionId: 1025, userId: member.id, login: member.displayName });
    const good = await login(app, creds, {}, `authentication/${right}`);
    expect(good.status).toBe(200);
    expect(typeof good.json.response.token).toBe('string');
    expect(newest(app)).toMatchObject({ actionId: 1024, userId: member.id });
    expect(newest(app)).not.toHaveProperty('login');
  });

  it('logs a wrong password on the code step as 1013 with the Guest id', async () => {
    const { app } = portal();
    const member = app.state.people.find((p) => p.status === 1 && p.tfaAppEnabled)!;
    const r = await login(app, { userName: member.email, password: 'nope' }, {}, 'authentication/123456');
    expect(r.status).toBe(401);
    expect(newest(app)).toMatchObject({ actionId: 1013, userId: GUEST_ID, login: member.email });
  });
});

describe('labelled scenarios in the demo history', () => {
  const demo = () => {
    const app = createEmulatorApp({ seed: DEMO.seed, events: 4000, now: NOW });
    apps.push(app);
    return app;
  };

  it('serves the ground truth at /__emulator/scenarios, the same for the same seed', async () => {
    const app = demo();
    const r = await ask(app, '/__emulator/scenarios');
    const scenarios = r.json as Scenario[];
    const kinds = new Set(scenarios.map((s) => s.kind));
    for (const kind of [
      'password-spray',
      'credential-stuffing',
      'distributed-brute-force',
      'success-after-attack',
      'impossible-travel',
      'tfa-failures',
      'dormant-account',
      'disabled-account-attempts',
      'disabled-account-success',
      'password-in-login',
      'benign-typo',
      'benign-office-nat',
      'benign-traveller',
    ]) {
      expect(kinds.has(kind as Scenario['kind']), kind).toBe(true);
    }
    const ids = new Set(app.state.allEvents().map((e) => e.id));
    for (const s of scenarios) {
      expect(s.eventIds.every((id) => ids.has(id)), s.id).toBe(true);
      expect(Date.parse(s.from)).toBeLessThanOrEqual(Date.parse(s.to));
    }
    expect(demo().state.scenarios).toEqual(scenarios);
  });

  it('leaves other seeds without scenarios unless asked', () => {
    expect(createEmulatorApp({ seed: 5, events: 500, now: NOW }).state.scenarios).toEqual([]);
    const asked = createEmulatorApp({ seed: 5, events: 500, now: NOW, scenarios: true });
    apps.push(asked);
    expect(asked.state.scenarios.length).toBeGreaterThan(5);
  });

  it('gives each attack the shape its name says, under the lockout threshold', () => {
    const app = demo();
    const byId = new Map(app.state.allEvents().map((e) => [e.id, e]));
    const of = (kind: string) => {
      const s = app.state.scenarios.find((x) => x.kind === kind)!;
      return { s, events: s.eventIds.map((id) => byId.get(id)!) };
    };
    const spray = of('password-spray');
    expect(new Set(spray.events.map((e) => e.ip))).toEqual(new Set([spray.s.groupKey]));
    expect(new Set(spray.events.map((e) => e.login)).size).toBeGreaterThanOrEqual(5);
    expect(spray.events.every((e) => e.actionId === 1013 && e.userId === GUEST_ID)).toBe(true);

    const stuffing = of('credential-stuffing');
    expect(new Set(stuffing.events.map((e) => e.login)).size).toBeGreaterThanOrEqual(15);

    const distributed = of('distributed-brute-force');
    expect(new Set(distributed.events.map((e) => e.login!.toLowerCase()))).toEqual(new Set([distributed.s.groupKey]));
    expect(new Set(distributed.events.map((e) => e.ip)).size).toBeGreaterThanOrEqual(5);
    expect(new Set(distributed.events.map((e) => e.country)).size).toBeGreaterThanOrEqual(2);

    const after = of('success-after-attack');
    const success = after.events[after.events.length - 1];
    const victim = app.state.people.find((p) => p.id === success.userId)!;
    expect(victim.email.toLowerCase()).toBe(after.s.groupKey);
    expect(after.events.slice(0, -1).every((e) => e.actionId === 1013 && e.ip === success.ip)).toBe(true);

    const tfa = of('tfa-failures');
    expect(tfa.events.filter((e) => e.actionId === 1025).every((e) => e.userId === tfa.s.groupKey)).toBe(true);

    const gone = of('disabled-account-success');
    const member = app.state.people.find((p) => p.id === gone.s.groupKey)!;
    expect(member.status).toBe(2);
    expect(Date.parse(gone.s.from)).toBeGreaterThan(member.terminated!);

    const typed = of('password-in-login');
    const owner = app.state.people.find((p) => p.id === typed.events[1].userId)!;
    expect(typed.events[0].login).toBe(owner.password);

    // Nothing in any scenario reaches DocSpace's own lockout.
    expect(app.state.allEvents().some((e) => e.actionId === 1023)).toBe(false);
  });

  it('makes the dormant account silent for more than 90 days before it logs in again', () => {
    const app = demo();
    const s = app.state.scenarios.find((x) => x.kind === 'dormant-account')!;
    const own = app.state.allEvents().filter((e) => e.userId === s.groupKey && Date.parse(e.date) <= Date.parse(s.to));
    expect(own.map((e) => e.id).sort()).toEqual([...s.eventIds].sort());
    expect(Date.parse(s.to) - Date.parse(s.from)).toBeGreaterThan(90 * 86_400_000);
  });

  it('keeps every journey in the background plausible: the only impossible one is labelled', () => {
    const app = demo();
    const cities = new Map([...OFFICE_CITIES, ...ATTACK_CITIES].filter((c) => c.lat !== undefined).map((c) => [c.city, c]));
    const labelled = new Set(
      app.state.scenarios.filter((s) => s.malicious).flatMap((s) => s.eventIds),
    );
    const successes = app.state
      .allEvents()
      .filter((e) => [1010, 1024, 1029, 1000, 1015, 1019, 1021].includes(e.actionId) && cities.has(e.city))
      .reverse();
    const last = new Map<string, (typeof successes)[number]>();
    const impossible: number[] = [];
    for (const e of successes) {
      const before = last.get(e.userId);
      last.set(e.userId, e);
      if (!before || before.city === e.city) continue;
      const km = distanceKm(cities.get(before.city)!, cities.get(e.city)!);
      const hours = Math.max((Date.parse(e.date) - Date.parse(before.date)) / 3_600_000, 1 / 60);
      if (km >= 500 && km / hours >= 900) impossible.push(e.id);
    }
    expect(impossible.length).toBeGreaterThan(0);
    expect(impossible.filter((id) => !labelled.has(id))).toEqual([]);
  });
});
