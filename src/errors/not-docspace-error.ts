import { DocSpaceLoginsError } from './base.js';

/**
 * Thrown when the URL does not answer like a DocSpace API: a 404, an HTML page, a body that is
 * not JSON or not the envelope, a redirect, or a server that serves the same page forever.
 */
export class NotDocSpaceError extends DocSpaceLoginsError {
  override readonly code = 'not-docspace' as const;
}
