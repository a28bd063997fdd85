/**
 * The exact requests of each action and the audit action that proves it, as pure functions: a
 * dry run prints these, `--yes` sends them, and the verifier looks for their audit records.
 *
 * - logout-session: `PUT security/activeconnections/logout/{loginEventId}`, audit 4035.
 * - logout-user: `PUT security/activeconnections/logoutall/{userId}`, audit 4036 (another
 *   member; 4034 would be oneself, which is refused before this).
 * - disable-user: `PUT people/status/2` with `{userIds: [id]}`, audit 4020; disabling also ends
 *   every session of the member.
 */
import type { PlannedRequest, RespondAction, RespondTarget } from './types.js';

export const AUDIT_ACTION: Readonly<Record<RespondAction, number>> = {
  'logout-session': 4035,
  'logout-user': 4036,
  'disable-user': 4020,
};

export function planRequests(action: RespondAction, target: RespondTarget): PlannedRequest[] {
  switch (action) {
    case 'logout-session':
      if (target.sessionId === undefined) throw new Error('logout-session needs a session id');
      return [{ method: 'PUT', path: `security/activeconnections/logout/${target.sessionId}` }];
    case 'logout-user':
      return [{ method: 'PUT', path: `security/activeconnections/logoutall/${target.userId}` }];
    case 'disable-user':
      return [{ method: 'PUT', path: 'people/status/2', body: { userIds: [target.userId] } }];
  }
}

/** `PUT /api/2.0/people/status/2 {"userIds":[…]}`: one line per request, for people and logs. */
export function describeRequest(r: PlannedRequest): string {
  return `${r.method} /api/2.0/${r.path}${r.body === undefined ? '' : ` ${JSON.stringify(r.body)}`}`;
}

/**
 * Can a key with these scopes send the action's request? Every `PUT …logout*` needs `*:write`;
 * the status change is a people route, so `accounts:write` also does. An empty list or `*` is
 * full access (the server treats it as `*:write`).
 */
export function scopeAllows(action: RespondAction, permissions: readonly string[]): boolean {
  if (permissions.length === 0 || permissions.includes('*') || permissions.includes('*:write')) return true;
  return action === 'disable-user' && permissions.includes('accounts:write');
}
