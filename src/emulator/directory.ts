/**
 * The portal's member lookups, each keyed the way the server keys it: `/people/{x}` by user
 * name or GUID, `/people/email` by e-mail, a password login by e-mail or GUID. Removed members
 * are gone from all of them.
 */
import type { EmulatorPerson } from './data/people.js';
import { parseGuid } from './dotnet.js';
import type { KeyRole } from './options.js';

export class PeopleDirectory {
  private readonly byUserName = new Map<string, EmulatorPerson>();
  private readonly byEmail = new Map<string, EmulatorPerson>();
  private readonly byId = new Map<string, EmulatorPerson>();

  constructor(people: readonly EmulatorPerson[]) {
    for (const p of people) {
      if (p.deleted) continue;
      // User names and e-mails are unique on a portal; compared without case, like the server.
      if (!this.byUserName.has(p.userName.toLowerCase())) this.byUserName.set(p.userName.toLowerCase(), p);
      if (!this.byEmail.has(p.email.toLowerCase())) this.byEmail.set(p.email.toLowerCase(), p);
      this.byId.set(p.id, p);
    }
  }

  /** By a GUID in any .NET form. */
  withId(value: string): EmulatorPerson | undefined {
    const guid = parseGuid(value);
    return guid ? this.byId.get(guid) : undefined;
  }

  withEmail(email: string): EmulatorPerson | undefined {
    return this.byEmail.get(email.trim().toLowerCase());
  }

  /** `GET /people/{x}`: the user name first, then a GUID; an e-mail is not matched. */
  profile(key: string): EmulatorPerson | undefined {
    return this.byUserName.get(key.toLowerCase()) ?? this.withId(key);
  }

  /** `POST /authentication` and Basic auth: the e-mail or the GUID, never the user name. */
  credentials(userName: string): EmulatorPerson | undefined {
    return this.withEmail(userName) ?? this.withId(userName);
  }

  /** Any of the three keys: for tests and tools that hold whichever they saw. */
  any(key: string): EmulatorPerson | undefined {
    return this.byUserName.get(key.toLowerCase()) ?? this.withEmail(key) ?? this.withId(key);
  }
}

/** Which member a key of each role (from the options) belongs to. */
export function keyOwner(people: EmulatorPerson[], role: KeyRole): EmulatorPerson {
  const owner = people[0];
  const active = (p: EmulatorPerson) => p.status === 1 && !p.deleted;
  if (role === 'admin') return people.find((p) => p.role === 'admin' && active(p)) ?? owner;
  if (role === 'roomAdmin' || role === 'user' || role === 'guest') {
    return (
      people.find((p) => p.role === role && active(p)) ??
      people.find((p) => p.role !== 'owner' && p.role !== 'admin') ??
      owner
    );
  }
  return owner;
}
