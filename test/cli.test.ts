import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../src/index.js';
import { type CliResult, cli } from './helpers/cli.js';
import { body, empty, scriptedServer } from './helpers/scripted-server.js';

const NOW = Date.parse('2025-07-01T10:00:00Z');
const USER_KEY = `sk-${'1'.repeat(64)}`;
const NOSCOPE_KEY = `sk-${'2'.repeat(64)}`;
let emu: RunningEmulator;
let noAudit: RunningEmulator;
let unpaid: RunningEmulator;
const seenOutputs: CliResult[] = [];

async function run(args: string[], env: Record<string, string | undefined> = {}) {
  const r = await cli(args, env);
  seenOutputs.push(r);
  return r;
}

beforeAll(async () => {
  emu = await startEmulator({
    now: NOW,
    seed: 42,
    events: 3000,
    extraKeys: [
      { key: USER_KEY, role: 'user' },
      { key: NOSCOPE_KEY, role: 'noscope' },
    ],
  });
  noAudit = await startEmulator({ now: NOW, seed: 43, events: 300, audit: false });
  unpaid = await startEmulator({ now: NOW, seed: 44, events: 50, unpaid: true });
});

afterAll(async () => {
  await Promise.all([emu?.close(), noAudit?.close(), unpaid?.close()]);
});

const portal = () => ({ DOCSPACE_URL: emu.url, DOCSPACE_API_KEY: emu.apiKey });
/** The emulator's clock is pinned at NOW: periods are given as absolute dates before it. */
const daysBefore = (days: number) => new Date(NOW - days * 86_400_000).toISOString();

describe('users', () => {
  it('prints the unique user ids of the 20 latest events, most recent first, one per line', async () => {
    const r = await run(['users'], portal());
    expect(r.code).toBe(0);
    const ids = r.stdout.trim().split('\n');
    const latest = emu.state.allEvents().slice(0, 20);
    const expected = [
      ...new Set(
        latest.filter((e) => e.userId !== '712d9ec3-5d2b-4b13-824f-71f00191dcca').map((e) => e.userId),
      ),
    ];
    expect(ids).toEqual(expected);
  });

  it('--json prints a JSON array, and --include-anonymous keeps the Guest id', async () => {
    const r = await run(['users', '--json', '--include-anonymous'], portal());
    const ids = JSON.parse(r.stdout) as string[];
    const latest = emu.state.allEvents().slice(0, 20);
    expect(new Set(ids)).toEqual(new Set(latest.map((e) => e.userId)));
  });

  it('says on stderr how many anonymous failures it left out', async () => {
    // Make sure the newest events include a failure typed by someone.
    const seed = await startEmulator({ now: NOW, seed: 42, events: 3000 });
    try {
      await fetch(`${seed.url}/api/2.0/authentication`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ userName: 'nobody@example.com', password: 'wrong' }),
      });
      const r = await run(['users'], { DOCSPACE_URL: seed.url, DOCSPACE_API_KEY: seed.apiKey });
      expect(r.stderr).toMatch(/\d+ anonymous event\(s\).*--include-anonymous/);
      expect(r.stdout).not.toContain('712d9ec3-5d2b-4b13-824f-71f00191dcca');
    } finally {
      await seed.close();
    }
  });

  it('--since 30d --details adds names, emails and counts from the full history', async () => {
    const r = await run(['users', '--since', daysBefore(30), '--details', '--format', 'json'], portal());
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as Array<{
      userId: string;
      name: string;
      email: string;
      successes: number;
    }>;
    expect(rows.length).toBeGreaterThan(3);
    const first = emu.state.findPerson(rows[0].userId);
    expect(rows[0].email).toBe(first?.email);
    expect(rows.every((u) => typeof u.successes === 'number')).toBe(true);
  });
});

