/** Findings, their history, the detection state and the login key in the archive, once per database. */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { DetectState } from '../src/detect/engine.js';
import type { Finding } from '../src/detect/types.js';
import { UsageError } from '../src/errors/index.js';
import { type ArchiveStore, openStore } from '../src/store/index.js';
import { dialects, dialectTitle } from './helpers/dialects.js';

const DIALECTS = await dialects('findings');
const open: ArchiveStore[] = [];
afterEach(async () => {
  for (const s of open.splice(0).reverse()) await s.close();
});
afterAll(async () => {
  for (const d of DIALECTS) await d.cleanup();
});

const T0 = Date.UTC(2025, 5, 1, 12);
const MIN = 60_000;

function finding(over: Partial<Finding> = {}): Finding {
  return {
    id: 'a1b2c3d4e5f60718293a',
    rule: 'DSL-003',
    title: 'Password spray from one IP',
    severity: 'high',
    tags: ['attack.t1110.003'],
    group: '198.51.100.7',
    firstSeen: new Date(T0).toISOString(),
    lastSeen: new Date(T0 + 18 * MIN).toISOString(),
    count: 18,
    eventIds: [1, 2, 3],
    sessionIds: [],
    confidence: 'high',
    evidence: { targets: { anna: 3, bob: 3 } },
    ...over,
  };
}

