/**
 * Opening the archive says what is wrong, and where: a PostgreSQL server that is down or drops
 * the session, a `--db` scheme the tool does not speak, a damaged SQLite file. An archive in a
 * folder the reader cannot write is still readable.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createServer as createHttpServer, request } from 'node:http';
import { createConnection, createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, statSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT, exitCodeFor } from '../src/cli/exit.js';
import { IoError, UnavailableError } from '../src/errors/index.js';
import { DocSpaceClient, startEmulator, type RunningEmulator } from '../src/index.js';
import { openStore } from '../src/store/index.js';
import { checkedAsIs } from '../src/store/sqlite-checked.js';
import { syncPortal } from '../src/sync/index.js';
import { syncInto } from './helpers/archive.js';
import { CLI, cleanEnv, cli } from './helpers/cli.js';

const PG_URL = process.env.DOCSPACE_LOGINS_TEST_PG;
let dir: string;
let emu: RunningEmulator;
let archive: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dl-manners-db-'));
  emu = await startEmulator({ seed: 31, events: 3000, days: 60, now: Date.parse('2026-06-01T12:00:00Z') });
  archive = join(dir, 'archive.sqlite');
  await syncInto(emu, archive);
});
afterAll(async () => {
  await emu.close();
});

describe('--db', () => {
  it('an unsupported scheme is a usage error, not an SQLite file named after it', async () => {
    const r = spawnSync(process.execPath, [CLI, 'status', '--db', 'mysql://me:pw@localhost/logins'], {
      cwd: dir,
      env: cleanEnv(),
      encoding: 'utf8',
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^error: The archive mysql:\/\/… is not supported: give an SQLite file path or a postgres:\/\/ URL/m);
    expect(existsSync(join(dir, 'mysql:'))).toBe(false);
  });

  it('a PostgreSQL server that is down is "cannot connect" (exit 6), not an empty archive', async () => {
    for (const command of [['status'], ['sql', 'select 1']]) {
      const r = await cli([...command, '--db', 'postgres://me:s3cret@127.0.0.1:1/logins']);
      expect(r.code, r.stderr).toBe(6);
      expect(r.stderr).toMatch(/^error: Cannot connect to PostgreSQL at postgres:\/\/me:\*\*\*@127\.0\.0\.1:1\/logins: /m);
      expect(r.stderr).not.toMatch(/not a docspace-logins archive|s3cret/);
    }
  });
});

describe.skipIf(!PG_URL)(`a PostgreSQL session that is terminated${PG_URL ? '' : ' (skipped: DOCSPACE_LOGINS_TEST_PG is not set)'}`, () => {
  it('fails the running query with one "lost the connection" error and no unhandled event', async () => {
    const name = `dl-manners-${process.pid}-${Date.now().toString(36)}`;
    const url = new URL(PG_URL!);
    url.searchParams.set('application_name', name);
    const store = await openStore(url.toString());
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    try {
      const failure = await store
        .transaction(async (tx) => {
          const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(tx.db);
          const seen = await admin.query('select application_name from pg_stat_activity where pid = $1', [rows[0].pid]);
          expect(seen.rows[0].application_name).toBe(name);
          await admin.query('select pg_terminate_backend($1)', [rows[0].pid]);
          await sql`select 1`.execute(tx.db);
        })
        .catch((err: unknown) => err);
      expect(failure).toBeInstanceOf(UnavailableError);
      expect((failure as Error).message).toMatch(/^Lost the connection to PostgreSQL at postgres:\/\/.*: check that the server is up/);
      // The pool replaces the dead session: the archive is usable again once the server is.
      expect(Array.isArray(await store.portals())).toBe(true);
    } finally {
      await admin.end();
      await store.close();
    }
  });
});

/**
 * A TCP relay to PostgreSQL that the test can cut, as a server restart does: every session
 * drops, and new connections are refused until it is back.
 */
async function cuttableRelay(target: URL) {
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = createConnection({ host: target.hostname, port: Number(target.port || 5432) });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => s.destroy());
      s.on('close', () => sockets.delete(s));
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    cut: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        for (const s of sockets) s.destroy();
      }),
  };
}

