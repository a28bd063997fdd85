/** When people log in: a working-week rhythm in the portal's zone, sampled by inverse CDF. */
import type { ZoneOffsets } from '../../model/zone.js';
import type { Rng } from '../random.js';

/** Working-week rhythm in the portal's zone: an hourly weight table with a cumulative sum. */
export class Rhythm {
  readonly baseHour: number;
  readonly cdf: Float64Array;

  constructor(from: number, to: number, zone: ZoneOffsets) {
    this.baseHour = Math.floor(from / 3_600_000);
    const hours = Math.floor(to / 3_600_000) - this.baseHour + 1;
    this.cdf = new Float64Array(hours);
    const dayWeights = [
      0.04, 0.03, 0.03, 0.03, 0.05, 0.12, 0.35, 0.9, 2.2, 3.0, 2.6, 2.3, 1.5, 2.0, 2.2, 2.0, 1.7, 1.2, 0.7,
      0.5, 0.45, 0.35, 0.2, 0.08,
    ];
    let sum = 0;
    for (let h = 0; h < hours; h++) {
      const start = (this.baseHour + h) * 3_600_000;
      const local = new Date(start + zone.at(start) * 60_000);
      const weekday = local.getUTCDay();
      const weekend = weekday === 0 || weekday === 6;
      sum += dayWeights[local.getUTCHours()] * (weekend ? 0.15 : 1);
      this.cdf[h] = sum;
    }
  }

  /** A whole-second instant in [from, to], following the rhythm. */
  sample(rng: Rng, from: number, to: number): number {
    const cdf = this.cdf;
    const hFrom = Math.max(0, Math.floor(from / 3_600_000) - this.baseHour);
    const hTo = Math.min(cdf.length - 1, Math.floor(to / 3_600_000) - this.baseHour);
    const lo = hFrom > 0 ? cdf[hFrom - 1] : 0;
    const hi = cdf[hTo];
    for (let attempt = 0; attempt < 4; attempt++) {
      const u = lo + rng.next() * (hi - lo);
      let a = hFrom;
      let b = hTo;
      while (a < b) {
        const mid = (a + b) >>> 1;
        if (cdf[mid] <= u) a = mid + 1;
        else b = mid;
      }
      const t = (this.baseHour + a) * 3_600_000 + rng.int(0, 3599) * 1000;
      if (t >= from && t <= to) return t;
    }
    return Math.floor((from + rng.next() * (to - from)) / 1000) * 1000;
  }
}
