/**
 * The alert outbox (migration 8) on the archive: the `Outbox` of src/alert over the archive's
 * connection, locking the way the backend can (`capabilities.claimLocking`), and writing in the
 * archive's transactions, so alerts queued while findings are recorded commit with them.
 */
import { Outbox } from '../alert/outbox.js';
import type { StoreContext } from './context.js';

export interface ArchiveOutboxOptions {
  /** How long a claimed delivery stays with its worker (default: the outbox's, 5 minutes). */
  leaseMs?: number;
}

export function archiveOutbox(store: StoreContext, opts: ArchiveOutboxOptions = {}): Outbox {
  return new Outbox(() => store.db, {
    locking: store.backend.capabilities.claimLocking,
    leaseMs: opts.leaseMs,
    // Joins the store's open transaction (the one recording findings); else opens one its way.
    transaction: (fn) => store.writing(fn),
  });
}
