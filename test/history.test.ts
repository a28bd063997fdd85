import { afterEach, describe, expect, it } from 'vitest';
import { eventJson } from '../src/output/columns.js';
import {
  DocSpaceClient,
  GUEST_ID,
  type LoginEvent,
  loginHistory,
  type ReadEvent,
  type RunningEmulator,
  readHistory,
  startEmulator,
} from '../src/index.js';

const NOW = Date.parse('2025-07-01T10:00:00Z');
let emu: RunningEmulator | undefined;
let client: DocSpaceClient | undefined;

afterEach(async () => {
  await client?.close();
  await emu?.close();
  client = undefined;
  emu = undefined;
});

async function setup(opts: Parameters<typeof startEmulator>[0] = {}, concurrency = 8) {
  emu = await startEmulator({ now: NOW, ...opts });
  client = new DocSpaceClient({
    portal: emu.url,
    credentials: { kind: 'apiKey', apiKey: emu.apiKey },
    concurrency,
  });
  return { emu, client };
}

/** 70 events in one second at the head, then 60 in the next second (dated, not waited for). */
function sameSecondGroups(emu: RunningEmulator) {
  const second = Math.floor(emu.state.now() / 1000) * 1000;
  emu.state.appendEvents(70, second);
  emu.state.appendEvents(60, second + 1000);
}

async function collect(iter: AsyncIterable<ReadEvent>) {
  const out: LoginEvent[] = [];
  for await (const { event } of iter) out.push(event);
  return out;
}

/** Read everything, returning events and the reader's summary. */
async function readAll(c: DocSpaceClient, filter = {}, opts = {}) {
  const gen = readHistory(c, filter, opts);
  const events: LoginEvent[] = [];
  for (;;) {
    const step = await gen.next();
    if (step.done) return { events, summary: step.value };
    events.push(step.value.event);
  }
}

describe('reading the full history', () => {
  it('yields every event exactly once, although same-second events come back in a new order on every request', async () => {
    const { emu, client } = await setup({ seed: 7, events: 6000, days: 20 });
    const truth = emu.state.allEvents().map((e) => e.id);
    const { events, summary } = await readAll(client);
    const ids = events.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(ids)).toEqual(new Set(truth));
    expect(summary).toMatchObject({ complete: true, reachedEnd: true, unproven: 0 });
  });

  it('is newest first', async () => {
    const { client } = await setup({ seed: 3, events: 1500 });
    const { events } = await readAll(client);
    for (let i = 1; i < events.length; i++) expect(events[i].time <= events[i - 1].time).toBe(true);
  });

  it('proves a page boundary that a same-second group straddles, with one repair window', async () => {
    const { emu, client } = await setup({ seed: 11, events: 800, days: 5 });
    // Two groups of 70 and 60 events in consecutive seconds at the head: the older group spans
    // the boundary between the first two windows, and every request orders it anew.
    sameSecondGroups(emu);
    const truth = new Set(emu.state.allEvents().map((e) => e.id));
    for (let round = 0; round < 3; round++) {
      const { events, summary } = await readAll(client);
      expect(new Set(events.map((e) => e.id))).toEqual(truth);
      expect(events.length).toBe(truth.size);
      expect(summary.unproven).toBe(0);
    }
  });

  it('asks for a repair window as soon as both sides of an unproven boundary are in, before the consumer gets there', async () => {
    const { emu, client } = await setup({ seed: 11, events: 800, days: 5 });
    // As above: the older of two same-second groups spans the boundary of the first two windows.
    sameSecondGroups(emu);
    const asked: number[] = [];
    let open = 0;
    let quiet = () => {};
    const allIn = new Promise<void>((r) => (quiet = r));
    const inner = client.filterEvents.bind(client);
    client.filterEvents = (query, signal) => {
      asked.push(query?.startIndex ?? 0);
      open++;
      const page = inner(query, signal);
      // Quiet once nothing is out and nothing new went out after the last answer.
      void page
        .finally(() => --open === 0 && setImmediate(() => open === 0 && quiet()))
        .catch(() => undefined);
      return page;
    };
    const reader = readHistory(client);
    // The consumer holds the first event: the reader stays at the first window.
    await reader.next();
    await allIn;
    expect(asked).toContain(50);
    await reader.return(undefined as never);
  });

  it('collects a same-second group larger than a page by sampling, and reports it unproven', async () => {
    const { emu, client } = await setup({ seed: 12, events: 500, days: 5 });
    emu.state.appendEvents(250);
    const truth = new Set(emu.state.allEvents().map((e) => e.id));
    const unproven: number[] = [];
    const { events, summary } = await readAll(
      client,
      {},
      { onUnproven: (u: { time: number }) => unproven.push(u.time) },
    );
    expect(new Set(events.map((e) => e.id))).toEqual(truth);
    expect(events.length).toBe(truth.size);
    expect(summary.unproven).toBeGreaterThan(0);
    expect(summary.complete).toBe(false);
    expect(unproven.length).toBe(summary.unproven);
  });

  it('loses nothing and repeats nothing while new events arrive during a parallel read', async () => {
    const { emu } = await setup({ seed: 5, events: 8000, days: 30 });
    const before = new Set(emu.state.allEvents().map((e) => e.id));
    // Before every page is answered, 5 new events arrive, each batch in a second of its own
    // (dated ahead of the data): offsets shift under the parallel read at every request, on a
    // fast machine or a slow one, without making one giant same-second group.
    let k = 0;
    const arriving = new DocSpaceClient({
      portal: emu.url,
      credentials: { kind: 'apiKey', apiKey: emu.apiKey },
      concurrency: 8,
      send: (req) => {
        if (req.url.includes('login/filter')) emu.state.appendEvents(5, NOW + 3_600_000 + ++k * 1000);
        return fetch(req);
      },
    });
    let events: LoginEvent[];
    let summary;
    try {
      ({ events, summary } = await readAll(arriving));
    } finally {
      await arriving.close();
    }
    expect(k).toBeGreaterThan(80);
    expect(summary?.complete).toBe(true);
    const ids = events.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of before) expect(ids).toContain(id);
  });

  it('stops paging once pages are older than --since', async () => {
    const { emu, client } = await setup({ seed: 2, events: 20000, days: 90 });
    const since = NOW - 2 * 86_400_000;
    const expected = emu.state.allEvents().filter((e) => Date.parse(e.date) >= since).length;
    const { events, summary } = await readAll(client, { since }, { rampUp: true });
    expect(events.length).toBe(expected);
    expect(summary.complete).toBe(true);
    // 20,000 events need 200+ pages; two days need only a few (plus the ramp's lookahead).
    expect(summary.requests).toBeLessThan(Math.ceil(expected / 96) + 10);
  });

  it('stops after --limit matches', async () => {
    const { client } = await setup({ seed: 2, events: 3000 });
    const { events } = await readAll(client, {}, { limit: 25 });
    expect(events).toHaveLength(25);
  });

  it('filters on the client: a user id also matches failures typed with that login', async () => {
    const { emu, client } = await setup({ seed: 4, events: 4000 });
    const all = emu.state.allEvents();
    const failure = all.find((e) => e.userId === GUEST_ID && e.login && emu!.state.findPerson(e.login));
    expect(failure).toBeDefined();
    const person = emu.state.findPerson(failure!.login!)!;
    const { events } = await readAll(client, { userIds: [person.id], logins: [person.email] });
    expect(events.some((e) => e.anonymous && e.login?.toLowerCase() === person.email.toLowerCase())).toBe(
      true,
    );
    expect(events.some((e) => e.userId === person.id)).toBe(true);
    expect(
      events.every((e) => e.userId === person.id || e.login?.toLowerCase() === person.email.toLowerCase()),
    ).toBe(true);
  });

  it('filters by kind and by action code', async () => {
    const { client } = await setup({ seed: 4, events: 2000 });
    const failures = (await readAll(client, { kinds: ['failure'] })).events;
    expect(failures.length).toBeGreaterThan(0);
    expect(failures.every((e) => e.kind === 'failure')).toBe(true);
    const api = (await readAll(client, { actionIds: [1010] })).events;
    expect(api.every((e) => e.actionId === 1010)).toBe(true);
  });

  it('keeps the portal offset: Berlin summer events show +02:00 and the UTC instant', async () => {
    const { client } = await setup({ seed: 1, events: 200, timezone: 'Europe/Berlin' });
    const { events } = await readAll(client, {}, { limit: 5 });
    for (const e of events) {
      const json = eventJson(e);
      expect(e.offsetMinutes).toBe(120);
      expect(json.offset).toBe('+02:00');
      expect(json.date.endsWith('Z')).toBe(true);
      expect(Date.parse(json.date)).toBe(e.time);
      expect(new Date(json.localDate).getTime()).toBe(e.time);
    }
  });
});

