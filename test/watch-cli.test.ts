/**
 * The watch and alerts commands as users run them: a real child process running the CLI with
 * `--every`, killed with SIGKILL while a delivery is in flight, then a `--once` run that delivers
 * what was not acknowledged with the same id; the cycle log line, the health file, and
 * `alerts list | show | replay | test`.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { run } from '../src/cli/run.js';
import { type RunningEmulator, startEmulator } from '../src/index.js';
import { CLI, cleanEnv, cli } from './helpers/cli.js';
import { freePort } from './helpers/alert-helpers.js';
import { runCommand } from './helpers/run-command.js';

const SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const dir = mkdtempSync(join(tmpdir(), 'dl-watch-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Hook {
  url: string;
  /** webhook-id of every request, in order, and whether it was answered. */
  requests: Array<{ id: string; answered: boolean }>;
  /** Hold requests without answering (a receiver that hangs), or answer 200. */
  hang: boolean;
  /** Resolves at the first request. */
  reached: Promise<void>;
}

async function hook(): Promise<Hook> {
  let reached!: () => void;
  const state: Hook = { url: '', requests: [], hang: false, reached: new Promise<void>((r) => (reached = r)) };
  const held: ServerResponse[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    req.resume();
    req.on('end', () => {
      const entry = { id: String(req.headers['webhook-id']), answered: !state.hang };
      state.requests.push(entry);
      if (state.hang) held.push(res);
      else res.writeHead(200).end();
      reached();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  cleanups.push(
    () =>
      new Promise<void>((r) => {
        for (const res of held) res.destroy();
        server.closeAllConnections();
        server.close(() => r());
      }),
  );
  return state;
}

async function attackedPortal(): Promise<RunningEmulator> {
  const emu = await startEmulator({ seed: 11, events: 0, scenarios: false });
  cleanups.push(() => emu.close());
  const target = emu.state.people.find((p) => p.role === 'user' && p.status === 1 && !p.deleted)!;
  for (let i = 0; i < 12; i++) {
    const res = await fetch(`${emu.url}/api/2.0/authentication`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userName: target.email, password: `guess-${i}` }),
    });
    await res.arrayBuffer();
  }
  return emu;
}

function envFor(emu: RunningEmulator, home: string) {
  return { DOCSPACE_URL: emu.url, DOCSPACE_API_KEY: emu.apiKey, DOCSPACE_LOGINS_WEBHOOK_SECRET: SECRET, HOME: home, XDG_CONFIG_HOME: join(home, 'config') };
}

describe('watch as a process', () => {
  it('killed with SIGKILL mid-delivery, loses nothing: the next run delivers the unacknowledged alerts with the same ids', async () => {
    const emu = await attackedPortal();
    const h = await hook();
    h.hang = true;
    const home = mkdtempSync(join(dir, 'kill-'));
    const db = join(home, 'archive.sqlite');
    const env = envFor(emu, home);
    const child = spawn(process.execPath, [CLI, 'watch', '--every', '5s', '--db', db, '--alert', `webhook+${h.url}`], {
      env: cleanEnv(env),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const exited = new Promise<NodeJS.Signals | null>((r) => child.once('exit', (_code, signal) => r(signal)));
    await h.reached;
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    const hung = [...new Set(h.requests.map((r) => r.id))];
    expect(hung.length).toBeGreaterThan(0);
    expect(h.requests.every((r) => !r.answered)).toBe(true);

    h.hang = false;
    const again = await cli(['watch', '--once', '--db', db, '--alert', `webhook+${h.url}`, '--log-format', 'json', '--health-file', join(home, 'health.json')], env);
    expect(again.code, again.stderr).toBe(0);
    const answered = h.requests.filter((r) => r.answered).map((r) => r.id);
    for (const id of hung) expect(answered).toContain(id);

    // One JSON line for the cycle, which names what was taken back, and no secret anywhere.
    const line = JSON.parse(again.stdout.trim());
    expect(line).toMatchObject({ msg: 'watch cycle', ok: true, added: 0, released: expect.any(Number) });
    expect(line.released).toBeGreaterThan(0);
    expect(line.delivery.delivered).toBeGreaterThanOrEqual(hung.length);
    expect(Date.parse(line.time)).not.toBeNaN();
    for (const secret of [SECRET, emu.apiKey]) expect(again.stdout + again.stderr).not.toContain(secret);
    expect(JSON.parse(readFileSync(join(home, 'health.json'), 'utf8'))).toMatchObject({ healthy: true, lastCycleOk: true });

    // The archive's outbox, through the alerts commands.
    const list = await runCommand(null, home, (io) => run(['alerts', 'list', '--db', db, '--format', 'json'], io));
    expect(list.code, list.stderr).toBe(0);
    const alerts = JSON.parse(list.stdout) as Array<{ id: string; rule: string; deliveries: Record<string, number> }>;
    expect(alerts.map((a) => a.id).sort()).toEqual([...new Set(answered)].sort());
    expect(alerts.every((a) => a.deliveries.delivered === 1)).toBe(true);
    const show = await runCommand(null, home, (io) => run(['alerts', 'show', hung[0], '--db', db], io));
    expect(JSON.parse(show.stdout)).toMatchObject({ data: { alert: { id: hung[0] } }, deliveries: [{ status: 'delivered' }] });

    // Replay: the same ids again, on the next cycle.
    const replay = await runCommand(null, home, (io) => run(['alerts', 'replay', '--since', '1h', '--db', db], io));
    expect(replay.stderr).toMatch(new RegExp(`^${alerts.length} deliver(y|ies) queued again`));
    const before = h.requests.length;
    expect((await cli(['watch', '--once', '--db', db, '--alert', `webhook+${h.url}`, '-q'], env)).code).toBe(0);
    expect(h.requests.slice(before).map((r) => r.id).sort()).toEqual(alerts.map((a) => a.id).sort());
  });
});

describe('watch stopped by a signal', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)('%s ends a running watcher with exit 0 and its cycle line written', async (signal) => {
    const emu = await startEmulator({ seed: 12, events: 50, scenarios: false });
    cleanups.push(() => emu.close());
    const home = mkdtempSync(join(dir, 'stop-'));
    const child = spawn(process.execPath, [CLI, 'watch', '--every', '1m', '--db', join(home, 'a.sqlite'), '-q'], {
      env: cleanEnv(envFor(emu, home)),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    const cycled = new Promise<void>((resolve) =>
      child.stdout!.on('data', (c: Buffer) => {
        stdout += c.toString();
        if (stdout.includes('watch cycle')) resolve();
      }),
    );
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    await cycled;
    child.kill(signal);
    expect(await exited).toBe(0);
    expect(stdout).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z watch cycle ok: 50 new events/);
  });
});

describe('destinations stored in a profile', () => {
  it('go to that portal\'s alerts; a destination that cannot be parsed is refused when the profile is saved', async () => {
    const emu = await attackedPortal();
    const home = mkdtempSync(join(dir, 'profile-'));
    const withKey = (io: Parameters<typeof run>[1]) => ({ ...io!, env: { ...io!.env, ACME_KEY: emu.apiKey } });
    const bad = await runCommand(null, home, (io) => run(['profiles', 'add', 'acme', '--portal', emu.url, '--key-env', 'ACME_KEY', '--alert', 'file:'], withKey(io)));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/no path: write file:alerts\.ndjson/);
    const file = join(home, 'acme-alerts.ndjson');
    const add = await runCommand(null, home, (io) => run(['profiles', 'add', 'acme', '--portal', emu.url, '--key-env', 'ACME_KEY', '--alert', `file:${file}`], withKey(io)));
    expect(add.code, add.stderr).toBe(0);
    const watched = await runCommand(null, home, (io) => run(['watch', '--once', '--profile', 'acme', '--db', join(home, 'a.sqlite'), '-q'], withKey(io)));
    expect(watched.code, watched.stderr).toBe(0);
    const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.every((l) => l.data.finding.portal === emu.url)).toBe(true);
  });
});

