/**
 * `events --format ecs --ecs-original`: `event.original` is the event exactly as DocSpace served
 * it, live and from the archive, and only when asked for. Against the emulator over real HTTP.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normaliseEvent, parseApiDate, type RawLoginEvent, type RunningEmulator, startEmulator } from '../src/index.js';
import { rawToKeep } from '../src/store/original.js';
import { cli } from './helpers/cli.js';

const NOW = Date.parse('2025-07-01T10:00:00Z');
/** DocSpace's own date format: 7 fractional digits and `Z` or the portal's offset. */
const SERVED_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{7}(Z|[+-]\d{2}:\d{2})$/;

let emu: RunningEmulator;
let utc: RunningEmulator;
beforeAll(async () => {
  // Berlin: served dates carry +01:00 or +02:00; UTC: they end in Z.
  emu = await startEmulator({ now: NOW, seed: 7, events: 2000 });
  utc = await startEmulator({ now: NOW, seed: 8, events: 300, timezone: 'UTC' });
});
afterAll(async () => {
  await Promise.all([emu?.close(), utc?.close()]);
});

const env = (e: RunningEmulator) => ({ DOCSPACE_URL: e.url, DOCSPACE_API_KEY: e.apiKey });
const tempDb = () => join(mkdtempSync(join(tmpdir(), 'dl-ecs-original-')), 'archive.sqlite');

type EcsDoc = { event: { id: string; original?: string }; observer?: { hostname?: string } };
function docs(stdout: string): EcsDoc[] {
  return stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as EcsDoc);
}

/** The JSON text of every event as the emulator serves it, by id. */
function servedTexts(e: RunningEmulator): Map<number, string> {
  return new Map(e.state.allEvents(e.url).map((s) => [s.id, JSON.stringify(s)]));
}

async function synced(e: RunningEmulator): Promise<string> {
  const db = tempDb();
  const r = await cli(['sync', '--db', db, '-q'], env(e));
  expect(r.code).toBe(0);
  return db;
}

describe('rawToKeep', () => {
  const served = () => emu.state.allEvents(emu.url).slice(0, 200) as unknown as RawLoginEvent[];
  const keep = (raw: RawLoginEvent) => rawToKeep(raw, normaliseEvent(raw, parseApiDate(raw.date)!));

  it('keeps nothing for an event the columns rebuild byte for byte', () => {
    for (const raw of served()) expect(keep(raw)).toBeNull();
  });

  it('keeps the served JSON whenever a rebuild would differ', () => {
    const [raw] = served();
    const variants: RawLoginEvent[] = [
      { ...raw, sessionId: 'abc' },
      { ...raw, userId: raw.userId.toUpperCase() },
      { ...raw, date: raw.date.replace(/\.\d{7}/, '') },
      Object.fromEntries(Object.entries(raw).reverse()) as RawLoginEvent,
      Object.fromEntries(Object.entries(raw).filter(([k]) => k !== 'user')) as RawLoginEvent,
      { ...raw, browser: undefined },
    ];
    for (const v of variants) expect(keep(v)).toBe(JSON.stringify(v));
  });
});

