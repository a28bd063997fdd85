/**
 * `detect` and `findings` from the command line, against an archive synced from the emulator,
 * with attacks made through the emulator's real login endpoint on a clock the test moves.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redactLogin } from '../src/detect/index.js';
import { type RunningEmulator, type Scenario, startEmulator } from '../src/emulator/index.js';
import { syncInto } from './helpers/archive.js';
import { cli } from './helpers/cli.js';
import { dialects } from './helpers/dialects.js';

interface FindingJson {
  id: string;
  rule: string;
  severity: string;
  status: string;
  group: string;
  count: number;
  firstSeen: string;
  lastSeen: string;
  history: Array<{ status: string; note?: string }>;
}

let emu: RunningEmulator;
let now = Date.UTC(2025, 9, 6, 12);
let dir: string;
let db: string;
const env = () => ({ DOCSPACE_API_KEY: emu.apiKey });
const run = (args: string[]) => cli([...args, '--portal', emu.url], env());
const parse = (stdout: string) => JSON.parse(stdout) as FindingJson[];
const detect = async (...args: string[]) => {
  const r = await run(['detect', '--db', db, '--since', 'all', '--format', 'json', ...args]);
  expect(r.code, r.stderr).not.toBe(2);
  return { ...r, findings: r.stdout ? parse(r.stdout) : [] };
};

/** One wrong password for `login` from `ip`, through the real endpoint, 20 s after the last (under the lockout's 5 a minute). */
async function attempt(login: string, ip: string): Promise<void> {
  now += 20_000;
  const res = await fetch(`${emu.url}/api/2.0/authentication`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': ip },
    body: JSON.stringify({ userName: login, password: 'not-the-password' }),
  });
  expect(res.status).toBe(401);
  await res.arrayBuffer();
}

beforeAll(async () => {
  emu = await startEmulator({ seed: 7, users: 30, events: 1500, days: 60, scenarios: true, clock: () => now });
  dir = mkdtempSync(join(tmpdir(), 'dl-detect-'));
  db = join(dir, 'archive.sqlite');
  await syncInto(emu, db);
});

