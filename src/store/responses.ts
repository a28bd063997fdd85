/**
 * The responses table (schema 7): one row per containment action sent to a portal, with the
 * requests, the portal's answers and the verification, next to the finding it answered.
 * Dry runs are not stored: nothing happened on the portal.
 */
import type { StoreContext } from './context.js';

export interface StoredResponseInput {
  findingId?: string | null;
  action: 'logout-session' | 'logout-user' | 'disable-user';
  targetUserId: string;
  targetSessionId?: number | null;
  outcome: 'verified' | 'unverified' | 'failed';
  /** A watcher responded on its own (default false). */
  automatic?: boolean;
  /** Sent requests with their answers: plain data, stored as JSON. Never a credential. */
  requests: unknown;
  verification?: unknown;
  error?: string | null;
  startedAt: number;
  finishedAt: number;
}

export interface StoredResponse extends StoredResponseInput {
  id: number;
  portalId: number;
}

export async function recordResponse(s: StoreContext, portalId: number, r: StoredResponseInput): Promise<number> {
  const row = await s.writing((db) =>
    db
      .insertInto('responses')
      .values({
        portal_id: portalId,
        finding_id: r.findingId ?? null,
        action: r.action,
        target_user_id: r.targetUserId,
        target_session_id: r.targetSessionId ?? null,
        outcome: r.outcome,
        automatic: r.automatic ? 1 : 0,
        requests: JSON.stringify(r.requests),
        verification: r.verification === undefined ? null : JSON.stringify(r.verification),
        error: r.error ?? null,
        started_at: r.startedAt,
        finished_at: r.finishedAt,
      })
      .returning('id')
      .executeTakeFirstOrThrow(),
  );
  return Number(row.id);
}

export interface ResponsesQuery {
  portalId?: number;
  findingId?: string;
  /** Only those started at or after this time (epoch ms). */
  since?: number;
  /** Only automatic ones (true) or only those a person asked for (false). */
  automatic?: boolean;
}

/** Responses, oldest first; `{portalId, automatic: true, since: now - 1h}` is what the hourly cap counts. */
export async function responses(s: StoreContext, q: ResponsesQuery = {}): Promise<StoredResponse[]> {
  let query = s.db.selectFrom('responses').selectAll().orderBy('id');
  if (q.portalId !== undefined) query = query.where('portal_id', '=', q.portalId);
  if (q.findingId !== undefined) query = query.where('finding_id', '=', q.findingId);
  if (q.since !== undefined) query = query.where('started_at', '>=', q.since);
  if (q.automatic !== undefined) query = query.where('automatic', '=', q.automatic ? 1 : 0);
  const rows = await query.execute();
  return rows.map((r) => ({
    id: Number(r.id),
    portalId: Number(r.portal_id),
    findingId: r.finding_id,
    action: r.action as StoredResponse['action'],
    targetUserId: r.target_user_id,
    targetSessionId: r.target_session_id === null ? null : Number(r.target_session_id),
    outcome: r.outcome as StoredResponse['outcome'],
    automatic: Number(r.automatic) === 1,
    requests: JSON.parse(r.requests) as unknown,
    verification: r.verification === null ? undefined : (JSON.parse(r.verification) as unknown),
    error: r.error,
    startedAt: Number(r.started_at),
    finishedAt: Number(r.finished_at),
  }));
}
