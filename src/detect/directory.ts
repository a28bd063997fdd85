import type { DirectoryPerson } from '../model/person.js';
import type { Member } from './types.js';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** A directory entry as the rules read members (roles, status, when disabled). */
export function detectMember(p: DirectoryPerson): Member {
  return {
    id: p.id,
    email: p.email,
    userName: p.userName,
    displayName: p.displayName,
    status: p.status,
    isOwner: p.role === 'owner',
    isAdmin: p.role === 'admin',
    terminated: iso(p.terminatedAt),
    registrationDate: iso(p.registeredAt || null),
  };
}

/**
 * The people directory (as the archive records it, or as `readDirectory` just read it) in the
 * shape detections read: who owns which typed login, who is an admin, who is disabled and since when.
 */
export function detectMembers(people: Iterable<DirectoryPerson>): Member[] {
  return [...people].map(detectMember);
}