describe('events', () => {
  it('streams NDJSON when piped, with UTC dates and the portal offset', async () => {
    const r = await run(['events', '--since', daysBefore(3)], portal());
    expect(r.code).toBe(0);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const expected = emu.state.allEvents().filter((e) => Date.parse(e.date) >= NOW - 3 * 86_400_000);
    expect(expected.length).toBeGreaterThan(10);
    expect(lines).toHaveLength(expected.length);
    expect(new Set(lines.map((e) => e.id))).toEqual(new Set(expected.map((e) => e.id)));
    for (const e of lines) expect(e.date).toMatch(/Z$/);
  });

  it('filters by --kind failure and --limit', async () => {
    const r = await run(['events', '--kind', 'failure', '--limit', '7'], portal());
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(7);
    expect(lines.every((e) => e.kind === 'failure' && e.anonymous)).toBe(true);
  });

  it('--user with an email matches that person and the failures typed with it', async () => {
    const failure = emu.state
      .allEvents()
      .find((e) => e.actionId === 1013 && e.login && emu.state.findPerson(e.login));
    const person = emu.state.findPerson(failure!.login!)!;
    const r = await run(['events', '--user', person.email], portal());
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.some((e) => e.userId === person.id)).toBe(true);
    expect(lines.some((e) => e.anonymous && e.login.toLowerCase() === person.email.toLowerCase())).toBe(true);
  });

  it('writes CSV to --output, inferring the format from the extension', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dl-cli-'));
    const file = join(dir, 'events.csv');
    const r = await run(['events', '--limit', '50', '--output', file], portal());
    expect(r.code).toBe(0);
    const rows = parse(readFileSync(file), { columns: true }) as Array<Record<string, string>>;
    expect(rows).toHaveLength(50);
    expect(Object.keys(rows[0])).toContain('Action');
  });

  it('prints what it has, warns and exits 7 when the portal lacks the audit feature', async () => {
    const r = await run(['events', '--since', daysBefore(30)], {
      DOCSPACE_URL: noAudit.url,
      DOCSPACE_API_KEY: noAudit.apiKey,
    });
    expect(r.code).toBe(7);
    expect(r.stderr).toMatch(/audit feature/);
    expect(r.stdout.trim().split('\n').length).toBeLessThanOrEqual(20);
  });
});

