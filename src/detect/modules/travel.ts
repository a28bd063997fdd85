import type { ActionKind } from '../../model/actions.js';
import { distanceKm } from '../../geo/distance.js';
import { type Place, resolvePlace } from '../../geo/gazetteer.js';
import type { Processor, ProcessorEnv } from '../processor.js';
import { type CompiledRule, keyOf } from '../rule.js';
import { type Entry, entryOf, type EventView, fillEntry } from '../view.js';

const SUCCESSES: readonly ActionKind[] = ['success'];

/**
 * Impossible travel between a user's consecutive successes: great-circle distance and the speed
 * it implies. DocSpace gives only a country name and a city string, so both ends go through the
 * offline gazetteer; when either end is known only to its country, the distance floor rises
 * (country centres can be 1 000 km from the real place) and the finding says confidence low;
 * when either end is unknown nothing is claimed at all.
 */

interface Last {
  entry: Entry;
  place: Place;
  country: string;
  city: string;
}

const MAX_PLACES = 50_000;

export class TravelProcessor implements Processor {
  /** Judges successes only. */
  readonly outcomes = SUCCESSES;
  private readonly last = new Map<string, Last>();
  /** Country → city → place: looked up for every success, so no key string is built. */
  private readonly places = new Map<string, Map<string, Place>>();
  private readonly minKm: number;
  private readonly countryMinKm: number;
  private readonly minKmh: number;
  private readonly allowIps: Set<string>;
  private readonly ignorePairs: Set<string>;

  constructor(
    readonly rule: CompiledRule,
    private readonly env: ProcessorEnv,
  ) {
    const p = rule.params;
    this.minKm = Number(p.min_km ?? 500);
    this.countryMinKm = Number(p.country_min_km ?? 2000);
    this.minKmh = Number(p.min_kmh ?? 900);
    this.allowIps = new Set((p.allow_ips as string[] | undefined) ?? []);
    this.ignorePairs = new Set(((p.ignore_country_pairs as string[] | undefined) ?? []).flatMap((pair) => {
      const [a, b] = pair.split('-');
      return [`${a}-${b}`, `${b}-${a}`];
    }));
  }

  private place(country: string, city: string): Place {
    let byCity = this.places.get(country);
    if (!byCity) this.places.set(country, (byCity = new Map()));
    let p = byCity.get(city);
    if (!p) {
      p = resolvePlace(country, city);
      if (byCity.size >= MAX_PLACES) byCity.clear();
      byCity.set(city, p);
    }
    return p;
  }

  onEvent(v: EventView, entry: () => Entry): void {
    if (v.outcome !== 'success') return;
    const place = this.place(v.country, v.city);
    const prev = this.last.get(v.userId);
    if (!prev) {
      this.last.set(v.userId, { entry: entryOf(v), place, country: v.country, city: v.city });
      return;
    }
    this.judge(prev, v, place, entry);
    // The user's record becomes this success, in place: no allocation per success.
    fillEntry(prev.entry, v);
    prev.place = place;
    prev.country = v.country;
    prev.city = v.city;
  }

  /** Reports travel from the user's previous success `prev` to `v` when it is too fast. */
  private judge(prev: Last, v: EventView, b: Place, entry: () => Entry): void {
    if (prev.entry.ip === v.ip || this.allowIps.has(v.ip) || this.allowIps.has(prev.entry.ip)) return;
    const a = prev.place;
    if (a.level === 'none' || b.level === 'none') return;
    if (this.ignorePairs.size && this.ignorePairs.has(`${a.country}-${b.country}`)) return;
    const km = distanceKm(a.lat, a.lon, b.lat, b.lon);
    const exact = a.level === 'city' && b.level === 'city';
    if (km < (exact ? this.minKm : this.countryMinKm)) return;
    // Two logins in the same minute still take some time: do not divide by zero.
    const hours = Math.max(v.ts - prev.entry.ts, 60_000) / 3_600_000;
    const kmh = km / hours;
    if (kmh < this.minKmh) return;
    this.found(prev, v, b, entry, km, kmh, exact);
  }

  /** Reports the travel `judge` found (its own function: see `FindingBook.reportOne` on closures). */
  private found(prev: Last, v: EventView, b: Place, entry: () => Entry, km: number, kmh: number, exact: boolean): void {
    const from = { ...prev.entry };
    const here: Last = { entry: entry(), place: b, country: v.country, city: v.city };
    const end = (l: Last) => ({ eventId: l.entry.id, at: new Date(l.entry.ts).toISOString(), ip: l.entry.ip, country: l.country, city: l.city, resolved: l.place.level });
    this.env.book.report(
      this.rule,
      keyOf(v, this.rule.suppressBy),
      v.userId,
      () => [from, here.entry],
      here.entry,
      { from: end(prev), to: end(here), km: Math.round(km), kmh: Math.round(kmh), minutes: Math.round((v.ts - prev.entry.ts) / 60_000), resolution: exact ? 'city' : 'country' },
      exact ? 'high' : 'low',
    );
  }

  sweep(): void {}

  exportState(): unknown {
    return [...this.last].map(([user, l]) => [user, { ...l.entry }, l.country, l.city]);
  }

  importState(state: unknown): void {
    this.last.clear();
    for (const [user, entry, country, city] of state as [string, Entry, string, string][]) {
      this.last.set(user, { entry: { ...entry }, country, city, place: this.place(country, city) });
    }
  }
}
