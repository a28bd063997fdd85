/**
 * Guards planted by a review that today's suite must notice: a failure kind, a malformed event's
 * exit code, and a sync that must not record what it did not read.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { actionKind, DocSpaceClient, startEmulator } from '../src/index.js';
import { openStore } from '../src/store/index.js';
import { syncPortal } from '../src/sync/index.js';
import { cli } from './helpers/cli.js';
import { rewritingProxy } from './helpers/rewriting-proxy.js';
import { scriptedServer } from './helpers/scripted-server.js';

const NOW = Date.parse('2025-07-01T10:00:00Z');
const open: Array<{ close(): Promise<void> | void }> = [];
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close();
});

describe('action kinds', () => {
  it.each([
    [1000, 'success'],
    [1001, 'success'],
    [1007, 'success'],
    [1011, 'success'],
    [1013, 'failure'],
    [1023, 'failure'],
    [1025, 'failure'],
    [1006, 'logout'],
    [1099, 'other'],
    [4035, 'other'],
  ])('%i is %s', (code, kind) => {
    expect(actionKind(code)).toBe(kind);
  });
});

describe('malformed events', () => {
  it('events exits 5 when the portal serves an event that fails validation, and names it', async () => {
    const emu = await startEmulator({ now: NOW, seed: 3, events: 400, days: 5 });
    open.push(emu);
    const victim = emu.state.allEvents()[5].id;
    const proxy = await rewritingProxy(emu.url, (e) => (e.id === victim ? { ...e, actionId: 'one thousand' } : e));
    open.push(proxy);
    const r = await cli(['events', '--since', 'all', '--format', 'ndjson', '--allow-insecure-http'], {
      DOCSPACE_URL: proxy.url,
      DOCSPACE_API_KEY: emu.apiKey,
    });
    expect(r.code, r.stderr).toBe(5);
    expect(r.stderr).toMatch(new RegExp(`event ${victim}`));
    expect(r.stdout.split('\n').filter(Boolean)).toHaveLength(399);
  });
});

describe('a sync records only what it read', () => {
  it('a read that fails half-way moves neither the checkpoint nor the coverage', async () => {
    const emu = await startEmulator({ now: NOW, seed: 4, events: 3000, days: 20 });
    open.push(emu);
    const store = await openStore(join(mkdtempSync(join(tmpdir(), 'dl-truth-')), 'a.sqlite'));
    open.push(store);
    // The portal, until its history breaks past the 10th page.
    const server = await scriptedServer((req, res) => {
      const start = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('startIndex') ?? 0);
      if (req.url?.includes('login/filter') && start > 1000) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end('{"error":{"message":"boom"}}');
        return;
      }
      // The sync gives up while other pages are still in flight, and the test then closes the emulator under
      // them: an upstream failure must end this one response, not surface as an unhandled rejection.
      fetch(`${emu.url}${req.url}`, { headers: { authorization: String(req.headers.authorization) } })
        .then(async (up) => {
          const body = await up.text();
          res.writeHead(up.status, { 'content-type': up.headers.get('content-type') ?? 'application/json' });
          res.end(body);
        })
        .catch(() => res.destroy());
    });
    open.push(server);
    const client = new DocSpaceClient({
      portal: server.url,
      credentials: { kind: 'apiKey', apiKey: emu.apiKey },
      retry: { attempts: 2 },
      sleep: async () => {},
    });
    open.push(client);
    await expect(syncPortal(client, store)).rejects.toThrow();
    const [stats] = await store.stats();
    expect(stats.checkpoint).toBeNull();
    expect(stats.covered).toEqual([]);
    expect(stats.lastRun?.status).toBe('failed');
  });

  it('a complete first sync proves exactly the span it read, no more', async () => {
    const emu = await startEmulator({ now: NOW, seed: 6, events: 2000, days: 20 });
    open.push(emu);
    const store = await openStore(join(mkdtempSync(join(tmpdir(), 'dl-truth-')), 'a.sqlite'));
    open.push(store);
    const client = new DocSpaceClient({ portal: emu.url, credentials: { kind: 'apiKey', apiKey: emu.apiKey } });
    open.push(client);
    await syncPortal(client, store);
    const [stats] = await store.stats();
    expect(stats.covered).toEqual([{ from: stats.oldest, to: stats.newest }]);
  });
});
