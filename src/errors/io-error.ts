import { DocSpaceLoginsError } from './base.js';

/**
 * Thrown when a local file cannot be written or read: a full disk, a folder that does not exist
 * or is not writable, a device that refuses the bytes. The message names the path and the
 * operating system's code (ENOSPC, EACCES, ...), so the fix is on this machine, not the portal.
 */
export class IoError extends DocSpaceLoginsError {
  override readonly code = 'io' as const;

  constructor(
    readonly path: string,
    readonly what: string,
    cause: unknown,
  ) {
    const errno = (cause as NodeJS.ErrnoException | undefined)?.code;
    super(`Cannot ${what} ${path}: ${describeErrno(errno, cause)}`, { path, errno }, { cause });
  }
}

/** A sentence for the codes people meet; the raw message for the rest. */
function describeErrno(code: string | undefined, cause: unknown): string {
  switch (code) {
    case 'ENOSPC':
    case 'SQLITE_FULL':
      return `no space left on the device (${code}): free some space or write elsewhere`;
    case 'EDQUOT':
      return 'disk quota exceeded (EDQUOT): free some space or write elsewhere';
    case 'EACCES':
    case 'EPERM':
      return `permission denied (${code}): choose a folder you can write to`;
    case 'ENOENT':
      return 'the folder does not exist (ENOENT): create it first';
    case 'ENOTDIR':
      return 'a part of the path is not a folder (ENOTDIR)';
    case 'EISDIR':
      return 'it is a folder (EISDIR): name a file';
    case 'EROFS':
      return 'the file system is read-only (EROFS)';
    default:
      return `${(cause as Error | undefined)?.message ?? 'error'}${code && !String((cause as Error)?.message).includes(code) ? ` (${code})` : ''}`;
  }
}
