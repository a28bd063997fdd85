/**
 * Who or what an action is aimed at. A member goes through the one `--user` resolver (GUID,
 * e-mail, user name or display name), then `GET people/{id}` for their role; a session is named
 * by the id of the successful login event that opened it (a session *is* that login-event row),
 * found by paging the login history newest first.
 */
import type { DocSpaceClient } from '../client/client.js';
import type { Person } from '../client/schemas.js';
import { UsageError } from '../errors/index.js';
import { livePeople } from '../history/people-live.js';
import { resolveUser } from '../history/resolve-users.js';
import { actionKind } from '../model/actions.js';
import { isAnonymousId } from '../model/ids.js';
import type { RawLoginEvent } from '../model/event.js';
import type { RespondAction, RespondTarget } from './types.js';

/** OAuth logins (1028) are written inactive by the identity service: they are never a session. */
const NOT_A_SESSION = 1028;
/** How far back a session id is looked for: 100 pages of 100, newest first. */
const MAX_PAGES = 100;

export function roleOf(p: Pick<Person, 'isOwner' | 'isAdmin'>): RespondTarget['role'] {
  return p.isOwner ? 'owner' : p.isAdmin ? 'admin' : 'member';
}

function targetOf(p: Person, sessionId?: number): RespondTarget {
  return {
    ...(sessionId !== undefined ? { sessionId } : {}),
    userId: p.id.toLowerCase(),
    name: p.displayName ?? p.email ?? p.id,
    role: roleOf(p),
  };
}

/** The member or session an action names, as typed on the command line. */
export async function resolveTarget(client: DocSpaceClient, action: RespondAction, input: string): Promise<RespondTarget> {
  if (action === 'logout-session') {
    const id = Number(input.trim());
    if (!/^\d+$/.test(input.trim()) || !Number.isSafeInteger(id) || id <= 0) {
      throw new UsageError(`"${input}" is not a login-event id: logout-session takes the id of a successful login event`);
    }
    return sessionTarget(client, id);
  }
  const member = await resolveUser(input, livePeople(client), 'USER');
  return memberTarget(client, member.id);
}

export async function memberTarget(client: DocSpaceClient, userId: string, sessionId?: number): Promise<RespondTarget> {
  const person = await client.person(userId);
  if (!person) throw new UsageError(`No member of ${client.portal} has the id ${userId}`);
  return targetOf(person, sessionId);
}

/** The session a successful login event opened, with the member it belongs to. */
export async function sessionTarget(client: DocSpaceClient, sessionId: number): Promise<RespondTarget> {
  const event = await findEvent(client, sessionId);
  if (!event) {
    throw new UsageError(
      `No login event ${sessionId} in the portal's login history: a session ends when its event is purged, so there is nothing to log out`,
    );
  }
  const kind = actionKind(event.actionId);
  if (kind !== 'success' || event.actionId === NOT_A_SESSION || isAnonymousId(event.userId)) {
    throw new UsageError(
      `Login event ${sessionId} is ${kind === 'success' ? 'an OAuth login, which opens no session' : `a ${kind}, not a successful login`}: only a successful login names a session`,
    );
  }
  return memberTarget(client, event.userId.toLowerCase(), sessionId);
}

/**
 * Page `login/filter` unfiltered (its filters apply after paging) until the id shows up, the
 * history ends, or a whole page is older than it: ids grow as events are written.
 */
async function findEvent(client: DocSpaceClient, id: number): Promise<RawLoginEvent | undefined> {
  for (let page = 0; page < MAX_PAGES; page++) {
    const { items } = await client.filterEvents({ startIndex: page * 100, count: 100 });
    const hit = items.find((e) => e.id === id);
    if (hit) return hit;
    if (items.length < 100 || items.every((e) => e.id < id)) return undefined;
  }
  return undefined;
}
