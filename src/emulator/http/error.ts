/**
 * The one error type handlers and middleware throw; `renderError` (respond.ts) turns it into
 * the response the server would send, in one place.
 */

/** An exception thrown inside an action, as the server's error envelope shows it. */
export interface DotnetException {
  message: string;
  /** The CLR type name, or null when the server renders the exception without it. */
  type: string | null;
  stack: string | null;
  hresult: number;
}

export interface EmulatorErrorInit {
  /** The JSON error envelope `{error: {message, type, stack, hresult}, status: 1, statusCode}`. */
  exception?: DotnetException;
  /** Model-binding failures: a ValidationProblemDetails wrapped in the success envelope. */
  validation?: Record<string, string[]>;
  /** Extra response headers (the rate limiter's). */
  headers?: Record<string, string>;
  /** Cut the connection instead of answering. */
  drop?: boolean;
}

/**
 * An HTTP failure. With neither `exception` nor `validation` the body is empty, which is what
 * the server's authentication, scope, payment and rate-limit layers send.
 */
export class EmulatorError extends Error {
  constructor(
    readonly status: number,
    readonly init: EmulatorErrorInit = {},
  ) {
    super(init.exception?.message ?? `HTTP ${status}`);
    this.name = 'EmulatorError';
  }
}
