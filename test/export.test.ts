/**
 * `events --archive` exports of one SQLite portal run on two threads (src/export). They must
 * give exactly what the general path through the store's query layer gives: the same events,
 * in the same order, with every filter and limit. The general path is reached with
 * `--format json`, which the parallel exporter does not take.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../src/index.js';
import { openStore } from '../src/store/index.js';
import { syncInto } from './helpers/archive.js';
import { cli } from './helpers/cli.js';

const NOW = Date.parse('2025-07-01T10:00:00Z');
// More than two segments of 16,384 rows, so the worker thread formats some of them.
const EVENTS = 40_000;
let emu: RunningEmulator;
let db: string;

beforeAll(async () => {
  emu = await startEmulator({ now: NOW, seed: 7, events: EVENTS, days: 90 });
  db = join(mkdtempSync(join(tmpdir(), 'dl-export-')), 'archive.sqlite');
  await syncInto(emu, db);
}, 120_000);
afterAll(async () => {
  await emu?.close();
});

async function events(args: string[]) {
  const r = await cli(['events', '--archive', '--db', db, '-q', ...args]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return r.stdout;
}

/** The general path's events as parsed objects. */
async function reference(args: string[]): Promise<Array<Record<string, unknown>>> {
  return JSON.parse(await events([...args, '--format', 'json']));
}

const ndjson = (text: string) =>
  text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('parallel archive export', () => {
  it('NDJSON of the whole archive equals the general path, newest first', async () => {
    const fast = ndjson(await events(['--format', 'ndjson']));
    expect(fast).toHaveLength(EVENTS);
    expect(fast).toEqual(await reference([]));
    const ids = new Set(fast.map((e) => e.id));
    expect(ids.size).toBe(EVENTS);
    for (let i = 1; i < fast.length; i++) {
      const [a, b] = [fast[i - 1], fast[i]];
      const [da, db] = [String(a.date), String(b.date)];
      expect(da > db || (da === db && Number(a.id) > Number(b.id))).toBe(true);
    }
  });

  it('filters and limits give what the general path gives', async () => {
    for (const args of [
      ['--since', '2025-05-01', '--until', '2025-06-15T12:00:00Z'],
      ['--kind', 'failure'],
      ['--action', '1013', '--since', '2025-05-15'],
      ['--limit', '20000'],
      ['--limit', '16384'],
      ['--limit', '7'],
      ['--since', '2020-01-01', '--until', '2020-02-01'],
    ]) {
      const fast = ndjson(await events([...args, '--format', 'ndjson']));
      expect(fast, args.join(' ')).toEqual(await reference(args));
    }
  });

  it('--user, by id or by e-mail in any case, selects what the general path selects', async () => {
    const all = await reference([]);
    const member = all.find((e) => !e.anonymous);
    const emails: string[] = [];
    const store = await openStore(db, { readOnly: true });
    const people = await store.people((await store.portals())[0].id);
    await store.close();
    // A member whose e-mail was typed into failed logins: the anonymous side of the filter.
    const typed = new Set(all.filter((e) => e.anonymous).map((e) => String(e.login).toLowerCase()));
    const target = people.find((p) => p.email && typed.has(p.email.toLowerCase()));
    expect(target).toBeDefined();
    emails.push(target!.email!.toUpperCase());
    for (const user of [...emails, String(member?.userId)]) {
      const fast = ndjson(await events(['--user', user, '--format', 'ndjson']));
      expect(fast.length).toBeGreaterThan(0);
      expect(fast).toEqual(await reference(['--user', user]));
    }
  });

  it('CSV has one header row and every event once, across segments', async () => {
    const text = await events(['--format', 'csv']);
    const rows = parse(text, { columns: true }) as Array<Record<string, string>>;
    expect(rows).toHaveLength(EVENTS);
    expect(text.match(/^ID,Date,/gm)).toHaveLength(1);
    const ref = await reference([]);
    expect(rows.map((r) => Number(r.ID))).toEqual(ref.map((e) => e.id));
    expect(rows[EVENTS - 1].Date).toBe(ref[EVENTS - 1].localDate);
  });

  it('CSV for Excel starts with one BOM and ends lines with CRLF', async () => {
    const text = await events(['--format', 'csv', '--excel', '--limit', '20000']);
    expect(text.startsWith('\uFEFFID,')).toBe(true);
    expect(text.match(/\uFEFF/g)).toHaveLength(1);
    expect(text.split('\r\n')).toHaveLength(20_002);
  });

  it('--columns and --json FIELD,FIELD pick what they pick on the general path', async () => {
    const ref = await reference(['--limit', '17000']);
    const csv = await events(['--format', 'csv', '--columns', 'id,date,user', '--limit', '17000']);
    const rows = parse(csv, { columns: true }) as Array<Record<string, string>>;
    expect(csv.startsWith('ID,Date,User\n')).toBe(true);
    expect(rows.map((r) => [Number(r.ID), r.Date, r.User])).toEqual(ref.map((e) => [e.id, e.localDate, e.user]));
    const picked = ndjson(await events(['--format', 'ndjson', '--json', 'id,login', '--limit', '17000']));
    expect(picked).toEqual(await reference(['--json', 'id,login', '--limit', '17000']));
  });

  it('ECS documents match the general path event for event', async () => {
    const fast = ndjson(await events(['--format', 'ecs', '--limit', '18000']));
    expect(fast).toHaveLength(18_000);
    const ref = await reference(['--limit', '18000']);
    expect(fast.map((d) => (d.event as { id: string }).id)).toEqual(ref.map((e) => String(e.id)));
    expect(fast[17_999]['@timestamp']).toBe(ref[17_999].date);
    // The archive holds one portal, so every document names it, as a live read would.
    expect(new Set(fast.map((d) => (d.observer as { hostname?: string }).hostname))).toEqual(
      new Set([new URL(emu.url).host]),
    );
  });
});
