/**
 * The fields of a LoginEvent, written once: their order (the JSON's and the archive's), the
 * archive column each is kept in, and the kind of value. The store's row mapping and checks,
 * the JSON field names and the CSV/XLSX/table columns derive from this list.
 */
import type { LoginEvent } from './event.js';

/** A field stored with every event (`portal` is added by reads that span portals). */
export type EventField = Exclude<keyof LoginEvent, 'portal'>;

/**
 * `integer`: a safe integer; `text`: a string (`""` when unknown); `optional-text`: a string or
 * null; `flag`: a boolean (0/1 in the archive); `kind`: the action kind, derived from the action.
 */
export type EventFieldType = 'integer' | 'text' | 'optional-text' | 'flag' | 'kind';

export interface EventFieldSpec {
  readonly name: EventField;
  /** The column of the archive's `events` table. */
  readonly column: string;
  readonly type: EventFieldType;
}

export const LOGIN_EVENT_FIELDS = [
  { name: 'id', column: 'id', type: 'integer' },
  { name: 'time', column: 'time', type: 'integer' },
  { name: 'offsetMinutes', column: 'offset_minutes', type: 'integer' },
  { name: 'userId', column: 'user_id', type: 'text' },
  { name: 'user', column: 'user_name', type: 'text' },
  { name: 'login', column: 'login', type: 'optional-text' },
  { name: 'anonymous', column: 'anonymous', type: 'flag' },
  { name: 'actionId', column: 'action_id', type: 'integer' },
  { name: 'action', column: 'action', type: 'text' },
  { name: 'kind', column: 'kind', type: 'kind' },
  { name: 'ip', column: 'ip', type: 'text' },
  { name: 'country', column: 'country', type: 'text' },
  { name: 'city', column: 'city', type: 'text' },
  { name: 'browser', column: 'browser', type: 'optional-text' },
  { name: 'platform', column: 'platform', type: 'optional-text' },
  { name: 'page', column: 'page', type: 'optional-text' },
] as const satisfies readonly EventFieldSpec[];

/** An archive column that holds an event field. */
export type EventColumn = (typeof LOGIN_EVENT_FIELDS)[number]['column'];

// Every field of LoginEvent is in the list: adding one to the interface fails here until it is.
type Missing = Exclude<EventField, (typeof LOGIN_EVENT_FIELDS)[number]['name']>;
const complete: [Missing] extends [never] ? true : Missing = true;
void complete;