describe('alerts test', () => {
  it('says what the destination answered: accepted (HTTP 200), or refused with the reason and exit 6', async () => {
    const h = await hook();
    const home = mkdtempSync(join(dir, 'test-'));
    const env = { DOCSPACE_LOGINS_WEBHOOK_SECRET: SECRET };
    const ok = await runCommand(null, home, (io) => run(['alerts', 'test', `webhook+${h.url}`], { ...io, env: { ...io.env, ...env } }));
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/^webhook\+http:\/\/127\.0\.0\.1:\d+\/… accepted the test alert test:\d+:1 \(HTTP 200\)\n$/);
    expect(h.requests).toHaveLength(1);

    const missing = await runCommand(null, home, (io) => run(['alerts', 'test', `webhook+${h.url}`], io));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/set DOCSPACE_LOGINS_WEBHOOK_SECRET/);

    const port = await freePort();
    const nobody = await runCommand(null, home, (io) => run(['alerts', 'test', `webhook+http://127.0.0.1:${port}/hook`], { ...io, env: { ...io.env, ...env } }));
    expect(nobody.code).toBe(6);
    expect(nobody.stderr).toBe(`warning: webhook+http://127.0.0.1:${port}/… did not accept the test alert: fetch failed: ECONNREFUSED (a watcher would retry)\n`);
  });
});

describe('watch refuses a bad start before any work', () => {
  it.each([
    [['--every', '1s'], /--every "1s" must be a duration of at least 5s/],
    [['--alert', 'pager://oncall'], /Alert destination pager:\/\/oncall: unknown kind "pager"/],
    [['--alert', 'webhook+http://hooks.example/x'], /plain http is allowed only to loopback/],
    [['--health-port', '70000'], /--health-port must be a whole number from 0 to 65535/],
  ])('watch %j exits 2 with one line', async (args, message) => {
    const home = mkdtempSync(join(dir, 'bad-'));
    const r = await runCommand(null, home, (io) =>
      run(['watch', '--portal', 'http://127.0.0.1:1', '--once', ...args], { ...io, env: { ...io.env, DOCSPACE_API_KEY: `sk-${'0'.repeat(64)}`, DOCSPACE_LOGINS_WEBHOOK_SECRET: SECRET } }),
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('the health endpoint', () => {
  it('answers 503 before a successful cycle, 200 after one, and 503 again once it is stale', async () => {
    const { healthServer } = await import('../src/watch/index.js');
    let now = 1_000_000;
    const health = await healthServer(0, () => now, 60_000);
    cleanups.push(() => health.close());
    const get = async () => {
      const res = await fetch(`http://127.0.0.1:${health.port}/`);
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    expect(await get()).toMatchObject({ status: 503, body: { healthy: false, lastSuccess: null } });
    const report = { startedAt: now, durationMs: 5, portals: [], delivery: { delivered: 0, retry: 0, failed: 0, gone: 0, deferred: 0, lost: 0 }, deliverMs: 0, released: 0, ok: true };
    health.record(report, now);
    expect(await get()).toMatchObject({ status: 200, body: { healthy: true, lastCycleOk: true, lastSuccess: new Date(now).toISOString() } });
    now += 30_000;
    health.record({ ...report, ok: false }, now);
    expect(await get()).toMatchObject({ status: 200, body: { healthy: true, lastCycleOk: false } });
    now += 31_000;
    expect(await get()).toMatchObject({ status: 503, body: { healthy: false } });
  });
});
