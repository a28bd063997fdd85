/**
 * `--user` against the archive, for the reports.
 * TODO INTEGRATE: replaced by the one `--user` resolver (history/users-filter.ts) when it lands.
 */
import { isGuid } from '../../../model/ids.js';
import type { ArchiveStore } from '../../../store/index.js';

/**
 * `--user` values against the archive (no people API offline): a user id also matches the
 * anonymous failures typed with a login the archive ties to that user (a login on the user's own
 * events, or the user's name); an email or login also matches the user ids whose own events
 * carried it.
 */
export async function resolveArchiveUsers(
  store: ArchiveStore,
  portalIds: readonly number[],
  inputs: readonly string[],
): Promise<{ userIds: string[]; logins: string[] }> {
  const ids = new Set<string>();
  const logins = new Set<string>();
  const portals = portalIds.length ? [...portalIds] : [-1];
  for (const input of inputs.map((i) => i.trim().toLowerCase()).filter(Boolean)) {
    if (isGuid(input)) {
      ids.add(input);
      const known = await store.db
        .selectFrom('events')
        .select((eb) => eb.fn('lower', ['login']).as('l'))
        .distinct()
        .where('portal_id', 'in', portals)
        .where('user_id', '=', input)
        .where('login', 'is not', null)
        .execute();
      for (const k of known) if (k.l) logins.add(String(k.l));
      const named = await store.db
        .selectFrom('events')
        .select('user_name')
        .where('portal_id', 'in', portals)
        .where('user_id', '=', input)
        .orderBy('time', 'desc')
        .limit(1)
        .executeTakeFirst();
      if (named?.user_name) logins.add(named.user_name.toLowerCase());
    } else {
      logins.add(input);
      const owners = await store.db
        .selectFrom('events')
        .select('user_id')
        .distinct()
        .where('portal_id', 'in', portals)
        .where('login', 'is not', null)
        .where((eb) => eb(eb.fn('lower', ['login']), '=', input))
        .where('anonymous', '=', 0)
        .execute();
      for (const o of owners) ids.add(o.user_id);
    }
  }
  return { userIds: [...ids], logins: [...logins] };
}
