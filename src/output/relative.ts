/** "3 h ago": how long since an instant, for a person reading a table on a terminal. */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** The age of `time` at `now` in one short unit; null and unparsable times stay as they are. */
export function timeAgo(time: number | string | null | undefined, now: number): string | null {
  if (time === null || time === undefined) return null;
  const t = typeof time === 'number' ? time : Date.parse(time);
  if (!Number.isFinite(t)) return typeof time === 'string' ? time : null;
  const age = now - t;
  // Clocks of two machines disagree by a few seconds: "in 2 s" would only confuse.
  if (Math.abs(age) < MINUTE) return 'just now';
  const span = Math.abs(age);
  const text =
    span < HOUR
      ? `${Math.floor(span / MINUTE)} min`
      : span < 2 * DAY
        ? `${Math.floor(span / HOUR)} h`
        : span < 365 * DAY
          ? `${Math.floor(span / DAY)} d`
          : `${Math.floor(span / (365 * DAY))} y`;
  return age > 0 ? `${text} ago` : `in ${text}`;
}
