// The library's error classes, one per file, each saying when it is thrown.
export { DocSpaceLoginsError, type ErrorCode, type ErrorDetails, isDocSpaceLoginsError } from './base.js';
export { AuthenticationError } from './authentication-error.js';
export { IncompleteError } from './incomplete-error.js';
export { IoError } from './io-error.js';
export { NoProgressError } from './no-progress-error.js';
export { NotDocSpaceError } from './not-docspace-error.js';
export { PermissionError } from './permission-error.js';
export { type RateLimitFacts, RateLimitError } from './rate-limit-error.js';
export { ResponseShapeError } from './response-shape-error.js';
export { UnavailableError } from './unavailable-error.js';
export { UsageError } from './usage-error.js';
export { ClientClosedError } from './closed-error.js';
export { type PostedError, postError, reviveError } from './transfer.js';
