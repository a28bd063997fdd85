import { type ActionKind, actionKind } from './actions.js';
import { isAnonymousId } from './ids.js';
import { type ApiInstant, formatAtOffset, isoUtc, offsetText, parseIsoUtc } from './time.js';

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
 * The normalised login event used everywhere in the library. Its JSON form is the stable
 * output of `--format json|ndjson` (documented in the README).
 */
export interface LoginEvent {
  id: number;
  /** UTC instant, ISO 8601 with `Z`. */
  date: string;
  /** The portal's offset at that instant, `Z` or `±hh:mm`. */
  offset: string;
  /** The same instant as the portal shows it (wall-clock time at `offset`). */
  localDate: string;
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
export function eventTime(e: Pick<LoginEvent, 'date'>): number {
  return parseIsoUtc(e.date);
}

export function normaliseEvent(raw: RawLoginEvent, instant: ApiInstant): LoginEvent {
  const offset = instant.offsetMinutes;
  return {
    id: raw.id,
    date: isoUtc(instant.time),
    offset: offsetText(offset),
    localDate: formatAtOffset(instant.time, offset),
    userId: raw.userId.toLowerCase(),
    user: raw.user ?? '',
    login: raw.login ?? null,
    anonymous: isAnonymousId(raw.userId),
    actionId: raw.actionId,
    action: raw.action ?? '',
    kind: actionKind(raw.actionId),
    ip: raw.ip ?? '',
    country: raw.country ?? '',
    city: raw.city ?? '',
    browser: raw.browser ?? null,
    platform: raw.platform ?? null,
    page: raw.page ?? null,
  };
}

/** Who an event is about: the user id, or for anonymous failures the typed login. */
export function eventSubject(e: LoginEvent): string {
  return e.anonymous ? (e.login ?? '') : e.userId;
}
