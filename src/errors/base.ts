/**
 * The root of the library's errors. Each subclass names one way a run can fail; only the CLI
 * entry point maps a `code` to an exit code (`src/cli/exit.ts`). Messages are one line and say
 * what to do next; facts that help a developer (status, URL without secrets, the cause) ride
 * along in `details` for `--debug`.
 */

export type ErrorCode =
  | 'usage'
  | 'auth'
  | 'forbidden'
  | 'not-docspace'
  | 'unavailable'
  | 'rate-limited'
  | 'incomplete'
  | 'io'
  | 'internal';

export interface ErrorDetails {
  /** HTTP method and URL (never with credentials). */
  request?: string;
  status?: number;
  /** What the server said, trimmed; never a server stack trace. */
  serverMessage?: string;
  [key: string]: unknown;
}

/** Thrown (as a subclass) for every failure the library foresees; a bare `Error` is a bug. */
export class DocSpaceLoginsError extends Error {
  readonly code: ErrorCode = 'internal';
  readonly details: ErrorDetails;

  constructor(message: string, details: ErrorDetails = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.details = details;
  }
}

export function isDocSpaceLoginsError(err: unknown): err is DocSpaceLoginsError {
  return err instanceof DocSpaceLoginsError;
}
