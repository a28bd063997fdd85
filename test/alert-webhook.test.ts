/**
 * Webhook, Slack and Teams destinations against real receivers on loopback, driven through the
 * outbox and the worker with an injected clock: signatures checked by the independent
 * `standardwebhooks` package, 410, a receiver down then up, Retry-After, Slack's rate cap.
 */
import { createHmac, randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { Webhook } from 'standardwebhooks';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  createAlert,
  createOutboxTables,
  createSender,
  Dispatcher,
  type DispatchOutcome,
  notifyFinding,
  Outbox,
  parseDestination,
  type Sender,
} from '../src/alert/index.js';
import { Clock, finding, freePort, receiver, type Receiver, T0 } from './helpers/alert-helpers.js';

const SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const env = { DOCSPACE_LOGINS_WEBHOOK_SECRET: SECRET };

let db: Kysely<any>;
let outbox: Outbox;
let clock: Clock;
let receivers: Receiver[];
let dispatchers: Dispatcher[];

beforeEach(async () => {
  db = new Kysely({ dialect: new SqliteDialect({ database: new Database(':memory:') }) });
  await createOutboxTables(db);
  outbox = new Outbox(db, { locking: 'single-writer' });
  clock = new Clock();
  receivers = [];
  dispatchers = [];
});
afterEach(async () => {
  vi.useRealTimers();
  await Promise.all(dispatchers.map((d) => d.close()));
  await Promise.all(receivers.map((r) => r.close()));
  await db.destroy();
});

async function listen(port?: number): Promise<Receiver> {
  const r = await receiver(port);
  receivers.push(r);
  return r;
}

function worker(uris: string[], outcomes: DispatchOutcome[] = []): { dispatcher: Dispatcher; senders: Sender[] } {
  const senders = uris.map((u) => createSender(parseDestination(u), { now: clock.now, env }));
  const dispatcher = new Dispatcher(outbox, senders, { now: clock.now, random: () => 0.5, onOutcome: (o) => outcomes.push(o) });
  dispatchers.push(dispatcher);
  return { dispatcher, senders };
}

