/**
 * The archive's people directory as the `--user` resolver and the attribution rule see it, so a
 * synced archive answers offline exactly as the portal would.
 */
import { UsageError } from '../errors/index.js';
import type { PeopleLookup, ResolvedPerson } from '../history/resolve-users.js';
import type { ArchiveStore } from './archive-store.js';
import type { ArchivedPerson } from './people.js';

const resolved = (p: ArchivedPerson): ResolvedPerson => ({
  id: p.id,
  displayName: p.displayName,
  userName: p.userName,
  email: p.email,
});

/**
 * People of `portalIds` (removed members included: their events remain). Throws a usage error
 * naming what to do when a portal in scope has no directory yet.
 */
export async function archivedPeople(store: ArchiveStore, portalIds: readonly number[]): Promise<ArchivedPerson[]> {
  const all: ArchivedPerson[] = [];
  for (const id of portalIds) {
    const people = await store.people(id, { includeRemoved: true });
    if (!people.length) {
      const portal = await store.portal(id);
      throw new UsageError(
        `The archive has no people directory for ${portal?.url ?? `portal ${id}`} yet, so --user cannot be resolved offline: run docspace-logins sync`,
      );
    }
    all.push(...people);
  }
  return all;
}

/** A `PeopleLookup` over the archived directory of `portalIds`. */
export async function archivePeopleLookup(store: ArchiveStore, portalIds: readonly number[]): Promise<PeopleLookup> {
  const people = await archivedPeople(store, portalIds);
  const fold = (s: string | null | undefined) => s?.toLocaleLowerCase();
  const one = (match: (p: ArchivedPerson) => boolean) => {
    const found = people.filter(match);
    // A member of two archived portals has an id in each: --user names the first portal's.
    return found.length ? resolved(found[0]) : undefined;
  };
  return {
    byId: async (id) => one((p) => p.id === id),
    byEmail: async (email) => one((p) => fold(p.email) === fold(email)),
    byUserName: async (name) => one((p) => fold(p.userName) === fold(name)),
    byDisplayName: async (name) => people.filter((p) => fold(p.displayName) === fold(name)).map(resolved),
  };
}
