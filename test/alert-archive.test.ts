/**
 * The outbox inside the archive (migration 8), once per database: it joins the archive's
 * transactions (an alert queued for a finding that rolls back is gone with it), PostgreSQL
 * claims with SKIP LOCKED, and the claims of a watcher that died are taken back at once.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createAlert } from '../src/alert/index.js';
import { openStore } from '../src/store/index.js';
import { finding, T0 } from './helpers/alert-helpers.js';
import { dialects, dialectTitle } from './helpers/dialects.js';

const cases = await dialects('alert_archive');
afterAll(() => Promise.all(cases.map((c) => c.cleanup())));

for (const d of cases) {
  describe.skipIf(!!d.skip)(dialectTitle(d, 'the alert outbox in the archive'), () => {
    it('migration 8 creates the outbox, and the backend names its claim locking', async () => {
      const store = await openStore(await d.fresh());
      try {
        expect(store.migration?.applied.map((m) => m.version)).toContain(8);
        expect(store.capabilities.claimLocking).toBe(d.name === 'postgres' ? 'skip-locked' : 'single-writer');
        expect(await store.outbox().alerts()).toEqual([]);
      } finally {
        await store.close();
      }
    });

    it('an alert queued in a transaction that fails is rolled back with it; one that commits stays', async () => {
      const store = await openStore(await d.fresh());
      try {
        const failing = store.transaction(async (tx) => {
          expect(await tx.outbox().enqueue(createAlert(finding({ id: 'lost' }), 'new', T0), ['webhook:a'])).toBe(true);
          throw new Error('the finding could not be written');
        });
        await expect(failing).rejects.toThrow('could not be written');
        await store.transaction(async (tx) => {
          // The outer store's outbox, used inside the transaction, joins it too.
          await store.outbox().enqueue(createAlert(finding({ id: 'kept' }), 'new', T0), ['webhook:a']);
          expect(await tx.outbox().alert('kept:1')).toBeDefined();
        });
        expect((await store.outbox().alerts()).map((a) => a.id)).toEqual(['kept:1']);
        expect(await store.outbox().alert('lost:1')).toBeUndefined();
      } finally {
        await store.close();
      }
    });

    it('a portal-scoped sql sees the alerts of its own portal\'s findings only', async () => {
      const store = await openStore(await d.fresh());
      try {
        const detected = (id: string) => ({
          id, rule: 'DSL-001', title: 't', severity: 'medium' as const, tags: [], group: 'g', firstSeen: T0,
          lastSeen: T0, count: 10, eventIds: [1], sessionIds: [], confidence: 'high' as const, evidence: {},
        });
        const acme = await store.ensurePortal({ url: 'https://acme.example' });
        const other = await store.ensurePortal({ url: 'https://other.example' });
        await store.upsertFindings(acme, [detected('f-acme')], T0);
        await store.upsertFindings(other, [detected('f-other')], T0);
        for (const id of ['f-acme', 'f-other']) await store.outbox().enqueue(createAlert(finding({ id }), 'new', T0), ['webhook:a']);
        const ids = async (text: string, portalIds?: number[]) => {
          const rows: unknown[][] = [];
          for await (const row of await store.sqlRows(text, { portalIds })) rows.push(row);
          return rows.map((r) => r[0]).sort();
        };
        expect(await ids('select id from outbox_alerts')).toEqual(['f-acme:1', 'f-other:1']);
        expect(await ids('select id from outbox_alerts', [acme])).toEqual(['f-acme:1']);
        expect(await ids('select alert_id from outbox_deliveries', [other])).toEqual(['f-other:1']);
      } finally {
        await store.close();
      }
    });

    it('claims of a process that no longer runs come back at once; a live one keeps its lease', async () => {
      const store = await openStore(await d.fresh());
      try {
        const { Outbox } = await import('../src/alert/index.js');
        const dead = new Outbox(() => store.db, { locking: store.capabilities.claimLocking, worker: { host: 'h1', pid: 111 } });
        const live = new Outbox(() => store.db, { locking: store.capabilities.claimLocking, worker: { host: 'h1', pid: 222 } });
        await dead.enqueue(createAlert(finding({ id: 'a' }), 'new', T0), ['webhook:a']);
        await live.enqueue(createAlert(finding({ id: 'b' }), 'new', T0), ['webhook:a']);
        const [claimA] = await dead.claimDue(T0, 1);
        const [claimB] = await live.claimDue(T0, 1);
        expect([claimA.alertId, claimB.alertId].sort()).toEqual(['a:1', 'b:1']);
        const next = new Outbox(() => store.db, { locking: store.capabilities.claimLocking, worker: { host: 'h1', pid: 333 } });
        // Another host's claims are never judged by pids here.
        expect(await next.releaseDead(T0 + 1, () => false, 'h2')).toBe(0);
        expect(await next.releaseDead(T0 + 1, (pid) => pid === 222)).toBe(1);
        const again = await next.claimDue(T0 + 1);
        expect(again.map((c) => [c.alertId, c.attempts])).toEqual([[claimA.alertId, 2]]);
        expect(await dead.markDelivered(claimA, T0 + 2)).toBe(false);
        expect(await next.markDelivered(again[0], T0 + 2)).toBe(true);
      } finally {
        await store.close();
      }
    });
  });
}
