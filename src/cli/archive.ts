/**
 * Opening the archive for a command, and the one rule for which portals it reads.
 *
 * Where: `--db PATH|postgres://…`, else `DOCSPACE_LOGINS_DB`, else the XDG default; `--demo`
 * without `--db` gets a fresh temporary archive synced from the built-in demo portal, so demo
 * data never mixes with real data and every archive command works on a fresh machine.
 *
 * Which portals: the one configured for the command (`--demo`, `--profile`, `--portal`,
 * `DOCSPACE_URL`/`DOCSPACE_API_HOST`, else the default profile), the same portal a live read
 * would ask; `--all`, or nothing configured at all, reads every archived portal.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { normalisePortalUrl } from '../client/config.js';
import { UsageError } from '../errors/index.js';
import { getProfile, loadConfig } from '../config/profiles.js';
import type { EventFilter } from '../history/filter.js';
import { type ArchiveStore, openStore, type PortalInfo } from '../store/index.js';
import type { Connected } from './context.js';
import type { ParsedHistoryFlags } from './history-flags.js';
import type { Reporter } from './io.js';

export interface ArchiveFlags {
  db?: string;
  profile?: string;
  portal?: string;
  demo?: boolean;
  /** Every archived portal, whatever is configured. */
  all?: boolean;
}

/**
 * Which archive and which of its portals, parsed once from a command's flags
 * (`parseArchiveFlags`); the helpers below read this, never the flags.
 */
export interface ArchiveOptions {
  db?: string;
  /** `--demo`: the demo portal (and, without `db`, a temporary archive of it). */
  demo: boolean;
  profile?: string;
  portal?: string;
  /** `--all`: every archived portal, whatever is configured. */
  all: boolean;
}

/** The archive the flags ask for; `--all` with a portal named is refused here, before any work. */
export function parseArchiveFlags(flags: ArchiveFlags): ArchiveOptions {
  const all = Boolean(flags.all);
  if (all && (flags.profile || flags.portal || flags.demo)) {
    throw new UsageError('--all reads every archived portal: leave out --profile, --portal and --demo');
  }
  return { db: flags.db, demo: Boolean(flags.demo), profile: flags.profile, portal: flags.portal, all };
}

/** The fixed archive identity of the demo portal (its emulator listens on a new port each run). */
export const DEMO_PORTAL_KEY = 'https://demo.docspace.test';

export interface OpenArchiveOptions {
  readOnly?: boolean;
  /** For `--demo` without `--db`: sync the demo portal into the temporary archive first (default true). */
  syncDemo?: boolean;
  reporter?: Reporter;
  /**
   * For `--demo` without `--db`: the demo portal to sync from, kept open by its owner (serve
   * --allow-actions acts on it); by default one is started for the sync and stopped after it.
   */
  demoConnection?: Connected;
  /** A sync: its lock's session is opened with the archive (`OpenStoreOptions.prepareLock`). */
  prepareLock?: boolean;
}

export async function openArchive(
  archive: { db?: string; demo?: boolean },
  env: NodeJS.ProcessEnv,
  readOnlyOrOptions: boolean | OpenArchiveOptions = false,
): Promise<ArchiveStore> {
  const opts = typeof readOnlyOrOptions === 'boolean' ? { readOnly: readOnlyOrOptions } : readOnlyOrOptions;
  if (archive.demo && !archive.db) return openDemoArchive(env, opts);
  return openStore(archive.db, { env, readOnly: opts.readOnly, prepareLock: opts.prepareLock });
}

/** A temporary archive holding the demo portal, removed when the store is closed. */
async function openDemoArchive(env: NodeJS.ProcessEnv, opts: OpenArchiveOptions): Promise<ArchiveStore> {
  const dir = mkdtempSync(join(tmpdir(), 'docspace-logins-demo-'));
  const path = join(dir, 'demo.sqlite');
  const remove = () => rmSync(dir, { recursive: true, force: true });
  try {
    if (opts.syncDemo ?? true) {
      const [{ connect }, { syncPortal }, { Reporter, processIo }] = await Promise.all([
        import('./context.js'),
        import('../sync/sync.js'),
        import('./io.js'),
      ]);
      const writer = await openStore(path, { env });
      const conn = opts.demoConnection ?? (await connect({ demo: true }, opts.reporter ?? new Reporter(processIo(), true), env));
      try {
        await syncPortal(conn.client, writer, { portalKey: DEMO_PORTAL_KEY });
      } finally {
        if (conn !== opts.demoConnection) await conn.close();
        await writer.close();
      }
    }
    const store = await openStore(path, { env, readOnly: opts.readOnly });
    const close = store.close.bind(store);
    store.close = async () => {
      await close();
      remove();
    };
    return store;
  } catch (err) {
    remove();
    throw err;
  }
}

/**
 * The portal a command is about, by the one scope rule (see the top of this file); undefined
 * means every archived portal.
 */
function scopedPortalUrl(
  archive: ArchiveOptions,
  env: NodeJS.ProcessEnv,
  { defaultProfile = true }: { defaultProfile?: boolean } = {},
): string | undefined {
  if (archive.all) return undefined;
  if (archive.demo) return DEMO_PORTAL_KEY;
  if (archive.profile) return getProfile(archive.profile, env).portal;
  const configured = archive.portal ?? env.DOCSPACE_URL ?? env.DOCSPACE_API_HOST;
  if (configured) return normalisePortalUrl(configured);
  const fallback = defaultProfile ? loadConfig(env).defaultProfile : undefined;
  return fallback ? getProfile(fallback, env).portal : undefined;
}

/**
 * Portal ids in scope (undefined = every portal in the archive). `status` is an overview: it
 * narrows only on an explicit choice, not on the default profile.
 */
export async function selectedPortals(
  store: ArchiveStore,
  archive: ArchiveOptions,
  env: NodeJS.ProcessEnv,
  scope: { defaultProfile?: boolean } = {},
) {
  const url = scopedPortalUrl(archive, env, scope);
  if (!url) return undefined;
  const portal = await store.portal(url);
  if (!portal) {
    throw new UsageError(
      `The archive has nothing for ${url} yet: run docspace-logins sync first (or --all for every archived portal)`,
    );
  }
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

export async function openArchiveSelection(archive: ArchiveOptions, env: NodeJS.ProcessEnv): Promise<ArchiveSelection> {
  const store = await openArchive(archive, env, { readOnly: true });
  try {
    const portalIds = await selectedPortals(store, archive, env);
    const ids = portalIds ?? (await store.portals()).map((p) => p.id);
    const only = ids.length === 1 ? await store.portal(ids[0]) : undefined;
    return { store, portalIds, only };
  } catch (err) {
    await store.close();
    throw err;
  }
}

/**
 * The history filter for the archive: `--user` resolved against the archive's people directory
 * by the one resolver, so it selects what a live read selects.
 */
export async function archiveFilter(selection: ArchiveSelection, parsed: ParsedHistoryFlags): Promise<EventFilter> {
  if (!parsed.users.length) return parsed.filter;
  const [{ archivePeopleLookup }, { filterForPeople, resolveUsers }] = await Promise.all([
    import('../store/people-lookup.js'),
    import('../history/resolve-users.js'),
  ]);
  const ids = selection.portalIds ?? (await selection.store.portals()).map((p) => p.id);
  const people = await resolveUsers(parsed.users, await archivePeopleLookup(selection.store, ids));
  return filterForPeople(parsed.filter, people);
}
