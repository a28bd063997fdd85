/**
 * Report facts from the archive, aggregated in SQL so that millions of events never cross into
 * JavaScript: GROUP BY over the period's rows for the grouped facts, and index probes (a loose
 * index scan over `events_user`) for everything per user. The same queries run on SQLite and
 * PostgreSQL: Kysely's builder, integer arithmetic on epoch-ms `time`, and a recursive CTE both
 * dialects accept.
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

  constructor(
    private readonly store: ArchiveStore,
    readonly scope: ArchiveScope & { portalIds: readonly number[] },
  ) {
    this.portals = [...scope.portalIds];
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
   * Counts per bucket of `time` (plus the zone's offset when it is fixed or the event's own), kind
   * and anonymity, mapped to local hours here. An IANA zone is bucketed by UTC hour (or quarter
   * hour where it has non-whole-hour offsets) and each bucket placed by the zone's offset at that
   * instant: exact across DST changes, with one GROUP BY. Bucket, anonymity and kind are packed
   * into one integer: SQLite sorts a single integer key far faster than three columns.
   */
  async hours(clock: ZoneClock, opts: { byCountry?: boolean } = {}): Promise<HourFact[]> {
    const spec = clock.spec;
    const offset =
      spec.kind === 'portal'
        ? sql`${sql.ref('offset_minutes')} * 60000`
        : sql.lit(spec.kind === 'fixed' ? spec.offsetMinutes * 60_000 : 0);
    const from = this.scope.since ?? Date.UTC(2000, 0, 1);
    const to = this.scope.until ?? Date.now();
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
    const base = this.scoped(this.db.selectFrom('events'));
    const rows = (
      opts.byCountry
        ? await base
            .select([key.as('k'), 'country', (eb) => eb.fn.countAll().as('n')])
            .groupBy([key, 'country'])
            .execute()
        : await base.select([key.as('k'), (eb) => eb.fn.countAll().as('n')]).groupBy(key).execute()
    ) as Array<{ k: unknown; n: unknown; country?: string }>;
    const out = new Map<string, HourFact>();
    for (const r of rows) {
      const k = num(r.k);
      const start = Math.floor(k / 16) * width;
      const hour = spec.kind === 'iana' ? clock.localHour(start) : Math.floor(start / HOUR);
      const kind = KIND_OF_CODE[k % 8] ?? 'other';
      const anonymous = (Math.floor(k / 8) & 1) === 1;
      const country = opts.byCountry ? (r.country ?? '') : undefined;
      const mapKey = `${hour}|${kind}|${anonymous}|${country ?? ''}`;
      const have = out.get(mapKey);
      if (have) have.events += num(r.n);
      else out.set(mapKey, { hour, kind, anonymous, events: num(r.n), ...(opts.byCountry ? { country } : {}) });
    }
    return [...out.values()];
  }

  async activity(dims: readonly ActivityDim[], opts: ActivityOptions = {}): Promise<ActivityFact[]> {
    const unique = [...new Set(dims)];
    if (!opts.anonymousDims) return this.grouped(unique, opts.kinds);
    // Anonymous events grouped by fewer dimensions: two passes with narrower sorts beat one
    // pass whose every row carries the wide key.
    const anonymous = opts.anonymousDims.filter((d) => unique.includes(d));
    return [...(await this.grouped(unique, opts.kinds, false)), ...(await this.grouped(anonymous, opts.kinds, true))];
  }

  private async grouped(
    dims: readonly ActivityDim[],
    kinds: readonly ActionKind[] | undefined,
    anonymous?: boolean,
  ): Promise<ActivityFact[]> {
    let q = this.scoped(this.db.selectFrom('events'));
    if (kinds?.length) q = q.where('kind', 'in', [...kinds]);
    if (anonymous !== undefined) q = q.where('anonymous', '=', anonymous ? 1 : 0);
    // With the user grouped, the name is an attribute of the group, not a key (see NAME_BY_USER).
    const nameByUser = dims.includes('user') && dims.includes('name');
    const keys = GROUP_ORDER.filter((d) => dims.includes(d) && !(nameByUser && d === 'name'));
    const exprs = keys.map((d) => DIM_SQL[d].expr);
    const rows = (await q
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
