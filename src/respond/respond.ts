/**
 * `respond`: contain an account through DocSpace's own levers, in three steps. Plan: who is
 * calling, what the key may do, whom the action is aimed at, and the exact requests. Act (only
 * when not a dry run): send them, never retried. Verify: read the proof back from the audit
 * trail and the member's state. The record of all three is returned, and stored next to the
 * finding when an archive is given. Refusals (a read-only key, the owner, oneself, an admin
 * without `allowAdmin`) are thrown before anything is written.
 */
import type { DocSpaceClient } from '../client/client.js';
import { DocSpaceLoginsError, PermissionError } from '../errors/index.js';
import type { StoredResponseInput } from '../store/responses.js';
import { readCaller } from './caller.js';
import { assertCallerMayContain, assertTargetMayBeContained } from './guard.js';
import { AUDIT_ACTION, planRequests } from './plan.js';
import { resolveTarget } from './target.js';
import type { PlannedRequest, ResponseRecord, RespondAction, RespondTarget, SentRequest } from './types.js';
import { auditBaseline, verify } from './verify.js';

/** Where responses are recorded: the archive (`ArchiveStore` fits). */
export interface ResponseStore {
  ensurePortal(p: { url: string }): Promise<number>;
  recordResponse(portalId: number, response: StoredResponseInput): Promise<number>;
}

export interface RespondOptions {
  client: DocSpaceClient;
  action: RespondAction;
  /** A member (GUID, e-mail, user name, display name) or a session's login-event id; or already resolved. */
  target: string | RespondTarget;
  /** The finding this answers: recorded with the response. */
  findingId?: string;
  /** Print, do not send. The default everywhere a person types the command. */
  dryRun: boolean;
  store?: ResponseStore;
  /** The archive's portal id (default: the client's portal, added on first sight). */
  portalId?: number;
  /** Contain a DocSpace admin too (never the owner). */
  allowAdmin?: boolean;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Reads of the audit trail before the proof is declared missing (default 5). */
  verifyAttempts?: number;
  /** A watcher responding on its own (recorded, and counted by the hourly cap). */
  automatic?: boolean;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function respond(o: RespondOptions): Promise<ResponseRecord> {
  const now = o.now ?? Date.now;
  const startedAt = now();
  const caller = await readCaller(o.client);
  assertCallerMayContain(o.action, caller);
  const target = typeof o.target === 'string' ? await resolveTarget(o.client, o.action, o.target) : o.target;
  assertTargetMayBeContained(o.action, caller, target, o.allowAdmin);
  const auditAction = AUDIT_ACTION[o.action];
  const planned = planRequests(o.action, target);
  const record: ResponseRecord = {
    action: o.action,
    portal: o.client.portal,
    target,
    ...(o.findingId !== undefined ? { findingId: o.findingId } : {}),
    dryRun: o.dryRun,
    auditAction,
    planned,
    sent: [],
    outcome: 'planned',
    startedAt,
    finishedAt: startedAt,
  };
  if (o.dryRun) return record;

  const baseline = await auditBaseline(o.client, auditAction);
  try {
    for (const request of planned) record.sent.push(await send(o.client, request));
  } catch (err) {
    record.outcome = 'failed';
    record.error = o.client.redact((err as Error).message);
    const failed = err instanceof RequestFailed ? err : undefined;
    if (failed) record.sent.push(failed.sent);
    record.finishedAt = now();
    await store(o, record);
    throw failed ? failed.cause : err;
  }
  try {
    record.verification = await verify(o.client, {
      action: o.action,
      auditAction,
      target,
      callerId: caller.id,
      baseline,
      sent: record.sent,
      sleep: o.sleep ?? defaultSleep,
      attempts: o.verifyAttempts,
    });
  } catch (err) {
    // The action was sent and accepted; only the proof could not be read. Report, never assume.
    const detail = `the proof could not be read: ${o.client.redact((err as Error).message)}`;
    record.verification = { verified: false, checks: [{ check: 'audit-trail', ok: null, detail }] };
  }
  record.outcome = record.verification.verified ? 'verified' : 'unverified';
  record.finishedAt = now();
  await store(o, record);
  return record;
}

class RequestFailed extends Error {
  constructor(
    readonly sent: SentRequest,
    override readonly cause: unknown,
  ) {
    super(String((cause as Error).message));
  }
}

async function send(client: DocSpaceClient, request: PlannedRequest): Promise<SentRequest> {
  try {
    const response = await client.write(request.method, request.path, request.body);
    return { ...request, status: 200, response: trimmed(response) };
  } catch (err) {
    const e = explainRefusal(err);
    const status = e instanceof DocSpaceLoginsError ? e.details.status : undefined;
    throw new RequestFailed({ ...request, status: status ?? 0, error: client.redact((e as Error).message) }, e);
  }
}

/**
 * A 403 without a body on a write is the scope filter: the key lacks `*:write`. Said plainly,
 * since the generic message is about reading (`*:read`).
 */
function explainRefusal(err: unknown): unknown {
  if (!(err instanceof PermissionError) || err.details.status !== 403 || err.details.serverMessage) return err;
  return new PermissionError(
    'The portal refused the write (403 without a body): the API key lacks *:write. A read-only key (*:read) cannot contain anything',
    err.details,
  );
}

/** The answer as worth keeping: `true`/`false`, or the members' ids and statuses (not their profiles). */
function trimmed(response: unknown): unknown {
  if (!Array.isArray(response)) return response;
  return response.map((p) => {
    const { id, status } = (p ?? {}) as { id?: unknown; status?: unknown };
    return { id, status };
  });
}

async function store(o: RespondOptions, r: ResponseRecord): Promise<void> {
  if (!o.store || r.outcome === 'planned') return;
  const portalId = o.portalId ?? (await o.store.ensurePortal({ url: r.portal }));
  await o.store.recordResponse(portalId, {
    findingId: r.findingId ?? null,
    action: r.action,
    targetUserId: r.target.userId,
    targetSessionId: r.target.sessionId ?? null,
    outcome: r.outcome,
    automatic: o.automatic ?? false,
    requests: r.sent,
    verification: r.verification,
    error: r.error ?? null,
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
  });
}
