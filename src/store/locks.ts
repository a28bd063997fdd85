/**
 * The per-portal sync lock: one portal is synced by one process at a time, other portals go on
 * in parallel. The backend holds the real lock (it dies with its holder); the `sync_locks` row
 * only says who holds it, for the "busy" message.
 */
import { HOSTNAME } from './backend.js';
import type { StoreContext } from './context.js';
import { ArchiveBusyError, type LockHolder } from './errors.js';
import { portal } from './portals.js';

export interface LockOptions {
  /** Wait for the holder to finish instead of failing at once (default false). */
  wait?: boolean;
  /** Give up waiting after this long (ms); default: wait as long as it takes. */
  timeoutMs?: number;
  /** How often to retry while waiting (ms, default 500). */
  pollMs?: number;
  /** Called once when the lock is busy and we start waiting. */
  onWait?: (holder: LockHolder | undefined) => void;
  signal?: AbortSignal;
  /**
   * Write the holder's row (who holds the lock, for the "busy" message) on taking the lock and
   * delete it on release: two commits. False: the caller writes it with its own first write
   * (`recordHolder`) and deletes it with its last (`clearHolder`), so a run that writes nothing
   * else writes nothing for the lock either; until then a busy message names no holder.
   */
  holderRow?: boolean;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });

/** The recorded holder of a busy lock; undefined when unknown or when that process is gone. */
async function lockHolder(s: StoreContext, portalId: number): Promise<LockHolder | undefined> {
  const r = await s.db.selectFrom('sync_locks').selectAll().where('portal_id', '=', portalId).executeTakeFirst();
  if (!r) return undefined;
  const holder = { pid: Number(r.pid), host: r.host, since: Number(r.acquired_at) };
  if (holder.host === HOSTNAME && !isAlive(holder.pid)) return undefined;
  return holder;
}

/** Run `fn` holding the portal's sync lock; when it is taken, throw ArchiveBusyError or (with `wait`) retry. */
export async function withPortalLock<T>(
  s: StoreContext,
  portalId: number,
  fn: () => Promise<T>,
  opts: LockOptions = {},
): Promise<T> {
  s.writable();
  const started = Date.now();
  const pollMs = opts.pollMs ?? 500;
  let waiting = false;
  let unlock = await s.backend.tryLock(portalId);
  while (!unlock) {
    const holder = await lockHolder(s, portalId);
    const waited = Date.now() - started;
    if (!opts.wait || (opts.timeoutMs !== undefined && waited >= opts.timeoutMs)) {
      const name = (await portal(s, portalId))?.url ?? `portal ${portalId}`;
      throw new ArchiveBusyError(name, holder, opts.wait ? waited : undefined);
    }
    if (!waiting) {
      waiting = true;
      opts.onWait?.(holder);
    }
    const left = opts.timeoutMs === undefined ? pollMs : Math.max(0, Math.min(pollMs, opts.timeoutMs - waited));
    await sleep(left, opts.signal);
    unlock = await s.backend.tryLock(portalId);
  }
  const holderRow = opts.holderRow ?? true;
  try {
    if (holderRow) await recordHolder(s, portalId);
    return await fn();
  } finally {
    try {
      if (holderRow) await clearHolder(s, portalId);
    } finally {
      await unlock();
    }
  }
}

/** Record this process as the holder of the portal's lock (which it must hold). */
export async function recordHolder(s: StoreContext, portalId: number): Promise<void> {
  const holder = { pid: process.pid, host: HOSTNAME, acquired_at: Date.now() };
  await s.writing((db) =>
    db
      .insertInto('sync_locks')
      .values({ portal_id: portalId, ...holder })
      .onConflict((oc) => oc.column('portal_id').doUpdateSet(holder))
      .execute(),
  );
}

/** Remove this process's holder row of the portal's lock. */
export async function clearHolder(s: StoreContext, portalId: number): Promise<void> {
  await s.writing((db) =>
    db
      .deleteFrom('sync_locks')
      .where('portal_id', '=', portalId)
      .where('pid', '=', process.pid)
      .where('host', '=', HOSTNAME)
      .execute(),
  );
}