describe('webhook destinations', () => {
  it('POST the alert document signed per Standard Webhooks (verified by the standardwebhooks package) and with a DocSpace-style hex HMAC', async () => {
    const r = await listen();
    const { dispatcher, senders } = worker([`webhook+${r.url}`]);
    await outbox.enqueue(createAlert(finding(), 'new', T0), [senders[0].key]);
    expect(await dispatcher.runOnce()).toMatchObject({ delivered: 1 });

    expect(r.received).toHaveLength(1);
    const { headers, body } = r.received[0];
    expect(headers['webhook-id']).toBe('dsl-003:198.51.100.7:1');
    expect(headers['webhook-timestamp']).toBe(String(T0 / 1000));
    // The package checks the timestamp against its own clock: show it ours.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(T0);
    const verified = new Webhook(SECRET).verify(body, headers as Record<string, string>) as any;
    expect(verified.type).toBe('docspace_logins.alert.new');
    expect(verified.data.finding).toMatchObject({ rule: 'DSL-003', severity: 'high', count: 18, groupKey: '198.51.100.7' });
    expect(verified.data.eventIds).toEqual([81234, 81235, 81240]);
    expect(verified.data.evidence.ip).toBe('198.51.100.7');
    expect(verified.data.suggestedResponse.summary).toMatch(/Block 198\.51\.100\.7/);
    expect(() => new Webhook(`whsec_${randomBytes(32).toString('base64')}`).verify(body, headers as Record<string, string>)).toThrow();
    const hex = createHmac('sha256', SECRET).update(body).digest('hex');
    expect(headers['x-docspace-logins-signature-256']).toBe(`sha256=${hex}`);
  });

  it('a 410 ends the delivery and disables the destination; later alerts to it are not sent', async () => {
    const r = await listen();
    r.respond = [{ status: 410 }];
    const outcomes: DispatchOutcome[] = [];
    const { dispatcher, senders } = worker([`webhook+${r.url}`], outcomes);
    await outbox.enqueue(createAlert(finding(), 'new', T0), [senders[0].key]);
    expect(await dispatcher.runOnce()).toMatchObject({ gone: 1 });
    expect(outcomes[0]).toMatchObject({ kind: 'gone', error: expect.stringMatching(/HTTP 410/) });
    expect((await outbox.disabledDestinations()).map((d) => d.destination)).toEqual([senders[0].key]);

    await outbox.enqueue(createAlert(finding({ revision: 2 }), 'repeat', T0 + 10), [senders[0].key]);
    clock.advance(60_000);
    expect(await dispatcher.runOnce()).toMatchObject({ delivered: 0, gone: 0 });
    expect(r.received).toHaveLength(1);
  });

  it('a receiver that is down gets the alert once it is up, with the same webhook-id, after the scheduled 5 s', async () => {
    const port = await freePort();
    const outcomes: DispatchOutcome[] = [];
    const { dispatcher, senders } = worker([`webhook+http://127.0.0.1:${port}/hook`], outcomes);
    await outbox.enqueue(createAlert(finding(), 'new', T0), [senders[0].key]);

    expect(await dispatcher.runOnce()).toMatchObject({ retry: 1 });
    expect(outcomes[0]).toMatchObject({ kind: 'retry', nextAt: T0 + 5000, error: expect.stringMatching(/ECONNREFUSED/) });

    const r = await listen(port);
    clock.advance(4999);
    expect(await dispatcher.runOnce()).toMatchObject({ delivered: 0 });
    clock.advance(1);
    expect(await dispatcher.runOnce()).toMatchObject({ delivered: 1 });
    expect(r.received.map((x) => x.headers['webhook-id'])).toEqual(['dsl-003:198.51.100.7:1']);
    expect((await outbox.deliveries())[0]).toMatchObject({ status: 'delivered', attempts: 2 });
  });

  it('a 503 with Retry-After: 120 is tried again after exactly two minutes, then a 200 delivers', async () => {
    const r = await listen();
    r.respond = [{ status: 503, headers: { 'retry-after': '120' } }, { status: 200 }];
    const outcomes: DispatchOutcome[] = [];
    const { dispatcher, senders } = worker([`webhook+${r.url}`], outcomes);
    await outbox.enqueue(createAlert(finding(), 'new', T0), [senders[0].key]);
    await dispatcher.runOnce();
    expect(outcomes[0]).toMatchObject({ kind: 'retry', nextAt: T0 + 120_000 });
    clock.advance(119_999);
    expect(await dispatcher.runOnce()).toMatchObject({ delivered: 0 });
    clock.advance(1);
    expect(await dispatcher.runOnce()).toMatchObject({ delivered: 1 });
    expect(r.received.map((x) => x.headers['webhook-id'])).toEqual(['dsl-003:198.51.100.7:1', 'dsl-003:198.51.100.7:1']);
    // Same body on every try: the payload was frozen when the alert was queued.
    expect(r.received[1].body).toBe(r.received[0].body);
  });

  it('a 400 fails the delivery at once, and replay sends it again', async () => {
    const r = await listen();
    r.respond = [{ status: 400 }, { status: 204 }];
    const { dispatcher, senders } = worker([`webhook+${r.url}`]);
    await outbox.enqueue(createAlert(finding(), 'new', T0), [senders[0].key]);
    expect(await dispatcher.runOnce()).toMatchObject({ failed: 1 });
    clock.advance(3_600_000);
    expect(await dispatcher.runOnce()).toMatchObject({ failed: 0, delivered: 0 });
    expect(await outbox.replay(T0, clock.now())).toBe(1);
    expect(await dispatcher.runOnce()).toMatchObject({ delivered: 1 });
    expect(r.received).toHaveLength(2);
  });

  it('gives up after the last scheduled attempt (about three days) and says so', async () => {
    const r = await listen();
    r.respond = [{ status: 500 }];
    const outcomes: DispatchOutcome[] = [];
    const { dispatcher, senders } = worker([`webhook+${r.url}`], outcomes);
    await outbox.enqueue(createAlert(finding(), 'new', T0), [senders[0].key]);
    for (let i = 0; i < 10; i++) {
      await dispatcher.runOnce();
      clock.advance(25 * 3_600_000);
    }
    expect(r.received).toHaveLength(10);
    expect(outcomes.at(-1)).toMatchObject({ kind: 'failed', error: expect.stringMatching(/^gave up after 10 attempts: .*HTTP 500/) });
  });

  it('a 410 tells the other destinations, once, with an operational alert', async () => {
    const goneOne = await listen();
    goneOne.respond = [{ status: 410 }];
    const other = await listen();
    const { dispatcher, senders } = worker([`webhook+${goneOne.url}`, `slack+${other.url}`]);
    await outbox.enqueue(createAlert(finding(), 'new', T0), [senders[0].key]);
    expect(await dispatcher.runOnce()).toMatchObject({ gone: 1 });
    clock.advance(1000);
    expect(await dispatcher.runOnce()).toMatchObject({ delivered: 1 });
    expect(other.received).toHaveLength(1);
    const message = JSON.parse(other.received[0].body);
    expect(message.text).toMatch(/^\[HIGH\] New: Alert destination gone: webhook\+http:\/\/127\.0\.0\.1:\d+\/…/);
    expect(JSON.stringify(message.blocks)).toContain('HTTP 410');
    expect(JSON.stringify(message.blocks)).toContain('OPS-DESTINATION-GONE');
    clock.advance(60_000);
    expect(await dispatcher.runOnce()).toMatchObject({ delivered: 0, gone: 0 });
  });
});

