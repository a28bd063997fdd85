/**
 * A first sync into an archive with no events drops the secondary indexes no insert needs and
 * builds them once at its end (src/store/deferred-indexes.ts). Whatever happens to the run, the
 * archive ends with every index of its schema, and a run that died leaves the work to the next.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DocSpaceClient, NotDocSpaceError, type RunningEmulator, startEmulator } from '../src/index.js';
import { openStore } from '../src/store/index.js';
import { syncPortal } from '../src/sync/index.js';
import { dialects, dialectTitle } from './helpers/dialects.js';

const dir = mkdtempSync(join(tmpdir(), 'dl-deferred-'));
const DEFERRED = ['events_login_key', 'events_report', 'events_user', 'rollup_login_days_day', 'rollup_user_days_day'];
let emu: RunningEmulator;
let other: RunningEmulator;

beforeAll(async () => {
  emu = await startEmulator({ seed: 41, events: 3_000, days: 40, users: 40 });
  other = await startEmulator({ seed: 42, events: 500, days: 10, users: 10 });
});
afterAll(async () => {
  await emu.close();
  await other.close();
});

/** The archive's named indexes and the rows of `deferred_indexes`. */
function catalogue(file: string) {
  const db = new Database(file, { readonly: true });
  try {
    const indexes = (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name`).all() as Array<{ name: string }>).map((r) => r.name);
    const pending = (db.prepare('SELECT name FROM deferred_indexes ORDER BY name').all() as Array<{ name: string }>).map((r) => r.name);
    return { indexes, pending };
  } finally {
    db.close();
  }
}

function client(e: RunningEmulator, fetchImpl?: (r: Request) => Promise<Response>) {
  return new DocSpaceClient({ portal: e.url, credentials: { kind: 'apiKey', apiKey: e.apiKey }, ...(fetchImpl ? { send: fetchImpl } : {}) });
}

/** The connection's `PRAGMA synchronous`, read outside any transaction. */
function synchronousOf(store: Awaited<ReturnType<typeof openStore>>): number {
  const row = (store.backend as unknown as { raw: Database.Database }).raw.pragma('synchronous', { simple: true });
  return Number(row);
}

/** Sync `e` into `file`; `watch` sees the index catalogue while the events are being loaded. */
async function sync(
  file: string,
  e: RunningEmulator,
  opts: {
    fetch?: (r: Request) => Promise<Response>;
    during?: (c: ReturnType<typeof catalogue>) => void;
    loads?: Array<{ on: boolean; synchronous: number }>;
    stages?: string[];
  } = {},
) {
  const store = await openStore(file);
  const c = client(e, opts.fetch);
  // Each switch of the connection's bulk load, and the fsync level it leaves (0 OFF, 1 NORMAL).
  const caps = store.backend.capabilities as { bulkLoad?: (on: boolean) => Promise<void> };
  const bulkLoad = caps.bulkLoad!;
  caps.bulkLoad = async (on) => {
    await bulkLoad(on);
    opts.loads?.push({ on, synchronous: synchronousOf(store) });
  };
  try {
    let looked = false;
    return await syncPortal(c, store, {
      batchSize: 500,
      onStage: (stage) => opts.stages?.push(stage),
      onProgress: () => {
        if (looked || !opts.during) return;
        looked = true;
        opts.during(catalogue(file));
      },
    });
  } finally {
    await store.close();
    await c.close();
  }
}

describe('indexes of a first sync', () => {
  it('are dropped while the history loads and all there, whole, when it is done', async () => {
    const file = join(dir, 'first.sqlite');
    const fresh = await openStore(file);
    await fresh.close();
    const before = catalogue(file).indexes;
    for (const name of DEFERRED) expect(before).toContain(name);

    let during: ReturnType<typeof catalogue> | undefined;
    const loads: Array<{ on: boolean; synchronous: number }> = [];
    const stages: string[] = [];
    const r = await sync(file, emu, { during: (c) => (during = c), loads, stages });
    expect(r.added).toBe(3_000);
    expect(during?.pending).toEqual(DEFERRED);
    // Said, so a terminal's bar does not sit at 100% while they are built.
    expect(stages).toEqual(['indexes']);
    // Loaded without fsync, and back to NORMAL (its WAL synced) once the indexes are built.
    expect(loads.filter((l) => l.on)).toEqual([{ on: true, synchronous: 0 }]);
    expect(loads.at(-1)).toEqual({ on: false, synchronous: 1 });
    for (const name of DEFERRED) expect(during?.indexes).not.toContain(name);
    expect(catalogue(file)).toEqual({ indexes: before, pending: [] });

    // Each index is whole: SQLite's own check compares every index with its table.
    const db = new Database(file, { readonly: true });
    try {
      expect(db.pragma('integrity_check')).toEqual([{ integrity_check: 'ok' }]);
      // A user's history is read through the user index again.
      const plan = db.prepare(`EXPLAIN QUERY PLAN SELECT * FROM events WHERE portal_id = 1 AND user_id = 'x' ORDER BY time`).all() as Array<{ detail: string }>;
      expect(plan.map((p) => p.detail).join(' ')).toContain('events_user');
    } finally {
      db.close();
    }
  });

  it('are built even when the read fails', async () => {
    const file = join(dir, 'failed.sqlite');
    let pages = 0;
    let during: ReturnType<typeof catalogue> | undefined;
    // The portal breaks after a few pages of its history.
    const breaking = async (request: Request) => {
      if (request.url.includes('/security/audit/login/') && ++pages > 5) {
        during ??= catalogue(file);
        return new Response('<!doctype html><html></html>', { status: 200, headers: { 'content-type': 'text/html' } });
      }
      return fetch(request);
    };
    const loads: Array<{ on: boolean; synchronous: number }> = [];
    const err = await sync(file, emu, { fetch: breaking, loads }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotDocSpaceError);
    expect(loads.at(-1)).toEqual({ on: false, synchronous: 1 });
    expect(during?.pending).toEqual(DEFERRED);
    const after = catalogue(file);
    expect(after.pending).toEqual([]);
    for (const name of DEFERRED) expect(after.indexes).toContain(name);
  });

  it('are kept up to date as rows arrive once the archive has events, of any portal', async () => {
    const file = join(dir, 'second.sqlite');
    await sync(file, other);
    let during: ReturnType<typeof catalogue> | undefined;
    const loads: Array<{ on: boolean; synchronous: number }> = [];
    const stages: string[] = [];
    const r = await sync(file, emu, { during: (c) => (during = c), loads, stages });
    expect(r.added).toBe(3_000);
    expect(during?.pending).toEqual([]);
    expect(stages).toEqual([]);
    // Events already archived are never written without fsync.
    expect(loads.filter((l) => l.on)).toEqual([]);
    for (const name of DEFERRED) expect(during?.indexes).toContain(name);
  });

  it('left deferred by a run that died are built by the next sync of any portal', async () => {
    const file = join(dir, 'died.sqlite');
    await sync(file, emu);
    // What a run killed during its load leaves behind: the definitions recorded, the indexes gone.
    const db = new Database(file);
    try {
      const defs = db.prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'index' AND name IN (${DEFERRED.map(() => '?').join(', ')})`).all(...DEFERRED) as Array<{ name: string; sql: string }>;
      expect(defs).toHaveLength(DEFERRED.length);
      for (const d of defs) {
        db.prepare('INSERT INTO deferred_indexes (name, definition, deferred_at) VALUES (?, ?, 0)').run(d.name, d.sql);
        db.exec(`DROP INDEX ${d.name}`);
      }
    } finally {
      db.close();
    }
    expect(catalogue(file).pending).toEqual(DEFERRED);
    await sync(file, other);
    const after = catalogue(file);
    expect(after.pending).toEqual([]);
    for (const name of DEFERRED) expect(after.indexes).toContain(name);
  });
});

