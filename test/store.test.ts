/**
 * The archive store, written once and run against every dialect: SQLite always, PostgreSQL when
 * DOCSPACE_LOGINS_TEST_PG points at a reachable server (`eval "$(scripts/pg-scratch.sh start)"`).
 * Without one, the PostgreSQL suite is reported as skipped, with the reason in its name.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { type DialectCase, dialects } from './helpers/dialects.js';
import { UnavailableError, UsageError } from '../src/errors/index.js';
import { compileFilter } from '../src/history/filter.js';
import { type LoginEvent, normaliseEvent } from '../src/model/event.js';
import { GUEST_ID } from '../src/model/ids.js';
import {
  ArchiveBusyError,
  type ArchiveQuery,
  type ArchiveStore,
  type EventRow,
  mergeIntervals,
  openStore,
  READ_ONLY_SQL,
  redactUrl,
  resolveArchive,
  SCHEMA_VERSION,
  subtractIntervals,
  toLoginEvent,
} from '../src/store/index.js';
import { EventInsert } from '../src/store/insert.js';
import { sqliteBackend } from '../src/store/backend-sqlite.js';
import { MIGRATIONS } from '../src/store/migration-list.js';
import { migrate } from '../src/store/migrations.js';
import { toRow } from '../src/store/rows.js';

const T0 = Date.UTC(2025, 0, 1);
const MIN = 60_000;
const USERS = Array.from({ length: 6 }, (_, i) => `0b9a4c1e-1111-4222-8333-${String(i).padStart(12, '0')}`);

interface Spec {
  id: number;
  time: number;
  user?: number;
  anonymous?: boolean;
  login?: string | null;
  actionId?: number;
  offset?: number;
}

function event(s: Spec): LoginEvent {
  const anonymous = s.anonymous ?? false;
  const u = s.user ?? 0;
  return normaliseEvent(
    {
      id: s.id,
      date: '',
      userId: anonymous ? GUEST_ID : USERS[u].toUpperCase(),
      user: anonymous ? 'Anonymous' : `User ${u}`,
      login: s.login === null ? undefined : (s.login ?? (anonymous ? `user${u}@example.com` : undefined)),
      action: 'Login',
      actionId: s.actionId ?? (anonymous ? 1013 : 1010),
      ip: `10.0.0.${u}`,
      country: 'Germany',
      city: 'Berlin',
      browser: 'Chrome 120',
      platform: u % 2 ? undefined : 'Windows 10',
      page: 'https://portal.example.com/login',
    },
    { time: s.time, offsetMinutes: s.offset ?? 120 },
  );
}

/** `n` events with ids from `first`, one a minute, several users, some anonymous failures. */
function series(n: number, first = 1, start = T0): LoginEvent[] {
  return Array.from({ length: n }, (_, i) => {
    const id = first + i;
    return event({ id, time: start + i * MIN, user: id % USERS.length, anonymous: id % 7 === 0 });
  });
}

// --- dialects --------------------------------------------------------------------------------

const DIALECTS: DialectCase[] = await dialects('store');

/** Scratch files of single tests (XDG folders, non-databases). */
const tmp = mkdtempSync(join(tmpdir(), 'docspace-store-'));

afterAll(async () => {
  rmSync(tmp, { recursive: true, force: true });
  if (childDir) rmSync(await childDir, { recursive: true, force: true });
  for (const d of DIALECTS) await d.cleanup();
});

/** The order the store promises: newest first, then portal, then id, all descending. */
function newestFirst(a: { time: number; portalId: number; id: number }, b: typeof a): number {
  return b.time - a.time || b.portalId - a.portalId || b.id - a.id;
}

async function collect(store: ArchiveStore, q: ArchiveQuery = {}): Promise<EventRow[]> {
  const rows: EventRow[] = [];
  for await (const r of store.queryEvents(q)) rows.push(r);
  return rows;
}

// --- a real second process --------------------------------------------------------------------

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The child's script: open the archive, then hold a portal lock, or insert batches forever. */
const CHILD = `
import { openStore } from './src/store/index.js';
const [target, mode, url] = process.argv.slice(2);
const say = (line) => process.stdout.write(line + '\\n');
const store = await openStore(target);
const portalId = await store.ensurePortal({ url });
if (mode === 'lock') {
  await store.withPortalLock(portalId, async () => {
    say('locked');
    // Await something unreachable while the collector runs: the lock must survive that.
    let runs = 0;
    await new Promise(() => {
      const t = setInterval(() => {
        globalThis.gc();
        if (++runs === 5) clearInterval(t);
      }, 20);
      setInterval(() => {}, 60_000);
    });
  });
}
if (mode === 'insert') {
  const t0 = Date.UTC(2025, 0, 1);
  for (let b = 0; ; b++) {
    const events = [];
    for (let i = 1; i <= 1000; i++) {
      const id = b * 1000 + i;
      const time = t0 + id * 1000;
      events.push({ id, time, offsetMinutes: 0, userId: 'u' + (id % 50),
        user: 'User', login: null, anonymous: false, actionId: 1010, action: 'Login', kind: 'success',
        ip: '10.0.0.1', country: 'Germany', city: 'Berlin', browser: null, platform: null, page: null });
    }
    await store.transaction(async (tx) => {
      await tx.insertEvents(portalId, events);
      const newestId = (b + 1) * 1000;
      const cp = await tx.checkpoint(portalId);
      if (!cp || cp.newestId < newestId) await tx.setCheckpoint(portalId, { newestTime: t0 + newestId * 1000, newestId });
    });
    say('batch ' + (b + 1));
  }
}
`;