describe('grouping through the outbox', () => {
  it('a flood of updates of one finding sends one alert, then one on escalation, then one after 4 h', async () => {
    const r = await listen();
    const { dispatcher, senders } = worker([`webhook+${r.url}`]);
    const keys = [senders[0].key];
    const reasons: string[] = [];
    for (let rev = 1; rev <= 30; rev++) {
      const severity = rev >= 20 ? 'critical' : 'high';
      const d = await notifyFinding(outbox, finding({ revision: rev, count: 18 + rev, severity }), keys, clock.now());
      if (d.notify) reasons.push(`${rev}:${d.reason}`);
      clock.advance(60_000);
    }
    clock.advance(4 * 3_600_000);
    const d = await notifyFinding(outbox, finding({ revision: 31, severity: 'critical' }), keys, clock.now());
    if (d.notify) reasons.push(`31:${d.reason}`);
    expect(reasons).toEqual(['1:new', '20:escalated', '31:repeat']);
    // Webhooks are capped at ten a second by default: one pass sends one, the next 100 ms later;
    // the most severe first, and the newest first within a severity.
    for (let i = 0; i < 3; i++) {
      expect(await dispatcher.runOnce()).toMatchObject({ delivered: 1, deferred: 2 - i });
      clock.advance(100);
    }
    expect(r.received.map((x) => x.headers['webhook-id'])).toEqual(['dsl-003:198.51.100.7:31', 'dsl-003:198.51.100.7:20', 'dsl-003:198.51.100.7:1']);
  });
});

describe('Slack and Teams destinations', () => {
  it('Slack gets a Block Kit message with attacker text escaped, at most one per second', async () => {
    const r = await listen();
    const outcomes: DispatchOutcome[] = [];
    const { dispatcher, senders } = worker([`slack+${r.url}`], outcomes);
    for (let i = 1; i <= 3; i++) {
      await outbox.enqueue(createAlert(finding({ id: `f${i}`, groupKey: '<!channel> evil&co' }), 'new', T0), [senders[0].key]);
    }
    expect(await dispatcher.runOnce()).toMatchObject({ delivered: 1, deferred: 2 });
    expect(outcomes.filter((o) => o.kind === 'deferred').map((o) => (o as { nextAt: number }).nextAt)).toEqual([T0 + 1000, T0 + 1000]);
    clock.advance(999);
    expect(await dispatcher.runOnce()).toMatchObject({ delivered: 0 });
    clock.advance(1);
    expect(await dispatcher.runOnce()).toMatchObject({ delivered: 1, deferred: 1 });
    clock.advance(1000);
    expect(await dispatcher.runOnce()).toMatchObject({ delivered: 1 });
    expect(r.received).toHaveLength(3);

    const message = JSON.parse(r.received[0].body);
    expect(message.text).toBe('[HIGH] New: Password spray from one IP (&lt;!channel&gt; evil&amp;co, 18 events)');
    expect(message.blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: 'Password spray from one IP' } });
    expect(message.blocks[1].fields).toContainEqual({ type: 'mrkdwn', text: '*Group*\n&lt;!channel&gt; evil&amp;co' });
    expect(JSON.stringify(message.blocks)).toContain('198.51.100.7');
    expect(message.blocks.at(-1).elements[0].text).toMatch(/events 81234, 81235, 81240/);
    // Every attempt counted once: deferrals are not attempts.
    expect((await outbox.deliveries()).map((d) => d.attempts)).toEqual([1, 1, 1]);
  });

  it('Slack\'s 429 Retry-After holds back the destination\'s other alerts too', async () => {
    const r = await listen();
    r.respond = [{ status: 429, headers: { 'retry-after': '30' } }, { status: 200 }];
    const outcomes: DispatchOutcome[] = [];
    const { dispatcher, senders } = worker([`slack+${r.url}`], outcomes);
    await outbox.enqueue(createAlert(finding({ id: 'a' }), 'new', T0), [senders[0].key]);
    await dispatcher.runOnce();
    await outbox.enqueue(createAlert(finding({ id: 'b' }), 'new', T0 + 2000), [senders[0].key]);
    clock.advance(2000);
    await dispatcher.runOnce();
    expect(outcomes.map((o) => o.kind)).toEqual(['retry', 'deferred']);
    expect(outcomes[1]).toMatchObject({ nextAt: T0 + 30_000 });
    expect(r.received).toHaveLength(1);
  });

  it('Teams gets an Adaptive Card in the Workflows envelope', async () => {
    const r = await listen();
    r.respond = [{ status: 202 }];
    const { dispatcher, senders } = worker([`teams+${r.url}`]);
    await outbox.enqueue(createAlert(finding(), 'escalated', T0), [senders[0].key]);
    expect(await dispatcher.runOnce()).toMatchObject({ delivered: 1 });
    const message = JSON.parse(r.received[0].body);
    expect(message.type).toBe('message');
    expect(message.attachments[0].contentType).toBe('application/vnd.microsoft.card.adaptive');
    const card = message.attachments[0].content;
    expect(card).toMatchObject({ type: 'AdaptiveCard', $schema: 'http://adaptivecards.io/schemas/adaptive-card.json' });
    expect(card.body[0]).toMatchObject({ type: 'TextBlock', text: 'Password spray from one IP', color: 'Attention' });
    expect(card.body[2].facts).toContainEqual({ title: 'Alert', value: 'dsl-003:198.51.100.7:1' });
    expect(JSON.stringify(card)).toContain('docspace-logins history --ip 198.51.100.7 --since 1h');
  });

  it('Teams shows typed text as typed: emphasis and links are escaped', async () => {
    const r = await listen();
    const { dispatcher, senders } = worker([`teams+${r.url}`]);
    await outbox.enqueue(createAlert(finding({ groupKey: '*admin* [click](https://evil.example)' }), 'new', T0), [senders[0].key]);
    await dispatcher.runOnce();
    const card = JSON.parse(r.received[0].body).attachments[0].content;
    expect(card.body[2].facts).toContainEqual({ title: 'Group', value: '\\*admin\\* \\[click\\](https://evil.example)' });
  });
});

