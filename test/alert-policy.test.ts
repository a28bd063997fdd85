/** The pure decisions: grouping (notify or not), the retry schedule, HTTP outcomes, the rate gate. */
import { describe, expect, it } from 'vitest';
import { classifyHttp, decideNotify, DEFAULT_SCHEDULE, type NotifiedState, nextRetryDelay, RateGate } from '../src/alert/index.js';
import { T0 } from './helpers/alert-helpers.js';

const H = 3_600_000;
const sent = (over: Partial<NotifiedState> = {}): NotifiedState => ({ revision: 3, severity: 'high', status: 'open', notifiedAt: T0, ...over });

describe('decideNotify', () => {
  it.each([
    ['a first sighting', { revision: 1, severity: 'high', status: 'open' }, undefined, 0, { notify: true, reason: 'new' }],
    ['a resolved finding never sent', { revision: 1, severity: 'high', status: 'resolved' }, undefined, 0, { notify: false, why: 'resolved-unseen' }],
    ['an update a minute later', { revision: 4, severity: 'high', status: 'open' }, sent(), 60_000, { notify: false, why: 'within-repeat-interval' }],
    ['a lower severity', { revision: 4, severity: 'medium', status: 'open' }, sent(), 60_000, { notify: false, why: 'within-repeat-interval' }],
    ['a higher severity', { revision: 4, severity: 'critical', status: 'open' }, sent(), 60_000, { notify: true, reason: 'escalated' }],
    ['just under 4 h', { revision: 9, severity: 'high', status: 'open' }, sent(), 4 * H - 1, { notify: false, why: 'within-repeat-interval' }],
    ['4 h after the last notification', { revision: 9, severity: 'high', status: 'open' }, sent(), 4 * H, { notify: true, reason: 'repeat' }],
    ['an old revision replayed', { revision: 3, severity: 'critical', status: 'open' }, sent(), 5 * H, { notify: false, why: 'already-notified' }],
    ['the end of an open finding', { revision: 4, severity: 'high', status: 'resolved' }, sent(), 60_000, { notify: true, reason: 'resolved' }],
    ['a second resolution', { revision: 5, severity: 'high', status: 'resolved' }, sent({ status: 'resolved' }), 60_000, { notify: false, why: 'resolved-again' }],
    ['a reopened finding', { revision: 5, severity: 'low', status: 'open' }, sent({ status: 'resolved' }), 60_000, { notify: true, reason: 'new' }],
  ] as const)('%s', (_name, f, last, after, expected) => {
    expect(decideNotify(f, last, T0 + after)).toEqual(expected);
  });

  it('honours a custom repeat interval and silent resolutions', () => {
    const policy = { repeatIntervalMs: H, notifyResolved: false };
    expect(decideNotify({ revision: 4, severity: 'high', status: 'open' }, sent(), T0 + H, policy)).toEqual({ notify: true, reason: 'repeat' });
    expect(decideNotify({ revision: 4, severity: 'high', status: 'resolved' }, sent(), T0 + 1, policy)).toEqual({ notify: false, why: 'resolved-silent' });
  });
});

describe('nextRetryDelay', () => {
  it('follows the Standard Webhooks schedule, 5 s to 24 h, then gives up after ten attempts', () => {
    const mid = () => 0.5;
    const delays = Array.from({ length: 10 }, (_, i) => nextRetryDelay(i + 1, mid));
    expect(delays).toEqual([5000, 300_000, 1_800_000, 2 * H, 5 * H, 10 * H, 14 * H, 20 * H, 24 * H, undefined]);
    const total = (delays.filter(Boolean) as number[]).reduce((a, b) => a + b, 0);
    expect(total / H).toBeCloseTo(75.58, 1);
  });

  it('jitters by ±20 %', () => {
    expect(nextRetryDelay(2, () => 0)).toBe(240_000);
    expect(nextRetryDelay(2, () => 1)).toBe(360_000);
  });

  it('takes the receiver\'s Retry-After instead, up to 24 h, within the same attempt budget', () => {
    expect(nextRetryDelay(1, () => 0.5, 120_000)).toBe(120_000);
    expect(nextRetryDelay(3, () => 0.5, 0)).toBe(0);
    expect(nextRetryDelay(1, () => 0.5, 7 * 24 * H)).toBe(24 * H);
    expect(nextRetryDelay(DEFAULT_SCHEDULE.delaysMs.length + 1, () => 0.5, 1000)).toBeUndefined();
  });
});

describe('classifyHttp', () => {
  it.each([
    [200, null, { status: 'delivered' }],
    [204, null, { status: 'delivered' }],
    [410, null, { status: 'gone', error: 'HTTP 410' }],
    [429, '7', { status: 'retry', error: 'HTTP 429', retryAfterMs: 7000 }],
    [503, new Date(T0 + 90_000).toUTCString(), { status: 'retry', error: 'HTTP 503', retryAfterMs: 90_000 }],
    [503, 'soon', { status: 'retry', error: 'HTTP 503' }],
    [500, null, { status: 'retry', error: 'HTTP 500' }],
    [408, null, { status: 'retry', error: 'HTTP 408' }],
    [301, null, { status: 'failed', error: 'HTTP 301: redirects are not followed' }],
    [400, null, { status: 'failed', error: 'HTTP 400' }],
    [401, null, { status: 'failed', error: 'HTTP 401' }],
    [404, null, { status: 'failed', error: 'HTTP 404' }],
  ])('%i (Retry-After %s)', (status, retryAfter, expected) => {
    expect(classifyHttp(status, retryAfter, T0)).toEqual(expected);
  });
});

describe('RateGate', () => {
  it('lets one send through per interval per destination, and a hold covers the destination', () => {
    const gate = new RateGate();
    expect(gate.take('slack:a', 1000, T0)).toBe(0);
    expect(gate.take('slack:a', 1000, T0 + 400)).toBe(600);
    expect(gate.take('slack:b', 1000, T0 + 400)).toBe(0);
    expect(gate.take('slack:a', 1000, T0 + 1000)).toBe(0);
    gate.holdUntil('slack:a', T0 + 30_000);
    expect(gate.take('slack:a', 1000, T0 + 5000)).toBe(25_000);
    expect(gate.take('file:x', 0, T0)).toBe(0);
    expect(gate.take('file:x', 0, T0)).toBe(0);
  });
});