let childDir: Promise<string> | undefined;

/**
 * Node 20 cannot run TypeScript, so the sources are transpiled (types stripped, file by file,
 * no type-check) into a scratch folder inside the project, where \`node_modules\` resolves.
 */
function buildChild(): Promise<string> {
  childDir ??= (async () => {
    const ts = (await import('typescript')).default;
    const out = join(ROOT, '.tmp', `store-child-${process.pid}`);
    const walk = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
      );
    for (const file of walk(join(ROOT, 'src'))) {
      const js = ts.transpileModule(readFileSync(file, 'utf8'), {
        compilerOptions: {
          module: ts.ModuleKind.ESNext,
          target: ts.ScriptTarget.ES2022,
          verbatimModuleSyntax: true,
        },
      }).outputText;
      const dest = join(out, relative(ROOT, file)).replace(/\.ts$/, '.js');
      mkdirSync(dirname(dest), { recursive: true });
      writeFileSync(dest, js);
    }
    writeFileSync(join(out, 'child.mjs'), CHILD);
    return out;
  })();
  return childDir;
}

interface Child {
  proc: ChildProcess;
  /** Resolves when the child has printed a line matching `re`. */
  waitFor(re: RegExp): Promise<string>;
  lines: string[];
  exited: Promise<void>;
}

/** Children still running, killed after each test whatever its outcome. */
const children = new Set<ChildProcess>();

