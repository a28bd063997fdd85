/**
 * A period the rollups cannot answer whole (a rolling "last 30 days" whose ends fall inside UTC
 * hours or days) split into the whole units in between, read from the rollups, and its edges,
 * read from the events: a head [since, first whole unit) and a tail [end of the last whole
 * unit, until], each shorter than one unit. Facts of the parts are merged here into what one
 * read of the whole period gives.
 */
import type { HourFact, Period } from '../facts.js';
import type { CountryCount } from '../reports/summary.js';

/** First and last whole unit (unit numbers since the epoch); undefined where the period is open. */
export interface Units {
  first?: number;
  last?: number;
}

export interface SplitPeriod {
  units: Units;
  /** [since, first whole unit), when since is not on a unit boundary. */
  head?: Required<Period>;
  /** [end of the last whole unit, until], when until is not the last instant of a unit. */
  tail?: Required<Period>;
}

/** The period as whole units plus edges; undefined when it holds no whole unit (the events answer it all). */
export function splitPeriod(period: Period, unit: number): SplitPeriod | undefined {
  const { since, until } = period;
  const first = since === undefined ? undefined : Math.ceil(since / unit);
  const last = until === undefined ? undefined : Math.floor((until + 1) / unit) - 1;
  if (first !== undefined && last !== undefined && first > last) return undefined;
  const split: SplitPeriod = { units: { first, last } };
  if (since !== undefined && first !== undefined && since < first * unit) split.head = { since, until: first * unit - 1 };
  if (until !== undefined && last !== undefined && until > (last + 1) * unit - 1) split.tail = { since: (last + 1) * unit, until };
  return split;
}

/** The edges of a split, head first. */
export const edgesOf = (s: SplitPeriod): Array<Required<Period>> => [...(s.head ? [s.head] : []), ...(s.tail ? [s.tail] : [])];

/** Hour facts of several parts of a period, summed per hour, kind, anonymity and country. */
export function mergeHours(parts: ReadonlyArray<readonly HourFact[]>): HourFact[] {
  const out = new Map<string, HourFact>();
  for (const part of parts) {
    for (const f of part) {
      const key = `${f.hour}|${f.kind}|${f.anonymous}|${f.country ?? ''}`;
      const have = out.get(key);
      if (have) have.events += f.events;
      else out.set(key, { ...f });
    }
  }
  return [...out.values()];
}

/** Country counts of several parts of a period, summed per country. */
export function mergeCountries(parts: ReadonlyArray<readonly CountryCount[]>): CountryCount[] {
  const out = new Map<string, CountryCount>();
  for (const part of parts) {
    for (const c of part) {
      const have = out.get(c.country);
      if (!have) out.set(c.country, { ...c });
      else {
        have.events += c.events;
        have.successes += c.successes;
        have.failures += c.failures;
      }
    }
  }
  return [...out.values()];
}
