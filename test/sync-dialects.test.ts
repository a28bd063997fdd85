/** The sync's core promises, once per database. */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { DocSpaceClient, readHistory, startEmulator } from '../src/index.js';
import { type ArchiveStore, openStore, toLoginEvent } from '../src/store/index.js';
import { syncPortal } from '../src/sync/index.js';
import { dialects, dialectTitle } from './helpers/dialects.js';

const NOW = Date.parse('2025-07-01T10:00:00Z');
const DIALECTS = await dialects('sync');
const open: Array<{ close(): Promise<void> | void }> = [];
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close();
});
afterAll(async () => {
  for (const d of DIALECTS) await d.cleanup();
});

async function ids(store: ArchiveStore) {
  return (await store.sql('SELECT id FROM events ORDER BY id')).rows.map((r) => Number(r[0]));
}

for (const d of DIALECTS) {
  describe.skipIf(Boolean(d.skip))(dialectTitle(d, 'sync'), () => {
    async function setup(opts: Parameters<typeof startEmulator>[0]) {
      const emu = await startEmulator({ now: NOW, ...opts });
      const client = new DocSpaceClient({
        portal: emu.url,
        credentials: { kind: 'apiKey', apiKey: emu.apiKey },
      });
      const target = await d.fresh();
      const store = await openStore(target);
      open.push(emu, client, store);
      return { emu, client, store, target };
    }

    it('first sync, then new events: the archive equals the portal, no id twice', async () => {
      const { emu, client, store } = await setup({ seed: 21, events: 4000 });
      await syncPortal(client, store);
      emu.state.appendEvents(120);
      const r = await syncPortal(client, store);
      expect(r.added).toBe(120);
      const archived = await ids(store);
      expect(new Set(archived).size).toBe(archived.length);
      expect(archived).toEqual(
        emu.state
          .allEvents()
          .map((e) => e.id)
          .sort((a, b) => a - b),
      );
    });

    it('reading LoginEvents back gives the same events, filters and order as the row stream', async () => {
      const { emu, client, store } = await setup({ seed: 25, events: 3000 });
      await syncPortal(client, store);
      const since = NOW - 5 * 86_400_000;
      const viaRows = [];
      for await (const row of store.queryEvents({ since, kinds: ['failure', 'success'] })) viaRows.push(toLoginEvent(row));
      const viaChunks = [];
      for await (const chunk of store.queryLoginEventChunks({ since, kinds: ['failure', 'success'] }, 128)) viaChunks.push(...chunk);
      expect(viaChunks).toEqual(viaRows);
      const expected = emu.state.allEvents().filter((e) => Date.parse(e.date) >= since && e.actionId !== 1006);
      expect(viaChunks.length).toBe(expected.length);
      for (let i = 1; i < viaChunks.length; i++) expect(viaChunks[i].time <= viaChunks[i - 1].time).toBe(true);
    });

    it('a second sync of the same portal at once is refused while the first holds the lock', async () => {
      const { client, store, target } = await setup({ seed: 22, events: 20000, latencyMs: 20 });
      const other = await openStore(target);
      open.push(other);
      // The first sync is known to hold the lock once it reports reading (an explicit event, not a
      // timer): 20,000 events at 20 ms a page leave it reading long after that.
      let reading!: () => void;
      const started = new Promise<void>((r) => {
        reading = r;
      });
      const first = syncPortal(client, store, { onProgress: () => reading() });
      await started;
      await expect(syncPortal(client, other)).rejects.toThrow(/Another sync of .* is running/);
      await first;
      // Released afterwards: the next one runs.
      await expect(syncPortal(client, other)).resolves.toMatchObject({ added: 0 });
    });

    it('a NUL typed into the login form or a name is archived (as U+FFFD, as the live read shows it), not a sync that fails for good', async () => {
      // PostgreSQL cannot store U+0000 in text: one such attempt through the real login endpoint
      // failed every later sync of the portal with "invalid byte sequence".
      const { emu, client, store } = await setup({ seed: 26, events: 2500 });
      // A member who typed one into their profile's name.
      emu.state.people[1].displayName = 'Eve\u0000 Smith';
      const typed = 'ev\u0000il@example.com';
      const res = await fetch(`${emu.url}/api/2.0/authentication`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ userName: typed, password: 'guess' }),
      });
      expect(res.status).toBe(401);
      await expect(syncPortal(client, store)).resolves.toMatchObject({ added: 2501 });
      const archived = (await store.sql("SELECT login FROM events WHERE login LIKE 'ev%il@example.com'")).rows.map((r) => r[0]);
      expect(archived).toEqual(['ev\uFFFDil@example.com']);
      const live = [];
      for await (const { event } of readHistory(client)) if (event.login?.startsWith('ev')) live.push(event.login);
      expect(live).toEqual(archived);
      const names = (await store.people(1)).map((p) => p.displayName).filter((n) => n.startsWith('Eve'));
      expect(names).toEqual(['Eve\uFFFD Smith']);
    });

    it('different portals sync in parallel into one archive', async () => {
      const a = await setup({ seed: 23, events: 3000, latencyMs: 5 });
      const b = await startEmulator({ now: NOW, seed: 24, events: 2000, latencyMs: 5 });
      const clientB = new DocSpaceClient({
        portal: b.url,
        credentials: { kind: 'apiKey', apiKey: b.apiKey },
      });
      const storeB = await openStore(a.target);
      open.push(b, clientB, storeB);
      const [ra, rb] = await Promise.all([syncPortal(a.client, a.store), syncPortal(clientB, storeB)]);
      expect(ra.added + rb.added).toBe(5000);
      expect((await a.store.stats()).map((s) => s.events).sort()).toEqual([2000, 3000]);
    });
  });
}
