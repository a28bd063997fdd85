/** The columns and stable JSON of what the commands print. */
import type { UserActivity } from '../report/user-activity.js';
import type { LoginEvent } from '../model/event.js';
import { type EventField, LOGIN_EVENT_FIELDS } from '../model/event-fields.js';
import { formatAtOffset, isoUtc, offsetText } from '../model/time.js';
import type { Tone } from './color.js';
import { portalColumn } from './portal-rows.js';
import { timeAgo } from './relative.js';
import type { Column } from './writer.js';

/** The colour of an event on a terminal: lockouts and failures nobody can be named for stand out. */
export function eventTone(e: LoginEvent): Tone | undefined {
  if (e.actionId === LOCKOUT_ACTION || (e.kind === 'failure' && e.anonymous)) return 'alert';
  if (e.kind === 'failure') return 'failure';
  if (e.kind === 'success') return 'success';
  return undefined;
}

/** "Login Fail. Too many attempts": the portal locked the login out for a while. */
const LOCKOUT_ACTION = 1023;

/**
 * How each event field shows in a table, CSV and XLSX (null: not a column of its own). Keyed by
 * the field list (model/event-fields.ts), so a new field must be given a column or a reason.
 */
const EVENT_COLUMN_OF: { readonly [F in EventField]: Column<LoginEvent> | null } = {
  id: { key: 'id', header: 'ID', value: (e) => e.id, kind: 'number', width: 10, perRow: true },
  time: {
    key: 'date',
    header: 'Date',
    // As the portal shows it: wall-clock time at the event's own offset.
    value: (e) => formatAtOffset(e.time, e.offsetMinutes),
    // A spreadsheet gets the same wall clock, to the second, as a Date whose UTC fields carry it.
    cell: (e) => new Date(Math.floor((e.time + e.offsetMinutes * 60_000) / 1000) * 1000),
    kind: 'date',
    width: 25,
    keep: true,
    perRow: true,
  },
  // Shown in the Date column, which writes the time at it.
  offsetMinutes: null,
  // The User column names them on a terminal; CSV and spreadsheets need the id to join on.
  userId: { key: 'userId', header: 'User ID', value: (e) => e.userId, width: 36, wideOnly: true },
  user: { key: 'user', header: 'User', value: (e) => e.user, width: 24, keep: true },
  login: { key: 'login', header: 'Login', value: (e) => e.login, width: 28 },
  anonymous: { key: 'anonymous', header: 'Anonymous', value: (e) => e.anonymous, width: 9, wideOnly: true },
  // The Action column says it in words.
  actionId: null,
  action: { key: 'action', header: 'Action', value: (e) => e.action, width: 36, tone: eventTone },
  kind: { key: 'kind', header: 'Kind', value: (e) => e.kind, width: 8, keep: true, tone: eventTone },
  ip: { key: 'ip', header: 'IP', value: (e) => e.ip, width: 15, minWidth: 15, keep: true },
  country: { key: 'country', header: 'Country', value: (e) => e.country, width: 16, keep: true },
  city: { key: 'city', header: 'City', value: (e) => e.city, width: 16 },
  browser: { key: 'browser', header: 'Browser', value: (e) => e.browser, width: 14 },
  platform: { key: 'platform', header: 'Platform', value: (e) => e.platform, width: 20 },
  page: { key: 'page', header: 'Page', value: (e) => e.page, width: 40 },
};

const fieldColumns = LOGIN_EVENT_FIELDS.map((f) => EVENT_COLUMN_OF[f.name]).filter((c) => c !== null);

/** The event columns in the field list's order, the wide-only ones (ids for joining) last. */
export const eventColumns: ReadonlyArray<Column<LoginEvent>> = [
  ...fieldColumns.filter((c) => !c.wideOnly),
  ...fieldColumns.filter((c) => c.wideOnly),
];

/** The JSON fields that carry an event field's value as text (the rest keep their name). */
const JSON_TEXT_FIELDS: Partial<Record<EventField, readonly string[]>> = {
  time: ['date'],
  offsetMinutes: ['offset', 'localDate'],
};

/** The fields of an event's JSON, in its order, for `--json FIELD,FIELD`. */
export const EVENT_FIELDS: readonly string[] = LOGIN_EVENT_FIELDS.flatMap((f) => JSON_TEXT_FIELDS[f.name] ?? [f.name]);

/**
 * The stable JSON of an event (`--format json|ndjson`, documented in the README): the event's
 * fields with its time as text, made here at the output edge. Its keys are `EVENT_FIELDS`.
 */
export interface LoginEventJson extends Omit<LoginEvent, 'time' | 'offsetMinutes'> {
  /** UTC instant, ISO 8601 with `Z`. */
  date: string;
  /** The portal's offset at that instant, `Z` or `±hh:mm`. */
  offset: string;
  /** The same instant as the portal shows it (wall-clock time at `offset`). */
  localDate: string;
}

/**
 * An event as its stable JSON, keys in `EVENT_FIELDS` order (`portal` last, when present). Written
 * out rather than looped: exports call it for every event (a test holds it to the field list).
 */
export function eventJson(e: LoginEvent): LoginEventJson {
  const json: LoginEventJson = {
    id: e.id,
    date: isoUtc(e.time),
    offset: offsetText(e.offsetMinutes),
    localDate: formatAtOffset(e.time, e.offsetMinutes),
    userId: e.userId,
    user: e.user,
    login: e.login,
    anonymous: e.anonymous,
    actionId: e.actionId,
    action: e.action,
    kind: e.kind,
    ip: e.ip,
    country: e.country,
    city: e.city,
    browser: e.browser,
    platform: e.platform,
    page: e.page,
  };
  if (e.portal !== undefined) json.portal = e.portal;
  return json;
}

/** The event columns with the portal first: for reads that cover several portals. */
export const portalEventColumns: ReadonlyArray<Column<LoginEvent>> = [
  portalColumn<LoginEvent>(),
  ...eventColumns,
];

export const userActivityColumns: ReadonlyArray<Column<UserActivity>> = [
  { key: 'userId', header: 'User ID', value: (u) => u.userId, width: 36 },
  { key: 'name', header: 'Name', value: (u) => u.name, width: 24, keep: true },
  { key: 'email', header: 'Email', value: (u) => u.email, width: 30, keep: true },
  {
    key: 'lastSeen',
    header: 'Last seen',
    value: (u) => u.lastSeen,
    cell: (u) => new Date(u.lastSeen),
    relative: (u, now) => timeAgo(u.lastSeen, now),
    kind: 'date',
    width: 24,
    keep: true,
  },
  {
    key: 'lastLogin',
    header: 'Last login',
    value: (u) => u.lastLogin,
    cell: (u) => (u.lastLogin ? new Date(u.lastLogin) : null),
    relative: (u, now) => timeAgo(u.lastLogin, now) ?? 'never',
    kind: 'date',
    width: 24,
  },
  {
    key: 'successes',
    header: 'Successes',
    value: (u) => u.successes,
    kind: 'number',
    width: 9,
    keep: true,
  },
  {
    key: 'failures',
    header: 'Failures',
    value: (u) => u.failures,
    kind: 'number',
    width: 8,
    keep: true,
    tone: (u) => (u.failures > 0 ? 'failure' : undefined),
  },
  { key: 'logouts', header: 'Logouts', value: (u) => u.logouts, kind: 'number', width: 7 },
];
