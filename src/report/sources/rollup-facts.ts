/**
 * Report facts from the archive's rollups (schema 9), for the questions they answer exactly, and
 * from the events (`archive/`) for the others. Rollups count whole UTC hours and days, so:
 *
 * - hour facts (`daily`, the summary's days and hours) need a period of whole UTC hours (or an
 *   open one) and a zone whose hours map one to one onto UTC hours over it (the portal's own
 *   whole-hour offsets, a whole-hour `--tz`, an IANA zone without half-hour offsets there);
 * - per-user and per-country facts (`users`, the summary's users and countries) need whole UTC
 *   days (or an open period);
 * - a `--user` filter always reads the events.
 *
 * A period that is not whole (a rolling "last 30 days") is split: its whole units come from the
 * rollups and its edges, under a unit each, from the events (`rollup-edges.ts`).
 *
 * Each question decides on its own, so a report may take some facts from each source; both give
 * the same facts (test/rollup-reports.test.ts runs every report both ways).
 */
import { type ExpressionBuilder, sql } from 'kysely';
import type { ActionKind } from '../../model/actions.js';
import { GUEST_ID } from '../../model/ids.js';
import type { OffsetHistory } from '../../model/offset-history.js';
import type { ArchiveStore } from '../../store/index.js';
import { USER_ACTIVITY_DIMS } from '../activity.js';
import { type ActivityDim, type ActivityFact, type ActivityOptions, type HourFact, type HourOptions, projectFacts, type UserSeen } from '../facts.js';
import type { CountryCount } from '../reports/summary.js';
import type { ZoneClock } from '../zone.js';
import type { ArchiveReportData } from './archive/index.js';
import { type ArchiveScope, flag, kindOf, num } from './archive/scope.js';
import type { ReportData } from './index.js';
import { edgesOf, mergeCountries, mergeHours, type SplitPeriod, splitPeriod, type Units } from './rollup-edges.js';
import { userParts } from './rollup-user-parts.js';

const HOUR = 3_600_000;
const DAY = 86_400_000;

/** A period of whole units (hours or days): the first and last unit it covers, or undefined when it is not whole. */
export function wholeUnits(scope: Pick<ArchiveScope, 'since' | 'until'>, unit: number): { first?: number; last?: number } | undefined {
  const { since, until } = scope;
  if (since !== undefined && since % unit !== 0) return undefined;
  if (until !== undefined && (until + 1) % unit !== 0) return undefined;
  return {
    first: since === undefined ? undefined : since / unit,
    last: until === undefined ? undefined : (until + 1) / unit - 1,
  };
}

/** `day` within whole days, on any day-keyed rollup table. */
function dayBounds(days: Units) {
  return <DB, TB extends keyof DB>(eb: ExpressionBuilder<DB, TB>) => {
    const day = sql.ref<number>('day');
    const parts = [sql<boolean>`1 = 1`];
    if (days.first !== undefined) parts.push(sql<boolean>`${day} >= ${days.first}`);
    if (days.last !== undefined) parts.push(sql<boolean>`${day} <= ${days.last}`);
    return eb.and(parts);
  };
}

const sameDims = (a: readonly ActivityDim[], b: readonly ActivityDim[]) =>
  a.length === b.length && a.every((d) => b.includes(d));

export class RollupReportData implements ReportData {
  private readonly portals: number[];

  constructor(
    private readonly store: ArchiveStore,
    readonly scope: ArchiveScope & { portalIds: readonly number[] },
    /** The event-scanning source, for what rollups cannot answer. */
    private readonly events: ArchiveReportData,
  ) {
    this.portals = scope.portalIds.length ? [...scope.portalIds] : [-1];
  }

  private get filtered(): boolean {
    return Boolean(this.scope.userIds?.length || this.scope.logins?.length);
  }

  /** The period as whole days, when rollups can answer for it. */
  private days() {
    return this.filtered ? undefined : wholeUnits(this.scope, DAY);
  }

  /** The period as whole days plus edges, when the rollups can answer for the days. */
  private split(unit: number): SplitPeriod | undefined {
    return this.filtered ? undefined : splitPeriod(this.scope, unit);
  }

