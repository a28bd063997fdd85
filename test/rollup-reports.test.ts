/**
 * One truth: `report summary`, `daily` and `users` answered from the rollups equal the answers
 * from a scan of the events, for several emulator seeds, periods and zones, on SQLite and
 * PostgreSQL. Where the question allows rollups (whole UTC days or hours, hour-aligned zones),
 * the test also checks that the events were not read for it; over a rolling period, that they
 * were read only for its edges.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ReportFlags, reportCommand } from '../src/cli/commands/report.js';
import { type UsersFlags, usersCommand } from '../src/cli/commands/users.js';
import type { RunningEmulator } from '../src/index.js';
import { runReport } from '../src/report/run.js';
import { ArchiveReportData, archiveData } from '../src/report/sources/archive/index.js';
import { RollupReportData } from '../src/report/sources/rollup-facts.js';
import { parseZone, ZoneClock } from '../src/report/zone.js';
import { type ArchiveStore, openStore } from '../src/store/index.js';
import { type Identities, syncedArchive } from './helpers/archive.js';
import { dialects, dialectTitle } from './helpers/dialects.js';
import { runCommand } from './helpers/run-command.js';

const NOW = Date.parse('2025-07-01T10:00:00Z');
const DAY = 86_400_000;
const HOUR = 3_600_000;
const cases = await dialects('rollupreports');
afterAll(async () => {
  for (const c of cases) await c.cleanup();
});

/** The event source, counting which of its questions were asked. */
function spied(events: ArchiveReportData): { data: ArchiveReportData; asked: string[] } {
  const asked: string[] = [];
  const data = new Proxy(events, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver);
      if (typeof v !== 'function') return v;
      return (...args: unknown[]) => {
        asked.push(String(prop));
        return v.apply(target, args);
      };
    },
  });
  return { data, asked };
}

/** An instant inside a UTC hour, as a rolling `--since 30d` run at a random time has. */
const ODD = NOW - 17 * 60_000 - 4_321;
/**
 * How a question over the period is answered: from the rollups alone, from the rollups plus
 * events at the edges (the events source is only asked for `narrowed` reads), or from the events.
 */
type Mode = 'rollups' | 'edges' | 'events';
const PERIODS: Array<{ label: string; since?: number; until?: number; hours: Mode; days: Mode }> = [
  { label: 'the whole history', hours: 'rollups', days: 'rollups' },
  { label: 'whole UTC days', since: NOW - 20 * DAY - (NOW % DAY), until: NOW - (NOW % DAY) - 5 * DAY - 1, hours: 'rollups', days: 'rollups' },
  { label: 'since a UTC midnight', since: NOW - 9 * DAY - (NOW % DAY), hours: 'rollups', days: 'rollups' },
  { label: 'whole hours', since: NOW - 10 * DAY - 7 * HOUR - (NOW % HOUR), until: NOW - 3 * DAY - (NOW % HOUR) - 1, hours: 'rollups', days: 'edges' },
  { label: 'a ragged period', since: NOW - 12 * DAY + 123_456, until: NOW - 2 * DAY - 9_999, hours: 'edges', days: 'edges' },
  { label: 'the last 30 days at an odd instant', since: ODD - 30 * DAY, until: ODD, hours: 'edges', days: 'edges' },
  { label: 'the last 36 hours at an odd instant', since: ODD - 36 * HOUR, until: ODD, hours: 'edges', days: 'edges' },
  { label: 'since 36 hours before an odd instant', since: ODD - 36 * HOUR, hours: 'edges', days: 'edges' },
  { label: 'under a day, across a midnight', since: ODD - 20 * HOUR, until: ODD, hours: 'edges', days: 'events' },
];
const ZONES = ['portal', 'UTC', '+03:00', '+05:30', 'America/New_York', 'Asia/Kolkata'];
/** Zones whose hours are UTC hours shifted: rollups can place hour counts on their clock. */
const HOUR_ALIGNED = new Set(['portal', 'UTC', '+03:00', 'America/New_York']);

