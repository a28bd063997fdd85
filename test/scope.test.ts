/**
 * One scope rule: archive commands read the portal the command is configured for (the one a live
 * read would ask), `--all` reads every archived portal, and `--demo` never touches the user's
 * own archive.
 */
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../src/index.js';
import { syncInto } from './helpers/archive.js';
import { run } from '../src/cli/run.js';
import { cli } from './helpers/cli.js';
import { runCommand } from './helpers/run-command.js';

const NOW = Date.parse('2025-07-01T10:00:00Z');
let a: RunningEmulator;
let b: RunningEmulator;
let db: string;

beforeAll(async () => {
  a = await startEmulator({ now: NOW, seed: 31, events: 300, days: 10 });
  b = await startEmulator({ now: NOW, seed: 32, events: 500, days: 10 });
  db = join(mkdtempSync(join(tmpdir(), 'dl-scope-')), 'a.sqlite');
  await syncInto(a, db);
  await syncInto(b, db);
});
afterAll(async () => {
  await a?.close();
  await b?.close();
});

const count = async (args: string[], env: Record<string, string> = {}) => {
  const r = await cli(['events', '--archive', '--db', db, '--since', 'all', '--format', 'ndjson', ...args], env);
  expect(r.stderr).not.toMatch(/error/);
  return r.stdout.split('\n').filter(Boolean).length;
};

describe('archive scope', () => {
  it('DOCSPACE_URL, --portal and --all choose what events --archive reads', async () => {
    expect(await count([], { DOCSPACE_URL: a.url })).toBe(300);
    expect(await count(['--portal', b.url])).toBe(500);
    expect(await count(['--all'], { DOCSPACE_URL: a.url })).toBe(800);
    expect(await count([])).toBe(800);
  });

  it('a read of several portals names each event\'s portal in JSON and CSV; one portal needs no column', async () => {
    const all = await cli(['events', '--archive', '--db', db, '--all', '--since', 'all', '--format', 'ndjson']);
    const portals = new Set(all.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l).portal));
    expect(portals).toEqual(new Set([a.url, b.url]));
    const csv = await cli(['events', '--archive', '--db', db, '--all', '--since', 'all', '--format', 'csv', '--limit', '3']);
    expect(csv.stdout.split('\n')[0]).toMatch(/^Portal,ID,/);
    const one = await cli(['events', '--archive', '--db', db, '--portal', a.url, '--since', 'all', '--format', 'csv', '--limit', '3']);
    expect(one.stdout.split('\n')[0]).toMatch(/^ID,/);
  });

  it('--all with a portal is a usage error', async () => {
    const r = await cli(['events', '--archive', '--db', db, '--all', '--portal', a.url]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--all reads every archived portal/);
  });

  it('a configured portal the archive does not hold is an error that says to sync, not an empty answer', async () => {
    const r = await cli(['events', '--archive', '--db', db], { DOCSPACE_URL: 'https://elsewhere.example.com' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/run docspace-logins sync/);
  });

  it('--demo reads a temporary archive and never creates the default one', async () => {
    const home = mkdtempSync(join(tmpdir(), 'dl-home-'));
    const env = { HOME: home, XDG_DATA_HOME: join(home, 'data'), XDG_CONFIG_HOME: join(home, 'config') };
    const before = readdirSync(tmpdir()).filter((f) => f.startsWith('docspace-logins-demo-')).length;
    const r = await cli(['report', 'summary', '--demo', '--format', 'json'], env);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).events).toBeGreaterThan(0);
    expect(existsSync(join(home, 'data'))).toBe(false);
    const after = readdirSync(tmpdir()).filter((f) => f.startsWith('docspace-logins-demo-')).length;
    expect(after).toBe(before);
  });
});