  async hours(clock: ZoneClock, opts: HourOptions = {}): Promise<HourFact[]> {
    const split = opts.byCountry ? undefined : this.split(HOUR);
    const from = this.scope.since ?? Date.UTC(2000, 0, 1);
    const to = this.scope.until ?? Date.now();
    const spec = clock.spec;
    const aligned = spec.kind === 'portal' || (spec.kind === 'fixed' ? spec.offsetMinutes % 60 === 0 : clock.hourAligned(from, to));
    const rolled = split && aligned ? await this.rollupHours(split.units, clock) : undefined;
    if (!split || !rolled) return this.events.hours(clock, opts);
    const edges = edgesOf(split);
    if (!edges.length) return rolled;
    const parts = [rolled];
    for (const edge of edges) parts.push(await this.events.narrowed(edge).hours(clock, opts));
    return mergeHours(parts);
  }

  /** Hour facts of whole UTC hours; undefined when the portal's offsets split UTC hours. */
  private async rollupHours(hours: Units, clock: ZoneClock): Promise<HourFact[] | undefined> {
    const spec = clock.spec;
    let q = this.store.db
      .selectFrom('rollup_hours')
      .select(['hour', 'offset_minutes', 'kind', 'anonymous', (eb) => eb.fn.sum<number>('events').as('n')])
      .where('portal_id', 'in', this.portals);
    if (hours.first !== undefined) q = q.where('hour', '>=', hours.first);
    if (hours.last !== undefined) q = q.where('hour', '<=', hours.last);
    const rows = await q.groupBy(['hour', 'offset_minutes', 'kind', 'anonymous']).execute();
    const out = new Map<string, HourFact>();
    for (const r of rows) {
      const offset = num(r.offset_minutes);
      // A UTC hour at +05:30 falls into two local hours: only the events can say how.
      if (spec.kind === 'portal' && offset % 60 !== 0) return undefined;
      const utc = num(r.hour);
      const hour = spec.kind === 'portal' ? utc + offset / 60 : clock.localHour(utc * HOUR);
      const kind = kindOf(r.kind);
      const anonymous = flag(r.anonymous);
      const key = `${hour}|${kind}|${anonymous}`;
      const have = out.get(key);
      if (have) have.events += num(r.n);
      else out.set(key, { hour, kind, anonymous, events: num(r.n) });
    }
    return [...out.values()];
  }

  async countries(): Promise<CountryCount[]> {
    const split = this.split(DAY);
    if (!split) return this.events.countries();
    const rolled = await this.rollupCountries(split.units);
    const edges = edgesOf(split);
    if (!edges.length) return rolled;
    const parts = [rolled];
    for (const edge of edges) parts.push(await this.events.narrowed(edge).countries());
    return mergeCountries(parts);
  }

  private async rollupCountries(days: Units): Promise<CountryCount[]> {
    let q = this.store.db
      .selectFrom('rollup_place_days')
      .select([
        'country',
        (eb) => eb.fn.sum<number>('events').as('events'),
        (eb) => eb.fn.sum<number>('successes').as('successes'),
        (eb) => eb.fn.sum<number>('failures').as('failures'),
      ])
      .where('portal_id', 'in', this.portals);
    if (days.first !== undefined) q = q.where('day', '>=', days.first);
    if (days.last !== undefined) q = q.where('day', '<=', days.last);
    const rows = await q.groupBy('country').execute();
    return rows.map((r) => ({ country: r.country, events: num(r.events), successes: num(r.successes), failures: num(r.failures) }));
  }

  /** The users report's facts (`USER_ACTIVITY_DIMS`, anonymous ones by typed login) come from rollups; others from the events. */
  async activity(dims: readonly ActivityDim[], opts: ActivityOptions = {}): Promise<ActivityFact[]> {
    const split = this.split(DAY);
    const userFacts = sameDims(dims, USER_ACTIVITY_DIMS) && opts.anonymousDims !== undefined && sameDims(opts.anonymousDims, ['login']);
    if (!split || !userFacts) return this.events.activity(dims, opts);
    const rolled = await this.rollupActivity(split.units, opts);
    const edges = edgesOf(split);
    if (!edges.length) return rolled;
    const facts = [...rolled];
    for (const edge of edges) facts.push(...(await this.events.narrowed(edge).activity(dims, opts)));
    // One fact per key, as one read of the whole period groups them.
    return projectFacts(facts, dims, opts);
  }

