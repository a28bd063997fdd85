/**
 * Rate limits as DocSpace really sends them: a 429 with an empty body, `X-RateLimit-Limit` and
 * `X-RateLimit-Remaining` only (no Retry-After). The client learns the limit, pauses every
 * request on a 429, paces itself, and never gives up while the read makes progress. Time is a
 * virtual clock shared by the client and the test server's limiter, so minutes take no time.
 */
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { run } from '../src/cli/run.js';
import { DocSpaceClient, describeWait, readHistory, type WaitNotice } from '../src/index.js';
import { envelope, loginFilter, type Responder, type ScriptedServer, scriptedServer, syntheticEvents } from './helpers/scripted-server.js';

const KEY = `sk-${'ab12'.repeat(16)}`;

/** Timers that fire in deadline order, either on demand or (auto) one per event-loop turn. */
class VirtualClock {
  t = Date.UTC(2026, 0, 1);
  auto = false;
  private timers: Array<{ at: number; resolve: () => void }> = [];
  private listeners: Array<() => void> = [];
  private scheduled = false;

  now = () => this.t;
  sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      this.timers.push({ at: this.t + ms, resolve });
      for (const l of this.listeners.splice(0)) l();
      this.schedule();
    });
  get pending() {
    return this.timers.length;
  }
  /** Resolves at the next `sleep` call. */
  nextSleep() {
    return new Promise<void>((resolve) => this.listeners.push(resolve));
  }
  run() {
    this.auto = true;
    this.schedule();
  }
  private schedule() {
    if (!this.auto || this.scheduled || !this.timers.length) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.timers.sort((a, b) => a.at - b.at);
      const next = this.timers.shift()!;
      this.t = Math.max(this.t, next.at);
      next.resolve();
      this.schedule();
    });
  }
}

/** A sliding one-minute window per client, on the virtual clock, answering like the portal. */
function limited(perMinute: number, clock: VirtualClock, inner: Responder) {
  const window: number[] = [];
  const log: Array<{ t: number; status: number }> = [];
  const responder: Responder = (req, res, n) => {
    const now = clock.now();
    while (window.length && window[0] <= now - 60_000) window.shift();
    if (window.length >= perMinute) {
      log.push({ t: now, status: 429 });
      res.writeHead(429, { 'x-ratelimit-limit': String(perMinute), 'x-ratelimit-remaining': '0' });
      res.end();
      return;
    }
    window.push(now);
    log.push({ t: now, status: 200 });
    inner(req, res, n);
  };
  return { responder, log };
}

let server: ScriptedServer | undefined;
let client: DocSpaceClient | undefined;
afterEach(async () => {
  await client?.close();
  await server?.close();
  client = server = undefined;
});

