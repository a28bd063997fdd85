/**
 * The durable outbox: alerts and their per-destination deliveries in SQL, delivered at least
 * once. A worker claims due deliveries with a lease; if it dies before marking them, the lease
 * runs out and the next claim sends them again with the same alert id, which receivers use to
 * drop the duplicate. Works on SQLite and PostgreSQL alike; only the claim's locking differs.
 */
import { hostname } from 'node:os';
import { type Kysely, sql } from 'kysely';
import type { NotifiedState } from './grouping.js';
import type { DeliveryStatus } from './outbox-schema.js';
import { type Alert, type FindingStatus, type NotifyReason, type Severity, severityRank } from './types.js';

export { createOutboxTables, OUTBOX_DDL, type DeliveryStatus } from './outbox-schema.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the archive's own schema type does not know these tables.
type Db = Kysely<any>;

/** Runs `fn` in one write transaction, joining one that is already open. */
export type TransactionRunner = <T>(fn: (db: Db) => Promise<T>) => Promise<T>;

/** Who holds a claim: a process on a host. Claims of a process that died can be taken back at once. */
export interface Worker {
  host: string;
  pid: number;
}

export interface OutboxOptions {
  /**
   * `skip-locked` (PostgreSQL): concurrent workers claim disjoint rows with FOR UPDATE SKIP LOCKED.
   * `single-writer` (SQLite): the claim is one UPDATE … RETURNING statement, which SQLite runs
   * under its single write lock, so two workers can never take the same row either.
   */
  locking: 'skip-locked' | 'single-writer';
  /**
   * How long a claimed delivery stays with its worker before another may take it (default 5 min).
   * Keep it above what one pass can take (claim limit × send timeout per destination), or a slow
   * pass is sent twice; twice is allowed (at-least-once), never zero times.
   */
  leaseMs?: number;
  /**
   * How to open a write transaction (default: Kysely's, or none when `db` already is one). An
   * archive passes its own, so the outbox joins the transaction that records the findings and
   * SQLite waits for its write lock the archive's way.
   */
  transaction?: TransactionRunner;
  /** Written into every claim, so `releaseDead` can tell whose claims they are (default: this process). */
  worker?: Worker;
}

/** One delivery a worker holds: send `alert` to `destination`, then mark it with this claim. */
export interface Claim {
  alertId: string;
  destination: string;
  /** Attempts so far, this one included. */
  attempts: number;
  token: string;
  alert: Alert;
}

export interface DeliveryRow {
  alertId: string;
  destination: string;
  status: DeliveryStatus;
  attempts: number;
  nextAt: number;
  lastError: string | null;
  deliveredAt: number | null;
}

export interface AlertRow {
  id: string;
  findingId: string;
  revision: number;
  reason: NotifyReason;
  severity: Severity;
  status: FindingStatus;
  rule: string;
  title: string;
  createdAt: number;
  /** How many of its deliveries are in each state. */
  deliveries: Partial<Record<DeliveryStatus, number>>;
}

export const DEFAULT_LEASE_MS = 5 * 60 * 1000;

/** Most severe first, in SQL both dialects run (severity is stored as its name). */
const SEVERITY_ORDER = sql.raw(
  `case a.severity when 'critical' then 0 when 'high' then 1 when 'medium' then 2 when 'low' then 3 else 4 end`,
);

/** The claim order: most severe, then newest, then by id (as SEVERITY_ORDER in SQL). */
const byPriority = (a: Claim, b: Claim): number =>
  severityRank(b.alert.finding.severity) - severityRank(a.alert.finding.severity) ||
  b.alert.createdAt - a.alert.createdAt ||
  (a.alertId < b.alertId ? -1 : a.alertId > b.alertId ? 1 : 0);

const num = (v: unknown): number => Number(v);
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

export class Outbox {
  private readonly leaseMs: number;
  private readonly connection: () => Db;
  private readonly worker: Worker;