describe('the bulk load of a shared archive', () => {
  it('waits for a transaction open on the connection instead of failing in it', async () => {
    // `sync --all` syncs its portals through one store: one portal's load ends (and its fsync
    // level changes) while another's batch is being written. SQLite refuses the change inside a
    // transaction ("Safety level may not be changed inside a transaction").
    const store = await openStore(join(dir, 'shared.sqlite'));
    try {
      const caps = store.backend.capabilities as { bulkLoad?: (on: boolean) => Promise<void> };
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      let entered!: () => void;
      const inside = new Promise<void>((r) => (entered = r));
      const tx = store.transaction(async () => {
        entered();
        await held;
      });
      await inside;
      const turned = caps.bulkLoad!(true);
      release();
      await tx;
      await turned;
      expect(synchronousOf(store)).toBe(0);
      await caps.bulkLoad!(false);
      expect(synchronousOf(store)).toBe(1);
    } finally {
      await store.close();
    }
  });

  it('lets two portals load into one empty archive at once', async () => {
    const file = join(dir, 'two-at-once.sqlite');
    const store = await openStore(file);
    const clients = [client(emu), client(other)];
    try {
      const results = await Promise.all(clients.map((c) => syncPortal(c, store, { batchSize: 100 })));
      expect(results.map((r) => r.added)).toEqual([3_000, 500]);
      expect(synchronousOf(store)).toBe(1);
    } finally {
      await store.close();
      for (const c of clients) await c.close();
    }
    expect(catalogue(file).pending).toEqual([]);
  });
});

const [, postgres] = await dialects('deferred');

/** The same catalogue on PostgreSQL: the indexes of the archive's schema (the URL's search_path). */
async function pgCatalogue(url: string) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const indexes = (await c.query<{ name: string }>('select indexname as name from pg_indexes where schemaname = current_schema() order by 1')).rows.map((r) => r.name);
    const pending = (await c.query<{ name: string }>('select name from deferred_indexes order by 1')).rows.map((r) => r.name);
    return { indexes, pending };
  } finally {
    await c.end();
  }
}

describe.skipIf(postgres.skip)(dialectTitle(postgres, 'indexes of a first sync'), () => {
  afterAll(() => postgres.cleanup());

  /** Sync `e` into `url`, reading the catalogue while the fourth history page is held back. */
  async function held(url: string, e: RunningEmulator) {
    let during: Awaited<ReturnType<typeof pgCatalogue>> | undefined;
    let pages = 0;
    const holding = async (request: Request) => {
      if (request.url.includes('/security/audit/login/') && ++pages === 4) during = await pgCatalogue(url);
      return fetch(request);
    };
    const store = await openStore(url);
    const c = client(e, holding);
    try {
      const r = await syncPortal(c, store, { batchSize: 500 });
      return { r, during, after: await pgCatalogue(url) };
    } finally {
      await store.close();
      await c.close();
    }
  }

  it('are dropped while the history loads and built again when it is done', async () => {
    const url = await postgres.fresh();
    const before = await (async () => {
      await (await openStore(url)).close();
      return pgCatalogue(url);
    })();
    for (const name of DEFERRED) expect(before.indexes).toContain(name);

    const { r, during, after } = await held(url, emu);
    expect(r.added).toBe(3_000);
    expect(during?.pending).toEqual(DEFERRED);
    for (const name of DEFERRED) expect(during?.indexes).not.toContain(name);
    expect(after).toEqual(before);

    // Once the archive has events, a sync keeps them up to date instead.
    const again = await held(url, other);
    expect(again.r.added).toBe(500);
    expect(again.during).toEqual(before);
  });
});