describe('a portal that rate-limits with X-RateLimit-Limit only', () => {
  it('a 30,000-event read at 100 requests/min completes with every event, pacing itself after the first 429', async () => {
    const clock = new VirtualClock();
    clock.run();
    const events = syntheticEvents(30_000);
    const limiter = limited(100, clock, loginFilter(events));
    server = await scriptedServer(limiter.responder);
    const waits: WaitNotice[] = [];
    client = new DocSpaceClient({
      portal: server.url,
      credentials: { kind: 'apiKey', apiKey: KEY },
      now: clock.now,
      sleep: clock.sleep,
      onWait: (w) => waits.push(w),
    });

    const ids = new Set<number>();
    const read = readHistory(client);
    let step = await read.next();
    for (; !step.done; step = await read.next()) ids.add(step.value.event.id);

    expect(ids.size).toBe(30_000);
    expect(step.value.complete).toBe(true);
    // The read outlasted the window several times over: it did not give up while progressing.
    expect(clock.t - Date.UTC(2026, 0, 1)).toBeGreaterThan(2 * 60_000);
    // The bare 429s were announced with the limit they taught.
    expect(waits.length).toBeGreaterThan(0);
    expect(waits.every((w) => w.why === 'rate-limited')).toBe(true);
    expect(waits.at(-1)!.limitPerMinute).toBe(100);
    expect(describeWait(waits[0])).toBe('rate-limited by the portal: waiting 1 s (limit 100 requests/min)');
    // Once the first refusal taught the limit and the window emptied, paced requests were never refused.
    const firstRecovery = limiter.log.findIndex((e, i) => e.status === 200 && limiter.log.slice(0, i).some((p) => p.status === 429));
    expect(firstRecovery).toBeGreaterThan(0);
    expect(limiter.log.slice(firstRecovery).filter((e) => e.status === 429)).toEqual([]);
    expect(limiter.log.length - firstRecovery).toBeGreaterThan(150);
  });

  it('a 429 pauses the other requests of the client, not only the refused one', async () => {
    const clock = new VirtualClock();
    let releaseSecond!: () => void;
    const secondReleased = new Promise<void>((resolve) => {
      releaseSecond = resolve;
    });
    const arrivals: number[] = [];
    let onArrival: (() => void) | undefined;
    server = await scriptedServer((req, res, n) => {
      arrivals.push(clock.now());
      onArrival?.();
      if (n === 0) {
        res.writeHead(429, { 'x-ratelimit-limit': '600', 'x-ratelimit-remaining': '0' });
        res.end();
      } else if (n === 1) {
        void secondReleased.then(() => envelope([])(req, res, n));
      } else {
        envelope([])(req, res, n);
      }
    });
    let announced!: (w: WaitNotice) => void;
    const pauseAnnounced = new Promise<WaitNotice>((resolve) => {
      announced = resolve;
    });
    client = new DocSpaceClient({
      portal: server.url,
      credentials: { kind: 'apiKey', apiKey: KEY },
      concurrency: 2,
      now: clock.now,
      sleep: clock.sleep,
      onWait: (w) => announced(w),
    });
    const calls = Promise.all([0, 1, 2, 3].map((i) => client!.filterEvents({ startIndex: i * 100 })));

    const pause = await pauseAnnounced;
    const pauseEnd = clock.t + pause.ms;
    // The second request may still be on its way to the server when the 429 is announced.
    if (arrivals.length < 2) await new Promise<void>((resolve) => (onArrival = resolve));
    // The held request now ends; its slot goes to a queued request, which must wait for the pause.
    releaseSecond();
    await new Promise<void>((resolve) => {
      onArrival = resolve;
      const check = () => (clock.pending >= 2 ? resolve() : void clock.nextSleep().then(check));
      check();
    });
    expect(arrivals).toHaveLength(2);

    clock.run();
    await calls;
    expect(arrivals).toHaveLength(5);
    expect(arrivals.slice(2).every((t) => t >= pauseEnd)).toBe(true);
  });
});

describe('the wait on the command line', () => {
  /** `events` against a portal whose first page is a bare 429, with stderr a terminal or not. */
  async function eventsAfterA429(stderrIsTty: boolean) {
    let pages = 0;
    const filter = loginFilter(syntheticEvents(150));
    server = await scriptedServer((req, res, n) => {
      if (req.url?.includes('portal/quota')) return envelope({ audit: true })(req, res, n);
      if (req.url?.includes('settings/lifetime')) return envelope({ loginHistoryLifeTime: 180 })(req, res, n);
      if (!req.url?.includes('login/filter')) return envelope([])(req, res, n);
      if (pages++ === 0) {
        res.writeHead(429, { 'x-ratelimit-limit': '600', 'x-ratelimit-remaining': '0' });
        res.end();
        return;
      }
      filter(req, res, n);
    });
    let out = '';
    let err = '';
    const stdout = new Writable({ write: (c, _e, cb) => ((out += String(c)), cb()) });
    const stderr = Object.assign(new Writable({ write: (c, _e, cb) => ((err += String(c)), cb()) }), { isTTY: stderrIsTty });
    const code = await run(['events', '--format', 'ndjson', '--since', '2025-12-01'], {
      stdout,
      stderr,
      env: { HOME: '/nonexistent', DOCSPACE_URL: server.url, DOCSPACE_API_KEY: KEY },
    });
    return { code, lines: out.split('\n').filter(Boolean).length, err };
  }

  it('a terminal is told why the read is quiet: "rate-limited by the portal: waiting 1 s" with the limit', async () => {
    const r = await eventsAfterA429(true);
    expect(r.code, r.err).toBe(0);
    expect(r.lines).toBe(150);
    expect(r.err).toContain('rate-limited by the portal: waiting 1 s (limit 600 requests/min)');
  });

  it('a pipe or a log gets no such line: the read just goes on', async () => {
    const r = await eventsAfterA429(false);
    expect(r.code, r.err).toBe(0);
    expect(r.lines).toBe(150);
    expect(r.err).not.toMatch(/rate-limited/);
  });
});
