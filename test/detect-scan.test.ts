/** The archive read detection makes (`scanDetectEvents`): the same events on every backend, whatever their text holds. */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { fixtureEvents } from '../src/detect/index.js';
import type { DetectEvent } from '../src/detect/types.js';
import type { LoginEvent } from '../src/model/event.js';
import { type ArchiveStore, openStore } from '../src/store/index.js';
import { detectEventsOldestFirst } from '../src/store/events-scan.js';
import { dialects, dialectTitle } from './helpers/dialects.js';

const DIALECTS = await dialects('scan');
const open: ArchiveStore[] = [];
afterEach(async () => {
  for (const s of open.splice(0).reverse()) await s.close();
});
afterAll(async () => {
  for (const d of DIALECTS) await d.cleanup();
});

/** A history whose text holds what a packed read could confuse: separators, marks, empty and missing values. */
function history(): LoginEvent[] {
  const base = fixtureEvents({
    name: 'scan',
    events: [
      { action: 'success', user: 'bob', repeat: 6, every: '1h' },
      { at: '+1d', action: 'failure', ip: '192.0.2.9', repeat: 6, every: '1m', cycle: { user: ['anna', 'erin', 'frank'] } },
      { at: '+2d', action: 'failure', login: 'Winter2025!' },
      { at: '+2d1h', action: 'failure', user: 'bob', repeat: 3, every: '1m' },
    ] as never,
    expect: [],
  });
  const odd: Partial<LoginEvent>[] = [
    { city: 'Sep\x1fCity' },
    { browser: null, platform: null },
    { browser: '', platform: '' },
    { browser: '\x02Chrome 1', platform: 'Linux\x1f' },
    {},
    { city: '' },
    { login: 'with\x1fseparator', anonymous: true, kind: 'failure', actionId: 1001 },
  ];
  return base.map((e, i) => ({ ...e, ...(odd[i % odd.length] ?? {}) }));
}

/** What detection reads of an event: the typed login only for anonymous ones. */
function expected(e: LoginEvent): DetectEvent {
  return {
    id: e.id, time: e.time, offsetMinutes: e.offsetMinutes, userId: e.userId, login: e.anonymous ? e.login : null, anonymous: e.anonymous,
    actionId: e.actionId, kind: e.kind, ip: e.ip, country: e.country, city: e.city, browser: e.browser, platform: e.platform,
  };
}

/** The strings `shared` stands for: events with the same ones must share one object, and only they. */
const strings = (e: DetectEvent) => JSON.stringify([e.kind, e.userId, e.ip, e.country, e.city, e.browser, e.platform, e.login, e.anonymous]);

/** The events without their `shared` objects, after checking them. */
function checkShared(events: readonly DetectEvent[]): DetectEvent[] {
  const byStrings = new Map<string, unknown>();
  const owners = new Map<unknown, string>();
  for (const e of events) {
    if (e.shared === undefined) continue;
    const key = strings(e);
    if (!byStrings.has(key)) byStrings.set(key, e.shared);
    expect(e.shared).toBe(byStrings.get(key));
    expect(owners.get(e.shared) ?? key).toBe(key);
    owners.set(e.shared, key);
  }
  return events.map(({ shared: _, ...rest }) => rest);
}

for (const d of DIALECTS) {
  describe.skipIf(Boolean(d.skip))(dialectTitle(d, 'detection scan'), () => {
    /** A fresh archive holding `history()`, and its events oldest first. */
    async function archived() {
      const events = history();
      const store = await openStore(await d.fresh());
      open.push(store);
      const portal = await store.ensurePortal({ url: 'https://acme.example.com' });
      await store.insertEvents(portal, events);
      return { store, portal, stored: [...events].sort((a, b) => a.time - b.time || a.id - b.id) };
    }

    it('reads every event as stored, oldest first, in chunks, from a position', async () => {
      const { store, portal, stored } = await archived();
      const read = async (after?: [number, number]) => {
        const out: DetectEvent[] = [];
        for await (const chunk of store.scanDetectEvents(portal, {}, after)) {
          expect(chunk.length).toBeLessThanOrEqual(2000);
          out.push(...chunk);
        }
        return checkShared(out);
      };
      expect(await read()).toEqual(stored.map(expected));
      const at = stored[4];
      expect(await read([at.time, at.id])).toEqual(stored.slice(5).map(expected));
    });

    it("events with the same strings share one object, on the scan's first rows and on its worker", async () => {
      const store = await openStore(await d.fresh());
      open.push(store);
      const portal = await store.ensurePortal({ url: 'https://acme.example.com' });
      const events = fixtureEvents({ name: 'same', events: [{ action: 'success', user: 'bob', repeat: 40, every: '1h' }] as never, expect: [] });
      await store.insertEvents(portal, events);
      const out: DetectEvent[] = [];
      for await (const chunk of detectEventsOldestFirst(store, portal, {}, undefined, 5, 10, 7)) out.push(...chunk);
      expect(out).toHaveLength(40);
      // PostgreSQL's plain read shares none; SQLite's packed read one per distinct set of strings.
      expect(new Set(out.map((e) => e.shared)).size).toBe(d.name === 'sqlite' ? 2 : 1);
    });

    it('a scan handed to a worker thread after a few rows reads the same events, in chunks of the size asked, over pages of any size', async () => {
      const { store, portal, stored } = await archived();
      for (const [handoff, page] of [[1, 4096], [7, 3], [2, 1]]) {
        const out: DetectEvent[] = [];
        for await (const chunk of detectEventsOldestFirst(store, portal, {}, undefined, 5, handoff, page)) {
          expect(chunk.length).toBeLessThanOrEqual(5);
          out.push(...chunk);
        }
        expect(checkShared(out)).toEqual(stored.map(expected));
      }
      // Stopping early ends the worker (the run would hang on it otherwise).
      for await (const chunk of detectEventsOldestFirst(store, portal, {}, undefined, 2, 1)) if (chunk.length) break;
    });
  });
}
