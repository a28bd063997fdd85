/**
 * Dates as the server prints them (ApiDateTime): the portal zone's wall-clock time with seven
 * fractional digits and that zone's offset at the instant, or `Z` when the offset is zero.
 */
import { formatApiDate } from '../model/time.js';
import type { ZoneOffsets } from '../model/zone.js';

export class ApiDates {
  private readonly hourPrefix = new Map<number, string>();
  private readonly offsetSuffix = new Map<number, string>();

  /** `dstFoldQuirk`: print the repeated hour after a fall-back the way .NET does (see `format`). */
  constructor(
    readonly zone: ZoneOffsets,
    readonly dstFoldQuirk = false,
  ) {}

  /** ApiDateTime text for an instant. */
  format(time: number): string {
    const offset = this.zone.at(time);
    if (!this.dstFoldQuirk) return this.fast(time, offset);
    // .NET converts tenant-local wall time back to UTC assuming standard time when ambiguous.
    const wall = time + offset * 60_000;
    for (const probe of [time - 3_600_000, time + 3_600_000]) {
      const other = this.zone.at(probe);
      if (other !== offset && this.zone.at(wall - other * 60_000) === other) {
        const standard = Math.min(offset, other);
        return formatApiDate(wall - standard * 60_000, standard);
      }
    }
    return formatApiDate(time, offset);
  }

  /**
   * `formatApiDate(time, offset)` with the date-and-hour part and the offset cached: serving a
   * page formats a hundred dates, and this keeps that to string concatenation.
   */
  private fast(time: number, offset: number): string {
    const local = time + offset * 60_000;
    const hour = Math.floor(local / 3_600_000);
    const key = hour * 4096 + offset;
    let prefix = this.hourPrefix.get(key);
    let suffix = this.offsetSuffix.get(offset);
    if (prefix === undefined || suffix === undefined) {
      // `YYYY-MM-DDTHH:` and `Z` / `±hh:mm`, taken from the reference formatter.
      const reference = formatApiDate(hour * 3_600_000 - offset * 60_000, offset);
      prefix = reference.slice(0, 14);
      suffix = reference.slice(27);
      if (this.hourPrefix.size > 100_000) this.hourPrefix.clear();
      this.hourPrefix.set(key, prefix);
      this.offsetSuffix.set(offset, suffix);
    }
    const rest = local - hour * 3_600_000;
    const minutes = Math.floor(rest / 60_000);
    const seconds = Math.floor((rest % 60_000) / 1000);
    const millis = rest % 1000;
    return `${prefix}${minutes < 10 ? '0' : ''}${minutes}:${seconds < 10 ? '0' : ''}${seconds}.${String(millis).padStart(3, '0')}0000${suffix}`;
  }
}

/** A plain .NET DateTime in UTC (`expires`, `lastModified`): seven digits and `Z`. */
export function sevenDigitsUtc(time: number): string {
  return `${new Date(time).toISOString().slice(0, 23)}0000Z`;
}