afterAll(async () => {
  await emu?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('detect over the archive', () => {
  let first: FindingJson[];

  it('stores what it finds; a second run creates nothing', async () => {
    const a = await detect();
    expect(a.code, a.stderr).toBe(0);
    first = a.findings;
    expect(first.length).toBeGreaterThan(0);
    expect(a.stderr).toMatch(new RegExp(`${first.length} findings \\(${first.length} new, 0 updated\\)`));
    const listed = await run(['findings', 'list', '--db', db, '--format', 'json']);
    expect(parse(listed.stdout).map((f) => f.id).sort()).toEqual(first.map((f) => f.id).sort());

    const b = await detect();
    expect(b.stderr).toMatch(/\(0 new, 0 updated\)/);
    expect(b.findings.map((f) => f.id)).toEqual(first.map((f) => f.id));
  });

  it('a password typed as the login is never shown: findings carry its keyed hash', async () => {
    const scenarios = (await (await fetch(`${emu.url}/__emulator/scenarios`)).json()) as Scenario[];
    const typed = scenarios.find((s) => s.kind === 'password-in-login')!;
    const password = emu.app.state.allEvents().find((e) => e.id === typed.eventIds[0])!.login!;
    expect(password.length).toBeGreaterThan(5);
    const dsl14 = first.filter((f) => f.rule === 'DSL-014');
    expect(dsl14.length).toBeGreaterThan(0);
    expect(dsl14.every((f) => /^hmac:[0-9a-f]{16}$/.test(f.group))).toBe(true);
    expect(JSON.stringify(first)).not.toContain(password);
    for (const format of ['ecs', 'table']) {
      const r = await run(['detect', '--db', db, '--since', 'all', '--format', format]);
      expect(r.stdout, format).not.toContain(password);
    }
    // Live without an archive: a key of the run, never the unkeyed hash a list of common passwords reverses.
    const groups = async () => {
      const r = await run(['detect', '--live', '--since', 'all', '--rule', 'DSL-014', '--format', 'json']);
      expect(r.stderr).toMatch(/key of this run only/);
      return parse(r.stdout).map((f) => f.group);
    };
    const [once, again] = [await groups(), await groups()];
    expect(once.length).toBe(dsl14.length);
    expect(once).not.toContain(redactLogin(password, undefined));
    expect(once.filter((g) => again.includes(g))).toEqual([]);
  });

  it('an attack through the login endpoint is found, and its next attempt updates the same finding', async () => {
    for (let i = 0; i < 10; i++) await attempt('target.person@example.test', '203.0.113.66');
    await syncInto(emu, db);
    const burst = (await detect('--rule', 'DSL-001')).findings.find((f) => f.group === 'target.person@example.test')!;
    expect(burst).toMatchObject({ rule: 'DSL-001', count: 10, status: 'open' });

    await attempt('target.person@example.test', '203.0.113.66');
    await syncInto(emu, db);
    const next = await detect('--rule', 'DSL-001');
    expect(next.stderr).toMatch(/\(0 new, 1 updated\)/);
    expect(next.findings.find((f) => f.group === 'target.person@example.test')).toMatchObject({ id: burst.id, count: 11 });
  });

  it('--fail-on exits 10 when an open finding at or above that severity exists, else 0', async () => {
    const severities = new Set(first.map((f) => f.severity));
    expect(severities).toContain('high');
    expect((await detect('--fail-on', 'high')).code).toBe(10);
    // Off-hours logins are low: nothing at or above medium among them.
    const lows = await detect('--rule', 'DSL-012', '--fail-on', 'medium');
    expect(lows.findings.length).toBeGreaterThan(0);
    expect(lows.code).toBe(0);
    expect((await run(['detect', '--db', db, '--fail-on', 'severe'])).code).toBe(2);
  });

  it('ack and resolve change the status and keep the history; ids work by unique prefix', async () => {
    const target = first.find((f) => f.severity === 'critical') ?? first.find((f) => f.severity === 'high')!;
    const prefix = target.id.slice(0, 8);
    expect((await run(['findings', 'ack', prefix, '--db', db, '--note', 'on it'])).code).toBe(0);
    const shown = JSON.parse((await run(['findings', 'show', prefix, '--db', db, '--format', 'json'])).stdout) as FindingJson;
    expect(shown.status).toBe('acknowledged');
    expect(shown.history.map((h) => [h.status, h.note])).toEqual([
      ['open', 'created'],
      ['acknowledged', 'on it'],
    ]);
    expect((await run(['findings', 'resolve', target.id, '--db', db])).code).toBe(0);
    const resolved = parse((await run(['findings', 'list', '--db', db, '--status', 'resolved', '--format', 'json'])).stdout);
    expect(resolved.map((f) => f.id)).toEqual([target.id]);
    expect(resolved[0].history.map((h) => h.status)).toEqual(['open', 'acknowledged', 'resolved']);
    // Re-detecting the same events does not reopen it: nothing new happened.
    await detect();
    expect((JSON.parse((await run(['findings', 'show', prefix, '--db', db, '--json'])).stdout) as FindingJson).status).toBe('resolved');
    expect((await run(['findings', 'show', '0000000000', '--db', db])).code).toBe(2);
  });

  it('show on a terminal names the member a user-id group stands for', async () => {
    const byUser = first.find((f) => /^[0-9a-f]{8}-[0-9a-f]{4}-/.test(f.group))!;
    const text = (await run(['findings', 'show', byUser.id, '--db', db])).stdout;
    expect(text).toMatch(new RegExp(`^group: +\\S.* \\(${byUser.group}\\)$`, 'm'));
    expect(text).toMatch(new RegExp(`\\(${byUser.count} events?, confidence`));
  });

  it('ECS output is one alert per line carrying rule.id, severity and the ATT&CK technique', async () => {
    const r = await run(['detect', '--db', db, '--since', 'all', '--format', 'ecs', '--rule', 'DSL-003']);
    const docs = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, any>);
    expect(docs.length).toBeGreaterThan(0);
    for (const d of docs) {
      expect(d.event.kind).toBe('alert');
      expect(d.rule.id).toBe('DSL-003');
      expect(d.event.severity).toBeGreaterThan(0);
      expect(d.threat.technique[0].id).toBe('T1110');
      expect(d.source.ip).toBe(d.docspace_logins.group);
      expect(d.related.ip).toContain(d.source.ip);
    }
  });

  it('--live reads the portal and finds exactly what the archive finds for the same period', async () => {
    const archive = await detect();
    const live = await detect('--live');
    expect(live.code, live.stderr).toBe(0);
    // Stored in the same archive under the same key: nothing new, nothing updated.
    expect(live.stderr).toMatch(/\(0 new, 0 updated\)/);
    const key = (f: FindingJson) => `${f.id} ${f.rule} ${f.group} ${f.count} ${f.lastSeen}`;
    expect(live.findings.map(key).sort()).toEqual(archive.findings.map(key).sort());
  });
});

describe('the README', () => {
  it('example user rule passes its own tests, and detect finds it in real attempts', async () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const rule = /```yaml\n(id: MY-001[\s\S]*?)```/.exec(readme)![1];
    const rules = join(dir, 'my-rules');
    mkdirSync(rules);
    writeFileSync(join(rules, 'my.yaml'), rule);
    const tested = await cli(['rules', 'test', rules]);
    expect(tested.stdout).toMatch(/^2 passed, 0 failed$/m);
    expect((await detect('--rules', rules, '--rule', 'MY-001')).findings).toEqual([]);
    for (let i = 0; i < 3; i++) await attempt('svc-backup@example.com', '198.51.100.23');
    await syncInto(emu, db);
    const found = await detect('--rules', rules, '--rule', 'MY-001');
    expect(found.findings).toMatchObject([{ rule: 'MY-001', group: 'svc-backup@example.com', count: 3, severity: 'high' }]);
  });
});

const PG = (await dialects('detectcli')).find((d) => d.name === 'postgres')!;

describe.skipIf(Boolean(PG.skip))(`detect on PostgreSQL${PG.skip ? ` (skipped: ${PG.skip})` : ''}`, () => {
  afterAll(() => PG.cleanup());

  it('finds what SQLite finds', async () => {
    const url = await PG.fresh();
    await syncInto(emu, url);
    const fresh = join(dir, 'again.sqlite');
    await syncInto(emu, fresh);
    const onPg = await run(['detect', '--db', url, '--since', 'all', '--format', 'json']);
    const onSqlite = await run(['detect', '--db', fresh, '--since', 'all', '--format', 'json']);
    expect(onPg.code, onPg.stderr).toBe(0);
    // Each archive has its own login key: password-like groups (and their ids) differ, the rest is identical.
    const key = (f: FindingJson) => (f.group.startsWith('hmac:') ? `${f.rule} hmac ${f.count} ${f.lastSeen}` : `${f.id} ${f.rule} ${f.group} ${f.count} ${f.lastSeen}`);
    expect(parse(onPg.stdout).map(key).sort()).toEqual(parse(onSqlite.stdout).map(key).sort());
  });
});
