/**
 * `sync` and `status` tell the truth about what happened: a retention the portal cannot have is
 * refused at the edge, a failed or interrupted run is on record and in the exit code, `--all`
 * sums up, and `status` warns of nothing it cannot know.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../src/index.js';
import { openStore } from '../src/store/index.js';
import { syncInto } from './helpers/archive.js';
import { CLI, cleanEnv, cli } from './helpers/cli.js';

const NOW = Date.parse('2025-07-01T10:00:00Z');
const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close();
});

const tempDir = () => mkdtempSync(join(tmpdir(), 'dl-manners-sync-'));

async function emulator(seed: number, events = 400): Promise<RunningEmulator> {
  const emu = await startEmulator({ now: NOW, seed, events, days: 30 });
  open.push(emu);
  return emu;
}

/** The rows of `sync_runs`, oldest first, read through the CLI as a user would. */
async function runs(db: string): Promise<Array<{ portal: string; status: string; error: string | null }>> {
  const r = await cli([
    'sql',
    'select p.url as portal, r.status, r.error from sync_runs r join portals p on p.id = r.portal_id order by r.id',
    '--db',
    db,
    '--format',
    'json',
  ]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
}

describe('a retention the portal cannot have', () => {
  it.each([99_999_999, 0, -5])('loginHistoryLifeTime %d is refused, recorded as a failed run, and status stays calm', async (days) => {
    const emu = await emulator(41);
    emu.state.settings.loginHistoryLifeTime = days;
    const db = join(tempDir(), 'archive.sqlite');
    const env = { DOCSPACE_URL: emu.url, DOCSPACE_API_KEY: emu.apiKey };
    const r = await cli(['sync', '--db', db, '-q'], env);
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/field "loginHistoryLifeTime"/);
    expect(await runs(db)).toEqual([{ portal: emu.url, status: 'failed', error: expect.stringMatching(/loginHistoryLifeTime/) }]);
    const status = await cli(['status', '--db', db, '--format', 'json']);
    expect(status.code, status.stderr).toBe(0);
    const [row] = JSON.parse(status.stdout);
    expect(row).toMatchObject({ portal: emu.url, events: 0, retentionDays: null, purgeAt: null, lastSyncStatus: 'failed' });
    expect(row.warning).toBe('no sync has succeeded yet (last run: failed): run docspace-logins sync');
  });

  it('an archive that stored one before it was refused still has a working status', async () => {
    const emu = await emulator(42);
    const db = join(tempDir(), 'archive.sqlite');
    await syncInto(emu, db);
    const store = await openStore(db);
    const [portal] = await store.portals();
    await store.updatePortal(portal.id, { retentionDays: 99_999_999 });
    await store.close();
    const status = await cli(['status', '--db', db, '--format', 'json']);
    expect(status.code, status.stderr).toBe(0);
    const [row] = JSON.parse(status.stdout);
    expect(row).toMatchObject({ events: 400, retentionDays: null });
    expect(Date.parse(row.purgeAt)).not.toBeNaN();
  });
});

/**
 * A proxy in front of the emulator that holds the first login/filter request until released:
 * the sync is then certainly under way, at a moment the test chooses.
 */
async function gate(target: string) {
  let held: (() => void) | undefined;
  let arrived!: () => void;
  const reached = new Promise<void>((r) => (arrived = r));
  const upstream = new URL(target);
  const server = createServer((req, res) => {
    const forward = () => {
      const out = request(
        { host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      req.pipe(out);
    };
    if (!held && req.url?.includes('/security/audit/login/filter')) {
      held = forward;
      arrived();
    } else forward();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const gated = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    reached,
    release: () => held?.(),
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
  open.push(gated);
  return gated;
}

describe('an interrupted sync', () => {
  it('a one-shot sync stopped by Ctrl-C exits 130 and records the run as interrupted', async () => {
    const emu = await emulator(43, 3000);
    const proxy = await gate(emu.url);
    const db = join(tempDir(), 'archive.sqlite');
    const child = spawn(process.execPath, [CLI, 'sync', '--db', db], {
      env: cleanEnv({ DOCSPACE_URL: proxy.url, DOCSPACE_API_KEY: emu.apiKey }),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    const stopping = new Promise<void>((resolve) =>
      child.stderr!.on('data', (c: Buffer) => {
        stderr += c.toString();
        if (stderr.includes('Stopping')) resolve();
      }),
    );
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    await proxy.reached;
    child.kill('SIGINT');
    await stopping;
    proxy.release();
    expect(await exited, stderr).toBe(130);
    expect(stderr).toMatch(/interrupted \(checkpoint not moved\)/);
    expect((await runs(db)).map((r) => r.status)).toEqual(['interrupted']);
  });
});

describe('sync --all', () => {
  it('goes on past a failing portal, ends with "N of M portals synced" and a non-zero exit', async () => {
    const good = await emulator(44);
    const bad = await emulator(45);
    const dir = tempDir();
    const keyFile = join(dir, 'good.key');
    writeFileSync(keyFile, good.apiKey, { mode: 0o600 });
    // A key of the right form that the portal does not know: 401 on the first request.
    const env = { XDG_CONFIG_HOME: dir, BAD_KEY: `sk-${'0'.repeat(64)}` };
    expect((await cli(['profiles', 'add', 'good', '--portal', good.url, '--key-file', keyFile], env)).code).toBe(0);
    expect((await cli(['profiles', 'add', 'bad', '--portal', bad.url, '--key-env', 'BAD_KEY'], env)).code).toBe(0);
    const db = join(dir, 'archive.sqlite');
    const r = await cli(['sync', '--all', '--db', db, '-q'], env);
    expect(r.code).toBe(3);
    expect(r.stderr.trim().split('\n').at(-1)).toBe('warning: 1 of 2 portals synced');
    const byPortal = Object.fromEntries((await runs(db)).map((x) => [x.portal, x.status]));
    expect(byPortal).toEqual({ [good.url]: 'ok', [bad.url]: 'failed' });
    const status = await cli(['status', '--db', db, '--format', 'json']);
    const rows = JSON.parse(status.stdout) as Array<{ portal: string; warning: string | null }>;
    // The portal that refused the key has nothing archived: no purge warning is made up for it.
    expect(rows.find((x) => x.portal === bad.url)?.warning).toBe('no sync has succeeded yet (last run: failed): run docspace-logins sync');
  });
});
