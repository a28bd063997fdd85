/**
 * Report facts from the archive, aggregated in SQL so that millions of events never cross into
 * JavaScript: GROUP BY over the period's rows for the grouped facts, and index probes (a loose
 * index scan over `events_user`) for everything per user. Kysely's builder, integer arithmetic on
 * epoch-ms `time`, and a recursive CTE both dialects accept.
 *
 * How the period is grouped depends on how the database groups. PostgreSQL hashes: one GROUP BY
 * over the period's rows. SQLite sorts, and sorting a month of events (~900k rows) cost it far
 * more than reading them, so it reads `events_report` (schema 3), whose key is anonymity, the UTC
 * hour (`time / 3600000`) and then the columns the reports group by: a GROUP BY that lists a
 * prefix of that key streams through the index with no sort. Hours are counted by UTC hour and
 * placed on the local clock here; activity is grouped per hour in index order, then those far
 * fewer rows by the dimensions asked for. Both shapes give the same facts (the tests run both).
 */
import { type Expression, type Kysely, type SelectQueryBuilder, sql } from 'kysely';
import type { ActionKind } from '../model/actions.js';
import { isActionKind } from '../model/actions.js';
import { GUEST_ID, isGuid } from '../model/ids.js';
import type { ArchiveSchema, ArchiveStore } from '../store/index.js';
import type { ActivityDim, ActivityFact, ActivityOptions, HourFact, Period, ReportData, UserSeen } from './facts.js';
import type { ZoneClock } from './zone.js';

const HOUR = 3_600_000;
const QUARTER = 900_000;

/** The UTC hour of an event, spelt exactly as `events_report` indexes it (a literal, not a parameter). */
const UTC_HOUR = sql<number>`${sql.ref('time')} / ${sql.lit(HOUR)}`;

/**
 * Activity dimensions in the order `events_report` has them after (portal, anonymous, hour,
 * offset, kind). `name` is covered too, but only as an attribute of the user's group.
 */
const INDEX_DIMS: readonly ActivityDim[] = ['country', 'user', 'login', 'ip', 'browser', 'platform'];

export interface ArchiveScope extends Period {
  /** Portals to read (default: every portal in the archive). */
  portalIds?: readonly number[];
  /** Only events of these user ids… */
  userIds?: readonly string[];
  /** …or typed with these logins (case-insensitive). */
  logins?: readonly string[];
}

type Db = Kysely<ArchiveSchema>;
type EventsQuery<O> = SelectQueryBuilder<ArchiveSchema, 'events', O>;
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

const num = (v: unknown): number => Number(v);
const flag = (v: unknown): boolean => v === true || Number(v) === 1;
const kindOf = (v: unknown): ActionKind => (typeof v === 'string' && isActionKind(v) ? v : 'other');

/**
 * The order dimensions are grouped in: the sort behind GROUP BY compares keys column by column,
 * so short, varied columns go first (cheaper comparisons, fewer ties to look past).
 */
const GROUP_ORDER: readonly ActivityDim[] = ['ip', 'user', 'login', 'country', 'city', 'browser', 'platform', 'name'];

/** `kind` as a small integer, and back. */
const KIND_CODE = sql<number>`CASE ${sql.ref('kind')} WHEN 'success' THEN 0 WHEN 'failure' THEN 1 WHEN 'logout' THEN 2 ELSE 3 END`;
const KIND_OF_CODE: readonly ActionKind[] = ['success', 'failure', 'logout', 'other'];

/**
 * The SQL expression of each activity dimension. The user id is grouped as an expression
 * (`user_id || ''`): grouped as the bare column, SQLite's planner walks `events_user` for its
 * order and then fetches every row at random, many times slower than the period's time range.
 */
const DIM_SQL: Record<ActivityDim, { column: string; expr: Expression<unknown> }> = {
  user: { column: 'user_id', expr: sql`${sql.ref('user_id')} || ''` },
  name: { column: 'user_name', expr: sql.ref('user_name') },
  login: { column: 'login_key', expr: sql`lower(${sql.ref('login')})` },
  ip: { column: 'ip', expr: sql.ref('ip') },
  country: { column: 'country', expr: sql.ref('country') },
  city: { column: 'city', expr: sql.ref('city') },
  browser: { column: 'browser', expr: sql.ref('browser') },
  platform: { column: 'platform', expr: sql.ref('platform') },
};

/**
 * Report facts over the archive. `scope.portalIds` undefined means every portal; the portal
 * list is read once, so every query names its portals (and each can use the per-portal indexes).
 */
