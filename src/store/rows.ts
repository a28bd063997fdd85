/**
 * Between the normalised LoginEvent and an `events` row. Pure functions, no database.
 */
import { attributionKey } from '../model/attribution.js';
import { ACTION_KINDS, type ActionKind, actionKind, isActionKind } from '../model/actions.js';
import type { LoginEvent } from '../model/event.js';
import { type EventColumn, type EventField, LOGIN_EVENT_FIELDS } from '../model/event-fields.js';
import type { EventsTable } from './schema.js';

/** Inclusive interval of instants, epoch ms. */
export interface Interval {
  from: number;
  to: number;
}

/** Real offsets lie within ±18 hours (what ISO 8601 and java.time allow). */
const MAX_OFFSET_MINUTES = 18 * 60;

export type RowResult = { row: EventsTable } | { reason: string };

/** The fields `toRow` checks by type (`id` first; `anonymous` and `kind` are derived when odd). */
const CHECKED_FIELDS = LOGIN_EVENT_FIELDS.filter((f) => f.type !== 'flag' && f.type !== 'kind' && f.name !== 'id');
const WHAT: Record<string, string> = { integer: 'an integer', text: 'a string', 'optional-text': 'a string or null' };

const isString = (v: unknown): v is string => typeof v === 'string';
const isOptString = (v: unknown): v is string | null => v === null || typeof v === 'string';

/** Attack traffic retypes the same few logins: remember the last keys instead of folding each time. */
const recentKeys = new Map<string, string>();
function loginKey(login: string): string {
  let key = recentKeys.get(login);
  if (key === undefined) {
    if (recentKeys.size >= 4096) recentKeys.clear();
    key = attributionKey(login);
    recentKeys.set(login, key);
  }
  return key;
}

/**
 * The row for an event, or why it cannot be stored (the caller quarantines it). The checks are
 * the ones the schema needs; they cost little next to the insert.
 */
export function toRow(portalId: number, e: LoginEvent, raw: string | null, now: number): RowResult {
  if (!e || typeof e !== 'object') return { reason: 'not an event object' };
  if (!Number.isSafeInteger(e.id)) return { reason: `id is not an integer: ${String(e.id)}` };
  for (const f of CHECKED_FIELDS) {
    const v = e[f.name];
    if (f.type === 'integer' ? !Number.isSafeInteger(v) : f.type === 'text' ? !isString(v) : !isOptString(v)) {
      return { reason: `event ${e.id}: ${f.name} is not ${WHAT[f.type]}: ${String(v)}` };
    }
  }
  if (Math.abs(e.offsetMinutes) > MAX_OFFSET_MINUTES)
    return { reason: `event ${e.id}: offsetMinutes is not an offset in minutes: ${e.offsetMinutes}` };
  return {
    row: {
      portal_id: portalId,
      id: e.id,
      time: e.time,
      offset_minutes: e.offsetMinutes,
      user_id: e.userId.toLowerCase(),
      user_name: e.user,
      login: e.login,
      login_key: e.anonymous && e.login ? loginKey(e.login) : null,
      anonymous: e.anonymous ? 1 : 0,
      action_id: e.actionId,
      kind: isActionKind(e.kind) ? e.kind : actionKind(e.actionId),
      action: e.action,
      ip: e.ip,
      country: e.country,
      city: e.city,
      browser: e.browser,
      platform: e.platform,
      page: e.page,
      raw,
      inserted_at: now,
    },
  };
}

/** The columns `toLoginEvent` needs (every column but `raw` and `inserted_at`). */
export type EventFields = Omit<EventsTable, 'raw' | 'inserted_at' | 'login_key'> &
  Partial<Pick<EventsTable, 'raw' | 'inserted_at' | 'login_key'>>;

const KINDS: ReadonlySet<string> = new Set(ACTION_KINDS);

/**
 * `toLoginEvent` for a row of values in `EVENT_FIELDS` order: the archive's fast read path. It
 * builds the event straight from the array (no intermediate row object): exports of a million
 * events spend most of their time here and in SQLite.
 */
export function valuesToLoginEvent(v: unknown[]): LoginEvent {
  const actionId = v[AT.actionId] as number;
  const kind = v[AT.kind] as string;
  return {
    id: v[AT.id] as number,
    time: v[AT.time] as number,
    offsetMinutes: v[AT.offsetMinutes] as number,
    userId: v[AT.userId] as string,
    user: v[AT.user] as string,
    login: v[AT.login] as string | null,
    anonymous: v[AT.anonymous] === 1,
    actionId,
    action: v[AT.action] as string,
    kind: KINDS.has(kind) ? (kind as ActionKind) : actionKind(actionId),
    ip: v[AT.ip] as string,
    country: v[AT.country] as string,
    city: v[AT.city] as string,
    browser: v[AT.browser] as string | null,
    platform: v[AT.platform] as string | null,
    page: v[AT.page] as string | null,
  };
}

/** The columns, in order, that `toLoginEvent` reads: the portal, then every event field's. */
export const EVENT_FIELDS: ReadonlyArray<'portal_id' | EventColumn> = [
  'portal_id',
  ...LOGIN_EVENT_FIELDS.map((f) => f.column),
];

// Every listed column is a column of the `events` table: a field added to the list fails here
// until the schema has it.
type Unstored = Exclude<EventColumn, keyof EventsTable>;
const stored: [Unstored] extends [never] ? true : Unstored = true;
void stored;

/** Each field's position in `EVENT_FIELDS`. */
const AT = Object.fromEntries(LOGIN_EVENT_FIELDS.map((f, i) => [f.name, i + 1])) as Readonly<Record<EventField, number>>;

/**
 * An archived row back as the LoginEvent the live commands produce. Drivers may give numbers
 * as strings (PostgreSQL's bigint), so they are converted before the array path builds it.
 */
export function toLoginEvent(row: EventFields): LoginEvent {
  const values: unknown[] = EVENT_FIELDS.map((f) => row[f]);
  for (const i of NUMERIC_FIELDS) values[i] = Number(values[i]);
  return valuesToLoginEvent(values);
}

/** Positions in `EVENT_FIELDS` of the numeric columns (integers and 0/1 flags). */
const NUMERIC_FIELDS = LOGIN_EVENT_FIELDS.filter((f) => f.type === 'integer' || f.type === 'flag').map((f) => AT[f.name]);

/** Sort and merge intervals that overlap or touch (the next starts within 1 ms of the end). */
export function mergeIntervals(intervals: readonly Interval[]): Interval[] {
  const sorted = [...intervals].sort((a, b) => a.from - b.from || a.to - b.to);
  const out: Interval[] = [];
  for (const i of sorted) {
    const last = out[out.length - 1];
    if (last && i.from <= last.to + 1) last.to = Math.max(last.to, i.to);
    else out.push({ from: i.from, to: i.to });
  }
  return out;
}

/** The parts of `intervals` not covered by `cover` (both merged first). */
export function subtractIntervals(intervals: readonly Interval[], cover: readonly Interval[]): Interval[] {
  const covered = mergeIntervals(cover);
  const out: Interval[] = [];
  for (const i of mergeIntervals(intervals)) {
    let from = i.from;
    for (const c of covered) {
      if (c.to < from) continue;
      if (c.from > i.to) break;
      if (c.from > from) out.push({ from, to: c.from - 1 });
      from = Math.max(from, c.to + 1);
      if (from > i.to) break;
    }
    if (from <= i.to) out.push({ from, to: i.to });
  }
  return out;
}
