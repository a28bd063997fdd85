/**
 * People looked up on the portal itself, for the `--user` resolver when no archive is read. The
 * server's `GET /people/{x}` matches a user name or a GUID only; e-mail addresses go through
 * `GET /people/email?email=` (login-history-api.md §8). Display names need the member list.
 */
import type { DocSpaceClient } from '../client/client.js';
import { NotDocSpaceError } from '../errors/index.js';
import { type Person, personSchema } from '../client/schemas.js';
import type { PeopleLookup, ResolvedPerson } from './resolve-users.js';

export function toResolved(p: Person): ResolvedPerson {
  return { id: p.id.toLowerCase(), displayName: p.displayName, userName: p.userName, email: p.email };
}

/** A 404 with the server's own message: "no such member", not a wrong portal. */
async function orNone<T>(request: Promise<T>): Promise<T | undefined> {
  try {
    return await request;
  } catch (err) {
    if (err instanceof NotDocSpaceError && err.details.status === 404 && err.details.serverMessage) return undefined;
    throw err;
  }
}

export function livePeople(client: DocSpaceClient): PeopleLookup {
  let everyone: Promise<ResolvedPerson[]> | undefined;
  return {
    byId: async (id) => {
      const p = await client.person(id);
      return p ? toResolved(p) : undefined;
    },
    byEmail: async (email) => {
      const p = await orNone(client.get('people/email', personSchema, { email }));
      return p ? toResolved(p) : undefined;
    },
    byUserName: async (userName) => {
      const p = await client.person(userName);
      return p ? toResolved(p) : undefined;
    },
    byDisplayName: async (name) => {
      // The list sync archives (people/filter: disabled and invited members too), so a display
      // name resolves live exactly as it does offline.
      everyone ??= (async () => {
        const { readDirectory } = await import('../sync/people.js');
        return (await readDirectory(client)).map((p) => ({ id: p.id, displayName: p.displayName, userName: p.userName, email: p.email }));
      })();
      const wanted = name.toLocaleLowerCase();
      return (await everyone).filter((p) => p.displayName?.toLocaleLowerCase() === wanted);
    },
  };
}
