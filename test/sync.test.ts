/**
 * The archive's promises, against the emulator over real HTTP: every event exactly once, no gap,
 * whatever happens to the run (SIGKILL, live events, retention purges, concurrent syncs).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DocSpaceClient, type RunningEmulator, startEmulator } from '../src/index.js';
import { type ArchiveStore, openStore } from '../src/store/index.js';
import { statusRow, syncPortal } from '../src/sync/index.js';
import { CLI, cleanEnv, cli } from './helpers/cli.js';
import { envelope, scriptedServer } from './helpers/scripted-server.js';

const NOW = Date.parse('2025-07-01T10:00:00Z');
const open: Array<{ close(): Promise<void> | void }> = [];
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close();
});

function tempDb() {
  return join(mkdtempSync(join(tmpdir(), 'dl-sync-')), 'archive.sqlite');
}

async function setup(opts: Parameters<typeof startEmulator>[0] = {}, db = tempDb()) {
  const emu = await startEmulator({ now: NOW, ...opts });
  open.push(emu);
  const client = new DocSpaceClient({ portal: emu.url, credentials: { kind: 'apiKey', apiKey: emu.apiKey } });
  open.push(client);
  const store = await openStore(db);
  open.push(store);
  return { emu, client, store, db };
}

async function archivedIds(store: ArchiveStore): Promise<number[]> {
  const r = await store.sql('SELECT id FROM events ORDER BY id');
  return r.rows.map((row) => Number(row[0]));
}

const emulatorIds = (emu: RunningEmulator) =>
  emu.state
    .allEvents()
    .map((e) => e.id)
    .sort((a, b) => a - b);

describe('sync', () => {
  it('a first sync archives every event the portal has, once', async () => {
    const { emu, client, store } = await setup({ seed: 1, events: 5000, days: 60 });
    const r = await syncPortal(client, store);
    expect(r).toMatchObject({ mode: 'audit', added: 5000, interrupted: false });
    expect(await archivedIds(store)).toEqual(emulatorIds(emu));
    const [stats] = await store.stats();
    expect(stats.covered).toHaveLength(1);
    expect(stats.gaps).toHaveLength(0);
  });

  it('a second sync with nothing new adds nothing and needs few requests', async () => {
    const { client, store } = await setup({ seed: 2, events: 3000 });
    await syncPortal(client, store);
    const again = await syncPortal(client, store);
    expect(again.added).toBe(0);
    // The quota and one page of history: the retention read by the first run is still fresh.
    expect(again.requests).toBe(2);
  });

  it('a sync with nothing new commits once: its run record, and nothing else', async () => {
    const { client, store } = await setup({ seed: 2, events: 3000 });
    const first = await syncPortal(client, store);
    await syncPortal(client, store);
    const ledger = await store.coverageEntries(first.portalId);
    const checkpoint = await store.checkpoint(first.portalId);
    const commits = vi.spyOn(store.backend, 'transaction');
    const again = await syncPortal(client, store);
    expect(again).toMatchObject({ added: 0, interrupted: false });
    expect(commits).toHaveBeenCalledTimes(1);
    commits.mockRestore();
    // The period it proved was already on record; the checkpoint did not move.
    expect(await store.coverageEntries(first.portalId)).toEqual(ledger);
    expect(await store.checkpoint(first.portalId)).toEqual(checkpoint);
    const [run] = await store.runs(first.portalId, 1);
    expect(run).toMatchObject({ status: 'ok', eventsSeen: again.seen, eventsAdded: 0, requests: 2 });
    expect(run.finishedAt).not.toBeNull();
    expect((await store.sql('select count(*) from sync_locks')).rows[0][0]).toEqual(0);
  });

  it('reads the retention again once the archived value is an hour old', async () => {
    const { emu, client, store } = await setup({ seed: 2, events: 300, lifetimeDays: 90 });
    const first = await syncPortal(client, store);
    expect(first.retentionDays).toBe(90);
    emu.state.settings.loginHistoryLifeTime = 30;
    const soon = await syncPortal(client, store, { now: () => Date.now() + 59 * 60_000 });
    expect(soon).toMatchObject({ retentionDays: 90, requests: 2 });
    const later = await syncPortal(client, store, { now: () => Date.now() + 61 * 60_000 });
    // The quota, the retention, one page of history, and the people directory (also an hour old).
    expect(later).toMatchObject({ retentionDays: 30, requests: 4 });
    expect((await store.portal(first.portalId))?.retentionDays).toBe(30);
  });

  it('new events since the last sync are added, none twice', async () => {
    const { emu, client, store } = await setup({ seed: 3, events: 2000 });
    await syncPortal(client, store);
    emu.state.appendEvents(250);
    const r = await syncPortal(client, store);
    expect(r.added).toBe(250);
    const ids = await archivedIds(store);
    expect(ids).toEqual(emulatorIds(emu));
  });

  it('events arriving during a sync are all archived after the next sync', async () => {
    const { emu, client, store } = await setup({ seed: 4, events: 20000, latencyMs: 5 });
    const timer = setInterval(() => emu.state.appendEvents(3), 5);
    try {
      await syncPortal(client, store);
    } finally {
      clearInterval(timer);
    }
    await syncPortal(client, store);
    expect(await archivedIds(store)).toEqual(emulatorIds(emu));
  });

  it('keeps events the portal has purged for retention', async () => {
    const { emu, client, store } = await setup({ seed: 5, events: 3000, days: 100 });
    await syncPortal(client, store);
    const purged = emu.state.purge(NOW - 30 * 86_400_000);
    expect(purged).toBeGreaterThan(100);
    emu.state.appendEvents(10);
    await syncPortal(client, store);
    const ids = await archivedIds(store);
    expect(ids.length).toBe(3010);
    expect(ids.length).toBeGreaterThan(emu.state.allEvents().length);
  });

  it('records a gap when the portal purged events that were never archived', async () => {
    const { emu, client, store } = await setup({ seed: 6, events: 2000, days: 60 });
    await syncPortal(client, store);
    // Everything archived is purged, then new activity: the span in between is lost.
    emu.state.purge(NOW + 60_000);
    emu.state.appendEvents(30, NOW + 3_600_000);
    const r = await syncPortal(client, store);
    expect(r.gap).toBeDefined();
    const [stats] = await store.stats();
    expect(stats.gaps.length).toBe(1);
  });

  it('a second sync of the same portal at once is refused with a clear message', async () => {
    const { client, store, db } = await setup({ seed: 7, events: 20000, latencyMs: 20 });
    const other = await openStore(db);
    open.push(other);
    // The first sync is known to hold the lock once it reports reading (an explicit event, not a
    // timer): 20,000 events at 20 ms a page leave it reading long after that.
    let reading!: () => void;
    const started = new Promise<void>((r) => {
      reading = r;
    });
    const first = syncPortal(client, store, { onProgress: () => reading() });
    await started;
    await expect(syncPortal(client, other)).rejects.toThrow(/Another sync of .* is running/);
    await first;
  });
});

describe('status', () => {
  it('warns when the oldest unarchived events will be purged by the portal within 7 days', async () => {
    const { client, store } = await setup({ seed: 14, events: 500, lifetimeDays: 30 });
    await syncPortal(client, store);
    const [stats] = await store.stats();
    const newest = stats.checkpoint!.newestTime;
    expect(statusRow(stats, newest + 10 * 86_400_000).warning).toBeNull();
    expect(statusRow(stats, newest + 25 * 86_400_000).warning).toMatch(/purged by the portal in 5 day\(s\)/);
    expect(statusRow(stats, newest + 31 * 86_400_000).warning).toMatch(/already being purged/);
    expect(statusRow(stats, newest).retentionDays).toBe(30);
  });
});

describe('portal without the audit feature', () => {
  it('polled often enough, continuity is proven by overlap and no gap is recorded', async () => {
    const { emu, client, store } = await setup({ seed: 8, events: 300, audit: false });
    const first = await syncPortal(client, store);
    expect(first.mode).toBe('last20');
    expect(first.added).toBe(20);
    for (let i = 0; i < 3; i++) {
      emu.state.appendEvents(8, NOW + (i + 1) * 60_000);
      const r = await syncPortal(client, store);
      expect(r.gap).toBeUndefined();
      expect(r.added).toBe(8);
    }
    const [stats] = await store.stats();
    expect(stats.gaps).toHaveLength(0);
  });

  it('polled too rarely, a gap is recorded and the advice says how often to sync', async () => {
    const { emu, client, store } = await setup({ seed: 9, events: 300, audit: false });
    await syncPortal(client, store);
    for (let i = 0; i < 30; i++) emu.state.appendEvents(1, NOW + (i + 1) * 60_000);
    const warnings: string[] = [];
    const r = await syncPortal(client, store, { onWarning: (w) => warnings.push(w) });
    expect(r.gap).toBeDefined();
    expect(warnings.join('\n')).toMatch(/sync at least every \d+ minute/);
    const [stats] = await store.stats();
    expect(stats.gaps).toHaveLength(1);
  });
});

describe('quarantine', () => {
  it('keeps an event that fails validation, raw, and counts it', async () => {
    const event = (id: number, date: unknown) => ({
      id,
      date,
      user: 'A',
      userId: '3f1c2a7e-9b44-4d1e-8c0a-5a6b7c8d9e01',
      action: 'Successful Login via API',
      actionId: 1010,
      ip: '203.0.113.24',
      country: '',
      city: '',
    });
    const server = await scriptedServer((req, res, n) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      if (path.endsWith('/portal/quota')) return envelope({ audit: true })(req, res, n);
      if (path.endsWith('/settings/lifetime')) return envelope({ loginHistoryLifeTime: 180 })(req, res, n);
      return envelope([
        event(3, '2025-06-03T14:05:09.0000000+02:00'),
        event(2, 'yesterday'),
        event(1, '2025-06-02T10:00:00.0000000Z'),
      ])(req, res, n);
    });
    open.push(server);
    const client = new DocSpaceClient({
      portal: server.url,
      credentials: { kind: 'apiKey', apiKey: `sk-${'a'.repeat(64)}` },
    });
    open.push(client);
    const store = await openStore(tempDb());
    open.push(store);
    const r = await syncPortal(client, store);
    expect(r.added).toBe(2);
    expect(r.quarantined).toBe(1);
    expect(await store.quarantineCount()).toBe(1);
    const raw = await store.sql('SELECT raw FROM quarantine');
    expect(String(raw.rows[0][0])).toContain('yesterday');
  });
});

describe('sync from the command line', () => {
  function spawnSync(args: string[], env: NodeJS.ProcessEnv): ChildProcess {
    return spawn(process.execPath, [CLI, 'sync', ...args], {
      env: cleanEnv(env as Record<string, string>),
      stdio: 'ignore',
    });
  }

  it('SIGKILL at random moments of a 50,000-event first sync, then a clean sync: archive == portal', async () => {
    const { emu, store, db } = await setup({ seed: 10, events: 50_000, days: 180, latencyMs: 2 });
    await store.close();
    const env = { DOCSPACE_URL: emu.url, DOCSPACE_API_KEY: emu.apiKey };
    for (const delay of [250, 700, 1200, 400]) {
      const child = spawnSync(['--db', db, '-q'], env);
      await new Promise((r) => setTimeout(r, delay + Math.random() * 300));
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
    }
    const final = await cli(['sync', '--db', db, '-q', '--json'], env);
    expect(final.code, final.stderr).toBe(0);
    const check = await openStore(db, { readOnly: true });
    open.push(check);
    const ids = await archivedIds(check);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(emulatorIds(emu));
    const [stats] = await check.stats();
    expect(stats.gaps).toHaveLength(0);
  });

  it('sync --every stops cleanly on SIGINT with exit 0', async () => {
    const { emu, store, db } = await setup({ seed: 11, events: 500 });
    await store.close();
    const child = spawn(process.execPath, [CLI, 'sync', '--db', db, '--every', '10s', '-q', '--json'], {
      env: cleanEnv({ DOCSPACE_URL: emu.url, DOCSPACE_API_KEY: emu.apiKey }),
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    // The first run's summary line: the loop is now waiting for the next run.
    await new Promise<void>((resolve) => {
      let out = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('\n')) resolve();
      });
    });
    child.kill('SIGINT');
    const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    expect(code).toBe(0);
  });

  it('sync --all syncs every profile into one archive, each event keyed by portal', async () => {
    const a = await startEmulator({ now: NOW, seed: 12, events: 400 });
    const b = await startEmulator({ now: NOW, seed: 13, events: 600 });
    open.push(a, b);
    const dir = mkdtempSync(join(tmpdir(), 'dl-cfg-'));
    const keyFile = join(dir, 'b.key');
    writeFileSync(keyFile, b.apiKey, { mode: 0o600 });
    const env = { XDG_CONFIG_HOME: dir, KEY_A: a.apiKey };
    expect((await cli(['profiles', 'add', 'a', '--portal', a.url, '--key-env', 'KEY_A'], env)).code).toBe(0);
    expect((await cli(['profiles', 'add', 'b', '--portal', b.url, '--key-file', keyFile], env)).code).toBe(0);
    const db = tempDb();
    const r = await cli(['sync', '--all', '--db', db, '--json'], env);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.added).sort()).toEqual([400, 600]);
    const status = await cli(['status', '--db', db, '--format', 'json'], env);
    const rows = JSON.parse(status.stdout);
    expect(rows.map((x: { events: number }) => x.events).sort()).toEqual([400, 600]);
    const archived = await cli(
      ['events', '--archive', '--profile', 'a', '--db', db, '--format', 'ndjson'],
      env,
    );
    expect(archived.stdout.trim().split('\n')).toHaveLength(400);
  });
});

describe('people directory', () => {
  it('a first sync records every member, invited and disabled included; an hour later it is read again', async () => {
    const { emu, client, store } = await setup({ seed: 5, events: 500, users: 40 });
    const r = await syncPortal(client, store);
    // Deleted members are gone from the portal's lists, as on a real server.
    const listed = emu.state.people.filter((p) => !p.deleted).length;
    expect(r.people?.members).toBe(listed);
    const people = await store.people(r.portalId);
    expect(new Set(people.map((p) => p.status))).toEqual(new Set([1, 2, 4]));
    expect(people.some((p) => p.role === 'owner')).toBe(true);
    const again = await syncPortal(client, store);
    expect(again.people).toEqual({});
    const later = await syncPortal(client, store, { now: () => Date.now() + 61 * 60_000 });
    expect(later.people?.members).toBe(listed);
  });
});
