/**
 * Who may look, and who may act. On loopback anyone on this machine may look; on any other
 * address every request needs the access token (a bearer header, or the cookie set when the
 * printed link with `?token=` is opened). A change (a finding's status, an action) needs a POST
 * with the session's CSRF token, from a page of this origin.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const SESSION_COOKIE = 'dl_session';
export const TOKEN_COOKIE = 'dl_token';

/**
 * Every response's security headers: a strict CSP (no inline script or style), no framing, and no
 * referrer beyond our own origin. Not `no-referrer`: under it a browser sends `Origin: null` with
 * every form POST, even to the page's own origin, and `sameOrigin` would refuse them all.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'same-origin',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

export function cookies(header: string | null): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0) out.set(part.slice(0, i).trim(), decodeURIComponent(part.slice(i + 1).trim()));
  }
  return out;
}

export function sameSecret(a: string | undefined | null, b: string): boolean {
  if (!a) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function newSecret(): string {
  return randomBytes(24).toString('base64url');
}

/** The CSRF token of a session: derived, so the server keeps no table of sessions. */
export function csrfToken(key: Buffer, session: string): string {
  return createHmac('sha256', key).update(`csrf:${session}`).digest('base64url');
}

export function cookie(name: string, value: string, secure: boolean): string {
  return `${name}=${encodeURIComponent(value)}; Path=/; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
}

/** A POST from another site (or a page that is not ours) is refused before the token is even read. */
export function sameOrigin(request: Request, url: URL): boolean {
  const site = request.headers.get('sec-fetch-site');
  if (site && site !== 'same-origin' && site !== 'none') return false;
  const origin = request.headers.get('origin');
  if (!origin) return true;
  // Host only: behind a TLS proxy the page is https:// while the request reaching us is http://.
  try {
    return new URL(origin).host === url.host;
  } catch {
    return false;
  }
}
