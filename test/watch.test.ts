/**
 * The watcher end to end in-process: a real emulator over loopback HTTP, attacks through its
 * login endpoint, the real sync and detection, the archive's outbox, and a local receiver that
 * checks signatures with the independent `standardwebhooks` package. The clock is the test's:
 * retries fall due when the test moves it, never by waiting.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createAlert, Dispatcher } from '../src/alert/index.js';
import { BUILTIN_RULES_DIR, loadRules } from '../src/detect/index.js';
import { detectNew } from '../src/detect/run.js';
import { DocSpaceClient, type RunningEmulator, startEmulator } from '../src/index.js';
import { type ArchiveStore, openStore } from '../src/store/index.js';
import { type CycleReport, runCycle, type WatchDeps, watchDestinations, watchLoop } from '../src/watch/index.js';
import { Clock, finding, freePort, type Receiver, receiver } from './helpers/alert-helpers.js';
import { dialects, dialectTitle } from './helpers/dialects.js';

const SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const RULES = loadRules(BUILTIN_RULES_DIR).map((r) => r.spec);
const cases = await dialects('watch');
const dir = mkdtempSync(join(tmpdir(), 'dl-watch-'));
afterAll(async () => {
  await Promise.all(cases.map((c) => c.cleanup()));
  rmSync(dir, { recursive: true, force: true });
});

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A portal with members and no history yet, on the test's clock. */
async function portal(clock: Clock): Promise<RunningEmulator> {
  const emu = await startEmulator({ seed: 11, events: 0, scenarios: false, now: clock.t, clock: clock.now });
  cleanups.push(() => emu.close());
  return emu;
}

/** Ten wrong passwords for one member, thirty seconds apart (under the portal's own lockout). */
async function attack(emu: RunningEmulator, clock: Clock, times = 10, which = 0): Promise<{ id: string; email: string }> {
  const target = emu.state.people.filter((p) => p.role === 'user' && p.status === 1 && !p.deleted)[which];
  for (let i = 0; i < times; i++) {
    const res = await fetch(`${emu.url}/api/2.0/authentication`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userName: target.email, password: `guess-${i}` }),
    });
    expect(res.status).toBe(401);
    await res.arrayBuffer();
    clock.advance(30_000);
  }
  return target;
}

interface Watcher {
  deps: WatchDeps;
  store: ArchiveStore;
  cycle(): Promise<CycleReport>;
}

async function watcher(emu: RunningEmulator, clock: Clock, db: string, destination: string): Promise<Watcher> {
  const store = await openStore(db);
  const client = new DocSpaceClient({ portal: emu.url, credentials: { kind: 'apiKey', apiKey: emu.apiKey } });
  // Signed on the real clock: the receiver's library checks timestamps against its own.
  const { senders, keys } = watchDestinations([destination], [[]], {}, { env: { DOCSPACE_LOGINS_WEBHOOK_SECRET: SECRET } });
  const dispatcher = new Dispatcher(store.outbox(), senders, { now: clock.now, random: () => 0.5 });
  cleanups.push(async () => {
    await dispatcher.close();
    await client.close();
    await store.close();
  });
  const deps: WatchDeps = { store, portals: [{ name: 'acme', client, destinations: keys[0] }], rules: RULES, detectNew, dispatcher, now: clock.now };
  return { deps, store, cycle: () => runCycle(deps) };
}

function verified(r: Receiver, i: number): any {
  const { headers, body } = r.received[i];
  return new Webhook(SECRET).verify(body, headers as Record<string, string>);
}

const sum = (report: CycleReport, key: 'added' | 'findings' | 'queued' | 'requests') => report.portals.reduce((n, p) => n + p[key], 0);

