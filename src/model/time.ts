/**
 * Dates as DocSpace writes them and as users type them.
 *
 * The server prints `date` in the portal's zone with 7 fractional digits and either `Z` or
 * `±hh:mm` (e.g. `2025-06-03T14:05:09.0000000+02:00`). We keep the UTC instant and the offset
 * the portal used, so output can show the time the way the portal's own UI does.
 */

const API_DATE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,7}))?(Z|[+-]\d{2}:\d{2})?$/;

export interface ApiInstant {
  /** Milliseconds since the epoch (UTC). */
  readonly time: number;
  /** Offset of the portal's zone at that instant, in minutes east of UTC. */
  readonly offsetMinutes: number;
}

/**
 * Parse an ApiDateTime string. `assumeUtc` accepts a value with no zone as UTC: the server
 * writes some plain DateTime fields (e.g. `lastModified`) that way.
 */
export function parseApiDate(value: string, assumeUtc = false): ApiInstant | undefined {
  return serverDate(value) ?? parseAnyApiDate(value, assumeUtc);
}

function parseAnyApiDate(value: string, assumeUtc: boolean): ApiInstant | undefined {
  const m = API_DATE.exec(value);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac = '', zone] = m;
  if (!zone && !assumeUtc) return undefined;
  const ms = Number((frac + '000').slice(0, 3));
  const local = Date.UTC(+y, +mo - 1, +d, +h, +mi, +s, ms);
  if (Number.isNaN(local)) return undefined;
  // `+99:99` matches the pattern but is no offset at all.
  const offsetMinutes = zone ? parseUtcOffset(zone) : 0;
  if (offsetMinutes === undefined) return undefined;
  const check = new Date(local);
  // Reject 2025-02-30 and friends, which Date.UTC would silently roll over.
  if (check.getUTCDate() !== +d || check.getUTCMonth() !== +mo - 1) return undefined;
  return { time: local - offsetMinutes * 60_000, offsetMinutes };
}

/** The number written at `value[from, from + length)`, or -1 where a character is not a digit. */
function digitsAt(value: string, from: number, length: number): number {
  let n = 0;
  for (let i = from; i < from + length; i++) {
    const d = value.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * The shape the server writes every event date in (`2025-06-03T14:05:09.0000000+02:00`, or `Z`),
 * read without the pattern's captures and the Date the roll-over check needs: a full read parses
 * a date per event, and this is several times faster. Undefined for anything else, including
 * any date the general reading would reject or roll over (it then decides).
 */
function serverDate(value: string): ApiInstant | undefined {
  const zoned = value.length === 33;
  if (!zoned && value.length !== 28) return undefined;
  const c = (i: number) => value.charCodeAt(i);
  // - - T : : .
  if (c(4) !== 45 || c(7) !== 45 || c(10) !== 84 || c(13) !== 58 || c(16) !== 58 || c(19) !== 46) return undefined;
  let offsetMinutes = 0;
  if (zoned) {
    const sign = c(27);
    const hours = digitsAt(value, 28, 2);
    const minutes = digitsAt(value, 31, 2);
    if ((sign !== 43 && sign !== 45) || c(30) !== 58 || hours < 0 || minutes < 0 || minutes > 59) return undefined;
    offsetMinutes = sign === 45 ? -(hours * 60 + minutes) : hours * 60 + minutes;
  } else if (c(27) !== 90) {
    return undefined;
  }
  const y = digitsAt(value, 0, 4);
  const mo = digitsAt(value, 5, 2);
  const d = digitsAt(value, 8, 2);
  const h = digitsAt(value, 11, 2);
  const mi = digitsAt(value, 14, 2);
  const sec = digitsAt(value, 17, 2);
  const ms = digitsAt(value, 20, 3);
  // Years before 1000 (Date.UTC reads 0–99 as 19xx), impossible days and times that would roll
  // over are left to the general reading, as are fractions with a non-digit.
  if (y < 1000 || mo < 1 || mo > 12 || d < 1 || h < 0 || mi < 0 || sec < 0 || ms < 0 || digitsAt(value, 23, 4) < 0)
    return undefined;
  const leap = mo === 2 && y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  const inDay = ((h * 60 + mi) * 60 + sec) * 1000 + ms;
  if (d > DAYS_IN_MONTH[mo - 1] + (leap ? 1 : 0) || inDay >= DAY_MS) return undefined;
  return { time: Date.UTC(y, mo - 1, d) + inDay - offsetMinutes * 60_000, offsetMinutes };
}

/**
 * How far past the reader's clock an event's date may lie and still be trusted (another
 * service's clock): later events are archived, but flagged and never used as the checkpoint.
 */
export const FUTURE_TOLERANCE_MS = 10 * 60_000;

/** 2000-01-01 and 2100-01-01 UTC: no DocSpace login event can lie outside them. */
const PLAUSIBLE_FROM = 946_684_800_000;
const PLAUSIBLE_TO = 4_102_444_800_000;
/** Real zones lie between UTC−12:00 and UTC+14:00. */
const MAX_OFFSET_MINUTES = 14 * 60;

/**
 * Whether a parsed date could have been written by DocSpace for a login event. .NET's
 * `DateTime.MinValue` and `MaxValue` (year 0001, shown as 1901 by some paths, and 9999), an
 * offset such as +99:99, or a century away are a broken or hostile server: such an event is
 * quarantined, not archived. A date merely in the near future is plausible (another service's
 * clock) and is handled by sync instead.
 */
export function isPlausibleEventDate(instant: ApiInstant): boolean {
  return (
    instant.time >= PLAUSIBLE_FROM &&
    instant.time < PLAUSIBLE_TO &&
    Math.abs(instant.offsetMinutes) <= MAX_OFFSET_MINUTES
  );
}

const UTC_OFFSET = /^([+-])(\d{1,2}):?(\d{2})$/;

/**
 * `Z` → 0, `+02:00` → 120, `-0530` → -330: minutes east of UTC, or undefined when it is not an
 * offset (minutes past 59). The one reading of offset text: server dates, typed dates, `--tz`
 * and rule fixtures all go through it; callers bound the range they accept.
 */
export function parseUtcOffset(text: string): number | undefined {
  if (text === 'Z' || text === 'z') return 0;
  const m = UTC_OFFSET.exec(text);
  if (!m || Number(m[3]) > 59) return undefined;
  const minutes = Number(m[2]) * 60 + Number(m[3]);
  return m[1] === '-' ? -minutes : minutes;
}

export function formatOffset(offsetMinutes: number): string {
  if (offsetMinutes === 0) return 'Z';
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

const DAY_MS = 86_400_000;
const TWO = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));
const THREE = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));
let cachedDay = Number.NaN;
let cachedDayText = '';
/** Years 1970–9999: what `isoSeconds` formats (anything else goes through Date). */
const fast = (t: number) => t >= 0 && t < 253_402_300_800_000;

