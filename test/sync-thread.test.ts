/**
 * The CLI's first sync reads the history on a worker thread (src/sync/read-thread.ts); the
 * library's default reads it on the calling thread. Both must archive exactly the same thing,
 * count the same requests, and fail the same way, with the same class of error and message.
 */
import { mkdtempSync } from 'node:fs';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DocSpaceLoginsError, postError, RateLimitError, reviveError } from '../src/errors/index.js';
import { DocSpaceClient, NotDocSpaceError, type RunningEmulator, startEmulator } from '../src/index.js';
import { openStore } from '../src/store/index.js';
import { syncPortal } from '../src/sync/index.js';
import { syncInto } from './helpers/archive.js';
import { cli } from './helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'dl-sync-thread-'));
let emu: RunningEmulator;

beforeAll(async () => {
  // Odd dates and served shapes the archive must keep as served are part of a realistic history.
  emu = await startEmulator({ seed: 31, events: 4_000, days: 60, users: 60 });
});
afterAll(async () => {
  await emu.close();
});

/** Every archived row and rollup, in a stable order, without the time of archiving. */
function contents(file: string): Record<string, unknown[]> {
  const db = new Database(file, { readonly: true });
  try {
    const tables = (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND (name = 'events' OR name LIKE 'rollup_%')`).all() as Array<{ name: string }>).map((t) => t.name);
    const out: Record<string, unknown[]> = {};
    for (const t of tables.sort()) {
      const rows = db.prepare(`SELECT * FROM ${t}`).all() as Array<Record<string, unknown>>;
      for (const r of rows) delete r.inserted_at;
      out[t] = rows.map((r) => JSON.stringify(r)).sort();
    }
    return out;
  } finally {
    db.close();
  }
}

describe('first sync on a worker thread', () => {
  it('archives what the one-thread read archives, event for event, and counts its requests', async () => {
    const threaded = join(dir, 'threaded.sqlite');
    const here = join(dir, 'here.sqlite');
    await fetch(`${emu.url}/__emulator/reset-stats`, { method: 'POST' });
    const r = await cli(['sync', '--db', threaded, '--json', '-q', '--debug'], { DOCSPACE_URL: emu.url, DOCSPACE_API_KEY: emu.apiKey });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('reading the history on a worker thread');
    expect(r.stderr).not.toMatch(/error|warning/i);
    const result = JSON.parse(r.stdout.trim().split('\n').pop()!) as { added: number; requests: number; covered?: unknown };
    const stats = (await (await fetch(`${emu.url}/__emulator/stats`)).json()) as { requests: number };
    expect(result.added).toBe(4_000);
    expect(result.covered).toBeDefined();
    // The worker's requests are the client's: the result counts every request the portal saw.
    expect(result.requests).toBe(stats.requests);

    await syncInto(emu, here);
    const a = contents(threaded);
    const b = contents(here);
    expect(Object.keys(a).length).toBeGreaterThan(5);
    expect(a.events).toHaveLength(4_000);
    expect(a).toEqual(b);
  });

  it('fails mid-read as the one-thread read fails: same exit code and message, the error revived as its class', async () => {
    // After a few pages the "portal" answers its login history with an HTML page.
    let pages = 0;
    const upstream = new URL(emu.url);
    const proxy = createServer((req, res) => {
      if (req.url?.includes('/security/audit/login/') && ++pages > 3) {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end('<!doctype html><html><body>Sign in</body></html>');
        return;
      }
      const out = request({ host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers }, (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      });
      req.pipe(out);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    try {
      const r = await cli(['sync', '--db', join(dir, 'broken.sqlite'), '-q'], { DOCSPACE_URL: url, DOCSPACE_API_KEY: emu.apiKey });
      expect(r.code).toBe(5); // EXIT.notDocSpace (src/cli/exit.ts)
      expect(r.stderr).toMatch(/answered with an HTML page, not the DocSpace API/);
      expect(r.stderr).not.toMatch(/\n\s+at /);

      pages = 0;
      const client = new DocSpaceClient({ portal: url, credentials: { kind: 'apiKey', apiKey: emu.apiKey } });
      const store = await openStore(join(dir, 'broken-here.sqlite'));
      try {
        const err = await syncPortal(client, store).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(NotDocSpaceError);
        expect(r.stderr).toContain((err as Error).message);
      } finally {
        await store.close();
        await client.close();
      }
    } finally {
      proxy.closeAllConnections();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
    }
  });
});

describe('errors across the thread boundary', () => {
  it('come back as their class, with their fields, after a structured clone', () => {
    const sent = new RateLimitError({ portal: 'https://p.test', limitPerMinute: 600, waitedMs: 61_000 }, { request: 'GET /x' });
    const back = reviveError(structuredClone(postError(sent)));
    expect(back).toBeInstanceOf(RateLimitError);
    expect(back).toMatchObject({ code: 'rate-limited', limitPerMinute: 600, message: sent.message, details: { status: 429, request: 'GET /x' } });

    class ElsewhereError extends DocSpaceLoginsError {
      override readonly code = 'io' as const;
    }
    const other = reviveError(structuredClone(postError(new ElsewhereError('disk full'))));
    expect(other).toBeInstanceOf(DocSpaceLoginsError);
    expect(other).toMatchObject({ name: 'ElsewhereError', code: 'io', message: 'disk full' });

    const bug = reviveError(structuredClone(postError(new TypeError('x is undefined'))));
    expect(bug).not.toBeInstanceOf(DocSpaceLoginsError);
    expect(bug).toMatchObject({ name: 'TypeError', message: 'x is undefined' });
  });
});
