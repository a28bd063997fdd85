/**
 * A member of a portal as its people directory describes them (`GET /api/2.0/people/filter`):
 * who they are, whether they can sign in, and what they may do. Login events name a user only
 * by id and display name; this is what turns an id into a person, and an e-mail into an id.
 */

/** The people API's `status`: 1 active, 2 disabled (terminated), 4 invited (pending). */
export type PersonStatus = 1 | 2 | 4;

/**
 * What the member may do, from the DTO's flags: `isOwner`, then `isAdmin` (false for the owner),
 * `isRoomAdmin`, `isVisitor` (guest); anyone else is a user.
 */
export type PersonRole = 'owner' | 'admin' | 'room_admin' | 'user' | 'guest';

export const PERSON_ROLES: readonly PersonRole[] = ['owner', 'admin', 'room_admin', 'user', 'guest'];

export interface DirectoryPerson {
  /** The user's GUID, lower-case (login events carry it in any case). */
  id: string;
  displayName: string;
  userName: string | null;
  email: string | null;
  status: PersonStatus;
  role: PersonRole;
  /** When the account was created (epoch ms). */
  registeredAt: number;
  /** When it was last disabled (epoch ms); null unless disabled. */
  terminatedAt: number | null;
}
