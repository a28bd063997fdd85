/** Opening the archive for a command: `--db PATH|postgres://…`, else `DOCSPACE_LOGINS_DB`, else the XDG default. */

import { normalisePortalUrl } from '../client/config.js';
import { UsageError } from '../client/errors.js';
import { getProfile } from '../config/profiles.js';
import type { EventFilter } from '../history/filter.js';
import { type ArchiveStore, openStore, type PortalInfo } from '../store/index.js';
import type { ParsedHistoryFlags } from './history-flags.js';

export interface ArchiveFlags {
  db?: string;
  profile?: string;
  portal?: string;
  demo?: boolean;
}

/** The fixed archive identity of the demo portal (its emulator listens on a new port each run). */
export const DEMO_PORTAL_KEY = 'https://demo.docspace.test';

export async function openArchive(
  flags: ArchiveFlags,
  env: NodeJS.ProcessEnv,
  readOnly = false,
): Promise<ArchiveStore> {
  return openStore(flags.db, { env, readOnly });
}

/** Portal ids selected by --profile/--portal/--demo (undefined = every portal in the archive). */
export async function selectedPortals(store: ArchiveStore, flags: ArchiveFlags, env: NodeJS.ProcessEnv) {
  let url: string | undefined;
  if (flags.demo) url = DEMO_PORTAL_KEY;
  else if (flags.profile) url = getProfile(flags.profile, env).portal;
  else if (flags.portal) url = normalisePortalUrl(flags.portal);
  if (!url) return undefined;
  const portal = await store.portal(url);
  if (!portal) throw new UsageError(`The archive has nothing for ${url} yet: run docspace-logins sync first`);
  return [portal.id];
}

/** An archive opened for reading, with the portals a command covers, resolved once. */
export interface ArchiveSelection {
  store: ArchiveStore;
  /** Undefined: every portal in the archive. */
  portalIds: number[] | undefined;
  /** The portal, when the read covers exactly one (archived events do not carry their portal). */
  only: PortalInfo | undefined;
}

export async function openArchiveSelection(flags: ArchiveFlags, env: NodeJS.ProcessEnv): Promise<ArchiveSelection> {
  const store = await openArchive(flags, env, true);
  try {
    const portalIds = await selectedPortals(store, flags, env);
    const ids = portalIds ?? (await store.portals()).map((p) => p.id);
    const only = ids.length === 1 ? await store.portal(ids[0]) : undefined;
    return { store, portalIds, only };
  } catch (err) {
    await store.close();
    throw err;
  }
}

/** The history filter for the archive: no people API offline, so `--user` matches an id or a typed login. */
export function archiveFilter(parsed: ParsedHistoryFlags): EventFilter {
  if (!parsed.users.length) return parsed.filter;
  const typed = parsed.users.map((u) => u.toLowerCase());
  return { ...parsed.filter, userIds: typed, logins: typed };
}
