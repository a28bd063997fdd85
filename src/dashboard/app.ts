/**
 * The dashboard as an app object: `fetch(Request)` answers in memory, with no socket, and only
 * the `serve` command binds a port (`server.ts`). Pages are rendered on the server from the
 * archive; the browser gets HTML with the numbers in it, and chart data of at most a few
 * hundred points per chart.
 */
/* global Request, Response */
import { createHmac } from 'node:crypto';
import { isDocSpaceLoginsError, UsageError } from '../errors/index.js';
import type { ArchiveStore } from '../store/index.js';
import { type ActionRunner, confirmBody, outcomeBody, parseActionForm } from './actions.js';
import { assets } from './assets.js';
import { filterParams, filterScope } from './data/filters.js';
import { FINDING_STATUSES, type FindingsSource, type FindingStatus } from './data/findings.js';
import { exportResponse } from './export.js';
import { userHref } from './format.js';
import { type Html } from './html.js';
import { messagePage, page } from './layout.js';
import { eventsPage } from './pages/events.js';
import { findingsPage } from './pages/findings.js';
import { healthPage } from './pages/health.js';
import { ipPage } from './pages/ip.js';
import { overviewPage, type PageDeps } from './pages/overview.js';
import { userPage } from './pages/user.js';
import { cookie, cookies, csrfToken, newSecret, sameOrigin, sameSecret, SECURITY_HEADERS, SESSION_COOKIE, TOKEN_COOKIE } from './security.js';
import { readView, type View } from './view.js';

export interface DashboardOptions {
  store: ArchiveStore;
  /** The portals shown by default (`--profile`); default every portal of the archive. */
  portalIds?: readonly number[];
  /** The findings store, once the archive has one. */
  findings?: FindingsSource;
  /** Given only with `--allow-actions`: without it the pages show no action buttons and refuse the POSTs. */
  actions?: ActionRunner;
  /** When set, every request needs it (any address other than loopback). */
  token?: string;
  /** Mark cookies Secure (served over https). */
  secure?: boolean;
  /** Key for masking typed logins that look like passwords. */
  secret?: string;
  now?: () => number;
  /** Told about unexpected errors (the page itself says only that something went wrong). */
  onError?: (err: unknown) => void;
}

export interface DashboardApp {
  fetch(request: Request): Promise<Response>;
}

type Handler = (ctx: Ctx) => Promise<Response>;
interface Ctx {
  request: Request;
  url: URL;
  session: string;
  csrf: string;
  view(): Promise<View>;
}

