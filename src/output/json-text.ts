/**
 * An event's stable JSON written straight as text: exactly `JSON.stringify(eventJson(e))`,
 * without the intermediate object. NDJSON exports write it for every event, and building the
 * object and stringifying it cost more than reading the row out of the archive.
 */
import type { LoginEvent } from '../model/event.js';
import { formatAtOffset, isoUtc, offsetText } from '../model/time.js';
import { eventJson } from './columns.js';

/** What JSON.stringify escapes in a string: quote, backslash, control characters, lone surrogates. */
const ESCAPED = /["\\\u0000-\u001f\ud800-\udfff]/;

/** `JSON.stringify(v)` for the values an event holds; strings that need no escape are just quoted. */
function lit(v: string | number | boolean | null): string {
  if (typeof v === 'string') return ESCAPED.test(v) ? JSON.stringify(v) : `"${v}"`;
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return JSON.stringify(v);
}

/** `JSON.stringify(eventJson(e))`, keys in `EVENT_FIELDS` order (`portal` last, when present). */
export function eventJsonText(e: LoginEvent): string {
  // JSON.stringify leaves out a key whose value is undefined: such an event takes the slow path.
  if (
    e.id === undefined || e.userId === undefined || e.user === undefined || e.login === undefined ||
    e.anonymous === undefined || e.actionId === undefined || e.action === undefined || e.kind === undefined ||
    e.ip === undefined || e.country === undefined || e.city === undefined || e.browser === undefined ||
    e.platform === undefined || e.page === undefined
  ) {
    return JSON.stringify(eventJson(e));
  }
  const portal = e.portal === undefined ? '' : `,"portal":${lit(e.portal)}`;
  return (
    `{"id":${lit(e.id)},"date":"${isoUtc(e.time)}","offset":"${offsetText(e.offsetMinutes)}",` +
    `"localDate":"${formatAtOffset(e.time, e.offsetMinutes)}","userId":${lit(e.userId)},"user":${lit(e.user)},` +
    `"login":${lit(e.login)},"anonymous":${lit(e.anonymous)},"actionId":${lit(e.actionId)},` +
    `"action":${lit(e.action)},"kind":${lit(e.kind)},"ip":${lit(e.ip)},"country":${lit(e.country)},` +
    `"city":${lit(e.city)},"browser":${lit(e.browser)},"platform":${lit(e.platform)},"page":${lit(e.page)}${portal}}`
  );
}