for (const c of cases) {
  for (const seed of [5, 23, 41]) {
    describe.skipIf(c.skip)(dialectTitle(c, `rollup reports, seed ${seed}`), () => {
      let emu: RunningEmulator;
      let store: ArchiveStore;
      let db: string;
      let identities: Identities;

      beforeAll(async () => {
        ({ emu, db, store, identities } = await syncedArchive(c.fresh, { now: NOW, seed, users: 24, events: 2500, days: 30 }));
      }, 120_000);
      afterAll(async () => {
        await store?.close();
        await emu?.close();
      });

      it('summary, daily and users from rollups equal the event scan, in every period and zone', async () => {
        expect(identities.size).toBeGreaterThan(10);
        let fromRollups = 0;
        let fromEdges = 0;
        for (const p of PERIODS) {
          for (const z of ZONES) {
            const scope = { since: p.since, until: p.until };
            const events = (await archiveData(store, scope, { rollups: false })) as ArchiveReportData;
            const spy = spied(events);
            const rollups = new RollupReportData(store, events.scope, spy.data);
            const clock = new ZoneClock(parseZone(z), await events.portalOffsets());
            const o = { since: p.since, until: p.until, now: NOW, clock, identities };
            for (const name of ['summary', 'daily', 'users'] as const) {
              spy.asked.length = 0;
              const expected = await runReport(name, events, o);
              const got = await runReport(name, rollups, o);
              expect(got, `${name} over ${p.label} in ${z}`).toEqual(expected);
              const hours: Mode = HOUR_ALIGNED.has(z) ? p.hours : 'events';
              const modes = name === 'daily' ? [hours] : name === 'users' ? [p.days] : [hours, p.days];
              const mode = (['events', 'edges', 'rollups'] as const).find((m) => modes.includes(m));
              // Besides the edges, only the per-user probes (`users`, an index walk, not a scan of the period).
              const edgesOnly = spy.asked.every((q) => q === 'narrowed' || q === 'users');
              const what = `${name} over ${p.label} in ${z}`;
              if (mode === 'rollups') {
                expect(spy.asked, `${what} read the events`).toEqual([]);
                fromRollups++;
              } else if (mode === 'edges') {
                expect(spy.asked.length > 0 && edgesOnly, `${what} read the events beyond its edges: ${spy.asked}`).toBe(true);
                fromEdges++;
              } else {
                expect(edgesOnly, `${what} fell back to the events`).toBe(false);
              }
            }
          }
        }
        expect(fromRollups).toBeGreaterThan(20);
        expect(fromEdges).toBeGreaterThan(30);
      }, 300_000);

      it('users and report over the archive, from rollups, print what a live read of the portal prints', async () => {
        const since = new Date(NOW - 12 * DAY - (NOW % DAY)).toISOString();
        const dir = mkdtempSync(join(tmpdir(), 'dl-rollcli-'));
        const run = <F>(command: (f: F, io: never, r: never) => Promise<number>, flags: F) =>
          runCommand(emu, dir, (io, r) => (command as (f: F, i: typeof io, rr: typeof r) => Promise<number>)(flags, io, r));
        const both = async <F>(command: (f: F, io: never, r: never) => Promise<number>, flags: F, live: Partial<F>) => {
          const archived = await run(command, { ...flags, db, since, format: 'json' });
          const read = await run(command, { ...flags, ...live, since, format: 'json' });
          expect(archived.code, archived.stderr).toBe(0);
          expect(read.code, read.stderr).toBe(0);
          return [JSON.parse(archived.stdout), JSON.parse(read.stdout)];
        };
        for (const flags of [{ details: true }, { details: true, includeAnonymous: true }]) {
          const [archived, live] = await both(usersCommand, { ...flags, archive: true } as UsersFlags, { archive: false } as UsersFlags);
          expect(archived, JSON.stringify(flags)).toEqual(live);
          expect(archived.length).toBeGreaterThan(5);
        }
        for (const name of ['summary', 'daily', 'users'] as const) {
          const [archived, live] = await both(reportCommand.bind(null, name), { tz: 'UTC' } as ReportFlags, { live: true } as ReportFlags);
          expect(archived, name).toEqual(live);
        }
        // The plain list orders users by their newest event, and a live read orders events of one
        // instant its own way: compare it with the archive's event read one ms later (no event
        // falls on that ms), a period the rollups cannot answer.
        const at = Date.parse(since);
        expect(await store.countEvents({ since: at, until: at })).toBe(0);
        for (const flags of [{}, { includeAnonymous: true }]) {
          const rolled = await run(usersCommand, { ...flags, archive: true, db, since, format: 'json' } as UsersFlags);
          const read = await run(usersCommand, { ...flags, archive: true, db, since: new Date(at + 1).toISOString(), format: 'json' } as UsersFlags);
          expect(JSON.parse(rolled.stdout), JSON.stringify(flags)).toEqual(JSON.parse(read.stdout));
          expect(JSON.parse(rolled.stdout).length).toBeGreaterThan(5);
        }
        // They were read from the rollups: without them the archive's answer changes.
        const writer = await openStore(db);
        await writer.transaction(async (tx) => {
          await tx.db.deleteFrom('rollup_user_days').execute();
          await tx.db.deleteFrom('rollup_user_months').execute();
        });
        const emptied = await run(usersCommand, { details: true, archive: true, db, since, format: 'json' } as UsersFlags);
        expect(JSON.parse(emptied.stdout)).toEqual([]);
        await writer.rebuildRollups();
        await writer.close();
      }, 300_000);

      it('a user whose last event falls in the head edge is active in a rolling period', async () => {
        // The user seen last the longest ago, two days or more before now: from that event on,
        // the period's first whole day holds none of theirs, only its head edge.
        const all = await (await archiveData(store, { until: ODD }, { rollups: false })).users();
        const quiet = all.filter((u) => u.lastSeen < ODD - 2 * DAY && u.lastSeen % DAY !== 0).sort((a, b) => a.lastSeen - b.lastSeen)[0];
        expect(quiet, 'a user quiet for two days').toBeDefined();
        const scope = { since: quiet.lastSeen, until: ODD };
        const events = (await archiveData(store, scope, { rollups: false })) as ArchiveReportData;
        const rolled = await new RollupReportData(store, events.scope, events).users();
        expect(rolled.find((u) => u.userId === quiet.userId)?.inPeriod).toBe(true);
        const byId = (u: { userId: string }, v: { userId: string }) => u.userId.localeCompare(v.userId);
        expect(rolled.sort(byId)).toEqual((await events.users()).sort(byId));
      });

      it('the users report counts anonymous failures by the attribution rule, as the events do', async () => {
        const o = { now: NOW, clock: new ZoneClock(parseZone('UTC')), identities };
        const r = await runReport('users', await archiveData(store), o);
        if (r.name !== 'users') throw new Error('not the users report');
        expect(r.attributed).toBe(true);
        expect(r.rows.reduce((s, u) => s + u.anonymousFailures, 0)).toBeGreaterThan(0);
        const scanned = await runReport('users', await archiveData(store, {}, { rollups: false }), o);
        expect(r).toEqual(scanned);
      });
    });
  }
}
