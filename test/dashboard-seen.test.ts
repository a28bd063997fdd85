/**
 * The User page reads its places, devices and addresses from one grouping of the member's events
 * (`seenEach`): each table is the one its own GROUP BY gives (`seen`), row for row, on SQLite and
 * PostgreSQL, for members with many events, few, and failures typed by e-mail.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SeenColumn, type SeenRow, seen, seenEach } from '../src/dashboard/data/seen.js';
import type { Scope } from '../src/dashboard/data/scope.js';
import type { ArchiveStore } from '../src/store/index.js';
import { type SyncedArchive, syncedArchive } from './helpers/archive.js';
import { dialects, dialectTitle } from './helpers/dialects.js';

const NOW = Date.parse('2025-07-01T10:17:00Z');
const TABLES: SeenColumn[][] = [['country', 'city'], ['browser', 'platform'], ['ip']];
const cases = await dialects('dashseen');
afterAll(async () => {
  for (const c of cases) await c.cleanup();
});

/** Rows in an order that does not depend on how the database breaks ties on `last`. */
const settled = (rows: SeenRow[]) => [...rows].sort((a, b) => b.last - a.last || JSON.stringify(a.keys).localeCompare(JSON.stringify(b.keys)));

for (const c of cases) {
  describe.skipIf(c.skip)(dialectTitle(c, 'places, devices and addresses from one read'), () => {
    let archive: SyncedArchive | undefined;
    let store: ArchiveStore;
    let scopes: Scope[];

    beforeAll(async () => {
      archive = await syncedArchive(() => c.fresh(), { now: NOW, seed: 23, users: 25, events: 5000, days: 30 });
      store = archive.store;
      const portalIds = (await store.portals()).map((p) => p.id);
      const users = await store.db
        .selectFrom('events')
        .select(['user_id', (eb) => eb.fn.countAll<number>().as('n')])
        .where('anonymous', '=', 0)
        .groupBy('user_id')
        .orderBy('n', 'desc')
        .execute();
      const busiest = users[0].user_id;
      const quietest = users[users.length - 1].user_id;
      scopes = [
        { portalIds, filter: { userIds: [busiest] } },
        { portalIds, filter: { userIds: [quietest] } },
        // Failures typed with a member's e-mail are theirs too (the page's filter for a known member).
        { portalIds, filter: { userIds: [busiest], logins: ['no-such-login@example.com'] } },
        { portalIds, filter: { kinds: ['failure'] } },
      ];
    }, 120_000);
    afterAll(async () => {
      await archive?.store.close();
      await archive?.emu.close();
    });

    it('gives each table what its own GROUP BY gives, whole and cut at the newest rows', async () => {
      for (const scope of scopes) {
        const together = await seenEach(store, scope, TABLES, 10_000);
        const cut = await seenEach(store, scope, TABLES, 20);
        for (const [i, columns] of TABLES.entries()) {
          const alone = await seen(store, scope, columns, 10_000);
          expect(alone.length).toBeGreaterThan(0);
          expect(settled(together[i])).toEqual(settled(alone));
          // The cut keeps the 20 newest; only which of the rows tied at the cut is kept may differ.
          const newest = await seen(store, scope, columns, 20);
          expect(cut[i].map((r) => r.last)).toEqual(newest.map((r) => r.last));
          expect(cut[i]).toEqual(together[i].slice(0, 20));
        }
      }
    });
  });
}
