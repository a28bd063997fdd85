/** Members as the people API describes them: what the reports show (role, registration, status) and the attribution directory. */
import type { DocSpaceClient } from '../client/client.js';
import type { Person } from '../client/schemas.js';
import type { DirectoryPerson, PersonRole } from '../model/person.js';
import { parseApiDate } from '../model/time.js';
import type { UserIdentity } from './activity.js';

export type MemberRole = 'owner' | 'admin' | 'room admin' | 'user' | 'guest';

export interface Member {
  userId: string;
  name: string;
  email: string | null;
  role: MemberRole;
  /** Epoch ms, when the people API gives it. */
  registered: number | null;
  /** Invited but has not accepted yet (activation pending). */
  pending: boolean;
  /** Disabled by an admin (status 2): listed only when asked for. */
  disabled?: boolean;
}

const ROLE_NAMES: Record<PersonRole, MemberRole> = {
  owner: 'owner',
  admin: 'admin',
  room_admin: 'room admin',
  user: 'user',
  guest: 'guest',
};

/** A member as the people directory (archived, or just read by `readDirectory`) records them. */
export function memberFromDirectory(p: DirectoryPerson): Member {
  return {
    userId: p.id,
    name: p.displayName || p.userName || p.email || p.id,
    email: p.email,
    role: ROLE_NAMES[p.role],
    registered: p.registeredAt || null,
    pending: p.status === 4,
    disabled: p.status === 2,
  };
}

/** The role DocSpace shows for a member (the flags of the people API, most powerful first). */
export function memberRole(p: Pick<Person, 'isOwner' | 'isAdmin' | 'isRoomAdmin' | 'isVisitor' | 'isCollaborator'>): MemberRole {
  if (p.isOwner) return 'owner';
  if (p.isAdmin) return 'admin';
  if (p.isRoomAdmin) return 'room admin';
  if (p.isVisitor) return 'guest';
  return 'user';
}

export function memberOf(p: Person): Member {
  const registered = p.registrationDate ? parseApiDate(p.registrationDate, true)?.time ?? null : null;
  const name =
    p.displayName?.trim() || [p.firstName, p.lastName].filter(Boolean).join(' ').trim() || p.userName || p.email || p.id;
  return {
    userId: p.id.toLowerCase(),
    name,
    email: p.email || null,
    role: memberRole(p),
    registered,
    pending: p.activationStatus === 2,
  };
}

/**
 * The people directory attribution matches typed logins against (lower-case user id → e-mail,
 * user name, name), from the people API: the same read `sync` archives (`people/filter`, which
 * lists disabled and invited members too), so a live answer and an archived one attribute alike.
 */
export async function peopleIdentities(client: DocSpaceClient): Promise<Map<string, UserIdentity>> {
  const { readDirectory } = await import('../sync/people.js');
  const map = new Map<string, UserIdentity>();
  for (const p of await readDirectory(client)) {
    map.set(p.id, { email: p.email, userName: p.userName, name: p.displayName });
  }
  return map;
}
