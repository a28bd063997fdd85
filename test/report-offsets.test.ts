/**
 * In `portal` mode an aggregated time (a first or last seen, a failure's time) is shown at the
 * offset the portal used at that time, as DocSpace shows the event itself: a history across a DST
 * change shows its summer times at +02:00 and its winter times at +01:00, from the archive and
 * from a live read alike. Runs once per database (PostgreSQL when DOCSPACE_LOGINS_TEST_PG is set).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readView } from '../src/dashboard/view.js';
import { DocSpaceClient, type LoginEvent, normaliseEvent, parseApiDate, type RunningEmulator, startEmulator } from '../src/index.js';
import { OffsetHistory } from '../src/model/offset-history.js';
import { formatOffset } from '../src/model/time.js';
import { archiveData, EventFacts, parseZone, type ReportData, reportTable, runReport, ZoneClock } from '../src/report/index.js';
import { type ArchiveStore, openStore } from '../src/store/index.js';
import { syncPortal } from '../src/sync/index.js';
import { type DialectCase, dialects, dialectTitle } from './helpers/dialects.js';

const HOUR = 3_600_000;
const DAY = 86_400_000;
// Europe/Berlin (the emulator's default zone) went from +02:00 to +01:00 on 2025-10-26 01:00 UTC.
const NOW = Date.parse('2025-11-20T10:00:00Z');
const DIALECTS: DialectCase[] = await dialects('report_offsets');

afterAll(async () => {
  for (const d of DIALECTS) await d.cleanup();
});

describe('OffsetHistory', () => {
  const h = OffsetHistory.fromHours([
    [20, 60],
    [10, 120],
    [11, 120],
    [30, 120],
  ]);

  it('gives the offset of the run an instant falls in, the first before any and the last after all', () => {
    expect(h.at(0)).toBe(120);
    expect(h.at(10 * HOUR)).toBe(120);
    expect(h.at(20 * HOUR - 1)).toBe(120);
    expect(h.at(20 * HOUR)).toBe(60);
    expect(h.at(29 * HOUR)).toBe(60);
    expect(h.at(30 * HOUR)).toBe(120);
    expect(h.at(1000 * HOUR)).toBe(120);
  });

  it('is 0 when empty, and a constant is the same everywhere', () => {
    expect(new OffsetHistory().at(5)).toBe(0);
    expect(OffsetHistory.constant(330).at(-5)).toBe(330);
  });
});

for (const d of DIALECTS) {
  describe.skipIf(Boolean(d.skip))(dialectTitle(d, 'aggregated times across a DST change, in portal mode'), () => {
    let emu: RunningEmulator;
    let client: DocSpaceClient;
    let store: ArchiveStore;
    let events: LoginEvent[];

    beforeAll(async () => {
      emu = await startEmulator({ now: NOW, seed: 7, users: 25, events: 2500, days: 90 });
      client = new DocSpaceClient({ portal: emu.url, credentials: { kind: 'apiKey', apiKey: emu.apiKey } });
      store = await openStore(await d.fresh());
      await syncPortal(client, store);
      events = emu.state.allEvents().map((s) => normaliseEvent({ ...s }, parseApiDate(s.date)!));
    });

    afterAll(async () => {
      await store?.close();
      await client?.close();
      await emu?.close();
    });

    /** Every time column of the report, as written, on the clock built from the source's own offsets. */
    async function times(data: ReportData, name: 'failures' | 'users' | 'ips'): Promise<string[]> {
      const clock = new ZoneClock(parseZone('portal'), await data.portalOffsets());
      const table = reportTable(await runReport(name, data, { now: NOW, clock }), clock);
      const out: string[] = [];
      for (const row of table.rows) {
        for (const c of table.columns) {
          if (c.kind !== 'date') continue;
          const v = c.value(row);
          if (typeof v === 'string') out.push(v);
        }
      }
      return out;
    }

    it('the history spans the change: events at +02:00 and at +01:00', () => {
      const offsets = new Set(events.map((e) => e.offsetMinutes));
      expect([...offsets].sort((a, b) => a - b)).toEqual([60, 120]);
      expect(events.some((e) => e.time < NOW - 60 * DAY)).toBe(true);
    });

    it('the archive (its rollups) and a live read know the same offsets', async () => {
      const live = await new EventFacts().addAll(events);
      const hist = await (await archiveData(store)).portalOffsets();
      for (let t = NOW - 95 * DAY; t <= NOW + DAY; t += HOUR) {
        expect(hist.at(t)).toBe((await live.portalOffsets()).at(t));
      }
      expect(hist.at(Date.parse('2025-09-15T12:00:00Z'))).toBe(120);
      expect(hist.at(Date.parse('2025-11-15T12:00:00Z'))).toBe(60);
    });

    for (const name of ['failures', 'users', 'ips'] as const) {
      it(`${name}: each time at the offset the portal used for the events then, live and archive the same`, async () => {
        const offsetOfSecond = new Map(events.map((e) => [Math.floor(e.time / 1000), e.offsetMinutes]));
        const archived = await times(await archiveData(store), name);
        expect(archived.length).toBeGreaterThan(3);
        const seen = new Set<number>();
        for (const v of archived) {
          const offset = offsetOfSecond.get(Math.floor(Date.parse(v) / 1000));
          expect(offset, `${v} is an event's time`).toBeDefined();
          expect(v.slice(-6), v).toBe(formatOffset(offset!));
          seen.add(offset!);
        }
        if (name !== 'ips') expect([...seen].sort((a, b) => a - b)).toEqual([60, 120]);
        expect(await times(await new EventFacts().addAll(events), name)).toEqual(archived);
      });
    }

    it("the dashboard's clock in portal mode uses the same offsets", async () => {
      const v = await readView(store, new URL('http://dashboard.test/?period=all'), NOW, {});
      expect(v.clock.offsetAt(Date.parse('2025-09-15T12:00:00Z'))).toBe(120);
      expect(v.clock.offsetAt(Date.parse('2025-11-15T12:00:00Z'))).toBe(60);
      const utc = await readView(store, new URL('http://dashboard.test/?period=all&tz=UTC'), NOW, {});
      expect(utc.clock.offsetAt(Date.parse('2025-09-15T12:00:00Z'))).toBe(0);
    });

    it('without rollups the archive reads the same offsets from the events (last: it empties the rollups)', async () => {
      const before = await (await archiveData(store)).portalOffsets();
      await store.db.deleteFrom('rollup_hours').execute();
      expect(await (await archiveData(store)).portalOffsets()).toEqual(before);
    });
  });
}
