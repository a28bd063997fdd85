import { type ActionKind, actionKind } from './actions.js';
import { isAnonymousId } from './ids.js';
import type { ApiInstant } from './time.js';
import { servedText, servedTextOrNull } from './served-text.js';

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
    userId: servedText(raw.userId.toLowerCase()),
    user: servedText(raw.user ?? ''),
    login: servedTextOrNull(raw.login),
    anonymous: isAnonymousId(raw.userId),
    actionId: raw.actionId,
    action: servedText(raw.action ?? ''),
    kind: actionKind(raw.actionId),
    ip: servedText(raw.ip ?? ''),
    country: servedText(raw.country ?? ''),
    city: servedText(raw.city ?? ''),
    browser: servedTextOrNull(raw.browser),
    platform: servedTextOrNull(raw.platform),
    page: servedTextOrNull(raw.page),
  };
}

/** Who an event is about: the user id, or for anonymous failures the typed login. */
export function eventSubject(e: LoginEvent): string {
  return e.anonymous ? (e.login ?? '') : e.userId;
}
