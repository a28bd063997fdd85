/**
 * Retry policy as data, the pure parsing of the server's wait hints, and the one ordered
 * decision "wait how long, or fail with what" that the client's retry layer follows.
 *
 * DocSpace's rate limiter answers 429 with an empty body. The per-minute sliding window and the
 * concurrency limiters send only `X-RateLimit-Limit` and `X-RateLimit-Remaining`; only the daily
 * POST/PUT window adds `Retry-After` / `X-RateLimit-Reset`. A bare 429 is therefore the normal
 * case: we back off with growing waits and never give up while other requests get through.
 * A missing or malformed header falls back to that back-off.
 */
import type { DocSpaceLoginsError } from '../errors/index.js';
import { RateLimitError } from '../errors/index.js';

export type Headers = Record<string, string | string[] | undefined>;

export interface RetryPolicy {
  /** Total attempts per request, the first one included; 429s do not count (see `rateLimitStreak`). */
  attempts: number;
  /** Statuses worth another try. */
  statuses: readonly number[];
  /** First back-off delay; doubles each attempt. */
  baseDelayMs: number;
  /** Ceiling of one computed back-off delay. */
  maxDelayMs: number;
  /** A server-requested wait longer than this is not slept: it becomes a RateLimitError. */
  maxServerWaitMs: number;
  /** First wait after a bare 429; doubles with each 429 in a row. */
  rateLimitBaseMs: number;
  /** Ceiling of one wait after a bare 429: a sliding window of one minute is free again by then. */
  maxRateLimitWaitMs: number;
  /** 429 pauses in a row, with no request of the client getting through, before giving up. */
  rateLimitStreak: number;
}

/**
 * Six attempts with back-off from 0.5 s reach about 15 s of cumulated waiting, which rides out
 * a portal restart. A server wait up to two minutes is honoured (the sliding window is one
 * minute); beyond that the portal means hours (the daily POST window), and we say so instead.
 * Ten bare 429s in a row with growing waits (1, 2, 4 … 60 s) are about five minutes with
 * nothing getting through: by then the limit is not per minute.
 */
export const DEFAULT_RETRY: RetryPolicy = Object.freeze({
  attempts: 6,
  statuses: [429, 500, 502, 503, 504],
  baseDelayMs: 500,
  maxDelayMs: 20_000,
  maxServerWaitMs: 120_000,
  rateLimitBaseMs: 1_000,
  maxRateLimitWaitMs: 60_000,
  rateLimitStreak: 10,
});

/** What one attempt ended with. */
export type Outcome =
  | {
      kind: 'response';
      method: string;
      status: number;
      headers: Headers;
      portal: string;
      /** The error to fail with when no retry follows. */
      error: DocSpaceLoginsError;
      /** 429 pauses in a row across the client, this one included (no success in between). */
      limitedStreak?: number;
      /** Milliseconds those pauses lasted. */
      limitedForMs?: number;
    }
  | { kind: 'network'; method: string; retry: boolean; error: DocSpaceLoginsError };

export type WaitReason = 'rate-limited' | 'portal-asked' | 'backoff';
export type Decision = { wait: number; why: WaitReason } | { fail: DocSpaceLoginsError };

/**
 * The retry decision, in this order: method → network error → rate limit (streak, server
 * wait, growing back-off) → attempts → retryable status → otherwise fail. `attempt` counts
 * this request's failed attempts other than 429s, the current one included.
 */
export function decideRetry(
  outcome: Outcome,
  attempt: number,
  policy: RetryPolicy,
  now: number,
  random: () => number = Math.random,
): Decision {
  // A POST may have had its effect: never repeated behind the caller's back.
  if (outcome.method !== 'GET') return { fail: outcome.error };
  if (outcome.kind === 'network') {
    if (!outcome.retry || attempt >= policy.attempts) return { fail: outcome.error };
    return { wait: backoffMs(attempt - 1, policy, random), why: 'backoff' };
  }
  if (outcome.status === 429) {
    const streak = outcome.limitedStreak ?? attempt;
    const limit = limitPerMinute(outcome.headers);
    if (streak > policy.rateLimitStreak) {
      return { fail: new RateLimitError({ portal: outcome.portal, limitPerMinute: limit, waitedMs: outcome.limitedForMs }) };
    }
    const asked = serverWaitMs(outcome.headers, now);
    if (asked !== undefined) {
      if (asked > policy.maxServerWaitMs) {
        return { fail: new RateLimitError({ portal: outcome.portal, retryAfterMs: asked, limitPerMinute: limit }) };
      }
      return { wait: Math.max(asked, 100), why: 'portal-asked' };
    }
    const wait = Math.min(policy.maxRateLimitWaitMs, policy.rateLimitBaseMs * 2 ** (streak - 1));
    return { wait, why: 'rate-limited' };
  }
  if (attempt >= policy.attempts || !policy.statuses.includes(outcome.status)) return { fail: outcome.error };
  return { wait: backoffMs(attempt - 1, policy, random), why: 'backoff' };
}

/** `X-RateLimit-Limit`: requests per minute, when the header is a positive whole number. */
export function limitPerMinute(headers: Headers): number | undefined {
  const raw = first(headers['x-ratelimit-limit'])?.trim();
  if (!raw || !/^\d+$/.test(raw)) return undefined;
  const n = Number(raw);
  return n > 0 ? n : undefined;
}

/** Milliseconds the server asks us to wait, from `Retry-After` (seconds or HTTP date) or `X-RateLimit-Reset` (unix seconds). */
export function serverWaitMs(headers: Headers, now: number): number | undefined {
  const retryAfter = first(headers['retry-after']);
  if (retryAfter !== undefined) {
    const trimmed = retryAfter.trim();
    if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
    const at = Date.parse(trimmed);
    if (!Number.isNaN(at)) return Math.max(0, at - now);
  }
  const reset = first(headers['x-ratelimit-reset']);
  if (reset !== undefined && /^\d+(\.\d+)?$/.test(reset.trim())) {
    const value = Number(reset.trim());
    // Unix seconds per the server's own documentation; a small number is a delta in seconds.
    const ms = value > 1_000_000_000 ? value * 1000 - now : value * 1000;
    return Math.max(0, Math.round(ms));
  }
  return undefined;
}

/** Exponential back-off with full jitter: uniform in [0, min(max, base·2^retry)]. */
export function backoffMs(retry: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);
  // Keep a floor of a quarter of the ceiling so retries never hammer the server back-to-back.
  return Math.round(ceiling / 4 + random() * ((ceiling * 3) / 4));
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