async function spawnChild(target: string, mode: 'lock' | 'insert', url: string): Promise<Child> {
  const dir = await buildChild();
  const proc = spawn(process.execPath, ['--expose-gc', join(dir, 'child.mjs'), target, mode, url], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let stderr = '';
  const waiters: Array<{ re: RegExp; resolve: (l: string) => void }> = [];
  children.add(proc);
  let spawnError = '';
  const exited = new Promise<void>((r) => {
    proc.on('exit', () => {
      children.delete(proc);
      r();
    });
    proc.on('error', (err) => {
      spawnError = err.message;
      r();
    });
  });
  proc.stderr!.on('data', (d) => {
    stderr += d;
  });
  let buf = '';
  proc.stdout!.on('data', (d) => {
    buf += d;
    let nl = buf.indexOf('\n');
    while (nl >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      lines.push(line);
      for (const w of waiters.filter((x) => x.re.test(line))) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
      nl = buf.indexOf('\n');
    }
  });
  return {
    proc,
    lines,
    exited,
    waitFor: (re) =>
      new Promise((resolveLine, reject) => {
        const found = lines.find((l) => re.test(l));
        if (found) return resolveLine(found);
        waiters.push({ re, resolve: resolveLine });
        exited.then(() => reject(new Error(`child exited before printing ${re}: ${spawnError || stderr}`)));
      }),
  };
}

async function kill9(child: Child): Promise<void> {
  child.proc.kill('SIGKILL');
  await child.exited;
}

// --- the suite -------------------------------------------------------------------------------

for (const d of DIALECTS) {
  const title = d.skip ? `archive store on ${d.name} — SKIPPED: ${d.skip}` : `archive store on ${d.name}`;

  describe.skipIf(d.skip !== undefined)(title, () => {
    const open: ArchiveStore[] = [];
    async function newStore(target?: string, opts?: Parameters<typeof openStore>[1]): Promise<ArchiveStore> {
      const store = await openStore(target ?? (await d.fresh()), opts);
      open.push(store);
      return store;
    }
    afterEach(async () => {
      for (const c of children) c.kill('SIGKILL');
      while (open.length) await open.pop()!.close();
    });

    describe('schema', () => {
      it('is created on first open and left alone on the next', async () => {
        const target = await d.fresh();
        const first = await newStore(target);
        expect(first.dialect).toBe(d.name);
        expect(first.migration?.applied.map((m) => m.version)).toEqual(MIGRATIONS.map((m) => m.version));
        const second = await newStore(target);
        expect(second.migration).toEqual({ from: SCHEMA_VERSION, to: SCHEMA_VERSION, applied: [] });
        const { rows } = await second.sql('select version from schema_version order by version');
        expect(rows.map((r) => Number(r[0]))).toEqual(MIGRATIONS.map((m) => m.version));
        expect(SCHEMA_VERSION).toBe(MIGRATIONS[MIGRATIONS.length - 1].version);
      });

      it('survives several processes opening a new archive at once', async () => {
        const target = await d.fresh();
        const stores = await Promise.all([newStore(target), newStore(target), newStore(target)]);
        // Each migration ran once, whichever process ran it.
        const applied = stores.flatMap((s) => s.migration?.applied ?? []);
        expect(applied.map((m) => m.version).sort((a, b) => a - b)).toEqual(MIGRATIONS.map((m) => m.version));
        const { rows } = await stores[0].sql('select count(*) from schema_version');
        expect(Number(rows[0][0])).toBe(MIGRATIONS.length);
      });

      it('an archive from an older version is upgraded once, even when opened read-only', async () => {
        const target = await d.fresh();
        const backend =
          d.name === 'postgres' ? (await import('../src/store/backend-pg.js')).postgresBackend(target) : sqliteBackend(target);
        expect(await migrate(backend, MIGRATIONS.slice(0, 1))).toMatchObject({ from: 0, to: 1 });
        await backend.close();
        const ro = await newStore(target, { readOnly: true });
        expect(ro.readOnly).toBe(true);
        const { rows } = await ro.sql('select max(version) from schema_version');
        expect(Number(rows[0][0])).toBe(SCHEMA_VERSION);
        expect(await ro.portals()).toEqual([]);
      });

      it('migrating again is a no-op', async () => {
        const store = await newStore();
         
        const report = await migrate((store as any).backend);
        expect(report.applied).toEqual([]);
      });
    });

    describe('portals', () => {
      it('are keyed by the normalised origin', async () => {
        const store = await newStore();
        const a = await store.ensurePortal({ url: 'acme.example.com', name: 'Acme' });
        expect(await store.ensurePortal({ url: 'https://acme.example.com/' })).toBe(a);
        expect(await store.ensurePortal({ url: 'https://ACME.example.com/api/2.0' })).toBe(a);
        const b = await store.ensurePortal({ url: 'https://other.example.com' });
        expect(b).not.toBe(a);
        await store.updatePortal(a, { retentionDays: 180, audit: false, timezoneOffset: 120 });
        expect(await store.portal('https://acme.example.com')).toMatchObject({
          id: a,
          url: 'https://acme.example.com',
          name: 'Acme',
          retentionDays: 180,
          audit: false,
          timezoneOffset: 120,
        });
        expect((await store.portals()).map((p) => p.id)).toEqual([a, b]);
      });
    });

    describe('inserting events', () => {
      it('is idempotent: the same events twice are archived once', async () => {
        const store = await newStore();
        const p = await store.ensurePortal({ url: 'https://acme.example.com' });
        const events = series(250);
        expect(await store.insertEvents(p, events)).toEqual({ added: 250, duplicates: 0, quarantined: 0 });
        expect(await store.insertEvents(p, events)).toEqual({ added: 0, duplicates: 250, quarantined: 0 });
        // An overlapping page: 50 known, 50 new, and one repeated inside the batch.
        const overlap = [...series(100, 201), event({ id: 300, time: T0 })];
        expect(await store.insertEvents(p, overlap)).toEqual({ added: 50, duplicates: 51, quarantined: 0 });
        expect(await store.countEvents()).toBe(300);
        const ids = (await collect(store)).map((r) => r.id);
        expect(new Set(ids).size).toBe(300);
      });

      it('keys events by portal: the same id in two portals is two events', async () => {
        const store = await newStore();
        const a = await store.ensurePortal({ url: 'https://a.example.com' });
        const b = await store.ensurePortal({ url: 'https://b.example.com' });
        await store.insertEvents(a, series(10));
        expect((await store.insertEvents(b, series(10))).added).toBe(10);
        expect(await store.countEvents({ portalIds: [a] })).toBe(10);
        expect(await store.countEvents()).toBe(20);
      });

      it('reads back exactly the LoginEvent it was given', async () => {
        const store = await newStore();
        const p = await store.ensurePortal({ url: 'https://acme.example.com' });
        const events = [
          event({ id: 1, time: T0, offset: 0 }),
          event({ id: 2, time: T0 + 1, offset: -330, anonymous: true, login: 'Bob@Example.com' }),
          event({ id: 3, time: T0 + 2, offset: 345, user: 1, login: null }),
          event({ id: 4, time: T0 + 3, actionId: 1099 }),
        ];
        await store.insertEvents(
          p,
          events,
          events.map((e) => JSON.stringify({ original: e.id })),
        );
        const rows = await collect(store, { withRaw: true });
        expect(rows.map(toLoginEvent)).toEqual([...events].reverse());
        expect(rows.map((r) => r.raw)).toEqual([
          '{"original":4}',
          '{"original":3}',
          '{"original":2}',
          '{"original":1}',
        ]);
        expect((await collect(store))[0].raw).toBeNull();
      });

      it('quarantines events that fail validation and archives the rest', async () => {
        const store = await newStore();
        const p = await store.ensurePortal({ url: 'https://acme.example.com' });
        const good = series(3);
        const bad = { ...event({ id: 9, time: T0 }), time: Number.NaN };
        const noId = { ...event({ id: 10, time: T0 }), id: Number.NaN };
        const r = await store.insertEvents(
          p,
          [...good, bad, noId],
          [null, null, null, '{"id":9}', undefined],
        );
        expect(r).toEqual({ added: 3, duplicates: 0, quarantined: 2 });
        expect(await store.quarantineCount(p)).toBe(2);
        await store.quarantine(p, 'schema: id missing', { date: 'x' });
        expect(await store.quarantineCount()).toBe(3);
        const { rows } = await store.sql('select reason, raw from quarantine order by id');
        expect(rows[0]).toEqual(['event 9: time is not an integer: NaN', '{"id":9}']);
        expect(String(rows[1][1])).toContain('"id":null');
      });

      it('refuses an unknown portal id', async () => {
        const store = await newStore();
        await expect(store.insertEvents(42, series(1))).rejects.toThrow(/No portal with id 42/);
      });

      it('compiles every batch to the statement Kysely would build', async () => {
        const store = await newStore();
        const rows = series(7).map((e) => (toRow(1, e, null, 5) as { row: EventRow }).row);
        const insert = new EventInsert(store.db);
        const first = insert.build(rows);
        const again = insert.build(rows.map((r) => ({ ...r, id: r.id + 100 })));
        const kysely = insert.compileWithKysely(rows.map((r) => ({ ...r, id: r.id + 100 })));
        expect(first.sql).toBe(kysely.sql);
        expect(again.sql).toBe(kysely.sql);
        expect(again.parameters).toEqual(kysely.parameters);
      });
    });

    describe('transactions', () => {
      it('roll back everything when the callback throws', async () => {
        const store = await newStore();
        const p = await store.ensurePortal({ url: 'https://acme.example.com' });
        await expect(
          store.transaction(async (tx) => {
            await tx.insertEvents(p, series(1200));
            await tx.addCoverage(p, { from: T0, to: T0 + 1000, kind: 'complete' });
            await tx.setCheckpoint(p, { newestTime: T0 + 1000, newestId: 1200 });
            // Calls on the outer store from inside join the transaction (no deadlock on SQLite).
            await store.quarantine(p, 'bad', '{}');
            expect(await store.countEvents()).toBe(1200);
            throw new Error('network went away');
          }),
        ).rejects.toThrow('network went away');
        expect(await store.countEvents()).toBe(0);
        expect(await store.coverage(p)).toEqual([]);
        expect(await store.checkpoint(p)).toBeUndefined();
        expect(await store.quarantineCount()).toBe(0);
      });

      it('commit together, and nested calls join the outer one', async () => {
        const store = await newStore();
        const p = await store.ensurePortal({ url: 'https://acme.example.com' });
        const result = await store.transaction(async (tx) => {
          const r = await tx.insertEvents(p, series(10));
          await tx.transaction((inner) => inner.setCheckpoint(p, { newestTime: T0 + 9 * MIN, newestId: 10 }));
          return r.added;
        });
        expect(result).toBe(10);
        expect(await store.checkpoint(p)).toMatchObject({ newestTime: T0 + 9 * MIN, newestId: 10 });
      });

      it('let other work wait for the transaction instead of seeing half of it', async () => {
        const store = await newStore();
        const p = await store.ensurePortal({ url: 'https://acme.example.com' });
        let release!: () => void;
        const gate = new Promise<void>((r) => {
          release = r;
        });
        const tx = store.transaction(async (t) => {
          await t.insertEvents(p, series(5));
          await gate;
          await t.insertEvents(p, series(5, 6));
        });
        const outside = store.countEvents();
        setTimeout(release, 50);
        await tx;
        // SQLite has one connection (the count waits for the commit); PostgreSQL reads the last commit.
        expect([0, 10]).toContain(await outside);
        expect(await store.countEvents()).toBe(10);
      });
    });

    describe('queryEvents', () => {
      async function dataset(store: ArchiveStore) {
        const a = await store.ensurePortal({ url: 'https://a.example.com' });
        const b = await store.ensurePortal({ url: 'https://b.example.com' });
        const all: Array<LoginEvent & { portalId: number; time: number }> = [];
        for (const [portal, shift] of [
          [a, 0],
          [b, 30_000],
        ] as const) {
          const events: LoginEvent[] = [];
          for (let i = 1; i <= 400; i++) {
            // Ties: four events share every second.
            const time = T0 + Math.floor(i / 4) * 1000 + shift;
            const anonymous = i % 5 === 0;
            const login = anonymous ? (i % 2 ? 'Bob@Example.com' : 'carol@example.com') : undefined;
            events.push(
              event({
                id: i * 3,
                time,
                user: i % USERS.length,
                anonymous,
                login,
                actionId: [1010, 1006, 1013][i % 3],
              }),
            );
          }
          await store.insertEvents(portal, events);
          for (const e of events) all.push({ ...e, portalId: portal });
        }
        return { a, b, all };
      }

      const filters: Array<[string, (ids: { a: number; b: number }) => ArchiveQuery]> = [
        ['everything', () => ({})],
        ['one portal', ({ b }) => ({ portalIds: [b] })],
        ['a time window (inclusive bounds)', () => ({ since: T0 + 20_000, until: T0 + 60_000 })],
        ['a user id, in any case', () => ({ userIds: [USERS[2].toUpperCase()] })],
        ['a typed login, case-insensitively', () => ({ logins: ['bob@example.COM'] })],
        ['a user id or a login', () => ({ userIds: [USERS[1]], logins: ['carol@example.com'] })],
        ['kinds', () => ({ kinds: ['failure', 'logout'] })],
        ['action ids', () => ({ actionIds: [1013] })],
        ['a limit across portals', () => ({ limit: 37 })],
        [
          'everything at once',
          ({ a }) => ({ portalIds: [a], since: T0, kinds: ['success'], userIds: [USERS[3]], limit: 5 }),
        ],
      ];

      it.each(filters)('filters by %s, newest first, like the live filter', async (_name, make) => {
        const store = await newStore();
        const { a, b, all } = await dataset(store);
        const q = { ...make({ a, b }), chunkSize: 64 };
        const match = compileFilter(q);
        const expected = all
          .filter((e) => (q.portalIds ? q.portalIds.includes(e.portalId) : true) && match(e))
          .sort(newestFirst)
          .slice(0, q.limit ?? Number.POSITIVE_INFINITY)
          .map((e) => [e.portalId, e.id]);
        expect(expected.length).toBeGreaterThan(0);
        const rows = await collect(store, q);
        expect(rows.map((r) => [r.portal_id, r.id])).toEqual(expected);
        if (q.limit === undefined) expect(await store.countEvents(q)).toBe(expected.length);
      });

      it('streams 20,000 rows in keyset chunks, each exactly once, even through ties', async () => {
        const store = await newStore();
        const p = await store.ensurePortal({ url: 'https://acme.example.com' });
        const events = Array.from({ length: 20_000 }, (_, i) =>
          // 25 events per instant, so every chunk boundary falls inside a tie.
          event({ id: i + 1, time: T0 + Math.floor(i / 25) * 1000, user: i % USERS.length }),
        );
        await store.insertEvents(p, events);
        let n = 0;
        let prev: EventRow | undefined;
        const seen = new Set<number>();
        for await (const r of store.queryEvents({ portalIds: [p], chunkSize: 999 })) {
          if (prev) expect(r.time < prev.time || (r.time === prev.time && r.id < prev.id)).toBe(true);
          seen.add(r.id);
          prev = r;
          n++;
        }
        expect(n).toBe(20_000);
        expect(seen.size).toBe(20_000);
        // The same a chunk at a time, across two portals merged.
        const other = await store.ensurePortal({ url: 'https://other.example.com' });
        await store.insertEvents(other, series(10, 1, T0 + 100_000));
        const sizes: number[] = [];
        for await (const chunk of store.queryEventChunks({ chunkSize: 3000, limit: 10_005 }))
          sizes.push(chunk.length);
        expect(sizes).toEqual([3000, 3000, 3000, 1005]);
        // Stopping early is fine.
        let taken = 0;
        for await (const _ of store.queryEvents({ chunkSize: 100 })) if (++taken === 150) break;
        expect(taken).toBe(150);
      });

      it('refreshes the planner statistics on request', async () => {
        const store = await newStore();
        const p = await store.ensurePortal({ url: 'https://acme.example.com' });
        await store.insertEvents(p, series(500));
        await collect(store, { userIds: [USERS[1]] });
        await store.analyze();
        const known =
          d.name === 'sqlite'
            ? "select count(*) from sqlite_stat1 where tbl = 'events'"
            : "select reltuples from pg_class where oid = 'events'::regclass";
        expect(Number((await store.sql(known)).rows[0][0])).toBeGreaterThan(0);
      });

      it('finds which ids are already archived', async () => {
        const store = await newStore();
        const p = await store.ensurePortal({ url: 'https://acme.example.com' });
        await store.insertEvents(p, series(20));
        expect([...(await store.existingIds(p, [0, 5, 20, 21]))].sort((x, y) => x - y)).toEqual([5, 20]);
      });
    });

    describe('coverage ledger, runs, checkpoint, status', () => {
      it('merges proven periods and reports gaps not covered since', async () => {
        const store = await newStore();
        const p = await store.ensurePortal({ url: 'https://acme.example.com' });
        await store.addCoverage(p, { from: 100, to: 200, kind: 'complete' });
        await store.addCoverage(p, { from: 150, to: 300, kind: 'complete' });
        await store.addCoverage(p, { from: 301, to: 400, kind: 'complete' }); // touches: merged
        await store.addCoverage(p, { from: 600, to: 700, kind: 'complete' });
        await store.addCoverage(p, { from: 400, to: 650, kind: 'gap', note: 'sync more often' });
        await store.addCoverage(p, { from: 800, to: 900, kind: 'gap' });
        expect(await store.coverage(p)).toEqual([
          { from: 100, to: 400 },
          { from: 600, to: 700 },
        ]);
        expect(await store.gaps(p)).toEqual([
          { from: 401, to: 599 },
          { from: 800, to: 900 },
        ]);
        expect((await store.coverageEntries(p)).find((e) => e.kind === 'gap')?.note).toBe('sync more often');
        await expect(store.addCoverage(p, { from: 5, to: 4, kind: 'complete' })).rejects.toThrow(RangeError);
      });

      it('records runs, marks a dead run interrupted, and sums it up in stats', async () => {
        const store = await newStore();
        const p = await store.ensurePortal({ url: 'https://acme.example.com' });
        await store.updatePortal(p, { retentionDays: 180, audit: true });
        const dead = await store.startRun(p, 'audit');
        const run = await store.startRun(p, 'audit');
        await store.insertEvents(p, series(30));
        await store.addCoverage(p, { from: T0, to: T0 + 29 * MIN, kind: 'complete', runId: run });
        await store.addCoverage(p, { from: T0 - 5000, to: T0 - 1, kind: 'gap', runId: run });
        await store.setCheckpoint(p, { newestTime: T0 + 29 * MIN, newestId: 30, runId: run });
        await store.setCheckpoint(p, { newestTime: T0 + 29 * MIN, newestId: 30, runId: run }); // upsert
        await store.quarantine(p, 'bad', '{}', run);
        await store.finishRun(run, { status: 'ok', eventsSeen: 31, eventsAdded: 30, requests: 2 });
        const runs = await store.runs(p);
        expect(runs.map((r) => [r.id, r.status])).toEqual([
          [run, 'ok'],
          [dead, 'interrupted'],
        ]);
        const [s] = await store.stats(p);
        expect(s).toMatchObject({
          portal: { id: p, url: 'https://acme.example.com', retentionDays: 180, audit: true },
          events: 30,
          oldest: T0,
          newest: T0 + 29 * MIN,
          covered: [{ from: T0, to: T0 + 29 * MIN }],
          gaps: [{ from: T0 - 5000, to: T0 - 1 }],
          lastRun: { id: run, status: 'ok', eventsAdded: 30, requests: 2, mode: 'audit', pid: process.pid },
          lastSuccessfulRun: { id: run },
          checkpoint: { newestTime: T0 + 29 * MIN, newestId: 30, runId: run },
          quarantined: 1,
        });
        const other = await store.ensurePortal({ url: 'https://empty.example.com' });
        expect((await store.stats()).find((x) => x.portal.id === other)).toMatchObject({
          events: 0,
          oldest: null,
          newest: null,
          lastRun: null,
          checkpoint: null,
        });
      });
    });

    describe('read-only SQL', () => {
      it('answers a SELECT with column names and row arrays', async () => {
        const store = await newStore();
        const p = await store.ensurePortal({ url: 'https://acme.example.com' });
        await store.insertEvents(p, series(14));
        const r = await store.sql(
          'select e.id, p.url, e.kind from events e join portals p on p.id = e.portal_id where e.anonymous = 1 order by e.id',
        );
        expect(r.columns).toEqual(['id', 'url', 'kind']);
        expect(r.rows).toEqual([
          [7, 'https://acme.example.com', 'failure'],
          [14, 'https://acme.example.com', 'failure'],
        ]);
        const limited = await store.sql('select id from events order by id', { maxRows: 3 });
        expect(limited).toMatchObject({ rows: [[1], [2], [3]], truncated: true });
      });

      it.each([
        ['INSERT', "insert into portals (url, created_at, updated_at) values ('x', 1, 1)"],
        ['DELETE', 'delete from events'],
        ['UPDATE', "update events set ip = ''"],
        ['DROP', 'drop table events'],
        ['CREATE', 'create table t (x integer)'],
      ])('refuses %s with a clear message', async (_verb, statement) => {
        const store = await newStore();
        const p = await store.ensurePortal({ url: 'https://acme.example.com' });
        await store.insertEvents(p, series(3));
        const err = await store.sql(statement).catch((e) => e);
        expect(err).toBeInstanceOf(UsageError);
        expect(err.message).toBe(READ_ONLY_SQL);
        expect(await store.countEvents()).toBe(3);
      });

      it('cannot be talked out of read-only by a second statement', async () => {
        const store = await newStore();
        const p = await store.ensurePortal({ url: 'https://acme.example.com' });
        await store.insertEvents(p, series(3));
        for (const text of [
          'select 1; delete from events',
          'commit; delete from events',
          'rollback; drop table events',
        ]) {
          await expect(store.sql(text)).rejects.toBeInstanceOf(UsageError);
        }
        expect(await store.countEvents()).toBe(3);
      });

      it('reports a syntax error as a usage error', async () => {
        const store = await newStore();
        await expect(store.sql('selec 1')).rejects.toThrow(/^SQL error: /);
        await expect(store.sql('  ')).rejects.toThrow(/empty/);
      });
    });

    describe('a read-only store', () => {
      it('reads but does not write', async () => {
        const target = await d.fresh();
        const rw = await newStore(target);
        const p = await rw.ensurePortal({ url: 'https://acme.example.com' });
        await rw.insertEvents(p, series(5));
        const ro = await newStore(target, { readOnly: true });
        expect(ro.readOnly).toBe(true);
        expect(await ro.countEvents()).toBe(5);
        expect((await collect(ro)).length).toBe(5);
        await expect(ro.insertEvents(p, series(1, 99))).rejects.toThrow(/read-only/);
        await expect(ro.withPortalLock(p, async () => 1)).rejects.toThrow(/read-only/);
        // Even around the store's own checks, the connection itself refuses to write.
        await expect(ro.db.deleteFrom('events').execute()).rejects.toThrow(/read.?only/i);
        expect(await rw.countEvents()).toBe(5);
      });

      it('says how to create an archive that is not there', async () => {
        const target = await d.fresh();
        await expect(openStore(target, { readOnly: true })).rejects.toThrow(/docspace-logins sync/);
      });
    });

    describe('a process killed with SIGKILL', () => {
      it('does not leave its portal lock behind', async () => {
        const target = await d.fresh();
        const store = await newStore(target);
        const url = 'https://killed.example.com';
        const p = await store.ensurePortal({ url });
        const child = await spawnChild(target, 'lock', url);
        await child.waitFor(/^locked$/);
        await new Promise((r) => setTimeout(r, 200));
        const err = await store.withPortalLock(p, async () => 'no').catch((e) => e);
        expect(err).toBeInstanceOf(ArchiveBusyError);
        expect(err.message).toContain(`(pid ${child.proc.pid} on `);
        await kill9(child);
        // PostgreSQL ends the dead session (and its lock) as soon as the socket closes; SQLite's
        // lock is the operating system's, gone with the process.
        // Bounded by timeoutMs (a lock still held throws ArchiveBusyError after it), not by
        // measuring wall time, which a loaded machine stretches.
        const got = await store.withPortalLock(p, async () => 'mine', {
          wait: d.name === 'postgres',
          timeoutMs: 5000,
          pollMs: 25,
        });
        expect(got).toBe('mine');
      });

      it('leaves whole transactions only, and the next run completes without duplicates', async () => {
        const target = await d.fresh();
        const url = 'https://killed.example.com';
        for (const after of [2, 5, 7]) {
          const child = await spawnChild(target, 'insert', url);
          // Let it commit a few batches, then kill it at an arbitrary moment of the next one.
          await child.waitFor(new RegExp(`^batch ${after}$`));
          await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 40)));
          await kill9(child);
          const store = await newStore(target);
          const p = await store.ensurePortal({ url });
          const count = await store.countEvents({ portalIds: [p] });
          expect(count % 1000).toBe(0);
          expect(count).toBeGreaterThanOrEqual(after * 1000);
          // The checkpoint moved in the same transaction as the events: never ahead, never behind.
          expect((await store.checkpoint(p))?.newestId).toBe(count);
          if (d.name === 'sqlite') {
            const { rows } = await sql<{ integrity_check: string }>`pragma integrity_check`.execute(store.db);
            expect(rows).toEqual([{ integrity_check: 'ok' }]);
          }
          await store.close();
          open.splice(open.indexOf(store), 1);
        }
        // A clean run re-inserts from the start: nothing twice, nothing missing.
        const store = await newStore(target);
        const p = await store.ensurePortal({ url });
        const before = await store.countEvents({ portalIds: [p] });
        const events = Array.from({ length: before + 500 }, (_, i) =>
          event({ id: i + 1, time: Date.UTC(2025, 0, 1) + (i + 1) * 1000 }),
        );
        expect(await store.insertEvents(p, events)).toMatchObject({ added: 500, duplicates: before });
        const ids = new Set<number>();
        for await (const r of store.queryEvents({ portalIds: [p], chunkSize: 5000 })) ids.add(r.id);
        expect(ids.size).toBe(before + 500);
      });
    });

    describe('portal locks', () => {
      it('let one sync per portal run; the second gets a clear error, other portals go on', async () => {
        const target = await d.fresh();
        const one = await newStore(target);
        const two = await newStore(target); // as if another process
        const a = await one.ensurePortal({ url: 'https://a.example.com' });
        const b = await one.ensurePortal({ url: 'https://b.example.com' });
        let release!: () => void;
        const holding = new Promise<void>((r) => {
          release = r;
        });
        let entered!: () => void;
        const inside = new Promise<void>((r) => {
          entered = r;
        });
        const first = one.withPortalLock(a, async () => {
          entered();
          await holding;
          return 'first';
        });
        await inside;
        const err = await two.withPortalLock(a, async () => 'second').catch((e) => e);
        expect(err).toBeInstanceOf(ArchiveBusyError);
        expect(err.message).toMatch(
          new RegExp(
            `^Another sync of https://a\\.example\\.com is running \\(pid ${process.pid} on .+, since .+\\): wait`,
          ),
        );
        expect(err.code).toBe('unavailable');
        // A different portal is not blocked.
        expect(await two.withPortalLock(b, async () => 'b')).toBe('b');
        release();
        expect(await first).toBe('first');
        // Released: free again, and the holder's record is gone.
        expect(await two.withPortalLock(a, async () => 'after')).toBe('after');
        expect((await one.sql('select count(*) from sync_locks')).rows[0][0]).toEqual(0);
      });

      it('with wait, queue behind the holder; with a time-out, give up', async () => {
        const target = await d.fresh();
        const one = await newStore(target);
        const two = await newStore(target);
        const a = await one.ensurePortal({ url: 'https://a.example.com' });
        const order: string[] = [];
        let entered!: () => void;
        const inside = new Promise<void>((r) => {
          entered = r;
        });
        // The holder keeps the lock until the test lets go (an explicit event, not a timer), so a
        // slow machine cannot release it before the waiter's time-out is due.
        let release!: () => void;
        const holding = new Promise<void>((r) => {
          release = r;
        });
        const first = one.withPortalLock(a, async () => {
          entered();
          await holding;
          order.push('first');
        });
        await inside;
        await expect(
          two.withPortalLock(a, async () => 'never', { wait: true, timeoutMs: 100, pollMs: 20 }),
        ).rejects.toThrow(/did not finish within/);
        let waited = false;
        await two.withPortalLock(
          a,
          async () => {
            order.push('second');
          },
          {
            wait: true,
            pollMs: 20,
            onWait: () => {
              waited = true;
              release();
            },
          },
        );
        await first;
        expect(order).toEqual(['first', 'second']);
        expect(waited).toBe(true);
      });

      it('is released when the callback throws', async () => {
        const store = await newStore();
        const a = await store.ensurePortal({ url: 'https://a.example.com' });
        await expect(
          store.withPortalLock(a, async () => {
            throw new Error('boom');
          }),
        ).rejects.toThrow('boom');
        expect(await store.withPortalLock(a, async () => 'free')).toBe('free');
      });
    });
  });
}

