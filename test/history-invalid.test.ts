/**
 * Invalid events are counted, not kept: a history flooded with them is read to the end, each one
 * is reported once however many overlapping windows carry it, and the reader remembers only the
 * recent ones (so memory stays flat however long the flood).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { InvalidEvent } from '../src/history/reader.js';
import { DocSpaceClient, readHistory } from '../src/index.js';
import { loginFilter, type ScriptedServer, scriptedServer, syntheticEvents } from './helpers/scripted-server.js';

const KEY = `sk-${'cd34'.repeat(16)}`;
let server: ScriptedServer | undefined;
let client: DocSpaceClient | undefined;

afterEach(async () => {
  await client?.close();
  await server?.close();
  client = server = undefined;
});

/** An event the portal could not have written: its date is not a date. */
function invalid(id: number) {
  return { ...syntheticEvents(1)[0], id, date: `not a date #${id}` };
}

/** `valid` good events, newest first, each followed by `perValid` invalid ones (ids from 1,000,000). */
function flooded(valid: number, perValid: number) {
  const out: unknown[] = [];
  let next = 1_000_000;
  for (const e of syntheticEvents(valid)) {
    out.push(e);
    for (let i = 0; i < perValid; i++) out.push(invalid(next++));
  }
  return out;
}

async function read(history: unknown[]) {
  server = await scriptedServer(loginFilter(history));
  client = new DocSpaceClient({ portal: server.url, credentials: { kind: 'apiKey', apiKey: KEY }, concurrency: 4 });
  const reported: InvalidEvent[] = [];
  const it = readHistory(client, {}, { onInvalid: (e) => reported.push(e) });
  let events = 0;
  for (;;) {
    const step = await it.next();
    if (step.done) return { summary: step.value, reported, events, requests: server.requests.length };
    events++;
  }
}

const idOf = (e: InvalidEvent) => (e.raw as { id: number }).id;

describe('a flood of invalid events', () => {
  it('20,000 invalid events among 10,000 good ones: all good ones read, each invalid one counted exactly once', async () => {
    const { summary, reported, events, requests } = await read(flooded(10_000, 2));
    expect(events).toBe(10_000);
    expect(summary.complete).toBe(true);
    expect(summary.invalid).toBe(20_000);
    expect(reported).toHaveLength(20_000);
    // Overlapping windows served many of them twice: the count is of distinct events.
    expect(requests).toBeGreaterThan(30_000 / 100);
    expect(new Set(reported.map(idOf)).size).toBe(20_000);
    expect(reported[0].reason).toMatch(/event 1000000: field "date"/);
  });

  it('only recent invalid events are remembered: one served again far down the history is counted again', async () => {
    // The same invalid object near the head, again in the next window (remembered: one report),
    // and again after 15,000 other invalid events (forgotten by then: the memory is bounded, so
    // it is reported a second time instead of every invalid event being kept for the whole read).
    const history = flooded(7_500, 2);
    const again = invalid(42);
    history.splice(1, 0, again);
    history.splice(150, 0, again);
    history.splice(history.length - 10, 0, again);
    const { summary, reported } = await read(history);
    expect(reported.filter((e) => idOf(e) === 42)).toHaveLength(2);
    expect(summary.invalid).toBe(15_000 + 2);
  });
});
