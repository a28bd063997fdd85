/**
 * `docspace-logins report`, the command: every output format read back, the chart on a terminal,
 * `--live` against the emulator giving what the archive gives, `inactive` with the people API,
 * and the usage errors. Commands run in-process with captured stdout and stderr.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Command, CommanderError, Option } from 'commander';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ReportFlags, registerReportCommand, reportCommand } from '../src/cli/commands/report.js';
import { type CliIo, Reporter } from '../src/cli/io.js';
import { actionKind, type RunningEmulator, startEmulator, UsageError } from '../src/index.js';
import { openStore } from '../src/store/index.js';
import { syncInto } from './helpers/archive.js';

const NOW = Date.parse('2025-07-01T10:00:00Z');
const DAY = 86_400_000;
const SINCE = new Date(NOW - 20 * DAY).toISOString();
// An hour past the emulator's start: the failed login typed below falls inside.
const UNTIL = new Date(NOW + 3_600_000).toISOString();
const FORMULA = '=HYPERLINK("http://evil.example/?x", "click")';

class Capture extends Writable {
  chunks: Buffer[] = [];
  isTTY?: boolean;
  columns = 100;
  constructor(tty = false) {
    super();
    if (tty) this.isTTY = true;
  }
  override _write(chunk: Buffer, _enc: string, cb: () => void) {
    this.chunks.push(Buffer.from(chunk));
    cb();
  }
  get text() {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

let emu: RunningEmulator;
let dir: string;
let db: string;

beforeAll(async () => {
  emu = await startEmulator({ now: NOW, seed: 12, users: 30, events: 3000, days: 40 });
  dir = mkdtempSync(join(tmpdir(), 'dl-report-cli-'));
  db = join(dir, 'archive.sqlite');
  // An attacker types a spreadsheet formula as the login.
  await fetch(`${emu.url}/api/2.0/authentication`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ userName: FORMULA, password: 'wrong' }),
  });
  await syncInto(emu, db);
});

afterAll(async () => {
  await emu?.close();
});

async function report(name: string, flags: ReportFlags = {}, opts: { tty?: boolean } = {}) {
  const stdout = new Capture(opts.tty);
  const stderr = new Capture();
  const io: CliIo = {
    stdout,
    stderr,
    env: { HOME: dir, XDG_CONFIG_HOME: join(dir, 'config'), DOCSPACE_URL: emu.url, DOCSPACE_API_KEY: emu.apiKey, NO_COLOR: '1' },
  };
  const code = await reportCommand(name, { db, since: SINCE, until: UNTIL, quiet: true, ...flags }, io, new Reporter(io, true));
  return { code, stdout: stdout.text, stderr: stderr.text };
}

const json = async (name: string, flags: ReportFlags = {}) => {
  const r = await report(name, { format: 'json', ...flags });
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as Array<Record<string, unknown>>;
};

describe('report output formats', () => {
  it('users in JSON, NDJSON, CSV, XLSX and a table all carry the same rows', async () => {
    const rows = await json('users', { tz: 'UTC', sort: 'name' });
    expect(rows.length).toBeGreaterThan(10);

    const nd = await report('users', { tz: 'UTC', sort: 'name', format: 'ndjson' });
    expect(nd.stdout.trim().split('\n').map((l) => JSON.parse(l))).toEqual(rows);

    const csv = await report('users', { tz: 'UTC', sort: 'name', format: 'csv' });
    const records = parse(csv.stdout, { columns: true }) as Array<Record<string, string>>;
    expect(records).toHaveLength(rows.length);
    records.forEach((c, i) => {
      const j = rows[i];
      expect(c['User ID']).toBe(j.userId);
      expect(c.Name).toBe(j.name);
      expect(Number(c.Successes)).toBe(j.successes);
      expect(Number(c.Failures)).toBe(j.failures);
      expect(Number(c.IPs)).toBe(j.ips);
      expect(c.Countries).toBe((j.countries as string[]).join('; '));
      expect(c['Last login'] ? Date.parse(c['Last login']) : null).toBe(j.lastLogin ? Date.parse(j.lastLogin as string) : null);
    });

    const file = join(dir, 'users.xlsx');
    const x = await report('users', { tz: 'UTC', sort: 'name', output: file });
    expect(x.code).toBe(0);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    const sheet = wb.getWorksheet('Users')!;
    expect(sheet.getRow(1).values).toContain('Last login');
    const header = (sheet.getRow(1).values as unknown[]).slice(1) as string[];
    const col = (name: string) => header.indexOf(name) + 1;
    expect(sheet.rowCount).toBe(rows.length + 1);
    rows.forEach((j, i) => {
      const row = sheet.getRow(i + 2);
      expect(row.getCell(col('User ID')).value).toBe(j.userId);
      expect(row.getCell(col('Failures')).value).toBe(j.failures);
      const last = row.getCell(col('Last seen')).value;
      // A real date cell, holding the time as shown in the report's zone (UTC here).
      expect(last).toBeInstanceOf(Date);
      expect((last as Date).getTime()).toBe(Date.parse(j.lastSeen as string));
    });

    const table = await report('users', { tz: 'UTC', sort: 'name', format: 'table' });
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^User ID\s+Name\s+Email\s+First login\s+Last login/);
    expect(lines).toHaveLength(rows.length + 1);
    expect(lines[1]).toContain(rows[0].userId as string);
  });

  it('--excel CSV starts with a BOM and ends lines with CRLF; a formula-like login is neutralised', async () => {
    const r = await report('failures', { format: 'csv', excel: true });
    expect(r.stdout.startsWith('\uFEFF')).toBe(true);
    expect(r.stdout).toContain('\r\n');
    const records = parse(r.stdout.slice(1), { columns: true }) as Array<Record<string, string>>;
    const typed = records.find((rec) => rec['Login or IP'].includes('hyperlink'));
    expect(typed?.['Login or IP']).toBe(`'${FORMULA.toLowerCase()}`);
    for (const rec of records) expect(rec['Login or IP']).not.toMatch(/^[=+\-@]/);
    // XLSX writes it as a plain string cell, never a formula.
    const file = join(dir, 'failures.xlsx');
    await report('failures', { output: file });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    const cells: unknown[] = [];
    wb.getWorksheet('Failures')!.eachRow((row) => cells.push(row.getCell(2).value));
    expect(cells).toContain(FORMULA.toLowerCase());
  });

  it('summary: one JSON object; a section / item / value table; CSV with the same lines', async () => {
    const s = (await json('summary', { tz: 'Europe/Berlin' })) as unknown as Record<string, unknown>;
    expect(s).toMatchObject({ zone: 'Europe/Berlin', since: SINCE, until: UNTIL });
    expect(s.events).toBeGreaterThan(100);
    const nd = await report('summary', { tz: 'Europe/Berlin', format: 'ndjson' });
    expect(JSON.parse(nd.stdout)).toEqual(s);
    const csv = parse((await report('summary', { format: 'csv' })).stdout, { columns: true }) as Array<Record<string, string>>;
    expect(csv.find((l) => l.Section === 'events' && l.Item === 'total')?.Value).toBe(String(s.events));
    const table = (await report('summary', { format: 'table' })).stdout;
    expect(table).toMatch(/busiest\s+hour\s+\d\d:00–\d\d:00 \(\d+ events\)/);
  });

  it('daily: a bar chart follows the table on a terminal, not in a pipe, and not with --no-chart', async () => {
    const tty = await report('daily', { tz: 'UTC' }, { tty: true });
    expect(tty.stdout).toMatch(/^Date\s+Successes/);
    expect(tty.stdout).toContain('Events per day (UTC):');
    expect(tty.stdout).toMatch(/\d{4}-\d\d-\d\d\s+\d+ █/);
    const off = await report('daily', { tz: 'UTC', chart: false }, { tty: true });
    expect(off.stdout).not.toContain('Events per day');
    const piped = await report('daily', { tz: 'UTC', format: 'table' });
    expect(piped.stdout).not.toContain('Events per day');
    const rows = await json('daily', { tz: 'UTC' });
    expect(rows).toHaveLength(21);
    expect(rows[0].date).toBe(SINCE.slice(0, 10));
  });

  it('top reports honour --top', async () => {
    const rows = await json('ips', { top: '3' });
    expect(rows).toHaveLength(3);
    expect(rows[0]).toHaveProperty('ip');
    expect((rows[0].events as number) >= (rows[1].events as number)).toBe(true);
  });
});

describe('report --live', () => {
  it('failures and daily from the portal itself equal the archive answers', async () => {
    for (const name of ['failures', 'daily', 'users']) {
      const archived = await json(name, { tz: 'Europe/Berlin' });
      const live = await report(name, { tz: 'Europe/Berlin', format: 'json', live: true });
      expect(live.code, `${name}: ${live.stderr}`).toBe(0);
      const rows = JSON.parse(live.stdout);
      if (name === 'users') {
        // Live, the people API names every member's email: at least as many failures are credited.
        expect(rows.map((r: { userId: string }) => r.userId)).toEqual(archived.map((r) => r.userId));
        rows.forEach((r: { failures: number; successes: number }, i: number) => {
          expect(r.successes).toBe(archived[i].successes);
          expect(r.failures).toBeGreaterThanOrEqual(archived[i].failures as number);
        });
      } else {
        expect(rows, name).toEqual(archived);
      }
    }
  });
});

describe('report inactive', () => {
  it('lists every member without a login in --days days from the archived directory: invited ones as pending, disabled ones left out', async () => {
    const rows = await json('inactive', { days: '10', since: undefined });
    const members = emu.state.people.filter((p) => (p.status === 1 || p.status === 4) && !p.deleted);
    expect(members.some((p) => p.status === 4)).toBe(true);
    for (const p of members.filter((m) => m.status === 4)) {
      expect(rows.find((r) => r.userId === p.id)?.pending, p.displayName).toBe(true);
    }
    const disabled = emu.state.people.filter((p) => p.status === 2 && !p.deleted);
    expect(disabled.length).toBeGreaterThan(0);
    for (const p of disabled) expect(rows.some((r) => r.userId === p.id)).toBe(false);

    const never = members.filter((p) => p.neverLoggedIn);
    expect(never.length).toBeGreaterThan(0);
    for (const p of never) {
      const row = rows.find((r) => r.userId === p.id);
      expect(row, p.displayName).toMatchObject({ lastLogin: null, daysInactive: null, email: p.email });
      expect(Date.parse(row!.registered as string)).toBe(p.registered);
    }
    // Everyone listed is a member, and everyone with a login in the last 10 days is not listed.
    const ids = new Set(members.map((p) => p.id));
    for (const r of rows) expect(ids.has(r.userId as string)).toBe(true);
    const asOf = Date.parse(UNTIL);
    const recent = new Set(
      emu.state
        .allEvents()
        .filter((e) => actionKind(e.actionId) === 'success')
        .filter((e) => Date.parse(e.date) >= asOf - 10 * DAY && Date.parse(e.date) <= asOf)
        .map((e) => e.userId),
    );
    const inactive = members.filter((p) => !recent.has(p.id));
    expect(rows.map((r) => r.userId).sort()).toEqual(inactive.map((p) => p.id).sort());
    // With --days 0 everyone is "inactive": --include-disabled adds exactly the disabled members.
    const everyone = await json('inactive', { days: '0', since: undefined });
    const withDisabled = await json('inactive', { days: '0', since: undefined, includeDisabled: true });
    expect(everyone.map((r) => r.userId).sort()).toEqual(members.map((p) => p.id).sort());
    expect(withDisabled.map((r) => r.userId).sort()).toEqual([...members, ...disabled].map((p) => p.id).sort());
    const role = { owner: 'owner', admin: 'admin', roomAdmin: 'room admin', user: 'user', guest: 'guest' };
    for (const r of rows) expect(r.role).toBe(role[members.find((p) => p.id === r.userId)!.role]);
  });

  it('--live gives the same list from the portal history', async () => {
    const archived = await json('inactive', { days: '10', since: undefined });
    const live = await report('inactive', { days: '10', since: undefined, format: 'json', live: true });
    expect(live.code).toBe(0);
    expect(JSON.parse(live.stdout)).toEqual(archived);
  });

  it('an archive without that portal says to sync first or use --live', async () => {
    const other = join(dir, 'other.sqlite');
    const store = await openStore(other);
    await store.ensurePortal({ url: 'https://other.example.com' });
    await store.close();
    await expect(report('inactive', { db: other, since: undefined })).rejects.toThrow(
      /nothing for .* run docspace-logins sync/,
    );
  });
});

describe('report usage errors', () => {
  it('refuses what cannot work, before doing any work', async () => {
    await expect(report('weekly')).rejects.toThrow(UsageError);
    await expect(report('daily', { days: '3' })).rejects.toThrow(/--days is for the inactive report/);
    await expect(report('daily', { sort: 'name' })).rejects.toThrow(/--sort is for the users report/);
    await expect(report('users', { sort: 'height' })).rejects.toThrow(/not one of/);
    await expect(report('daily', { tz: 'Atlantis/Capital' })).rejects.toThrow(/not a time zone/);
    await expect(report('daily', { format: 'xlsx' })).rejects.toThrow(/--output FILE.xlsx/);
    await expect(report('daily', { format: 'ecs' })).rejects.toThrow(/not one of/);
    await expect(report('daily', { live: true, all: true })).rejects.toThrow(/--live reads one portal/);
    await expect(report('daily', { top: '0' })).rejects.toThrow(/--top/);
  });

  it('--since all reads the whole history; the default is the 30 days before --until', async () => {
    const all = await json('daily', { since: 'all', tz: 'UTC' });
    expect(all.length).toBeGreaterThan(35);
    const r = await report('summary', { since: undefined, until: UNTIL, format: 'json' });
    expect(JSON.parse(r.stdout).since).toBe(new Date(Date.parse(UNTIL) - 30 * DAY).toISOString());
  });

  it('a duration --since counts back from a fixed --until; with a relative --until both count from now', async () => {
    const r = await report('summary', { since: '10d', until: UNTIL, format: 'json' });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ since: new Date(Date.parse(UNTIL) - 10 * DAY).toISOString(), until: UNTIL });
    const before = Date.now();
    const rel = JSON.parse((await report('summary', { since: '14d', until: '7d', format: 'json' })).stdout);
    const after = Date.now();
    expect(Date.parse(rel.since)).toBeGreaterThanOrEqual(before - 14 * DAY);
    expect(Date.parse(rel.since)).toBeLessThanOrEqual(after - 14 * DAY);
    expect(Date.parse(rel.until) - Date.parse(rel.since)).toBe(7 * DAY);
  });
});

describe('registerReportCommand', () => {
  function program(run?: (flags: ReportFlags) => void) {
    const p = new Command().exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
    const io: CliIo = { stdout: new Capture(), stderr: new Capture(), env: { HOME: dir } };
    registerReportCommand(p, {
      connectionOptions: (c) => c.option('--portal <url>').option('--profile <name>').option('--demo'),
      outputOptions: (c) =>
        c
          .addOption(new Option('--format <format>').choices(['table', 'json', 'ndjson', 'csv', 'xlsx', 'ecs']))
          .option('--output <file>')
          .option('--excel'),
      commonOptions: (c) => c.option('--debug').option('-q, --quiet'),
      // What run.ts's `action` does, minus the exit code bookkeeping.
      action: (fn) => async (flags) => {
        run?.(flags as ReportFlags);
        await fn(flags, io, new Reporter(io, true));
      },
    });
    return p;
  }

  it('declares report <name> with its options and hands them to the report', async () => {
    let seen: ReportFlags | undefined;
    const p = program((f) => (seen = f));
    // `--days` with a report other than inactive fails inside the report: proof the name got there.
    await expect(
      p.parseAsync(
        ['report', 'users', '--db', db, '--tz', 'UTC', '--sort', 'failures', '--user', 'a', '--user', 'b', '--no-chart', '--days', '3'],
        { from: 'user' },
      ),
    ).rejects.toThrow(/--days is for the inactive report/);
    expect(seen).toMatchObject({ db, tz: 'UTC', sort: 'failures', user: ['a', 'b'], chart: false, days: '3' });
  });

  it('rejects an unknown report name as a usage error of the command line', async () => {
    await expect(program().parseAsync(['report', 'weekly'], { from: 'user' })).rejects.toBeInstanceOf(CommanderError);
  });

  it('its help lists every report', () => {
    const p = program();
    let help = '';
    p.commands[0].configureOutput({ writeOut: (s) => (help += s) });
    p.commands[0].outputHelp();
    for (const name of ['summary', 'users', 'failures', 'inactive', 'ips', 'countries', 'browsers', 'platforms', 'daily']) {
      expect(help).toMatch(new RegExp(`\\b${name}\\b`));
    }
  });
});
