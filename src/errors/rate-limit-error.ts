import type { ErrorDetails } from './base.js';
import { UnavailableError } from './unavailable-error.js';

/** What we knew about the rate limit when we gave up. */
export interface RateLimitFacts {
  portal: string;
  /** The wait the portal asked for (`Retry-After` / `X-RateLimit-Reset`), when it said. */
  retryAfterMs?: number;
  /** `X-RateLimit-Limit`: requests allowed per minute, when sent. */
  limitPerMinute?: number;
  /** How long we waited on 429s with no successful response in between, when we gave up for that. */
  waitedMs?: number;
}

/**
 * Thrown when a 429 asks for a wait longer than we are willing to sleep, or when the portal
 * kept answering 429 for several minutes with no request getting through.
 */
export class RateLimitError extends UnavailableError {
  override readonly code = 'rate-limited' as const;
  /** Seconds the portal asked us to wait, when it said. */
  readonly retryAfterSeconds: number | undefined;
  readonly limitPerMinute: number | undefined;

  constructor(
    readonly facts: RateLimitFacts,
    details: ErrorDetails = {},
  ) {
    super(rateLimitMessage(facts), { ...details, status: 429 });
    this.retryAfterSeconds = facts.retryAfterMs !== undefined ? Math.ceil(facts.retryAfterMs / 1000) : undefined;
    this.limitPerMinute = facts.limitPerMinute;
  }
}

function rateLimitMessage(f: RateLimitFacts): string {
  if (f.retryAfterMs !== undefined) {
    return `${f.portal} asks to wait ${Math.ceil(f.retryAfterMs / 1000)} s before the next request (429): try again later`;
  }
  const limit = f.limitPerMinute !== undefined ? `, limit ${f.limitPerMinute} requests/min` : '';
  const waited = f.waitedMs !== undefined ? ` for ${Math.round(f.waitedMs / 1000)} s` : '';
  return `${f.portal} kept rate-limiting requests (429${limit})${waited} with none getting through: try again later or lower --concurrency`;
}