  /** `db`, or a function giving the connection to use now (an archive's, which follows its open transaction). */
  constructor(
    db: Db | (() => Db),
    private readonly options: OutboxOptions,
  ) {
    this.leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    this.connection = typeof db === 'function' ? db : () => db;
    this.worker = options.worker ?? { host: hostname(), pid: process.pid };
  }

  private get db(): Db {
    return this.connection();
  }

  private inTransaction<T>(fn: (db: Db) => Promise<T>): Promise<T> {
    if (this.options.transaction) return this.options.transaction(fn);
    const db = this.db;
    return db.isTransaction ? fn(db) : db.transaction().execute(fn);
  }

  /**
   * Store an alert and one pending delivery per destination, due at once. Enqueuing the same
   * alert id again changes nothing and returns false. Inside a caller's transaction (the one
   * that records the finding) it joins it; otherwise it opens its own.
   */
  async enqueue(alert: Alert, destinations: readonly string[]): Promise<boolean> {
    const run = async (db: Db): Promise<boolean> => {
      const inserted = await db
        .insertInto('outbox_alerts')
        .values({
          id: alert.id,
          finding_id: alert.finding.id,
          revision: alert.finding.revision,
          reason: alert.reason,
          severity: alert.finding.severity,
          status: alert.finding.status,
          payload: JSON.stringify(alert),
          created_at: alert.createdAt,
        })
        .onConflict((oc) => oc.column('id').doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) return false;
      if (destinations.length) {
        await db
          .insertInto('outbox_deliveries')
          .values([...new Set(destinations)].map((destination) => ({
            alert_id: alert.id,
            destination,
            status: 'pending',
            attempts: 0,
            next_at: alert.createdAt,
          })))
          .execute();
      }
      return true;
    };
    return this.inTransaction(run);
  }

