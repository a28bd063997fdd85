import { describe, expect, it } from 'vitest';
import { loginEventSchema, parseLoginEvent } from '../src/client/schemas.js';

const good = {
  id: 348741,
  date: '2026-11-23T15:43:44.0000000+01:00',
  user: 'Katarzyna Weber',
  userId: '6f119ac8-c325-4df3-a73c-027943efa84b',
  login: 'Katarzyna Weber',
  action: 'Logout',
  actionId: 1006,
  ip: '88.26.144.4',
  country: 'Spain',
  city: 'Madrid',
  browser: 'Firefox 126',
  platform: 'Windows 10',
  page: 'https://portal.example/rooms/shared',
};

/** Every JSON value a broken server could put in a field, and a missing field. */
const oddValues: Array<[string, unknown]> = [
  ['missing', undefined],
  ['null', null],
  ['empty text', ''],
  ['text', 'x'],
  ['zero', 0],
  ['negative', -3],
  ['fraction', 1.5],
  ['beyond safe integers', 2 ** 53],
  ['huge', 1e300],
  ['true', true],
  ['an array', [1]],
  ['an object', { id: 1 }],
];

describe('login event validation', () => {
  it('a well-formed event is accepted as the served object itself, key order kept', () => {
    const r = parseLoginEvent(good);
    expect(r.ok).toBe(true);
    expect(r.ok && r.event).toBe(good);
  });

  // The hot path checks events without zod; zod stays the judge of what is valid. Every field
  // with every odd value must get the same verdict from both, and a refusal zod's message.
  const cases = Object.keys(good).flatMap((field) => oddValues.map(([what, value]) => ({ field, what, value })));
  it.each(cases)('$field as $what: the same verdict as the schema', ({ field, value }) => {
    const raw: Record<string, unknown> = { ...good };
    if (value === undefined) delete raw[field];
    else raw[field] = value;
    const zod = loginEventSchema.safeParse(raw);
    const r = parseLoginEvent(raw);
    expect(r.ok).toBe(zod.success);
    if (!r.ok) expect(r.reason).toMatch(new RegExp(`^event .*: field "${field}": `));
  });

  it.each([null, 'text', 42, [good]])('a page entry that is not an object (%j) is refused', (raw) => {
    const r = parseLoginEvent(raw);
    expect(r.ok).toBe(false);
    expect(r.ok).toBe(loginEventSchema.safeParse(raw).success);
  });

  it('unknown fields pass through untouched', () => {
    const raw = { ...good, newServerField: { x: [1] } };
    const r = parseLoginEvent(raw);
    expect(r.ok && r.event.newServerField).toEqual({ x: [1] });
  });
});
