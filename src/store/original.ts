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

/**
 * The event's JSON as served: the `raw` column when the sync kept it. Events archived before
 * `raw` was stored get it REBUILT from the columns, in the server's shape and key order: `date`
 * at the portal's offset with 7 fractional digits, and `login`, `browser`, `platform` and `page`
 * left out when null, as the server leaves out null properties. A rebuilt text is not what was
 * served byte for byte: fields we have no column for are missing, and `user`/`action` are empty
 * strings where the server sent none.
 */
export function servedJson(row: ServedFields): string {
  if (row.raw) return row.raw;
  const e: Record<string, unknown> = {
    id: Number(row.id),
    date: formatApiDate(Number(row.time), Number(row.offset_minutes)),
    user: row.user_name,
    userId: row.user_id,
  };
  if (row.login !== null) e.login = row.login;
  e.action = row.action;
  e.actionId = Number(row.action_id);
  e.ip = row.ip;
  e.country = row.country;
  e.city = row.city;
  if (row.browser !== null) e.browser = row.browser;
  if (row.platform !== null) e.platform = row.platform;
  if (row.page !== null) e.page = row.page;
  return JSON.stringify(e);
}

/**
 * The served JSON to keep in `events.raw`, or null when `servedJson` would rebuild it byte for
 * byte from the columns: the same keys in the same order with the same values. That is every
 * event a current DocSpace serves, so the archive stays as small as without originals (storing
 * them all made it 88% larger and a first sync 23% costlier), yet anything unusual (an extra
 * field, an upper-case id, a missing `user`) is kept exactly as served.
 */
export function rawToKeep(raw: Readonly<Record<string, unknown>>, e: LoginEvent): string | null {
  return rebuildable(raw, e) ? null : JSON.stringify(raw);
}

function rebuildable(raw: Readonly<Record<string, unknown>>, e: LoginEvent): boolean {
  const keys = Object.keys(raw);
  let k = 0;
  const same = (key: string, value: unknown) => keys[k] === key && raw[key] === value && ++k > 0;
  // The server's date: wall clock at the offset, milliseconds, four more zero digits, the offset.
  const date = `${e.localDate.slice(0, 19)}.${e.date.slice(20, 23)}0000${e.offset}`;
  return (
    same('id', e.id) &&
    same('date', date) &&
    same('user', e.user) &&
    same('userId', e.userId) &&
    (e.login === null || same('login', e.login)) &&
    same('action', e.action) &&
    same('actionId', e.actionId) &&
    same('ip', e.ip) &&
    same('country', e.country) &&
    same('city', e.city) &&
    (e.browser === null || same('browser', e.browser)) &&
    (e.platform === null || same('platform', e.platform)) &&
    (e.page === null || same('page', e.page)) &&
    k === keys.length
  );
}
