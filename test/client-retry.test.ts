/**
 * The retry decision as a table: one pure function, read top to bottom like its documentation.
 */
import { describe, expect, it } from 'vitest';
import { decideRetry, DEFAULT_RETRY, type Outcome } from '../src/client/retry.js';
import { RateLimitError, UnavailableError } from '../src/errors/index.js';

const NOW = Date.UTC(2026, 0, 1);
const portal = 'https://acme.example.com';
const failure = new UnavailableError('the status error');

const response = (status: number, headers: Record<string, string> = {}, extra: Partial<Outcome> = {}): Outcome =>
  ({ kind: 'response', method: 'GET', status, headers, portal, error: failure, ...extra }) as Outcome;
const network = (retry: boolean, method = 'GET'): Outcome => ({ kind: 'network', method, retry, error: failure });
const half = () => 0.5;

type Row = [name: string, outcome: Outcome, attempt: number, expected: { wait: number; why: string } | 'fail' | 'rate-limit'];

const rows: Row[] = [
  ['a POST is never retried, whatever the status', response(503, {}, { method: 'POST' }), 1, 'fail'],
  ['a POST is never retried after a network error', network(true, 'POST'), 1, 'fail'],
  ['a network error that may pass is retried with back-off', network(true), 1, { wait: 313, why: 'backoff' }],
  ['a network error that cannot pass (TLS, DNS) fails at once', network(false), 1, 'fail'],
  ['a retryable network error fails once attempts are spent', network(true), 6, 'fail'],
  ['a 503 waits, the second time longer', response(503), 2, { wait: 625, why: 'backoff' }],
  ['a 503 fails once attempts are spent', response(503), 6, 'fail'],
  ['a 404 is not worth another try', response(404), 1, 'fail'],
  ['a 3xx redirect is not followed or retried', response(302, { location: 'https://elsewhere.example/' }), 1, 'fail'],
  ['a 429 with Retry-After: 2 waits two seconds', response(429, { 'retry-after': '2' }, { limitedStreak: 1 }), 1, { wait: 2000, why: 'portal-asked' }],
  ['a 429 with an HTTP-date Retry-After waits until then', response(429, { 'retry-after': new Date(NOW + 7000).toUTCString() }, { limitedStreak: 1 }), 1, { wait: 7000, why: 'portal-asked' }],
  ['a 429 with X-RateLimit-Reset waits until that unix second', response(429, { 'x-ratelimit-reset': String(NOW / 1000 + 5) }, { limitedStreak: 1 }), 1, { wait: 5000, why: 'portal-asked' }],
  ['a 429 asking for more than two minutes fails with the wait', response(429, { 'retry-after': '86400' }, { limitedStreak: 1 }), 1, 'rate-limit'],
  ['a malformed Retry-After falls back to the rate-limit back-off', response(429, { 'retry-after': 'soon' }, { limitedStreak: 1 }), 1, { wait: 1000, why: 'rate-limited' }],
  ['a bare 429 (limit headers only) waits one second first', response(429, { 'x-ratelimit-limit': '300', 'x-ratelimit-remaining': '0' }, { limitedStreak: 1 }), 1, { wait: 1000, why: 'rate-limited' }],
  ['the fourth bare 429 in a row waits eight seconds', response(429, {}, { limitedStreak: 4 }), 1, { wait: 8000, why: 'rate-limited' }],
  ['bare 429s never wait more than a minute', response(429, {}, { limitedStreak: 9 }), 1, { wait: 60_000, why: 'rate-limited' }],
  ['a 429 does not use up the attempts of other failures', response(429, {}, { limitedStreak: 2 }), 6, { wait: 2000, why: 'rate-limited' }],
  ['eleven 429 pauses with nothing getting through fail', response(429, { 'x-ratelimit-limit': '300' }, { limitedStreak: 11, limitedForMs: 300_000 }), 1, 'rate-limit'],
];

describe('decideRetry', () => {
  it.each(rows)('%s', (_name, outcome, attempt, expected) => {
    const d = decideRetry(outcome, attempt, DEFAULT_RETRY, NOW, half);
    if (expected === 'fail') {
      expect(d).toEqual({ fail: failure });
    } else if (expected === 'rate-limit') {
      expect('fail' in d && d.fail).toBeInstanceOf(RateLimitError);
    } else {
      expect(d).toEqual(expected);
    }
  });

  it('a RateLimitError is built with its wait, its code and a message made from both', () => {
    const d = decideRetry(response(429, { 'retry-after': '86400' }, { limitedStreak: 1 }), 1, DEFAULT_RETRY, NOW, half);
    const err = (d as { fail: RateLimitError }).fail;
    expect(err.code).toBe('rate-limited');
    expect(err.retryAfterSeconds).toBe(86400);
    expect(err.message).toBe(`${portal} asks to wait 86400 s before the next request (429): try again later`);
  });

  it('giving up on a rate limit names the limit and how long we waited', () => {
    const d = decideRetry(
      response(429, { 'x-ratelimit-limit': '300' }, { limitedStreak: 11, limitedForMs: 303_000 }),
      1,
      DEFAULT_RETRY,
      NOW,
      half,
    );
    const err = (d as { fail: RateLimitError }).fail;
    expect(err.limitPerMinute).toBe(300);
    expect(err.message).toMatch(/limit 300 requests\/min\) for 303 s/);
  });
});
