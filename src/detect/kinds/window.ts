import { type Compiled, compileExpr } from '../expr.js';
import type { Processor, ProcessorEnv } from '../processor.js';
import { type CompiledRule, keyer } from '../rule.js';
import type { CorrelationSpec } from '../rule-schema.js';
import { type Entry, type EventView, type ViewField, VIEW_READERS } from '../view.js';

/**
 * `event_count` and `value_count`: matches per group in a sliding window (Sigma's correlation
 * types, but sliding: Sigma backends may use fixed buckets, which miss a burst that straddles a
 * bucket edge). Each group keeps the events of its window and, per tracked field, how many of
 * them carry each value, updated as events enter and leave, so a `where` reads counts in O(1).
 */

type Spec = Extract<CorrelationSpec, { type: 'event_count' | 'value_count' }>;

/**
 * One group's window: its entries oldest first in a ring (a window slides forever, and arrays
 * that only grow at the end and drop from the front would be reallocated over and over).
 */
class Group {
  private cap = 8;
  private head = 0;
  size = 0;
  /** The oldest entry's time (Infinity when empty): every event asks it, and the entry itself is a load further. */
  firstTs = Infinity;
  private entries: (Entry | undefined)[] = new Array<Entry | undefined>(8);
  /**
   * Per tracked field: the value of each entry (same slot), and counts per value in the window.
   * A value whose count falls to 0 keeps its entry (a Map shrinks and regrows its table when keys
   * come and go), so `distinct` counts the values above 0 and readers skip the zeros; `zeros`
   * says how many there are, and they are dropped when they outnumber the live ones.
   */
  private values: string[][] = [];
  counts: Map<string, number>[] = [];
  distinct: number[] = [];
  zeros: number[] = [];
  unknown = 0;
  constructor(fields: number) {
    for (let i = 0; i < fields; i++) {
      this.values.push(new Array<string>(8));
      this.counts.push(new Map());
      this.distinct.push(0);
      this.zeros.push(0);
    }
  }
  first(): Entry {
    return this.entries[this.head]!;
  }
  last(): Entry {
    return this.entries[(this.head + this.size - 1) & (this.cap - 1)]!;
  }
  /** Field `field`'s value of the oldest entry. */
  firstValue(field: number): string {
    return this.values[field][this.head];
  }
  push(e: Entry, values: readonly string[]): void {
    if (this.size === this.cap) this.resize(this.cap * 2);
    const at = (this.head + this.size) & (this.cap - 1);
    this.entries[at] = e;
    for (let i = 0; i < this.values.length; i++) this.values[i][at] = values[i];
    if (this.size++ === 0) this.firstTs = e.ts;
  }
  dropFirst(): void {
    this.entries[this.head] = undefined;
    this.head = (this.head + 1) & (this.cap - 1);
    this.size--;
    this.firstTs = this.size ? this.entries[this.head]!.ts : Infinity;
  }
  /** A ring that held a burst gives its room back once the window is small again. */
  shrink(): void {
    if (this.cap > 64 && this.size * 8 < this.cap) this.resize(Math.max(8, 2 ** Math.ceil(Math.log2(this.size + 1))));
  }
  private resize(cap: number): void {
    this.entries = this.ordered(this.entries, cap);
    this.values = this.values.map((vals) => this.ordered(vals, cap));
    this.head = 0;
    this.cap = cap;
  }
  /** The window's slots of `ring` oldest first, in an array of length `length` (at least size). */
  private ordered<T>(ring: T[], length = this.size): T[] {
    const out = new Array<T>(length);
    for (let k = 0; k < this.size; k++) out[k] = ring[(this.head + k) & (this.cap - 1)];
    return out;
  }
  window(): Entry[] {
    return this.ordered(this.entries) as Entry[];
  }
  windowValues(): string[][] {
    return this.values.map((vals) => this.ordered(vals));
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
  private readonly readers: ((v: EventView) => unknown)[];
  private readonly groupKey: (v: EventView) => string;
  private readonly suppressKey: (v: EventView) => string;
  private readonly where: Compiled<Group>;
  private readonly hasValueField: boolean;
  private readonly scratch: string[] = [];

  constructor(
    readonly rule: CompiledRule,
    private readonly env: ProcessorEnv,
  ) {
    const c = rule.spec.correlation as Spec;
    this.groupKey = keyer(c.group_by);
    this.suppressKey = keyer(rule.suppressBy);
    this.hasValueField = c.type === 'value_count';
    this.tracked = [...(c.type === 'value_count' ? [c.field] : []), ...c.distinct];
    this.readers = this.tracked.map((f) => VIEW_READERS[f]);
    const vars: Record<string, (g: Group) => unknown> = {
      count: (g) => g.size,
      spanMinutes: (g) => (g.size ? (g.last().ts - g.first().ts) / 60_000 : 0),
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
    const key = this.groupKey(v);
    if (key === '') return;
    let g = this.groups.get(key);
    if (!g) this.groups.set(key, (g = new Group(this.tracked.length)));
    const e = entry();
    this.evict(g, e.ts - this.rule.windowMs);
    const values = this.scratch;
    for (let i = 0; i < this.readers.length; i++) values[i] = String(this.readers[i](v) ?? '');
    this.add(g, e, values);
    if (this.where(g)) this.fire(v, g, key, e);
  }

  /** Reports the window of `g` (its own function: see `FindingBook.reportOne` on closures). */
  private fire(v: EventView, g: Group, key: string, e: Entry): void {
    const extra: Record<string, unknown> = { window: { count: g.size, spanMinutes: Math.round((e.ts - g.first().ts) / 60_000) } };
    if (this.hasValueField) Object.assign(extra.window as object, { distinct: g.distinct[0], maxPerValue: maxOf(g.counts[0]) });
    if (this.hasValueField || g.unknown) Object.assign(extra.window as object, { unknownEvents: g.unknown });
    this.env.book.report(this.rule, this.suppressKey(v), key, () => g.window(), e, extra);
  }

  private add(g: Group, e: Entry, values: readonly string[]): void {
    g.push(e, values);
    if (!e.known) g.unknown++;
    for (let i = 0; i < values.length; i++) {
      const value = values[i];
      if (!value) continue;
      const n = g.counts[i].get(value);
      if (!n) g.distinct[i]++;
      if (n === 0) g.zeros[i]--;
      g.counts[i].set(value, (n ?? 0) + 1);
    }
  }

  private evict(g: Group, from: number): void {
    while (g.firstTs < from) {
      if (!g.first().known) g.unknown--;
      for (let i = 0; i < g.counts.length; i++) {
        const value = g.firstValue(i);
        if (!value) continue;
        const n = g.counts[i].get(value)! - 1;
        g.counts[i].set(value, n);
        if (n === 0) {
          g.distinct[i]--;
          if (++g.zeros[i] > 64 && g.zeros[i] > g.distinct[i]) dropZeros(g, i);
        }
      }
      g.dropFirst();
    }
  }

  sweep(now: number): void {
    for (const [key, g] of this.groups) {
      this.evict(g, now - this.rule.windowMs);
      if (g.size === 0) this.groups.delete(key);
      else g.shrink();
    }
  }

  exportState(): unknown {
    return [...this.groups].map(([key, g]) => [key, g.window(), g.windowValues()]);
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