  /** What was last enqueued for a finding: the grouping decision's memory. */
  async lastNotified(findingId: string): Promise<NotifiedState | undefined> {
    const row = await this.db
      .selectFrom('outbox_alerts')
      .select(['revision', 'severity', 'status', 'created_at'])
      .where('finding_id', '=', findingId)
      .orderBy('revision', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (!row) return undefined;
    return { revision: num(row.revision), severity: row.severity as Severity, status: row.status as FindingStatus, notifiedAt: num(row.created_at) };
  }

  /**
   * Lease up to `limit` due deliveries to enabled destinations, the most severe first and, within
   * a severity, the newest first: a new critical alert never waits behind a backlog of old low ones.
   */
  async claimDue(now: number, limit = 50): Promise<Claim[]> {
    // The global Web Crypto, loaded when a claim is made: opening the archive (every sync) never loads crypto.
    const token = `${this.worker.host}/${this.worker.pid}/${globalThis.crypto.randomUUID()}`;
    const lock = this.options.locking === 'skip-locked' ? sql`for update of d skip locked` : sql``;
    const claimed = await sql<{ alert_id: string; destination: string; attempts: unknown }>`
      update outbox_deliveries
      set claim = ${token}, attempts = attempts + 1, next_at = ${now + this.leaseMs}
      where (alert_id, destination) in (
        select d.alert_id, d.destination from outbox_deliveries d
        join outbox_alerts a on a.id = d.alert_id
        where d.status = 'pending' and d.next_at <= ${now}
          and not exists (select 1 from outbox_destinations x where x.destination = d.destination)
        order by ${SEVERITY_ORDER}, a.created_at desc, d.alert_id
        limit ${limit}
        ${lock}
      )
      returning alert_id, destination, attempts`.execute(this.db);
    if (!claimed.rows.length) return [];
    const ids = [...new Set(claimed.rows.map((r) => r.alert_id))];
    const payloads = await this.db.selectFrom('outbox_alerts').select(['id', 'payload']).where('id', 'in', ids).execute();
    const alerts = new Map(payloads.map((p) => [p.id as string, JSON.parse(p.payload as string) as Alert]));
    // RETURNING gives rows in storage order, not the subquery's: sort again.
    return claimed.rows
      .map((r) => ({ alertId: r.alert_id, destination: r.destination, attempts: num(r.attempts), token, alert: alerts.get(r.alert_id)! }))
      .sort(byPriority);
  }

  /**
   * Take back at once the claims of processes on `host` that no longer run (a watcher killed
   * mid-delivery): their deliveries become due at `now` instead of waiting out the lease. The
   * attempt they made still counts. Returns how many deliveries came back.
   */
  async releaseDead(now: number, isAlive: (pid: number) => boolean, host = this.worker.host): Promise<number> {
    const rows = await this.db
      .selectFrom('outbox_deliveries')
      .select('claim')
      .distinct()
      .where('status', '=', 'pending')
      .where('claim', 'like', `${host}/%`)
      .execute();
    const dead = rows
      .map((r) => r.claim as string)
      .filter((claim) => {
        const pid = Number(claim.slice(host.length + 1).split('/')[0]);
        return Number.isInteger(pid) && pid !== this.worker.pid && !isAlive(pid);
      });
    if (!dead.length) return 0;
    const result = await this.db
      .updateTable('outbox_deliveries')
      .set({ claim: null, next_at: now })
      .where('status', '=', 'pending')
      .where('claim', 'in', dead)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  /** The receiver has it. False when the claim was lost (its lease ran out and another worker took it). */
  markDelivered(claim: Claim, now: number): Promise<boolean> {
    return this.finish(claim, { status: 'delivered', delivered_at: now, last_error: null });
  }

  /** Try again at `nextAt`. */
  markRetry(claim: Claim, nextAt: number, error: string): Promise<boolean> {
    return this.finish(claim, { status: 'pending', next_at: nextAt, last_error: error });
  }

  /** Give up on this delivery (refused for good, or the retry schedule is used up); `replay` revives it. */
  markFailed(claim: Claim, error: string): Promise<boolean> {
    return this.finish(claim, { status: 'failed', last_error: error });
  }

  /** The receiver said 410: this delivery ends and the destination gets nothing more until `enableDestination`. */
  async markGone(claim: Claim, error: string, now: number): Promise<boolean> {
    const run = async (db: Db) => {
      await db
        .insertInto('outbox_destinations')
        .values({ destination: claim.destination, disabled_at: now, reason: error })
        .onConflict((oc) => oc.column('destination').doNothing())
        .execute();
      return this.finish(claim, { status: 'gone', last_error: error }, db);
    };
    return this.inTransaction(run);
  }

  /** Hand a claimed delivery back untried (the destination's rate cap): the attempt does not count. */
  defer(claim: Claim, nextAt: number): Promise<boolean> {
    return this.finish(claim, { status: 'pending', next_at: nextAt, attempts: sql`attempts - 1` });
  }

  /**
   * Send alerts created since `since` again: their finished deliveries (delivered, failed, gone),
   * optionally to one destination only, become due at `now` with a fresh retry schedule.
   * Receivers see the same alert ids and can drop what they already have. Returns the count.
   */
  async replay(since: number, now: number, destination?: string): Promise<number> {
    let query = this.db
      .updateTable('outbox_deliveries')
      .set({ status: 'pending', attempts: 0, next_at: now, claim: null, last_error: null, delivered_at: null })
      .where('status', '<>', 'pending')
      .where('alert_id', 'in', this.db.selectFrom('outbox_alerts').select('id').where('created_at', '>=', since));
    if (destination !== undefined) query = query.where('destination', '=', destination);
    const result = await query.executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  async disabledDestinations(): Promise<Array<{ destination: string; disabledAt: number; reason: string }>> {
    const rows = await this.db.selectFrom('outbox_destinations').selectAll().orderBy('destination').execute();
    return rows.map((r) => ({ destination: r.destination, disabledAt: num(r.disabled_at), reason: r.reason }));
  }

  /** After fixing a destination that answered 410: its pending deliveries flow again. */
  async enableDestination(destination: string): Promise<boolean> {
    const result = await this.db.deleteFrom('outbox_destinations').where('destination', '=', destination).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /** When the next pending delivery to an enabled destination falls due (epoch ms), if any. */
  async nextDue(): Promise<number | undefined> {
    const row = await this.db
      .selectFrom('outbox_deliveries as d')
      .select((eb) => eb.fn.min('d.next_at').as('next'))
      .where('d.status', '=', 'pending')
      .where((eb) => eb.not(eb.exists(eb.selectFrom('outbox_destinations as x').select('x.destination').whereRef('x.destination', '=', 'd.destination'))))
      .executeTakeFirst();
    return numOrNull(row?.next) ?? undefined;
  }

  /** Alerts, newest first, with where each delivery stands: what `alerts list` shows. */
  async alerts(query: { since?: number; limit?: number } = {}): Promise<AlertRow[]> {
    let q = this.db.selectFrom('outbox_alerts').selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc');
    if (query.since !== undefined) q = q.where('created_at', '>=', query.since);
    if (query.limit !== undefined) q = q.limit(query.limit);
    const rows = await q.execute();
    if (!rows.length) return [];
    const deliveries = await this.db
      .selectFrom('outbox_deliveries')
      .select(['alert_id', 'status'])
      .where('alert_id', 'in', rows.map((r) => r.id))
      .execute();
    return rows.map((r) => {
      const counts: Partial<Record<DeliveryStatus, number>> = {};
      for (const d of deliveries) if (d.alert_id === r.id) counts[d.status as DeliveryStatus] = (counts[d.status as DeliveryStatus] ?? 0) + 1;
      const alert = JSON.parse(r.payload as string) as Alert;
      return {
        id: r.id,
        findingId: r.finding_id,
        revision: num(r.revision),
        reason: r.reason,
        severity: r.severity,
        status: r.status,
        rule: alert.finding.rule,
        title: alert.finding.title,
        createdAt: num(r.created_at),
        deliveries: counts,
      };
    });
  }

  /**
   * The ids `idOrPrefix` names: itself when an alert has it, else those that start with it (like
   * git's short hashes), in order, at most `limit`. Alert ids hold any character, so no LIKE.
   */
  async alertIds(idOrPrefix: string, limit = 6): Promise<string[]> {
    const exact = await this.db.selectFrom('outbox_alerts').select('id').where('id', '=', idOrPrefix).executeTakeFirst();
    if (exact) return [exact.id as string];
    const head = sql<string>`substr(${sql.ref('id')}, 1, ${sql.lit(Array.from(idOrPrefix).length)})`;
    const rows = await this.db.selectFrom('outbox_alerts').select('id').where(head, '=', idOrPrefix).orderBy('id').limit(limit).execute();
    return rows.map((r) => r.id as string);
  }

  /** One alert as it is sent, or undefined. */
  async alert(id: string): Promise<Alert | undefined> {
    const row = await this.db.selectFrom('outbox_alerts').select('payload').where('id', '=', id).executeTakeFirst();
    return row ? (JSON.parse(row.payload as string) as Alert) : undefined;
  }

  /** Deliveries, of one alert or all, for status output and tests. */
  async deliveries(alertId?: string): Promise<DeliveryRow[]> {
    let query = this.db.selectFrom('outbox_deliveries').selectAll().orderBy('alert_id').orderBy('destination');
    if (alertId !== undefined) query = query.where('alert_id', '=', alertId);
    const rows = await query.execute();
    return rows.map((r) => ({
      alertId: r.alert_id,
      destination: r.destination,
      status: r.status,
      attempts: num(r.attempts),
      nextAt: num(r.next_at),
      lastError: r.last_error ?? null,
      deliveredAt: numOrNull(r.delivered_at),
    }));
  }

  private async finish(claim: Claim, set: Record<string, unknown>, db: Db = this.db): Promise<boolean> {
    const result = await db
      .updateTable('outbox_deliveries')
      .set({ ...set, claim: null })
      .where('alert_id', '=', claim.alertId)
      .where('destination', '=', claim.destination)
      .where('claim', '=', claim.token)
      .where('status', '=', 'pending')
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }
}
