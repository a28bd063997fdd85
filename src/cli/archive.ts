/** Opening the archive for a command: `--db PATH|postgres://…`, else `DOCSPACE_LOGINS_DB`, else the XDG default. */

import { normalisePortalUrl } from '../client/config.js';
import { UsageError } from '../client/errors.js';
import { getProfile } from '../config/profiles.js';
import { type ArchiveStore, openStore } from '../store/index.js';

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
