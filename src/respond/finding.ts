/**
 * From a stored finding to what an action is aimed at. A finding carries the ids of the
 * successful logins among its events (`sessionIds`: each one a session) and the group it counted
 * over (a user id for most account rules). logout-session takes its sessions; the member actions
 * take its member: the group when it is a user id, else the member whose sessions they are.
 */
import type { DocSpaceClient } from '../client/client.js';
import { UsageError } from '../errors/index.js';
import { isAnonymousId, isGuid } from '../model/ids.js';
import { sessionTarget } from './target.js';
import type { RespondAction } from './types.js';

/** The part of a stored finding (`src/store/findings.ts`) that containment reads. */
export interface FindingForResponse {
  id: string;
  portalId?: number;
  rule: string;
  group: string;
  sessionIds: readonly number[];
}

export interface FindingSource {
  getFinding(id: string): Promise<FindingForResponse | undefined>;
}

/** Without an action: its sessions when it has some (the least disruptive), else its member. */
export function defaultActionFor(f: FindingForResponse): RespondAction {
  return f.sessionIds.length > 0 ? 'logout-session' : 'logout-user';
}

/** The targets, as `respond` takes them: session ids, or one member id. */
export async function findingTargets(
  client: DocSpaceClient,
  f: FindingForResponse,
  action: RespondAction,
): Promise<string[]> {
  if (action === 'logout-session') {
    if (f.sessionIds.length === 0) {
      throw new UsageError(`Finding ${f.id} holds no successful login, so no session to log out: try logout-user`);
    }
    return f.sessionIds.map(String);
  }
  const group = f.group.toLowerCase();
  if (isGuid(group) && !isAnonymousId(group)) return [group];
  if (f.sessionIds.length > 0) return [(await sessionTarget(client, f.sessionIds[0])).userId];
  throw new UsageError(
    `Finding ${f.id} is about "${f.group}", which names no member (rule ${f.rule}): name the member instead, e.g. respond ${action} USER`,
  );
}
