/** The columns and stable JSON of what the commands print. */
import type { UserActivity } from '../history/users.js';
import type { LoginEvent } from '../model/event.js';
import type { Tone } from './color.js';
import { portalColumn } from './portal-rows.js';
import { timeAgo } from './relative.js';
import type { Column } from './writer.js';

/** The number in the two digits at `i`, or NaN. */
function twoDigits(text: string, i: number): number {
  const a = text.charCodeAt(i) - 48;
  const b = text.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : Number.NaN;
}

let cachedDay = '';
let cachedDayMs = Number.NaN;

/**
 * Wall-clock time at the portal's offset as a Date whose UTC fields carry it (for spreadsheets).
 * An XLSX export calls this once per event, and parsing the whole text was a tenth of its time:
 * events come in time order, so the day is parsed once and the time of day from its digits.
 */
function wallClock(localDate: string): Date {
  const day = localDate.slice(0, 10);
  if (day !== cachedDay) {
    cachedDay = day;
    cachedDayMs = Date.parse(`${day}T00:00:00Z`);
  }
  const h = twoDigits(localDate, 11);
  const m = twoDigits(localDate, 14);
  const s = twoDigits(localDate, 17);
  // Anything but `YYYY-MM-DDThh:mm:ss…` (NaN fails every comparison) takes the full parse.
  if (localDate[10] === 'T' && localDate[13] === ':' && localDate[16] === ':' && h < 24 && m < 60 && s < 60) {
    return new Date(cachedDayMs + ((h * 60 + m) * 60 + s) * 1000);
  }
  return new Date(`${localDate.slice(0, 19)}Z`);
}

/** The colour of an event on a terminal: lockouts and failures nobody can be named for stand out. */
export function eventTone(e: LoginEvent): Tone | undefined {
  if (e.actionId === LOCKOUT_ACTION || (e.kind === 'failure' && e.anonymous)) return 'alert';
  if (e.kind === 'failure') return 'failure';
  if (e.kind === 'success') return 'success';
  return undefined;
}

/** "Login Fail. Too many attempts": the portal locked the login out for a while. */
const LOCKOUT_ACTION = 1023;

export const eventColumns: ReadonlyArray<Column<LoginEvent>> = [
  { key: 'id', header: 'ID', value: (e) => e.id, kind: 'number', width: 10 },
  {
    key: 'date',
    header: 'Date',
    // As the portal shows it: wall-clock time at the event's own offset.
    value: (e) => e.localDate,
    cell: (e) => wallClock(e.localDate),
    kind: 'date',
    width: 25,
    keep: true,
  },
  { key: 'user', header: 'User', value: (e) => e.user, width: 24, keep: true },
  { key: 'login', header: 'Login', value: (e) => e.login, width: 28 },
  { key: 'action', header: 'Action', value: (e) => e.action, width: 36, tone: eventTone },
  { key: 'kind', header: 'Kind', value: (e) => e.kind, width: 8, keep: true, tone: eventTone },
  { key: 'ip', header: 'IP', value: (e) => e.ip, width: 15, minWidth: 15, keep: true },
  { key: 'country', header: 'Country', value: (e) => e.country, width: 16, keep: true },
  { key: 'city', header: 'City', value: (e) => e.city, width: 16 },
  { key: 'browser', header: 'Browser', value: (e) => e.browser, width: 14 },
  { key: 'platform', header: 'Platform', value: (e) => e.platform, width: 20 },
  { key: 'page', header: 'Page', value: (e) => e.page, width: 40 },
  // The User column names them on a terminal; CSV and spreadsheets need the id to join on.
  { key: 'userId', header: 'User ID', value: (e) => e.userId, width: 36, wideOnly: true },
  { key: 'anonymous', header: 'Anonymous', value: (e) => e.anonymous, width: 9, wideOnly: true },
];

/** The fields of an event's JSON, for `--json FIELD,FIELD`. */
export const EVENT_FIELDS: readonly string[] = [
  'id',
  'date',
  'offset',
  'localDate',
  'userId',
  'user',
  'login',
  'anonymous',
  'actionId',
  'action',
  'kind',
  'ip',
  'country',
  'city',
  'browser',
  'platform',
  'page',
] satisfies ReadonlyArray<keyof LoginEvent>;

/** The stable JSON of an event: the LoginEvent object itself (documented in the README). */
export const eventJson = (e: LoginEvent): LoginEvent => e;

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