describe('archive location', () => {
  it('follows DOCSPACE_LOGINS_DB, then XDG_DATA_HOME, then ~/.local/share', () => {
    expect(resolveArchive('postgres://u@h/db', {})).toBe('postgres://u@h/db');
    expect(resolveArchive(undefined, { DOCSPACE_LOGINS_DB: '/x/a.sqlite', XDG_DATA_HOME: '/d' })).toBe(
      '/x/a.sqlite',
    );
    expect(resolveArchive(undefined, { XDG_DATA_HOME: '/d', HOME: '/h' })).toBe(
      '/d/docspace-logins/archive.sqlite',
    );
    if (process.platform === 'linux') {
      expect(resolveArchive('', { HOME: '/h' })).toBe('/h/.local/share/docspace-logins/archive.sqlite');
    }
  });

  it('creates the folders and an archive only its owner can read', async () => {
    const data = join(tmp, 'xdg-data');
    const store = await openStore(undefined, { env: { XDG_DATA_HOME: data } });
    try {
      const file = join(data, 'docspace-logins', 'archive.sqlite');
      expect(store.location).toBe(file);
      expect(statSync(file).mode & 0o077).toBe(0);
      const { rows } = await sql<{ journal_mode: string }>`pragma journal_mode`.execute(store.db);
      expect(rows).toEqual([{ journal_mode: 'wal' }]);
    } finally {
      await store.close();
    }
  });
});