describe('every row of a read of several portals names its portal', () => {
  // In-process through the CLI's own parser (many runs: a process each would be slow).
  const home = mkdtempSync(join(tmpdir(), 'dl-scope-home-'));
  const inProcess = (args: string[]) => runCommand(null, home, (io) => run(args, io));
  const SINCE = ['--since', '2025-01-01'];
  const runAll = async (args: string[]) => {
    const r = await inProcess([...args, '--db', db, '--all', ...SINCE]);
    expect(r.code, r.stderr).toBe(0);
    return r;
  };
  const ndjson = (text: string) => text.split('\n').filter(Boolean).map((l) => JSON.parse(l));
  const csvPortals = (text: string) => {
    const [header, ...lines] = text.split('\n').filter(Boolean);
    expect(header).toMatch(/^Portal,/);
    return new Set(lines.map((l) => l.slice(0, l.indexOf(','))));
  };
  const both = () => new Set([a.url, b.url]);

  it.each([
    ['users --details', ['users', '--archive', '--details']],
    ['report users', ['report', 'users']],
    ['report daily', ['report', 'daily']],
    ['report failures', ['report', 'failures']],
    ['report inactive', ['report', 'inactive', '--days', '3']],
    ['report ips', ['report', 'ips']],
    ['report summary', ['report', 'summary']],
  ])('%s: a portal field in NDJSON and JSON, a Portal column in CSV and tables', async (_name, args) => {
    const rows = ndjson((await runAll([...args, '--format', 'ndjson'])).stdout);
    expect(rows.length).toBeGreaterThan(1);
    expect(new Set(rows.map((r) => r.portal))).toEqual(both());
    const json = JSON.parse((await runAll([...args, '--format', 'json'])).stdout);
    expect(new Set(json.map((r: { portal: string }) => r.portal))).toEqual(both());
    expect(csvPortals((await runAll([...args, '--format', 'csv'])).stdout)).toEqual(both());
    const table = (await runAll([...args, '--format', 'table'])).stdout.split('\n');
    expect(table[0]).toMatch(/^Portal\s/);
    expect(table.slice(1).filter(Boolean).every((l) => l.startsWith(a.url) || l.startsWith(b.url))).toBe(true);
  });

  it.each([
    ['users --archive --details', ['users', '--archive', '--details']],
    ['report summary', ['report', 'summary']],
    ['report users', ['report', 'users']],
    ['report daily', ['report', 'daily']],
    ['report failures', ['report', 'failures']],
  ])('%s reads the portal DOCSPACE_URL configures, as --portal does, not every portal', async (_name, args) => {
    const configured = await runCommand(a, home, (io) => run([...args, '--db', db, ...SINCE, '--format', 'json'], io));
    expect(configured.code, configured.stderr).toBe(0);
    const picked = await inProcess([...args, '--db', db, '--portal', a.url, ...SINCE, '--format', 'json']);
    expect(JSON.parse(configured.stdout)).toEqual(JSON.parse(picked.stdout));
    // One portal read: no portal field, and not what every portal gives.
    expect(configured.stdout).not.toContain(b.url);
    expect(JSON.parse(configured.stdout)).not.toEqual(JSON.parse((await runAll([...args, '--format', 'json'])).stdout));
  });

  it('each portal is counted with its own people directory: the same answer as reading it alone', async () => {
    for (const args of [['users', '--archive', '--details'], ['report', 'users']]) {
      const all = await runAll([...args, '--format', 'ndjson']);
      expect(all.stderr).not.toMatch(/not attributed/);
      const rows = ndjson(all.stdout);
      for (const emu of [a, b]) {
        const alone = await inProcess([...args, '--db', db, '--portal', emu.url, ...SINCE, '--format', 'ndjson']);
        const mine = rows.filter((r) => r.portal === emu.url).map(({ portal: _p, ...r }) => r);
        expect(mine).toEqual(ndjson(alone.stdout));
        expect(mine.some((r) => r.failures > 0 && r.attributed)).toBe(true);
      }
    }
  });

  it('XLSX gets the Portal column, ECS the portal as observer.hostname (with --ecs-original too)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dl-scope-x-'));
    for (const args of [['events', '--archive'], ['report', 'users'], ['users', '--archive', '--details']]) {
      const file = join(dir, `${args.join('-')}.xlsx`);
      await runAll([...args, '--output', file]);
      const book = new ExcelJS.Workbook();
      await book.xlsx.readFile(file);
      const sheet = book.worksheets[0];
      expect(sheet.getCell('A1').value).toBe('Portal');
      const portals = new Set<string>();
      sheet.eachRow((row, n) => {
        if (n > 1) portals.add(String(row.getCell(1).value));
      });
      expect(portals).toEqual(both());
    }
    for (const extra of [[], ['--ecs-original']]) {
      const docs = ndjson((await runAll(['events', '--archive', '--format', 'ecs', ...extra])).stdout);
      expect(new Set(docs.map((d) => d.observer.hostname))).toEqual(new Set([new URL(a.url).host, new URL(b.url).host]));
    }
  });
});

describe('sql scope', () => {
  const count = async (args: string[], env: Record<string, string> = {}) => {
    const r = await cli(['sql', 'SELECT count(*) AS n FROM events', '--db', db, '--format', 'json', ...args], env);
    expect(r.code, r.stderr).toBe(0);
    return Number(JSON.parse(r.stdout)[0].n);
  };
  it('reads the configured portal only, every portal with --all, and still writes nothing', async () => {
    expect(await count([], { DOCSPACE_URL: a.url })).toBe(300);
    expect(await count(['--portal', b.url])).toBe(500);
    expect(await count(['--all'], { DOCSPACE_URL: a.url })).toBe(800);
    const portals = await cli(['sql', 'SELECT count(*) AS n FROM portals', '--db', db, '--format', 'json', '--portal', b.url]);
    expect(Number(JSON.parse(portals.stdout)[0].n)).toBe(1);
    const write = await cli(['sql', 'DELETE FROM events', '--db', db, '--portal', b.url]);
    expect(write.code).toBe(2);
    expect(await count(['--all'])).toBe(800);
  });
});