describe('--ecs-original', () => {
  it('live: event.original is the served event as JSON text, date and all', async () => {
    const r = await cli(['events', '--format', 'ecs', '--ecs-original', '--limit', '300'], env(emu));
    expect(r.code).toBe(0);
    const served = servedTexts(emu);
    const lines = docs(r.stdout);
    expect(lines).toHaveLength(300);
    for (const doc of lines) {
      const original = JSON.parse(doc.event.original!) as { id: number; date: string };
      expect(String(original.id)).toBe(doc.event.id);
      expect(original.date).toMatch(SERVED_DATE);
      expect(original.date).not.toMatch(/Z$/);
      // Byte for byte what the portal sent: same fields, values and key order.
      expect(doc.event.original).toBe(served.get(original.id));
    }
  });

  it('without the flag there is no event.original, live or from the archive', async () => {
    const live = await cli(['events', '--format', 'ecs', '--limit', '20'], env(emu));
    expect(live.code).toBe(0);
    expect(docs(live.stdout).every((d) => d.event.original === undefined)).toBe(true);
    const db = await synced(utc);
    const archived = await cli(['events', '--archive', '--db', db, '--format', 'ecs']);
    expect(archived.code).toBe(0);
    expect(docs(archived.stdout)).toHaveLength(300);
    expect(docs(archived.stdout).every((d) => d.event.original === undefined)).toBe(true);
  });

  it('sync keeps raw only where the columns cannot rebuild it, and --archive gives the same event.original as live', async () => {
    const db = await synced(emu);
    const sqlite = new Database(db, { readonly: true });
    try {
      // The emulator serves every event in the server's canonical shape: nothing needs keeping.
      const kept = sqlite.prepare('SELECT count(*) AS n FROM events WHERE raw IS NOT NULL').get() as {
        n: number;
      };
      expect(kept.n).toBe(0);
    } finally {
      sqlite.close();
    }
    const live = await cli(['events', '--format', 'ecs', '--ecs-original'], env(emu));
    const archived = await cli(['events', '--archive', '--db', db, '--format', 'ecs', '--ecs-original']);
    expect(live.code).toBe(0);
    expect(archived.code).toBe(0);
    const liveDocs = docs(live.stdout);
    const archivedDocs = docs(archived.stdout);
    expect(archivedDocs).toHaveLength(2000);
    // Same-second events come in any order live and by id from the archive: compare by id.
    const byId = (ds: EcsDoc[]) => new Map(ds.map((d) => [d.event.id, d.event.original]));
    // One portal in the archive: its documents name it as the live ones do.
    expect(archivedDocs[0].observer).toEqual(liveDocs[0].observer);
    expect(archivedDocs[0].observer?.hostname).toBe(new URL(emu.url).host);
    expect(byId(archivedDocs)).toEqual(byId(liveDocs));
    const served = servedTexts(emu);
    for (const d of archivedDocs) expect(d.event.original).toBe(served.get(Number(d.event.id)));
  });

  it('events archived without raw get event.original rebuilt from the columns, as the server shapes it', async () => {
    for (const portal of [emu, utc]) {
      const db = await synced(portal);
      // An archive written before `raw` was stored.
      const sqlite = new Database(db);
      sqlite.prepare('UPDATE events SET raw = NULL').run();
      sqlite.close();
      const r = await cli(['events', '--archive', '--db', db, '--format', 'ecs', '--ecs-original']);
      expect(r.code).toBe(0);
      const served = servedTexts(portal);
      const lines = docs(r.stdout);
      expect(lines).toHaveLength(served.size);
      for (const d of lines) {
        expect(JSON.parse(d.event.original!).date).toMatch(SERVED_DATE);
        expect(d.event.original).toBe(served.get(Number(d.event.id)));
      }
      // Absent fields stay absent (the server omits nulls): some events have no login or browser.
      const originals = lines.map((d) => JSON.parse(d.event.original!) as Record<string, unknown>);
      expect(originals.some((o) => !('login' in o))).toBe(true);
      expect(originals.some((o) => 'login' in o)).toBe(true);
    }
  });

  it.each([
    ['--format csv', ['--format', 'csv']],
    ['the NDJSON a pipe gets by default', []],
  ])('with %s exits 2 with a one-line message, before any request', async (_name, format) => {
    const before = emu.state.stats().requests;
    const r = await cli(['events', '--ecs-original', ...format], env(emu));
    expect(r.code).toBe(2);
    expect(emu.state.stats().requests).toBe(before);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/--ecs-original.*--format ecs/);
  });

  it('--output FILE.ecs.ndjson is ECS, so --ecs-original is accepted without --format', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'dl-ecs-original-')), 'logins.ecs.ndjson');
    const r = await cli(['events', '--ecs-original', '--limit', '5', '--output', file], env(emu));
    expect(r.code).toBe(0);
    const lines = docs(readFileSync(file, 'utf8'));
    expect(lines).toHaveLength(5);
    expect(lines.every((d) => typeof d.event.original === 'string')).toBe(true);
  });
});
