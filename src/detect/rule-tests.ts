import { isDeepStrictEqual } from 'node:util';
import { actionKind } from '../model/actions.js';
import type { LoginEvent } from '../model/event.js';
import { GUEST_ID } from '../model/ids.js';
import { parseDuration, parseUtcOffset } from '../model/time.js';
import { detect } from './engine.js';
import { type LoadedRule, loadRules } from './load.js';
import type { Expectation, RuleSpec, RuleTestSpec } from './rule-schema.js';
import type { Finding, Member } from './types.js';
import { visibilityFindings, type PollCoverage } from './visibility.js';

/**
 * Inline rule tests (Panther's habit): each rule file carries `tests:` with events and the
 * findings they must give. Events are written tersely — `user: anna` instead of ids, `action:
 * failure` instead of codes, `at: +5m` from the test's start, `repeat`/`every`/`cycle` for
 * bursts — and expanded here into real LoginEvents that run through the real engine.
 */

/** The directory every test sees unless it brings its own `people:`. */
export const TEST_PEOPLE: readonly Member[] = [
  { id: 'a0000000-0000-4000-8000-00000000000a', email: 'anna@example.com', userName: 'anna', isAdmin: true, status: 1 },
  { id: 'b0000000-0000-4000-8000-00000000000b', email: 'bob@example.com', userName: 'bob', status: 1 },
  { id: 'c0000000-0000-4000-8000-00000000000c', email: 'carol@example.com', userName: 'carol', status: 2, terminated: '2025-05-01T00:00:00Z' },
  { id: 'd0000000-0000-4000-8000-00000000000d', email: 'dave@example.com', userName: 'dave', isOwner: true, status: 1 },
  { id: 'e0000000-0000-4000-8000-00000000000e', email: 'erin@example.com', userName: 'erin', status: 1 },
];

const ACTIONS: Record<string, number> = { success: 1010, failure: 1013, lockout: 1023, tfa: 1025, sms: 1014, logout: 1006, web: 1005 };
const DEFAULT_START = '2025-06-02T08:00:00Z';

export interface RuleTestResult {
  rule: string;
  file: string;
  test: string;
  ok: boolean;
  problems: string[];
  findings: Finding[];
}

/** `1d30m`, `2h`, `45s`: a sum of parts, so offsets read naturally in fixtures. */
function offsetMs(text: string): number {
  const parts = [...text.matchAll(/(\d+)\s*([smhdw])/gi)];
  if (!parts.length || parts.map((m) => m[0]).join('').replace(/\s/g, '') !== text.replace(/\s/g, '')) {
    throw new Error(`bad offset "${text}": use e.g. 30s, 15m, 1d2h`);
  }
  return parts.reduce((sum, m) => sum + (parseDuration(`${m[1]}${m[2]}`) ?? 0), 0);
}

function userByName(people: readonly Member[], name: string): Member | undefined {
  return people.find((p) => p.userName === name);
}

/** A test's polls (DSL-018), their times written as ISO text in the rule file. */
function fixturePolls(test: RuleTestSpec): PollCoverage[] {
  return (test.polls ?? []).map((p) => ({ ...p, at: Date.parse(String(p.at)) }));
}

/** Expands a test's terse events into LoginEvents, oldest first. */
export function fixtureEvents(test: RuleTestSpec, people: readonly Member[] = TEST_PEOPLE): LoginEvent[] {
  const start = Date.parse(test.start ?? DEFAULT_START);
  const out: LoginEvent[] = [];
  let id = 1000;
  let cursor = start;
  for (const spec of test.events) {
    const { at, repeat = 1, every, cycle, ...fields } = spec as Record<string, unknown> & { at?: string; repeat?: number; every?: string; cycle?: Record<string, unknown[]> };
    if (at) cursor = at.startsWith('+') ? start + offsetMs(at.slice(1)) : Date.parse(at);
    const step = every ? offsetMs(every) : 0;
    for (let i = 0; i < repeat; i++) {
      const f: Record<string, unknown> = { ...fields };
      for (const [k, values] of Object.entries(cycle ?? {})) f[k] = values[i % values.length];
      out.push(expand(f, cursor + i * step, ++id, people));
    }
    cursor += repeat * step;
  }
  return out.sort((a, b) => a.time - b.time || a.id - b.id);
}

