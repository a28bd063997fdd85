import type { OpenFinding } from '../findings.js';
import type { Processor, ProcessorEnv } from '../processor.js';
import { type CompiledRule, keyOf } from '../rule.js';
import type { CorrelationSpec } from '../rule-schema.js';
import type { Entry, EventView } from '../view.js';

/**
 * `temporal_ordered` over findings: another rule's finding on a target, then an event of this
 * rule's `then` selection for the same target within the window (success after attack). Ordered,
 * not merely grouped: a success *before* the attack proves nothing. Per target we keep only the
 * latest attack (the one most likely still inside the window) with its IPs and finding ids.
 */

type Spec = Extract<CorrelationSpec, { type: 'temporal_ordered' }>;

interface Attack {
  ts: number;
  findings: string[];
  rules: string[];
  ips: string[];
}

const MAX_LIST = 20;

export class SequenceProcessor implements Processor {
  private readonly spec: Spec;
  private readonly attacks = new Map<string, Attack>();
  private readonly then: (v: EventView) => boolean;

  constructor(
    readonly rule: CompiledRule,
    private readonly env: ProcessorEnv,
  ) {
    this.spec = rule.spec.correlation as Spec;
    const then = rule.selections.get(this.spec.then);
    if (!then) throw new Error(`then: no selection named "${this.spec.then}"`);
    this.then = then;
    const after = new Set(this.spec.after);
    env.book.listeners.push((ruleId, open, targets, ts) => {
      if (after.has(ruleId)) this.remember(open, targets, ts);
    });
  }

  private remember(open: OpenFinding, targets: readonly string[], ts: number): void {
    for (const target of targets) {
      if (!target) continue;
      let a = this.attacks.get(target);
      if (!a) this.attacks.set(target, (a = { ts, findings: [], rules: [], ips: [] }));
      a.ts = Math.max(a.ts, ts);
      // A finding that grows reports every event: take its IPs again only now and then.
      const known = a.findings.includes(open.finding.id);
      if (!known) a.findings.push(open.finding.id);
      if (!a.rules.includes(open.finding.rule)) a.rules.push(open.finding.rule);
      if (!known || open.finding.count % 16 === 0) {
        for (const ip of open.ips.keys()) if (a.ips.length < MAX_LIST && !a.ips.includes(ip)) a.ips.push(ip);
      }
      if (a.findings.length > MAX_LIST) a.findings.shift();
    }
  }

  onEvent(v: EventView, entry: () => Entry): void {
    if (!this.then(v)) return;
    const key = keyOf(v, this.spec.group_by);
    const a = this.attacks.get(key);
    if (!a || v.ts - a.ts > this.rule.windowMs || v.ts < a.ts) return;
    const p = v.profile;
    const newDevice = Boolean(p && v.device && !v.seen.device);
    this.env.book.reportOne(this.rule, keyOf(v, this.rule.suppressBy), key, entry, {
      attackFindings: [...a.findings],
      attackRules: [...a.rules],
      attackIps: [...a.ips],
      minutesAfterAttack: Math.round((v.ts - a.ts) / 60_000),
      successIp: v.ip,
      ipInAttack: a.ips.includes(v.ip),
      newDevice,
    });
  }

  sweep(now: number): void {
    for (const [k, a] of this.attacks) if (now - a.ts > this.rule.windowMs) this.attacks.delete(k);
  }

  exportState(): unknown {
    return [...this.attacks];
  }

  importState(state: unknown): void {
    this.attacks.clear();
    for (const [k, a] of state as [string, Attack][]) this.attacks.set(k, a);
  }
}

/** A rule without correlation: every matching event is a finding (suppression merges repeats). */
export class SingleProcessor implements Processor {
  constructor(
    readonly rule: CompiledRule,
    private readonly env: ProcessorEnv,
  ) {}

  onEvent(v: EventView, entry: () => Entry): void {
    const key = keyOf(v, this.rule.suppressBy);
    if (!key) return;
    const extra: Record<string, unknown> = { status: v.status };
    if (v.afterDisabled) extra.afterDisabled = true;
    if (v.afterDisabled && v.outcome === 'success') extra.successAfterDisabled = true;
    this.env.book.reportOne(this.rule, key, key, entry, extra);
  }

  sweep(): void {}
  exportState(): unknown {
    return null;
  }
  importState(): void {}
}