describe('opening errors', () => {
  it('names an unreachable PostgreSQL server without its password', async () => {
    const err = await openStore('postgres://me:s3cret@127.0.0.1:1/archive').catch((e) => e);
    expect(err).toBeInstanceOf(UnavailableError);
    expect(err.message).toMatch(
      /^Cannot connect to PostgreSQL at postgres:\/\/me:\*\*\*@127\.0\.0\.1:1\/archive: /,
    );
    expect(err.message).not.toContain('s3cret');
    expect(redactUrl('postgresql://u:p@h:5/d?sslmode=require')).toBe(
      'postgresql://u:***@h:5/d?sslmode=require',
    );
  });

  it('refuses a file that is not an archive', async () => {
    const file = join(tmp, 'not-a-db.sqlite');
    writeFileSync(file, 'hello, this is text');
    await expect(openStore(file)).rejects.toThrow(/Cannot open the archive|not a database/);
  });
});

describe('intervals', () => {
  it.each([
    [[], []],
    [
      [
        { from: 5, to: 9 },
        { from: 1, to: 3 },
      ],
      [
        { from: 1, to: 3 },
        { from: 5, to: 9 },
      ],
    ],
    [
      [
        { from: 1, to: 3 },
        { from: 4, to: 9 },
      ],
      [{ from: 1, to: 9 }],
    ],
    [
      [
        { from: 1, to: 10 },
        { from: 2, to: 3 },
      ],
      [{ from: 1, to: 10 }],
    ],
  ])('merge %j into %j', (input, expected) => {
    expect(mergeIntervals(input)).toEqual(expected);
  });

  it('subtracts covered parts, leaving the holes', () => {
    expect(
      subtractIntervals(
        [{ from: 0, to: 100 }],
        [
          { from: 10, to: 20 },
          { from: 50, to: 200 },
        ],
      ),
    ).toEqual([
      { from: 0, to: 9 },
      { from: 21, to: 49 },
    ]);
    expect(subtractIntervals([{ from: 0, to: 10 }], [{ from: 0, to: 10 }])).toEqual([]);
    expect(subtractIntervals([{ from: 0, to: 10 }], [])).toEqual([{ from: 0, to: 10 }]);
  });
});