describe('errors: one line, a distinct exit code, no stack trace', () => {
  const cases: Array<[string, () => string[], () => Record<string, string>, number, RegExp]> = [
    ['an unknown flag', () => ['events', '--bogus'], () => portal(), 2, /unknown option/],
    [
      'an invalid date',
      () => ['events', '--since', 'last tuesday'],
      () => portal(),
      2,
      /--since "last tuesday" is not a date/,
    ],
    [
      '--since after --until',
      () => ['events', '--since', '2025-06-02', '--until', '2025-06-01'],
      () => portal(),
      2,
      /after --until/,
    ],
    ['an invalid kind', () => ['events', '--kind', 'maybe'], () => portal(), 2, /--kind "maybe"/],
    ['an invalid action code', () => ['events', '--action', '4242'], () => portal(), 2, /--action "4242"/],
    [
      'a malformed user id',
      () => ['events', '--user', '712d9ec3-5d2b-4b13-824f-zzzz'],
      () => portal(),
      2,
      /not a valid GUID/,
    ],
    ['no portal configured', () => ['users'], () => ({}), 2, /No portal configured.*--demo/],
    [
      'a key that is not a DocSpace key',
      () => ['users'],
      () => ({ DOCSPACE_URL: emu.url, DOCSPACE_API_KEY: 'hunter2' }),
      2,
      /does not look like a DocSpace key/,
    ],
    [
      'plain http to a remote host',
      () => ['users', '--portal', 'http://portal.example.com'],
      () => ({ DOCSPACE_API_KEY: emu.apiKey }),
      2,
      /plain http/,
    ],
    [
      'a wrong key',
      () => ['users'],
      () => ({ DOCSPACE_URL: emu.url, DOCSPACE_API_KEY: `sk-${'f'.repeat(64)}` }),
      3,
      /refused the credentials \(401\)/,
    ],
    [
      'a key whose owner is not an admin',
      () => ['users'],
      () => ({ DOCSPACE_URL: emu.url, DOCSPACE_API_KEY: USER_KEY }),
      4,
      /403.*admin/,
    ],
    [
      'a key without the read scope',
      () => ['users'],
      () => ({ DOCSPACE_URL: emu.url, DOCSPACE_API_KEY: NOSCOPE_KEY }),
      4,
      /scope/,
    ],
    [
      'an unpaid portal',
      () => ['users'],
      () => ({ DOCSPACE_URL: unpaid.url, DOCSPACE_API_KEY: unpaid.apiKey }),
      4,
      /402/,
    ],
    [
      'nothing listening',
      () => ['users', '--retries', '1', '--portal', 'http://127.0.0.1:9'],
      () => ({ DOCSPACE_API_KEY: emu.apiKey }),
      6,
      /refused/,
    ],
  ];

  it.each(cases)('%s', async (_name, args, env, code, message) => {
    const r = await run(args(), env());
    expect(r.code).toBe(code);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(
      r.stderr
        .trim()
        .split('\n')
        .filter((l) => l.startsWith('error:')),
    ).toHaveLength(1);
  });

  it('an HTML page instead of the API exits 5', async () => {
    const server = await scriptedServer(body(200, 'text/html', '<!doctype html><title>Login</title>'));
    try {
      const r = await run(['users', '--portal', server.url], { DOCSPACE_API_KEY: emu.apiKey });
      expect(r.code).toBe(5);
      expect(r.stderr).toMatch(/HTML page/);
    } finally {
      await server.close();
    }
  });

  it('a 404 exits 5', async () => {
    const server = await scriptedServer(empty(404));
    try {
      const r = await run(['users', '--portal', server.url], { DOCSPACE_API_KEY: emu.apiKey });
      expect(r.code).toBe(5);
      expect(r.stderr).toMatch(/No DocSpace API/);
    } finally {
      await server.close();
    }
  });

  it('persistent 503 exits 6 after retries', async () => {
    const server = await scriptedServer(empty(503));
    try {
      const r = await run(['users', '--retries', '1', '--portal', server.url], {
        DOCSPACE_API_KEY: emu.apiKey,
      });
      expect(r.code).toBe(6);
      expect(server.requests.length).toBe(2);
    } finally {
      await server.close();
    }
  });

  it('a time-out exits 6', async () => {
    const server = await scriptedServer(() => {});
    try {
      const r = await run(['users', '--retries', '0', '--timeout', '1', '--portal', server.url], {
        DOCSPACE_API_KEY: emu.apiKey,
      });
      expect(r.code).toBe(6);
      expect(r.stderr).toMatch(/did not answer within 1 s/);
    } finally {
      await server.close();
    }
  });

  it('a key file that is missing is a usage error', async () => {
    const r = await run(['users', '--portal', emu.url, '--api-key-file', '/nonexistent/key']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Cannot read the API key file/);
  });

  it('logs in with DOCSPACE_USER and DOCSPACE_PASSWORD and uses the session token', async () => {
    const before = emu.state.allEvents().length;
    const r = await run(['users'], { DOCSPACE_URL: emu.url, DOCSPACE_USER: emu.user.email, DOCSPACE_PASSWORD: emu.user.password });
    expect(r.code, r.stderr).toBe(0);
    // The login is a 1010 event, like on a real portal, and the run ends its session with a
    // logout (1006) that names the session by its cookie, the only way the server ends one.
    const [logout, login] = emu.state.allEvents();
    expect(emu.state.allEvents().length).toBe(before + 2);
    expect(login.actionId).toBe(1010);
    expect(logout.actionId).toBe(1006);
    expect(logout.userId).toBe(login.userId);
    expect(r.stdout.split('\n')[0]).toBe(login.userId);
  });

  it('a wrong password exits 3 and names the variables to check', async () => {
    const r = await run(['users'], { DOCSPACE_URL: emu.url, DOCSPACE_USER: emu.user.email, DOCSPACE_PASSWORD: 'not-it' });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/DOCSPACE_USER and DOCSPACE_PASSWORD/);
    expect(r.stderr).not.toContain('not-it');
  });

  it('reads the key from --api-key-file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dl-key-'));
    const file = join(dir, 'key');
    writeFileSync(file, `${emu.apiKey}\n`, { mode: 0o600 });
    const r = await run(['users', '--portal', emu.url, '--api-key-file', file]);
    expect(r.code).toBe(0);
  });
});

describe('secrets', () => {
  it('--debug shows requests but never the key', async () => {
    const r = await run(['events', '--limit', '3', '--debug'], portal());
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/debug: GET http/);
    seenOutputs.push(r);
  });

  it('the API key never appears in any output of this suite', () => {
    expect(seenOutputs.length).toBeGreaterThan(10);
    const keys = [emu.apiKey, USER_KEY, NOSCOPE_KEY, `sk-${'f'.repeat(64)}`, unpaid.apiKey, noAudit.apiKey];
    for (const out of seenOutputs) {
      for (const key of keys) {
        expect(out.stdout).not.toContain(key);
        expect(out.stderr).not.toContain(key);
      }
    }
  });
});

describe('demo and version', () => {
  it('--demo needs no configuration', async () => {
    const r = await run(['users', '--demo']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n').length).toBeGreaterThan(2);
    expect(r.stderr).toMatch(/built-in DocSpace emulator/);
  });

  it('--version prints the package version, then the geo data attribution', async () => {
    const r = await run(['--version']);
    const [version, attribution] = r.stdout.trim().split('\n');
    expect(version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(attribution).toMatch(/GeoNames \(CC BY 4\.0\)/);
  });
});
