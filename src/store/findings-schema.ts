/**
 * The detection tables (schema 6): findings, their status history, the engine's state for
 * incremental runs, and the key that hashes typed logins which look like passwords. Times are
 * epoch milliseconds; lists and evidence are JSON text, so both databases store them alike.
 */
import type { Generated, Kysely } from 'kysely';
import type { DialectName } from './backend.js';

export type FindingStatus = 'open' | 'acknowledged' | 'resolved' | 'suppressed';
export const FINDING_STATUSES: readonly FindingStatus[] = ['open', 'acknowledged', 'resolved', 'suppressed'];

export interface FindingsTable {
  portal_id: number;
  /** The engine's deterministic id: a hash of rule, group key and window start. */
  id: string;
  rule: string;
  title: string;
  severity: string;
  /** JSON array of strings. */
  tags: string;
  group_key: string;
  first_seen: number;
  last_seen: number;
  count: number;
  /** JSON arrays of event ids (at most 1,000, oldest first). */
  event_ids: string;
  session_ids: string;
  confidence: string;
  /** JSON object. */
  evidence: string;
  status: FindingStatus;
  /** Until when a `suppressed` finding stays suppressed; null otherwise. */
  suppressed_until: number | null;
  created_at: number;
  updated_at: number;
}

export interface FindingHistoryTable {
  id: Generated<number>;
  portal_id: number;
  finding_id: string;
  at: number;
  status: FindingStatus;
  note: string | null;
}

export interface DetectStateTable {
  portal_id: number;
  /** Hash of the rules, their parameters and the login key: another rule set starts afresh. */
  fingerprint: string;
  /** The engine's `DetectState` as JSON. */
  state: string;
  last_time: number;
  last_id: number;
  updated_at: number;
}

export interface DetectKeysTable {
  portal_id: number;
  /** HMAC key for typed logins that look like passwords: random, made once per portal. */
  secret: string;
  created_at: number;
}

export interface FindingTables {
  findings: FindingsTable;
  finding_history: FindingHistoryTable;
  detect_state: DetectStateTable;
  detect_keys: DetectKeysTable;
}

/** Migration 6. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations describe tables that the current types may not know.
export async function createFindingTables(db: Kysely<any>, dialect: DialectName): Promise<void> {
  await db.schema
    .createTable('findings')
    .addColumn('portal_id', 'integer', (c) => c.notNull().references('portals.id'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('rule', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('tags', 'text', (c) => c.notNull())
    .addColumn('group_key', 'text', (c) => c.notNull())
    .addColumn('first_seen', 'bigint', (c) => c.notNull())
    .addColumn('last_seen', 'bigint', (c) => c.notNull())
    .addColumn('count', 'integer', (c) => c.notNull())
    .addColumn('event_ids', 'text', (c) => c.notNull())
    .addColumn('session_ids', 'text', (c) => c.notNull())
    .addColumn('confidence', 'text', (c) => c.notNull())
    .addColumn('evidence', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('suppressed_until', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('findings_pk', ['portal_id', 'id'])
    .execute();
  // `findings list` is newest first, usually of one portal; `show abc123` looks an id up by prefix.
  await db.schema.createIndex('findings_last_seen').on('findings').columns(['portal_id', 'last_seen']).execute();
  await db.schema.createIndex('findings_id').on('findings').columns(['id']).execute();

  await db.schema
    .createTable('finding_history')
    .addColumn('id', 'integer', (c) =>
      dialect === 'postgres' ? c.generatedByDefaultAsIdentity().primaryKey() : c.primaryKey().autoIncrement(),
    )
    .addColumn('portal_id', 'integer', (c) => c.notNull())
    .addColumn('finding_id', 'text', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('note', 'text')
    .execute();
  await db.schema.createIndex('finding_history_finding').on('finding_history').columns(['portal_id', 'finding_id', 'at']).execute();

  await db.schema
    .createTable('detect_state')
    .addColumn('portal_id', 'integer', (c) => c.notNull().references('portals.id'))
    .addColumn('fingerprint', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('last_time', 'bigint', (c) => c.notNull())
    .addColumn('last_id', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('detect_state_pk', ['portal_id', 'fingerprint'])
    .execute();

  await db.schema
    .createTable('detect_keys')
    .addColumn('portal_id', 'integer', (c) => c.primaryKey().references('portals.id'))
    .addColumn('secret', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
}
