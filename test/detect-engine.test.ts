import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  builtinRules,
  type DetectState,
  Detector,
  detect,
  type Finding,
  fixtureEvents,
  parseRule,
  RuleLoadError,
  STATE_VERSION,
  TEST_PEOPLE,
} from '../src/detect/index.js';
import type { LoginEvent } from '../src/model/event.js';

const ctx = { people: TEST_PEOPLE, secret: 'test' };

function rule(yaml: string) {
  return parseRule(yaml, 'inline.yaml').spec;
}

const burst = rule(`
id: T-1
title: burst
severity: medium
detection:
  selection: { outcome: failure }
correlation: { type: event_count, group_by: [target], window: 10m, where: count >= 3 }
suppress: { window: 30m }
`);

function events(spec: object[]): LoginEvent[] {
  return fixtureEvents({ name: 't', events: spec as never, expect: [] });
}

describe('sliding windows', () => {
  it('three failures 4 minutes apart fit in 10 minutes; 6 minutes apart do not', async () => {
    expect(await detect(events([{ action: 'failure', user: 'bob', repeat: 3, every: '4m' }]), ctx, [burst])).toHaveLength(1);
    expect(await detect(events([{ action: 'failure', user: 'bob', repeat: 3, every: '6m' }]), ctx, [burst])).toHaveLength(0);
  });

  it('an old event leaves the window: the 1st and the 4th-6th are not counted together', async () => {
    const found = await detect(
      events([
        { action: 'failure', user: 'bob' },
        { at: '+11m', action: 'failure', user: 'bob', repeat: 2, every: '1m' },
      ]),
      ctx,
      [burst],
    );
    expect(found).toEqual([]);
  });
});

describe('suppression', () => {
  it('later matches attach to the open finding; after the suppression window a new one opens', async () => {
    const found = await detect(
      events([
        { action: 'failure', user: 'bob', repeat: 5, every: '1m' },
        { at: '+45m', action: 'failure', user: 'bob', repeat: 3, every: '1m' },
      ]),
      ctx,
      [burst],
    );
    expect(found.map((f) => f.count)).toEqual([5, 3]);
    expect(found[0].eventIds).toHaveLength(5);
    expect(new Set(found.map((f) => f.id)).size).toBe(2);
  });
});

/** A mixed history: attacks, travel, new devices, lockouts, tfa, spray over ~40 days. */
function history(): LoginEvent[] {
  return events([
    { action: 'success', user: 'bob', repeat: 30, every: '1d' },
    { at: '+0s', action: 'success', user: 'dave', repeat: 30, every: '1d', ip: '203.0.113.77' },
    { at: '+31d', action: 'failure', user: 'bob', ip: '198.51.100.9', repeat: 12, every: '1m' },
    { at: '+31d20m', action: 'success', user: 'bob', ip: '198.51.100.9', browser: 'Opera 100' },
    { at: '+31d1h', action: 'success', user: 'bob', ip: '198.51.100.10', country: 'Japan', city: 'Tokyo' },
    { at: '+32d', action: 'failure', ip: '192.0.2.9', repeat: 24, every: '1m', cycle: { user: ['anna', 'erin', 'frank', 'grace', 'heidi', 'ivan'] } },
    { at: '+33d', action: 'tfa', user: 'erin', repeat: 4, every: '1m' },
    { at: '+34d', action: 'failure', login: 'Winter2025!' },
    { at: '+35d', action: 'success', user: 'carol' },
    { at: '+36d', action: 'success', user: 'dave', browser: 'Edge 120', country: 'Poland', city: 'Warsaw' },
  ]);
}

function byId(findings: Finding[]): Map<string, Finding> {
  return new Map(findings.map((f) => [f.id, f]));
}

