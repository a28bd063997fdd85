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
  return eventJsonHead(e.id, e.time, e.offsetMinutes) + eventJsonTail(e);
}

/** The text's start: the fields of the event's identity and time, up to `localDate`. */
export function eventJsonHead(id: number, time: number, offsetMinutes: number): string {
  return `{"id":${lit(id)},"date":"${isoUtc(time)}","offset":"${offsetText(offsetMinutes)}","localDate":"${formatAtOffset(time, offsetMinutes)}"`;
}

/**
 * The rest of the text (from `userId` on, every field defined): who, what, where and with what.
 * Events of one member's session share it, so an export can make it once per distinct value.
 */
export function eventJsonTail(e: LoginEvent): string {
  const portal = e.portal === undefined ? '' : `,"portal":${lit(e.portal)}`;
  return (
    `,"userId":${lit(e.userId)},"user":${lit(e.user)},` +
    `"login":${lit(e.login)},"anonymous":${lit(e.anonymous)},"actionId":${lit(e.actionId)},` +
    `"action":${lit(e.action)},"kind":${lit(e.kind)},"ip":${lit(e.ip)},"country":${lit(e.country)},` +
    `"city":${lit(e.city)},"browser":${lit(e.browser)},"platform":${lit(e.platform)},"page":${lit(e.page)}${portal}}`
  );
}