describe('watch: sync, detect, alert, deliver', () => {
  it('an attack through the login endpoint becomes exactly one signed alert, delivered in the cycle that first sees it', async () => {
    const clock = new Clock(Date.now());
    const emu = await portal(clock);
    const r = await receiver();
    cleanups.push(() => r.close());
    const w = await watcher(emu, clock, join(dir, 'attack.sqlite'), `webhook+${r.url}`);

    const quiet = await w.cycle();
    expect(quiet.ok).toBe(true);
    expect(r.received).toHaveLength(0);

    const target = await attack(emu, clock);
    const seen = await w.cycle();
    expect(seen.portals[0]).toMatchObject({ added: 10, findings: 1, queued: 1 });
    expect(seen.delivery).toMatchObject({ delivered: 1, retry: 0, failed: 0 });
    expect(r.received).toHaveLength(1);
    const doc = verified(r, 0);
    expect(doc.type).toBe('docspace_logins.alert.new');
    expect(doc.data.finding).toMatchObject({ rule: 'DSL-001', count: 10, portal: emu.url });
    expect(doc.data.eventIds).toHaveLength(10);
    // The typed e-mail is attributed to the member it names.
    expect(doc.data.evidence.targets).toEqual({ [target.id]: 10 });
    expect(doc.data.suggestedResponse.commands[0]).toBe(`docspace-logins respond --finding ${doc.data.finding.id}`);
    expect(r.received[0].headers['webhook-id']).toBe(doc.data.alert.id);

    // More of the same attack grows the finding: one alert updated in place, not a second one.
    await attack(emu, clock, 3);
    const more = await w.cycle();
    expect(more.portals[0]).toMatchObject({ added: 3, findings: 1, queued: 0 });
    expect(r.received).toHaveLength(1);

    // Nothing new: what sync costs, and nothing sent.
    const idle = await w.cycle();
    expect(sum(idle, 'added')).toBe(0);
    expect(sum(idle, 'requests')).toBeLessThanOrEqual(2);
    expect(r.received).toHaveLength(1);
  });

  it('the first cycle over a long history sends one summary of the past findings, not a page each; an attack under way is paged on its own', async () => {
    const clock = new Clock(Date.now());
    const emu = await portal(clock);
    const r = await receiver();
    cleanups.push(() => r.close());
    // Two attacks that ended hours before the watcher first runs.
    const old = [await attack(emu, clock, 10, 0), await attack(emu, clock, 10, 1)];
    clock.advance(3 * 3_600_000);
    const w = await watcher(emu, clock, join(dir, 'history.sqlite'), `webhook+${r.url}`);
    const first = await w.cycle();
    const found = first.portals[0].findings;
    expect(found).toBeGreaterThanOrEqual(2);
    expect(first.portals[0]).toMatchObject({ added: 20, history: found, queued: 1 });
    expect(first.delivery).toMatchObject({ delivered: 1 });
    expect(r.received).toHaveLength(1);
    const summary = verified(r, 0).data;
    expect(summary.finding).toMatchObject({ rule: 'OPS-HISTORY-SUMMARY', count: found, portal: emu.url });
    expect(summary.finding.title).toMatch(new RegExp(`^${found} findings in the history read`));
    expect(summary.evidence.byRule['DSL-001']).toBe(2);
    // Named newest first: the second attack's finding before the first's.
    const named = summary.evidence.newest.filter((f: { rule: string }) => f.rule === 'DSL-001');
    const stored = await w.store.listFindings({ rule: 'DSL-001' });
    const idOf = (member: { id: string }) => stored.find((f) => JSON.stringify(f.evidence).includes(member.id))!.id;
    expect(named.map((f: { id: string }) => f.id)).toEqual([idOf(old[1]), idOf(old[0])]);
    expect(summary.suggestedResponse.commands[0]).toMatch(/^docspace-logins findings list --status open --since \d{4}-\d\d-\d\d$/);
    // The findings are recorded all the same.
    expect(stored).toHaveLength(2);

    const target = await attack(emu, clock, 10, 2);
    const now = await w.cycle();
    expect(now.portals[0]).toMatchObject({ added: 10, queued: 1 });
    expect(now.portals[0].history).toBeUndefined();
    expect(r.received).toHaveLength(2);
    const alert = verified(r, 1).data;
    expect(alert.finding.rule).toBe('DSL-001');
    expect(alert.evidence.targets).toEqual({ [target.id]: 10 });
  });

  it('a receiver that is down gets the alert later, with the same id, once its retry falls due', async () => {
    const clock = new Clock(Date.now());
    const emu = await portal(clock);
    const port = await freePort();
    const w = await watcher(emu, clock, join(dir, 'down.sqlite'), `webhook+http://127.0.0.1:${port}/hook`);

    await attack(emu, clock);
    const failed = await w.cycle();
    expect(failed.portals[0].queued).toBe(1);
    expect(failed.delivery).toMatchObject({ delivered: 0, retry: 1 });
    const [alert] = await w.store.outbox().alerts();

    const r = await receiver(port);
    cleanups.push(() => r.close());
    // Not due yet (the first retry waits about five seconds): nothing is sent.
    expect((await w.cycle()).delivery).toMatchObject({ delivered: 0, retry: 0 });
    expect(r.received).toHaveLength(0);

    clock.advance(10_000);
    expect((await w.cycle()).delivery).toMatchObject({ delivered: 1 });
    expect(r.received).toHaveLength(1);
    expect(r.received[0].headers['webhook-id']).toBe(alert.id);
    expect(verified(r, 0).data.alert.id).toBe(alert.id);
    expect(await w.store.outbox().deliveries(alert.id)).toMatchObject([{ status: 'delivered', attempts: 2 }]);
  });

  it('a burst to a rate-capped destination goes out in the same cycle, spaced by the cap', async () => {
    const clock = new Clock(Date.now());
    const emu = await portal(clock);
    const r = await receiver();
    cleanups.push(() => r.close());
    const w = await watcher(emu, clock, join(dir, 'burst.sqlite'), `webhook+${r.url}#rate=1/s`);
    const waits: number[] = [];
    w.deps.pause = async (ms) => {
      waits.push(ms);
      clock.advance(ms);
    };
    const key = w.deps.portals[0].destinations[0];
    for (const [i, id] of ['one', 'two', 'three'].entries()) await w.store.outbox().enqueue(createAlert(finding({ id }), 'new', clock.t - 3000 + i * 1000), [key]);
    const report = await w.cycle();
    expect(report.delivery).toMatchObject({ delivered: 3, deferred: 0 });
    // The newest first.
    expect(r.received.map((x) => x.headers['webhook-id'])).toEqual(['three:1', 'two:1', 'one:1']);
    expect(waits).toHaveLength(2);
    for (const ms of waits) expect(ms).toBeGreaterThan(900);
  });

  it('with automatic response on, a rule that says respond: logout-user contains the attacked member, recorded as automatic', async () => {
    const clock = new Clock(Date.now());
    const emu = await portal(clock);
    const r = await receiver();
    cleanups.push(() => r.close());
    const w = await watcher(emu, clock, join(dir, 'respond.sqlite'), `webhook+${r.url}`);
    w.deps.rules = RULES.map((rule) => (rule.id === 'DSL-001' ? { ...rule, respond: 'logout-user' as const } : rule));
    await w.cycle();
    const target = await attack(emu, clock);
    // Off unless switched on: the finding is alerted, nobody is contained.
    expect((await w.cycle()).portals[0].responses).toBeUndefined();
    w.deps.autoRespond = { enabled: true };
    await attack(emu, clock, 3);
    const report = await w.cycle();
    expect(report.portals[0].responses).toEqual([
      { finding: expect.any(String), action: 'logout-user', target: target.id, outcome: 'verified', reason: 'rule DSL-001 asks for logout-user' },
    ]);
    const recorded = await w.store.responses({ automatic: true });
    expect(recorded).toMatchObject([{ action: 'logout-user', targetUserId: target.id, outcome: 'verified', automatic: true }]);
  });

  it('a stop request lets the running cycle finish and starts no other; cycles start on an explicit tick', async () => {
    const clock = new Clock(Date.now());
    const emu = await portal(clock);
    const r = await receiver();
    cleanups.push(() => r.close());
    const w = await watcher(emu, clock, join(dir, 'stop.sqlite'), `webhook+${r.url}`);
    const stop = new AbortController();
    const ticks: Array<() => void> = [];
    const reports: CycleReport[] = [];
    const loop = watchLoop(w.deps, {
      everyMs: 60_000,
      signal: stop.signal,
      tick: () => new Promise<void>((resolve) => ticks.push(resolve)),
      onCycle: (report) => {
        reports.push(report);
      },
    });
    await expect.poll(() => ticks.length).toBe(1);
    expect(reports).toHaveLength(1);
    await attack(emu, clock);
    ticks[0]();
    await expect.poll(() => ticks.length).toBe(2);
    expect(reports[1].delivery.delivered).toBe(1);
    stop.abort();
    ticks[1]();
    expect(await loop).toEqual({ cycles: 2, lastOk: true });
  });
});

for (const d of cases.filter((c) => c.name === 'postgres')) {
  describe.skipIf(!!d.skip)(dialectTitle(d, 'two watchers on one archive'), () => {
    it('split the work: the attack is alerted once, not twice', async () => {
      const clock = new Clock(Date.now());
      const emu = await portal(clock);
      const r = await receiver();
      cleanups.push(() => r.close());
      const db = await d.fresh();
      const one = await watcher(emu, clock, db, `webhook+${r.url}`);
      const two = await watcher(emu, clock, db, `webhook+${r.url}`);
      await Promise.all([one.cycle(), two.cycle()]);
      await attack(emu, clock);
      for (let i = 0; i < 3; i++) {
        const reports = await Promise.all([one.cycle(), two.cycle()]);
        expect(reports.every((x) => x.portals.every((p) => p.error === undefined))).toBe(true);
      }
      expect(r.received).toHaveLength(1);
      expect(verified(r, 0).data.finding.rule).toBe('DSL-001');
      expect(await one.store.outbox().alerts()).toHaveLength(1);
    });
  });
}
