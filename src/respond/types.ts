/**
 * The vocabulary of containment: the three actions, a request as planned and as sent, the
 * checks that prove an action took effect, and the record kept of a response.
 */

/** What `respond` can do on the portal, least disruptive first. */
export type RespondAction = 'logout-session' | 'logout-user' | 'disable-user';
export const RESPOND_ACTIONS: readonly RespondAction[] = ['logout-session', 'logout-user', 'disable-user'];

export function isRespondAction(value: string): value is RespondAction {
  return (RESPOND_ACTIONS as readonly string[]).includes(value);
}

/** One request exactly as it would be (or was) sent; the credential is never part of it. */
export interface PlannedRequest {
  method: 'PUT';
  /** Path under `/api/2.0/`. */
  path: string;
  body?: unknown;
}

export interface SentRequest extends PlannedRequest {
  /** 200 when the portal accepted it; the refusal's status otherwise. */
  status: number;
  /** What the portal answered, trimmed to what the proof needs (no personal data beyond ids). */
  response?: unknown;
  error?: string;
}

/** What an action is aimed at, after resolution. */
export interface RespondTarget {
  /** The login-event id of the session (logout-session). */
  sessionId?: number;
  /** Lower-case GUID of the member. */
  userId: string;
  name: string;
  role: 'owner' | 'admin' | 'member';
}

/** One piece of proof: `ok` is true (seen), false (contradicted) or null (could not be looked at). */
export interface VerificationCheck {
  check: 'audit-trail' | 'people-status' | 'sessions' | 'response';
  ok: boolean | null;
  detail: string;
}

export interface Verification {
  /** Every check that could be made passed, and the audit trail shows the action. */
  verified: boolean;
  checks: VerificationCheck[];
}

/**
 * - `planned`: a dry run; nothing was sent.
 * - `verified`: sent, and the audit trail (and state) shows it took effect.
 * - `unverified`: sent and accepted, but the proof was not found: report it, never assume it.
 * - `failed`: the portal refused the request.
 */
export type RespondOutcome = 'planned' | 'verified' | 'unverified' | 'failed';

export interface ResponseRecord {
  action: RespondAction;
  portal: string;
  target: RespondTarget;
  findingId?: string;
  dryRun: boolean;
  /** The audit action that proves it: 4035, 4036 or 4020. */
  auditAction: number;
  planned: PlannedRequest[];
  sent: SentRequest[];
  verification?: Verification;
  outcome: RespondOutcome;
  /** Epoch ms by the local clock. */
  startedAt: number;
  finishedAt: number;
  error?: string;
}
