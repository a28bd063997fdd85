/**
 * Events with typed logins that may be passwords masked (`events --mask-logins`, on by default,
 * and `ExportFormat.maskLogins`). People sometimes type their password into the login field and
 * DocSpace stores it; a masked event carries the keyed hash instead, the very `hmac:…` value a
 * DSL-014 finding is grouped by when both use the portal's detect key, so the two can be joined.
 */
import { maskLogin } from '../detect/login-shape.js';
import { type DirectoryPerson, PeopleDirectory } from '../model/attribution.js';
import type { LoginEvent } from '../model/event.js';

/** One portal's masking: the key to hash with, and the members whose logins are never masked. */
export interface PortalMask {
  /**
   * The portal's detect key. Without one the hash is unkeyed (as `redactLogin` makes it), which
   * anyone can recompute for a guessed password: callers should give one.
   */
  key?: string;
  /**
   * The people directory: a typed login that is a member's e-mail or user name names that member
   * and is shown (the rules attribute it so). Without it, the shape alone decides.
   */
  people?: readonly DirectoryPerson[];
}

/**
 * What to mask with: plain data, so an export hands it to its worker thread as it is. `portals`:
 * by portal URL, for reads of several portals (each event names its `portal`); the top level
 * serves the rest.
 */
export interface LoginMask extends PortalMask {
  portals?: Readonly<Record<string, PortalMask>>;
}

/** Typed logins seen, per portal: failures repeat the same few, so each is classified once. */
const CACHE_LIMIT = 4096;

/**
 * `(typed login) → its keyed hash`, or undefined when it is shown as typed (a member's e-mail or
 * user name, or not shaped like a password): one portal's rule, for events and reports alike.
 */
export function typedLoginMasker(m: PortalMask): (login: string) => string | undefined {
  const directory = m.people && new PeopleDirectory(m.people);
  const seen = new Map<string, string | null>();
  return (login) => {
    let hit = seen.get(login);
    if (hit === undefined) {
      if (seen.size >= CACHE_LIMIT) seen.clear();
      hit = maskLogin(login, m.key, directory) ?? null;
      seen.set(login, hit);
    }
    return hit ?? undefined;
  };
}

/** `(event) → event`, the same object when nothing in it is masked. */
export function loginMasker(mask: LoginMask): (e: LoginEvent) => LoginEvent {
  const masked = new Map<PortalMask, (login: string) => string | undefined>();
  const maskerOf = (m: PortalMask) => {
    let f = masked.get(m);
    if (!f) masked.set(m, (f = typedLoginMasker(m)));
    return f;
  };
  const top = maskerOf(mask);
  const { portals } = mask;
  return (e) => {
    // Only an anonymous event's login was typed by someone not signed in (DSL-014 reads those
    // alone); a signed-in member's events carry their display name or e-mail there.
    if (e.login === null || !e.anonymous) return e;
    const of = portals && e.portal !== undefined && portals[e.portal];
    const login = (of ? maskerOf(of) : top)(e.login);
    if (login === undefined) return e;
    // DocSpace names an anonymous failure by the typed login: `user` holds it too.
    const user = e.user.trim() === e.login.trim() ? login : e.user;
    return { ...e, login, user };
  };
}

const shared = new WeakMap<LoginMask, (e: LoginEvent) => LoginEvent>();

/**
 * `loginMasker(mask)`, one per mask for the life of the thread: building it reads the whole people
 * directory, and its cache of typed logins is worth keeping from one export segment to the next.
 */
export function sharedLoginMasker(mask: LoginMask): (e: LoginEvent) => LoginEvent {
  let f = shared.get(mask);
  if (!f) {
    f = loginMasker(mask);
    shared.set(mask, f);
  }
  return f;
}

/**
 * The event's JSON as the portal served it (ECS `event.original`) with the same values masked
 * as in `masked` (what `loginMasker` made of `event`): unchanged text when nothing was masked.
 */
export function maskedOriginal(original: string, event: LoginEvent, masked: LoginEvent): string {
  if (masked === event) return original;
  const raw = JSON.parse(original) as Record<string, unknown>;
  if (typeof raw.login === 'string') raw.login = masked.login;
  if (typeof raw.user === 'string' && raw.user === event.user) raw.user = masked.user;
  return JSON.stringify(raw);
}
