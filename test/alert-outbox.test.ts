/**
 * The outbox, once on in-memory SQLite and once on PostgreSQL (when DOCSPACE_LOGINS_TEST_PG is
 * set): enqueue, claim with a lease, marks, a worker killed mid-delivery, 410, replay.
 */
import Database from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAlert, createOutboxTables, DEFAULT_LEASE_MS, Outbox, type OutboxOptions, OUTBOX_DDL } from '../src/alert/index.js';
import { finding, T0 } from './helpers/alert-helpers.js';
import { dialects } from './helpers/dialects.js';

const cases = await dialects('alert_outbox');
const pgCase = cases.find((c) => c.name === 'postgres')!;
afterAll(() => Promise.all(cases.map((c) => c.cleanup())));

interface Target {
  name: string;
  skip: string | undefined;
  options: OutboxOptions;
  open(): Promise<Kysely<any>>;
}

const targets: Target[] = [
  {
    name: 'sqlite',
    skip: undefined,
    options: { locking: 'single-writer' },
    open: async () => new Kysely({ dialect: new SqliteDialect({ database: new Database(':memory:') }) }),
  },
  {
    name: 'postgres',
    skip: pgCase.skip,
    options: { locking: 'skip-locked' },
    open: async () => new Kysely({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: await pgCase.fresh(), max: 4 }) }) }),
  },
];

const HOOK = 'webhook:aaaa';
const SLACK = 'slack:bbbb';

