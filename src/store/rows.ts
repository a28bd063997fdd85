/**
 * Between the normalised LoginEvent and an `events` row. Pure functions, no database.
 */
import { attributionKey } from '../model/attribution.js';
import { ACTION_KINDS, type ActionKind, actionKind, isActionKind } from '../model/actions.js';
import type { LoginEvent } from '../model/event.js';
import { formatAtOffset, isoUtc, offsetText } from '../model/time.js';
import type { EventsTable } from './schema.js';

/** Inclusive interval of instants, epoch ms. */
export interface Interval {
  from: number;
  to: number;
}

const OFFSET = /^([+-])(\d{2}):(\d{2})$/;

/** `Z` → 0, `+02:00` → 120, `-05:30` → -330; undefined for anything else. */
export function parseOffset(value: string): number | undefined {
  if (value === 'Z') return 0;
  const m = OFFSET.exec(value);
  if (!m) return undefined;
  const minutes = Number(m[2]) * 60 + Number(m[3]);
  if (minutes > 18 * 60) return undefined;
  return m[1] === '-' ? -minutes : minutes;
}

export type RowResult = { row: EventsTable } | { reason: string };

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
  const time = isString(e.date) ? Date.parse(e.date) : Number.NaN;
  if (!Number.isFinite(time)) return { reason: `event ${e.id}: date is not an instant: ${String(e.date)}` };
  const offset = isString(e.offset) ? parseOffset(e.offset) : undefined;
  if (offset === undefined)
    return { reason: `event ${e.id}: offset is not Z or ±hh:mm: ${String(e.offset)}` };
  if (!Number.isSafeInteger(e.actionId)) return { reason: `event ${e.id}: actionId is not an integer` };
  for (const key of ['userId', 'user', 'action', 'ip', 'country', 'city'] as const) {
    if (!isString(e[key])) return { reason: `event ${e.id}: ${key} is not a string` };
  }
  for (const key of ['login', 'browser', 'platform', 'page'] as const) {
    if (!isOptString(e[key])) return { reason: `event ${e.id}: ${key} is neither a string nor null` };
  }
  return {
    row: {
      portal_id: portalId,
      id: e.id,
      time,
      offset_minutes: offset,
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
 * builds the event straight from the array (no intermediate row object) and formats the portal's
 * wall clock from one Date: exports of a million events spend most of their time here and in SQLite.
 */
export function valuesToLoginEvent(v: unknown[]): LoginEvent {
  const time = v[2] as number;
  const offset = v[3] as number;
  const actionId = v[8] as number;
  const kind = v[9] as string;
  const date = isoUtc(time);
  return {
    id: v[1] as number,
    date,
    offset: offsetText(offset),
    localDate: localDateOf(date, time, offset),
    userId: v[4] as string,
    user: v[5] as string,
    login: v[6] as string | null,
    anonymous: v[7] === 1,
    actionId,
    action: v[10] as string,
    kind: KINDS.has(kind) ? (kind as ActionKind) : actionKind(actionId),
    ip: v[11] as string,
    country: v[12] as string,
    city: v[13] as string,
    browser: v[14] as string | null,
    platform: v[15] as string | null,
    page: v[16] as string | null,
  };
}

/** What `formatAtOffset(time, offset)` gives, reusing the UTC text when the offset is zero. */
function localDateOf(utcIso: string, time: number, offset: number): string {
  return offset === 0 ? `${utcIso.slice(0, 19)}Z` : formatAtOffset(time, offset);
}

/** The columns, in order, that `toLoginEvent` reads. */
export const EVENT_FIELDS = [
  'portal_id',
  'id',
  'time',
  'offset_minutes',
  'user_id',
  'user_name',
  'login',
  'anonymous',
  'action_id',
  'kind',
  'action',
  'ip',
  'country',
  'city',
  'browser',
  'platform',
  'page',
] as const;

/**
 * An archived row back as the LoginEvent the live commands produce. Drivers may give numbers
 * as strings (PostgreSQL's bigint), so they are converted before the array path builds it.
 */
export function toLoginEvent(row: EventFields): LoginEvent {
  const values: unknown[] = EVENT_FIELDS.map((f) => row[f]);
  for (const i of NUMERIC_FIELDS) values[i] = Number(values[i]);
  return valuesToLoginEvent(values);
}

/** Positions in `EVENT_FIELDS` of the numeric columns. */
const NUMERIC_FIELDS = (['id', 'time', 'offset_minutes', 'anonymous', 'action_id'] as const).map((f) =>
  EVENT_FIELDS.indexOf(f),
);

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