for (const d of DIALECTS) {
  describe.skipIf(Boolean(d.skip))(dialectTitle(d, 'findings store'), () => {
    async function setup(): Promise<{ store: ArchiveStore; portal: number }> {
      const store = await openStore(await d.fresh());
      open.push(store);
      return { store, portal: await store.ensurePortal({ url: 'https://acme.example.com' }) };
    }

    it('stores a finding once: the same detection again changes nothing', async () => {
      const { store, portal } = await setup();
      expect(await store.upsertFindings(portal, [finding()], T0 + HOUR)).toMatchObject({ created: 1, updated: 0 });
      expect(await store.upsertFindings(portal, [finding()], T0 + 2 * HOUR)).toEqual({ created: 0, updated: 0, changed: [] });
      const [f] = await store.listFindings({ portalIds: [portal] });
      expect(f).toMatchObject({ ...finding(), portalId: portal, status: 'open', createdAt: T0 + HOUR, updatedAt: T0 + HOUR });
      expect(f.history).toEqual([{ at: T0 + HOUR, status: 'open', note: 'created' }]);
    });

    it('a grown detection updates its finding (count, last seen, ids, evidence); an older view never shrinks it', async () => {
      const { store, portal } = await setup();
      await store.upsertFindings(portal, [finding()], T0 + HOUR);
      const grown = finding({ count: 19, lastSeen: new Date(T0 + 25 * MIN).toISOString(), eventIds: [1, 2, 3, 4], evidence: { targets: { anna: 4, bob: 3 } } });
      const r = await store.upsertFindings(portal, [grown], T0 + 2 * HOUR);
      expect(r).toMatchObject({ created: 0, updated: 1 });
      expect(r.changed[0]).toMatchObject({ count: 19, eventIds: [1, 2, 3, 4], evidence: { targets: { anna: 4 } }, updatedAt: T0 + 2 * HOUR, createdAt: T0 + HOUR });
      expect((await store.upsertFindings(portal, [finding()], T0 + 3 * HOUR)).updated).toBe(0);
      expect((await store.getFinding('a1b2c3')).count).toBe(19);
    });

    it('ack, resolve and suppress keep a history; new events reopen a resolved finding', async () => {
      const { store, portal } = await setup();
      await store.upsertFindings(portal, [finding()], T0);
      await store.setFindingStatus('a1b2', 'acknowledged', 'looking into it', { now: T0 + MIN });
      const resolved = await store.setFindingStatus('a1b2c3d4e5f60718293a', 'resolved', undefined, { now: T0 + 2 * MIN });
      expect(resolved.status).toBe('resolved');
      expect(resolved.history.map((h) => [h.status, h.note])).toEqual([
        ['open', 'created'],
        ['acknowledged', 'looking into it'],
        ['resolved', undefined],
      ]);
      const later = finding({ count: 20, lastSeen: new Date(T0 + HOUR).toISOString() });
      const [again] = (await store.upsertFindings(portal, [later], T0 + 2 * HOUR)).changed;
      expect(again.status).toBe('open');
      expect(again.history.at(-1)).toEqual({ at: T0 + 2 * HOUR, status: 'open', note: 'new events after it was resolved' });
    });

    it('a suppression lasts until its end, then the finding reads as open again', async () => {
      const { store, portal } = await setup();
      await store.upsertFindings(portal, [finding()], T0);
      const s = await store.setFindingStatus('a1b2', 'suppressed', undefined, { until: T0 + DAY, now: T0 });
      expect(s).toMatchObject({ status: 'suppressed', suppressedUntil: T0 + DAY });
      expect(await store.listFindings({ status: 'suppressed', now: T0 + HOUR })).toHaveLength(1);
      expect(await store.listFindings({ status: 'open', now: T0 + HOUR })).toHaveLength(0);
      expect(await store.listFindings({ status: 'open', now: T0 + 2 * DAY })).toHaveLength(1);
      expect((await store.listFindings({ now: T0 + 2 * DAY }))[0].status).toBe('open');
      await expect(store.setFindingStatus('a1b2', 'suppressed', undefined, { now: T0 })).rejects.toThrow(UsageError);
    });

    it('lists by status, severity, rule and time; finds ids by unique prefix only', async () => {
      const { store, portal } = await setup();
      const other = await store.ensurePortal({ url: 'https://other.example.com' });
      await store.upsertFindings(portal, [
        finding(),
        finding({ id: 'a1b2ffff000011112222', rule: 'DSL-012', severity: 'low', lastSeen: new Date(T0 + DAY).toISOString() }),
      ], T0);
      await store.upsertFindings(other, [finding({ id: '99990000111122223333', severity: 'critical' })], T0);
      expect((await store.listFindings()).map((f) => f.id)).toEqual(['a1b2ffff000011112222', '99990000111122223333', 'a1b2c3d4e5f60718293a']);
      expect((await store.listFindings({ minSeverity: 'high' })).map((f) => f.severity)).toEqual(['critical', 'high']);
      expect((await store.listFindings({ rule: 'dsl-012' })).map((f) => f.rule)).toEqual(['DSL-012']);
      expect((await store.listFindings({ since: T0 + HOUR })).map((f) => f.rule)).toEqual(['DSL-012']);
      expect((await store.listFindings({ portalIds: [other] })).map((f) => f.portalId)).toEqual([other]);
      expect(await store.listFindings({ limit: 1 })).toHaveLength(1);
      await expect(store.getFinding('a1b2')).rejects.toThrow(/more than one finding/);
      await expect(store.getFinding('9999', { portalIds: [portal] })).rejects.toThrow(/No finding 9999/);
      await expect(store.getFinding('zz')).rejects.toThrow(/not a finding id/);
      expect((await store.getFinding('A1B2F')).rule).toBe('DSL-012');
    });

    it('keeps the engine state per portal and rule fingerprint, and one stable login key per portal', async () => {
      const { store, portal } = await setup();
      const state = { version: 1, lastTs: T0, lastId: 42, rules: { 'DSL-001': { x: 1 } }, profiles: {}, findings: [] } satisfies DetectState;
      expect(await store.loadDetectState(portal, 'abc')).toBeUndefined();
      await store.saveDetectState(portal, 'abc', state);
      await store.saveDetectState(portal, 'abc', { ...state, lastId: 43 });
      expect((await store.loadDetectState(portal, 'abc'))?.state).toEqual({ ...state, lastId: 43 });
      expect(await store.loadDetectState(portal, 'other')).toBeUndefined();
      const key = await store.detectSecret(portal);
      expect(key).toMatch(/^[\w-]{40,}$/);
      expect(await store.detectSecret(portal)).toBe(key);
      expect(await store.detectSecret(await store.ensurePortal({ url: 'https://b.example.com' }))).not.toBe(key);
    });
  });
}

const HOUR = 3_600_000;
const DAY = 86_400_000;
