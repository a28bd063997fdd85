/**
 * `authentication`: password logins (and their second-factor step) with the login events the
 * server writes for every attempt, the brute-force guard, and logout.
 */
import { createHash, randomBytes } from 'node:crypto';
import { GUEST_ID } from '../../model/ids.js';
import { sevenDigitsUtc } from '../api-date.js';
import { type Device, EMAIL_NOT_SPECIFIED } from '../data/catalogue.js';
import type { EmulatorPerson } from '../data/people.js';
import { authCodeUnavailable, plainError, userDisabled } from '../dotnet.js';
import { cookieToken, isAdmin } from '../http/auth.js';
import type { Ctx, EmulatorResponse } from '../http/context.js';
import { EmulatorError } from '../http/error.js';
import { api, type Route } from '../http/middleware.js';
import { envelope, readJson } from '../http/respond.js';
import { tfaCodeValid } from '../security/index.js';
import type { EmulatorState } from '../state.js';
import { parseUserAgent } from '../user-agent.js';

const TOKEN_LIFETIME_MS = 365 * 86_400_000;

export function authenticationRoutes(state: EmulatorState): Route[] {
  return [
    {
      method: 'GET',
      pattern: api('authentication'),
      anonymous: true,
      handler: (c) => envelope(c, c.identity !== undefined),
    },
    { method: 'POST', pattern: api('authentication'), anonymous: true, handler: (c) => login(state, c) },
    {
      method: 'POST',
      pattern: api('authentication/(?!logout$)([^/]+)'),
      anonymous: true,
      handler: (c) => login(state, c, c.params[0]),
    },
    { method: 'POST', pattern: api('authentication/logout'), anonymous: true, handler: (c) => logout(state, c) },
  ];
}

/** `request-user-agent` in the query overrides the header (MessageSettings). */
export function clientDevice(ctx: Ctx): Device {
  return parseUserAgent(ctx.query.get('request-user-agent') ?? ctx.req.header('user-agent'));
}

/** `page`: the Referer, else the request URL (path and query; the origin is added when served). */
export function requestPage(ctx: Ctx): string {
  return ctx.req.header('referer') || ctx.url.pathname + ctx.url.search;
}

/**
 * A password login, or with `code` its second-factor step. Every attempt is counted by the
 * brute-force guard before the password is checked, and every outcome the server logs is
 * logged: 1023 while blocked, 1013 for wrong credentials (Guest id, typed login), 1025 for a
 * wrong code after a right password (the real member), 1010/1029/1024 for a success.
 */
async function login(state: EmulatorState, ctx: Ctx, code?: string): Promise<EmulatorResponse> {
  const body = await readJson(ctx);
  const dto = (body.ok ? body.value : undefined) as Record<string, unknown> | undefined;
  if (!body.ok || !dto || typeof dto !== 'object') {
    throw new EmulatorError(400, { validation: { inDto: ['The inDto field is required.'] } });
  }
  const userName = typeof dto.userName === 'string' ? dto.userName : '';
  const password = typeof dto.password === 'string' ? dto.password : undefined;
  const passwordHash = typeof dto.passwordHash === 'string' ? dto.passwordHash : undefined;
  const ip = ctx.ip;
  const device = clientDevice(ctx);
  const page = requestPage(ctx);
  const typed = userName.trim() ? userName : EMAIL_NOT_SPECIFIED;
  const event = (userId: string, action: number, login: string | null, active = false) =>
    state.writeEvent({ userId, action, login, ip, device, page, active });

  if (!state.bruteForce.attempt(userName, ip)) {
    event(GUEST_ID, 1023, typed);
    throw plainError(403, 'Too many login attempts. Please try again later');
  }
  // The server looks the account up by e-mail or GUID only: a user name matches nobody, so it
  // fails like a wrong password (and counts towards the lockout).
  const person = userName ? state.directory.credentials(userName) : undefined;
  if (!person || !passwordMatches(person, password, passwordHash)) {
    event(GUEST_ID, 1013, typed);
    throw plainError(401, 'User authentication failed');
  }
  state.bruteForce.succeeded(userName, ip);
  // A disabled profile: InvalidOperationException, 403, and no login event.
  if (person.status !== 1) throw userDisabled();
  let action = password !== undefined ? 1010 : 1029;
  if (code !== undefined) {
    if (!person.tfaAppEnabled) throw authCodeUnavailable();
    // The password was right, so the failure is filed under the member, not the Guest id.
    if (!tfaCodeValid(person.id, code, state.now())) {
      event(person.id, 1025, person.displayName);
      throw plainError(401, 'User authentication failed');
    }
    action = 1024;
  } else if (person.tfaAppEnabled) {
    // Second factor required: 200 without a token and without an event.
    return envelope(ctx, {
      sms: false,
      tfa: true,
      confirmUrl: `${ctx.origin}/confirm/TfaAuth?type=TfaAuth&key=${randomBytes(12).toString('hex')}`,
    });
  }
  // From an address the IP restrictions refuse, the token is issued but nothing is logged;
  // every call with it is refused afterwards.
  const allowed = state.ipRestrictions.allows(ip, person, isAdmin(person));
  const eventId = allowed ? event(person.id, action, null, true) : 0;
  const session = dto.session === true;
  const expires = state.now() + TOKEN_LIFETIME_MS;
  const { token } = state.sessions.issue(person, eventId, expires);
  ctx.headers['set-cookie'] = `asc_auth_key=${token}; path=/; HttpOnly; SameSite=Lax`;
  return envelope(ctx, {
    token,
    // A plain DateTime (UTC, `Z`); a session-only login never expires on its own.
    expires: session ? '0001-01-01T00:00:00' : sevenDigitsUtc(expires),
    sms: false,
    tfa: false,
  });
}

/**
 * The web UI sends `passwordHash`; the emulator accepts the hex SHA-256 of the password there.
 * An invited member has not chosen a password yet, so nothing matches for them.
 */
function passwordMatches(person: EmulatorPerson, password?: string, passwordHash?: string): boolean {
  if (person.status === 4) return false;
  const hash = createHash('sha256').update(person.password).digest('hex');
  return password === person.password || (passwordHash !== undefined && passwordHash.toLowerCase() === hash);
}

/**
 * Ends the session named by the `asc_auth_key` cookie, and only that one: a token sent in
 * `Authorization` stays valid, although the 1006 event is written either way. An anonymous
 * caller ends nothing and, in our reading, writes no event (the server's would be attributed
 * to nobody).
 */
function logout(state: EmulatorState, ctx: Ctx): EmulatorResponse {
  const token = cookieToken(ctx.req.header('cookie'));
  const session = token ? state.sessions.get(token) : undefined;
  if (token && session) {
    const row = state.store.findRow(session.eventId);
    if (row >= 0) state.store.columns.active[row] = 0;
    state.sessions.forget(token);
  }
  const person = ctx.identity?.person;
  if (person) {
    state.writeEvent({
      userId: person.id,
      action: 1006,
      login: person.displayName,
      ip: ctx.ip,
      device: clientDevice(ctx),
      page: requestPage(ctx),
      active: false,
    });
  }
  ctx.headers['set-cookie'] = 'asc_auth_key=; path=/; expires=Thu, 01 Jan 1970 00:00:00 GMT';
  return envelope(ctx, null);
}
