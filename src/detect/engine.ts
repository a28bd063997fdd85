import { ACTION_KINDS, type ActionKind } from '../model/actions.js';
import { ExprError } from './expr.js';
import { byFirstSeen, FindingBook, type OpenFinding } from './findings.js';
import { BaselineProcessor, NewValueProcessor } from './kinds/novelty.js';
import { SequenceProcessor, SingleProcessor } from './kinds/sequence.js';
import { WindowProcessor } from './kinds/window.js';
import { MODULES } from './modules/registry.js';
import type { Processor, ProcessorEnv } from './processor.js';
import { Profiles } from './profiles.js';
import { type CompiledRule, compileRule } from './rule.js';
import type { RuleSpec } from './rule-schema.js';
import type { Predicate } from './selection.js';
import type { DetectContext, DetectEvent, EventSource, Finding } from './types.js';
import { type Entry, entryOf, ViewBuilder } from './view.js';

/**
 * The detection engine: events in time order (oldest first) through every rule, then into the
 * users' profiles. All state lives in the processors, the profiles and the open findings, and
 * `exportState()` writes it as plain JSON, so a watcher can stop, persist, and go on later with
 * exactly the findings a single run over all events would have given.
 */

/** 3: a finding's first and last seen are epoch ms (2 kept ISO text; it is read and upgraded). */
export const STATE_VERSION = 3;

/** Serialisable engine state: persist it between incremental runs (JSON-safe). */
export interface DetectState {
  version: number;
  /** Time of the newest event seen (ms). */
  lastTs: number;
  lastId: number;
  rules: Record<string, unknown>;
  profiles: unknown;
  findings: { rule: string; key: string; until: number; lastTs: number; lastId: number; finding: Finding; ips: [string, number][]; targets: [string, number][]; countries: string[]; devices: string[]; admin: boolean; extra: Record<string, unknown> }[];
}

const SWEEP_EVERY = 65_536;

function processorFor(rule: CompiledRule, env: ProcessorEnv): Processor {
  try {
    return makeProcessor(rule, env);
  } catch (err) {
    // The only expression a processor compiles is the correlation's `where`.
    if (err instanceof ExprError) throw Object.assign(err, { path: ['correlation', 'where'] });
    throw err;
  }
}

function makeProcessor(rule: CompiledRule, env: ProcessorEnv): Processor {
  if (rule.spec.engine === 'code') {
    const make = MODULES[rule.spec.module!];
    if (!make) throw new Error(`${rule.id}: no code module "${rule.spec.module}" (have: ${Object.keys(MODULES).join(', ')})`);
    return make(rule, env);
  }
  switch (rule.spec.correlation?.type) {
    case undefined:
      return new SingleProcessor(rule, env);
    case 'event_count':
    case 'value_count':
      return new WindowProcessor(rule, env);
    case 'temporal_ordered':
      return new SequenceProcessor(rule, env);
    case 'new_value':
      return new NewValueProcessor(rule, env);
    case 'baseline':
      return new BaselineProcessor(rule, env);
  }
}

/** Rules that consume other rules' findings go after them. */
function ordered(rules: readonly RuleSpec[]): RuleSpec[] {
  const after = (r: RuleSpec) => (r.correlation?.type === 'temporal_ordered' ? 1 : 0);
  return [...rules].sort((a, b) => after(a) - after(b));
}

/** A processor on one outcome's route, with the predicate to ask first (null: every event matches). */
interface Route {
  p: Processor;
  match: Predicate | null;
}

/** Per outcome, the processors that can act on its events, in rule order. */
function routes(processors: readonly Processor[]): Record<ActionKind, Route[]> {
  const byKind = {} as Record<ActionKind, Route[]>;
  for (const kind of ACTION_KINDS) {
    byKind[kind] = [];
    for (const p of processors) {
      if (p.outcomes && !p.outcomes.includes(kind)) continue;
      if (p.allEvents) byKind[kind].push({ p, match: null });
      else if (p.rule.byOutcome[kind] !== false) byKind[kind].push({ p, match: p.rule.byOutcome[kind] === true ? null : p.rule.match });
    }
  }
  return byKind;
}

export class Detector {
  private readonly views: ViewBuilder;
  private readonly book: FindingBook;
  private readonly profiles = new Profiles();
  private readonly processors: Processor[];
  private readonly routes: Record<ActionKind, Route[]>;
  private lastTs = -Infinity;
  private lastId = 0;
  private seen = 0;
  /** The current event's Entry, made on first demand (one function for all events: no closure per event). */
  private entry: Entry | undefined;
  private readonly getEntry = (): Entry => (this.entry ??= entryOf(this.views.view));
  /** For an outcome outside ACTION_KINDS (none today): every processor, every predicate asked. */
  private get anyOutcome(): Route[] {
    return this.processors.map((p) => ({ p, match: p.allEvents ? null : p.rule.match }));
  }