export function createDashboardApp(options: DashboardOptions): DashboardApp {
  const key = Buffer.from(newSecret());
  const now = options.now ?? Date.now;
  const deps: PageDeps = { store: options.store, findings: options.findings, secret: options.secret };
  const headers = (extra: Record<string, string> = {}) => ({ ...SECURITY_HEADERS, ...extra });
  const htmlResponse = (body: Html, status = 200, extra: Record<string, string> = {}) =>
    new Response(body.text, { status, headers: headers({ 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', ...extra }) });
  const redirect = (location: string, extra: Record<string, string> = {}) =>
    new Response(null, { status: 303, headers: headers({ location, ...extra }) });

  const get: Record<string, Handler> = {
    '/': async (c) => htmlResponse(await overviewPage(deps, await c.view())),
    '/events': async (c) => htmlResponse(await eventsPage(deps, await c.view())),
    '/events/export.csv': (c) => exportOf(c, 'csv'),
    '/events/export.xlsx': (c) => exportOf(c, 'xlsx'),
    '/user': async (c) => htmlResponse(await userPage(deps, await c.view(), { actionsCsrf: options.actions ? c.csrf : undefined })),
    '/ip': async (c) => htmlResponse(await ipPage(deps, await c.view())),
    '/findings': async (c) => htmlResponse(await findingsPage(deps, await c.view(), c.csrf)),
    '/health': async (c) => htmlResponse(await healthPage(deps, await c.view())),
  };
  const post: Record<string, (c: Ctx, form: URLSearchParams) => Promise<Response>> = {
    '/findings/status': async (c, form) => {
      if (!options.findings) throw new UsageError('this archive has no findings store');
      const status = form.get('status') as FindingStatus;
      if (!FINDING_STATUSES.includes(status)) throw new UsageError(`unknown status "${form.get('status') ?? ''}"`);
      const id = form.get('id') ?? '';
      if (!(await options.findings.get(id))) throw new UsageError(`no finding "${id}"`);
      await options.findings.setStatus(id, status, form.get('note') ?? undefined);
      return redirect(c.request.headers.get('referer')?.startsWith(c.url.origin) ? c.request.headers.get('referer')! : '/findings');
    },
    '/actions/confirm': async (c, form) => {
      const req = parseActionForm(form);
      const v = await viewFor(c, req.portalId);
      const who = (await options.store.findPeople(req.portalId, { keys: [req.userId] })).find((p) => p.id === req.userId);
      return htmlResponse(page(v, { title: 'Confirm', section: '' }, confirmBody(req, c.csrf, userHref(v, req.portalId, req.userId), who)));
    },
    '/actions/run': async (c, form) => {
      const req = parseActionForm(form);
      const v = await viewFor(c, req.portalId);
      const outcome = await options.actions!(req);
      return htmlResponse(page(v, { title: 'Done', section: '' }, outcomeBody(req, outcome, userHref(v, req.portalId, req.userId))));
    },
  };

  async function viewFor(c: Ctx, portalId: number): Promise<View> {
    const url = new URL(c.url);
    url.searchParams.set('portal', String(portalId));
    return readView(options.store, url, now(), { portalIds: options.portalIds });
  }

  async function exportOf(c: Ctx, format: 'csv' | 'xlsx'): Promise<Response> {
    const v = await c.view();
    const scope = await filterScope(options.store, v, filterParams(v.url));
    return exportResponse(options.store, v, scope, format, headers());
  }

  async function route(request: Request, url: URL, session: string, fresh: boolean): Promise<Response> {
    const c: Ctx = {
      request,
      url,
      session,
      csrf: csrfToken(key, session),
      view: () => readView(options.store, url, now(), { portalIds: options.portalIds }),
    };
    if (request.method === 'GET' || request.method === 'HEAD') {
      const handler = get[url.pathname];
      if (!handler) return htmlResponse(messagePage(undefined, 'Not found', `Nothing at ${url.pathname}.`), 404);
      const res = await handler(c);
      if (fresh) res.headers.append('set-cookie', cookie(SESSION_COOKIE, session, Boolean(options.secure)));
      return res;
    }
    if (request.method !== 'POST') return new Response('Method not allowed', { status: 405, headers: headers({ allow: 'GET, POST' }) });
    const handler = post[url.pathname];
    if (!handler) return htmlResponse(messagePage(undefined, 'Not found', `Nothing at ${url.pathname}.`), 404);
    if (url.pathname.startsWith('/actions/') && !options.actions) {
      return htmlResponse(messagePage(undefined, 'Not allowed', 'Actions are off: start serve with --allow-actions to allow them.'), 403);
    }
    const form = new URLSearchParams(await request.text());
    if (fresh || !sameOrigin(request, url) || !sameSecret(form.get('csrf'), c.csrf)) {
      return htmlResponse(messagePage(undefined, 'Refused', 'This form is out of date or came from another site: reload the page and try again.'), 403);
    }
    return handler(c, form);
  }

  return {
    async fetch(request) {
      const url = new URL(request.url);
      const asset = assets().get(url.pathname);
      const jar = cookies(request.headers.get('cookie'));
      if (options.token) {
        const given = url.searchParams.get('token');
        if (given !== null && sameSecret(given, options.token)) {
          url.searchParams.delete('token');
          return redirect(url.pathname + url.search, { 'set-cookie': cookie(TOKEN_COOKIE, tokenCookie(options.token), Boolean(options.secure)) });
        }
        const bearer = /^Bearer (.+)$/i.exec(request.headers.get('authorization') ?? '')?.[1];
        if (!sameSecret(bearer, options.token) && !sameSecret(jar.get(TOKEN_COOKIE), tokenCookie(options.token))) {
          return new Response('This dashboard needs its access token: open the link serve printed.\n', {
            status: 401,
            headers: headers({ 'content-type': 'text/plain; charset=utf-8', 'www-authenticate': 'Bearer' }),
          });
        }
      }
      if (asset && request.method === 'GET') {
        return new Response(asset.body, { headers: headers({ 'content-type': asset.type, 'cache-control': 'public, max-age=3600' }) });
      }
      const known = jar.get(SESSION_COOKIE);
      const session = known && /^[\w-]{20,64}$/.test(known) ? known : newSecret();
      try {
        return await route(request, url, session, session !== known);
      } catch (err) {
        if (err instanceof UsageError || (isDocSpaceLoginsError(err) && err.code === 'usage')) {
          return htmlResponse(messagePage(undefined, 'Cannot show this', (err as Error).message), 400);
        }
        options.onError?.(err);
        return htmlResponse(messagePage(undefined, 'Something went wrong', 'The dashboard could not answer this request; the terminal running serve says why.'), 500);
      }
    },
  };

  /** The cookie holds a keyed hash of the token, not the token itself. */
  function tokenCookie(token: string): string {
    return createHmac('sha256', key).update(`token:${token}`).digest('base64url');
  }
}
