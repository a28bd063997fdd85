import { DocSpaceLoginsError } from './base.js';

/** Thrown when only part of the answer is reachable (e.g. no `audit` feature: just the 20 newest events). */
export class IncompleteError extends DocSpaceLoginsError {
  override readonly code = 'incomplete' as const;
}
