import { DocSpaceLoginsError } from './base.js';

/** Thrown when the portal refuses the key, token or password (401), or asks for a second factor. */
export class AuthenticationError extends DocSpaceLoginsError {
  override readonly code = 'auth' as const;
}
