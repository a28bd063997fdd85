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
  /**
   * Per tracked field: the value of each entry (same index), and counts per value in the window.
   * A value whose count falls to 0 keeps its entry (a Map shrinks and regrows its table when keys
   * come and go), so `distinct` counts the values above 0 and readers skip the zeros; `zeros`
   * says how many there are, and they are dropped when they outnumber the live ones.
   */
  values: string[][] = [];
  counts: Map<string, number>[] = [];
  distinct: number[] = [];
  zeros: number[] = [];
  unknown = 0;
  constructor(fields: number) {
    for (let i = 0; i < fields; i++) {
      this.values.push([]);
      this.counts.push(new Map());
      this.distinct.push(0);
      this.zeros.push(0);
    }
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

/** The smallest count above 0 (0 when none). */
function minOf(map: Map<string, number>): number {
  let m = Infinity;
  for (const n of map.values()) if (n > 0 && n < m) m = n;
  return m === Infinity ? 0 : m;
}

function dropZeros(g: Group, i: number): void {
  for (const [value, n] of g.counts[i]) if (n === 0) g.counts[i].delete(value);
  g.zeros[i] = 0;
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
      vars.distinct = (g) => g.distinct[0];
      vars.maxPerValue = (g) => maxOf(g.counts[0]);
      vars.minPerValue = (g) => minOf(g.counts[0]);
      // Share of distinct values whose own count lies in [lo, hi] (spray: most targets tried 2–6 times).
      functions.share = (g, lo, hi) => {
        let n = 0;
        for (const k of g.counts[0].values()) if (k > 0 && k >= (lo as number) && k <= (hi as number)) n++;
        return g.distinct[0] ? n / g.distinct[0] : 0;
      };
    }
    c.distinct.forEach((f, i) => {
      const index = i + (this.hasValueField ? 1 : 0);
      vars[`distinct_${f}`] = (g) => g.distinct[index];
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
    if (this.hasValueField) Object.assign(extra.window as object, { distinct: g.distinct[0], maxPerValue: maxOf(g.counts[0]) });
    if (this.hasValueField || g.unknown) Object.assign(extra.window as object, { unknownEvents: g.unknown });
    this.env.book.report(this.rule, keyOf(v, this.rule.suppressBy), key, () => g.window(), e, extra);
  }

  private add(g: Group, e: Entry, values: string[]): void {
    g.entries.push(e);
    if (!e.known) g.unknown++;
    for (let i = 0; i < values.length; i++) {
      const value = values[i];
      g.values[i].push(value);
      if (!value) continue;
      const n = g.counts[i].get(value);
      if (!n) g.distinct[i]++;
      if (n === 0) g.zeros[i]--;
      g.counts[i].set(value, (n ?? 0) + 1);
    }
  }

  private evict(g: Group, from: number): void {
    while (g.head < g.entries.length && g.entries[g.head].ts < from) {
      if (!g.entries[g.head].known) g.unknown--;
      for (let i = 0; i < g.values.length; i++) {
        const value = g.values[i][g.head];
        if (!value) continue;
        const n = g.counts[i].get(value)! - 1;
        g.counts[i].set(value, n);
        if (n === 0) {
          g.distinct[i]--;
          if (++g.zeros[i] > 64 && g.zeros[i] > g.distinct[i]) dropZeros(g, i);
        }
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