  private async rollupActivity(days: Units, opts: ActivityOptions): Promise<ActivityFact[]> {
    const kinds = opts.kinds?.length ? [...opts.kinds] : undefined;
    const db = this.store.db;
    let typed = db
      .selectFrom('rollup_login_days')
      .select([
        'login_key',
        'kind',
        (eb) => eb.fn.sum<number>('events').as('n'),
        (eb) => eb.fn.min('first_time').as('first'),
        (eb) => eb.fn.max('last_time').as('last'),
      ])
      .where('portal_id', 'in', this.portals);
    if (days.first !== undefined) typed = typed.where('day', '>=', days.first);
    if (days.last !== undefined) typed = typed.where('day', '<=', days.last);
    if (kinds) typed = typed.where('kind', 'in', kinds);
    // Each fact is written out whole: a literal that spreads a shared object and then adds
    // properties defines each of them through V8's slow path (about 25 µs a fact, 250 ms of CPU
    // over the 6,000 facts of 1.5M events).
    // The e-mail is a key here, not min(email): the least is then chosen in JavaScript by the
    // builder, whatever the database's collation.
    const parts = await userParts(this.store, this.portals, days);
    const own: ActivityFact[] = [];
    for (const part of parts) {
      let q = db
        .selectFrom(part.table as 'rollup_user_days')
        .select([
          'user_id',
          'kind',
          'ip',
          'country',
          'browser',
          'platform',
          'email',
          (eb) => eb.fn.max('name').as('name'),
          (eb) => eb.fn.sum<number>('events').as('n'),
          (eb) => eb.fn.min('first_time').as('first'),
          (eb) => eb.fn.max('last_time').as('last'),
        ])
        .where(part.where);
      if (kinds) q = q.where('kind', 'in', kinds);
      for (const r of await q.groupBy(['user_id', 'kind', 'ip', 'country', 'browser', 'platform', 'email']).execute()) {
        own.push({
          userId: r.user_id,
          name: String(r.name ?? ''),
          login: r.email,
          anonymous: false,
          kind: kindOf(r.kind) as ActionKind,
          ip: r.ip,
          country: r.country,
          city: '',
          browser: r.browser || null,
          platform: r.platform || null,
          events: num(r.n),
          first: num(r.first),
          last: num(r.last),
        });
      }
    }
    // Two parts (a month not grouped yet, the period's edge days) may hold the same key.
    const facts = parts.length > 1 ? projectFacts(own, USER_ACTIVITY_DIMS) : own;
    for (const r of await typed.groupBy(['login_key', 'kind']).execute()) {
      facts.push({
        userId: '',
        name: '',
        // The attribution key stands for the login: the rule compares keys (model/attribution.ts).
        login: r.login_key || null,
        anonymous: true,
        kind: kindOf(r.kind),
        ip: '',
        country: '',
        city: '',
        browser: null,
        platform: null,
        events: num(r.n),
        first: num(r.first),
        last: num(r.last),
      });
    }
    return facts;
  }

  /**
   * Over a period that is not whole days, the events' own answer: it probes the time index per
   * user (a loose index scan), never reads the period's rows, and on SQLite costs a fraction of
   * grouping every user's rollup days (9 ms against 510 ms of CPU on 1M events).
   */
  async users(): Promise<UserSeen[]> {
    const days = this.days();
    return days ? this.rollupUsers(days) : this.events.users();
  }

