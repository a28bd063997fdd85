/**
 * The client's layers around one `send(request) → response` function, innermost first:
 * transport → pause (shared 429 pause and pacing) → limit (requests in flight) → retry.
 *
 * The pause sits inside the concurrency limit on purpose: a request queued for a slot while a
 * 429 arrives must still wait for the pause once it gets the slot, or it would go out into the
 * very limit that refused its neighbour.
 */
import pLimit from 'p-limit';
import { ClientClosedError } from '../errors/index.js';
import { errorForStatus, networkError } from './status-errors.js';
import { RatePause } from './pause.js';
import { safeUrl } from './redact.js';
import { decideRetry, type Outcome, type RetryPolicy, type WaitReason } from './retry.js';
import type { HttpRequest, HttpResponse, HttpSend } from './transport.js';

export interface ClientStats {
  requests: number;
  retries: number;
  /** Milliseconds spent waiting for rate limits, pacing and back-off. */
  waitedMs: number;
}

/** The client is about to be quiet for a while, and why: for a "waiting N s" line on a terminal. */
export interface WaitNotice {
  ms: number;
  why: WaitReason;
  /** The request that met the refusal or failure (URL without secrets). */
  request: string;
  /** Requests per minute the portal allows, once it has said. */
  limitPerMinute?: number;
}

/** The line a CLI shows for a wait. */
export function describeWait(n: WaitNotice): string {
  const s = Math.max(1, Math.round(n.ms / 1000));
  switch (n.why) {
    case 'rate-limited':
      return `rate-limited by the portal: waiting ${s} s${n.limitPerMinute ? ` (limit ${n.limitPerMinute} requests/min)` : ''}`;
    case 'portal-asked':
      return `portal asks to wait ${s} s`;
    default:
      return `retrying ${n.request} in ${s} s`;
  }
}

/** A response as the endpoints see it. */
export interface Exchange extends HttpResponse {
  contentType: string;
  /** Method and URL without secrets, for messages. */
  request: string;
}

export interface LayerOptions {
  transport: HttpSend;
  concurrency: number;
  policy: RetryPolicy;
  portal: string;
  timeoutMs: number;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
  redact: (text: string) => string;
  stats: ClientStats;
  debug: (line: string) => void;
  onWait?: (notice: WaitNotice) => void;
  /** Aborted when the client closes: nothing waits, retries or starts after that. */
  closed?: AbortSignal;
}

/** Compose the layers; the result answers 2xx exchanges and throws the library's errors. */
export function layeredSend(o: LayerOptions): (req: HttpRequest) => Promise<Exchange> {
  const ended = () => new ClientClosedError(`the client was closed before ${o.portal} answered`);
  // A wait that ends early when the client closes: a retry nobody will read must not hold the
  // process for the rest of its back-off.
  const wait = (ms: number) =>
    new Promise<void>((resolve, reject) => {
      const signal = o.closed;
      if (signal?.aborted) return reject(ended());
      const onClose = () => reject(ended());
      signal?.addEventListener('abort', onClose, { once: true });
      o.sleep(ms).then(() => {
        signal?.removeEventListener('abort', onClose);
        resolve();
      }, reject);
    });

  const limit = pLimit(o.concurrency);
  const pause = new RatePause(o.now, wait);

  type Step =
    | { done: Exchange }
    | { fail: unknown }
    | { wait: number; why: WaitReason; pausedUntil?: number; covered?: boolean; counts: boolean };

  // One attempt, decided while it still holds its slot: a 429 must start the pause before the
  // slot passes to a queued request, or that request would go out into the same refusal.
  const attemptOnce = (req: HttpRequest, request: string, attempt: number, sleptUntil: number) =>
    limit(async (): Promise<Step> => {
      // Given up while it queued for a slot (a reader that stopped): the slot goes to the next.
      if (req.signal?.aborted) return { fail: req.signal.reason };
      const ticket = await pause.admit(sleptUntil);
      o.stats.waitedMs += ticket.waitedMs;
      if (req.signal?.aborted) return { fail: req.signal.reason };
      o.stats.requests++;
      const started = o.now();
      let outcome: Outcome;
      let covered = false;
      try {
        const res = await o.transport(req);
        o.debug(`${request} -> ${res.status} (${o.now() - started} ms, ${res.body.length} chars)`);
        const exchange: Exchange = { ...res, contentType: String(res.headers['content-type'] ?? ''), request };
        if (res.status >= 200 && res.status < 300) {
          pause.succeeded();
          return { done: exchange };
        }
        const error = errorForStatus(exchange, o.portal, o.redact);
        outcome = { kind: 'response', method: req.method, status: res.status, headers: res.headers, portal: o.portal, error };
        if (res.status === 429) {
          const l = pause.limited(ticket.epoch, res.headers);
          covered = l.covered;
          outcome = { ...outcome, limitedStreak: l.streak, limitedForMs: l.streakMs };
        }
      } catch (err) {
        o.debug(`${request} failed: ${(err as Error).message}`);
        const f = networkError(err, o.portal, request, o.timeoutMs);
        outcome = { kind: 'network', method: req.method, retry: f.retry, error: f.error };
      }
      const d = decideRetry(outcome, attempt, o.policy, o.now(), o.random);
      if ('fail' in d) return { fail: d.fail };
      if (outcome.kind === 'response' && outcome.status === 429) {
        // One pause for the client; a request it already covers just waits for it in `admit`.
        if (covered) return { wait: 0, why: d.why, covered, counts: false };
        return { ...d, pausedUntil: pause.pause(d.wait), counts: false };
      }
      return { ...d, counts: true };
    });

  return async (req) => {
    const request = `${req.method} ${safeUrl(req.url)}`;
    let sleptUntil = 0;
    for (let attempt = 1; ; ) {
      if (o.closed?.aborted) throw ended();
      const step = await attemptOnce(req, request, attempt, sleptUntil);
      if (o.closed?.aborted && !('done' in step)) throw ended();
      if ('done' in step) return step.done;
      if ('fail' in step) throw step.fail;
      o.stats.retries++;
      // 429s do not use up the attempts: the rate-limit streak bounds them instead.
      if (step.counts) attempt++;
      sleptUntil = step.pausedUntil ?? 0;
      if (step.covered) continue;
      o.stats.waitedMs += step.wait;
      o.onWait?.({ ms: step.wait, why: step.why, request, limitPerMinute: pause.limit });
      o.debug(`waiting ${step.wait} ms (${step.why}) before retrying ${request}`);
      await wait(step.wait);
    }
  };
}
