import { DocSpaceLoginsError, UnavailableError } from '../errors/index.js';

/** Who holds a portal's sync lock, as far as the archive knows. */
export interface LockHolder {
  pid: number;
  host: string;
  /** Epoch ms when it took the lock. */
  since: number;
}

/**
 * Another sync of the same portal holds the lock (and the caller chose not to wait, or waited
 * longer than it allowed). A "try later" condition, hence an `unavailable` error.
 */
export class ArchiveBusyError extends UnavailableError {
  readonly portal: string;
  readonly holder: LockHolder | undefined;

  constructor(portal: string, holder: LockHolder | undefined, waitedMs?: number) {
    const who = holder
      ? ` (pid ${holder.pid} on ${holder.host}, since ${new Date(holder.since).toISOString()})`
      : '';
    const waited = waitedMs ? ` and did not finish within ${Math.round(waitedMs / 1000)} s` : '';
    super(`Another sync of ${portal} is running${who}${waited}: wait for it to finish or try later`, {
      portal,
      holder,
    });
    this.portal = portal;
    this.holder = holder;
  }
}

/**
 * The SQLite archive is damaged (a failed integrity check, a page SQLite cannot read) or is not
 * an SQLite database at all. Nothing the tool can repair: the message names the file and the
 * ways out. A local I/O condition, hence the `io` code (exit 8).
 */
export class CorruptArchiveError extends DocSpaceLoginsError {
  override readonly code = 'io' as const;

  constructor(
    readonly path: string,
    readonly problem: string,
    cause?: unknown,
  ) {
    super(
      `The archive ${path} is damaged or is not a database (${problem}): restore it from a backup, or move it aside and run "docspace-logins sync" to start a new one (the portal still has its last months of history)`,
      { path, problem },
      { cause },
    );
  }
}
