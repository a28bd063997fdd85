/**
 * Detection over the archive: the rules run over a portal's archived events, oldest first,
 * streamed in chunks, with the archived people directory as the detection context, and the
 * findings are stored in the same archive.
 *
 * - `detectArchive` runs over a period from scratch (the `detect` command).
 * - `detectNew` goes on from the engine state stored by its previous run: it reads only the
 *   events after the last one that run saw, and stores the findings, the new state and whatever
 *   `onChanged` writes (the watcher's alerts) in one transaction.
 */
import type { EventFilter } from '../history/filter.js';
import type { ArchiveStore } from '../store/archive-store.js';
import type { StoredFinding } from '../store/findings.js';
import { Detector } from './engine.js';
import { byFirstSeen } from './findings.js';
import { rulesFingerprint } from './fingerprint.js';
import type { RuleSpec } from './rule-schema.js';
import type { DetectContext, DetectEvent, EventSource, Finding } from './types.js';

type Params = DetectContext['params'];

export interface DetectRunOptions {
  portalId: number;
  rules: readonly RuleSpec[];
  params?: Params;
  /** Key of the login hash (default: the archive's own key for the portal, made once and kept). */
  secret?: string;
  /** Keep only these rules' findings (the others still run: rules can consume other rules' findings). */
  only?: readonly string[];
  /** When the findings are stored (default now). */
  now?: number;
}

export interface DetectArchiveOptions extends DetectRunOptions {
  since?: number;
  until?: number;
}

export interface DetectNewOptions extends DetectRunOptions {
  /** Where the very first run starts (default: the oldest archived event). */
  since?: number;
  /** Called with the findings this run created or updated, inside the transaction that stores them. */
  onChanged?: (changed: StoredFinding[], tx: ArchiveStore) => Promise<void>;
}

export interface DetectRunResult {
  /** This run's findings (`detectArchive`: every one; `detectNew`: the created or updated ones), as stored. */
  findings: StoredFinding[];
  created: number;
  updated: number;
  /** Events read. */
  events: number;
  /** Members in the people directory the run used (0: failures could not be attributed, or `detectNew` had nothing new to read). */
  people: number;
  /** `detectNew` only: another run stored its state first, so this one stored nothing. */
  superseded?: boolean;
}

import { detectMember } from './directory.js';

export { detectMember };

/** The detection context of an archived portal: its people (removed ones too: their events remain) and its login key. */
export async function archiveContext(store: ArchiveStore, opts: Pick<DetectRunOptions, 'portalId' | 'params' | 'secret'>): Promise<DetectContext> {
  const people = (await store.people(opts.portalId, { includeRemoved: true })).map(detectMember);
  const secret = opts.secret ?? (await store.detectSecret(opts.portalId));
  return { people, secret, params: opts.params };
}

export { rulesFingerprint };

/**
 * Feeds `chunks` (oldest first) to `detector` and collects each changed finding in its latest
 * form. Draining now and then keeps findings that keep growing from piling up as copies.
 */
export async function runChunks(
  detector: Detector,
  chunks: AsyncIterable<readonly DetectEvent[]> | EventSource,
): Promise<{ findings: Finding[]; events: number }> {
  const byId = new Map<string, Finding>();
  let events = 0;
  let sinceDrain = 0;
  const take = (e: DetectEvent) => {
    detector.push(e);
    events++;
    if (++sinceDrain === 8192) {
      sinceDrain = 0;
      for (const f of detector.drain()) byId.set(f.id, f);
    }
  };
  if (Symbol.iterator in chunks) for (const e of chunks) take(e);
  else {
    for await (const item of chunks as AsyncIterable<readonly DetectEvent[] | DetectEvent>) {
      if (Array.isArray(item)) for (const e of item as readonly DetectEvent[]) take(e);
      else take(item as DetectEvent);
    }
  }
  for (const f of detector.drain()) byId.set(f.id, f);
  return { findings: [...byId.values()].sort(byFirstSeen), events };
}

function kept(findings: Finding[], only: readonly string[] | undefined): Finding[] {
  if (!only) return findings;
  const ids = new Set(only.map((r) => r.toUpperCase()));
  return findings.filter((f) => ids.has(f.rule.toUpperCase()));
}

