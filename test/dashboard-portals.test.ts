/**
 * The dashboard over an archive of two portals: the portal picker offers each and "All portals",
 * every page reads the portals it names (all by default), and an unknown one is a clear 400.
 */
/* global Request */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDashboardApp, type DashboardApp } from '../src/dashboard/index.js';
import { type RunningEmulator, startEmulator } from '../src/index.js';
import { type ArchiveStore, openStore } from '../src/store/index.js';
import { syncInto } from './helpers/archive.js';

const NOW = Date.parse('2025-07-01T10:00:00Z');
let a: RunningEmulator;
let b: RunningEmulator;
let store: ArchiveStore;
let app: DashboardApp;
const ids = new Map<string, number>();

beforeAll(async () => {
  a = await startEmulator({ now: NOW, seed: 41, events: 300, days: 10 });
  b = await startEmulator({ now: NOW, seed: 42, events: 500, days: 10 });
  const db = join(mkdtempSync(join(tmpdir(), 'dl-dash-portals-')), 'a.sqlite');
  await syncInto(a, db);
  await syncInto(b, db);
  store = await openStore(db, { readOnly: true });
  for (const p of await store.portals()) ids.set(p.url, p.id);
  app = createDashboardApp({ store, now: () => NOW + 3_600_000 });
}, 60_000);
afterAll(async () => {
  await store?.close();
  await a?.close();
  await b?.close();
});

const get = async (path: string) => {
  const res = await app.fetch(new Request(`http://127.0.0.1:8080${path}`));
  return { status: res.status, text: await res.text() };
};
const exported = async (query: string) => parse((await get(`/events/export.csv?period=all${query}`)).text, { columns: true, bom: true }) as unknown[];

describe('the portal picker', () => {
  it('offers "All portals" and each portal, on every page', async () => {
    for (const path of ['/', '/events', '/findings', '/health']) {
      const { status, text } = await get(path);
      expect(status, path).toBe(200);
      const picker = /<select name="portal">([^]*?)<\/select>/.exec(text)![1];
      expect(picker, path).toContain('<option value="all" selected>All portals</option>');
      for (const id of ids.values()) expect(picker, path).toContain(`<option value="${id}"`);
    }
  });

  it('reads every portal by default, one portal when picked', async () => {
    expect(await exported('')).toHaveLength(800);
    expect(await exported('&portal=all')).toHaveLength(800);
    expect(await exported(`&portal=${ids.get(a.url)}`)).toHaveLength(300);
    expect(await exported(`&portal=${ids.get(b.url)}`)).toHaveLength(500);
    // Archive health has a section per portal it reads, headed by the portal.
    const sections = async (query: string) => [...(await get(`/health${query}`)).text.matchAll(/<h2>([^<]+)/g)].map((m) => m[1].trim()).sort();
    expect(await sections('')).toEqual([a.url, b.url].sort());
    expect(await sections(`?portal=${ids.get(a.url)}`)).toEqual([a.url]);
  });

  it('a portal the archive does not hold is one clear line, status 400', async () => {
    const { status, text } = await get('/events?portal=999');
    expect(status).toBe(400);
    expect(text).toMatch(/portal (&quot;|")999(&quot;|") is not in this archive/);
  });
});
