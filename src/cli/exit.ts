import { type DocSpaceLoginsError, isDocSpaceLoginsError } from '../errors/index.js';

/**
 * Exit codes, documented in the README and at the end of `docspace-logins --help` (run.ts):
 * scripts tell a portal that is down (6) from a disk that is full (8) without parsing messages.
 */
export const EXIT = {
  ok: 0,
  internal: 1,
  usage: 2,
  auth: 3,
  forbidden: 4,
  notDocSpace: 5,
  unavailable: 6,
  incomplete: 7,
  /** A local file could not be written or read: full disk, missing or unwritable folder. */
  io: 8,
  /** `respond --yes`: the portal accepted the action, but its effect could not be proven. */
  unverified: 9,
  /** `detect --fail-on`: an open finding at or above that severity exists (for cron and CI). */
  findings: 10,
  /** Stopped by Ctrl-C (SIGINT) before it finished: 128 + the signal's number, as shells report it. */
  interrupted: 130,
  /** Stopped by SIGTERM before it finished (128 + 15). */
  terminated: 143,
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
    io: EXIT.io,
    internal: EXIT.internal,
  };
  return byCode[err.code];
}
