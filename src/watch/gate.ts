/**
 * The watcher's detection, loaded when there is something to detect. Detection continues from
 * the engine state stored under the rules' fingerprint; when no archived event lies after that
 * state's cursor (a cycle with nothing new), the cycle needs neither the engine nor its code,
 * which is most of what a watcher process would otherwise load at start.
 */
import { rulesFingerprint } from '../detect/fingerprint.js';
import type { ArchiveStore } from '../store/archive-store.js';
import { detectCursor } from '../store/findings.js';
import type { DetectNew, DetectNewOptions } from './contract.js';

/** True when a stored engine state of these rules exists and no event of the portal lies after it. */
export async function nothingNew(store: ArchiveStore, opts: Pick<DetectNewOptions, 'portalId' | 'rules' | 'params' | 'secret'>): Promise<boolean> {
  const secret = opts.secret ?? (await store.detectSecret(opts.portalId));
  const cursor = await detectCursor(store, opts.portalId, rulesFingerprint(opts.rules, { params: opts.params, secret }));
  if (!cursor) return false;
  // The read detection itself makes (only the columns rules use), stopped at its first chunk.
  const after = store.scanDetectEvents(opts.portalId, {}, [cursor.lastTs, cursor.lastId]);
  try {
    return (await after.next()).done === true;
  } finally {
    await after.return(undefined);
  }
}

/** `load()`'s detection, called only when there is something new. */
export function gatedDetectNew(load: () => Promise<DetectNew>): DetectNew {
  return async (store, opts) => {
    if (await nothingNew(store, opts)) return { events: 0, findings: [], created: 0, updated: 0 };
    return (await load())(store, opts);
  };
}