describe('draining the outbox (what a watch cycle runs)', () => {
  const paced = (waits: number[]) => async (ms: number) => {
    waits.push(ms);
    clock.advance(ms);
  };

  it('a new critical alert goes out first, ahead of a backlog of old low ones, and the backlog drains in the same call', async () => {
    const r = await listen();
    const { dispatcher, senders } = worker([`webhook+${r.url}`]);
    for (let i = 0; i < 60; i++) await outbox.enqueue(createAlert(finding({ id: `old${i}`, severity: 'low' }), 'new', T0 - 3_600_000 + i), [senders[0].key]);
    await outbox.enqueue(createAlert(finding({ id: 'attack', severity: 'critical' }), 'new', T0), [senders[0].key]);
    const waits: number[] = [];
    // More than one claim's worth (50): the drain claims again while time is left.
    expect(await dispatcher.drain({ until: T0 + 10_000, pause: paced(waits) })).toMatchObject({ delivered: 61, deferred: 0 });
    expect(r.received[0].headers['webhook-id']).toBe('attack:1');
    // Then the newest of the old ones, down to the oldest.
    expect(r.received[1].headers['webhook-id']).toBe('old59:1');
    expect(r.received.at(-1)!.headers['webhook-id']).toBe('old0:1');
    // Paced at the webhook's default cap of ten a second, never faster.
    expect(waits).toHaveLength(60);
    for (const ms of waits) expect(ms).toBeGreaterThanOrEqual(100);
  });

  it('Slack is paced at one a second within the budget; what the budget cannot cover waits for the next drain', async () => {
    const r = await listen();
    const outcomes: DispatchOutcome[] = [];
    const { dispatcher, senders } = worker([`slack+${r.url}`], outcomes);
    for (let i = 0; i < 15; i++) await outbox.enqueue(createAlert(finding({ id: `f${String(i).padStart(2, '0')}` }), 'new', T0 - 15 + i), [senders[0].key]);
    const waits: number[] = [];
    // Sends at +0 s … +10 s: eleven; the other four are handed back, due when the cap frees up.
    expect(await dispatcher.drain({ until: T0 + 10_000, pause: paced(waits) })).toMatchObject({ delivered: 11, deferred: 4 });
    expect(waits).toEqual(Array(10).fill(1000));
    expect(r.received.map((x) => JSON.parse(x.body).text)).toHaveLength(11);
    expect((await outbox.deliveries()).filter((d) => d.status === 'pending').map((d) => d.attempts)).toEqual([0, 0, 0, 0]);
    clock.advance(1000);
    expect(await dispatcher.drain({ until: clock.now() + 10_000, pause: paced(waits) })).toMatchObject({ delivered: 4, deferred: 0 });
    expect(r.received).toHaveLength(15);
  });

  it('destinations drain side by side: a receiver that is down does not hold up the others', async () => {
    const ok = await listen();
    const down = `webhook+http://127.0.0.1:${await freePort()}/hook`;
    const { dispatcher, senders } = worker([down, `webhook+${ok.url}`]);
    await outbox.enqueue(createAlert(finding({ id: 'x' }), 'new', T0), senders.map((s) => s.key));
    expect(await dispatcher.drain({ until: T0 + 10_000, pause: paced([]) })).toMatchObject({ delivered: 1, retry: 1 });
    expect(ok.received).toHaveLength(1);
  });
});