  private async rollupUsers(days: Units): Promise<UserSeen[]> {
    // The history before the period, then the period: whether a user was seen in it.
    const ranges: Array<{ units: Units; inside: boolean }> = [{ units: days, inside: true }];
    if (days.first !== undefined) ranges.unshift({ units: { last: days.first - 1 }, inside: false });
    const rows: Array<{ user_id: string; name: string; first: unknown; last: unknown; inside: boolean }> = [];
    for (const range of ranges) {
      for (const part of await userParts(this.store, this.portals, range.units)) {
        const found = await this.store.db
          .selectFrom(part.table as 'rollup_user_days')
          .select(['user_id', 'name', (eb) => eb.fn.min('first_time').as('first'), (eb) => eb.fn.max('last_time').as('last')])
          .where(part.where)
          .groupBy(['user_id', 'name'])
          .execute();
        for (const r of found) rows.push({ ...r, inside: range.inside });
      }
    }
    const users = new Map<string, UserSeen>();
    for (const r of rows) {
      const seen: UserSeen = { userId: r.user_id, name: r.name, firstSeen: num(r.first), lastSeen: num(r.last), inPeriod: r.inside };
      const have = users.get(seen.userId);
      if (!have) users.set(seen.userId, seen);
      else {
        have.firstSeen = Math.min(have.firstSeen, seen.firstSeen);
        // The name on the newest event (the greatest on a tie).
        if (seen.lastSeen > have.lastSeen || (seen.lastSeen === have.lastSeen && seen.name > have.name)) {
          have.lastSeen = seen.lastSeen;
          have.name = seen.name;
        }
        have.inPeriod ||= seen.inPeriod;
      }
    }
    return [...users.values()];
  }

  /**
   * The id of each user's newest event in the period (the Guest id's: the newest anonymous
   * event), to order users whose newest events share an instant as a newest-first read does.
   * Only for whole days (undefined otherwise); only ties need it, so only ties are looked up.
   */
  async newestIds(): Promise<Map<string, number> | undefined> {
    const days = this.days();
    if (!days) return undefined;
    const db = this.store.db;
    const dayRange = dayBounds(days);
    const latest = new Map<string, number>();
    for (const part of await userParts(this.store, this.portals, days)) {
      const found = await db
        .selectFrom(part.table as 'rollup_user_days')
        .select(['user_id', (eb) => eb.fn.max('last_time').as('t')])
        .where(part.where)
        .groupBy('user_id')
        .execute();
      for (const r of found) latest.set(r.user_id, Math.max(latest.get(r.user_id) ?? Number.NEGATIVE_INFINITY, num(r.t)));
    }
    const guest = await db
      .selectFrom('rollup_login_days')
      .select((eb) => eb.fn.max('last_time').as('t'))
      .where('portal_id', 'in', this.portals)
      .where(dayRange)
      .executeTakeFirst();
    const byTime = new Map<number, string[]>();
    const at = (time: number, who: string) => byTime.set(time, [...(byTime.get(time) ?? []), who]);
    for (const [user, t] of latest) at(t, user);
    if (guest?.t !== null && guest?.t !== undefined) at(num(guest.t), GUEST_ID);
    const out = new Map<string, number>();
    for (const [time, who] of byTime) {
      if (who.length < 2) continue;
      const users = who.filter((w) => w !== GUEST_ID);
      const rows = await db
        .selectFrom('rollup_user_days')
        .select(['user_id', (eb) => eb.fn.max('last_id').as('id')])
        .where('portal_id', 'in', this.portals)
        .where(dayRange)
        // A day row's last event is on its day: the (portal, day) index finds the rows.
        .where('day', '=', Math.floor(time / DAY))
        .where('last_time', '=', time)
        .where('user_id', 'in', users.length ? users : [''])
        .groupBy('user_id')
        .execute();
      for (const r of rows) out.set(r.user_id, num(r.id));
      if (users.length < who.length) {
        const id = await db
          .selectFrom('rollup_login_days')
          .select((eb) => eb.fn.max('last_id').as('id'))
          .where('portal_id', 'in', this.portals)
          .where(dayRange)
          .where('last_time', '=', time)
          .executeTakeFirst();
        out.set(GUEST_ID, num(id?.id));
      }
    }
    return out;
  }

  lastSuccess(userIds: readonly string[]): Promise<Map<string, number>> {
    return this.events.lastSuccess(userIds);
  }

  portalOffsets(): Promise<OffsetHistory> {
    return this.events.portalOffsets();
  }
}
