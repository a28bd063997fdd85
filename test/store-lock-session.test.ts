/**
 * The PostgreSQL sync lock's own session, opened ahead (`prepareLock`) so that its connection
 * overlaps the work before the lock: the lock uses that session, and one never used is closed
 * with the store (a session left open would keep the process alive).
 */
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../src/store/index.js';
import { dialects, dialectTitle } from './helpers/dialects.js';

const [, postgres] = await dialects('locksession');

/** This process's lock sessions: their application name carries its pid. */
async function lockSessions(): Promise<number> {
  const c = new pg.Client({ connectionString: process.env.DOCSPACE_LOGINS_TEST_PG });
  await c.connect();
  try {
    const { rows } = await c.query<{ n: string }>(
      "select count(*) as n from pg_stat_activity where application_name like 'docspace-logins sync lock (pid ' || $1::text || ' %'",
      [process.pid],
    );
    return Number(rows[0].n);
  } finally {
    await c.end();
  }
}

/** Polls `read` until it gives `want` (a session's start or end is seen by the server a moment later). */
async function until(read: () => Promise<number>, want: number): Promise<number> {
  let n = await read();
  for (let i = 0; i < 200 && n !== want; i++) {
    await new Promise((r) => setTimeout(r, 25));
    n = await read();
  }
  return n;
}

describe.skipIf(postgres.skip)(dialectTitle(postgres, 'the sync lock session opened ahead'), () => {
  afterAll(() => postgres.cleanup());

  it('is the one the lock uses, and is closed with the store when no lock took it', async () => {
    const store = await openStore(await postgres.fresh());
    try {
      const portal = await store.ensurePortal({ url: 'https://lock.example.com' });
      expect(await lockSessions()).toBe(0);
      store.prepareLock();
      store.prepareLock();
      // One session, however often it is asked for.
      expect(await until(lockSessions, 1)).toBe(1);
      await store.withPortalLock(portal, async () => {
        // The lock took the session opened ahead instead of opening another.
        expect(await lockSessions()).toBe(1);
      });
      expect(await until(lockSessions, 0)).toBe(0);
      store.prepareLock();
      expect(await until(lockSessions, 1)).toBe(1);
    } finally {
      await store.close();
    }
    expect(await until(lockSessions, 0)).toBe(0);
  });

  it('is opened with the archive when a sync asks for it, and the lock takes it', async () => {
    const store = await openStore(await postgres.fresh(), { prepareLock: true });
    try {
      expect(await until(lockSessions, 1)).toBe(1);
      const portal = await store.ensurePortal({ url: 'https://lock-early.example.com' });
      await store.withPortalLock(portal, async () => {
        expect(await lockSessions()).toBe(1);
      });
    } finally {
      await store.close();
    }
    expect(await until(lockSessions, 0)).toBe(0);
  });
});
