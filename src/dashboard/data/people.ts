/** The archived people directory as the pages use it: names for ids, and owners of typed logins. */
import { attributeFailure, PeopleDirectory } from '../../model/attribution.js';
import type { ArchivedPerson, ArchiveStore } from '../../store/index.js';

export class PortalPeople {
  private readonly byId = new Map<string, ArchivedPerson>();
  private readonly directories = new Map<number, PeopleDirectory>();

  private constructor(list: readonly ArchivedPerson[]) {
    const perPortal = new Map<number, ArchivedPerson[]>();
    for (const p of list) {
      this.byId.set(`${p.portalId}/${p.id}`, p);
      perPortal.set(p.portalId, [...(perPortal.get(p.portalId) ?? []), p]);
    }
    for (const [id, people] of perPortal) this.directories.set(id, new PeopleDirectory(people));
  }

  static async load(store: ArchiveStore, portalIds: readonly number[]): Promise<PortalPeople> {
    const lists = await Promise.all(portalIds.map((id) => store.people(id, { includeRemoved: true })));
    return new PortalPeople(lists.flat());
  }

  person(portalId: number, userId: string): ArchivedPerson | undefined {
    return this.byId.get(`${portalId}/${userId.toLowerCase()}`);
  }

  /** The member a failed login typed as `login` belongs to (the attribution rule), if any. */
  ownerOf(portalId: number, login: string | null): ArchivedPerson | undefined {
    const dir = this.directories.get(portalId);
    const id = dir ? attributeFailure(login, dir) : undefined;
    return id ? this.person(portalId, id) : undefined;
  }
}
