/**
 * The emulated DocSpace portal as an app object: `handle` is a node:http request listener and
 * `fetch` answers a WHATWG Request in memory. It never listens by itself (see server.ts).
 *
 * Behaviour follows what the real server does, including its flaws: `login/filter` windows the
 * unfiltered newest-first list before filtering, events within the same second come back in a
 * different order on every request, a portal without the `audit` feature silently answers
 * `last` to every filter, 401/402/403(scope)/429 have empty bodies while exceptions inside an
 * action produce a JSON error envelope with a .NET stack trace, and so on.
 */
/* global Request, Response */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Ctx, createCtx, type EmulatorRequest, type EmulatorResponse } from './http/context.js';
import { EmulatorError } from './http/error.js';
import { fromFetch, toFetch } from './http/fetch.js';
import {
  compose,
  faults,
  identity,
  ipSecurity,
  latency,
  type Middleware,
  rateLimit,
  requireIdentity,
  requirePayment,
  requireScope,
  type Route,
} from './http/middleware.js';
import { fromNode, toNode } from './http/node.js';
import { renderError } from './http/respond.js';
import type { EmulatorOptions } from './options.js';
import { auditRoutes } from './routes/audit.js';
import { authenticationRoutes } from './routes/authentication.js';
import { control } from './routes/control.js';
import { peopleRoutes } from './routes/people.js';
import { portalRoutes } from './routes/portal.js';
import { securityRoutes } from './routes/security.js';
import { settingsRoutes } from './routes/settings.js';
import { keysRoutes } from './routes/keys.js';
import { EmulatorState } from './state.js';

export interface EmulatorApp {
  /** node:http request listener. */
  handle(req: IncomingMessage, res: ServerResponse): void;
  /**
   * Answer a request in memory, with no socket. The caller counts as loopback unless
   * `remoteAddress` says otherwise; a dropped connection (a fault) rejects like a network error.
   */
  fetch(request: Request, info?: { remoteAddress?: string }): Promise<Response>;
  state: EmulatorState;
  /** Stop timers; the server closes sockets itself. */
  close(): void;
}

/** Build the emulated portal (data generated synchronously) and its request handlers. */
export function createEmulatorApp(options: EmulatorOptions = {}): EmulatorApp {
  const state = new EmulatorState(options);
  const respond = router(state, [
    ...auditRoutes(state),
    ...portalRoutes(state),
    ...peopleRoutes(state),
    ...authenticationRoutes(state),
    ...securityRoutes(state),
    ...settingsRoutes(state),
    ...keysRoutes(state),
  ]);
  return {
    handle: (req, res) => {
      respond(fromNode(req)).then(
        (answer) => toNode(res, req, answer),
        () => req.socket.destroy(),
      );
    },
    fetch: async (request, info) => toFetch(await respond(fromFetch(request, info?.remoteAddress ?? '127.0.0.1'))),
    state,
    close: () => state.close(),
  };
}

/** The pipeline around every route: faults, then who is calling, then the rate limiters. */
function router(state: EmulatorState, routes: Route[]) {
  const front: Middleware[] = [faults(state), identity(state), rateLimit(state)];
  const guarded = (r: Route): Middleware[] => [
    requireIdentity(),
    requirePayment(state),
    requireScope(r.area),
    ipSecurity(state),
  ];
  const compiled = routes.map((r) => ({
    route: r,
    run: compose([...front, ...(r.anonymous ? [] : guarded(r)), ...(r.use ?? [])], r.handler),
  }));
  // Unknown routes and methods are answered after the latency, as the server's routing does.
  const dispatch = compose([latency(state)], (ctx) => {
    const path = ctx.url.pathname.replace(/\/+$/, '');
    let pathMatched = false;
    for (const { route, run } of compiled) {
      const m = route.pattern.exec(path);
      if (!m) continue;
      pathMatched = true;
      if (route.method !== ctx.req.method) continue;
      ctx.params = m.slice(1).map((p) => decodeURIComponent(p));
      return run(ctx);
    }
    throw new EmulatorError(pathMatched ? 405 : 404);
  });

  return async (req: EmulatorRequest): Promise<EmulatorResponse> => {
    const started = performance.now();
    let ctx: Ctx;
    try {
      ctx = createCtx(req, started);
    } catch {
      return { status: 400, headers: {}, body: '' };
    }
    if (ctx.url.pathname.startsWith('/__emulator/')) return control(state, ctx);
    state.countRequest(ctx.url.pathname, ctx.req.method);
    let answer: EmulatorResponse;
    try {
      answer = await dispatch(ctx);
    } catch (err) {
      answer = renderError(ctx, err);
    }
    state.countStatus(answer.drop ? 'dropped' : answer.status);
    return answer;
  };
}
