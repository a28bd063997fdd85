/**
 * The offset of an IANA time zone at an instant: the one implementation shared by the emulator
 * (which prints dates the way a portal in that zone does) and reports (`--tz Europe/Berlin`).
 */

/** Every zone in use changes its offset on a quarter-hour boundary, so a quarter is exact. */
const QUARTER = 900_000;
const GMT_OFFSET = /GMT([+-])(\d{1,2})(?::?(\d{2}))?/;

/** Offsets (minutes east of UTC) of one IANA zone, cached by UTC quarter-hour. */
export class ZoneOffsets {
  private readonly format: Intl.DateTimeFormat;
  private readonly cache = new Map<number, number>();

  /** Throws a RangeError naming the zone when Intl does not know it. */
  constructor(readonly zone: string) {
    try {
      // `longOffset` prints `GMT+02:00`: one part to read instead of six wall-clock fields.
      this.format = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' });
    } catch {
      throw new RangeError(`Unknown time zone "${zone}": use an IANA name such as Europe/Berlin or UTC`);
    }
  }

  /** Minutes east of UTC at `time`. */
  at(time: number): number {
    const key = Math.floor(time / QUARTER);
    let offset = this.cache.get(key);
    if (offset === undefined) {
      offset = this.exact(key * QUARTER);
      if (this.cache.size > 200_000) this.cache.clear();
      this.cache.set(key, offset);
    }
    return offset;
  }

  /** The offset at `time` computed through Intl, uncached. */
  exact(time: number): number {
    const part = this.format.formatToParts(time).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
    const m = GMT_OFFSET.exec(part);
    if (!m) return 0;
    const minutes = Number(m[2]) * 60 + Number(m[3] ?? 0);
    return m[1] === '-' ? -minutes : minutes;
  }
}
