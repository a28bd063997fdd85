/**
 * The time zone a report shows times in and cuts days at (`--tz`).
 *
 * - `portal` (the default): each event at the offset the portal itself used for it, the way the
 *   DocSpace UI shows it (the archive keeps that offset per event);
 * - `UTC` or a fixed `±hh:mm`;
 * - an IANA zone (`Europe/Berlin`), or `local` for this machine's zone: offsets come from
 *   `Intl.DateTimeFormat` for each instant, so a day across a DST change has 23 or 25 hours and
 *   every event lands on the local date a person in that zone would give it.
 */
import { UsageError } from '../errors/index.js';
import { OffsetHistory } from '../model/offset-history.js';
import { formatAtOffset, formatOffset, parseUtcOffset } from '../model/time.js';
import { ZoneOffsets } from '../model/zone.js';

export type ZoneSpec =
  | { kind: 'portal' }
  | { kind: 'fixed'; offsetMinutes: number }
  | { kind: 'iana'; name: string };

const HOUR = 3_600_000;

/** `--tz` as typed: `portal` (default), `local`, `UTC`, `±hh:mm`, or an IANA name. */
export function parseZone(value: string | undefined, env: NodeJS.ProcessEnv = process.env): ZoneSpec {
  const v = value?.trim();
  if (!v || v.toLowerCase() === 'portal') return { kind: 'portal' };
  const lower = v.toLowerCase();
  if (lower === 'utc' || lower === 'z' || lower === 'gmt') return { kind: 'fixed', offsetMinutes: 0 };
  if (/^[+-]\d/.test(v)) {
    const minutes = parseUtcOffset(v);
    if (minutes === undefined || Math.abs(minutes) > 14 * 60) {
      throw new UsageError(`--tz "${v}" is not a UTC offset between -14:00 and +14:00`);
    }
    return { kind: 'fixed', offsetMinutes: minutes };
  }
  if (lower === 'local') {
    const name = env.TZ && isIanaZone(env.TZ) ? env.TZ : new Intl.DateTimeFormat().resolvedOptions().timeZone;
    return name && name !== 'UTC' && name !== 'Etc/UTC' ? { kind: 'iana', name } : { kind: 'fixed', offsetMinutes: 0 };
  }
  if (!isIanaZone(v)) {
    throw new UsageError(
      `--tz "${v}" is not a time zone: use portal, local, UTC, an offset like +02:00, or an IANA name like Europe/Berlin`,
    );
  }
  return { kind: 'iana', name: canonicalZone(v) };
}

function isIanaZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

function canonicalZone(name: string): string {
  return new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
}

/** How a zone is named in report output. */
export function zoneLabel(spec: ZoneSpec): string {
  if (spec.kind === 'portal') return 'portal';
  if (spec.kind === 'iana') return spec.name;
  return spec.offsetMinutes === 0 ? 'UTC' : formatOffset(spec.offsetMinutes);
}

/**
 * Offsets and local wall-clock times in one zone. For `portal`, the caller passes each event's
 * own offset; the other kinds ignore it.
 */
export class ZoneClock {
  readonly label: string;
  /**
   * In `portal` mode, the offsets for an instant that is not an event's (a `--since` bound, an
   * aggregated time): the offset the portal used at that time. A number is one offset for all time.
   */
  readonly portalOffsets: OffsetHistory;
  private readonly offsets?: ZoneOffsets;

  constructor(
    readonly spec: ZoneSpec,
    portalOffsets: OffsetHistory | number = 0,
  ) {
    this.label = zoneLabel(spec);
    this.portalOffsets = typeof portalOffsets === 'number' ? OffsetHistory.constant(portalOffsets) : portalOffsets;
    if (spec.kind === 'iana') this.offsets = new ZoneOffsets(spec.name);
  }

  /** Minutes east of UTC at `time`; `eventOffset` is the portal's offset for that event, when `time` is one's. */
  offsetAt(time: number, eventOffset?: number): number {
    if (this.spec.kind === 'portal') return eventOffset ?? this.portalOffsets.at(time);
    if (this.spec.kind === 'fixed') return this.spec.offsetMinutes;
    return this.offsets!.at(time);
  }

  /** The wall-clock time at `time` as epoch-like milliseconds (UTC fields carry the local time). */
  wallClock(time: number, eventOffset?: number): number {
    return time + this.offsetAt(time, eventOffset) * 60_000;
  }

  /** Local wall-clock hours since the epoch: `floor(hour / 24)` is the local day, `hour % 24` the hour. */
  localHour(time: number, eventOffset?: number): number {
    return Math.floor(this.wallClock(time, eventOffset) / HOUR);
  }

  /** `2025-06-03` in this zone. */
  localDate(time: number, eventOffset?: number): string {
    return new Date(this.wallClock(time, eventOffset)).toISOString().slice(0, 10);
  }

  /** `2025-06-03T14:05:09+02:00`: the instant as this zone shows it. */
  format(time: number, eventOffset?: number): string {
    return formatAtOffset(time, this.offsetAt(time, eventOffset));
  }

  /**
   * Can UTC hours be mapped to local hours one to one between `from` and `to`? True for a fixed
   * whole-hour offset and for IANA zones whose offsets there are all whole hours; then SQL may
   * bucket by UTC hour instead of by quarter-hour.
   */
  hourAligned(from: number, to: number): boolean {
    if (this.spec.kind === 'fixed') return this.spec.offsetMinutes % 60 === 0;
    if (this.spec.kind === 'portal') return false;
    // A zone changes offset at most a few times a year: probing every ~2 weeks finds any
    // non-whole-hour offset in use (none lasts less than months), cheaply.
    const step = 14 * 24 * HOUR;
    for (let t = from; t <= to + step; t += step) {
      if (this.offsetAt(Math.min(t, to)) % 60 !== 0) return false;
    }
    return true;
  }
}

/** The day of a local hour number (`localHour` above) as `YYYY-MM-DD`. */
export function dayOfHour(hour: number): string {
  return new Date(Math.floor(hour / 24) * 24 * HOUR).toISOString().slice(0, 10);
}

/** Local day number (days since 1970-01-01 in the zone) as `YYYY-MM-DD`. */
export function dayName(day: number): string {
  return new Date(day * 24 * HOUR).toISOString().slice(0, 10);
}
