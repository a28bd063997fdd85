// The one --user resolver: every accepted form names the same member; anything else is a usage error.
import { describe, expect, it } from 'vitest';
import { filterForPeople, type PeopleLookup, type ResolvedPerson, resolveUser } from '../src/history/resolve-users.js';
import { compileFilter } from '../src/history/filter.js';

const anna: ResolvedPerson = { id: 'aaaaaaaa-0000-4000-8000-000000000001', displayName: 'Änne Straße', userName: 'anne', email: 'ÄNNE@example.com' };
const bob1: ResolvedPerson = { id: 'bbbbbbbb-0000-4000-8000-000000000002', displayName: 'Bob Lee', userName: 'bob1', email: 'bob1@example.com' };
const bob2: ResolvedPerson = { id: 'bbbbbbbb-0000-4000-8000-000000000003', displayName: 'Bob Lee', userName: 'bob2', email: 'bob2@example.com' };
const all = [anna, bob1, bob2];

/** A directory in memory, matching as a real portal does (e-mail only through byEmail). */
const lookup: PeopleLookup = {
  byId: async (id) => all.find((p) => p.id === id),
  byEmail: async (e) => all.find((p) => p.email?.toLowerCase() === e.toLowerCase()),
  byUserName: async (n) => all.find((p) => p.userName === n),
  byDisplayName: async (n) => all.filter((p) => p.displayName?.toLowerCase() === n.toLowerCase()),
};

describe('resolveUser', () => {
  it.each([
    ['GUID', anna.id],
    ['GUID in capitals', anna.id.toUpperCase()],
    ['e-mail', 'änne@example.com'],
    ['user name', 'anne'],
    ['display name, any case', 'änne straße'],
  ])('%s names the member', async (_form, input) => {
    expect((await resolveUser(input, lookup)).id).toBe(anna.id);
  });

  it('a display name two members share is a usage error listing both', async () => {
    await expect(resolveUser('Bob Lee', lookup)).rejects.toThrow(/2 members: use one of .*bob1@example.com.*bob2@example.com/);
  });

  it.each(['nobody', 'nobody@example.com', 'cccccccc-0000-4000-8000-000000000009', 'aaaaaaaa-0000-zzzz'])(
    '"%s" is a usage error that lists the accepted forms or says why',
    async (input) => {
      await expect(resolveUser(input, lookup)).rejects.toMatchObject({ code: 'usage' });
    },
  );
});

describe('filterForPeople', () => {
  const ev = (over: object) =>
    ({ id: 1, userId: '712d9ec3-5d2b-4b13-824f-71f00191dcca', anonymous: true, login: null, kind: 'failure', actionId: 1006, ...over }) as never;
  const match = compileFilter(filterForPeople({}, [anna]));
  it('selects the member\'s own events and anonymous failures typed with her e-mail or user name, under case folding', () => {
    expect(match(ev({ userId: anna.id, anonymous: false }))).toBe(true);
    expect(match(ev({ login: 'änne@EXAMPLE.com' }))).toBe(true);
    expect(match(ev({ login: 'ANNE' }))).toBe(true);
    expect(match(ev({ login: 'bob1' }))).toBe(false);
    expect(match(ev({ login: 'Email is not specified' }))).toBe(false);
  });
});
