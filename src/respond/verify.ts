/**
 * Proof that an action took effect, read back from the portal: the audit record the server
 * writes for it (4035, 4036 or 4020, in the audit trail, not login history), and where the state
 * can be read, the state itself (a disabled member's status is 2). Another member's sessions
 * cannot be listed (`security/activeconnections` shows only the caller's own), so for logouts
 * the audit trail is the proof. Audit records may be written a little after the request
 * returns, so the trail is read a few times, with growing waits, before the proof is declared
 * missing.
 */
import type { DocSpaceClient } from '../client/client.js';
import { type AuditEvent, auditEventSchema } from '../client/schemas.js';
import * as z from '../client/zod.js';
import type { RespondAction, RespondTarget, SentRequest, Verification, VerificationCheck } from './types.js';

export interface VerifyOptions {
  action: RespondAction;
  auditAction: number;
  target: RespondTarget;
  callerId: string;
  /** The newest audit id of that action before acting: the proof must be newer. */
  baseline: number;
  sent: readonly SentRequest[];
  sleep: (ms: number) => Promise<void>;
  /** Reads of the audit trail before giving up (default 5: waits of 1, 2, 4 and 8 s between). */
  attempts?: number;
}

const AUDIT_PATH = 'security/audit/events/filter';

async function auditRecords(client: DocSpaceClient, action: number, count: number): Promise<AuditEvent[]> {
  const records = await client.get(AUDIT_PATH, z.array(auditEventSchema), { action, count });
  // Without the audit feature the portal answers the 20 newest records whatever was asked.
  return records.filter((r) => r.actionId === action);
}

/** The newest audit id of this action now (0 when there is none). */
export async function auditBaseline(client: DocSpaceClient, action: number): Promise<number> {
  const [newest] = await auditRecords(client, action, 1);
  return newest?.id ?? 0;
}

/** Does this audit record show the action on this target, by this caller, after the baseline? */
export function provesAction(r: AuditEvent, o: Pick<VerifyOptions, 'auditAction' | 'target' | 'callerId' | 'baseline'>): boolean {
  if (r.actionId !== o.auditAction || r.id <= o.baseline) return false;
  if (r.userId && r.userId.toLowerCase() !== o.callerId) return false;
  const wanted = [o.target.userId, ...(o.target.sessionId !== undefined ? [String(o.target.sessionId)] : [])];
  const targets = (r.target ?? []).map((t) => t.toLowerCase());
  if (wanted.some((w) => targets.includes(w))) return true;
  // Records that name the member only in their text (the server's description), not as a target.
  return targets.length === 0 && Boolean(r.action?.includes(o.target.name));
}

async function auditCheck(client: DocSpaceClient, o: VerifyOptions): Promise<VerificationCheck> {
  const attempts = o.attempts ?? 5;
  for (let i = 0; i < attempts; i++) {
    if (i > 0) await o.sleep(1000 * 2 ** (i - 1));
    const hit = (await auditRecords(client, o.auditAction, 100)).find((r) => provesAction(r, o));
    if (hit) return { check: 'audit-trail', ok: true, detail: `audit record ${hit.id} (action ${o.auditAction})${hit.date ? ` at ${hit.date}` : ''}` };
  }
  return {
    check: 'audit-trail',
    ok: false,
    detail: `no audit record ${o.auditAction} for ${o.target.userId} after ${attempts} reads of the audit trail`,
  };
}

function responseCheck(o: VerifyOptions): VerificationCheck | undefined {
  if (o.action !== 'logout-session') return undefined;
  const answer = o.sent[0]?.response;
  return answer === true
    ? { check: 'response', ok: true, detail: 'the portal answered true: the session was active and is now ended' }
    : { check: 'response', ok: false, detail: 'the portal answered false: the session was not active (already ended) or the logout failed' };
}

async function statusCheck(client: DocSpaceClient, o: VerifyOptions): Promise<VerificationCheck> {
  if (o.action !== 'disable-user') {
    return {
      check: 'sessions',
      ok: null,
      detail: "another member's sessions cannot be listed (security/activeconnections shows only the caller's own)",
    };
  }
  const person = await client.person(o.target.userId);
  const status = person?.status;
  return status === 2
    ? { check: 'people-status', ok: true, detail: 'the member is disabled (status 2)' }
    : { check: 'people-status', ok: false, detail: `the member's status is ${status ?? 'unknown'}, not 2 (disabled)` };
}

export async function verify(client: DocSpaceClient, o: VerifyOptions): Promise<Verification> {
  const checks: VerificationCheck[] = [];
  const answered = responseCheck(o);
  if (answered) checks.push(answered);
  // A logout the portal answered `false` writes no audit record: nothing to wait for.
  checks.push(answered?.ok === false ? { check: 'audit-trail', ok: false, detail: 'no audit record: the portal did not end a session' } : await auditCheck(client, o));
  checks.push(await statusCheck(client, o));
  const verified = checks.every((c) => c.ok !== false) && checks.some((c) => c.check === 'audit-trail' && c.ok);
  return { verified, checks };
}
