import { createHmac } from 'node:crypto';
import { isPlaceholderLogin } from '../model/attribution.js';

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

/** `hmac:<16 hex>` for a value that must not be kept in clear. */
export function redactLogin(login: string, secret: string | undefined): string {
  const mac = createHmac('sha256', secret ?? 'docspace-logins/unkeyed').update(login.trim()).digest('hex');
  return `hmac:${mac.slice(0, 16)}`;
}
