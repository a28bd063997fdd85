/** Members as the people API describes them, mapped to what the reports show (role, registration, status). */
import type { Person } from '../client/schemas.js';
import { parseApiDate } from '../model/time.js';

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
