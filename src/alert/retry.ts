/**
 * When to try a failed delivery again: the Standard Webhooks schedule (seconds, then minutes,
 * then hours, about three days in all) with jitter, the receiver's Retry-After when it gives one,
 * and how an HTTP status maps onto a delivery result. Pure: the caller passes time and randomness.
 */
import { serverWaitMs } from '../client/retry.js';
import type { DeliveryResult } from './types.js';

export interface RetrySchedule {
  /** Wait after the 1st, 2nd, … failed attempt; its length + 1 is the number of attempts. */
  delaysMs: readonly number[];
  /** ± this fraction of each delay, so receivers that were down are not hit by every sender at once. */
  jitter: number;
  /** A Retry-After longer than this is cut to it. */
  maxServerWaitMs: number;
}

const S = 1000;
const M = 60 * S;
const H = 60 * M;

/** The example schedule of the Standard Webhooks spec after the immediate first attempt. */
export const DEFAULT_SCHEDULE: RetrySchedule = Object.freeze({
  delaysMs: [5 * S, 5 * M, 30 * M, 2 * H, 5 * H, 10 * H, 14 * H, 20 * H, 24 * H],
  jitter: 0.2,
  maxServerWaitMs: 24 * H,
});

/**
 * Milliseconds until the next attempt after `attempts` failed ones, or undefined when the
 * schedule is used up. A receiver's Retry-After replaces the scheduled wait (it knows best when
 * it will be back), still within the attempt budget.
 */
export function nextRetryDelay(
  attempts: number,
  random: () => number,
  retryAfterMs?: number,
  schedule: RetrySchedule = DEFAULT_SCHEDULE,
): number | undefined {
  if (attempts < 1 || attempts > schedule.delaysMs.length) return undefined;
  if (retryAfterMs !== undefined) return Math.min(Math.max(0, retryAfterMs), schedule.maxServerWaitMs);
  const base = schedule.delaysMs[attempts - 1];
  return Math.round(base * (1 - schedule.jitter + 2 * schedule.jitter * random()));
}

/**
 * 2xx delivered; 410 gone (the receiver removed the endpoint: Standard Webhooks and DocSpace both
 * stop sending); 408/425/429/5xx worth another try, after Retry-After if given; redirects are not
 * followed (a moved alert endpoint is a configuration change, not something to chase); any other
 * 4xx will fail the same way again.
 */
export function classifyHttp(status: number, retryAfter: string | null, now: number): DeliveryResult {
  if (status >= 200 && status < 300) return { status: 'delivered' };
  const error = `HTTP ${status}`;
  if (status === 410) return { status: 'gone', error };
  if (status === 408 || status === 425 || status === 429 || status >= 500) {
    const wait = retryAfter === null ? undefined : serverWaitMs({ 'retry-after': retryAfter }, now);
    return wait === undefined ? { status: 'retry', error } : { status: 'retry', error, retryAfterMs: wait };
  }
  if (status >= 300 && status < 400) return { status: 'failed', error: `${error}: redirects are not followed` };
  return { status: 'failed', error };
}
