/**
 * The delivery worker: claim what is due, respect each destination's rate cap, send, and record
 * the outcome (delivered, retry on the schedule or at Retry-After, failed, or gone → destination
 * disabled). One `runOnce` is one pass; `drain` is what a watch cycle runs: passes within a time budget.
 */
import type { Claim, Outbox } from './outbox.js';
import { createAlert } from './payload.js';
import { RateGate } from './rate.js';
import { DEFAULT_SCHEDULE, nextRetryDelay, type RetrySchedule } from './retry.js';
import type { Sender } from './send/index.js';

export interface DispatcherOptions {
  now: () => number;
  random?: () => number;
  /** Deliveries claimed per pass. */
  limit?: number;
  schedule?: RetrySchedule;
  /** Told about every outcome, for logs. */
  onOutcome?: (outcome: DispatchOutcome) => void;
  /**
   * When a destination answers 410 it gets nothing more, silently unless someone is told: by
   * default an operational alert (rule OPS-DESTINATION-GONE) goes to the other destinations.
   */
  announceGone?: boolean;
}

export const DESTINATION_GONE_RULE = 'OPS-DESTINATION-GONE';

export type DispatchOutcome =
  | { kind: 'delivered'; claim: Claim; label: string }
  | { kind: 'retry'; claim: Claim; label: string; error: string; nextAt: number }
  | { kind: 'failed'; claim: Claim; label: string; error: string }
  | { kind: 'gone'; claim: Claim; label: string; error: string }
  | { kind: 'deferred'; claim: Claim; label: string; nextAt: number }
  /** The lease ran out during the send and another worker took the delivery over. */
  | { kind: 'lost'; claim: Claim; label: string };

export type DispatchSummary = Record<DispatchOutcome['kind'], number>;

export interface DrainOptions {
  /** Epoch ms (on the dispatcher's clock) after which nothing more is claimed or waited for. */
  until: number;
  /** Wait for a rate-capped destination's next slot (a timer; tests move their clock). */
  pause: (ms: number) => Promise<void>;
}

const DEFAULT_CLAIM_LIMIT = 50;

const emptySummary = (): DispatchSummary => ({ delivered: 0, retry: 0, failed: 0, gone: 0, deferred: 0, lost: 0 });

export class Dispatcher {
  private readonly senders: Map<string, Sender>;
  private readonly gate = new RateGate();

  constructor(
    private readonly outbox: Outbox,
    senders: Iterable<Sender>,
    private readonly options: DispatcherOptions,
  ) {
    this.senders = new Map([...senders].map((s) => [s.key, s]));
  }

  /**
   * One pass: claim what is due (most severe, then newest, first) and send it. A destination
   * whose rate cap is taken gets its deliveries handed back, due when the cap frees up.
   */
  async runOnce(): Promise<DispatchSummary> {
    return this.pass(await this.outbox.claimDue(this.options.now(), this.options.limit));
  }

  /**
   * Passes until nothing is due or the budget is spent: what a watch cycle delivers. Within the
   * budget a rate-capped destination is paced (wait for its slot, then send) instead of handed
   * back, so a burst goes out in the cycle that queued it; what the budget cannot cover is handed
   * back for the next cycle. Destinations are sent to concurrently, each in claim order.
   */
  async drain(opts: DrainOptions): Promise<DispatchSummary> {
    const { now } = this.options;
    const limit = this.options.limit ?? DEFAULT_CLAIM_LIMIT;
    const total = emptySummary();
    while (now() < opts.until) {
      const claims = await this.outbox.claimDue(now(), limit);
      if (!claims.length) break;
      const summary = await this.pass(claims, opts);
      for (const k of Object.keys(total) as Array<keyof DispatchSummary>) total[k] += summary[k];
      // A short batch was all that was due; a batch handed back whole made no progress.
      if (claims.length < limit || summary.deferred === claims.length) break;
    }
    return total;
  }

