/**
 * The overlap re-read: an incremental sync reads down to the newest archived event minus an
 * overlap, because the server can insert an event below events it has already served (the date
 * is set when a request starts and the row is written when it ends; the OAuth rows come from
 * another service on its own clock; the API orders by date alone). The emulator's
 * `POST /__emulator/events?ago=` inserts such late rows. Without the overlap, they are lost for
 * good and nothing says so: the second case shows this test would notice its removal.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DocSpaceClient, type RunningEmulator, startEmulator } from '../src/index.js';
import { type ArchiveStore, openStore } from '../src/store/index.js';
import { syncPortal } from '../src/sync/index.js';
import { call } from './helpers/emulator-helpers.js';

const NOW = Date.parse('2025-07-01T10:00:00Z');
const MINUTE = 60_000;
const open: Array<{ close(): Promise<void> | void }> = [];
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close();
});

async function setup(seed: number, events = 2000, days = 20) {
  const emu = await startEmulator({ now: NOW, seed, events, days });
  open.push(emu);
  const client = new DocSpaceClient({ portal: emu.url, credentials: { kind: 'apiKey', apiKey: emu.apiKey } });
  open.push(client);
  const store = await openStore(join(mkdtempSync(join(tmpdir(), 'dl-overlap-')), 'archive.sqlite'));
  open.push(store);
  return { emu, client, store };
}

async function archivedIds(store: ArchiveStore): Promise<Set<number>> {
  const r = await store.sql('SELECT id FROM events');
  return new Set(r.rows.map((row) => Number(row[0])));
}

/** Insert `count` events dated `belowMs` under the archive's checkpoint, over the control API. */
async function insertLate(emu: RunningEmulator, store: ArchiveStore, count: number, belowMs: number) {
  const [stats] = await store.stats();
  const newest = stats.checkpoint!.newestTime;
  const ago = emu.state.now() - (newest - belowMs);
  const r = await call(emu, `/__emulator/events?count=${count}&ago=${ago}`, { method: 'POST', key: null });
  expect(r.status).toBe(200);
  const ids = r.json.ids as number[];
  // They are below the head: newer events were served before them, and their ids are the newest.
  const served = emu.state.allEvents();
  const late = served.filter((e) => ids.includes(e.id));
  expect(late).toHaveLength(ids.length);
  for (const e of late) expect(Date.parse(e.date)).toBeLessThan(newest);
  expect(served.findIndex((e) => ids.includes(e.id))).toBeGreaterThan(0);
  return ids;
}

describe('the overlap re-read', () => {
  it('an event the server inserts below the checkpoint is archived by the next sync', async () => {
    const { emu, client, store } = await setup(31);
    await syncPortal(client, store);
    const late = await insertLate(emu, store, 4, 2 * MINUTE);
    const r = await syncPortal(client, store);
    expect(r.added).toBe(late.length);
    const archived = await archivedIds(store);
    for (const id of late) expect(archived).toContain(id);
    expect(archived.size).toBe(emu.state.store.size);
  });

  it("the overlap's own read proves the re-read events archived: no look-up of their ids or users, none written again", async () => {
    const { emu, client, store } = await setup(31);
    await syncPortal(client, store);
    const lookUps = vi.spyOn(store, 'existingIds');
    const writes = vi.spyOn(store, 'insertEvents');
    const members = vi.spyOn(store, 'unknownPeople');
    const again = await syncPortal(client, store);
    expect(again.seen).toBeGreaterThan(0);
    expect(again.added).toBe(0);
    expect(lookUps).not.toHaveBeenCalled();
    expect(writes).not.toHaveBeenCalled();
    // Their users were looked up in the people directory when they were archived.
    expect(members).not.toHaveBeenCalled();
    // Late events inside the window are not among the ids it read: written, still without a look-up.
    const late = await insertLate(emu, store, 4, 2 * MINUTE);
    const r = await syncPortal(client, store);
    expect(r.added).toBe(late.length);
    expect(lookUps).not.toHaveBeenCalled();
    expect(writes).toHaveBeenCalledTimes(1);
    expect(members).toHaveBeenCalledTimes(1);
  });

  it('without the overlap the same late events are lost (what the test above guards against)', async () => {
    const { emu, client, store } = await setup(31);
    await syncPortal(client, store);
    const late = await insertLate(emu, store, 4, 2 * MINUTE);
    const r = await syncPortal(client, store, { overlapMs: 0 });
    expect(r.added).toBe(0);
    const archived = await archivedIds(store);
    for (const id of late) expect(archived).not.toContain(id);
  });

  it('on a dense history, nothing new is one window of the list: the default overlap stops at the 80 newest events', async () => {
    // About 280 events in the last 15 minutes: re-reading them all would take three windows of 100.
    const { emu, client, store } = await setup(33, 27_000, 1);
    await syncPortal(client, store);
    const [stats] = await store.stats();
    const newest = stats.checkpoint!.newestTime;
    const inOverlap = emu.state.allEvents().filter((e) => Date.parse(e.date) >= newest - 15 * MINUTE).length;
    expect(inOverlap).toBeGreaterThan(200);
    const again = await syncPortal(client, store);
    // One request for the quota, one window of history.
    expect(again).toMatchObject({ added: 0, requests: 2 });
    expect(again.seen).toBeGreaterThanOrEqual(80);
    expect(again.seen).toBeLessThanOrEqual(100);
    // A late row a few events below the head is still re-read.
    const late = await insertLate(emu, store, 3, 2_000);
    const r = await syncPortal(client, store);
    expect(r.added).toBe(late.length);
    // An explicit overlap is re-read in full, however many events it holds.
    const wide = await syncPortal(client, store, { overlapMs: 15 * MINUTE });
    expect(wide.seen).toBeGreaterThan(200);
  });

  it('a wider overlap reaches a row that lands later than the default 15 minutes', async () => {
    const { emu, client, store } = await setup(32);
    await syncPortal(client, store);
    const late = await insertLate(emu, store, 2, 20 * MINUTE);
    const r = await syncPortal(client, store, { overlapMs: 30 * MINUTE });
    expect(r.added).toBe(late.length);
  });
});
