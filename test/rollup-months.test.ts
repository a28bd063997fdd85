/**
 * The monthly user rollup (schema 13): a pure GROUP BY of the day rows by UTC month, grouped
 * again at the end of a sync for the months it changed. The users report reads whole clean
 * months from it and the rest from the day rows, and gives the event scan's answer whether the
 * months are grouped, marked as changed (a sync cut off before its end), or made by migration 13.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../src/index.js';
import { runReport } from '../src/report/run.js';
import { type ArchiveReportData, archiveData } from '../src/report/sources/archive/index.js';
import { RollupReportData } from '../src/report/sources/rollup-facts.js';
import { parseZone, ZoneClock } from '../src/report/zone.js';
import { type ArchiveStore, openStore } from '../src/store/index.js';
import { monthOf } from '../src/store/rollup-months.js';
import { type Identities, syncedArchive } from './helpers/archive.js';
import { dialects, dialectTitle } from './helpers/dialects.js';
import { sampleEvent } from './helpers/events.js';

const NOW = Date.parse('2025-07-01T10:00:00Z');
const DAY = 86_400_000;
const cases = await dialects('rollupmonths');
afterAll(async () => {
  for (const c of cases) await c.cleanup();
});

const n = (v: unknown) => Number(v);
const GROUP = ['user_id', 'kind', 'ip', 'country', 'browser', 'platform', 'email', 'name'] as const;

/** The day rows grouped by month in JavaScript: what the month table must hold. */
async function expectedMonths(store: ArchiveStore): Promise<string[]> {
  const out = new Map<string, { events: number; first: number; last: number }>();
  for (const r of await store.db.selectFrom('rollup_user_days').selectAll().execute()) {
    const key = [n(r.portal_id), monthOf(n(r.day)), ...GROUP.map((c) => r[c])].join('|');
    const have = out.get(key);
    if (!have) out.set(key, { events: n(r.events), first: n(r.first_time), last: n(r.last_time) });
    else {
      have.events += n(r.events);
      have.first = Math.min(have.first, n(r.first_time));
      have.last = Math.max(have.last, n(r.last_time));
    }
  }
  return [...out].map(([k, v]) => `${k}|${v.events}|${v.first}|${v.last}`).sort();
}

async function monthRows(store: ArchiveStore): Promise<string[]> {
  const rows = await store.db.selectFrom('rollup_user_months').selectAll().execute();
  return rows.map((r) => [n(r.portal_id), n(r.month), ...GROUP.map((c) => r[c]), n(r.events), n(r.first_time), n(r.last_time)].join('|')).sort();
}

const marks = async (store: ArchiveStore) => (await store.db.selectFrom('rollup_months_dirty').selectAll().execute()).length;

/** Periods of whole UTC days: open, whole months with edges, a period inside one month. */
const PERIODS = [
  { label: 'the whole history' },
  { label: 'since a month starts', since: Date.UTC(2025, 4, 1) },
  { label: 'whole months and edge days', since: Date.UTC(2025, 3, 20), until: Date.UTC(2025, 5, 12) - 1 },
  { label: 'days inside a month', since: Date.UTC(2025, 4, 3), until: Date.UTC(2025, 4, 27) - 1 },
  { label: 'up to a month end', until: Date.UTC(2025, 5, 1) - 1 },
];