export async function archiveData(store: ArchiveStore, scope: ArchiveScope = {}): Promise<ArchiveReportData> {
  const portalIds = scope.portalIds
    ? [...new Set(scope.portalIds)]
    : (await store.portals()).map((p) => p.id);
  return new ArchiveReportData(store, { ...scope, portalIds });
}

export class ArchiveReportData implements ReportData {
  private readonly portals: number[];
  /**
   * Does the database group by sorting? SQLite does (it has no hash aggregation): for it, reading
   * in the order of `events_report` is what makes a GROUP BY cheap. PostgreSQL hashes, and there
   * one GROUP BY over the period beats an extra hourly level whose groups outgrow its memory.
   */
  private readonly groupsBySorting: boolean;

  constructor(
    private readonly store: ArchiveStore,
    readonly scope: ArchiveScope & { portalIds: readonly number[] },
  ) {
    this.portals = [...scope.portalIds];
    this.groupsBySorting = store.dialect === 'sqlite';
  }

  private get db(): Db {
    return this.store.db;
  }

  /** The period, portal and user filters on a query over `events`. */
  private scoped<O>(q: EventsQuery<O>, period = true): EventsQuery<O> {
    const s = this.scope;
    q = q.where('portal_id', 'in', this.portals.length ? this.portals : [-1]);
    if (period && s.since !== undefined) q = q.where('time', '>=', s.since);
    if (period && s.until !== undefined) q = q.where('time', '<=', s.until);
    const ids = s.userIds?.length ? s.userIds.map((u) => u.toLowerCase()) : undefined;
    const logins = s.logins?.length ? s.logins.map((u) => u.toLowerCase()) : undefined;
    if (ids || logins) {
      q = q.where((eb) =>
        eb.or([
          ...(ids ? [eb('user_id', 'in', ids)] : []),
          ...(logins ? [eb.and([eb('login', 'is not', null), eb(eb.fn('lower', ['login']), 'in', logins)])] : []),
        ]),
      );
    }
    return q;
  }

  /**
   * `scoped` for a read of `events_report`: the period as a range of UTC hours, and the anonymity
   * asked for (default: both). `anonymous` is 0 or 1, and naming the values lets the index be
   * read as one range of hours per value instead of all of the portal's entries. On SQLite the
   * exact bounds are on `+time`: the unary plus keeps it from taking `events_time`'s range on
   * `time` instead (it may, before `PRAGMA optimize` has measured the new index) and then sorting.
   */
  private scopedByHour<O>(q: EventsQuery<O>, anonymous?: boolean): EventsQuery<O> {
    const { since, until } = this.scope;
    q = this.scoped(q, false).where('anonymous', 'in', anonymous === undefined ? [0, 1] : [anonymous ? 1 : 0]);
    const time = this.groupsBySorting ? sql<number>`+${sql.ref('time')}` : sql<number>`${sql.ref('time')}`;
    // Math.trunc is SQL's integer division: `time >= since` implies `time / 3600000 >= trunc(since / 3600000)`.
    if (since !== undefined) q = q.where(time, '>=', since).where(UTC_HOUR, '>=', Math.trunc(since / HOUR));
    if (until !== undefined) q = q.where(time, '<=', until).where(UTC_HOUR, '<=', Math.trunc(until / HOUR));
    return q;
  }

