/**
 * The request pipeline as small named middleware, in the server's order: injected latency and
 * faults, identity, the rate limiters, then (for routes that need a caller) authentication,
 * payment, the API-key scope and, per route, the EditPortalSettings permission.
 */
import { accessDenied, databaseError } from '../dotnet.js';
import { scopeAllows } from '../security/index.js';
import type { EmulatorState } from '../state.js';
import { identify, isAdmin } from './auth.js';
import type { Ctx, EmulatorResponse } from './context.js';
import { reply } from './respond.js';
import { EmulatorError } from './error.js';

export type Next = () => Promise<EmulatorResponse>;
export type Middleware = (ctx: Ctx, next: Next) => Promise<EmulatorResponse>;
export type Handler = (ctx: Ctx) => EmulatorResponse | Promise<EmulatorResponse>;

/** Run `middleware` in order around `handler`. */
export function compose(middleware: readonly Middleware[], handler: Handler): (ctx: Ctx) => Promise<EmulatorResponse> {
  return (ctx) => {
    const step = (i: number): Promise<EmulatorResponse> =>
      i < middleware.length ? middleware[i](ctx, () => step(i + 1)) : Promise.resolve(handler(ctx));
    return step(0);
  };
}

/** The configured delay before every API answer. */
export function latency(state: EmulatorState): Middleware {
  return async function latency(_ctx, next) {
    if (state.latencyMs > 0) await state.options.sleep(state.latencyMs);
    return next();
  };
}

/** With probability `failRate`: a database error (500 JSON), a 502, a 503, or a cut connection. */
export function faults(state: EmulatorState): Middleware {
  return async function faults(_ctx, next) {
    if (!(state.failRate > 0 && state.faultRng.chance(state.failRate))) return next();
    const kind = state.faultRng.int(0, 3);
    if (kind === 0) throw databaseError();
    if (kind === 1) throw new EmulatorError(502);
    if (kind === 2) throw new EmulatorError(503);
    throw new EmulatorError(0, { drop: true });
  };
}

/** Decide who is calling; anonymous is fine here (routes that need a caller check later). */
export function identity(state: EmulatorState): Middleware {
  return async function identity(ctx, next) {
    ctx.identity = identify(state, ctx.req);
    return next();
  };
}

/** The chained limiters, partitioned by user id when authenticated, else by client IP. */
export function rateLimit(state: EmulatorState): Middleware {
  return async function rateLimit(ctx, next) {
    const partition = ctx.identity ? `user:${ctx.identity.person.id}` : `ip:${ctx.ip}`;
    const admission = state.rateLimiter.admit(partition, ctx.req.method);
    if (!admission.ok) throw new EmulatorError(429, { headers: admission.headers });
    try {
      return await next();
    } finally {
      admission.release();
    }
  };
}

/** No or a bad credential: the authentication middleware's challenge, 401 with no body. */
export function requireIdentity(): Middleware {
  return async function requireIdentity(ctx, next) {
    if (!ctx.identity) throw new EmulatorError(401);
    return next();
  };
}

/** PaymentFilter: an unpaid tenant gets 402 with no body, unless the request says `Payment-Info: false`. */
export function requirePayment(state: EmulatorState): Middleware {
  return async function requirePayment(ctx, next) {
    if (state.unpaid && ctx.req.header('payment-info')?.toLowerCase() !== 'false') throw new EmulatorError(402);
    return next();
  };
}

/**
 * ApiKeyScopesFilter: a GET needs `*:read` or `*:write` (or the route's own area, e.g.
 * `accounts:read`), anything else `*:write`; a key without it is forbidden, with no body.
 */
export function requireScope(area?: string): Middleware {
  return async function requireScope(ctx, next) {
    const key = ctx.identity?.key;
    if (key && !scopeAllows(key.permissions, ctx.req.method, area)) throw new EmulatorError(403);
    return next();
  };
}

/**
 * IpSecurityFilter: with restrictions on, a caller (not the owner) from an address off the
 * list gets 403 with a plain-text body, not the JSON envelope.
 */
export function ipSecurity(state: EmulatorState): Middleware {
  return async function ipSecurity(ctx, next) {
    const person = ctx.identity!.person;
    if (!state.ipRestrictions.allows(ctx.ip, person, isAdmin(person))) {
      return reply(ctx, 403, 'The access to the portal is restricted', 'text/plain; charset=utf-8');
    }
    return next();
  };
}

/**
 * EditPortalSettings, demanded inside a SecurityController action: an AuthorizingException, so
 * 403 with the JSON error envelope naming the action (`method`, `line` shape its stack).
 */
export function requireAdmin(method: string, line: number): Middleware {
  return async function requireAdmin(ctx, next) {
    if (!isAdmin(ctx.identity!.person)) throw accessDenied(method, line);
    return next();
  };
}

export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Matched against the path without a trailing slash; captures become `ctx.params`. */
  pattern: RegExp;
  /** [AllowAnonymous]: no caller needed, and allowed for unpaid tenants ([AllowNotPayment]). */
  anonymous?: boolean;
  /** The API-key scope area besides `*` (`accounts` for people). */
  area?: string;
  /** Route middleware, after authentication, payment and scope. */
  use?: Middleware[];
  handler: Handler;
}

/** A path under `/api/2.0/`, case-insensitive like ASP.NET routing. */
export function api(path: string): RegExp {
  return new RegExp(`^/api/2\\.0/${path}$`, 'i');
}