describe('determinism and incremental runs', () => {
  it('the built-in rules find the attacks in a mixed history', async () => {
    const found = await detect(history(), ctx, builtinRules());
    const rules = new Set(found.map((f) => f.rule));
    for (const id of ['DSL-001', 'DSL-003', 'DSL-007', 'DSL-008', 'DSL-009', 'DSL-010', 'DSL-014', 'DSL-016', 'DSL-017']) {
      expect(rules, id).toContain(id);
    }
    const after = found.find((f) => f.rule === 'DSL-007')!;
    expect(after.severity).toBe('critical');
    expect(after.sessionIds[0]).toBe(history().find((e) => e.ip === '198.51.100.9' && e.kind === 'success')!.id);
  });

  it('the same events give the same findings, ids included', async () => {
    const a = await detect(history(), ctx, builtinRules());
    const b = await detect(history(), ctx, builtinRules());
    expect(b).toEqual(a);
  });

  it('events that share their strings (as the archive scan hands them) give the same findings, under any context', async () => {
    const plain = await detect(history(), ctx, builtinRules());
    // One shared object per distinct set of strings, used by two detectors with different
    // contexts in turn: each must derive its own values, not read the other's.
    const shared = new Map<string, { derived: unknown }>();
    const sharing = () =>
      history().map((e) => {
        const key = JSON.stringify([e.kind, e.userId, e.ip, e.country, e.city, e.browser, e.platform, e.anonymous ? e.login : null]);
        if (!shared.has(key)) shared.set(key, { derived: undefined });
        return { ...e, shared: shared.get(key) };
      });
    const withoutPeople = await detect(history(), { secret: 'test' }, builtinRules());
    expect(withoutPeople).not.toEqual(plain);
    expect(await detect(sharing(), ctx, builtinRules())).toEqual(plain);
    expect(await detect(sharing(), { secret: 'test' }, builtinRules())).toEqual(withoutPeople);
    expect(await detect(sharing(), ctx, builtinRules())).toEqual(plain);
    expect(shared.size).toBeLessThan(history().length);
  });

  it('a value the profile forgot is new again, also for events that share their strings with one seen before', async () => {
    const newDevice = rule(`
id: T-2
title: new device
severity: low
detection:
  selection: { outcome: success }
correlation: { type: new_value, group_by: [userId], fields: [device], learning: 0s, min_events: 1 }
suppress: { window: 1m }
`);
    // Bob's first device twice (the view keeps the profile's entry for it from the second on),
    // then 64 others, which fill the field and push the first out; then the first again.
    const letters = (i: number) => String.fromCharCode(97 + Math.floor(i / 26), 97 + (i % 26));
    const all = events([
      { action: 'success', user: 'bob', platform: 'OS first', repeat: 2, every: '1h' },
      { at: '+2h', action: 'success', user: 'bob', repeat: 64, every: '1h', cycle: { platform: Array.from({ length: 64 }, (_, i) => `OS ${letters(i)}`) } },
      { at: '+70h', action: 'success', user: 'bob', platform: 'OS first' },
    ]);
    const shared = new Map<string, { derived: unknown }>();
    const sharing = all.map((e) => {
      const key = JSON.stringify([e.kind, e.userId, e.ip, e.country, e.city, e.browser, e.platform]);
      if (!shared.has(key)) shared.set(key, { derived: undefined });
      return { ...e, shared: shared.get(key) };
    });
    const last = all[all.length - 1].id;
    for (const input of [all, sharing]) {
      const found = await detect(input, ctx, [newDevice]);
      expect(found.some((f) => f.eventIds.includes(last))).toBe(true);
      // Every one of the 64 was new; the first device's second login was not.
      expect(found.filter((f) => f.eventIds.includes(all[1].id))).toEqual([]);
    }
  });

  it('feeding the events in parts, with the state through JSON in between, equals one batch run', async () => {
    const all = history();
    const batch = byId(await detect(all, ctx, builtinRules()));
    const merged = new Map<string, Finding>();
    let state: DetectState | undefined;
    for (const cut of [[0, 40], [40, 75], [75, 90], [90, all.length]]) {
      const part = await detect(all.slice(cut[0], cut[1]), ctx, builtinRules(), {
        state,
        onState: (s) => (state = JSON.parse(JSON.stringify(s))),
      });
      for (const f of part) merged.set(f.id, f);
    }
    expect(merged).toEqual(batch);
  });

  it('a state written while findings kept ISO text (version 2, as archives hold it) goes on like one batch run', async () => {
    // Written by the previous version over history().slice(0, 80): three findings open, first seen as text, last seen empty.
    const v2 = JSON.parse(readFileSync(fileURLToPath(new URL('./fixtures/detect/state-v2.json', import.meta.url)), 'utf8')) as DetectState;
    const open = v2.findings.map((o) => o.finding as unknown as { firstSeen: string; lastSeen: string });
    expect(open.map((f) => typeof f.firstSeen)).toEqual(['string', 'string', 'string']);
    const upgraded = new Detector(builtinRules(), ctx, v2).exportState();
    expect(upgraded.version).toBe(STATE_VERSION);
    expect(upgraded.findings.map((o) => [o.finding.firstSeen, o.finding.lastSeen])).toEqual(
      v2.findings.map((o, i) => [Date.parse(open[i].firstSeen), o.lastTs]),
    );
    const all = history();
    const batch = byId(await detect(all, ctx, builtinRules()));
    const rest = await detect(all.slice(80), ctx, builtinRules(), { state: v2 });
    expect(rest.length).toBeGreaterThan(0);
    for (const f of rest) expect(f, f.rule).toEqual(batch.get(f.id));
  });

  it('events already seen are skipped when a run starts again from its state', async () => {
    const all = history();
    let state: DetectState | undefined;
    await detect(all, ctx, builtinRules(), { onState: (s) => (state = s) });
    expect(await detect(all, ctx, builtinRules(), { state })).toEqual([]);
  });

  it('async sources work like arrays', async () => {
    async function* gen() {
      yield* history();
    }
    expect(await detect(gen(), ctx, builtinRules())).toEqual(await detect(history(), ctx, builtinRules()));
  });

  it('a password-like login never appears in findings in clear', async () => {
    const found = await detect(history(), ctx, builtinRules());
    expect(JSON.stringify(found)).not.toContain('Winter2025');
    expect(found.find((f) => f.rule === 'DSL-014')!.group).toMatch(/^hmac:[0-9a-f]{16}$/);
  });

  it('rule parameters can be overridden per run', async () => {
    const base = events([{ action: 'failure', user: 'bob', repeat: 6, every: '1m' }]);
    const dsl1 = builtinRules().filter((r) => r.id === 'DSL-001');
    expect(await detect(base, ctx, dsl1)).toHaveLength(0);
    expect(await detect(base, { ...ctx, params: { 'DSL-001': { threshold: 5 } } }, dsl1)).toHaveLength(1);
  });
});

