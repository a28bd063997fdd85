/**
 * Errors across a thread boundary. Structured cloning keeps only a plain `Error`'s message, so a
 * worker posts its error as data and the main thread makes it again as the same class, with the
 * same fields: the CLI's exit codes and messages then do not depend on which thread failed.
 */
import { AuthenticationError } from './authentication-error.js';
import { DocSpaceLoginsError } from './base.js';
import { ClientClosedError } from './closed-error.js';
import { IncompleteError } from './incomplete-error.js';
import { IoError } from './io-error.js';
import { NoProgressError } from './no-progress-error.js';
import { NotDocSpaceError } from './not-docspace-error.js';
import { PermissionError } from './permission-error.js';
import { RateLimitError } from './rate-limit-error.js';
import { ResponseShapeError } from './response-shape-error.js';
import { UnavailableError } from './unavailable-error.js';
import { UsageError } from './usage-error.js';

const CLASSES: Readonly<Record<string, { prototype: Error }>> = {
  AuthenticationError,
  ClientClosedError,
  DocSpaceLoginsError,
  IncompleteError,
  IoError,
  NoProgressError,
  NotDocSpaceError,
  PermissionError,
  RateLimitError,
  ResponseShapeError,
  UnavailableError,
  UsageError,
};

/** An error as posted between threads. */
export interface PostedError {
  name: string;
  message: string;
  stack?: string;
  /** The error's own fields (`code`, `details`, and a subclass's facts), cloneable. */
  fields: Record<string, unknown>;
}

export function postError(err: unknown): PostedError {
  if (!(err instanceof Error)) return { name: 'Error', message: String(err), fields: {} };
  const fields: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(err)) {
    if (k === 'cause' || typeof v === 'function') continue;
    try {
      structuredClone(v);
      fields[k] = v;
    } catch {
      // A field that cannot cross (a socket, a handle) stays behind.
    }
  }
  return { name: err.name, message: err.message, stack: err.stack, fields };
}

/** The error again, as an instance of its class when it is one of the library's. */
export function reviveError(p: PostedError): Error {
  // A subclass defined elsewhere comes back as the library's base class, still with its code.
  const cls = CLASSES[p.name] ?? (typeof p.fields.code === 'string' ? DocSpaceLoginsError : undefined);
  const err: Error = cls ? Object.create(cls.prototype) : new Error(p.message);
  Object.defineProperty(err, 'message', { value: p.message, writable: true, configurable: true });
  Object.defineProperty(err, 'stack', { value: p.stack, writable: true, configurable: true });
  Object.assign(err, p.fields);
  err.name = p.name;
  return err;
}