/** An HTTP relay to the emulator that holds the first login/filter request until released. */
async function heldFilter(target: string) {
  let release: () => void = () => {};
  let arrived!: () => void;
  const reached = new Promise<void>((r) => (arrived = r));
  const up = new URL(target);
  let held = false;
  const server = createHttpServer((req, res) => {
    const forward = () =>
      req.pipe(
        request({ host: up.hostname, port: up.port, path: req.url, method: req.method, headers: req.headers }, (r) => {
          res.writeHead(r.statusCode ?? 502, r.headers);
          r.pipe(res);
        }),
      );
    if (!held && req.url?.includes('/security/audit/login/filter')) {
      held = true;
      release = forward;
      arrived();
    } else forward();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    reached,
    release: () => release(),
    close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
  };
}

describe.skipIf(!PG_URL)(`PostgreSQL going away under a sync${PG_URL ? '' : ' (skipped: DOCSPACE_LOGINS_TEST_PG is not set)'}`, () => {
  it('is one error line and exit 6, never an unhandled error event', async () => {
    const target = new URL(PG_URL!);
    const relay = await cuttableRelay(target);
    const portal = await heldFilter(emu.url);
    try {
      const db = new URL(PG_URL!);
      db.hostname = '127.0.0.1';
      db.port = String(relay.port);
      // A schema of its own, so the archive starts empty whatever else the database holds.
      const schema = `dl_manners_${process.pid}_${Date.now().toString(36)}`;
      const admin = new pg.Client({ connectionString: PG_URL });
      await admin.connect();
      await admin.query(`create schema ${schema}`);
      db.searchParams.set('options', `-c search_path=${schema}`);
      try {
        const child = spawn(process.execPath, [CLI, 'sync', '--db', db.toString(), '-q'], {
          env: cleanEnv({ DOCSPACE_URL: portal.url, DOCSPACE_API_KEY: emu.apiKey }),
          stdio: ['ignore', 'ignore', 'pipe'],
        });
        let stderr = '';
        child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
        const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
        // The sync holds its lock and pool sessions and waits for its first page: cut now.
        await portal.reached;
        await relay.cut();
        portal.release();
        expect(await exited, stderr).toBe(6);
        expect(stderr).toMatch(/^error: (Lost the connection to|Cannot connect to) PostgreSQL at postgres:\/\/[^\n]*127\.0\.0\.1:\d+/);
        expect(stderr.trim().split('\n')).toHaveLength(1);
        expect(stderr).not.toMatch(/Unhandled|internal error/);
      } finally {
        await admin.query(`drop schema if exists ${schema} cascade`);
        await admin.end();
      }
    } finally {
      await portal.close();
    }
  });
});

describe('a damaged SQLite archive', () => {
  it('is reported as damaged, with its path and what to do (exit 8), before a sync writes to it', async () => {
    const damaged = join(dir, 'damaged.sqlite');
    copyFileSync(archive, damaged);
    // Overwrite pages in the second half of the file: the header and schema stay readable, the
    // events' pages do not.
    const fd = openSync(damaged, 'r+');
    const size = statSync(damaged).size;
    writeSync(fd, Buffer.alloc(16 * 1024, 0xa5), 0, 16 * 1024, Math.floor(size / 2 / 4096) * 4096);
    closeSync(fd);
    const r = await cli(['sync', '--db', damaged, '-q'], { DOCSPACE_URL: emu.url, DOCSPACE_API_KEY: emu.apiKey });
    expect(r.code).toBe(8);
    expect(r.stderr).toContain(`error: The archive ${damaged} is damaged or is not a database (`);
    expect(r.stderr).toMatch(/restore it from a backup, or move it aside and run "docspace-logins sync"/);
    // The integrity check found it (the header and schema read fine), and says so on one line.
    expect(r.stderr).toMatch(/\(quick_check: Tree \d+ page \d+/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('is checked once, then trusted while unchanged; damaged in place after that, it is checked and reported again', async () => {
    const file = join(dir, 'known.sqlite');
    copyFileSync(archive, file);
    expect(checkedAsIs(file)).toBe(false);
    // The first open checks it; closing records the state this tool left it in.
    await (await openStore(file)).close();
    expect(checkedAsIs(file)).toBe(true);
    await (await openStore(file)).close();
    expect(checkedAsIs(file)).toBe(true);
    const fd = openSync(file, 'r+');
    const size = statSync(file).size;
    writeSync(fd, Buffer.alloc(16 * 1024, 0xa5), 0, 16 * 1024, Math.floor(size / 2 / 4096) * 4096);
    closeSync(fd);
    expect(checkedAsIs(file)).toBe(false);
    const r = await cli(['sync', '--db', file, '-q'], { DOCSPACE_URL: emu.url, DOCSPACE_API_KEY: emu.apiKey });
    expect(r.code).toBe(8);
    expect(r.stderr).toMatch(/\(quick_check: Tree \d+ page \d+/);
  });

  it('a full disk while syncing is an I/O error naming the archive (exit 8), not an internal error', async () => {
    const file = join(dir, 'full.sqlite');
    const store = await openStore(file);
    const client = new DocSpaceClient({ portal: emu.url, credentials: { kind: 'apiKey', apiKey: emu.apiKey } });
    try {
      // SQLite's page limit fails writes exactly as a full disk does (SQLITE_FULL).
      const { rows } = await sql<{ page_count: number }>`pragma page_count`.execute(store.db);
      await sql.raw(`pragma max_page_count = ${rows[0].page_count + 8}`).execute(store.db);
      const err = await syncPortal(client, store).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(IoError);
      expect((err as Error).message).toBe(`Cannot write the archive ${file}: no space left on the device (SQLITE_FULL): free some space or write elsewhere`);
      expect(exitCodeFor(err)).toBe(EXIT.io);
    } finally {
      await client.close();
      await store.close();
    }
  });

  it('a file that is not a database at all says so (exit 8)', async () => {
    const text = join(dir, 'notes.sqlite');
    closeSync(openSync(text, 'w'));
    const fd = openSync(text, 'w');
    writeSync(fd, 'meeting notes, not an archive\n'.repeat(200));
    closeSync(fd);
    const r = await cli(['status', '--db', text]);
    expect(r.code).toBe(8);
    expect(r.stderr).toContain(`${text} is damaged or is not a database (file is not a database)`);
  });
});

describe('an archive in a folder the reader cannot write', () => {
  it('can be read by status, sql and events --archive: no -wal or -shm file is needed', () => {
    const folder = join(dir, 'read-only');
    mkdirSync(folder);
    const file = join(folder, 'archive.sqlite');
    copyFileSync(archive, file);
    chmodSync(file, 0o644);
    // root writes anywhere: read as an unprivileged user instead; others make the folder read-only.
    const asRoot = process.getuid?.() === 0;
    chmodSync(folder, asRoot ? 0o755 : 0o555);
    chmodSync(dir, 0o755);
    const run = (args: string[]) =>
      spawnSync(process.execPath, [CLI, ...args, '--db', file], {
        env: cleanEnv(),
        encoding: 'utf8',
        ...(asRoot ? { uid: 65534, gid: 65534, cwd: '/' } : {}),
      });
    try {
      const status = run(['status', '--format', 'json']);
      expect(status.status, status.stderr).toBe(0);
      expect(JSON.parse(status.stdout)[0].events).toBe(3000);
      const count = run(['sql', 'select count(*) as n from events', '--format', 'csv']);
      expect(count.status, count.stderr).toBe(0);
      expect(count.stdout).toBe('n\n3000\n');
      const events = run(['events', '--archive', '--portal', emu.url, '--since', 'all', '--format', 'csv']);
      expect(events.status, events.stderr).toBe(0);
      expect(events.stdout.trim().split('\n')).toHaveLength(3001);
      expect(readdirSync(folder)).toEqual(['archive.sqlite']);
    } finally {
      chmodSync(folder, 0o755);
    }
  });
});