describe('people', () => {
  it('pages every active member by 100, using the envelope total', async () => {
    const { emu, client } = await setup({ seed: 15, users: 250, events: 100 });
    const people = [];
    for await (const p of client.people()) people.push(p);
    const active = emu.state.people.filter((p) => p.status === 1);
    expect(people.length).toBe(active.length);
    expect(new Set(people.map((p) => p.id))).toEqual(new Set(active.map((p) => p.id)));
    expect(client.stats.requests).toBe(Math.ceil(active.length / 100));
  });

  it('looks a member up by id, and says undefined for an unknown one', async () => {
    const { emu, client } = await setup({ seed: 15, users: 20, events: 50 });
    const someone = emu.state.people.find((p) => p.status === 1)!;
    expect((await client.person(someone.id))?.email).toBe(someone.email);
    expect(await client.person('00000000-0000-4000-8000-000000000001')).toBeUndefined();
  });
});

describe('portal without the audit feature', () => {
  it('answers the 20 newest and says the history is incomplete', async () => {
    const { client } = await setup({ seed: 9, events: 500, audit: false });
    const history = loginHistory(client, {});
    const events = await collect(history.events);
    expect(events.length).toBeLessThanOrEqual(20);
    const summary = history.summary();
    expect(summary).toMatchObject({ mode: 'latest', complete: false });
    expect(summary.incompleteReason).toMatch(/audit feature/);
  });

  it('with the feature, the same call pages the whole history', async () => {
    const { client } = await setup({ seed: 9, events: 500 });
    const history = loginHistory(client, {});
    const events = await collect(history.events);
    expect(events.length).toBe(500);
    expect(history.summary()).toMatchObject({ mode: 'full', complete: true });
  });
});

describe('resilience of a full read', () => {
  it('completes through random 5xx and dropped connections', async () => {
    const { emu, client: _ } = await setup({ seed: 6, events: 3000, failRate: 0.15 });
    await client!.close();
    client = new DocSpaceClient({
      portal: emu.url,
      credentials: { kind: 'apiKey', apiKey: emu.apiKey },
      retry: { baseDelayMs: 1, maxDelayMs: 5, attempts: 10 },
    });
    const { events } = await readAll(client);
    expect(new Set(events.map((e) => e.id))).toEqual(new Set(emu.state.allEvents().map((e) => e.id)));
    expect(client.stats.retries).toBeGreaterThan(0);
  });
});
