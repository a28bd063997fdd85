/**
 * Elastic Common Schema for a login event, as NDJSON that Filebeat, Elastic Agent or any SIEM
 * reading ECS can take as it is.
 */
import { isIP } from 'node:net';
import { ACTIONS } from '../model/actions.js';
import type { LoginEvent } from '../model/event.js';
import { isoUtc, offsetText } from '../model/time.js';

export const ECS_VERSION = '8.11.0';

/** `LoginSuccessViaApi` → `login-success-via-api`: stable names for `event.action`. */
function kebab(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1-$2')
    .toLowerCase();
}

export interface EcsOptions {
  /** The raw event as received, for `event.original`. */
  original?: string;
  /** The portal URL the event came from. */
  portal?: string;
}

export function toEcs(e: LoginEvent, opts: EcsOptions = {}): Record<string, unknown> {
  const info = ACTIONS.get(e.actionId);
  const outcome =
    e.kind === 'success' || e.kind === 'logout' ? 'success' : e.kind === 'failure' ? 'failure' : 'unknown';
  const type = e.kind === 'success' ? ['start'] : e.kind === 'logout' ? ['end'] : ['info'];
  const name = e.login ?? (e.anonymous ? undefined : e.user) ?? undefined;
  const [uaName, uaVersion] = splitVersion(e.browser);
  const doc: Record<string, unknown> = {
    '@timestamp': isoUtc(e.time),
    ecs: { version: ECS_VERSION },
    message: e.action || info?.label,
    event: prune({
      id: String(e.id),
      code: String(e.actionId),
      action: info ? kebab(info.name) : `action-${e.actionId}`,
      reason: e.action || undefined,
      kind: 'event',
      category: e.kind === 'logout' ? ['authentication', 'session'] : ['authentication'],
      type,
      outcome,
      provider: 'docspace',
      dataset: 'docspace.login',
      module: 'docspace',
      timezone: e.offsetMinutes === 0 ? '+00:00' : offsetText(e.offsetMinutes),
      original: opts.original,
    }),
    user: prune({
      // Anonymous failures carry the Guest id, which names nobody: leave `user.id` out.
      id: e.anonymous ? undefined : e.userId,
      name,
      email: name && /.+@.+\..+/.test(name) ? name : undefined,
      full_name: e.anonymous ? undefined : e.user || undefined,
    }),
    source: prune({
      ip: isIP(e.ip) ? e.ip : undefined,
      geo: prune({ country_name: e.country || undefined, city_name: e.city || undefined }),
    }),
    user_agent: prune({
      name: uaName,
      version: uaVersion,
      os: prune({
        name: e.platform ? splitVersion(e.platform)[0] : undefined,
        full: e.platform ?? undefined,
      }),
    }),
    url: prune({ original: e.page ?? undefined }),
    related: prune({
      ip: isIP(e.ip) ? [e.ip] : undefined,
      user: [...new Set([name, e.anonymous ? undefined : e.userId].filter(Boolean))],
    }),
    // `observer` describes the system that recorded the event: the DocSpace portal.
    observer: prune({
      vendor: 'ONLYOFFICE',
      product: 'DocSpace',
      type: 'application',
      hostname: hostOf(opts.portal),
    }),
  };
  return prune(doc) ?? {};
}

function splitVersion(text: string | null): [string | undefined, string | undefined] {
  if (!text) return [undefined, undefined];
  const m = /^(.*?)\s+(\d[\w.]*)$/.exec(text.trim());
  return m ? [m[1], m[2]] : [text.trim(), undefined];
}

function hostOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return new URL(url).host;
  } catch {
    return undefined;
  }
}

/** Drop undefined, empty strings, empty arrays and empty objects. */
function prune<T extends Record<string, unknown>>(obj: T): T | undefined {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (v === undefined || v === null || v === '') continue;
    if (Array.isArray(v) && v.length === 0) continue;
    if (typeof v === 'object' && !Array.isArray(v) && Object.keys(v as object).length === 0) continue;
    out[k] = v;
  }
  return Object.keys(out).length ? (out as T) : undefined;
}
