import { DocSpaceLoginsError } from './base.js';

/**
 * Thrown when the credentials are valid but not enough: 403 (not an admin, a key without
 * `*:read`, an IP restriction, a tenant busy restoring) or 402 (unpaid portal, plan lacks the feature).
 */
export class PermissionError extends DocSpaceLoginsError {
  override readonly code = 'forbidden' as const;
}
