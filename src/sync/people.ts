/**
 * The people directory's refresh: `sync` reads the portal's members and records them in the
 * archive, so the one `--user` resolver and the one attribution rule work offline.
 *
 * `GET people/filter` without `employeeStatus` gives an admin everyone not deleted: active,
 * disabled and invited members (`GET people` leaves out the invited). It is paged by 100 like
 * the history. A read is "complete" only when it reached a short page; only then are members
 * it no longer lists marked removed.
 */
import type { DocSpaceClient } from '../client/client.js';
import { type Person, personListSchema } from '../client/schemas.js';
import type { DirectoryPerson, PersonRole, PersonStatus } from '../model/person.js';
import { parseApiDate } from '../model/time.js';
import { servedText, servedTextOrNull } from '../model/served-text.js';
import type { ArchiveStore } from '../store/index.js';

const PAGE = 100;
/** A directory this fresh is not read again (members change far more slowly than logins). */
export const PEOPLE_RECHECK_MS = 60 * 60_000;
/** A portal with more members than this is not what a login-history tool should page through. */
const MAX_MEMBERS = 1_000_000;

function role(p: Person): PersonRole {
  if (p.isOwner) return 'owner';
  if (p.isAdmin) return 'admin';
  if (p.isRoomAdmin) return 'room_admin';
  if (p.isVisitor) return 'guest';
  return 'user';
}

function status(p: Person): PersonStatus {
  return p.status === 2 || p.status === 4 ? p.status : 1;
}

function time(value: unknown): number | null {
  if (typeof value !== 'string') return null;
  return parseApiDate(value, true)?.time ?? null;
}

/** A member as the people API serves them, as the archive records them. */
export function toDirectoryPerson(p: Person): DirectoryPerson {
  const s = status(p);
  return {
    id: p.id.toLowerCase(),
    displayName: servedText(p.displayName ?? [p.firstName, p.lastName].filter(Boolean).join(' ')),
    userName: servedTextOrNull(p.userName),
    email: servedTextOrNull(p.email),
    status: s,
    role: role(p),
    registeredAt: time(p.registrationDate) ?? 0,
    terminatedAt: s === 2 ? time((p as Record<string, unknown>).terminated) : null,
  };
}

/** Every member the portal lists, paged; stops on a short page or when a page brings nobody new. */
export async function readDirectory(client: DocSpaceClient): Promise<DirectoryPerson[]> {
  const seen = new Map<string, DirectoryPerson>();
  for (let start = 0; start < MAX_MEMBERS; start += PAGE) {
    const page = await client.get('people/filter', personListSchema, { startIndex: start, count: PAGE });
    const before = seen.size;
    for (const p of page) seen.set(p.id.toLowerCase(), toDirectoryPerson(p));
    // A short page ends the list; a page of members already seen is a server that ignores
    // `startIndex`, which would otherwise be read forever.
    if (page.length < PAGE || seen.size === before) break;
  }
  return [...seen.values()];
}

export interface PeopleRefresh {
  /** Members recorded by this refresh (undefined: the directory was fresh enough). */
  members?: number;
  added?: number;
  removed?: number;
  /** Why the directory could not be read (the sync itself goes on). */
  error?: string;
}

/**
 * Refresh the portal's directory when it is over an hour old, or when `unknownIds` (user ids seen
 * in new events) are missing from it. A refusal (a key without the right to list people) is
 * reported, not fatal: the events are archived all the same, and attribution says it cannot.
 */
export async function refreshPeople(
  client: DocSpaceClient,
  store: ArchiveStore,
  portalId: number,
  now: number,
  opts: { force?: boolean; seenIds?: ReadonlySet<string> } = {},
): Promise<PeopleRefresh> {
  // One aggregate and, only when new events came, one look-up of their ids: an incremental
  // sync with nothing new must stay cheap.
  const { members, readAt } = await store.peopleFreshness(portalId);
  const seen = [...(opts.seenIds ?? [])];
  const unknown = seen.length > 0 && (await store.unknownPeople(portalId, seen)).length > 0;
  if (!opts.force && !unknown && members && now - readAt < PEOPLE_RECHECK_MS) return {};
  try {
    const people = await readDirectory(client);
    const r = await store.replacePeople(portalId, people, now);
    return { members: people.length, added: r.added, removed: r.removed };
  } catch (err) {
    return { error: client.redact((err as Error).message) };
  }
}