/** A finding not stored anywhere (a read-only archive, a live read without one), as `open`. */
export function unstored(portalId: number, f: Finding, now: number): StoredFinding {
  return { ...f, portalId, status: 'open', history: [], createdAt: now, updatedAt: now };
}

/** The stored form of `found`, in the engine's order (first seen, then id). */
async function storedForm(store: ArchiveStore, portalId: number, found: Finding[], now: number): Promise<StoredFinding[]> {
  if (store.readOnly) return found.map((f) => unstored(portalId, f, now));
  const rows = new Map((await store.listFindings({ portalIds: [portalId], ids: found.map((f) => f.id), now })).map((f) => [f.id, f]));
  return found.map((f) => rows.get(f.id) ?? unstored(portalId, f, now));
}

/** Rules over one portal's archived events of a period; the findings are stored (unless the archive is read-only). */
export async function detectArchive(store: ArchiveStore, opts: DetectArchiveOptions): Promise<DetectRunResult> {
  const now = opts.now ?? Date.now();
  const ctx = await archiveContext(store, opts);
  const filter: EventFilter = {};
  if (opts.since !== undefined) filter.since = opts.since;
  if (opts.until !== undefined) filter.until = opts.until;
  const run = await runChunks(new Detector(opts.rules, ctx), store.scanDetectEvents(opts.portalId, filter));
  const found = kept(run.findings, opts.only);
  let created = 0;
  let updated = 0;
  if (!store.readOnly) ({ created, updated } = await store.upsertFindings(opts.portalId, found, now));
  const findings = await storedForm(store, opts.portalId, found, now);
  return { findings, created, updated, events: run.events, people: ctx.people?.length ?? 0 };
}

/**
 * Rules over the events archived since the previous `detectNew` of the same rules, continuing its
 * state. Findings, state and `onChanged` commit together; when another run stored a newer state
 * meanwhile, nothing is stored and `superseded` says so (that run covered these events).
 */
export async function detectNew(store: ArchiveStore, opts: DetectNewOptions): Promise<DetectRunResult> {
  const now = opts.now ?? Date.now();
  // The key first, the people only once there is something to detect on.
  const secret = opts.secret ?? (await store.detectSecret(opts.portalId));
  const fingerprint = rulesFingerprint(opts.rules, { params: opts.params, secret });
  const saved = await store.loadDetectState(opts.portalId, fingerprint);
  const state = saved?.state;
  const seen = state && typeof state.lastTs === 'number' && Number.isFinite(state.lastTs);
  let chunks = seen
    ? store.scanDetectEvents(opts.portalId, {}, [state.lastTs, state.lastId])
    : store.scanDetectEvents(opts.portalId, opts.since !== undefined ? { since: opts.since } : {});
  if (seen) {
    // Nothing after the stored state (a watch cycle with nothing new): no detector to rebuild, no
    // state to rewrite, nothing stored. The state stays what the last run that saw events left.
    const first = await chunks.next();
    if (first.done) return { findings: [], created: 0, updated: 0, events: 0, people: 0 };
    chunks = prepend(first.value, chunks);
  }
  const people = (await store.people(opts.portalId, { includeRemoved: true })).map(detectMember);
  const ctx: DetectContext = { people, secret, params: opts.params };
  const detector = new Detector(opts.rules, ctx, state);
  const run = await runChunks(detector, chunks);
  const found = kept(run.findings, opts.only);
  const next = detector.exportState();
  const members = people.length;
  return store.transaction(async (tx) => {
    const current = await tx.loadDetectState(opts.portalId, fingerprint);
    const mark = (x: typeof saved) => (x ? `${x.updatedAt}/${x.state.lastTs}/${x.state.lastId}` : '');
    if (mark(current) !== mark(saved)) {
      return { findings: [], created: 0, updated: 0, events: run.events, people: members, superseded: true };
    }
    const r = await tx.upsertFindings(opts.portalId, found, now);
    await tx.saveDetectState(opts.portalId, fingerprint, next);
    if (r.changed.length && opts.onChanged) await opts.onChanged(r.changed, tx);
    return { findings: r.changed, created: r.created, updated: r.updated, events: run.events, people: members };
  });
}

/** `rest` with `head` put back in front (the chunk read to see whether there was any). */
async function* prepend<T>(head: T, rest: AsyncGenerator<T>): AsyncGenerator<T> {
  yield head;
  yield* rest;
}
