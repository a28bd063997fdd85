/**
 * The reader's pipeline against a portal whose answers are released one by one: what goes on
 * the wire, what waits in the client's limiter, and what is dropped when the reader stops.
 */
/* global Request, Response */
import { afterEach, describe, expect, it } from 'vitest';
import { createEmulatorApp, type EmulatorApp } from '../src/emulator/index.js';
import { DocSpaceClient, readHistory } from '../src/index.js';

const NOW = Date.parse('2025-07-01T10:00:00Z');
let app: EmulatorApp | undefined;
let client: DocSpaceClient | undefined;

afterEach(async () => {
  await client?.close();
  app?.close();
  client = undefined;
  app = undefined;
});

/** The emulator in memory behind a gate: each request is counted and held until released. */
function gatedPortal(events: number) {
  app = createEmulatorApp({ seed: 3, events, now: NOW });
  const portal = app;
  const held: Array<() => void> = [];
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  let open = false;
  const gate = {
    sent: 0,
    /** Resolves once `count` requests have reached the portal. */
    arrived: (count: number) =>
      new Promise<void>((resolve) => {
        if (gate.sent >= count) resolve();
        else waiters.push({ count, resolve });
      }),
    /** Answer the `n` oldest requests still held. */
    release: (n: number) => held.splice(0, n).forEach((go) => go()),
    /** Answer everything held, and every later request at once. */
    open: () => {
      open = true;
      gate.release(held.length);
    },
    send: async (request: Request): Promise<Response> => {
      gate.sent++;
      for (const w of waiters.filter((w) => gate.sent >= w.count)) w.resolve();
      if (!open) await new Promise<void>((resolve) => held.push(resolve));
      return portal.fetch(request);
    },
  };
  return gate;
}

describe('the read pipeline', () => {
  it('keeps no more on the wire than the client allows, and never sends the windows still queued once the reader stops', async () => {
    const gate = gatedPortal(3000);
    client = new DocSpaceClient({
      portal: 'https://portal.test',
      credentials: { kind: 'apiKey', apiKey: app!.state.apiKey },
      concurrency: 4,
      send: gate.send,
    });
    const reader = readHistory(client);
    const first = reader.next();
    await gate.arrived(4);
    // Eight windows were asked for: four on the wire, four waiting in the client's limiter.
    expect(gate.sent).toBe(4);
    // The first answer frees a slot, which goes at once to the next queued window.
    gate.release(1);
    expect((await first).done).toBe(false);
    expect(gate.sent).toBe(5);
    // The consumer stops: the windows still in the limiter must never reach the portal.
    await reader.return(undefined as never);
    gate.open();
    // The limiter is first in, first out: once this request is answered, every window queued
    // before it has been either sent or dropped.
    await client.filterEvents({ count: 1 });
    expect(gate.sent).toBe(5 + 1);
  });
});
