/**
 * One scope rule: archive commands read the portal the command is configured for (the one a live
 * read would ask), `--all` reads every archived portal, and `--demo` never touches the user's
 * own archive.
 */
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../src/index.js';
import { syncInto } from './helpers/archive.js';
import { cli } from './helpers/cli.js';

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
