import { type DocSpaceLoginsError, isDocSpaceLoginsError } from '../client/errors.js';

/** Exit codes, documented in the README and `docspace-logins help exit-codes`. */
export const EXIT = {
  ok: 0,
  internal: 1,
  usage: 2,
  auth: 3,
  forbidden: 4,
  notDocSpace: 5,
  unavailable: 6,
  incomplete: 7,
} as const;

export function exitCodeFor(err: unknown): number {
  if (!isDocSpaceLoginsError(err)) return EXIT.internal;
  const byCode: Record<DocSpaceLoginsError['code'], number> = {
    usage: EXIT.usage,
    auth: EXIT.auth,
    forbidden: EXIT.forbidden,
    'not-docspace': EXIT.notDocSpace,
    unavailable: EXIT.unavailable,
    'rate-limited': EXIT.unavailable,
    incomplete: EXIT.incomplete,
    internal: EXIT.internal,
  };
  return byCode[err.code];
}
