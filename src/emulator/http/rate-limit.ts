/**
 * The server's chained rate limiters, per user (or per IP when anonymous): a sliding one-minute
 * window and concurrency limits for GET and other methods. A rejection is a 429 with an empty
 * body and only the headers the rejecting limiter exposes; nothing is sent on success.
 */
import type { RateLimitOptions } from '../options.js';

export type Admission = { ok: true; release(): void } | { ok: false; headers: Record<string, string> };

export class RateLimiter {
  private readonly windows = new Map<string, number[]>();
  private readonly inFlight = new Map<string, number>();

  constructor(
    private readonly options: () => Required<RateLimitOptions> | undefined,
    private readonly now: () => number = Date.now,
  ) {}

  /** Admit a request or say why not; an admitted request must be released when answered. */
  admit(partition: string, method: string): Admission {
    const o = this.options();
    if (!o) return { ok: true, release: () => {} };
    const window = this.slidingWindow(o, partition);
    if (window) return { ok: false, headers: window };
    // GET and the other methods have separate concurrency limiters.
    const limit = method === 'GET' ? o.concurrentGet : o.concurrentOther;
    const key = `${method === 'GET' ? 'get' : 'other'}|${partition}`;
    const busy = this.inFlight.get(key) ?? 0;
    if (busy >= limit) {
      return { ok: false, headers: { 'x-ratelimit-limit': String(limit), 'x-ratelimit-remaining': '0' } };
    }
    this.inFlight.set(key, busy + 1);
    let released = false;
    return {
      ok: true,
      release: () => {
        if (released) return;
        released = true;
        const left = (this.inFlight.get(key) ?? 1) - 1;
        if (left > 0) this.inFlight.set(key, left);
        else this.inFlight.delete(key);
      },
    };
  }

  /** The 429 headers when the per-minute window is full, else undefined (and the request counted). */
  private slidingWindow(o: Required<RateLimitOptions>, partition: string): Record<string, string> | undefined {
    const now = this.now();
    let window = this.windows.get(partition);
    if (!window) {
      window = [];
      this.windows.set(partition, window);
    }
    let drop = 0;
    while (drop < window.length && window[drop] <= now - 60_000) drop++;
    if (drop) window.splice(0, drop);
    if (window.length < o.perMinute) {
      window.push(now);
      return undefined;
    }
    const kind = o.headers;
    if (kind === 'none') return {};
    const headers: Record<string, string> = {
      'x-ratelimit-limit': String(o.perMinute),
      'x-ratelimit-remaining': '0',
    };
    const freeAt = window[0] + 60_000;
    if (kind === 'retry-after' || kind === 'both') {
      headers['retry-after'] = String(Math.max(1, Math.ceil((freeAt - now) / 1000)));
    }
    if (kind === 'reset' || kind === 'both') headers['x-ratelimit-reset'] = String(Math.ceil(freeAt / 1000));
    return headers;
  }
}
