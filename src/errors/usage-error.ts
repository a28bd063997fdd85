import { DocSpaceLoginsError } from './base.js';

/**
 * Thrown when the user's input cannot work: a bad flag, date, id or key format, missing
 * configuration, or a request the portal rejected as invalid (400).
 */
export class UsageError extends DocSpaceLoginsError {
  override readonly code = 'usage' as const;
}