for (const c of cases) {
  describe.skipIf(c.skip)(dialectTitle(c, 'monthly user rollup'), () => {
    let emu: RunningEmulator;
    let store: ArchiveStore;
    let db: string;
    let identities: Identities;

    beforeAll(async () => {
      ({ emu, db, store, identities } = await syncedArchive(c.fresh, { now: NOW, seed: 11, users: 20, events: 3000, days: 90 }));
    }, 120_000);
    afterAll(async () => {
      await store?.close();
      await emu?.close();
    });

    /** The users report from the rollups equals the event scan's, in every period; returns the whole history's. */
    async function usersAgree(what: string): Promise<unknown> {
      let whole: unknown;
      for (const p of PERIODS) {
        const events = (await archiveData(store, { since: p.since, until: p.until }, { rollups: false })) as ArchiveReportData;
        const o = { since: p.since, until: p.until, now: NOW, clock: new ZoneClock(parseZone('UTC')), identities };
        const got = await runReport('users', new RollupReportData(store, events.scope, events), o);
        expect(got, `${what}: ${p.label}`).toEqual(await runReport('users', events, o));
        whole ??= got;
      }
      return whole;
    }

    it('a sync leaves every month grouped: the day rows grouped by month, no month marked', async () => {
      const rows = await monthRows(store);
      expect(new Set(rows.map((r) => r.split('|')[1])).size).toBeGreaterThanOrEqual(3);
      expect(rows).toEqual(await expectedMonths(store));
      expect(await marks(store)).toBe(0);
    });

    it('the users report from the months equals the event scan and the day rows alone', async () => {
      const fromMonths = await usersAgree('grouped');
      // Every month marked: the same question answered from the day rows only.
      const all = (await store.db.selectFrom('rollup_user_months').select(['portal_id', 'month']).distinct().execute()).map((r) => ({ portal_id: n(r.portal_id), month: n(r.month) }));
      await store.transaction((tx) => tx.db.insertInto('rollup_months_dirty').values(all).execute().then(() => undefined));
      expect(await usersAgree('all months marked')).toEqual(fromMonths);
      expect(await store.regroupMonths()).toBe(all.length);
      expect(await monthRows(store)).toEqual(await expectedMonths(store));
    });

    it('a month changed by a sync cut off before its end is read from the day rows until it is grouped', async () => {
      const portalId = (await store.portals())[0].id;
      const anna = '3f1c2a7e-9b44-4d1e-8c0a-5a6b7c8d9e01';
      const some = await store.db.selectFrom('events').select('user_id').where('anonymous', '=', 0).limit(1).executeTakeFirstOrThrow();
      const fresh = [
        sampleEvent({ id: 9_000_001, date: '2025-05-14T08:00:00.0000000+02:00' }),
        sampleEvent({ id: 9_000_002, date: '2025-05-20T09:30:00.0000000+00:00', ip: '198.51.100.7' }),
        // A known member's event under a new name, in the same month.
        sampleEvent({ id: 9_000_003, date: '2025-05-21T11:00:00.0000000+00:00', userId: some.user_id, user: 'Renamed Member' }),
      ];
      const before = await monthRows(store);
      // What a sync writes before its end (the insert path), without the regroup that ends it.
      expect((await store.insertEvents(portalId, fresh)).added).toBe(3);
      expect(await marks(store)).toBe(1);
      expect(await monthRows(store)).toEqual(before);
      const stale = await usersAgree('a month marked');
      expect(JSON.stringify(stale)).toContain(anna);
      expect(await store.regroupMonths(portalId)).toBe(1);
      expect(await marks(store)).toBe(0);
      expect(await monthRows(store)).toEqual(await expectedMonths(store));
      expect(await usersAgree('grouped again')).toEqual(stale);
    });

    it('migration 13 groups an archive made before it, and a rebuild groups the months again', async () => {
      const expected = await monthRows(store);
      await store.close();
      const old = await openStore(db);
      await old.transaction(async (tx) => {
        for (const t of ['rollup_user_months', 'rollup_months_dirty']) await tx.db.schema.dropTable(t).execute();
        await tx.db.deleteFrom('schema_version').where('version', '>=', 13).execute();
      });
      await old.close();
      store = await openStore(db);
      expect(store.migration?.applied.map((m) => m.version)).toEqual([13]);
      expect(await monthRows(store)).toEqual(expected);
      expect(await marks(store)).toBe(0);
      await sql`DELETE FROM rollup_user_months WHERE month = ${monthOf(Date.UTC(2025, 5, 1) / DAY)}`.execute(store.db);
      await store.rebuildRollups();
      expect(await monthRows(store)).toEqual(expected);
      expect(await marks(store)).toBe(0);
      await usersAgree('after a rebuild');
    });
  });
}