/**
 * `2025-06-03T14:05:09` for epoch ms `t` read as UTC: what `toISOString().slice(0, 19)` gives,
 * for years 0–9999. Exports format two dates per event, and events come in time order, so the
 * date part is computed once per day and the time of day from tables.
 */
function isoSeconds(t: number): string {
  const day = Math.floor(t / DAY_MS);
  if (day !== cachedDay) {
    cachedDay = day;
    cachedDayText = new Date(day * DAY_MS).toISOString().slice(0, 11);
  }
  const s = Math.floor((t - day * DAY_MS) / 1000);
  return `${cachedDayText}${TWO[Math.floor(s / 3600)]}:${TWO[Math.floor(s / 60) % 60]}:${TWO[s % 60]}`;
}

/** `new Date(time).toISOString()`, faster for the years a login history holds. */
export function isoUtc(time: number): string {
  if (!fast(time)) return new Date(time).toISOString();
  return `${isoSeconds(time)}.${THREE[time - Math.floor(time / 1000) * 1000]}Z`;
}

const offsetTexts = new Map<number, string>();

/** `formatOffset` for the few offsets a history holds, each computed once. */
export function offsetText(offsetMinutes: number): string {
  let text = offsetTexts.get(offsetMinutes);
  if (text === undefined) {
    text = formatOffset(offsetMinutes);
    offsetTexts.set(offsetMinutes, text);
  }
  return text;
}

/** `2025-06-03T14:05:09+02:00`: the instant as wall-clock time at the given offset. */
export function formatAtOffset(time: number, offsetMinutes: number, withMillis = false): string {
  const wall = time + offsetMinutes * 60_000;
  if (withMillis || !fast(wall)) {
    const iso = new Date(wall).toISOString();
    return (withMillis ? iso.slice(0, 23) : iso.slice(0, 19)) + formatOffset(offsetMinutes);
  }
  return isoSeconds(wall) + offsetText(offsetMinutes);
}

/**
 * The server's own format: local wall-clock time, 7 fractional digits, `Z` or `±hh:mm`. Sync
 * compares every served event with it, so it takes the same fast path as `isoUtc`.
 */
export function formatApiDate(time: number, offsetMinutes: number): string {
  const wall = time + offsetMinutes * 60_000;
  if (!fast(wall)) {
    const iso = new Date(wall).toISOString();
    return `${iso.slice(0, 19)}.${iso.slice(20, 23)}0000${formatOffset(offsetMinutes)}`;
  }
  return `${isoSeconds(wall)}.${THREE[wall - Math.floor(wall / 1000) * 1000]}0000${offsetText(offsetMinutes)}`;
}

/** What we send as `from`/`to`: ISO with `Z`; callers must percent-encode (`URLSearchParams` does). */
export function toQueryDate(time: number): string {
  return new Date(time).toISOString();
}

const RELATIVE = /^(\d+)\s*(s|m|h|d|w)$/i;
const UNIT_MS: Record<string, number> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/** `15m`, `12h`, `30d`, `2w` as milliseconds, or undefined. */
export function parseDuration(value: string): number | undefined {
  const m = RELATIVE.exec(value.trim());
  if (!m) return undefined;
  return Number(m[1]) * UNIT_MS[m[2].toLowerCase()];
}

const ISO_INPUT =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * A point in time typed by a user: relative (`7d` = seven days before `now`), `now`, or an ISO
 * date/date-time. A value without a zone is read as UTC (stated in the help), so the same command
 * means the same thing on every machine. Returns undefined when it is not a date.
 */
export function parseTimeInput(value: string, now: number = Date.now()): number | undefined {
  const v = value.trim();
  if (v.toLowerCase() === 'now') return now;
  const rel = parseDuration(v);
  if (rel !== undefined) return now - rel;
  const m = ISO_INPUT.exec(v);
  if (!m) return undefined;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', zone] = m;
  const ms = Number((frac + '000').slice(0, 3));
  const t = Date.UTC(+y, +mo - 1, +d, +h, +mi, +s, ms);
  const check = new Date(t);
  if (Number.isNaN(t) || check.getUTCDate() !== +d || check.getUTCMonth() !== +mo - 1) return undefined;
  if (+h > 23 || +mi > 59 || +s > 59) return undefined;
  const offset = zone ? parseUtcOffset(zone) : 0;
  if (offset === undefined) return undefined;
  return t - offset * 60_000;
}
