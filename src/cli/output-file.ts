/**
 * `--output FILE` without ever destroying data: rows go to a hidden partial file beside FILE
 * (same folder, so the final rename is atomic), readable by its owner only, and FILE is replaced
 * only when the command succeeds. A failed, interrupted or killed run leaves the previous FILE
 * as it was; the partial file is removed on any exit Node sees (SIGKILL alone leaves it, under
 * a name that says what it is).
 */
import { once } from 'node:events';
import { createWriteStream, lstatSync, realpathSync, renameSync, unlinkSync, type WriteStream } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { IoError } from '../errors/index.js';

export interface FileOutput {
  readonly stream: WriteStream;
  /**
   * Flush and close; then FILE is replaced at once, or, inside `holdOutputs`, when the hold is
   * settled. A write that failed (ENOSPC) is thrown here as an IoError naming the path.
   */
  close(): Promise<void>;
}

interface Pending {
  /** The partial file, or undefined when writing straight to a device. */
  partial: string | undefined;
  commit(): void;
  discard(): void;
  /** The first error of the stream, once it happened. */
  failure(): IoError | undefined;
}

/** Exports hold logins, IPs and names: like the archive, they are for their owner's eyes. */
const FILE_MODE = 0o600;

/** One buffered chunk is written while the next is formatted (the default 16 KB stalls exports). */
const HIGH_WATER_MARK = 1024 * 1024;

const open = new Set<Pending>();
let hold: Set<Pending> | undefined;

/**
 * Defer every file output's rename until `settle`: the command's outcome (returned or thrown) is
 * known only to its caller, and a command that throws half-way must not replace FILE with half
 * an export. `settle(true)` renames; `settle(false)` removes the partial files and returns the
 * first write error, which explains the failure better than what the writer saw (a destroyed
 * stream looks like a closed pipe).
 */
export function holdOutputs(): { settle(ok: boolean): IoError | undefined } {
  const held = new Set<Pending>();
  hold = held;
  return {
    settle(ok) {
      if (hold === held) hold = undefined;
      let failure = [...held, ...open].map((p) => p.failure()).find(Boolean);
      for (const p of held) {
        held.delete(p);
        try {
          if (ok && !p.failure()) p.commit();
          else p.discard();
        } catch (err) {
          failure ??= err as IoError;
        }
      }
      if (!ok) for (const p of [...open]) p.discard();
      return failure;
    },
  };
}

export async function openFileOutput(path: string): Promise<FileOutput> {
  const target = realTarget(path);
  // Loaded here: every command loads this module (run.ts holds outputs), few write a file, and
  // node:crypto costs a dozen internal modules at start-up.
  const { randomBytes } = await import('node:crypto');
  // A device or a pipe (/dev/stdout, /dev/full, a FIFO) is written in place: there is nothing to
  // keep, and renaming a file over it would replace the device.
  const partial = target.regular ? join(dirname(target.path), `.${basename(target.path)}.${process.pid}-${randomBytes(3).toString('hex')}.partial`) : undefined;
  const stream = createWriteStream(partial ?? target.path, {
    flags: partial ? 'wx' : 'w',
    mode: FILE_MODE,
    highWaterMark: HIGH_WATER_MARK,
  });
  let failed: IoError | undefined;
  stream.on('error', (err) => {
    failed ??= new IoError(path, 'write', err);
  });
  // `once` rejects on 'error': that failure is the one recorded above.
  await once(stream, 'open').catch(() => {});
  if (failed) throw failed;
  const pending: Pending = {
    partial,
    failure: () => failed,
    commit() {
      forget(pending);
      if (!partial) return;
      try {
        renameSync(partial, target.path);
      } catch (err) {
        removeQuietly(partial);
        throw new IoError(path, 'replace', err);
      }
    },
    discard() {
      forget(pending);
      if (partial) removeQuietly(partial);
    },
  };
  remember(pending);
  let closing: Promise<void> | undefined;
  const close = async () => {
    if (!stream.closed) {
      stream.end();
      // Rejects on a write error (recorded above) as the last buffered chunk fails.
      await once(stream, 'close').catch(() => {});
    }
    if (failed) {
      pending.discard();
      throw failed;
    }
    if (hold) hold.add(pending);
    else pending.commit();
  };
  return { stream, close: () => (closing ??= close()) };
}

function realTarget(path: string): { path: string; regular: boolean } {
  try {
    const st = lstatSync(path);
    // A symbolic link keeps pointing where it did: the file it names is the one replaced.
    if (st.isSymbolicLink()) {
      const real = realpathSync(path);
      return { path: real, regular: lstatSync(real).isFile() };
    }
    return { path, regular: st.isFile() };
  } catch {
    // Nothing there yet (or a dangling link): a new regular file.
    return { path, regular: true };
  }
}

function removeQuietly(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // Already gone.
  }
}

// While a partial file exists, an interrupt removes it before the process ends: Node's default
// for SIGINT/SIGTERM ends the process without running 'exit' handlers. 130 and 143 are the
// shells' codes for those signals.
const onSignal = (signal: NodeJS.Signals) => {
  for (const p of [...open]) p.discard();
  process.exit(signal === 'SIGINT' ? 130 : 143);
};
const onExit = () => {
  for (const p of [...open]) p.discard();
};

function remember(p: Pending): void {
  if (open.size === 0) {
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    process.on('exit', onExit);
  }
  open.add(p);
}

function forget(p: Pending): void {
  if (!open.delete(p) || open.size > 0) return;
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  process.off('exit', onExit);
}
