import type { ActionKind } from '../../model/actions.js';
import type { Processor, ProcessorEnv } from '../processor.js';
import { type HoursBaseline, hourSupport } from './hours.js';
import { countIn, type Profile, PROFILE_FIELDS, type ProfileField, Profiles } from '../profiles.js';
import { type CompiledRule, keyOf, ms } from '../rule.js';
import type { CorrelationSpec } from '../rule-schema.js';
import { type Entry, type EventView, type ProfileSeen, VIEW_READERS } from '../view.js';
import { formatAtOffset } from '../../model/time.js';

const SUCCESSES: readonly ActionKind[] = ['success'];

/**
 * `new_value` (Elastic's new_terms) and `baseline` (Panther-style behaviour baselines), both
 * judged against the user's profile as it stood before this event. Novelty needs a learning
 * period first: a user's first country is not "new", it is their first (silent seeding).
 */

const DAY = 86_400_000;

type NewValueSpec = Extract<CorrelationSpec, { type: 'new_value' }>;
type BaselineSpec = Extract<CorrelationSpec, { type: 'baseline' }>;

function top(map: Map<string, [number, number]>): Record<string, number> {
  return Object.fromEntries([...map].sort((a, b) => b[1][1] - a[1][1]).slice(0, 20).map(([k, [, n]]) => [k, n]));
}

/** The view's entry of one field (`EventView.seen`), as a function of its own. */
function seenValue(f: ProfileField): (s: ProfileSeen) => [number, number] | undefined {
  switch (f) {
    case 'countryIso':
      return (s) => s.countryIso;
    case 'country':
      return (s) => s.country;
    case 'place':
      return (s) => s.place;
    case 'device':
      return (s) => s.device;
  }
}

/** The profile's map of one field, as a function of its own. */
function profileValues(f: ProfileField): (p: Profile) => Map<string, [number, number]> {
  switch (f) {
    case 'countryIso':
      return (p) => p.values.countryIso;
    case 'country':
      return (p) => p.values.country;
    case 'place':
      return (p) => p.values.place;
    case 'device':
      return (p) => p.values.device;
  }
}

export class NewValueProcessor implements Processor {
  /** Judges successes only. */
  readonly outcomes = SUCCESSES;
  private readonly spec: NewValueSpec;
  private readonly learning: number;
  private readonly history: number;
  private readonly fields: ProfileField[];
  /** Per field, made once: its reader on the view and on the profile (no computed keys per event). */
  private readonly reads: ((v: EventView) => string)[];
  private readonly known: ((p: Profile) => Map<string, [number, number]>)[];
  private readonly entries: ((s: ProfileSeen) => [number, number] | undefined)[];

  constructor(
    readonly rule: CompiledRule,
    private readonly env: ProcessorEnv,
  ) {
    this.spec = rule.spec.correlation as NewValueSpec;
    this.learning = ms(this.spec.learning);
    this.history = this.spec.history ? ms(this.spec.history) : Infinity;
    for (const f of this.spec.fields) {
      if (!(PROFILE_FIELDS as readonly string[]).includes(f)) throw new Error(`new_value fields must be among ${PROFILE_FIELDS.join(', ')}`);
    }
    this.fields = this.spec.fields as ProfileField[];
    this.reads = this.fields.map((f) => VIEW_READERS[f] as (v: EventView) => string);
    this.known = this.fields.map(profileValues);
    this.entries = this.fields.map(seenValue);
  }

  onEvent(v: EventView, entry: () => Entry): void {
    if (v.outcome !== 'success') return;
    const p = v.profile;
    if (!p || v.ts - p.first < this.learning || p.recent.length < this.spec.min_events) return;
    // Most successes bring nothing new: allocate only when something is.
    let novel: Record<string, unknown> | undefined;
    let returning = false;
    for (let i = 0; i < this.fields.length; i++) {
      const value = this.reads[i](v);
      if (!value) continue;
      const seen = this.entries[i](v.seen);
      if (seen && v.ts - seen[0] <= this.history) continue;
      if (seen) returning = true;
      novel ??= {};
      novel[this.fields[i]] = { value, ...(seen ? { lastSeen: new Date(seen[0]).toISOString() } : {}), baseline: top(this.known[i](p)) };
    }
    if (novel) this.found(v, entry, p, novel, returning);
  }

  /** Reports what was new (its own function: see `FindingBook.reportOne` on closures). */
  private found(v: EventView, entry: () => Entry, p: Profile, novel: Record<string, unknown>, returning: boolean): void {
    const group = keyOf(v, this.spec.group_by);
    this.env.book.reportOne(this.rule, `${keyOf(v, this.rule.suppressBy)}|${Object.keys(novel).map((f) => v[f as ProfileField]).join('|')}`, group, entry, {
      new: novel,
      // Never seen for this user at all, rather than seen before but not lately (atypical).
      firstTime: !returning,
      knownSince: new Date(p.first).toISOString(),
    });
  }

