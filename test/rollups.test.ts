/**
 * Rollups kept by the insert path: the same counts as the events they summarise, on SQLite and
 * PostgreSQL, whether made batch by batch by a sync, all at once by a rebuild, or by migration 10
 * over an archive made before it; duplicates and quarantined events never counted.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../src/index.js';
import { type ArchiveStore, openStore } from '../src/store/index.js';
import { ROLLUP_TABLES } from '../src/store/rollups.js';
import { syncInto } from './helpers/archive.js';
import { dialects, dialectTitle } from './helpers/dialects.js';
import { sampleEvent } from './helpers/events.js';

const NOW = Date.parse('2025-07-01T10:00:00Z');
const cases = await dialects('rollups');
afterAll(async () => {
  for (const c of cases) await c.cleanup();
});

type Dump = Record<string, Array<Record<string, unknown>>>;

/** Every rollup row, numbers as numbers, in key order. */
async function dump(store: ArchiveStore): Promise<Dump> {
  const out: Dump = {};
  for (const spec of ROLLUP_TABLES) {
    const rows = (await store.db.selectFrom(spec.table).selectAll().execute()) as Array<Record<string, unknown>>;
    const norm = rows.map((r) =>
      Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'string' && /^-?\d+$/.test(v) && k !== 'ip' && k !== 'login_key' ? Number(v) : v])),
    );
    const key = (r: Record<string, unknown>) => spec.keys.map((k) => String(r[k])).join('\u0000');
    out[spec.table] = norm.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  }
  return out;
}

const n = (v: unknown) => Number(v);
/** Schema 12's tables (rollup-months.ts), which an archive made before it lacks. */
const MONTH_TABLES = ['rollup_user_months', 'rollup_months_dirty'];

