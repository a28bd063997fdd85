/**
 * A sync's first requests (src/sync/head.ts): the quota and the history's newest window go out
 * before the archive is open, are counted in the run's requests, are asked for once (a first
 * sync's reading thread is handed the window), and a portal without the `audit` feature is never
 * asked for a window at all.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DocSpaceClient, type RunningEmulator, startEmulator } from '../src/index.js';
import { openStore } from '../src/store/index.js';
import { SyncHead, syncPortal } from '../src/sync/index.js';
import { cli } from './helpers/cli.js';
import { dialects, dialectTitle, pgAdmin } from './helpers/dialects.js';
import { type RewritingProxy, rewritingProxy } from './helpers/rewriting-proxy.js';

const dir = mkdtempSync(join(tmpdir(), 'dl-sync-head-'));
const WINDOW = /\/security\/audit\/login\/filter\?count=100$/;
const QUOTA = /\/portal\/quota$/;

/** The emulator behind a proxy that lists the requests it passes on, with their queries. */
async function watched(emu: RunningEmulator): Promise<RewritingProxy & { requests: string[] }> {
  const requests: string[] = [];
  const proxy = await rewritingProxy(emu.url, (e) => e, (r) => requests.push(r));
  return { ...proxy, requests };
}

let emu: RunningEmulator;
beforeAll(async () => {
  emu = await startEmulator({ seed: 43, events: 3_000, days: 40, users: 50 });
});
afterAll(async () => {
  await emu.close();
});

describe('a sync begins with the portal', () => {
  it('a first sync through the CLI asks for the newest window once: its reading thread is handed it', async () => {
    const proxy = await watched(emu);
    try {
      const r = await cli(['sync', '--db', join(dir, 'first.sqlite'), '--json', '-q', '--debug'], { DOCSPACE_URL: proxy.url, DOCSPACE_API_KEY: emu.apiKey });
      expect(r.code).toBe(0);
      expect(r.stderr).toContain('reading the history on a worker thread');
      const result = JSON.parse(r.stdout.trim().split('\n').pop()!) as { added: number; requests: number };
      expect(result.added).toBe(3_000);
      expect(result.requests).toBe(proxy.requests.length);
      expect(proxy.requests.filter((q) => WINDOW.test(q))).toHaveLength(1);
      expect(proxy.requests.filter((q) => QUOTA.test(q))).toHaveLength(1);
    } finally {
      await proxy.close();
    }
  });

  it('a library sync given a head begun before its archive opened counts the head in its requests: two with nothing new', async () => {
    const proxy = await watched(emu);
    const client = new DocSpaceClient({ portal: proxy.url, credentials: { kind: 'apiKey', apiKey: emu.apiKey } });
    const file = join(dir, 'library.sqlite');
    try {
      for (const round of ['first', 'again']) {
        proxy.requests.length = 0;
        const head = new SyncHead(client);
        const store = await openStore(file);
        try {
          const result = await syncPortal(client, store, { head });
          expect(result.requests, round).toBe(proxy.requests.length);
          if (round === 'again') {
            expect(result.added).toBe(0);
            expect(proxy.requests.map((q) => (QUOTA.test(q) ? 'quota' : WINDOW.test(q) ? 'window' : q)).sort()).toEqual(['quota', 'window']);
          }
        } finally {
          await store.close();
        }
      }
    } finally {
      await client.close();
      await proxy.close();
    }
  });

  it('a head begun with another client is refused, not used for the wrong portal', async () => {
    const client = new DocSpaceClient({ portal: emu.url, credentials: { kind: 'apiKey', apiKey: emu.apiKey } });
    const other = new DocSpaceClient({ portal: emu.url, credentials: { kind: 'apiKey', apiKey: emu.apiKey } });
    const store = await openStore(join(dir, 'other.sqlite'));
    try {
      const head = new SyncHead(other);
      await expect(syncPortal(client, store, { head })).rejects.toThrow(/another client/);
      expect(await store.portals()).toEqual([]);
    } finally {
      await store.close();
      await client.close();
      await other.close();
    }
  });

  it('a portal without the audit feature is never asked for a window: the quota decides', async () => {
    const plain = await startEmulator({ seed: 44, events: 500, days: 10, users: 20, audit: false });
    const proxy = await watched(plain);
    const client = new DocSpaceClient({ portal: proxy.url, credentials: { kind: 'apiKey', apiKey: plain.apiKey } });
    const store = await openStore(join(dir, 'plain.sqlite'));
    try {
      for (let i = 0; i < 2; i++) {
        const result = await syncPortal(client, store);
        expect(result.mode).toBe('last20');
      }
      expect(proxy.requests.filter((q) => q.includes('/login/filter'))).toEqual([]);
      expect(proxy.requests.filter((q) => QUOTA.test(q))).toHaveLength(2);
    } finally {
      await store.close();
      await client.close();
      await proxy.close();
      await plain.close();
    }
  });
});

const targets = await dialects('sync_head');
const postgres = targets.find((d) => d.name === 'postgres')!;

describe.skipIf(postgres.skip)(dialectTitle(postgres, 'the portal answers while the archive opens'), () => {
  afterAll(() => postgres.cleanup());

  it('the quota and the window arrive while the archive cannot answer yet, and the run ends once it can', async () => {
    const db = await postgres.fresh();
    const schema = new URL(db).searchParams.get('options')!.replace('-c search_path=', '');
    const proxy = await watched(emu);
    const env = { DOCSPACE_URL: proxy.url, DOCSPACE_API_KEY: emu.apiKey };
    try {
      expect((await cli(['sync', '--db', db, '-q'], env)).code).toBe(0);
      proxy.requests.length = 0;
      await pgAdmin(async (admin) => {
        // Opening the archive reads its schema version first: held here until both requests came.
        await admin.query('begin');
        await admin.query(`lock table ${schema}.schema_version in access exclusive mode`);
        let arrived: () => void = () => {};
        const both = new Promise<void>((resolve) => (arrived = resolve));
        const poll = setInterval(() => {
          if (proxy.requests.some((q) => QUOTA.test(q)) && proxy.requests.some((q) => WINDOW.test(q))) arrived();
        }, 20);
        const run = cli(['sync', '--db', db, '--json', '-q'], env);
        let ended = false;
        void run.then(() => (ended = true));
        try {
          // Bounded generously: the two requests take milliseconds once the process runs.
          await Promise.race([both, new Promise((_, reject) => setTimeout(() => reject(new Error('the portal was not asked while the archive was locked')), 30_000))]);
        } finally {
          clearInterval(poll);
        }
        expect(ended).toBe(false);
        await admin.query('rollback');
        const r = await run;
        expect(r.code).toBe(0);
        const result = JSON.parse(r.stdout.trim().split('\n').pop()!) as { added: number; requests: number };
        expect(result).toMatchObject({ added: 0, requests: 2 });
      });
    } finally {
      await proxy.close();
    }
  });
});