  private async pass(claims: Claim[], pacing?: DrainOptions): Promise<DispatchSummary> {
    const summary = emptySummary();
    // Destinations are independent: a slow one must not hold up the others; each sends in order.
    const byDestination = new Map<string, Claim[]>();
    for (const claim of claims) byDestination.set(claim.destination, [...(byDestination.get(claim.destination) ?? []), claim]);
    await Promise.all(
      [...byDestination.values()].map(async (list) => {
        for (const claim of list) {
          const outcome = await this.deliver(claim, pacing);
          summary[outcome.kind]++;
          this.options.onOutcome?.(outcome);
        }
      }),
    );
    return summary;
  }

  private async deliver(claim: Claim, pacing?: DrainOptions): Promise<DispatchOutcome> {
    const { now } = this.options;
    const sender = this.senders.get(claim.destination);
    if (!sender) {
      const error = 'destination is no longer configured';
      return this.outcome(claim, claim.destination, await this.outbox.markFailed(claim, error), { kind: 'failed', error });
    }
    const label = sender.label;
    let wait = this.gate.take(sender.key, sender.minIntervalMs, now());
    while (wait > 0 && pacing && now() + wait <= pacing.until) {
      await pacing.pause(wait);
      wait = this.gate.take(sender.key, sender.minIntervalMs, now());
    }
    if (wait > 0) {
      const nextAt = now() + wait;
      return this.outcome(claim, label, await this.outbox.defer(claim, nextAt), { kind: 'deferred', nextAt });
    }
    const result = await sender.send(claim.alert);
    switch (result.status) {
      case 'delivered':
        return this.outcome(claim, label, await this.outbox.markDelivered(claim, now()), { kind: 'delivered' });
      case 'gone': {
        const marked = await this.outbox.markGone(claim, result.error, now());
        if (marked && this.options.announceGone !== false) await this.announceGone(sender, result.error);
        return this.outcome(claim, label, marked, { kind: 'gone', error: result.error });
      }
      case 'failed':
        return this.outcome(claim, label, await this.outbox.markFailed(claim, result.error), { kind: 'failed', error: result.error });
      case 'retry': {
        if (result.retryAfterMs !== undefined) this.gate.holdUntil(sender.key, now() + result.retryAfterMs);
        const delay = nextRetryDelay(claim.attempts, this.options.random ?? Math.random, result.retryAfterMs, this.options.schedule ?? DEFAULT_SCHEDULE);
        if (delay === undefined) {
          const error = `gave up after ${claim.attempts} attempts: ${result.error}`;
          return this.outcome(claim, label, await this.outbox.markFailed(claim, error), { kind: 'failed', error });
        }
        const nextAt = now() + delay;
        return this.outcome(claim, label, await this.outbox.markRetry(claim, nextAt, result.error), { kind: 'retry', error: result.error, nextAt });
      }
    }
  }

  private outcome(
    claim: Claim,
    label: string,
    marked: boolean,
    what: { kind: 'delivered' } | { kind: 'failed' | 'gone'; error: string } | { kind: 'retry'; error: string; nextAt: number } | { kind: 'deferred'; nextAt: number },
  ): DispatchOutcome {
    return marked ? ({ ...what, claim, label } as DispatchOutcome) : { kind: 'lost', claim, label };
  }

  private async announceGone(gone: Sender, error: string): Promise<void> {
    const others = [...this.senders.keys()].filter((k) => k !== gone.key);
    if (!others.length) return;
    const at = this.options.now();
    const alert = createAlert(
      {
        id: `ops:destination-gone:${gone.key}`,
        rule: DESTINATION_GONE_RULE,
        title: `Alert destination gone: ${gone.label}`,
        severity: 'high',
        portal: '',
        groupKey: gone.key,
        firstSeen: at,
        lastSeen: at,
        count: 1,
        eventIds: [],
        evidence: { destination: gone.label, key: gone.key, error },
        status: 'open',
        // A destination can go, be re-enabled and go again: each time is news.
        revision: at,
        suggestedResponse: {
          summary: 'The receiver answered 410 Gone, so nothing more is sent there. Fix or replace the endpoint, enable the destination again, then replay what it missed.',
        },
      },
      'new',
      at,
    );
    await this.outbox.enqueue(alert, others);
  }

  async close(): Promise<void> {
    await Promise.all([...this.senders.values()].map((s) => s.close()));
  }
}
