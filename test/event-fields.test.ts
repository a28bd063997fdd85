// The event's field list (model/event-fields.ts) is written once; the hot paths that map an event
// field by field are written out for speed (a loop over the list measured 9× slower for the row
// mapping), so these tests hold each of them to the list: a field added to the list and missed in
// one of them fails here.
import { describe, expect, it } from 'vitest';
import { type LoginEvent, normaliseEvent } from '../src/model/event.js';
import { LOGIN_EVENT_FIELDS } from '../src/model/event-fields.js';
import { parseApiDate } from '../src/model/time.js';
import { eventJson } from '../src/output/columns.js';
import { toLoginEvent, toRow } from '../src/store/rows.js';

/** An event whose every field holds a value no other field holds. */
function distinctEvent(): LoginEvent {
  const values: Record<string, unknown> = {};
  LOGIN_EVENT_FIELDS.forEach((f, i) => {
    if (f.type === 'integer') values[f.name] = 1000 + i;
    else if (f.type === 'text' || f.type === 'optional-text') values[f.name] = `value-of-${f.name.toLowerCase()}`;
    else if (f.type === 'flag') values[f.name] = true;
  });
  // The kind follows the action (1010: a success); the time a real instant, the offset a real one.
  return { ...values, actionId: 1010, kind: 'success', time: Date.UTC(2025, 6, 1, 12), offsetMinutes: 120 } as LoginEvent;
}

describe('the event field list', () => {
  it('every field reaches its archive column and comes back from it', () => {
    const e = distinctEvent();
    const r = toRow(1, e, null, 5);
    if (!('row' in r)) throw new Error(r.reason);
    const row = r.row as unknown as Record<string, unknown>;
    for (const f of LOGIN_EVENT_FIELDS) {
      const v = e[f.name];
      expect(row[f.column], f.name).toEqual(f.type === 'flag' ? (v ? 1 : 0) : v);
    }
    expect(toLoginEvent(r.row)).toEqual(e);
  });

  it('every field is in the stable JSON, with its value (time and offset as text)', () => {
    const e = distinctEvent();
    const json = eventJson(e) as unknown as Record<string, unknown>;
    for (const f of LOGIN_EVENT_FIELDS) {
      if (f.name === 'time') expect(json.date).toBe('2025-07-01T12:00:00.000Z');
      else if (f.name === 'offsetMinutes') expect(json.offset).toBe('+02:00');
      else expect(json[f.name], f.name).toEqual(e[f.name]);
    }
  });

  it('normalising a server event sets every field of the list', () => {
    const raw = {
      id: 7, date: '2025-07-01T14:00:00.0000000+02:00', user: 'Anna', userId: 'ABC', login: 'anna@example.com', action: 'Login Success',
      actionId: 1000, ip: '203.0.113.5', country: 'Germany', city: 'Berlin', browser: 'Firefox 120', platform: 'Ubuntu', page: 'https://x/',
    };
    const e = normaliseEvent(raw, parseApiDate(raw.date)!);
    expect(Object.keys(e).sort()).toEqual(LOGIN_EVENT_FIELDS.map((f) => f.name).sort());
    for (const f of LOGIN_EVENT_FIELDS) expect(e[f.name], f.name).not.toBeUndefined();
    expect(e).toMatchObject({ time: Date.UTC(2025, 6, 1, 12), offsetMinutes: 120, userId: 'abc', anonymous: false, kind: 'success' });
  });
});