function expand(f: Record<string, unknown>, time: number, id: number, people: readonly Member[]): LoginEvent {
  const actionId = typeof f.actionId === 'number' ? f.actionId : ACTIONS[String(f.action ?? 'success')] ?? 1010;
  const kind = actionKind(actionId);
  const member = typeof f.user === 'string' ? userByName(people, f.user) : undefined;
  const anonymous = kind === 'failure' && actionId !== 1014 && actionId !== 1025;
  const userId = anonymous ? GUEST_ID : ((f.userId as string) ?? member?.id ?? GUEST_ID).toLowerCase();
  const login = f.login !== undefined ? String(f.login) : anonymous ? (member?.email ?? (f.user as string) ?? null) : null;
  const offset = String(f.offset ?? 'Z');
  const offsetMinutes = parseUtcOffset(offset);
  if (offsetMinutes === undefined) throw new Error(`bad offset "${offset}": use Z or ±hh:mm`);
  return {
    id: typeof f.id === 'number' ? f.id : id,
    time,
    offsetMinutes,
    userId,
    user: member?.displayName ?? member?.userName ?? login ?? '',
    login,
    anonymous: userId === GUEST_ID,
    actionId,
    action: '',
    kind,
    ip: String(f.ip ?? '203.0.113.10'),
    country: String(f.country ?? 'Germany'),
    city: String(f.city ?? 'Berlin'),
    browser: f.browser === undefined ? 'Chrome 125' : (f.browser as string | null),
    platform: f.platform === undefined ? 'Windows 10' : (f.platform as string | null),
    page: null,
  };
}

function partial(actual: unknown, expected: unknown): boolean {
  if (expected && typeof expected === 'object' && !Array.isArray(expected)) {
    if (!actual || typeof actual !== 'object') return false;
    return Object.entries(expected).every(([k, v]) => partial((actual as Record<string, unknown>)[k], v));
  }
  return isDeepStrictEqual(actual, expected);
}

function check(findings: Finding[], expected: Expectation[], people: readonly Member[]): string[] {
  const problems: string[] = [];
  if (findings.length !== expected.length) {
    problems.push(`expected ${expected.length} finding(s), got ${findings.length}: ${findings.map((f) => `${f.group} (${f.severity}, ${f.count})`).join('; ') || 'none'}`);
    return problems;
  }
  expected.forEach((want, i) => {
    const got = findings[i];
    const group = want.group?.startsWith('@') ? userByName(people, want.group.slice(1))?.id : want.group;
    if (group !== undefined && got.group !== group) problems.push(`finding ${i + 1}: group ${got.group}, expected ${group}`);
    if (want.severity && got.severity !== want.severity) problems.push(`finding ${i + 1}: severity ${got.severity}, expected ${want.severity}`);
    if (want.count !== undefined && got.count !== want.count) problems.push(`finding ${i + 1}: count ${got.count}, expected ${want.count}`);
    if (want.confidence && got.confidence !== want.confidence) problems.push(`finding ${i + 1}: confidence ${got.confidence}, expected ${want.confidence}`);
    if (want.evidence && !partial(got.evidence, want.evidence)) {
      problems.push(`finding ${i + 1}: evidence ${JSON.stringify(got.evidence)} does not contain ${JSON.stringify(want.evidence)}`);
    }
  });
  return problems;
}

/** The rule and the rules whose findings it consumes, so a test of DSL-007 sees real attacks. */
function withDependencies(rule: RuleSpec, all: readonly RuleSpec[]): RuleSpec[] {
  const needs = rule.correlation?.type === 'temporal_ordered' ? rule.correlation.after : [];
  return [rule, ...all.filter((r) => needs.includes(r.id))];
}

/** Runs the inline tests of the given rules (or of a rule file / folder). */
export async function runRuleTests(source: string | readonly LoadedRule[]): Promise<RuleTestResult[]> {
  const loaded = typeof source === 'string' ? loadRules(source) : source;
  const all = loaded.map((r) => r.spec);
  const results: RuleTestResult[] = [];
  for (const { spec, file } of loaded) {
    for (const test of spec.tests) {
      const people = (test.people as Member[] | undefined) ?? TEST_PEOPLE;
      let findings: Finding[];
      if (spec.engine === 'code' && spec.module === 'visibility') {
        findings = visibilityFindings(fixturePolls(test), spec);
      } else {
        const all_ = await detect(fixtureEvents(test, people), { people, secret: 'rule-tests' }, withDependencies(spec, all));
        findings = all_.filter((f) => f.rule === spec.id);
      }
      const problems = check(findings, test.expect, people);
      results.push({ rule: spec.id, file, test: test.name, ok: problems.length === 0, problems, findings });
    }
  }
  return results;
}
