/**
 * What `events` masks password-like typed logins with (on unless `--no-mask-logins`): the key,
 * and the people directory whose members' logins stay as typed, as the rules attribute them.
 *
 * - from the archive: each portal's detect key, the one its DSL-014 findings are grouped by, so
 *   a masked export joins to them, and its archived people;
 * - live: the same key and people, from the archive `--db` or DOCSPACE_LOGINS_DB names (where
 *   live `detect` keeps its findings and takes its key); without one, the shape alone decides;
 * - no such key (no archive named, or detection never ran for the portal): a random key made for
 *   this run. Its values agree within one output and join to nothing; an unkeyed hash instead
 *   could be recomputed by anyone for a guessed password, which is what a typed password is.
 */
import { randomBytes } from 'node:crypto';
import type { LoginMask, PortalMask } from '../output/masked-logins.js';
import type { ArchiveStore } from '../store/index.js';
import type { ArchiveSelection } from './archive.js';
import type { Reporter } from './io.js';

const RUN_KEY_NOTE =
  'password-like logins are masked with a key of this run only, so the hmac values match no finding';

/** A key for one run's hashes: they agree within its output and join to nothing (no unkeyed hash is ever printed). */
export function runKey(): string {
  return randomBytes(32).toString('base64url');
}

/** A portal's detect key (undefined: none yet) and its archived people, removed ones too (their events remain). */
async function archivedMask(store: ArchiveStore, portalId: number): Promise<PortalMask> {
  const people = await store.people(portalId, { includeRemoved: true });
  return {
    key: await store.detectSecret(portalId),
    people: people.map((p) => ({ id: p.id, email: p.email, userName: p.userName })),
  };
}

/**
 * One archived portal's mask (a report's): its detect key and people, or a run key and the note
 * saying so when detection never ran for it.
 */
export async function archivedPortalMask(store: ArchiveStore, portalId: number, url: string): Promise<{ mask: PortalMask; note?: string }> {
  const mask = await archivedMask(store, portalId);
  if (mask.key !== undefined) return { mask };
  return { mask: { ...mask, key: runKey() }, note: `${RUN_KEY_NOTE} for ${url}: no detection key yet (run docspace-logins detect first)` };
}

/** Each portal's detect key and people for an archive read; a run key for a portal without a key (noted). */
export async function archiveLoginMask(selection: ArchiveSelection, reporter: Reporter): Promise<LoginMask> {
  const { store, only, portalIds } = selection;
  const scope = only ? [only] : (await store.portals()).filter((p) => !portalIds || portalIds.includes(p.id));
  const portals: Record<string, PortalMask> = {};
  const keyless: string[] = [];
  for (const p of scope) {
    const mask = (portals[p.url] = await archivedMask(store, p.id));
    if (mask.key === undefined) {
      keyless.push(p.url);
      mask.key = runKey();
    }
  }
  if (keyless.length) reporter.note(`${RUN_KEY_NOTE} for ${keyless.join(', ')}: no detection key yet (run docspace-logins detect first)`);
  // A one-portal read's events name no portal: its mask is the top level.
  return only ? portals[only.url] : { key: runKey(), portals };
}

/**
 * The key for a live read of `portal` (`demo`: the demo portal, archived under its fixed key):
 * the detect key of the archive named by `--db` or DOCSPACE_LOGINS_DB, else a run key. The note
 * on the run key waits for the first masked value, so a history with nothing to mask reads
 * without it.
 */
export async function liveLoginMask(
  db: string | undefined,
  portal: { url?: string; demo: boolean },
  env: NodeJS.ProcessEnv,
  reporter: Reporter,
): Promise<{ mask: LoginMask; note?: string }> {
  if (db === undefined && env.DOCSPACE_LOGINS_DB === undefined) {
    return { mask: { key: runKey() }, note: `${RUN_KEY_NOTE} (name the archive with --db to mask as its findings do)` };
  }
  const [{ openStore }, { DEMO_PORTAL_KEY }] = await Promise.all([import('../store/index.js'), import('./archive.js')]);
  const portalUrl = portal.demo ? DEMO_PORTAL_KEY : (portal.url ?? '');
  let mask: PortalMask = {};
  try {
    const store = await openStore(db, { env, readOnly: true });
    try {
      const archived = await store.portal(portalUrl);
      if (archived) mask = await archivedMask(store, archived.id);
    } finally {
      await store.close();
    }
  } catch (err) {
    reporter.debug(`no detection key from the archive: ${String((err as Error)?.message ?? err)}`);
  }
  if (mask.key !== undefined) return { mask };
  const note = `${RUN_KEY_NOTE}: the archive has no detection key for ${portalUrl} (run docspace-logins detect)`;
  return { mask: { ...mask, key: runKey() }, note };
}

/**
 * `mask`, saying `note` once, at the first value it hides (`hid(value, result)`): an event masker
 * (a new event when it masked one) or a typed-login masker (a hash when it hid one) alike.
 */
export function notingFirst<T, R>(mask: (v: T) => R, hid: (v: T, r: R) => boolean, note: string, reporter: Reporter): (v: T) => R {
  let said = false;
  return (v) => {
    const r = mask(v);
    if (!said && hid(v, r)) {
      said = true;
      reporter.note(note);
    }
    return r;
  };
}
