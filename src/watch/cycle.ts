/**
 * One watch cycle: for each portal, sync (the same code as `sync`), then detect on what is new
 * and queue the alerts in the transaction that records the findings; then deliver what is due.
 * A cycle with nothing new costs what `sync` costs: detection and delivery ask the portal nothing.
 */
import { DEFAULT_GROUPING, type GroupingPolicy } from '../alert/grouping.js';
import type { Dispatcher, DispatchSummary } from '../alert/dispatch.js';
import { notifyFinding } from '../alert/notify.js';
import { createAlert } from '../alert/payload.js';
import type { DocSpaceClient } from '../client/client.js';
import type { RuleSpec } from '../detect/rule-schema.js';
import { ArchiveBusyError, type ArchiveStore } from '../store/index.js';
import { syncPortal } from '../sync/sync.js';
import type { AutoRespondConfig } from '../respond/policy.js';
import { groupingFor, toAlertFinding } from './alert-finding.js';
import { type AutoResponse, autoRespond } from './auto-respond.js';
import { DEFAULT_FRESH_FOR_MS, historySummary, isHistory } from './backlog.js';
import type { DetectNew, WatchedFinding } from './contract.js';
import { nothingNew } from './gate.js';

/** A portal the watcher follows: its client (kept across cycles) and the sender keys its alerts go to. */
export interface WatchedPortal {
  /** For logs: the profile name or the portal URL. */
  name: string;
  client: DocSpaceClient;
  /** The portal's identity in the archive when it is not the client's URL (the demo portal). */
  portalKey?: string;
  destinations: readonly string[];
}

export interface WatchDeps {
  store: ArchiveStore;
  portals: readonly WatchedPortal[];
  rules: readonly RuleSpec[];
  detectNew: DetectNew;
  dispatcher: Dispatcher;
  now: () => number;
  /**
   * How long delivery may take per cycle (default 10 s): it drains the outbox until then, and
   * what is left (a slow or rate-capped destination's backlog) waits for the next cycle.
   */
  deliverBudgetMs?: number;
  grouping?: GroupingPolicy;
  /**
   * Findings last seen longer ago than this are history (default 1 h): recorded, and told in one
   * summary alert per portal and cycle instead of one page each (see backlog.ts).
   */
  freshForMs?: number;
  overlapMs?: number;
  params?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  secret?: string;
  onWarning?: (message: string) => void;
  /** Contain on its own for rules with `respond:` (off unless `enabled`). */
  autoRespond?: AutoRespondConfig;
  /** Wait this long for rate-capped deliveries to fall due (default: a timer). */
  pause?: (ms: number) => Promise<void>;
  /** Is a process of this host still running? (Claims of dead watchers are taken back.) */
  isAlive?: (pid: number) => boolean;
}

export interface PortalCycle {
  portal: string;
  /** Events new to the archive. */
  added: number;
  /** Requests made to the portal. */
  requests: number;
  /** Findings created or updated. */
  findings: number;
  /** Alerts queued for them. */
  queued: number;
  /** Findings from the past told in this cycle's summary alert instead of one by one (backlog.ts). */
  history?: number;
  /** Milliseconds spent syncing and detecting (where a slow cycle's time went). */
  syncMs: number;
  detectMs: number;
  /** Automatic responses decided this cycle (only when switched on and a rule asked). */
  responses?: AutoResponse[];
  /** Another watcher held the portal this cycle. */
  busy?: boolean;
  /** What went wrong, redacted, for the log. */
  error?: string;
  /** The error itself, for an exit code (not logged). */
  failure?: unknown;
}

export interface CycleReport {
  startedAt: number;
  durationMs: number;
  portals: PortalCycle[];
  delivery: DispatchSummary;
  deliverMs: number;
  /** Deliveries taken back from watchers that died holding them. */
  released: number;
  /** Every portal synced and detected (or was another watcher's), and delivery ran. */
  ok: boolean;
}

const DEFAULT_DELIVER_BUDGET_MS = 10_000;

