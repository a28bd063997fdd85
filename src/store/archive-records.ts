/**
 * The detection side of the archive's facade: findings and the detector's state, the responses
 * sent to the portal, and the alert outbox. `ArchiveStore` extends it, so these stay methods of
 * the store (`store.upsertFindings(…)`) while archive-store.ts keeps the connection, the
 * transaction and the events; each method hands its concern to its module, over the store seen
 * as a `StoreContext`.
 */
import type { Outbox } from '../alert/outbox.js';
import type { DetectState } from '../detect/engine.js';
import type { DetectEvent, Finding } from '../detect/types.js';
import type { EventFilter } from '../history/filter.js';
import type { Backend } from './backend.js';
import type { Db, StoreContext } from './context.js';
import * as scan from './events-scan.js';
import type { EventPosition } from './events-read.js';
import * as findings from './findings.js';
import type { FindingStatus, FindingsQuery, StatusChange, StoredDetectState, StoredFinding, UpsertResult } from './findings.js';
import { archiveOutbox, type ArchiveOutboxOptions } from './outbox.js';
import * as responses from './responses.js';
import type { ResponsesQuery, StoredResponse, StoredResponseInput } from './responses.js';

export abstract class ArchiveRecords implements StoreContext {
  abstract readonly backend: Backend;
  abstract readonly location: string;
  abstract readonly db: Db;
  abstract readonly inTransaction: boolean;
  abstract writable(): void;
  abstract writing<T>(fn: (db: Db) => Promise<T>): Promise<T>;
  abstract transaction<T>(fn: (tx: StoreContext) => Promise<T>): Promise<T>;

  // --- findings (findings.ts) -------------------------------------------------------------------

  /** The same events with only the fields detection reads (`DetectEvent`): the detection runs' read. */
  scanDetectEvents(portalId: number, filter: EventFilter = {}, after?: EventPosition): AsyncGenerator<DetectEvent[]> {
    return scan.detectEventsOldestFirst(this, portalId, filter, after);
  }

  /** Store a run's findings: new ids added, grown ones updated, the same ones left alone. */
  upsertFindings(portalId: number, list: readonly Finding[], now?: number): Promise<UpsertResult> {
    return findings.upsertFindings(this, portalId, list, now);
  }

  listFindings(query: FindingsQuery = {}): Promise<StoredFinding[]> {
    return findings.listFindings(this, query);
  }

  /** A finding by id or unique prefix; a usage error when none or several fit. */
  getFinding(idOrPrefix: string, opts: { portalIds?: readonly number[] } = {}): Promise<StoredFinding> {
    return findings.getFinding(this, idOrPrefix, opts);
  }

  setFindingStatus(idOrPrefix: string, status: FindingStatus, note?: string, change: StatusChange = {}): Promise<StoredFinding> {
    return findings.setFindingStatus(this, idOrPrefix, status, { ...change, note: note ?? change.note });
  }

  loadDetectState(portalId: number, fingerprint: string): Promise<StoredDetectState | undefined> {
    return findings.loadDetectState(this, portalId, fingerprint);
  }

  saveDetectState(portalId: number, fingerprint: string, state: DetectState): Promise<void> {
    return findings.saveDetectState(this, portalId, fingerprint, state);
  }

  /** The portal's key for hashing password-like typed logins (made once, then kept). */
  detectSecret(portalId: number): Promise<string | undefined> {
    return findings.detectSecret(this, portalId);
  }

  // --- responses (responses.ts) -----------------------------------------------------------------

  /** Record a containment action sent to the portal (requests, answers, verification); its row id. */
  recordResponse(portalId: number, response: StoredResponseInput): Promise<number> {
    return responses.recordResponse(this, portalId, response);
  }

  /** Recorded responses, oldest first: a portal's, a finding's, the automatic ones of the last hour. */
  responses(query: ResponsesQuery = {}): Promise<StoredResponse[]> {
    return responses.responses(this, query);
  }

  // --- alert outbox (outbox.ts) -------------------------------------------------------------------

  /**
   * The durable alert outbox in this archive. Used inside a `transaction`, what it queues
   * commits with everything else the transaction writes (the findings that caused the alerts).
   */
  outbox(opts: ArchiveOutboxOptions = {}): Outbox {
    return archiveOutbox(this, opts);
  }
}
