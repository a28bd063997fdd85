/**
 * Which state of an SQLite archive file was last known sound: the integrity check on open reads
 * the whole file (~100 ms for 20k events), which a sync or watch cycle with nothing new would pay
 * every time. After a check passes, or after this tool closes a file it had checked or trusted, the
 * file's identity, size and modification time are kept beside it (`<archive>.locks/checked`);
 * an open that finds the file exactly so skips the check. A file changed by anything else (copied,
 * restored, damaged in place, written by a process that died) no longer matches and is checked.
 */
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

function stampFile(path: string): string {
  return join(`${path}.locks`, 'checked');
}

function fingerprint(path: string): string {
  const st = statSync(path, { bigint: true });
  return `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}`;
}

/** Is the file as this tool last left it after a check? Any doubt (no stamp, unreadable) is no. */
export function checkedAsIs(path: string): boolean {
  try {
    return readFileSync(stampFile(path), 'utf8') === fingerprint(path);
  } catch {
    return false;
  }
}

/** Remember the file's current state as sound. Best effort: a failure only means a check next time. */
export function markChecked(path: string): void {
  try {
    const file = stampFile(path);
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    writeFileSync(file, fingerprint(path));
  } catch {
    // A read-only folder: the next open checks again.
  }
}
