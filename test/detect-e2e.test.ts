/**
 * Attacks end to end: each attack is performed through the emulator's real login endpoint over
 * loopback HTTP (`POST /api/2.0/authentication`, and its second-factor step), from addresses the
 * emulator's `--geo` ranges place where the test wants them (`X-Forwarded-For`, as behind the
 * server's proxy). The history is then synced into a temporary archive with the library, read
 * back with the people directory, and every built-in rule runs over it: each attack must give its
 * rule's finding, with the right group key and the evidence that explains it.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinRules, detect, type Finding, redactLogin } from '../src/detect/index.js';
import { detectMembers } from '../src/detect/directory.js';
import { type EmulatorPerson, type RunningEmulator, startEmulator, tfaCode } from '../src/emulator/index.js';
import type { LoginEvent } from '../src/model/event.js';
import { openStore } from '../src/store/index.js';
import { syncInto } from './helpers/archive.js';

const START = Date.parse('2025-07-01T08:00:00Z');
const SECRET = 'e2e-secret';
const TYPED_PASSWORD = 'Tr0ub4dor&3x!';
const MINUTE = 60_000;

/** Where the attackers are: DocSpace's English country names, as the geo database writes them. */
const GEO = [
  { cidr: '198.51.100.0/24', country: 'Germany', city: 'Berlin' },
  { cidr: '203.0.113.0/25', country: 'Netherlands', city: 'Amsterdam' },
  { cidr: '203.0.113.128/25', country: 'Romania', city: 'Bucharest' },
  { cidr: '192.0.2.0/28', country: 'Brazil', city: 'São Paulo' },
  { cidr: '192.0.2.16/28', country: 'Vietnam', city: 'Hanoi' },
  { cidr: '192.0.2.32/28', country: 'Russia', city: 'Moscow' },
  { cidr: '198.18.0.0/24', country: 'Japan', city: 'Tokyo' },
];

let now = START;
let emu: RunningEmulator;
let findings: Finding[];
let events: LoginEvent[];
const cast: Record<string, EmulatorPerson> = {};
const spraySet: EmulatorPerson[] = [];
const ids: Record<string, number[]> = {};