  sweep(): void {}
  exportState(): unknown {
    return null;
  }
  importState(): void {}
}

export class BaselineProcessor implements Processor {
  /** Judges successes only. */
  readonly outcomes = SUCCESSES;
  private readonly spec: BaselineSpec;
  private readonly slots = new Map<string, { day: number; slots: Record<string, number> }>();
  /** Per user, the day and each slot's support on it (-1: not asked yet). */
  private readonly supports = new Map<string, { day: number; support: Int16Array }>();
  private readonly historyDays: number;
  private readonly learning: number;
  private readonly idle: number;
  private readonly hours: HoursBaseline;

  constructor(
    readonly rule: CompiledRule,
    private readonly env: ProcessorEnv,
  ) {
    this.spec = rule.spec.correlation as BaselineSpec;
    this.historyDays = Math.round(ms(this.spec.history) / DAY);
    if (this.spec.metric === 'idle' && !this.spec.idle) throw new Error('metric idle needs idle: <duration>');
    this.learning = this.spec.learning ? ms(this.spec.learning) : 0;
    this.idle = this.spec.idle ? ms(this.spec.idle) : Infinity;
    this.hours = { historyDays: this.historyDays, tolerance: this.spec.tolerance, minDays: this.spec.active_days };
  }

  onEvent(v: EventView, entry: () => Entry): void {
    if (v.outcome !== 'success') return;
    const p = v.profile;
    if (!p) return;
    if (this.spec.metric === 'idle') {
      const last = p.last;
      if (!last || v.ts - last.ts <= this.idle) return;
      this.env.book.reportOne(this.rule, keyOf(v, this.rule.suppressBy), keyOf(v, this.spec.group_by), entry, {
        previousSuccess: new Date(last.ts).toISOString(),
        idleDays: Math.floor((v.ts - last.ts) / DAY),
      });
      return;
    }
    // Cold start: too short or too thin a history to know this user's hours.
    if (v.ts - p.first < this.learning) return;
    const seen = Profiles.successes(p, v.day, this.historyDays);
    if (seen < this.spec.min_events) return;
    const support = this.support(v.userId, p, v.hourOfWeek, v.day);
    if (support >= this.hours.minDays) return;
    this.env.book.reportOne(this.rule, keyOf(v, this.rule.suppressBy), keyOf(v, this.spec.group_by), entry, {
      hourOfWeek: v.hourOfWeek,
      localTime: formatAtOffset(v.event.time, v.event.offsetMinutes),
      baselineSuccesses: seen,
      // Days the user was seen near this hour on days of its kind (fewer than activeDaysNeeded).
      usualDays: support,
      activeDaysNeeded: this.hours.minDays,
      activeSlots: this.activeSlots(v.userId, p, v.day),
    });
  }

  /**
   * `hourSupport`, kept per user for the day: it counts the days before `day` only, and until the
   * day changes only that day's successes are learnt, so a slot's answer cannot change. A user
   * signs in at the same hours all day: the 5 × 3 slots are walked once per slot and day instead
   * of on every success.
   */
  private support(userId: string, p: Profile, hourOfWeek: number, day: number): number {
    let memo = this.supports.get(userId);
    if (memo === undefined) this.supports.set(userId, (memo = { day, support: new Int16Array(168).fill(-1) }));
    else if (memo.day !== day) {
      memo.day = day;
      memo.support.fill(-1);
    }
    let n = memo.support[hourOfWeek];
    if (n < 0) memo.support[hourOfWeek] = n = hourSupport(p, hourOfWeek, day, this.hours);
    return n;
  }

  /**
   * Active days per hour-of-week slot in the history before `day`, for the evidence. Runs for
   * every off-hours success, so it is kept per user for the day: later successes that day only
   * add that day, which the count leaves out, so the answer cannot change before the day does.
   */
  private activeSlots(userId: string, p: Profile, day: number): Record<string, number> {
    const cached = this.slots.get(userId);
    if (cached?.day === day) return cached.slots;
    const from = day - this.historyDays;
    const slots: Record<string, number> = {};
    for (let slot = 0; slot < 168; slot++) {
      const days = p.slots[slot];
      const n = days ? countIn(days, from, day) : 0;
      if (n) slots[slot] = n;
    }
    this.slots.set(userId, { day, slots });
    return slots;
  }

  sweep(): void {
    this.slots.clear();
    this.supports.clear();
  }
  exportState(): unknown {
    return null;
  }
  importState(): void {}
}
