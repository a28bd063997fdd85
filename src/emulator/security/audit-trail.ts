/**
 * The audit trail (`audit_events`): what admins did — session logouts, status changes, keys,
 * IP restrictions, login settings — each with the acting user, address and device. Unlike
 * login history it filters before it pages.
 */
import type { Device } from '../data/catalogue.js';

export interface AuditRecord {
  id: number;
  time: number;
  /** The acting user. */
  userId: string;
  action: number;
  ip: string;
  device: Device;
  page: string;
  /** What was acted on: session ids, user ids, key ids. */
  target: string[];
  /** The values the action text is formatted with. */
  description: string[];
}

export interface AuditQuery {
  userId?: string;
  action?: number;
  from?: number;
  to?: number;
  startIndex: number;
  count: number;
}

/** Our English wording for the actions the emulator writes (`{0}`: the description). */
export const AUDIT_TEXT: Record<number, string> = {
  4020: 'Users status updated: {0}',
  4034: 'Logged out of all active connections',
  4035: 'Logged out of an active connection: {0}',
  4036: 'Logged out of all active connections of {0}',
  6035: 'Audit settings updated',
  6058: 'API key created: {0}',
  6059: 'API key updated: {0}',
  6060: 'API key deleted: {0}',
  6094: 'IP security settings updated',
  6095: 'Login settings updated',
};

export class AuditTrail {
  private readonly records: AuditRecord[] = [];
  private nextId: number;

  constructor(firstId = 1) {
    this.nextId = firstId;
  }

  write(record: Omit<AuditRecord, 'id'>): AuditRecord {
    const full = { id: this.nextId++, ...record };
    this.records.push(full);
    return full;
  }

  /** Newest first. */
  newest(count: number): AuditRecord[] {
    return this.records.slice(-count).reverse();
  }

  /** Filter the whole trail, newest first, then page. */
  filter(q: AuditQuery): AuditRecord[] {
    const hits = this.records
      .filter(
        (r) =>
          (q.userId === undefined || r.userId === q.userId) &&
          (q.action === undefined || r.action === q.action) &&
          (q.from === undefined || r.time >= q.from) &&
          (q.to === undefined || r.time <= q.to),
      )
      .reverse();
    return hits.slice(Math.max(0, q.startIndex), Math.max(0, q.startIndex) + q.count);
  }
}
