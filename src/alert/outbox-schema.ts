/**
 * The outbox tables, as DDL both SQLite and PostgreSQL accept unchanged, so the archive's
 * migration can copy `OUTBOX_DDL` as it is. Times are epoch milliseconds (bigint); the payload
 * is the alert as JSON text, frozen at enqueue time so every retry sends the same body.
 *
 * `outbox_deliveries.status`: pending (due at `next_at`, or leased to a worker until then),
 * delivered, failed (gave up, or refused for good), gone (the receiver answered 410).
 * `claim` is the token of the worker holding the lease: marks from a worker whose lease ran out
 * and was taken over are ignored.
 */
import { type Kysely, sql } from 'kysely';

export const OUTBOX_DDL = `
CREATE TABLE outbox_alerts (
  id text PRIMARY KEY,
  finding_id text NOT NULL,
  revision integer NOT NULL,
  reason text NOT NULL,
  severity text NOT NULL,
  status text NOT NULL,
  payload text NOT NULL,
  created_at bigint NOT NULL
);
CREATE INDEX outbox_alerts_finding ON outbox_alerts (finding_id, revision);
CREATE INDEX outbox_alerts_created ON outbox_alerts (created_at);
CREATE TABLE outbox_deliveries (
  alert_id text NOT NULL REFERENCES outbox_alerts (id) ON DELETE CASCADE,
  destination text NOT NULL,
  status text NOT NULL,
  attempts integer NOT NULL DEFAULT 0,
  next_at bigint NOT NULL,
  claim text,
  last_error text,
  delivered_at bigint,
  PRIMARY KEY (alert_id, destination)
);
CREATE INDEX outbox_deliveries_due ON outbox_deliveries (status, next_at);
CREATE TABLE outbox_destinations (
  destination text PRIMARY KEY,
  disabled_at bigint NOT NULL,
  reason text NOT NULL
);
`;

/** The statements of OUTBOX_DDL one by one (drivers run one statement per call). */
export function outboxStatements(): string[] {
  return OUTBOX_DDL.split(';')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Create the tables; for tests and for databases the archive's migrations do not manage. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the outbox works on any database holding its tables.
export async function createOutboxTables(db: Kysely<any>): Promise<void> {
  for (const statement of outboxStatements()) await sql.raw(statement).execute(db);
}

export type DeliveryStatus = 'pending' | 'delivered' | 'failed' | 'gone';
