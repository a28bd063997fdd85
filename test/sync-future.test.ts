/**
 * A future-dated event (the OAuth service's clock, or a hostile server) is archived but never
 * becomes the checkpoint: later syncs still read every real new event, and coverage is claimed
 * only up to the newest trusted event.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DocSpaceClient, startEmulator } from '../src/index.js';
import { openStore } from '../src/store/index.js';
import { syncPortal } from '../src/sync/index.js';
import { rewritingProxy } from './helpers/rewriting-proxy.js';

const NOW = Date.parse('2025-07-01T10:00:00Z');
const HOUR = 3_600_000;
const open: Array<{ close(): Promise<void> | void }> = [];
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close();
});

/** The date text of `t` as DocSpace writes it at offset zero. */
const served = (t: number) => new Date(t).toISOString().replace(/\.\d{3}Z$/, '.0000000Z');

async function setup(audit: boolean, aheadMs: number) {
  const emu = await startEmulator({ now: NOW, seed: 7, events: 1000, days: 10, audit, timezone: 'UTC' });
  open.push(emu);
  const victim = emu.state.allEvents()[0].id;
  // The emulator's clock is NOW; the sync's clock is set to match it below.
  const proxy = await rewritingProxy(emu.url, (e) => (e.id === victim ? { ...e, date: served(NOW + aheadMs) } : e));
  open.push(proxy);
  const client = new DocSpaceClient({ portal: proxy.url, credentials: { kind: 'apiKey', apiKey: emu.apiKey } });
  open.push(client);
  const store = await openStore(join(mkdtempSync(join(tmpdir(), 'dl-future-')), 'a.sqlite'));
  open.push(store);
  const now = () => emu.state.now();
  return { emu, client, store, now, victim };
}

describe('dates the server cannot have sent', () => {
  for (const date of ['0001-01-01T00:00:00.0000000Z', '1901-01-01T00:00:00.0000000Z', '9999-12-31T23:59:59.9999999Z', '2025-06-30T10:00:00.0000000+99:99']) {
    it(`${date} goes to quarantine, not into the archive`, async () => {
      const emu = await startEmulator({ now: NOW, seed: 8, events: 500, days: 5, timezone: 'UTC' });
      open.push(emu);
      const victim = emu.state.allEvents()[10].id;
      const proxy = await rewritingProxy(emu.url, (e) => (e.id === victim ? { ...e, date } : e));
      open.push(proxy);
      const client = new DocSpaceClient({ portal: proxy.url, credentials: { kind: 'apiKey', apiKey: emu.apiKey } });
      open.push(client);
      const store = await openStore(join(mkdtempSync(join(tmpdir(), 'dl-dates-')), 'a.sqlite'));
      open.push(store);
      const r = await syncPortal(client, store, { now: () => emu.state.now() });
      expect(r).toMatchObject({ added: 499, quarantined: 1 });
      const q = await store.sql('SELECT raw FROM quarantine');
      expect(q.rows).toHaveLength(1);
      expect(String(q.rows[0][0])).toContain(String(victim));
      const inArchive = await store.sql(`SELECT count(*) FROM events WHERE id = ${victim}`);
      expect(Number(inArchive.rows[0][0])).toBe(0);
      // The same invalid event comes back with every sync that reads its span: kept once.
      const again = await syncPortal(client, store, { now: () => emu.state.now(), overlapMs: 30 * 24 * 3_600_000 });
      expect(again.quarantined).toBe(0);
      expect((await store.sql('SELECT count(*) FROM quarantine')).rows[0][0]).toBe(1);
    });
  }
});

describe('future-dated events', () => {
  for (const [label, ahead] of [
    ['3 hours', 3 * HOUR],
    ['a year', 365 * 24 * HOUR],
  ] as const) {
    it(`one event ${label} ahead does not make later syncs skip new events`, async () => {
      const { emu, client, store, now, victim } = await setup(true, ahead);
      const first = await syncPortal(client, store, { now });
      expect(first.future).toBe(1);
      const checkpoint = await store.checkpoint(first.portalId);
      expect(checkpoint!.newestTime).toBeLessThanOrEqual(NOW + 60_000);
      expect(checkpoint!.newestId).not.toBe(victim);
      emu.state.appendEvents(300);
      const second = await syncPortal(client, store, { now });
      expect(second.added).toBe(300);
      const ids = (await store.sql('SELECT id FROM events')).rows.map((r) => Number(r[0]));
      expect(ids.length).toBe(1300);
      expect(ids).toContain(victim);
      const [stats] = await store.stats();
      for (const c of stats.covered) expect(c.to).toBeLessThan(NOW + ahead);
      // status counts it: archived, flagged.
      expect(stats.future).toBe(1);
    });
  }

  it('without the audit feature, a future event neither moves the checkpoint nor hides a gap', async () => {
    const { emu, client, store, now } = await setup(false, 3 * HOUR);
    const first = await syncPortal(client, store, { now });
    expect(first).toMatchObject({ mode: 'last20', future: 1 });
    // More than 20 new events: the future one is still at the head of every snapshot, but it
    // proves no overlap, so the run must report a gap.
    emu.state.appendEvents(40);
    const second = await syncPortal(client, store, { now });
    expect(second.gap).toBeDefined();
  });
});
