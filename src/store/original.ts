/**
 * An archived event as the JSON the portal served, for ECS `event.original`.
 */
import type { LoginEvent } from '../model/event.js';
import { formatApiDate } from '../model/time.js';
import type { EventsTable } from './schema.js';

/** The columns `servedJson` reads. */
export type ServedFields = Pick<
  EventsTable,
  | 'id'
  | 'time'
  | 'offset_minutes'
  | 'user_id'
  | 'user_name'
  | 'login'
  | 'action_id'
  | 'action'
  | 'ip'
  | 'country'
  | 'city'
  | 'browser'
  | 'platform'
  | 'page'
  | 'raw'
>;

/** An event's values as the server names them, `date` already in the server's format. */
type ServedValues = Pick<
  LoginEvent,
  'id' | 'user' | 'userId' | 'login' | 'action' | 'actionId' | 'ip' | 'country' | 'city' | 'browser' | 'platform' | 'page'
> & { date: string };

/**
 * The server's shape of an event: its keys in the server's order, null ones left out (the server
 * omits null properties). Both the rebuilt `event.original` and the check for what `raw` must
 * keep use it, so they cannot disagree.
 */
function servedShape(v: ServedValues): Record<string, unknown> {
  const e: Record<string, unknown> = { id: v.id, date: v.date, user: v.user, userId: v.userId };
  if (v.login !== null) e.login = v.login;
  e.action = v.action;
  e.actionId = v.actionId;
  e.ip = v.ip;
  e.country = v.country;
  e.city = v.city;
  if (v.browser !== null) e.browser = v.browser;
  if (v.platform !== null) e.platform = v.platform;
  if (v.page !== null) e.page = v.page;
  return e;
}

/**
 * The event's JSON as served: the `raw` column when the sync kept it, else REBUILT from the
 * columns in the server's shape, `date` at the portal's offset with 7 fractional digits. Sync
 * keeps `raw` whenever a rebuild would differ (see `rawToKeep`); archives written before `raw`
 * existed get rebuilt text, which lacks any field the server sent that has no column.
 */
export function servedJson(row: ServedFields): string {
  if (row.raw) return row.raw;
  return JSON.stringify(
    servedShape({
      id: Number(row.id),
      date: formatApiDate(Number(row.time), Number(row.offset_minutes)),
      user: row.user_name,
      userId: row.user_id,
      login: row.login,
      action: row.action,
      actionId: Number(row.action_id),
      ip: row.ip,
      country: row.country,
      city: row.city,
      browser: row.browser,
      platform: row.platform,
      page: row.page,
    }),
  );
}

/**
 * The served JSON to keep in `events.raw`, or null when `servedJson` would rebuild it byte for
 * byte from the columns: the same keys in the same order with the same values. That is every
 * event a current DocSpace serves, so the archive stays as small as without originals (storing
 * them all made it 88% larger and a first sync 23% costlier), yet anything unusual (an extra
 * field, an upper-case id, a missing `user`) is kept exactly as served.
 */
export function rawToKeep(raw: Readonly<Record<string, unknown>>, e: LoginEvent): string | null {
  return servedAsShaped(raw, e) ? null : JSON.stringify(raw);
}

/**
 * `servedShape` of the event, compared key by key with what was served without building it: a
 * first sync asks this of every event. The order and the null rule are `servedShape`'s.
 */
function servedAsShaped(raw: Readonly<Record<string, unknown>>, e: LoginEvent): boolean {
  const keys = Object.keys(raw);
  let i = 0;
  const is = (k: string, v: unknown) => keys[i] === k && raw[k] === v && ++i > 0;
  const maybe = (k: string, v: string | null) => (v === null ? keys[i] !== k : is(k, v));
  return (
    is('id', e.id) &&
    keys[i] === 'date' &&
    raw.date === formatApiDate(e.time, e.offsetMinutes) &&
    ++i > 0 &&
    is('user', e.user) &&
    is('userId', e.userId) &&
    maybe('login', e.login) &&
    is('action', e.action) &&
    is('actionId', e.actionId) &&
    is('ip', e.ip) &&
    is('country', e.country) &&
    is('city', e.city) &&
    maybe('browser', e.browser) &&
    maybe('platform', e.platform) &&
    maybe('page', e.page) &&
    i === keys.length
  );
}
