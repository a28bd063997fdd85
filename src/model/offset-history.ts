/**
 * The offsets a portal used over time: a portal in a zone with daylight saving prints its winter
 * events at one offset and its summer events at another, so an aggregated time (a first or last
 * seen, a failure's time) is shown at the offset the portal used then, not at today's.
 *
 * Kept as runs: each from the start of a UTC hour in which the offset changed. Both report sources
 * build it from per-hour offsets (`OffsetHistory.fromHours`), one offset an hour (the largest, if
 * an hour saw two), so a live read and the archive agree.
 */

const HOUR = 3_600_000;

/** From `from` (epoch ms) on, the portal used `offset` (minutes east of UTC). */
interface OffsetRun {
  from: number;
  offset: number;
}

export class OffsetHistory {
  private readonly runs: readonly OffsetRun[];

  /** `runs` sorted by `from`; consecutive runs with one offset are merged. */
  constructor(runs: readonly OffsetRun[] = []) {
    const merged: OffsetRun[] = [];
    for (const r of runs) if (merged.at(-1)?.offset !== r.offset) merged.push({ from: r.from, offset: r.offset });
    this.runs = merged;
  }

  /** One offset for all time. */
  static constant(offset: number): OffsetHistory {
    return new OffsetHistory([{ from: 0, offset }]);
  }

  /** From `[utcHour, offset]` pairs in any order, one per hour (`hour` = floor(time / 1 h)). */
  static fromHours(hours: Iterable<readonly [number, number]>): OffsetHistory {
    const sorted = [...hours].sort((a, b) => a[0] - b[0]);
    return new OffsetHistory(sorted.map(([hour, offset]) => ({ from: hour * HOUR, offset })));
  }

  /** No run at all (an archive with no events yet). */
  get empty(): boolean {
    return this.runs.length === 0;
  }

  /** The offset in use at `time`: before the first run the first's, after the last the last's (0 when empty). */
  at(time: number): number {
    const runs = this.runs;
    if (!runs.length) return 0;
    let lo = 0;
    let hi = runs.length - 1;
    // The last run starting at or before `time` (the first when none does).
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (runs[mid]!.from <= time) lo = mid;
      else hi = mid - 1;
    }
    return runs[lo]!.offset;
  }
}
