/**
 * The one `--user` resolver. Every command in every mode (live, `--archive`, reports, and the
 * features built on them) turns what the user typed into members here, so `--user anna@…`,
 * her GUID, her user name and her display name select the same events everywhere.
 *
 * Accepted forms, tried in this order: a GUID; an e-mail address (looked up by e-mail: a real
 * portal's `GET /people/{x}` matches user names and GUIDs only); a user name; a display name
 * (exact, case-insensitive; two or more members with it is a usage error that lists them). A
 * value that names nobody is a usage error, never an empty answer.
 *
 * Where the people come from is the caller's: the archive's people directory, or the portal's
 * people API (see `PeopleLookup`).
 */
import { UsageError } from '../errors/index.js';
import { typedLoginKey } from '../model/attribution.js';
import { isGuid } from '../model/ids.js';
import type { EventFilter } from './filter.js';

/** A member as the resolver needs it. */
export interface ResolvedPerson {
  /** Lower-case GUID. */
  id: string;
  displayName?: string | null;
  userName?: string | null;
  email?: string | null;
}

/** Where members are looked up; each returns undefined (or []) for "nobody". */
export interface PeopleLookup {
  byId(id: string): Promise<ResolvedPerson | undefined>;
  byEmail(email: string): Promise<ResolvedPerson | undefined>;
  byUserName(userName: string): Promise<ResolvedPerson | undefined>;
  byDisplayName(name: string): Promise<ResolvedPerson[]>;
}

export const USER_FORMS =
  'a user id (GUID), an e-mail address, a user name, or a display name exactly as DocSpace shows it';

/**
 * Resolve one `--user` value to exactly one member, or throw a usage error saying why not.
 * `label` names the value in messages (`USER` for a command's argument).
 */
export async function resolveUser(input: string, people: PeopleLookup, label = '--user'): Promise<ResolvedPerson> {
  const value = input.trim();
  if (isGuid(value)) {
    const person = await people.byId(value.toLowerCase());
    if (person) return person;
    throw new UsageError(`${label} "${input}": no member has this id`);
  }
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-/i.test(value)) {
    throw new UsageError(`${label} "${input}" looks like a user id but is not a valid GUID`);
  }
  if (value.includes('@')) {
    const person = await people.byEmail(value);
    if (person) return person;
  }
  const byName = await people.byUserName(value);
  if (byName) return byName;
  const named = await people.byDisplayName(value);
  if (named.length === 1) return named[0];
  if (named.length > 1) {
    const list = named.map((p) => `${p.id}${p.email ? ` (${p.email})` : ''}`).join(', ');
    throw new UsageError(`${label} "${input}" is the display name of ${named.length} members: use one of ${list}`);
  }
  throw new UsageError(`${label} "${input}" matches no member: give ${USER_FORMS}`);
}

/** Resolve every `--user` value (in parallel) into members, de-duplicated by id. */
export async function resolveUsers(inputs: readonly string[], people: PeopleLookup): Promise<ResolvedPerson[]> {
  const found = await Promise.all(inputs.map((input) => resolveUser(input, people)));
  return [...new Map(found.map((p) => [p.id, p])).values()];
}

/**
 * The history filter that selects these members' events: their own (by id) and the anonymous
 * failures typed with their e-mail or user name (by the attribution rule's key).
 */
export function filterForPeople(filter: EventFilter, people: readonly ResolvedPerson[]): EventFilter {
  if (!people.length) return filter;
  const logins = new Set<string>();
  for (const p of people) {
    for (const login of [p.email, p.userName]) {
      const key = typedLoginKey(login);
      if (key !== undefined) logins.add(key);
    }
  }
  return { ...filter, userIds: people.map((p) => p.id), logins: [...logins] };
}
