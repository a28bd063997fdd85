/** Findings, their history, the detection state and the login key in the archive, once per database. */
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { builtinRules, detectArchive, detectNew, fixtureEvents, rulesFingerprint } from '../src/detect/index.js';
import type { DetectState } from '../src/detect/engine.js';
import type { Finding } from '../src/detect/types.js';
import type { LoginEvent } from '../src/model/event.js';
import { FIXTURE_DIRECTORY } from './helpers/people.js';
import { UsageError } from '../src/errors/index.js';
import { type ArchiveStore, openStore, type StoredFinding } from '../src/store/index.js';
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
    firstSeen: T0,
    lastSeen: T0 + 18 * MIN,
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
      const grown = finding({ count: 19, lastSeen: T0 + 25 * MIN, eventIds: [1, 2, 3, 4], evidence: { targets: { anna: 4, bob: 3 } } });
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
      const later = finding({ count: 20, lastSeen: T0 + HOUR });
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
        finding({ id: 'a1b2ffff000011112222', rule: 'DSL-012', severity: 'low', lastSeen: T0 + DAY }),
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

// --- detection over the archive (src/detect/run.ts) ----------------------------------------------

/** The rule fixtures' directory, as the people API would list it. */
const PEOPLE = FIXTURE_DIRECTORY;

/** Forty days of a portal: habits, an attack on bob that succeeds, a spray, a password typed as login. */
function history(): LoginEvent[] {
  return fixtureEvents({
    name: 'history',
    events: [
      { action: 'success', user: 'bob', repeat: 30, every: '1d' },
      { at: '+31d', action: 'failure', user: 'bob', ip: '198.51.100.9', repeat: 12, every: '1m' },
      { at: '+31d20m', action: 'success', user: 'bob', ip: '198.51.100.9', browser: 'Opera 100' },
      { at: '+32d', action: 'failure', ip: '192.0.2.9', repeat: 24, every: '1m', cycle: { user: ['anna', 'erin', 'frank', 'grace', 'heidi', 'ivan'] } },
      { at: '+34d', action: 'failure', login: 'Winter2025!' },
    ] as never,
    expect: [],
  });
}

const summary = (fs: Finding[]) => fs.map((f) => [f.id, f.rule, f.group, f.count, f.severity, f.lastSeen]).sort();

const archived: Record<string, Finding[]> = {};