for (const target of targets) {
  const title = `the alert outbox on ${target.name}${target.skip ? ` (skipped: ${target.skip})` : ''}`;
  describe.skipIf(!!target.skip)(title, () => {
    let db: Kysely<any>;
    let outbox: Outbox;
    beforeEach(async () => {
      db = await target.open();
      await createOutboxTables(db);
      outbox = new Outbox(db, target.options);
    });
    afterEach(() => db.destroy());

    it('enqueues one delivery per destination, due at once, and a second enqueue of the same alert is a no-op', async () => {
      const alert = createAlert(finding(), 'new', T0);
      expect(await outbox.enqueue(alert, [HOOK, SLACK, HOOK])).toBe(true);
      expect(await outbox.enqueue(alert, [HOOK, SLACK])).toBe(false);
      expect(await outbox.claimDue(T0 - 1)).toEqual([]);
      const claims = await outbox.claimDue(T0);
      expect(claims.map((c) => [c.destination, c.alertId, c.attempts]).sort()).toEqual([
        [SLACK, 'dsl-003:198.51.100.7:1', 1],
        [HOOK, 'dsl-003:198.51.100.7:1', 1],
      ]);
      expect(claims).toHaveLength(2);
      expect(claims[0].alert).toEqual(alert);
      // Leased: nobody else gets them now.
      expect(await outbox.claimDue(T0)).toEqual([]);
    });

    it('a worker killed mid-delivery (claim, then nothing) loses its lease and the delivery comes back with the same alert id', async () => {
      const alert = createAlert(finding(), 'new', T0);
      await outbox.enqueue(alert, [HOOK]);
      const [first] = await outbox.claimDue(T0);
      // …the worker dies here without marking anything.
      expect(await outbox.claimDue(T0 + DEFAULT_LEASE_MS - 1)).toEqual([]);
      const [again] = await outbox.claimDue(T0 + DEFAULT_LEASE_MS);
      expect(again.alertId).toBe(first.alertId);
      expect(again.alert.id).toBe(alert.id);
      expect(again.attempts).toBe(2);
      // The dead worker's late mark is ignored; the live one's counts.
      expect(await outbox.markDelivered(first, T0 + 1)).toBe(false);
      expect(await outbox.markDelivered(again, T0 + DEFAULT_LEASE_MS + 5)).toBe(true);
      const [row] = await outbox.deliveries(alert.id);
      expect(row).toMatchObject({ status: 'delivered', attempts: 2, deliveredAt: T0 + DEFAULT_LEASE_MS + 5, lastError: null });
    });

    it('alertIds names an alert by its id or a prefix of it: the exact id first, else every alert it starts', async () => {
      for (const revision of [1, 2, 10]) await outbox.enqueue(createAlert(finding({ revision }), 'new', T0 + revision), [HOOK]);
      const id = 'dsl-003:198.51.100.7';
      expect(await outbox.alertIds(`${id}:1`)).toEqual([`${id}:1`]);
      expect(await outbox.alertIds(`${id}:2`)).toEqual([`${id}:2`]);
      expect(await outbox.alertIds('dsl-003:198.51')).toEqual([`${id}:1`, `${id}:10`, `${id}:2`]);
      expect(await outbox.alertIds('dsl-003:198.51', 2)).toHaveLength(2);
      expect(await outbox.alertIds('dsl-004')).toEqual([]);
    });

    it('markRetry makes the delivery due again at nextAt, keeping the error', async () => {
      await outbox.enqueue(createAlert(finding(), 'new', T0), [HOOK]);
      const [claim] = await outbox.claimDue(T0);
      expect(await outbox.markRetry(claim, T0 + 5000, 'HTTP 503')).toBe(true);
      expect(await outbox.claimDue(T0 + 4999)).toEqual([]);
      const [next] = await outbox.claimDue(T0 + 5000);
      expect(next.attempts).toBe(2);
      expect((await outbox.deliveries())[0]).toMatchObject({ status: 'pending', lastError: 'HTTP 503' });
    });

    it('defer hands a delivery back without counting an attempt', async () => {
      await outbox.enqueue(createAlert(finding(), 'new', T0), [SLACK]);
      const [claim] = await outbox.claimDue(T0);
      expect(await outbox.defer(claim, T0 + 1000)).toBe(true);
      const [next] = await outbox.claimDue(T0 + 1000);
      expect(next.attempts).toBe(1);
    });

    it('410 disables the destination: its other deliveries wait, other destinations go on, until it is enabled again', async () => {
      await outbox.enqueue(createAlert(finding(), 'new', T0), [HOOK, SLACK]);
      await outbox.enqueue(createAlert(finding({ revision: 2, severity: 'critical' }), 'escalated', T0 + 10), [HOOK, SLACK]);
      const claims = await outbox.claimDue(T0, 1);
      expect(claims).toHaveLength(1);
      const gone = claims[0];
      expect(await outbox.markGone(gone, 'HTTP 410', T0 + 1)).toBe(true);
      const rest = await outbox.claimDue(T0 + 20);
      expect(rest.every((c) => c.destination !== gone.destination)).toBe(true);
      expect(rest).toHaveLength(2);
      expect(await outbox.disabledDestinations()).toEqual([{ destination: gone.destination, disabledAt: T0 + 1, reason: 'HTTP 410' }]);
      expect(await outbox.enableDestination(gone.destination)).toBe(true);
      const revived = await outbox.claimDue(T0 + 30);
      expect(revived.map((c) => [c.destination, c.alertId])).toEqual([[gone.destination, 'dsl-003:198.51.100.7:2']]);
    });

    it('replay(since) sends finished deliveries of newer alerts again, with their ids, and leaves older ones alone', async () => {
      const old = createAlert(finding({ id: 'old' }), 'new', T0 - 3_600_000);
      const recent = createAlert(finding(), 'new', T0);
      await outbox.enqueue(old, [HOOK]);
      await outbox.enqueue(recent, [HOOK, SLACK]);
      for (const c of await outbox.claimDue(T0)) {
        if (c.destination === SLACK) await outbox.markFailed(c, 'HTTP 400');
        else await outbox.markDelivered(c, T0);
      }
      expect(await outbox.claimDue(T0 + 1)).toEqual([]);
      expect(await outbox.replay(T0 - 60_000, T0 + 100, SLACK)).toBe(1);
      expect(await outbox.replay(T0 - 60_000, T0 + 100)).toBe(1);
      const again = await outbox.claimDue(T0 + 100);
      expect(again.map((c) => [c.alertId, c.destination, c.attempts]).sort()).toEqual([
        [recent.id, HOOK, 1],
        [recent.id, SLACK, 1],
      ].sort());
    });

    it('lastNotified returns the newest revision sent for a finding', async () => {
      expect(await outbox.lastNotified('dsl-003:198.51.100.7')).toBeUndefined();
      await outbox.enqueue(createAlert(finding(), 'new', T0), [HOOK]);
      await outbox.enqueue(createAlert(finding({ revision: 7, severity: 'critical' }), 'escalated', T0 + 60_000), [HOOK]);
      expect(await outbox.lastNotified('dsl-003:198.51.100.7')).toEqual({ revision: 7, severity: 'critical', status: 'open', notifiedAt: T0 + 60_000 });
    });

    it('enqueue joins the caller\'s transaction: a rollback leaves no alert behind', async () => {
      await expect(
        db.transaction().execute(async (trx) => {
          await new Outbox(trx, target.options).enqueue(createAlert(finding(), 'new', T0), [HOOK]);
          throw new Error('the finding could not be stored');
        }),
      ).rejects.toThrow('could not be stored');
      expect(await outbox.claimDue(T0)).toEqual([]);
    });

    it.skipIf(target.name !== 'postgres')('two workers claiming at once get disjoint deliveries (FOR UPDATE SKIP LOCKED)', async () => {
      for (let i = 0; i < 20; i++) await outbox.enqueue(createAlert(finding({ id: `f${i}` }), 'new', T0), [HOOK]);
      const other = new Outbox(db, target.options);
      const [a, b] = await Promise.all([outbox.claimDue(T0, 12), other.claimDue(T0, 12)]);
      const ids = [...a, ...b].map((c) => c.alertId);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids.length).toBe(20);
    });
  });
}

describe('the outbox DDL', () => {
  it('is plain statements a migration can run one by one', () => {
    expect(OUTBOX_DDL).toMatch(/CREATE TABLE outbox_alerts/);
    expect(OUTBOX_DDL).toMatch(/CREATE TABLE outbox_deliveries/);
    expect(OUTBOX_DDL).not.toMatch(/autoincrement|serial|identity/i);
  });
});

