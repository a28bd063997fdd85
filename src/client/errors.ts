/**
 * Errors that carry facts. Each class names one way a run can fail; the CLI maps the class to
 * an exit code (see `src/cli/exit.ts`). Messages are one line and say what to do next; details
 * that help a developer (status, URL without secrets, the cause) ride along for `--debug`.
 */

export type ErrorCode =
  | 'usage'
  | 'auth'
  | 'forbidden'
  | 'not-docspace'
  | 'unavailable'
  | 'incomplete'
  | 'internal';

export interface ErrorDetails {
  /** HTTP method and URL (never with credentials). */
  request?: string;
  status?: number;
  /** What the server said, trimmed; never a server stack trace. */
  serverMessage?: string;
  [key: string]: unknown;
}

export class DocSpaceLoginsError extends Error {
  readonly code: ErrorCode = 'internal';
  readonly details: ErrorDetails;

  constructor(message: string, details: ErrorDetails = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.details = details;
  }
}

/** Bad flag, date, id or missing configuration. */
export class UsageError extends DocSpaceLoginsError {
  override readonly code = 'usage' as const;
}

/** 401: the key or token was refused. */
export class AuthenticationError extends DocSpaceLoginsError {
  override readonly code = 'auth' as const;
}

/** 403 (not an admin, missing scope, IP restriction, tenant busy) or 402 (plan / payment). */
export class PermissionError extends DocSpaceLoginsError {
  override readonly code = 'forbidden' as const;
}

/** The URL does not answer like a DocSpace API: 404, an HTML page, non-JSON, unexpected shape. */
export class NotDocSpaceError extends DocSpaceLoginsError {
  override readonly code = 'not-docspace' as const;
}

/** Network failure, time-out, 429 or 5xx, after every retry. */
export class UnavailableError extends DocSpaceLoginsError {
  override readonly code = 'unavailable' as const;
}

/** 429 whose wait is longer than we are willing to sleep (or retries ran out). */
export class RateLimitError extends UnavailableError {
  /** Seconds the server asked us to wait, when it said. */
  readonly retryAfterSeconds: number | undefined;
  constructor(message: string, retryAfterSeconds: number | undefined, details: ErrorDetails = {}) {
    super(message, details);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** A response or event that does not match the schema: names the field and the event id. */
export class ResponseShapeError extends NotDocSpaceError {}

/** The answer is partial (e.g. no `audit` feature: only the 20 newest events are reachable). */
export class IncompleteError extends DocSpaceLoginsError {
  override readonly code = 'incomplete' as const;
}

export function isDocSpaceLoginsError(err: unknown): err is DocSpaceLoginsError {
  return err instanceof DocSpaceLoginsError;
}
