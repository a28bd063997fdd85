/** How values look on a page: times in the chosen zone, counts, typed logins (masked when they may be passwords). */
import { maskLogin } from '../detect/login-shape.js';
import type { ActionKind } from '../model/actions.js';
import { type Html, html, query } from './html.js';
import { type View, viewParams } from './view.js';

/** `2025-06-03 14:05` in the view's zone (`eventOffset`: the portal's offset for that event). */
export function when(v: View, time: number, eventOffset?: number): string {
  return v.clock.format(time, eventOffset).slice(0, 16).replace('T', ' ');
}

export function count(n: number): string {
  return n.toLocaleString('en-US');
}

export function percent(part: number, whole: number): string {
  return whole ? `${Math.round((part / whole) * 100)}%` : '–';
}

/**
 * A typed login as a page may show it: people sometimes type their password into the login
 * field, so a value shaped like one is replaced by its keyed hash (the detection rules' masking).
 */
export function shownLogin(login: string | null, secret?: string): Html {
  if (login === null || !login.trim()) return html`<span class="muted">(empty)</span>`;
  const masked = maskLogin(login, secret);
  if (masked !== undefined) return html`<span class="masked" title="looks like a password: masked">${masked}</span>`;
  return html`<code>${login}</code>`;
}

export function kindBadge(kind: ActionKind | string): Html {
  return html`<span class="badge kind-${kind}">${kind}</span>`;
}

/** A link to a page of the dashboard that keeps the view (portal, zone, period). */
export function link(v: View, path: string, params: Record<string, string | number | undefined | null> = {}): string {
  return path + query({ ...viewParams(v), ...params });
}

export function userHref(v: View, portalId: number, userId: string): string {
  return link(v, '/user', { portal: portalId, id: userId });
}

export function ipHref(v: View, ip: string): string {
  return link(v, '/ip', { ip });
}
