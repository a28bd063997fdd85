/**
 * Hour facts from the archive. On SQLite, counted per UTC hour in index order and placed on the
 * local clock here when that is exact: for a whole-hour offset, or for the portal's own offsets
 * as long as they are whole hours. Other offsets (a `+05:30` portal, a zone with half-hour
 * offsets in the period), and PostgreSQL, bucket in SQL on the local clock.
 */
import { sql } from 'kysely';
import type { ActionKind } from '../../../model/actions.js';
import type { HourFact, HourOptions } from '../../facts.js';
import type { ZoneClock } from '../../zone.js';
import { type ArchiveQuery, flag, HOUR, kindOf, num, scopedByHour, UTC_HOUR } from './scope.js';

const QUARTER = 900_000;

/** `kind` as a small integer, and back. */
const KIND_CODE = sql<number>`CASE ${sql.ref('kind')} WHEN 'success' THEN 0 WHEN 'failure' THEN 1 WHEN 'logout' THEN 2 ELSE 3 END`;
const KIND_OF_CODE: readonly ActionKind[] = ['success', 'failure', 'logout', 'other'];

/** Adds events to the hour facts being collected. */
type AddHour = (hour: number, kind: ActionKind, anonymous: boolean, country: string | undefined, events: number) => void;

interface UtcHourRow {
  h: unknown;
  offset_minutes: unknown;
  anonymous: unknown;
  kind: unknown;
  country?: string;
  n: unknown;
}

/** Events per local hour, kind and anonymity (and country). */
export async function archiveHours(a: ArchiveQuery, clock: ZoneClock, opts: HourOptions = {}): Promise<HourFact[]> {
  const spec = clock.spec;
  const from = a.scope.since ?? Date.UTC(2000, 0, 1);
  const to = a.scope.until ?? Date.now();
  const out = new Map<string, HourFact>();
  const add: AddHour = (hour, kind, anonymous, country, events) => {
    const mapKey = `${hour}|${kind}|${anonymous}|${country ?? ''}`;
    const have = out.get(mapKey);
    if (have) have.events += events;
    else out.set(mapKey, { hour, kind, anonymous, events, ...(opts.byCountry ? { country } : {}) });
  };
  if (!a.groupsBySorting || (spec.kind !== 'portal' && !clock.hourAligned(from, to))) {
    await localHours(a, clock, from, to, !!opts.byCountry, false, add);
    return [...out.values()];
  }
  const keys = [sql.ref('portal_id'), sql.ref('anonymous'), UTC_HOUR, sql.ref('offset_minutes'), sql.ref('kind')];
  if (opts.byCountry) keys.push(sql.ref('country'));
  const rows = (await scopedByHour(a, a.db.selectFrom('events'))
    .select([
      UTC_HOUR.as('h'),
      'offset_minutes',
      'anonymous',
      'kind',
      ...(opts.byCountry ? (['country'] as const) : []),
      (eb) => eb.fn.countAll().as('n'),
    ])
    .groupBy(keys)
    .execute()) as UtcHourRow[];
  let unaligned = false;
  for (const r of rows) {
    const utcHour = num(r.h);
    const offset = num(r.offset_minutes);
    if (spec.kind === 'portal' && offset % 60 !== 0) {
      unaligned = true;
      continue;
    }
    const hour = spec.kind === 'portal' ? utcHour + offset / 60 : clock.localHour(utcHour * HOUR);
    add(hour, kindOf(r.kind), flag(r.anonymous), opts.byCountry ? (r.country ?? '') : undefined, num(r.n));
  }
  // A UTC hour at +05:30 falls into two local hours: count those events on the local clock.
  if (unaligned) await localHours(a, clock, from, to, !!opts.byCountry, true, add);
  return [...out.values()];
}

/**
 * Counts per bucket of `time` plus the zone's offset (fixed or the event's own), kind and
 * anonymity, mapped to local hours. An IANA zone is bucketed by UTC quarter hour and each bucket
 * placed by the zone's offset at that instant: exact across DST changes, with one GROUP BY.
 * Bucket, anonymity and kind are packed into one integer: SQLite sorts a single integer key
 * far faster than three columns. `unaligned`: only events whose own offset is not whole hours.
 */
async function localHours(
  a: ArchiveQuery,
  clock: ZoneClock,
  from: number,
  to: number,
  byCountry: boolean,
  unaligned: boolean,
  add: AddHour,
): Promise<void> {
  const spec = clock.spec;
  const offset =
    spec.kind === 'portal'
      ? sql`${sql.ref('offset_minutes')} * 60000`
      : sql.lit(spec.kind === 'fixed' ? spec.offsetMinutes * 60_000 : 0);
  const width =
    spec.kind === 'portal'
      ? HOUR
      : spec.kind === 'fixed'
        ? spec.offsetMinutes % 60 === 0
          ? HOUR
          : QUARTER
        : clock.hourAligned(from, to)
          ? HOUR
          : QUARTER;
  const key = sql<number>`((${sql.ref('time')} + ${offset}) / ${sql.lit(width)}) * 16 + ${sql.ref('anonymous')} * 8 + ${KIND_CODE}`;
  // Read from `events_report` too (it covers these columns), though grouped by a sort.
  let base = scopedByHour(a, a.db.selectFrom('events'));
  if (unaligned) base = base.where(sql<number>`${sql.ref('offset_minutes')} % 60`, '<>', 0);
  const rows = (
    byCountry
      ? await base
          .select([key.as('k'), 'country', (eb) => eb.fn.countAll().as('n')])
          .groupBy([key, 'country'])
          .execute()
      : await base.select([key.as('k'), (eb) => eb.fn.countAll().as('n')]).groupBy(key).execute()
  ) as Array<{ k: unknown; n: unknown; country?: string }>;
  for (const r of rows) {
    const k = num(r.k);
    const start = Math.floor(k / 16) * width;
    const hour = spec.kind === 'iana' ? clock.localHour(start) : Math.floor(start / HOUR);
    const kind = KIND_OF_CODE[k % 8] ?? 'other';
    add(hour, kind, (Math.floor(k / 8) & 1) === 1, byCountry ? (r.country ?? '') : undefined, num(r.n));
  }
}
