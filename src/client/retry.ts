/**
 * Retry policy as data, and the pure parsing of the server's wait hints.
 *
 * DocSpace's rate limiter answers 429 with an empty body and sends `Retry-After` /
 * `X-RateLimit-Reset` only on the rejection, and often not at all (the concurrency limiter
 * sends none). A missing or malformed header falls back to ordinary exponential back-off.
 */

export interface RetryPolicy {
  /** Total attempts per request, the first one included. */
  attempts: number;
  /** Statuses worth another try. */
  statuses: readonly number[];
  /** First back-off delay; doubles each attempt. */
  baseDelayMs: number;
  /** Ceiling of one computed back-off delay. */
  maxDelayMs: number;
  /** A server-requested wait longer than this is not slept: it becomes a RateLimitError. */
  maxServerWaitMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = Object.freeze({
  attempts: 6,
  statuses: [429, 500, 502, 503, 504],
  baseDelayMs: 500,
  maxDelayMs: 20_000,
  maxServerWaitMs: 120_000,
});

/** Milliseconds the server asks us to wait, from `Retry-After` (seconds or HTTP date) or `X-RateLimit-Reset` (unix seconds). */
export function serverWaitMs(
  headers: Record<string, string | string[] | undefined>,
  now: number,
): number | undefined {
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