/** One login attempt as an attacker's client sends it; returns the HTTP status. */
async function attempt(userName: string, password: string, ip: string, code?: string): Promise<number> {
  const res = await fetch(`${emu.url}/api/2.0/authentication${code ? `/${code}` : ''}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': ip, 'user-agent': 'python-requests/2.32.3' },
    body: JSON.stringify({ userName, password }),
  });
  await res.arrayBuffer();
  return res.status;
}

/** The id of the newest event: the one the attempt just wrote. */
function lastId(): number {
  return emu.state.allEvents()[0].id;
}

function record(name: string): void {
  (ids[name] ??= []).push(lastId());
}

const hours = (h: number) => (now += h * 60 * MINUTE);

beforeAll(async () => {
  emu = await startEmulator({ seed: 11, users: 40, events: 0, now: START, clock: () => now, geo: GEO });
  const usable = emu.state.people.filter((p) => p.status === 1 && !p.deleted && p.role !== 'owner' && p.role !== 'admin' && !p.tfaAppEnabled);
  [cast.burst, cast.lockout, cast.distributed, cast.traveller] = usable;
  spraySet.push(...usable.slice(4, 10));
  const listed = usable.slice(10, 13);
  cast.tfa = emu.state.people.find((p) => p.status === 1 && !p.deleted && p.tfaAppEnabled)!;
  cast.disabled = emu.state.people.find((p) => p.status === 2 && !p.deleted && p.terminated !== undefined && p.terminated < START)!;
  expect(Object.values(cast).every(Boolean) && listed.length === 3).toBe(true);

  // A member signs in once, then nothing for 100 days (the end of the script comes back).
  cast.dormant = usable[21];
  expect(await attempt(cast.dormant.email, cast.dormant.password, '198.51.100.70')).toBe(200);

  // A burst against one account from one address, paced under the lockout (5 a minute)...
  for (let i = 0; i < 10; i++) {
    expect(await attempt(cast.burst.email, `guess-${i}`, '198.51.100.7')).toBe(401);
    record('burst');
    now += 20_000;
  }
  // ...and 40 minutes later the attacker has it.
  now += 40 * MINUTE;
  expect(await attempt(cast.burst.email, cast.burst.password, '198.51.100.7')).toBe(200);
  record('success');

  // Three DocSpace lockouts of one login from one address.
  hours(4);
  const statuses: number[] = [];
  for (let i = 0; i < 8; i++) {
    statuses.push(await attempt(cast.lockout.email, `guess-${i}`, '198.51.100.8'));
    record('lockout');
  }
  expect(statuses).toEqual([401, 401, 401, 401, 401, 403, 403, 403]);

  // A spray: one address, three passwords tried in turn against six accounts.
  hours(4);
  for (const password of ['Summer2025!', 'Welcome1', 'Passw0rd']) {
    for (const p of spraySet) {
      expect(await attempt(p.email, password, '203.0.113.5')).toBe(401);
      record('spray');
      now += 20_000;
    }
  }

  // Credential stuffing: a leaked list, one try each, mostly addresses nobody here has.
  hours(4);
  for (let i = 0; i < 26; i++) {
    const login = i % 9 === 4 ? listed[Math.floor(i / 9)].email : `leaked.${i}@mail.test`;
    expect(await attempt(login, 'hunter2', '203.0.113.200')).toBe(401);
    record('stuffing');
    now += 10_000;
  }

  // Distributed brute force: one account, six addresses in three countries, two tries each.
  hours(4);
  for (const ip of ['192.0.2.1', '192.0.2.2', '192.0.2.17', '192.0.2.18', '192.0.2.33', '192.0.2.34']) {
    for (let k = 0; k < 2; k++) {
      expect(await attempt(cast.distributed.email, `guess-${ip}-${k}`, ip)).toBe(401);
      record('distributed');
      now += 30_000;
    }
  }

  // A portal-wide spray: five addresses share eight accounts, one try per account and address.
  hours(4);
  const portalWide = usable.slice(13, 21);
  expect(portalWide).toHaveLength(8);
  for (const ip of ['203.0.113.60', '203.0.113.61', '203.0.113.140', '192.0.2.40', '198.51.100.60']) {
    for (const p of portalWide) {
      expect(await attempt(p.email, 'Autumn2025!', ip)).toBe(401);
      record('portalSpray');
      now += 20_000;
    }
  }

  // Wrong authenticator codes after the right password.
  hours(4);
  expect(await attempt(cast.tfa.email, cast.tfa.password, '203.0.113.9')).toBe(200);
  const right = tfaCode(cast.tfa.id, now);
  for (let i = 0; i < 3; i++) {
    const wrong = String((Number(right) + 1 + i) % 1_000_000).padStart(6, '0');
    expect(await attempt(cast.tfa.email, cast.tfa.password, '203.0.113.9', wrong)).toBe(401);
    record('tfa');
    now += MINUTE;
  }

  // Impossible travel: Berlin, then Tokyo an hour later.
  hours(4);
  expect(await attempt(cast.traveller.email, cast.traveller.password, '198.51.100.40')).toBe(200);
  record('travel');
  hours(1);
  expect(await attempt(cast.traveller.email, cast.traveller.password, '198.18.0.9')).toBe(200);
  record('travel');

  // A password typed into the login field.
  hours(4);
  expect(await attempt(TYPED_PASSWORD, '', '198.51.100.50')).toBe(401);
  record('typed');

  // Someone still tries a disabled account's login.
  hours(4);
  for (let i = 0; i < 2; i++) {
    expect(await attempt(cast.disabled.email, `guess-${i}`, '203.0.113.150')).toBe(401);
    record('disabled');
    now += MINUTE;
  }

  // The dormant account is used again, 100 days after its last sign-in.
  hours(100 * 24);
  expect(await attempt(cast.dormant.email, cast.dormant.password, '198.51.100.70')).toBe(200);
  record('dormant');

  hours(1);
  const db = join(mkdtempSync(join(tmpdir(), 'dl-detect-e2e-')), 'archive.sqlite');
  await syncInto(emu, db);
  const store = await openStore(db);
  try {
    const [portal] = await store.portals();
    const people = detectMembers(await store.people(portal.id));
    events = [];
    for await (const chunk of store.queryLoginEventChunks({ portalIds: [portal.id] })) events.push(...chunk);
    events.reverse();
    findings = await detect(events, { people, secret: SECRET }, builtinRules());
  } finally {
    await store.close();
  }
});

afterAll(async () => {
  await emu?.close();
});

/** The findings of one rule whose events include any of `eventIds`. */
function of(rule: string, eventIds: number[]): Finding[] {
  return findings.filter((f) => f.rule === rule && f.eventIds.some((id) => eventIds.includes(id)));
}

describe('attacks through the login endpoint are found by their rules', () => {
  it('archives every attempt the attacks made', () => {
    const archived = new Set(events.map((e) => e.id));
    for (const [name, list] of Object.entries(ids)) expect(list.every((id) => archived.has(id)), name).toBe(true);
  });

  it('a burst of ten failures on one account: DSL-001, grouped by the member the typed login names', () => {
    const [f] = of('DSL-001', ids.burst);
    expect(f).toMatchObject({ group: cast.burst.id, count: 10, severity: 'medium' });
    expect(f.evidence).toMatchObject({ ips: { '198.51.100.7': 10 }, countries: ['DE'], window: { count: 10 } });
  });

  it('the attacked account signs in from the attacking address: DSL-007, critical, with the session to end', () => {
    const [f] = of('DSL-007', ids.success);
    expect(f).toMatchObject({ group: cast.burst.id, severity: 'critical', sessionIds: ids.success });
    expect(f.evidence).toMatchObject({ attackRules: ['DSL-001'], attackIps: ['198.51.100.7'], ipInAttack: true, successIp: '198.51.100.7' });
    expect(f.evidence.minutesAfterAttack).toBe(40);
  });

  it('three DocSpace lockouts of one login: DSL-002', () => {
    const [f] = of('DSL-002', ids.lockout);
    expect(f).toMatchObject({ group: cast.lockout.id, count: 3 });
    expect(f.evidence).toMatchObject({ ips: { '198.51.100.8': 3 } });
  });

  it('six accounts, three passwords each, from one address: DSL-003, grouped by the address', () => {
    const [f] = of('DSL-003', ids.spray);
    expect(f).toMatchObject({ group: '203.0.113.5', severity: 'high' });
    expect(f.evidence.targets).toEqual(Object.fromEntries(spraySet.map((p) => [p.id, 3])));
    expect(f.evidence).toMatchObject({ countries: ['NL'], window: { distinct: 6, maxPerValue: 3 } });
  });

  it('a leaked list replayed from one address: DSL-004, mostly unknown logins', () => {
    const [f] = of('DSL-004', ids.stuffing);
    expect(f).toMatchObject({ group: '203.0.113.200', severity: 'high' });
    const window = f.evidence.window as { count: number; distinct: number; maxPerValue: number; unknownEvents: number };
    expect(window.count).toBeGreaterThanOrEqual(25);
    expect(window.maxPerValue).toBe(1);
    expect(window.unknownEvents).toBeGreaterThan(window.count * 0.8);
  });

  it('one account from six addresses in three countries: DSL-005, with the places behind it', () => {
    const [f] = of('DSL-005', ids.distributed);
    expect(f).toMatchObject({ group: cast.distributed.id, severity: 'high' });
    expect(Object.keys(f.evidence.ips as object)).toHaveLength(6);
    expect(f.evidence.countries).toEqual(['BR', 'RU', 'VN']);
  });

  it('five addresses sharing eight accounts, one try each: DSL-006, the portal as its group, no per-address or per-account finding', () => {
    const [f] = of('DSL-006', ids.portalSpray);
    expect(f).toMatchObject({ group: '*', severity: 'medium' });
    expect(f.eventIds).toEqual(expect.arrayContaining(ids.portalSpray));
    for (const rule of ['DSL-001', 'DSL-003', 'DSL-004', 'DSL-005']) expect(of(rule, ids.portalSpray), rule).toEqual([]);
  });

  it('wrong authenticator codes after the right password: DSL-008, filed under the member', () => {
    const [f] = of('DSL-008', ids.tfa);
    expect(f).toMatchObject({ group: cast.tfa.id, count: 3, severity: 'high', eventIds: ids.tfa });
  });

  it('Berlin, then Tokyo an hour later: DSL-009 with distance and speed', () => {
    const [f] = of('DSL-009', ids.travel);
    expect(f).toMatchObject({ group: cast.traveller.id, confidence: 'high', sessionIds: ids.travel });
    expect(f.evidence).toMatchObject({ from: { city: 'Berlin', ip: '198.51.100.40' }, to: { city: 'Tokyo', ip: '198.18.0.9' }, minutes: 60, resolution: 'city' });
    expect(f.evidence.km).toBeGreaterThan(8500);
    expect(f.evidence.kmh).toBeGreaterThan(8500);
  });

  it('a password typed as the login: DSL-014, keyed by its HMAC, never in clear', () => {
    const [f] = of('DSL-014', ids.typed);
    expect(f).toMatchObject({ group: redactLogin(TYPED_PASSWORD, SECRET), severity: 'medium' });
    expect(JSON.stringify(findings)).not.toContain(TYPED_PASSWORD);
  });

  it('tries on a disabled account after it was disabled: DSL-016', () => {
    const [f] = of('DSL-016', ids.disabled);
    expect(f).toMatchObject({ group: cast.disabled.id, count: 2, severity: 'medium' });
    expect(f.evidence).toMatchObject({ status: 'disabled', afterDisabled: true });
  });

  it('a member back after more than 90 days without a sign-in: DSL-013, with the idle time', () => {
    const [f] = of('DSL-013', ids.dormant);
    expect(f).toMatchObject({ group: cast.dormant.id, sessionIds: ids.dormant });
    // 100 days after the other attacks, which took a day and a half after its first sign-in.
    expect(f.evidence).toMatchObject({ idleDays: 101 });
  });

  it('gives each attack one finding of its rule, not one per event', () => {
    for (const [name, rule] of [['burst', 'DSL-001'], ['spray', 'DSL-003'], ['stuffing', 'DSL-004'], ['distributed', 'DSL-005'], ['portalSpray', 'DSL-006'], ['tfa', 'DSL-008']] as const) {
      expect(of(rule, ids[name]), name).toHaveLength(1);
    }
  });
});
