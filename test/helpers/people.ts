/** The rule fixtures' members (TEST_PEOPLE) as the people directory holds them after a sync. */
import { TEST_PEOPLE } from '../../src/detect/index.js';
import type { DirectoryPerson } from '../../src/model/person.js';

export const FIXTURE_DIRECTORY: DirectoryPerson[] = TEST_PEOPLE.map((m) => ({
  id: m.id,
  displayName: m.userName!,
  userName: m.userName!,
  email: m.email!,
  status: m.status as 1 | 2,
  role: m.isOwner ? 'owner' : m.isAdmin ? 'admin' : 'user',
  registeredAt: Date.UTC(2024, 0, 1),
  terminatedAt: m.terminated ? Date.parse(m.terminated) : null,
}));