for (const d of DIALECTS) {
  describe.skipIf(Boolean(d.skip))(dialectTitle(d, 'detection over the archive'), () => {
    async function filled(events = history()): Promise<{ store: ArchiveStore; portal: number }> {
      const store = await openStore(await d.fresh());
      open.push(store);
      const portal = await store.ensurePortal({ url: 'https://acme.example.com' });
      await store.replacePeople(portal, PEOPLE, T0);
      await store.insertEvents(portal, events);
      return { store, portal };
    }

    it('stores what the rules find over a period; a second run creates and updates nothing', async () => {
      const { store, portal } = await filled();
      const first = await detectArchive(store, { portalId: portal, rules: builtinRules(), now: T0 });
      expect(first.events).toBe(history().length);
      expect(first.people).toBe(PEOPLE.length);
      // bob's success from the attacking address is DSL-007's (critical); DSL-015 does not count
      // failures from the success's own address and device, so it stays quiet here.
      expect(new Set(first.findings.map((f) => f.rule))).toEqual(new Set(['DSL-001', 'DSL-003', 'DSL-007', 'DSL-011', 'DSL-014']));
      expect(first.created).toBe(first.findings.length);
      expect(first.findings.every((f) => f.status === 'open' && f.history.length === 1)).toBe(true);
      // Password-like typed logins are keyed with the archive's own key, never kept in clear.
      const dsl14 = first.findings.find((f) => f.rule === 'DSL-014')!;
      expect(dsl14.group).toMatch(/^hmac:[0-9a-f]{16}$/);
      expect(JSON.stringify(await store.sql('select * from findings'))).not.toContain('Winter2025');

      const again = await detectArchive(store, { portalId: portal, rules: builtinRules(), now: T0 + 1 });
      expect([again.created, again.updated]).toEqual([0, 0]);
      expect(again.findings.map((f) => f.id)).toEqual(first.findings.map((f) => f.id));
      // With the same login key, every database finds the same (compared below).
      archived[d.name] = (await detectArchive(store, { portalId: portal, rules: builtinRules(), secret: 'same key' })).findings;
    });

    it('--since and --until bound the period; only keeps the findings of the rules asked for', async () => {
      const { store, portal } = await filled();
      const start = history()[0].time;
      const r = await detectArchive(store, { portalId: portal, rules: builtinRules(), since: start + 31.5 * DAY, only: ['DSL-003'] });
      expect(r.findings.map((f) => f.rule)).toEqual(['DSL-003']);
      expect((await store.listFindings()).map((f) => f.rule)).toEqual(['DSL-003']);
    });

    it('detectNew goes on from its stored state: in parts it finds what one run over everything finds', async () => {
      const all = history();
      // Two archives, one login key: the key is part of a password-like login's group, so of its id.
      const secret = 'one key';
      const whole = await detectArchive((await filled(all)).store, { portalId: 1, rules: builtinRules(), secret });
      const { store, portal } = await filled(all.slice(0, 35));
      const seen: string[] = [];
      const onChanged = async (changed: StoredFinding[], tx: ArchiveStore) => {
        expect(tx.inTransaction).toBe(true);
        seen.push(...changed.map((f) => f.id));
      };
      const a = await detectNew(store, { portalId: portal, rules: builtinRules(), secret, onChanged });
      expect(a.events).toBe(35);
      await store.insertEvents(portal, all.slice(35));
      const b = await detectNew(store, { portalId: portal, rules: builtinRules(), secret, onChanged });
      expect(b.events).toBe(all.length - 35);
      expect(summary(await store.listFindings())).toEqual(summary(whole.findings));
      expect(new Set(seen)).toEqual(new Set(whole.findings.map((f) => f.id)));
      // Nothing new: nothing read, nothing changed, and no detector built nor state rewritten (no write at all).
      const people = vi.spyOn(store, 'people');
      const transaction = vi.spyOn(store, 'transaction');
      expect(await detectNew(store, { portalId: portal, rules: builtinRules(), secret, onChanged })).toMatchObject({ events: 0, created: 0, updated: 0 });
      expect(people).not.toHaveBeenCalled();
      expect(transaction).not.toHaveBeenCalled();
      vi.restoreAllMocks();
      // And after nothing new, new events are still found from where the state left off.
      const more = fixtureEvents({ name: 'later', start: '2025-08-01T00:00:00Z', events: [{ action: 'failure', user: 'bob', repeat: 12, every: '1m' }], expect: [] } as never);
      await store.insertEvents(portal, more.map((e) => ({ ...e, id: e.id + 100_000 })));
      const c = await detectNew(store, { portalId: portal, rules: builtinRules(), secret, onChanged });
      expect(c.events).toBe(more.length);
      expect(c.created).toBeGreaterThan(0);
    });

    it('the first detectNew starts at since; a run that another run overtook stores nothing', async () => {
      const all = history();
      const { store, portal } = await filled(all);
      const secret = 'k';
      const start = all[0].time + 31.5 * DAY;
      const first = await detectNew(store, { portalId: portal, rules: builtinRules(), secret, since: start });
      expect(first.events).toBe(all.filter((e) => e.time >= start).length);
      // Another process stores its state while this run reads its events.
      const read = store.scanDetectEvents.bind(store);
      store.scanDetectEvents = (...args) => {
        const fingerprint = rulesFingerprint(builtinRules(), { secret });
        return (async function* () {
          const saved = (await store.loadDetectState(portal, fingerprint))!.state;
          await store.saveDetectState(portal, fingerprint, { ...saved, lastId: saved.lastId + 1 });
          yield* read(...args);
        })();
      };
      await store.insertEvents(portal, fixtureEvents({ name: 'more', start: '2025-08-01T00:00:00Z', events: [{ action: 'failure', user: 'bob', repeat: 12, every: '1m' }], expect: [] } as never).map((e) => ({ ...e, id: e.id + 100_000 })));
      const late = await detectNew(store, { portalId: portal, rules: builtinRules(), secret });
      expect(late).toMatchObject({ superseded: true, created: 0, findings: [] });
      expect((await store.listFindings()).filter((f) => f.lastSeen >= Date.parse('2025-08-01'))).toEqual([]);
    });

    it('a failing onChanged stores neither the findings nor the state', async () => {
      const { store, portal } = await filled();
      const boom = async () => {
        throw new Error('outbox full');
      };
      await expect(detectNew(store, { portalId: portal, rules: builtinRules(), onChanged: boom })).rejects.toThrow('outbox full');
      expect(await store.listFindings()).toEqual([]);
      expect((await detectNew(store, { portalId: portal, rules: builtinRules() })).events).toBe(history().length);
    });
  });
}

describe.skipIf(DIALECTS.some((d) => d.skip))('one truth across databases', () => {
  it('SQLite and PostgreSQL store the same findings', () => {
    expect(summary(archived.postgres ?? [])).toEqual(summary(archived.sqlite ?? []));
    expect(archived.sqlite?.length).toBeGreaterThan(0);
  });
});
