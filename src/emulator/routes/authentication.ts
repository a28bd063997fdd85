/**
 * `authentication` and `security/activeconnections`: password logins with the events they write
 * (and the brute-force guard), logout, and the caller's own sessions.
 */
import { createHash, randomBytes } from 'node:crypto';
import { GUEST_ID } from '../../model/ids.js';
import { sevenDigitsUtc } from '../api-date.js';
import { type Device, EMAIL_NOT_SPECIFIED } from '../data/catalogue.js';
import { plainError, userDisabled } from '../dotnet.js';
import { cookieToken } from '../http/auth.js';
import type { Ctx, EmulatorResponse } from '../http/context.js';
import { EmulatorError } from '../http/error.js';
import { api, type Route } from '../http/middleware.js';
import { envelope, readJson } from '../http/respond.js';
import { pageUrl } from '../render.js';
import type { EmulatorState } from '../state.js';
import { parseUserAgent } from '../user-agent.js';

/** Login attempts the brute-force guard allows per login and IP within the check period. */
const BRUTE_FORCE_ATTEMPTS = 5;
const BRUTE_FORCE_PERIOD_MS = 60_000;
const TOKEN_LIFETIME_MS = 365 * 86_400_000;
/** The success codes that make a session (the server's list, without OAuth and logout). */
const SUCCESS_FOR_SESSIONS = new Set([1000, 1001, 1007, 1010, 1011, 1012, 1015, 1019, 1021, 1024, 1027, 1029]);

export function authenticationRoutes(state: EmulatorState): Route[] {
  return [
    { method: 'GET', pattern: api('security/activeconnections'), handler: (c) => activeConnections(state, c) },
    {
      method: 'GET',
      pattern: api('authentication'),
      anonymous: true,
      handler: (c) => envelope(c, c.identity !== undefined),
    },
    { method: 'POST', pattern: api('authentication'), anonymous: true, handler: (c) => login(state, c) },
    { method: 'POST', pattern: api('authentication/logout'), anonymous: true, handler: (c) => logout(state, c) },
  ];
}

/** `request-user-agent` in the query overrides the header (MessageSettings). */
function clientDevice(ctx: Ctx): Device {
  return parseUserAgent(ctx.query.get('request-user-agent') ?? ctx.req.header('user-agent'));
}

/** `page`: the Referer, else the request URL (path and query; the origin is added when served). */
function requestPage(ctx: Ctx): string {
  return ctx.req.header('referer') || ctx.url.pathname + ctx.url.search;
}

async function login(state: EmulatorState, ctx: Ctx): Promise<EmulatorResponse> {
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

  // Brute-force guard: per login and IP, counted before the credentials are checked.
  const bfKey = `${userName.toLowerCase()}|${ip}`;
  const now = Date.now();
  const attempts = (state.bruteForce.get(bfKey) ?? []).filter((t) => t > now - BRUTE_FORCE_PERIOD_MS);
  state.bruteForce.set(bfKey, attempts);
  if (attempts.length >= BRUTE_FORCE_ATTEMPTS) {
    state.writeEvent({ userId: GUEST_ID, action: 1023, login: typed, ip, device, page, active: false });
    throw plainError(403, 'Too many login attempts. Please try again later');
  }

  // The server looks the account up by e-mail or GUID only: a user name matches nobody, so it
  // fails like a wrong password (and counts towards the lockout).
  const person = userName ? state.directory.credentials(userName) : undefined;
  const hash = (s: string) => createHash('sha256').update(s).digest('hex');
  // The web UI sends `passwordHash`; the emulator accepts the hex SHA-256 of the password there.
  // An invited member has not chosen a password yet, so nothing matches for them either.
  const ok =
    person !== undefined &&
    person.status !== 4 &&
    ((password !== undefined && password === person.password) ||
      (passwordHash !== undefined && passwordHash.toLowerCase() === hash(person.password)));
  if (!ok) {
    attempts.push(now);
    state.writeEvent({ userId: GUEST_ID, action: 1013, login: typed, ip, device, page, active: false });
    throw plainError(401, 'User authentication failed');
  }
  // A disabled profile: InvalidOperationException, 403, and no login event.
  if (person.status !== 1) throw userDisabled();
  if (person.tfaAppEnabled) {
    // Second factor required: 200 without a token and without an event.
    return envelope(ctx, {
      sms: false,
      tfa: true,
      confirmUrl: `${ctx.origin}/confirm/TfaAuth?type=TfaAuth&key=${randomBytes(12).toString('hex')}`,
    });
  }
  const action = password !== undefined ? 1010 : 1029;
  const eventId = state.writeEvent({ userId: person.id, action, ip, device, page, active: true });
  const token = randomBytes(36).toString('base64url');
  const session = dto.session === true;
  const expires = state.now() + TOKEN_LIFETIME_MS;
  state.sessions.set(token, { person, eventId, expires });
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
    state.sessions.delete(token);
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

function activeConnections(state: EmulatorState, ctx: Ctx): EmulatorResponse {
  const identity = ctx.identity!;
  const person = identity.person;
  const c = state.store.columns;
  const t = state.tables;
  const since = state.now() - 365 * 86_400_000;
  const sessionId = identity.session?.session.eventId ?? 0;
  const current = { ip: ctx.ip, device: clientDevice(ctx) };
  const items: Array<Record<string, unknown>> = [];
  state.store.scan((row) => {
    if (c.time[row] < since) return false;
    if (c.user[row] !== person.userIndex || c.active[row] !== 1 || !SUCCESS_FOR_SESSIONS.has(c.action[row])) {
      return true;
    }
    const place = t.places.get(c.place[row]);
    items.push({
      id: c.id[row],
      tenantId: 1,
      userId: person.id,
      mobile: false,
      ip: place.shownIp,
      country: place.country,
      city: place.city,
      browser: t.browsers.get(c.browser[row]) ?? undefined,
      platform: t.platforms.get(c.platform[row]) ?? undefined,
      date: state.formatDate(c.time[row]),
      page: pageUrl(t.pages.get(c.page[row]), ctx.origin),
    });
    return true;
  });
  items.sort((a, b) => (b.id as number) - (a.id as number));
  const geo = (ip: string) => {
    const hit = items.find((i) => i.ip === ip.split(':')[0]);
    return { country: (hit?.country as string) ?? '', city: (hit?.city as string) ?? '' };
  };
  const here = {
    ip: current.ip.split(':')[0],
    ...geo(current.ip),
    browser: current.device.browser ?? undefined,
    platform: current.device.platform ?? undefined,
  };
  if (sessionId) {
    const at = items.findIndex((i) => i.id === sessionId);
    if (at >= 0) {
      const [mine] = items.splice(at, 1);
      items.unshift({ ...mine, ...here });
    }
  } else if (items.length === 0) {
    items.push({
      id: 0,
      tenantId: 1,
      userId: person.id,
      mobile: false,
      ...here,
      date: state.formatDate(state.now()),
      page: ctx.href,
    });
  }
  return envelope(ctx, { loginEvent: sessionId, items }, { count: 1 });
}
