import type { DirectoryPerson } from '../model/person.js';
import type { Member } from './types.js';

/**
 * The people directory (as the archive records it, or as `readDirectory` just read it) in the
 * shape detections read: who owns which typed login, who is an admin, who is disabled and since when.
 */
export function detectMembers(people: Iterable<DirectoryPerson>): Member[] {
  const out: Member[] = [];
  for (const p of people) {
    out.push({
      id: p.id,
      email: p.email,
      userName: p.userName,
      displayName: p.displayName,
      status: p.status,
      isOwner: p.role === 'owner',
      isAdmin: p.role === 'admin',
      terminated: p.terminatedAt === null ? null : new Date(p.terminatedAt).toISOString(),
      registrationDate: p.registeredAt ? new Date(p.registeredAt).toISOString() : null,
    });
  }
  return out;
}
