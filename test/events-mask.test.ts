/**
 * `events --mask-logins` (the default): a password typed into the login field never leaves the
 * tool in clear, in any format, live or from the archive, on the two-thread export path too; it
 * shows as the keyed hash its DSL-014 finding is grouped by. The failures are made through the
 * emulator's real login endpoint, then buried under 20,000 newer events, so the two-thread export
 * formats them in its worker.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redactLogin } from '../src/detect/index.js';
import { type EmulatorPerson, type RunningEmulator, startEmulator } from '../src/emulator/index.js';
import type { LoginEvent } from '../src/model/event.js';
import { loginMasker, maskedOriginal } from '../src/output/index.js';
import { syncInto } from './helpers/archive.js';
import { cli } from './helpers/cli.js';

const START = Date.parse('2025-07-01T08:00:00Z');
const TYPED_PASSWORD = 'Tr0ub4dor&3x!';
/** Rows of the export's first segment (src/export): what lies beyond is formatted by the worker. */
const FIRST_SEGMENT = 16_384;

let now = START;
let emu: RunningEmulator;
let member: EmulatorPerson;
let dir: string;
let db: string;
/** The DSL-014 finding's group: the keyed hash of the typed password. */
let group: string;

const env = () => ({ DOCSPACE_URL: emu.url, DOCSPACE_API_KEY: emu.apiKey });
/** Live reads cover the attempts only, not the 20,000 events after them. */
const iso = (ms: number) => `${new Date(ms).toISOString().slice(0, 19)}Z`;
const attemptsOnly = ['--since', iso(START - 60_000), '--until', iso(START + 600_000)];

/** One failed login through the real endpoint, typed as `userName`. */
async function attempt(userName: string): Promise<void> {
  now += 20_000;
  const res = await fetch(`${emu.url}/api/2.0/authentication`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': '198.51.100.50' },
    body: JSON.stringify({ userName, password: 'not-the-password' }),
  });
  expect(res.status).toBe(401);
  await res.arrayBuffer();
}

async function events(args: string[], extraEnv: Record<string, string> = {}): Promise<{ stdout: string; stderr: string }> {
  const r = await cli(['events', ...args], { ...env(), ...extraEnv });
  expect(r.code, r.stderr).toBe(0);
  return r;
}

/** Every cell of the workbook `events --output FILE.xlsx` wrote, as text. */
async function xlsxText(args: string[]): Promise<string> {
  const file = join(dir, `events-${Math.random().toString(36).slice(2)}.xlsx`);
  await events([...args, '--output', file, '-q']);
  const book = new ExcelJS.Workbook();
  await book.xlsx.readFile(file);
  const cells: string[] = [];
  book.worksheets[0].eachRow((row) => row.eachCell((c) => void cells.push(String(c.value))));
  return cells.join('\n');
}

/** The output of `events` in every format, each as text (XLSX: its cells). */
async function everyFormat(args: string[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const format of ['table', 'csv', 'json', 'ndjson', 'ecs']) {
    out[format] = (await events([...args, '--format', format, ...(format === 'table' ? ['--wide'] : []), '-q'])).stdout;
  }
  out['ecs --ecs-original'] = (await events([...args, '--format', 'ecs', '--ecs-original', '-q'])).stdout;
  out.xlsx = await xlsxText(args);
  return out;
}

beforeAll(async () => {
  emu = await startEmulator({ seed: 11, users: 30, events: 0, now: START, clock: () => now });
  // A user name without a digit: `anna.schmidt2` is shaped like a password, and only the people
  // directory (not at hand in a live read without an archive) says it is a member's.
  member = emu.state.people.find((p) => p.status === 1 && !p.deleted && p.role === 'user' && !/\d/.test(p.userName))!;
  // A password typed as the login, and the member's own e-mail and user name typed with a wrong password.
  await attempt(TYPED_PASSWORD);
  await attempt(member.email);
  await attempt(member.userName);
  // 20,000 newer events, from a quarter of an hour later (past the live reads' period), ten a second.
  now += 15 * 60_000;
  for (let i = 0; i < 2000; i++) {
    now += 1000;
    emu.state.appendEvents(10);
  }
  dir = mkdtempSync(join(tmpdir(), 'dl-mask-'));
  db = join(dir, 'archive.sqlite');
  await syncInto(emu, db);
  const r = await cli(['detect', '--db', db, '--since', 'all', '--format', 'json', '--rule', 'DSL-014', '-q'], env());
  expect(r.code, r.stderr).toBe(0);
  const findings = JSON.parse(r.stdout) as Array<{ rule: string; group: string }>;
  group = findings.find((f) => f.rule === 'DSL-014')!.group;
  expect(group).toMatch(/^hmac:[0-9a-f]{16}$/);
}, 180_000);