describe('rule validation', () => {
  it.each([
    ['severity: urgent', /inline.yaml:5:\d+: severity/],
    ['correlation: { type: event_count, group_by: [nope], window: 10m, where: count > 1 }', /group_by/],
    ['correlation: { type: event_count, group_by: [ip], window: 10 minutes, where: count > 1 }', /duration/],
    ['correlation: { type: event_count, group_by: [ip], window: 10m, where: "count >" }', /invalid CEL/],
    ['correlation: { type: event_count, group_by: [ip], window: 10m, where: "counts > 1" }', /unknown variable "counts"/],
    ['correlation: { type: event_count, group_by: [ip], window: 10m, where: "count > params.nope" }', /no parameter "nope"/],
  ])('%s is refused with a clear message', (line, message) => {
    const yaml = `id: T-2\ntitle: t\ndetection:\n  selection: { outcome: failure }\n${line.startsWith('severity') ? line : `severity: low\n${line}`}\n`;
    const run = () => parseRule(yaml, 'inline.yaml');
    expect(run).toThrow(RuleLoadError);
    expect(run).toThrow(message);
  });

  it('an unknown selection field names the field and its line', () => {
    const yaml = 'id: T-3\ntitle: t\nseverity: low\ndetection:\n  selection:\n    outcom: failure\n';
    expect(() => parseRule(yaml, 'f.yaml')).toThrow(/f\.yaml:6:\d+: .*unknown field "outcom"/);
  });
});

describe('bounded memory', () => {
  it('after 200 000 events of a busy portal the state holds only open windows and per-user profiles', () => {
    // 500 users signing in through the day, one failure in ten, one event every 13 seconds.
    const users = Array.from({ length: 500 }, (_, i) => ({ id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, email: `u${i}@example.com` }));
    const d = new Detector(builtinRules(), { people: users });
    const start = Date.parse('2025-01-01T00:00:00Z');
    for (let i = 0; i < 200_000; i++) {
      const u = users[(i * 7919) % users.length];
      const failure = i % 10 === 0;
      d.push({
        id: i + 1, time: start + i * 13_000, offsetMinutes: 0, userId: failure ? '712d9ec3-5d2b-4b13-824f-71f00191dcca' : u.id,
        login: failure ? u.email : null, anonymous: failure, actionId: failure ? 1013 : 1010, kind: failure ? 'failure' : 'success',
        ip: `198.51.100.${i % 200}`, country: i % 97 === 0 ? 'France' : 'Germany', city: i % 97 === 0 ? 'Paris' : 'Berlin',
        browser: `Chrome ${120 + (i % 5)}`, platform: 'Windows 10',
      });
    }
    const state = d.exportState();
    // A 15-minute window at one failure every 130 s holds about seven targets, not 20 000.
    expect((state.rules['DSL-001'] as unknown[]).length).toBeLessThan(10);
    expect((state.rules['DSL-006'] as unknown[]).length).toBe(1);
    expect(JSON.stringify(state).length).toBeLessThan(3_000_000);
  });
});
