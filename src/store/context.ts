/**
 * What the store's modules work on: the facade (`ArchiveStore`) seen from inside, with the
 * connection of the open transaction, if any, and the write path that joins or opens one.
 */
import type { Kysely } from 'kysely';
import type { Backend } from './backend.js';
import type { ArchiveSchema } from './schema.js';

export type Db = Kysely<ArchiveSchema>;

export interface StoreContext {
  readonly backend: Backend;
  /** File path, or the PostgreSQL URL without its password. */
  readonly location: string;
  /** The open transaction's connection when there is one, else the pool. */
  readonly db: Db;
  readonly inTransaction: boolean;
  /** Throw a UsageError when the archive is open read-only. */
  writable(): void;
  /** Run `fn` in the open transaction, or in one of its own (after checking `writable`). */
  writing<T>(fn: (db: Db) => Promise<T>): Promise<T>;
  transaction<T>(fn: (tx: StoreContext) => Promise<T>): Promise<T>;
}

/** Any value as text for the quarantine: its JSON, or what `String` makes of it. */
export function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
