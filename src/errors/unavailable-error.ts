import { DocSpaceLoginsError } from './base.js';

/**
 * Thrown when the portal cannot be reached or keeps failing after every retry: a network error,
 * a time-out, a cut-off or oversized body, a failed TLS handshake, a 5xx. Rate limits are a
 * kind of unavailability with their own code (`RateLimitError`).
 */
export class UnavailableError extends DocSpaceLoginsError {
  override readonly code: 'unavailable' | 'rate-limited' = 'unavailable';
}
