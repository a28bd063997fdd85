import { type ActionKind, actionKind } from './actions.js';
import { isAnonymousId } from './ids.js';
import type { ApiInstant } from './time.js';

/** A login event as DocSpace sends it (after schema validation). Unknown fields are kept. */
export interface RawLoginEvent {
  id: number;
  date: string;
  user?: string;
  userId: string;
  login?: string;
  action?: string;
  actionId: number;
  ip?: string;
  country?: string;
  city?: string;
  browser?: string;
  platform?: string;
  page?: string;
  [extra: string]: unknown;
}

/**
 * The normalised login event used everywhere in the library. Time is a number inside: text is
 * made only at the output edge, where `eventJson` (src/output) gives the stable JSON of
 * `--format json|ndjson` (`date`, `offset`, `localDate`, documented in the README).
 */
export interface LoginEvent {
  id: number;
  /** The instant, epoch milliseconds (UTC). */
  time: number;
  /** The portal's offset at that instant, minutes east of UTC (DocSpace shows times at it). */
  offsetMinutes: number;
  userId: string;
  user: string;
  login: string | null;
  /** True for anonymous (Guest id) events, i.e. most failures: the typed `login` identifies the target. */
  anonymous: boolean;
  actionId: number;
  action: string;
  kind: ActionKind;
  ip: string;
  country: string;
  city: string;
  browser: string | null;
  platform: string | null;
  page: string | null;
  /** The portal's URL, when a read covers several portals (an archive read with `--all`). */
  portal?: string;
}

/** Epoch milliseconds of a normalised event. */
export function eventTime(e: Pick<LoginEvent, 'time'>): number {
  return e.time;
}

export function normaliseEvent(raw: RawLoginEvent, instant: ApiInstant): LoginEvent {
  return {
    id: raw.id,
    time: instant.time,
    offsetMinutes: instant.offsetMinutes,
    userId: text(raw.userId.toLowerCase()),
    user: text(raw.user ?? ''),
    login: textOrNull(raw.login),
    anonymous: isAnonymousId(raw.userId),
    actionId: raw.actionId,
    action: text(raw.action ?? ''),
    kind: actionKind(raw.actionId),
    ip: text(raw.ip ?? ''),
    country: text(raw.country ?? ''),
    city: text(raw.city ?? ''),
    browser: textOrNull(raw.browser),
    platform: textOrNull(raw.platform),
    page: textOrNull(raw.page),
  };
}

/**
 * A served string as every path keeps it: U+0000 becomes U+FFFD (the replacement character).
 * The typed login is whatever an attacker posts to the login form, and PostgreSQL cannot store
 * U+0000 in text (SQLite's string functions stop at it): one such attempt failed every later sync
 * into PostgreSQL. Replaced here, where events enter, the live read, the archive and the exports
 * show the same value; the served object (`raw`) keeps the original, escaped in its JSON.
 */
function text(s: string): string {
  return s.includes('\0') ? s.replaceAll('\0', '\uFFFD') : s;
}

function textOrNull(s: string | null | undefined): string | null {
  return s == null ? null : text(s);
}

/** Who an event is about: the user id, or for anonymous failures the typed login. */
export function eventSubject(e: LoginEvent): string {
  return e.anonymous ? (e.login ?? '') : e.userId;
}
