import { createHmac } from 'node:crypto';
import { attributeFailure, attributionKey, isPlaceholderLogin, type PeopleDirectory } from '../model/attribution.js';

/**
 * What a typed login that matches no member looks like. People sometimes type their password into
 * the login field, and DocSpace stores whatever was typed; such a value must never be shown or
 * stored in clear by us, so it is replaced by a keyed hash before any rule sees it.
 */
export type LoginShape = 'empty' | 'email' | 'username' | 'secret';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const USERNAME_CHARS = /^[\p{L}\p{N}._@-]+$/u;

export function loginShape(login: string | null): LoginShape {
  const s = login?.trim() ?? '';
  if (!s || isPlaceholderLogin(s)) return 'empty';
  if (EMAIL.test(s)) return 'email';
  // A display name typed by mistake ("Anna Schmidt") has spaces; passwords rarely do.
  if (/\s/.test(s)) return 'username';
  if (!USERNAME_CHARS.test(s)) return 'secret';
  let classes = 0;
  if (/\p{Ll}/u.test(s)) classes++;
  if (/\p{Lu}/u.test(s)) classes++;
  if (/\p{N}/u.test(s)) classes++;
  if (/[._@-]/.test(s)) classes++;
  // "Summer2024" mixes three classes: user names are one or two ("anna.schmidt", "jsmith2").
  return classes >= 3 && s.length >= 8 ? 'secret' : 'username';
}

/** Whom a failed login was aimed at, as the rules group it. */
export interface FailureTarget {
  /** The member's user id; else the typed login's attribution key, or its keyed hash (`secret`), or ''. */
  target: string;
  known: boolean;
  shape: LoginShape | 'member';
}

/**
 * The one decision on a typed login: a member's e-mail or user name (by `directory`) names that
 * member; any other is classified by `loginShape`, and one that may be a password is kept only as
 * its keyed hash. The rules (DSL-014 and every per-account rule) group by `target`; outputs mask
 * with `maskLogin`, which asks this, so a masked value equals the finding's group.
 */
export function typedLoginTarget(login: string, directory: PeopleDirectory | undefined, secret: string | undefined): FailureTarget {
  const owner = directory && attributeFailure(login, directory);
  if (owner) return { target: owner, known: true, shape: 'member' };
  const shape = loginShape(login);
  const target = shape === 'empty' ? '' : shape === 'secret' ? redactLogin(login, secret) : attributionKey(login);
  return { target, known: false, shape };
}

/**
 * The keyed hash a typed login is shown as when it may be a password, else undefined (shown as
 * typed). Without a people directory every value shaped like a password is masked, a member's
 * user name such as `anna.schmidt2` included.
 */
export function maskLogin(login: string, secret: string | undefined, directory?: PeopleDirectory): string | undefined {
  const t = typedLoginTarget(login, directory, secret);
  return t.shape === 'secret' ? t.target : undefined;
}

/** `hmac:<16 hex>` for a value that must not be kept in clear. */
export function redactLogin(login: string, secret: string | undefined): string {
  const mac = createHmac('sha256', secret ?? 'docspace-logins/unkeyed').update(login.trim()).digest('hex');
  return `hmac:${mac.slice(0, 16)}`;
}
