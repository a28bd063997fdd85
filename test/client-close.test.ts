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

describe('closing a client', () => {
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