for (const c of cases) {
  describe.skipIf(c.skip)(dialectTitle(c, 'rollups'), () => {
    let emu: RunningEmulator;
    let db: string;
    let store: ArchiveStore;

    beforeAll(async () => {
      emu = await startEmulator({ now: NOW, seed: 7, users: 20, events: 3000, days: 20 });
      db = await c.fresh();
      await syncInto(emu, db);
      store = await openStore(db);
    }, 120_000);
    afterAll(async () => {
      await store?.close();
      await emu?.close();
    });

    it('count every archived event once per table, as a GROUP BY over the events says', async () => {
      const total = n((await store.db.selectFrom('events').select((eb) => eb.fn.countAll().as('n')).executeTakeFirst())?.n);
      expect(total).toBeGreaterThan(2000);
      for (const spec of ROLLUP_TABLES) {
        const r = await store.db.selectFrom(spec.table).select((eb) => eb.fn.sum<number>('events').as('n')).executeTakeFirst();
        const anonymous = n((await store.db.selectFrom('events').select((eb) => eb.fn.countAll().as('n')).where('anonymous', '=', 1).executeTakeFirst())?.n);
        const expected = spec.table === 'rollup_user_days' ? total - anonymous : spec.table === 'rollup_login_days' ? anonymous : total;
        expect(n(r?.n), spec.table).toBe(expected);
      }
      const hours = await sql<{ h: unknown; kind: string; n: unknown }>`
        select time / 3600000 as h, kind, count(*) as n from events group by time / 3600000, kind`.execute(store.db);
      const rolled = await sql<{ h: unknown; kind: string; n: unknown }>`
        select hour as h, kind, sum(events) as n from rollup_hours group by hour, kind`.execute(store.db);
      const norm = (rows: Array<{ h: unknown; kind: string; n: unknown }>) =>
        rows.map((r) => `${n(r.h)} ${r.kind} ${n(r.n)}`).sort();
      expect(norm(rolled.rows)).toEqual(norm(hours.rows));
      const ips = await sql<{ d: unknown; ip: string; n: unknown; f: unknown; first: unknown }>`
        select time / 86400000 as d, ip, count(*) as n, sum(case when kind = 'failure' then 1 else 0 end) as f, min(time) as first
        from events group by time / 86400000, ip`.execute(store.db);
      const rolledIps = await sql<{ d: unknown; ip: string; n: unknown; f: unknown; first: unknown }>`
        select day as d, ip, events as n, failures as f, first_time as first from rollup_ip_days`.execute(store.db);
      const normIps = (rows: typeof ips.rows) => rows.map((r) => `${n(r.d)} ${r.ip} ${n(r.n)} ${n(r.f)} ${n(r.first)}`).sort();
      expect(normIps(rolledIps.rows)).toEqual(normIps(ips.rows));
    });

    it('made batch by batch by the sync, they equal a rebuild from the events at once', async () => {
      const incremental = await dump(store);
      expect(await store.rebuildRollups()).toBeGreaterThan(2000);
      expect(await dump(store)).toEqual(incremental);
    });

    it('leave duplicates and quarantined events out', async () => {
      const before = await dump(store);
      const some = [];
      for await (const chunk of store.queryLoginEventChunks({}, 700)) {
        some.push(...chunk);
        break;
      }
      const portalId = (await store.portals())[0].id;
      const r = await store.insertEvents(portalId, [...some, ...some, { ...sampleEvent(), offsetMinutes: Number.NaN }]);
      expect(r).toEqual({ added: 0, duplicates: some.length * 2, quarantined: 1 });
      expect(await dump(store)).toEqual(before);
      // A new event next to repeats of old ones counts once, in the same transaction.
      const fresh = sampleEvent({ id: 9_000_001, date: '2025-06-30T08:00:00.0000000+02:00' });
      expect((await store.insertEvents(portalId, [fresh, ...some.slice(0, 3), fresh])).added).toBe(1);
      const after = await dump(store);
      const sum = (d: Dump, t: string) => d[t].reduce((s, r) => s + Number(r.events), 0);
      for (const spec of ROLLUP_TABLES.filter((t) => t.table !== 'rollup_login_days')) {
        expect(sum(after, spec.table) - sum(before, spec.table), spec.table).toBe(1);
      }
      const anna = after.rollup_user_days.find((u) => u.user_id === fresh.userId);
      expect(anna).toMatchObject({ events: 1, name: 'Anna Schmidt', ip: '203.0.113.24', city: 'Berlin', browser: 'Chrome 125' });
    });

    it('are back-filled by migrations 9 and 10 when an archive made before them is opened', async () => {
      const expected = await dump(store);
      await store.close();
      const old = await openStore(db);
      await old.transaction(async (tx) => {
        for (const spec of ROLLUP_TABLES) await tx.db.schema.dropTable(spec.table).execute();
        await tx.db.schema.dropTable('deferred_indexes').execute();
        for (const t of MONTH_TABLES) await tx.db.schema.dropTable(t).execute();
        await tx.db.deleteFrom('schema_version').where('version', '>=', 9).execute();
      });
      await old.close();
      store = await openStore(db);
      expect(store.migration?.applied.map((m) => m.version)).toEqual([9, 10, 11, 12, 13]);
      expect(await dump(store)).toEqual(expected);
    });

    it('are made again with the newest event ids by migration 10 where schema 9 made them without, and lose the week profile in 11', async () => {
      const expected = await dump(store);
      await store.close();
      const old = await openStore(db);
      await old.transaction(async (tx) => {
        for (const t of ['rollup_user_days', 'rollup_login_days']) await tx.db.schema.alterTable(t).dropColumn('last_id').execute();
        // Schemas 9 and 10 also kept each member's hour-of-week profile, which schema 11 drops.
        await tx.db.schema.createTable('rollup_user_week').addColumn('portal_id', 'integer').addColumn('events', 'bigint').execute();
        await tx.db.schema.dropTable('deferred_indexes').execute();
        for (const t of MONTH_TABLES) await tx.db.schema.dropTable(t).execute();
        await tx.db.deleteFrom('schema_version').where('version', '>=', 10).execute();
      });
      await old.close();
      store = await openStore(db);
      expect(store.migration?.applied.map((m) => m.version)).toEqual([10, 11, 12, 13]);
      expect(await dump(store)).toEqual(expected);
      const tables = await store.db.introspection.getTables();
      expect(tables.map((t) => t.name)).not.toContain('rollup_user_week');
    });
  });
}
