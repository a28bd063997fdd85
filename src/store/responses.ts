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

/** Responses, oldest first: a portal's, or a finding's. */
export async function responses(
  s: StoreContext,
  q: { portalId?: number; findingId?: string } = {},
): Promise<StoredResponse[]> {
  let query = s.db.selectFrom('responses').selectAll().orderBy('id');
  if (q.portalId !== undefined) query = query.where('portal_id', '=', q.portalId);
  if (q.findingId !== undefined) query = query.where('finding_id', '=', q.findingId);
  const rows = await query.execute();
  return rows.map((r) => ({
    id: Number(r.id),
    portalId: Number(r.portal_id),
    findingId: r.finding_id,
    action: r.action as StoredResponse['action'],
    targetUserId: r.target_user_id,
    targetSessionId: r.target_session_id === null ? null : Number(r.target_session_id),
    outcome: r.outcome as StoredResponse['outcome'],
    requests: JSON.parse(r.requests) as unknown,
    verification: r.verification === null ? undefined : (JSON.parse(r.verification) as unknown),
    error: r.error,
    startedAt: Number(r.started_at),
    finishedAt: Number(r.finished_at),
  }));
}