  /**
   * Events per local hour, kind and anonymity (and country). On SQLite, counted per UTC hour in
   * index order and placed on the local clock here when that is exact: for a whole-hour offset,
   * or for the portal's own offsets as long as they are whole hours. Other offsets (a `+05:30`
   * portal, a zone with half-hour offsets in the period), and PostgreSQL, bucket in SQL on the
   * local clock.
   */
  async hours(clock: ZoneClock, opts: { byCountry?: boolean } = {}): Promise<HourFact[]> {
    const spec = clock.spec;
    const from = this.scope.since ?? Date.UTC(2000, 0, 1);
    const to = this.scope.until ?? Date.now();
    const out = new Map<string, HourFact>();
    const add: AddHour = (hour, kind, anonymous, country, events) => {
      const mapKey = `${hour}|${kind}|${anonymous}|${country ?? ''}`;
      const have = out.get(mapKey);
      if (have) have.events += events;
      else out.set(mapKey, { hour, kind, anonymous, events, ...(opts.byCountry ? { country } : {}) });
    };
    if (!this.groupsBySorting || (spec.kind !== 'portal' && !clock.hourAligned(from, to))) {
      await this.localHours(clock, from, to, !!opts.byCountry, false, add);
      return [...out.values()];
    }
    const keys = [sql.ref('portal_id'), sql.ref('anonymous'), UTC_HOUR, sql.ref('offset_minutes'), sql.ref('kind')];
    if (opts.byCountry) keys.push(sql.ref('country'));
    const rows = (await this.scopedByHour(this.db.selectFrom('events'))
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
    if (unaligned) await this.localHours(clock, from, to, !!opts.byCountry, true, add);
    return [...out.values()];
  }

  /**
   * Counts per bucket of `time` plus the zone's offset (fixed or the event's own), kind and
   * anonymity, mapped to local hours. An IANA zone is bucketed by UTC quarter hour and each bucket
   * placed by the zone's offset at that instant: exact across DST changes, with one GROUP BY.
   * Bucket, anonymity and kind are packed into one integer: SQLite sorts a single integer key
   * far faster than three columns. `unaligned`: only events whose own offset is not whole hours.
   */
  private async localHours(
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
    let base = this.scopedByHour(this.db.selectFrom('events'));
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

  async activity(dims: readonly ActivityDim[], opts: ActivityOptions = {}): Promise<ActivityFact[]> {
    const unique = [...new Set(dims)];
    if (!opts.anonymousDims) return this.grouped(unique, opts.kinds);
    // Anonymous events grouped by fewer dimensions: two passes with narrower groups beat one
    // pass whose every row carries the wide key.
    const anonymous = opts.anonymousDims.filter((d) => unique.includes(d));
    return [...(await this.grouped(unique, opts.kinds, false)), ...(await this.grouped(anonymous, opts.kinds, true))];
  }

  private async grouped(
    dims: readonly ActivityDim[],
    kinds: readonly ActionKind[] | undefined,
    anonymous?: boolean,
  ): Promise<ActivityFact[]> {
    // With the user grouped, the name is an attribute of the group, not a key (see NAME_BY_USER).
    const nameByUser = dims.includes('user') && dims.includes('name');
    const keys = GROUP_ORDER.filter((d) => dims.includes(d) && !(nameByUser && d === 'name'));
    const rows =
      this.groupsBySorting && keys.every((d) => INDEX_DIMS.includes(d))
        ? await this.groupedByHour(keys, nameByUser, kinds, anonymous)
        : await this.groupedAtOnce(keys, nameByUser, kinds, anonymous);
    const text = (r: Record<string, unknown>, d: ActivityDim) =>
      dims.includes(d) ? ((r[DIM_SQL[d].column] as string | null) ?? null) : null;
    return rows.map((r) => ({
      userId: text(r, 'user') ?? '',
      name: text(r, 'name') ?? '',
      login: text(r, 'login'),
      anonymous: flag(r.anonymous),
      kind: kindOf(r.kind),
      ip: text(r, 'ip') ?? '',
      country: text(r, 'country') ?? '',
      city: text(r, 'city') ?? '',
      browser: text(r, 'browser'),
      platform: text(r, 'platform'),
      events: num(r.n),
      first: num(r.first),
      last: num(r.last),
    }));
  }

  /**
   * Dimensions `events_report` covers: grouped per hour in index order (the GROUP BY is a prefix
   * of its key, so nothing is sorted), then those groups by the dimensions asked for. A month of
   * a busy portal is some 900k events but only about a third as many hourly groups.
   */
  private async groupedByHour(
    keys: readonly ActivityDim[],
    nameByUser: boolean,
    kinds: readonly ActionKind[] | undefined,
    anonymous?: boolean,
  ): Promise<Array<Record<string, unknown>>> {
    const depth = Math.max(0, ...keys.map((d) => INDEX_DIMS.indexOf(d) + 1));
    // The bare user id here: `user_id || ''` (see DIM_SQL) would not be the index's column.
    const prefix = INDEX_DIMS.slice(0, depth).map((d) => (d === 'user' ? sql.ref('user_id') : DIM_SQL[d].expr));
    let q = this.scopedByHour(this.db.selectFrom('events'), anonymous);
    // `kind || ''`, not `kind`: compared to a single value, SQLite takes the column as constant,
    // drops it from the GROUP BY, no longer sees a prefix of the index there, and sorts.
    if (kinds?.length) q = q.where(sql<string>`${sql.ref('kind')} || ''`, 'in', [...kinds]);
    const hourly = q
      .select([
        // min(lower(login)), not lower(login): the bare expression in the result makes SQLite
        // read the row for `login`; the aggregate is computed from the index (and is the same
        // value, lower(login) being a group key).
        ...keys.map((d) =>
          (d === 'login' ? sql`min(${DIM_SQL.login.expr})` : sql.ref(DIM_SQL[d].column)).as(DIM_SQL[d].column),
        ),
        ...(nameByUser ? [sql`max(${sql.ref('user_name')})`.as('user_name')] : []),
        'kind',
        'anonymous',
        (eb) => eb.fn.countAll().as('n'),
        (eb) => eb.fn.min('time').as('first'),
        (eb) => eb.fn.max('time').as('last'),
      ])
      .groupBy([sql.ref('portal_id'), sql.ref('anonymous'), UTC_HOUR, sql.ref('offset_minutes'), sql.ref('kind'), ...prefix])
      .as('hourly');
    const columns = keys.map((d) => sql.ref(`hourly.${DIM_SQL[d].column}`));
    return (await this.db
      .selectFrom(hourly)
      .select([
        ...keys.map((d, i) => sql`${columns[i]}`.as(DIM_SQL[d].column)),
        ...(nameByUser ? [sql`max(${sql.ref('hourly.user_name')})`.as('user_name')] : []),
        'hourly.kind',
        'hourly.anonymous',
        (eb) => eb.fn.sum(sql.ref('hourly.n')).as('n'),
        (eb) => eb.fn.min(sql.ref('hourly.first')).as('first'),
        (eb) => eb.fn.max(sql.ref('hourly.last')).as('last'),
      ])
      .groupBy([...columns, 'hourly.kind', 'hourly.anonymous'])
      .execute()) as Array<Record<string, unknown>>;
  }

  /** One GROUP BY over the period's rows: on PostgreSQL, and for what `events_report` lacks (`city`, `name` alone). */
  private async groupedAtOnce(
    keys: readonly ActivityDim[],
    nameByUser: boolean,
    kinds: readonly ActionKind[] | undefined,
    anonymous?: boolean,
  ): Promise<Array<Record<string, unknown>>> {
    let q = this.scoped(this.db.selectFrom('events'));
    if (kinds?.length) q = q.where('kind', 'in', [...kinds]);
    if (anonymous !== undefined) q = q.where('anonymous', '=', anonymous ? 1 : 0);
    const exprs = keys.map((d) => DIM_SQL[d].expr);
    return (await q
      .select([
        ...exprs.map((e, i) => sql`${e}`.as(DIM_SQL[keys[i]].column)),
        ...(nameByUser ? [sql`max(${sql.ref('user_name')})`.as(DIM_SQL.name.column)] : []),
        'kind',
        'anonymous',
        (eb) => eb.fn.countAll().as('n'),
        (eb) => eb.fn.min('time').as('first'),
        (eb) => eb.fn.max('time').as('last'),
      ])
      .groupBy([...exprs, 'kind', 'anonymous'])
      .execute()) as Array<Record<string, unknown>>;
  }

  /**
   * Every user id per portal by a loose index scan of `events_user` (one probe per user, not a
   * pass over the events), each with its first and last event and whether it has one in the period.
   */
  async users(): Promise<UserSeen[]> {
    const { since, until } = this.scope;
    const merged = new Map<string, UserSeen>();
    for (const p of this.portals) {
      const upTo = until !== undefined ? sql`AND e.time <= ${until}` : sql``;
      const inside =
        since === undefined && until === undefined
          ? sql`1`
          : sql`CASE WHEN EXISTS (SELECT 1 FROM events e WHERE e.portal_id = ${p} AND e.user_id = u.id
              ${since !== undefined ? sql`AND e.time >= ${since}` : sql``} ${upTo}) THEN 1 ELSE 0 END`;
      const r = await sql<{ id: string; first_seen: unknown; last_seen: unknown; name: string | null; inside: unknown }>`
        WITH RECURSIVE u(id) AS (
          SELECT min(user_id) FROM events WHERE portal_id = ${p}
          UNION ALL
          SELECT (SELECT min(e.user_id) FROM events e WHERE e.portal_id = ${p} AND e.user_id > u.id)
          FROM u WHERE u.id IS NOT NULL
        )
        SELECT u.id AS id,
          (SELECT min(e.time) FROM events e WHERE e.portal_id = ${p} AND e.user_id = u.id ${upTo}) AS first_seen,
          (SELECT max(e.time) FROM events e WHERE e.portal_id = ${p} AND e.user_id = u.id ${upTo}) AS last_seen,
          (SELECT e.user_name FROM events e WHERE e.portal_id = ${p} AND e.user_id = u.id ${upTo}
            ORDER BY e.time DESC LIMIT 1) AS name,
          ${inside} AS inside
        FROM u WHERE u.id IS NOT NULL`.execute(this.db);
      for (const row of r.rows) {
        if (row.id === GUEST_ID || row.first_seen === null || row.first_seen === undefined) continue;
        const seen: UserSeen = {
          userId: row.id,
          name: row.name ?? '',
          firstSeen: num(row.first_seen),
          lastSeen: num(row.last_seen),
          inPeriod: flag(row.inside),
        };
        const have = merged.get(seen.userId);
        if (!have) merged.set(seen.userId, seen);
        else {
          have.firstSeen = Math.min(have.firstSeen, seen.firstSeen);
          if (seen.lastSeen > have.lastSeen) {
            have.lastSeen = seen.lastSeen;
            have.name = seen.name;
          }
          have.inPeriod ||= seen.inPeriod;
        }
      }
    }
    let users = [...merged.values()];
    const { userIds, logins } = this.scope;
    if (userIds?.length || logins?.length) {
      const ids = new Set((userIds ?? []).map((u) => u.toLowerCase()));
      users = users.filter((u) => ids.has(u.userId));
    }
    return users;
  }

  /** Newest successful login per user in the period: a backward walk of `events_user` that stops at the first success. */
  async lastSuccess(userIds: readonly string[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    const { since, until } = this.scope;
    for (const p of this.portals) {
      for (const raw of userIds) {
        const id = raw.toLowerCase();
        let q = this.db
          .selectFrom('events')
          .select('time')
          .where('portal_id', '=', p)
          .where('user_id', '=', id)
          .where('kind', '=', 'success');
        if (since !== undefined) q = q.where('time', '>=', since);
        if (until !== undefined) q = q.where('time', '<=', until);
        const row = await q.orderBy('time', 'desc').limit(1).executeTakeFirst();
        if (row) out.set(id, Math.max(out.get(id) ?? Number.NEGATIVE_INFINITY, num(row.time)));
      }
    }
    return out;
  }

  async portalOffset(): Promise<number | undefined> {
    let best: { time: number; offset: number } | undefined;
    for (const p of this.portals) {
      const row = await this.db
        .selectFrom('events')
        .select(['time', 'offset_minutes'])
        .where('portal_id', '=', p)
        .orderBy('time', 'desc')
        .limit(1)
        .executeTakeFirst();
      if (row && (!best || num(row.time) > best.time)) best = { time: num(row.time), offset: num(row.offset_minutes) };
    }
    return best?.offset;
  }
}

/**
 * `--user` values against the archive (no people API offline): a user id also matches the
 * anonymous failures typed with a login the archive ties to that user (a login on the user's own
 * events, or the user's name); an email or login also matches the user ids whose own events
 * carried it.
 */
export async function resolveArchiveUsers(
  store: ArchiveStore,
  portalIds: readonly number[],
  inputs: readonly string[],
): Promise<{ userIds: string[]; logins: string[] }> {
  const ids = new Set<string>();
  const logins = new Set<string>();
  const portals = portalIds.length ? [...portalIds] : [-1];
  for (const input of inputs.map((i) => i.trim().toLowerCase()).filter(Boolean)) {
    if (isGuid(input)) {
      ids.add(input);
      const known = await store.db
        .selectFrom('events')
        .select((eb) => eb.fn('lower', ['login']).as('l'))
        .distinct()
        .where('portal_id', 'in', portals)
        .where('user_id', '=', input)
        .where('login', 'is not', null)
        .execute();
      for (const k of known) if (k.l) logins.add(String(k.l));
      const named = await store.db
        .selectFrom('events')
        .select('user_name')
        .where('portal_id', 'in', portals)
        .where('user_id', '=', input)
        .orderBy('time', 'desc')
        .limit(1)
        .executeTakeFirst();
      if (named?.user_name) logins.add(named.user_name.toLowerCase());
    } else {
      logins.add(input);
      const owners = await store.db
        .selectFrom('events')
        .select('user_id')
        .distinct()
        .where('portal_id', 'in', portals)
        .where('login', 'is not', null)
        .where((eb) => eb(eb.fn('lower', ['login']), '=', input))
        .where('anonymous', '=', 0)
        .execute();
      for (const o of owners) ids.add(o.user_id);
    }
  }
  return { userIds: [...ids], logins: [...logins] };
}
