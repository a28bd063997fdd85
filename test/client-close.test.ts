/**
 * Work nobody will read is dropped: closing a client ends every request still waiting for a
 * retry or a rate-limit pause at once, and a short read asks for no more than it needs.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DocSpaceClient } from '../src/index.js';
import { ClientClosedError } from '../src/errors/index.js';
import { cli } from './helpers/cli.js';
import { scriptedServer } from './helpers/scripted-server.js';

const KEY = `sk-${'ab'.repeat(32)}`;
const open: Array<{ close(): Promise<void> | void }> = [];
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close();
});

/** Handles that keep a Node process alive, by kind. */
function liveHandles(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) {
    if (kind === 'TCPSocketWrap' || kind === 'TCPServerWrap' || kind === 'Timeout') counts[kind] = (counts[kind] ?? 0) + 1;
  }
  return counts;
}

describe('closing a client', () => {
  it('a script with an emulator and a client leaves nothing that keeps the process alive once both are closed', async () => {
    const { startEmulator } = await import('../src/index.js');
    const before = liveHandles();
    const emu = await startEmulator({ seed: 9, events: 3000, days: 10 });
    const client = new DocSpaceClient({ portal: emu.url, credentials: { kind: 'apiKey', apiKey: emu.apiKey } });
    const { readHistory } = await import('../src/history/reader.js');
    // No ramp-up: several windows are in flight when the fifth event ends the read.
    const read = readHistory(client, {}, { limit: 5, rampUp: false });
    for await (const _ of read) void _;
    await client.close();
    await emu.close();
    // Sockets finish closing on the next turns of the loop; nothing is waited for by time.
    const extra = () =>
      Object.entries(liveHandles()).filter(([kind, n]) => n > (before[kind] ?? 0)).map(([kind]) => kind);
    for (let i = 0; i < 50 && extra().length; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(extra()).toEqual([]);
  });

  it('ends a request sleeping before its next retry, and sends nothing more', async () => {
    const server = await scriptedServer((_req, res) => {
      res.writeHead(503);
      res.end();
    });
    open.push(server);
    let slept!: () => void;
    const sleeping = new Promise<void>((resolve) => (slept = resolve));
    // A sleep that never ends by itself: only closing the client can end the wait.
    const client = new DocSpaceClient({
      portal: server.url,
      credentials: { kind: 'apiKey', apiKey: KEY },
      sleep: () => {
        slept();
        return new Promise(() => {});
      },
    });
    const page = client.filterEvents({ startIndex: 0 });
    await sleeping;
    const sent = server.requests.length;
    await client.close();
    await expect(page).rejects.toBeInstanceOf(ClientClosedError);
    expect(server.requests.length).toBe(sent);
  });

  it('events --limit 1 asks for one window of history, not a pipeline of them', async () => {
    const r = await cli(['events', '--demo', '--limit', '1', '--debug', '--format', 'json']);
    expect(r.code).toBe(0);
    const history = r.stderr.split('\n').filter((l) => /GET .*login\/filter/.test(l) && / -> 200/.test(l));
    expect(history).toHaveLength(1);
  });
});
