/**
 * A run that ended having written nothing else (a sync with nothing new) is recorded on
 * PostgreSQL without waiting for its commit to reach the disk. That concession is for that row's
 * own transaction: every later commit on the same connection, and every other write of a
 * transaction the record joins, still waits.
 */
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../src/store/index.js';
import { dialects, dialectTitle } from './helpers/dialects.js';

const [, postgres] = await dialects('runcommit');

const OUTCOME = { status: 'ok', eventsSeen: 80, eventsAdded: 0, requests: 2 } as const;

describe.skipIf(postgres.skip)(dialectTitle(postgres, 'a finished run recorded alone'), () => {
  afterAll(() => postgres.cleanup());

  it('is written, and leaves the connection committing synchronously', async () => {
    // One connection, so the statement after the record runs on the session that made it.
    const store = await openStore(await postgres.fresh(), { poolSize: 1 });
    try {
      const portal = await store.ensurePortal({ url: 'https://commit.example.com' });
      const id = await store.recordRun(portal, 'audit', Date.now() - 50, OUTCOME);
      const runs = await store.db.selectFrom('sync_runs').select(['id', 'status', 'events_seen']).execute();
      expect(runs).toEqual([{ id, status: 'ok', events_seen: 80 }]);
      const after = await sql<{ v: string }>`select current_setting('synchronous_commit') as v`.execute(store.db);
      expect(after.rows[0].v).toBe('on');
    } finally {
      await store.close();
    }
  });

  it('inside a transaction, does not lower that transaction\'s other commits', async () => {
    const store = await openStore(await postgres.fresh(), { poolSize: 1 });
    try {
      const portal = await store.ensurePortal({ url: 'https://commit-tx.example.com' });
      const inside = await store.transaction(async (tx) => {
        await tx.recordRun(portal, 'audit', Date.now() - 50, OUTCOME);
        return (await sql<{ v: string }>`select current_setting('synchronous_commit') as v`.execute(tx.db)).rows[0].v;
      });
      expect(inside).toBe('on');
    } finally {
      await store.close();
    }
  });
});
