import { type Compiled, compileExpr } from '../expr.js';
import type { Processor, ProcessorEnv } from '../processor.js';
import { type CompiledRule, keyOf } from '../rule.js';
import type { CorrelationSpec } from '../rule-schema.js';
import type { Entry, EventView, ViewField } from '../view.js';

/**
 * `event_count` and `value_count`: matches per group in a sliding window (Sigma's correlation
 * types, but sliding: Sigma backends may use fixed buckets, which miss a burst that straddles a
 * bucket edge). Each group keeps the events of its window and, per tracked field, how many of
 * them carry each value, updated as events enter and leave, so a `where` reads counts in O(1).
 */

type Spec = Extract<CorrelationSpec, { type: 'event_count' | 'value_count' }>;

class Group {
  entries: Entry[] = [];
  head = 0;
  /** Per tracked field: the value of each entry (same index), and counts per value in the window. */
  values: string[][];
  counts: Map<string, number>[];
  unknown = 0;
  constructor(fields: number) {
    this.values = Array.from({ length: fields }, () => []);
    this.counts = Array.from({ length: fields }, () => new Map());
  }
  get size(): number {
    return this.entries.length - this.head;
  }
  window(): Entry[] {
    return this.entries.slice(this.head);
  }
}

function maxOf(map: Map<string, number>): number {
  let m = 0;
  for (const n of map.values()) if (n > m) m = n;
  return m;
}

function minOf(map: Map<string, number>): number {
  let m = Infinity;
  for (const n of map.values()) if (n < m) m = n;
  return m === Infinity ? 0 : m;
}

export class WindowProcessor implements Processor {
  private readonly groups = new Map<string, Group>();
  private readonly tracked: ViewField[];
  private readonly groupBy: readonly ViewField[];
  private readonly where: Compiled<Group>;
  private readonly hasValueField: boolean;
  private readonly scratch: string[] = [];

  constructor(
    readonly rule: CompiledRule,
    private readonly env: ProcessorEnv,
  ) {
    const c = rule.spec.correlation as Spec;
    this.groupBy = c.group_by;
    this.hasValueField = c.type === 'value_count';
    this.tracked = [...(c.type === 'value_count' ? [c.field] : []), ...c.distinct];
    const vars: Record<string, (g: Group) => unknown> = {
      count: (g) => g.size,
      spanMinutes: (g) => (g.size ? (g.entries[g.entries.length - 1].ts - g.entries[g.head].ts) / 60_000 : 0),
      unknown: (g) => g.unknown,
      unknownShare: (g) => (g.size ? g.unknown / g.size : 0),
    };
    const functions: Record<string, (g: Group, ...a: unknown[]) => unknown> = {};
    if (this.hasValueField) {
      vars.distinct = (g) => g.counts[0].size;
      vars.maxPerValue = (g) => maxOf(g.counts[0]);
      vars.minPerValue = (g) => minOf(g.counts[0]);
      // Share of distinct values whose own count lies in [lo, hi] (spray: most targets tried 2–6 times).
      functions.share = (g, lo, hi) => {
        let n = 0;
        for (const k of g.counts[0].values()) if (k >= (lo as number) && k <= (hi as number)) n++;
        return g.counts[0].size ? n / g.counts[0].size : 0;
      };
    }
    c.distinct.forEach((f, i) => {
      const index = i + (this.hasValueField ? 1 : 0);
      vars[`distinct_${f}`] = (g) => g.counts[index].size;
    });
    this.where = compileExpr(c.where, { vars, functions, params: rule.params });
  }

  onEvent(v: EventView, entry: () => Entry): void {
    const key = keyOf(v, this.groupBy);
    if (key === '') return;
    let g = this.groups.get(key);
    if (!g) this.groups.set(key, (g = new Group(this.tracked.length)));
    const e = entry();
    this.evict(g, e.ts - this.rule.windowMs);
    const rec = v as unknown as Record<string, unknown>;
    const values = this.scratch;
    for (let i = 0; i < this.tracked.length; i++) values[i] = String(rec[this.tracked[i]] ?? '');
    this.add(g, e, values);
    if (!this.where(g)) return;
    const extra: Record<string, unknown> = { window: { count: g.size, spanMinutes: Math.round((e.ts - g.entries[g.head].ts) / 60_000) } };
    if (this.hasValueField) Object.assign(extra.window as object, { distinct: g.counts[0].size, maxPerValue: maxOf(g.counts[0]) });
    if (this.hasValueField || g.unknown) Object.assign(extra.window as object, { unknownEvents: g.unknown });
    this.env.book.report(this.rule, keyOf(v, this.rule.suppressBy), key, () => g.window(), e, extra);
  }

  private add(g: Group, e: Entry, values: string[]): void {
    g.entries.push(e);
    if (!e.known) g.unknown++;
    for (let i = 0; i < values.length; i++) {
      g.values[i].push(values[i]);
      if (values[i]) g.counts[i].set(values[i], (g.counts[i].get(values[i]) ?? 0) + 1);
    }
  }

  private evict(g: Group, from: number): void {
    while (g.head < g.entries.length && g.entries[g.head].ts < from) {
      if (!g.entries[g.head].known) g.unknown--;
      for (let i = 0; i < g.values.length; i++) {
        const value = g.values[i][g.head];
        if (!value) continue;
        const n = g.counts[i].get(value)! - 1;
        if (n === 0) g.counts[i].delete(value);
        else g.counts[i].set(value, n);
      }
      g.head++;
    }
    // Compact now and then so the arrays hold about one window, not the whole history.
    if (g.head > 1024 && g.head * 2 > g.entries.length) {
      g.entries = g.entries.slice(g.head);
      g.values = g.values.map((vals) => vals.slice(g.head));
      g.head = 0;
    }
  }

  sweep(now: number): void {
    for (const [key, g] of this.groups) {
      this.evict(g, now - this.rule.windowMs);
      if (g.size === 0) this.groups.delete(key);
    }
  }

  exportState(): unknown {
    return [...this.groups].map(([key, g]) => [key, g.window(), g.values.map((vals) => vals.slice(g.head))]);
  }

  importState(state: unknown): void {
    this.groups.clear();
    for (const [key, entries, values] of state as [string, Entry[], string[][]][]) {
      const g = new Group(this.tracked.length);
      entries.forEach((e, i) => this.add(g, e, values.map((vals) => vals[i])));
      this.groups.set(key, g);
    }
  }
}
