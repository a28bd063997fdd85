import type { ActionKind } from '../../model/actions.js';
import type { Processor, ProcessorEnv } from '../processor.js';
import { type HoursBaseline, usualHour } from '../kinds/hours.js';
import { Profiles } from '../profiles.js';
import { type CompiledRule, keyOf } from '../rule.js';
import type { Entry, EventView } from '../view.js';

const SUCCESSES: readonly ActionKind[] = ['success'];

/**
 * A composite score for one successful login, explainable by its parts. DocSpace's own
 * suspicious-login notifier scores new browser+platform, new country and ≥3 failures in 24 h, one
 * point each, and mails the user at 2; this widens it with new city, off-hours and admin rights,
 * and reports every contributing signal. Novelty needs history: until a user's first success is
 * `learning_days` old, logins score only on failures and role.
 */

const DAY = 86_400_000;

export class RiskProcessor implements Processor {
  /** Judges successes only. */
  readonly outcomes = SUCCESSES;
  private readonly p: Record<string, number>;
  private readonly hours: HoursBaseline;

  constructor(
    readonly rule: CompiledRule,
    private readonly env: ProcessorEnv,
  ) {
    const n = (k: string, d: number) => Number(rule.params[k] ?? d);
    this.p = {
      threshold: n('threshold', 2), newDevice: n('new_device', 1), newCountry: n('new_country', 1),
      newCity: n('new_city', 0.5), offHours: n('off_hours', 0.5), failures: n('failures', 1), admin: n('admin', 1),
      failureCount: n('failure_count', 3), failureHours: n('failure_hours', 24), minBaseline: n('min_baseline', 20),
      historyDays: n('history_days', 90), activeDays: n('active_days', 3), learningDays: n('learning_days', 14), learningEvents: n('learning_events', 10),
    };
    this.hours = { historyDays: this.p.historyDays, tolerance: 1, minDays: this.p.activeDays };
  }

  onEvent(v: EventView, entry: () => Entry): void {
    if (v.outcome !== 'success') return;
    const p = v.profile;
    const w = this.p;
    // Each signal's weight, or undefined when it did not fire; the record is made only for a finding.
    let newDevice: number | undefined;
    let newCountry: number | undefined;
    let newCity: number | undefined;
    let offHours: number | undefined;
    let recentFailures: number | undefined;
    // Novelty is judged after the same learning period as DSL-010/011 (14 days and 10 successes):
    // a user's second device in their first week is part of the baseline being learnt, not a new one.
    const learnt = p !== undefined && v.ts - p.first >= w.learningDays * DAY && p.recent.length >= w.learningEvents;
    if (learnt) {
      // `v.seen`: the profile's entries for this login's values (undefined: not among them).
      const seen = v.seen;
      if (v.device && p.values.device.size && !seen.device) newDevice = w.newDevice;
      const country = v.countryIso || v.country;
      const countryField = v.countryIso ? p.values.countryIso : p.values.country;
      if (country && countryField.size && !(v.countryIso ? seen.countryIso : seen.country)) newCountry = w.newCountry;
      else if (v.place && p.values.place.size && !seen.place) newCity = w.newCity;
    }
    // DocSpace's notifier counts the user's own typos too, and so flags every admin who mistypes
    // a few times before getting in. Failures from this login's address and device, or from a
    // device and place the user has signed in with before, are taken as the user's own. And
    // failures from elsewhere make only an unfamiliar success risky: a login with the user's own
    // device or from their own place is the user, whoever failed before (an account called
    // "admin" gets scanners' tries every day); an attack on the account is DSL-001/003/005's
    // finding, and DSL-007 links the next success to it. Unfamiliar is a new device, country or
    // city once the user is learnt; before that, a device and a place both never seen for them.
    const unfamiliar = learnt
      ? !!(newDevice || newCountry || newCity)
      : !p || (!(v.device && v.seen.device) && !(v.place && v.seen.place));
    if (unfamiliar && this.env.profiles.recentFailures(v.userId, v.ts, (w.failureHours * DAY) / 24, v, p) >= w.failureCount) {
      recentFailures = w.failures;
    }
    const admin = v.admin ? w.admin : undefined;
    // Off-hours (the same baseline as DSL-012, hours.ts) costs the most to judge: skip it when
    // the score misses the threshold either way.
    if (learnt) {
      const without = sum(newDevice, newCountry, newCity, undefined, recentFailures, admin);
      const withIt = sum(newDevice, newCountry, newCity, w.offHours, recentFailures, admin);
      if (without < w.threshold && withIt < w.threshold) return;
      if (Profiles.successes(p, v.day, w.historyDays) >= w.minBaseline && !usualHour(p, v.hourOfWeek, v.day, this.hours)) {
        offHours = w.offHours;
      }
    }
    const score = sum(newDevice, newCountry, newCity, offHours, recentFailures, admin);
    if (score < w.threshold) return;
    // In the order the signals are judged (the evidence lists them so).
    const signals: Record<string, number> = {};
    if (newDevice !== undefined) signals.newDevice = newDevice;
    if (newCountry !== undefined) signals.newCountry = newCountry;
    if (newCity !== undefined) signals.newCity = newCity;
    if (offHours !== undefined) signals.offHours = offHours;
    if (recentFailures !== undefined) signals.recentFailures = recentFailures;
    if (admin !== undefined) signals.admin = admin;
    this.env.book.reportOne(this.rule, keyOf(v, this.rule.suppressBy), v.userId, entry, { score, signals });
  }

  sweep(): void {}
  exportState(): unknown {
    return null;
  }
  importState(): void {}
}

/** The score: the weights that fired, added in the order the signals are judged. */
function sum(a: U, b: U, c: U, d: U, e: U, f: U): number {
  let score = 0;
  if (a !== undefined) score += a;
  if (b !== undefined) score += b;
  if (c !== undefined) score += c;
  if (d !== undefined) score += d;
  if (e !== undefined) score += e;
  if (f !== undefined) score += f;
  return score;
}

type U = number | undefined;
