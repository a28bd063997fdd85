/**
 * `RollupBatch` packs each key's small ids into one number: a field that outgrew its bits would
 * carry into the next and merge two keys' counts without any error.
 */
import { describe, expect, it } from 'vitest';
import { type RollupSource, RollupBatch } from '../src/store/rollup-batch.js';

const T = Date.parse('2026-11-02T10:15:00Z');

function event(id: number, patch: Partial<RollupSource>): RollupSource {
  return {
    portal_id: 1, id, time: T, offset_minutes: 0, user_id: 'u', user_name: 'U', login: null, login_key: null, anonymous: 0,
    action_id: 1010, kind: 'success', ip: '10.0.0.1', country: 'Norway', city: 'Oslo', browser: 'Firefox 120', platform: 'Linux',
    ...patch,
  };
}

describe('rollup batch keys', () => {
  it('keep an action first seen after thousands of other values apart from every other row of its hour', () => {
    const batch = new RollupBatch();
    // An anonymous failure first, then addresses enough that, in one pool of values, the next new one is
    // number 4,097 (= 4,096 + 1: in its 12 bits an action id would carry into the anonymity bit and read as
    // the first failure's key).
    batch.add(event(1, { anonymous: 1, user_id: '00000000-0000-0000-0000-000000000000', kind: 'failure', action_id: 1010, login_key: 'x' }));
    for (let i = 0; i < 4_086; i++) batch.add(event(2 + i, { ip: `10.1.${i >> 8}.${i & 255}` }));
    batch.add(event(10_000, { action_id: 1028, kind: 'failure' }));
    const hours = batch.rowsOf('rollup_hours');
    const count = (anonymous: number, action: number) => hours.filter((r) => r.anonymous === anonymous && r.action_id === action).reduce((n, r) => n + Number(r.events), 0);
    expect(count(1, 1010)).toBe(1);
    expect(count(0, 1010)).toBe(4_086);
    expect(count(0, 1028)).toBe(1);
    expect(hours.reduce((n, r) => n + Number(r.events), 0)).toBe(4_088);
  });
});
