/**
 * `security/activeconnections` and `security/audit/events`: the caller's sessions, ending one
 * session or all of a member's (the containment levers), and the audit trail that records them.
 */
import type { EmulatorPerson } from '../data/people.js';
import { accessDenied, bindAuditQuery, ModelErrors, parseGuid } from '../dotnet.js';
import { isAdmin } from '../http/auth.js';
import type { Ctx, EmulatorResponse } from '../http/context.js';
import { api, requireAdmin, type Route } from '../http/middleware.js';
import { envelope } from '../http/respond.js';
import { pageUrl } from '../render.js';
import { AUDIT_TEXT, type AuditRecord } from '../security/index.js';
import type { Actor, EmulatorState } from '../state.js';
import { clientDevice, requestPage } from './authentication.js';

/** The success codes that make a session (the server's list, without OAuth and logout). */
const SUCCESS_FOR_SESSIONS = new Set([1000, 1001, 1007, 1010, 1011, 1012, 1015, 1019, 1021, 1024, 1027, 1029]);

export function securityRoutes(state: EmulatorState): Route[] {
  return [
    { method: 'GET', pattern: api('security/activeconnections'), handler: (c) => activeConnections(state, c) },
    {
      method: 'PUT',
      pattern: api('security/activeconnections/logout/([^/]+)'),
      handler: (c) => logoutSession(state, c),
    },
    {
      method: 'PUT',
      pattern: api('security/activeconnections/logoutall/([^/]+)'),
      handler: (c) => logoutUser(state, c),
    },
    {
      method: 'PUT',
      pattern: api('security/activeconnections/logoutallexceptthis'),
      handler: (c) => logoutOthers(state, c),
    },
    {
      method: 'GET',
      pattern: api('security/audit/events/last'),
      use: [requireAdmin('GetLastAuditEventsAsync', 148)],
      handler: (c) => envelope(c, state.auditTrail.newest(20).map((r) => auditDto(state, r, c.origin))),
    },
    {
      method: 'GET',
      pattern: api('security/audit/events/filter'),
      use: [requireAdmin('GetAuditEventsByFilterAsync', 166)],
      handler: (c) => auditFilter(state, c),
    },
  ];
}

/** The caller as the audit trail records them. */
export function actor(ctx: Ctx): Actor {
  return { person: ctx.identity!.person, ip: ctx.ip, device: clientDevice(ctx), page: requestPage(ctx) };
}

/** `logout/{loginEventId}`: ends that session (any member's, for an admin); `false` if not live. */
function logoutSession(state: EmulatorState, ctx: Ctx): EmulatorResponse {
  const caller = ctx.identity!.person;
  const id = Number(ctx.params[0]);
  const row = Number.isInteger(id) ? state.store.findRow(id) : -1;
  const c = state.store.columns;
  if (row < 0 || c.active[row] !== 1) return envelope(ctx, false);
  const owner = state.personOfUserIndex(c.user[row]);
  if (owner?.id !== caller.id && !isAdmin(caller)) throw accessDenied('LogOutActiveConnection', 181);
  c.active[row] = 0;
  state.writeAudit(actor(ctx), 4035, [String(id)], [owner?.displayName ?? '']);
  return envelope(ctx, true);
}

/**
 * `logoutall/{userId}`: every token of the member dies (their cookie index is bumped) and their
 * sessions go inactive. On oneself the caller is signed in again (a fresh 1000 event).
 */
function logoutUser(state: EmulatorState, ctx: Ctx): EmulatorResponse {
  const caller = ctx.identity!.person;
  const guid = parseGuid(ctx.params[0]);
  const target = guid ? state.people.find((p) => p.id === guid && !p.deleted) : undefined;
  const self = target?.id === caller.id;
  if (!target || (!self && !isAdmin(caller))) throw accessDenied('LogOutAllActiveConnectionsForUser', 203);
  state.endSessions(target);
  state.writeAudit(actor(ctx), self ? 4034 : 4036, [target.id], [target.displayName]);
  if (self) signInAgain(state, ctx, target);
  return envelope(ctx, null);
}

/** `logoutallexceptthis`: the caller's other sessions end (with an API key there is no "this"). */
function logoutOthers(state: EmulatorState, ctx: Ctx): EmulatorResponse {
  const identity = ctx.identity!;
  const keep = identity.session?.session.eventId ?? 0;
  const c = state.store.columns;
  state.store.scan((row) => {
    if (c.user[row] === identity.person.userIndex && c.id[row] !== keep) c.active[row] = 0;
    return true;
  });
  state.writeAudit(actor(ctx), 4034, [identity.person.id], [identity.person.displayName]);
  return envelope(ctx, identity.person.displayName);
}

function signInAgain(state: EmulatorState, ctx: Ctx, person: EmulatorPerson): void {
  const eventId = state.writeEvent({
    userId: person.id,
    action: 1000,
    ip: ctx.ip,
    device: clientDevice(ctx),
    page: requestPage(ctx),
    active: true,
  });
  const { token } = state.sessions.issue(person, eventId, state.now() + 365 * 86_400_000);
  ctx.headers['set-cookie'] = `asc_auth_key=${token}; path=/; HttpOnly; SameSite=Lax`;
}

function auditDto(state: EmulatorState, r: AuditRecord, origin: string) {
  const person = state.people.find((p) => p.id === r.userId);
  const geo = state.geo.lookup(r.ip);
  const text = AUDIT_TEXT[r.action] ?? '';
  return {
    id: r.id,
    date: state.formatDate(r.time),
    user: person && !person.deleted ? person.displayName : 'Unknown Account',
    userId: r.userId,
    action: text.replace('{0}', r.description.join(', ')),
    actionId: r.action,
    ip: r.ip.split(':')[0],
    country: geo.country,
    city: geo.city,
    browser: r.device.browser ?? undefined,
    platform: r.device.platform ?? undefined,
    page: pageUrl(r.page, origin),
    target: r.target,
  };
}

/** The audit trail filtered first, then paged; without the audit feature, the 20 newest. */
function auditFilter(state: EmulatorState, ctx: Ctx): EmulatorResponse {
  const q = ctx.query;
  const errors = new ModelErrors();
  const { count, startIndex, userId, action, from, to } = bindAuditQuery(q, errors);
  const dates = { ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}) };
  errors.throwIfAny();
  const records = state.audit
    ? state.auditTrail.filter({ userId, action, ...dates, startIndex, count })
    : state.auditTrail.newest(20);
  return envelope(
    ctx,
    records.map((r) => auditDto(state, r, ctx.origin)),
  );
}

export function activeConnections(state: EmulatorState, ctx: Ctx): EmulatorResponse {
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
  const here = {
    ip: current.ip.split(':')[0],
    ...state.geo.lookup(current.ip),
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