  constructor(rules: readonly RuleSpec[], ctx: DetectContext = {}, state?: DetectState) {
    this.views = new ViewBuilder(ctx, this.profiles);
    this.book = new FindingBook((id) => this.views.isAdmin(id));
    const env: ProcessorEnv = { book: this.book, profiles: this.profiles, views: this.views };
    this.processors = ordered(rules).map((spec) => processorFor(compileRule(spec, ctx.params?.[spec.id] ?? {}), env));
    this.routes = routes(this.processors);
    if (state) this.importState(state);
  }

  /** Feeds one event. Events must come oldest first; an event at or before the last one seen with a lower id is skipped. */
  push(e: DetectEvent): void {
    const v = this.views.build(e);
    if (v.ts < this.lastTs || (v.ts === this.lastTs && e.id <= this.lastId)) return;
    this.lastTs = v.ts;
    this.lastId = e.id;
    this.entry = undefined;
    const route = this.routes[v.outcome] ?? this.anyOutcome;
    for (let i = 0; i < route.length; i++) {
      const r = route[i];
      if (r.match === null || r.match(v)) r.p.onEvent(v, this.getEntry);
    }
    this.profiles.learn(v);
    if (++this.seen % SWEEP_EVERY === 0) this.sweep();
  }

  private sweep(): void {
    for (const p of this.processors) p.sweep(this.lastTs);
    this.book.sweep(this.lastTs);
  }

  /** Findings created or changed since the last call (each once, in its latest form). */
  drain(): Finding[] {
    return this.book.drain();
  }

  exportState(): DetectState {
    this.sweep();
    return {
      version: STATE_VERSION,
      lastTs: this.lastTs,
      lastId: this.lastId,
      rules: Object.fromEntries(this.processors.map((p) => [p.rule.id, p.exportState()])),
      profiles: this.profiles.exportState(),
      findings: [...this.book.open.values()].map((o) => ({
        rule: o.finding.rule, key: o.key, until: o.until, lastTs: o.lastTs, lastId: o.lastId, finding: { ...o.finding, lastSeen: o.lastTs }, ips: [...o.ips], targets: [...o.targets],
        countries: [...o.countries], devices: [...o.devices], admin: o.admin, extra: o.extra,
      })),
    };
  }

  private importState(saved: DetectState): void {
    const s = upgradeState(saved);
    if (s.version !== STATE_VERSION) throw new Error(`detection state version ${s.version}, expected ${STATE_VERSION}: run detection over the archive again`);
    this.lastTs = s.lastTs ?? -Infinity;
    this.lastId = s.lastId;
    for (const p of this.processors) if (s.rules[p.rule.id] != null) p.importState(s.rules[p.rule.id]);
    this.profiles.importState(s.profiles);
    for (const f of s.findings) {
      const open: OpenFinding = {
        finding: structuredClone(f.finding), key: f.key, until: f.until, lastTs: f.lastTs, lastId: f.lastId, ips: new Map(f.ips), targets: new Map(f.targets),
        countries: new Set(f.countries), devices: new Set(f.devices), admin: f.admin, extra: structuredClone(f.extra),
      };
      this.book.open.set(f.key, open);
    }
  }
}

/**
 * State written by version 2, which archives keep between incremental runs: its open findings had
 * the first seen as ISO text and the last seen empty (the newest event's time, `lastTs`, stood for it).
 */
function upgradeState(s: DetectState): DetectState {
  if (s.version !== 2) return s;
  const findings = s.findings.map((o) => ({
    ...o,
    finding: { ...o.finding, firstSeen: Date.parse(o.finding.firstSeen as unknown as string), lastSeen: o.lastTs },
  }));
  return { ...s, version: STATE_VERSION, findings };
}

/**
 * Runs `rules` over `events` (oldest first) and returns every finding in its final form, ordered
 * by first event. Pass `state` to continue an earlier run; `onState` receives the state to keep.
 */
export async function detect(
  events: EventSource,
  ctx: DetectContext,
  rules: readonly RuleSpec[],
  options: { state?: DetectState; onState?: (s: DetectState) => void } = {},
): Promise<Finding[]> {
  const d = new Detector(rules, ctx, options.state);
  const byId = new Map<string, Finding>();
  let n = 0;
  const take = (e: DetectEvent) => {
    d.push(e);
    // Drain now and then so findings that keep growing do not pile up as copies.
    if (++n % 8192 === 0) for (const f of d.drain()) byId.set(f.id, f);
  };
  // `for await` over an array costs a promise per event: keep arrays on the synchronous path.
  if (Symbol.iterator in events) for (const e of events) take(e);
  else for await (const e of events) take(e);
  for (const f of d.drain()) byId.set(f.id, f);
  options.onState?.(d.exportState());
  return [...byId.values()].sort(byFirstSeen);
}
