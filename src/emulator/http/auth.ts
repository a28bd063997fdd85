/**
 * Who is calling, decided the way the server's authentication scheme selector does: API keys
 * only as exactly `Bearer sk-…`, Basic with the e-mail, and anything else handed to the cookie
 * handler, which prefers the `asc_auth_key` cookie and otherwise takes the header as a session
 * token (with an exact `Bearer ` prefix stripped).
 */
import type { EmulatorPerson } from '../data/people.js';
import type { EmulatorState } from '../state.js';
import type { EmulatorRequest, Identity } from './context.js';

/** Case-sensitive, one space: `bearer sk-…` or `Bearer  sk-…` reach the cookie handler and fail. */
const BEARER = 'Bearer ';
const JWT = /^[\w-]+\.[\w-]+\.[\w-]+$/;

export function identify(state: EmulatorState, req: EmulatorRequest): Identity | undefined {
  const header = req.header('authorization');
  const cookie = cookieToken(req.header('cookie'));
  if (!header) return cookie ? sessionIdentity(state, cookie, 'cookie') : undefined;
  const bearer = header.startsWith(BEARER) ? header.slice(BEARER.length) : undefined;
  if (bearer?.startsWith('sk-')) {
    const key = state.keys.find(bearer);
    if (!key || !state.keys.usable(key, state.now())) return undefined;
    key.lastUsed = state.now();
    return { person: key.person, key, via: 'apiKey' };
  }
  const basic = /^Basic\s+(.+)$/i.exec(header);
  if (basic) {
    const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const person = colon > 0 ? state.directory.credentials(decoded.slice(0, colon)) : undefined;
    if (person?.status !== 1 || person.password !== decoded.slice(colon + 1)) return undefined;
    return { person, via: 'basic' };
  }
  // A JWT goes to the identity service, which the emulator does not have.
  if (bearer !== undefined && JWT.test(bearer)) return undefined;
  if (cookie) return sessionIdentity(state, cookie, 'cookie');
  return sessionIdentity(state, bearer ?? header, 'token');
}

/** The session token in the `asc_auth_key` cookie, if any. */
export function cookieToken(cookie: string | undefined): string | undefined {
  if (!cookie) return undefined;
  for (const part of cookie.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === 'asc_auth_key') return decodeURIComponent(v.join('='));
  }
  return undefined;
}

function sessionIdentity(state: EmulatorState, token: string, via: 'token' | 'cookie'): Identity | undefined {
  const session = state.sessions.get(token);
  if (!session || !state.sessionValid(session) || session.person.status !== 1) return undefined;
  return { person: session.person, session: { token, session }, via };
}

/** EditPortalSettings: the owner or a DocSpace admin. */
export function isAdmin(p: EmulatorPerson): boolean {
  return p.role === 'owner' || p.role === 'admin';
}