export async function runCycle(deps: WatchDeps): Promise<CycleReport> {
  const { now } = deps;
  const startedAt = now();
  const portals: PortalCycle[] = [];
  // Portals one after the other: on SQLite they share one write lock anyway, and a failure of
  // one is reported and does not stop the others.
  for (const portal of deps.portals) portals.push(await watchPortal(deps, portal));
  const outbox = deps.store.outbox();
  const delivering = now();
  const released = await outbox.releaseDead(delivering, deps.isAlive ?? processAlive);
  const delivery = await deliver(deps);
  const ended = now();
  return {
    startedAt,
    durationMs: ended - startedAt,
    portals,
    delivery,
    deliverMs: ended - delivering,
    released,
    ok: portals.every((p) => p.error === undefined),
  };
}

async function watchPortal(deps: WatchDeps, portal: WatchedPortal): Promise<PortalCycle> {
  const { store, now } = deps;
  const result: PortalCycle = { portal: portal.name, added: 0, requests: 0, findings: 0, queued: 0, syncMs: 0, detectMs: 0 };
  const before = portal.client.stats.requests;
  let phase = now();
  try {
    const sync = await syncPortal(portal.client, store, {
      overlapMs: deps.overlapMs,
      portalKey: portal.portalKey,
      onWarning: deps.onWarning,
      now,
    });
    result.added = sync.added;
    result.syncMs = now() - phase;
    phase = now();
    const url = (await store.portal(sync.portalId))?.url ?? portal.client.portal;
    const freshBefore = now() - (deps.freshForMs ?? DEFAULT_FRESH_FOR_MS);
    const policy = deps.grouping ?? DEFAULT_GROUPING;
    let committed: WatchedFinding[] = [];
    // No archived event after the stored engine state (a cycle with nothing new): one read says
    // so, and neither the lock nor detection is needed. Otherwise detection runs under the
    // portal's lock: two watchers on one archive never detect the same events twice.
    const idle = await nothingNew(store, { portalId: sync.portalId, rules: deps.rules, params: deps.params, secret: deps.secret });
    if (!idle) await store.withPortalLock(sync.portalId, () =>
      deps.detectNew(store, {
        portalId: sync.portalId,
        rules: deps.rules,
        params: deps.params,
        secret: deps.secret,
        now: now(),
        onChanged: async (changed, tx) => {
          result.findings += changed.length;
          committed = changed;
          const outbox = tx.outbox();
          const history: WatchedFinding[] = [];
          for (const f of changed) {
            if (isHistory(f, freshBefore)) {
              history.push(f);
              continue;
            }
            const grouping = groupingFor(f, policy, freshBefore);
            if (!grouping) continue;
            const decision = await notifyFinding(outbox, toAlertFinding(f, url), portal.destinations, now(), grouping);
            if (decision.notify) result.queued++;
          }
          if (history.length) {
            const at = now();
            if (await outbox.enqueue(createAlert(historySummary(history, url, at), 'new', at), portal.destinations)) result.queued++;
            result.history = history.length;
          }
        },
      }),
    );
    result.detectMs = now() - phase;
    if (deps.autoRespond?.enabled && committed.length) {
      // After the commit: containment talks to the portal, which no transaction should wait for.
      const responses = await autoRespond(store, portal.client, sync.portalId, committed, deps.rules, deps.autoRespond, now);
      if (responses.length) result.responses = responses;
    }
  } catch (err) {
    if (err instanceof ArchiveBusyError) result.busy = true;
    else {
      result.error = portal.client.redact((err as Error).message ?? String(err));
      result.failure = err;
    }
  }
  result.requests = portal.client.stats.requests - before;
  return result;
}

/**
 * Everything due, within the delivery budget: the most severe and newest first, rate-capped
 * destinations paced rather than left to the next cycle, each destination on its own.
 */
function deliver(deps: WatchDeps): Promise<DispatchSummary> {
  return deps.dispatcher.drain({ until: deps.now() + (deps.deliverBudgetMs ?? DEFAULT_DELIVER_BUDGET_MS), pause: deps.pause ?? pause });
}

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Signal 0 tests whether a pid runs; EPERM means it runs under another user. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