afterAll(async () => {
  await emu?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('events --mask-logins', () => {
  it('from the archive, no format shows the typed password: each shows the finding group instead', async () => {
    const out = await everyFormat(['--archive', '--db', db, '--kind', 'failure', '--mask-logins', '--limit', '25000']);
    for (const [format, text] of Object.entries(out)) {
      expect(text, format).not.toContain(TYPED_PASSWORD);
      expect(text, format).toContain(group);
      // Ordinary logins stay as typed (a table cuts the long e-mail).
      if (format !== 'table') expect(text, format).toContain(member.email);
      expect(text, format).toContain(member.userName);
    }
  }, 120_000);

  it('the two-thread export masks what its worker formats, and the hash is the finding group', async () => {
    const { stdout } = await events(['--archive', '--db', db, '--format', 'ndjson', '-q']);
    expect(stdout).not.toContain(TYPED_PASSWORD);
    const rows = stdout.trim().split('\n').map((l) => JSON.parse(l) as { login: string | null; user: string });
    const at = rows.findIndex((r) => r.login === group);
    // Beyond the first segment: the worker thread wrote this row.
    expect(at).toBeGreaterThanOrEqual(FIRST_SEGMENT);
    expect(rows[at].user).toBe(group);
    expect(rows.some((r) => r.login === member.email)).toBe(true);
    for (const format of ['csv', 'ecs']) {
      const text = (await events(['--archive', '--db', db, '--format', format, '-q'])).stdout;
      expect(text, format).not.toContain(TYPED_PASSWORD);
      expect(text, format).toContain(group);
    }
  }, 120_000);

  it('live with the archive named: every format masks with the archive key, so the hash is the finding group', async () => {
    const out = await everyFormat([...attemptsOnly, '--db', db, '--mask-logins']);
    for (const [format, text] of Object.entries(out)) {
      expect(text, format).not.toContain(TYPED_PASSWORD);
      expect(text, format).toContain(group);
      expect(text, format).toContain(member.userName);
    }
  }, 120_000);

  it('live without an archive: masked with a key of the run, said on stderr, joining no finding', async () => {
    const r = await events([...attemptsOnly, '--format', 'ndjson']);
    expect(r.stdout).not.toContain(TYPED_PASSWORD);
    expect(r.stdout).not.toContain(group);
    const masked = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { login: string | null }).filter((e) => e.login?.startsWith('hmac:'));
    expect(masked).toHaveLength(1);
    expect(r.stderr).toContain('key of this run only');
  });

  it('--no-mask-logins shows the typed value, for an admin who needs it', async () => {
    const live = await events([...attemptsOnly, '--format', 'csv', '--no-mask-logins']);
    expect(live.stdout).toContain(TYPED_PASSWORD);
    const archived = await events(['--archive', '--db', db, '--format', 'ndjson', '--no-mask-logins', '-q']);
    expect(archived.stdout).toContain(TYPED_PASSWORD);
    expect(archived.stdout).not.toContain(group);
  }, 60_000);
});

describe('report failures --mask-logins', () => {
  /** The report's rows grouped by typed login. */
  async function loginRows(args: string[]): Promise<{ rows: Array<{ group: string; key: string; failures: number }>; stderr: string }> {
    const r = await cli(['report', 'failures', '--format', 'json', ...args], env());
    expect(r.code, r.stderr).toBe(0);
    const rows = (JSON.parse(r.stdout) as Array<{ group: string; key: string; failures: number }>).filter((x) => x.group === 'login');
    return { rows, stderr: r.stderr };
  }
  const period = ['--since', iso(START - 60_000), '--until', iso(START + 600_000)];

  it('archived and live, a typed password is one keyed hash of the archive, never in clear; members as typed', async () => {
    const archived = await loginRows(['--db', db, ...period]);
    const live = await loginRows(['--live', '--db', db, ...period]);
    for (const { rows } of [archived, live]) {
      const text = JSON.stringify(rows);
      expect(text).not.toContain(TYPED_PASSWORD);
      expect(text).not.toContain(TYPED_PASSWORD.toLowerCase());
      expect(rows.filter((r) => r.key.startsWith('hmac:'))).toHaveLength(1);
      expect(rows.map((r) => r.key)).toContain(member.email.toLowerCase());
    }
    // One answer: both paths hash the case-folded login (the report groups logins by it) with one key.
    expect(live.rows).toEqual(archived.rows);
  }, 60_000);

  it('--no-mask-logins shows the login as the report groups it (case-folded)', async () => {
    const { rows } = await loginRows(['--db', db, ...period, '--no-mask-logins']);
    expect(rows.map((r) => r.key)).toContain(TYPED_PASSWORD.toLowerCase());
    expect(rows.some((r) => r.key.startsWith('hmac:'))).toBe(false);
  });
});

describe('loginMasker', () => {
  const failure = (login: string | null, over: Partial<LoginEvent> = {}): LoginEvent => ({
    id: 1, time: START, offsetMinutes: 0, userId: '712d9ec3-5d2b-4b13-824f-71f00191dcca', user: login ?? 'Anonymous',
    login, anonymous: true, actionId: 1013, action: 'Failed Login via API', kind: 'failure', ip: '198.51.100.7',
    country: '', city: '', browser: null, platform: null, page: null, ...over,
  });

  it('masks login and user with the keyed hash DSL-014 groups by; leaves e-mails, user names and names', () => {
    const mask = loginMasker({ key: 'k' });
    expect(mask(failure('Summer2024'))).toMatchObject({ login: redactLogin('Summer2024', 'k'), user: redactLogin('Summer2024', 'k') });
    for (const login of ['anna@example.com', 'jsmith2', 'Anna Schmidt', null]) {
      const e = failure(login);
      expect(mask(e)).toBe(e);
    }
    // A signed-in member's event carries a name the server wrote, not a typed one, as DSL-014 reads it.
    const signedIn = failure('AnnaSchmidt2025', { anonymous: false, actionId: 1006, kind: 'logout' });
    expect(mask(signedIn)).toBe(signedIn);
  });

  it('a member whose user name looks like a password is shown when the directory is given', () => {
    const e = failure('anna.schmidt2');
    expect(loginMasker({ key: 'k' })(e).login).toBe(redactLogin('anna.schmidt2', 'k'));
    expect(loginMasker({ key: 'k', people: [{ id: 'A1', userName: 'Anna.Schmidt2' }] })(e)).toBe(e);
  });

  it('each portal of a read of several is masked with its own key', () => {
    const mask = loginMasker({ key: 'run', portals: { 'https://a.test': { key: 'ka' }, 'https://b.test': { key: 'kb' } } });
    expect(mask(failure('Summer2024', { portal: 'https://a.test' })).login).toBe(redactLogin('Summer2024', 'ka'));
    expect(mask(failure('Summer2024', { portal: 'https://b.test' })).login).toBe(redactLogin('Summer2024', 'kb'));
    expect(mask(failure('Summer2024', { portal: 'https://c.test' })).login).toBe(redactLogin('Summer2024', 'run'));
  });

  it('masks the served original the same way, and leaves an unmasked one byte for byte', () => {
    const mask = loginMasker({ key: 'k' });
    const served = '{"id":1,"user":"Summer2024","userId":"x","login":"Summer2024","actionId":1013}';
    const e = failure('Summer2024', { user: 'Summer2024' });
    const shown = JSON.parse(maskedOriginal(served, e, mask(e))) as Record<string, unknown>;
    expect(shown).toEqual({ id: 1, user: redactLogin('Summer2024', 'k'), userId: 'x', login: redactLogin('Summer2024', 'k'), actionId: 1013 });
    const plain = failure('anna@example.com');
    const text = '{"id":1,  "login":"anna@example.com"}';
    expect(maskedOriginal(text, plain, mask(plain))).toBe(text);
  });
});
