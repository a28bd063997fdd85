/**
 * The client's layers around one `send(request) → response` function, innermost first:
 * transport → pause (shared 429 pause and pacing) → limit (requests in flight) → retry.
 *
 * The pause sits inside the concurrency limit on purpose: a request queued for a slot while a
 * 429 arrives must still wait for the pause once it gets the slot, or it would go out into the
 * very limit that refused its neighbour.
 */
import pLimit from 'p-limit';
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
}

/** Compose the layers; the result answers 2xx exchanges and throws the library's errors. */
export function layeredSend(o: LayerOptions): (req: HttpRequest) => Promise<Exchange> {
  const limit = pLimit(o.concurrency);
  const pause = new RatePause(o.now, o.sleep);

  const once = (req: HttpRequest, sleptUntil: number) =>
    limit(async () => {
      const ticket = await pause.admit(sleptUntil);
      o.stats.waitedMs += ticket.waitedMs;
      o.stats.requests++;
      const started = o.now();
      try {
        const res = await o.transport(req);
        o.debug(`${req.method} ${safeUrl(req.url)} -> ${res.status} (${o.now() - started} ms, ${res.body.length} chars)`);
        return { res, epoch: ticket.epoch };
      } catch (error) {
        o.debug(`${req.method} ${safeUrl(req.url)} failed: ${(error as Error).message}`);
        return { error, epoch: ticket.epoch };
      }
    });

  return async (req) => {
    const request = `${req.method} ${safeUrl(req.url)}`;
    let sleptUntil = 0;
    for (let attempt = 1; ; ) {
      const r = await once(req, sleptUntil);
      sleptUntil = 0;
      let outcome: Outcome;
      let covered = false;
      if (r.res) {
        const exchange: Exchange = { ...r.res, contentType: String(r.res.headers['content-type'] ?? ''), request };
        if (r.res.status >= 200 && r.res.status < 300) {
          pause.succeeded();
          return exchange;
        }
        const base = {
          kind: 'response' as const,
          method: req.method,
          status: r.res.status,
          headers: r.res.headers,
          portal: o.portal,
          error: errorForStatus(exchange, o.portal, o.redact),
        };
        if (r.res.status === 429) {
          const l = pause.limited(r.epoch, r.res.headers);
          covered = l.covered;
          outcome = { ...base, limitedStreak: l.streak, limitedForMs: l.streakMs };
        } else {
          outcome = base;
        }
      } else {
        const f = networkError(r.error, o.portal, request, o.timeoutMs);
        outcome = { kind: 'network', method: req.method, retry: f.retry, error: f.error };
      }
      const d = decideRetry(outcome, attempt, o.policy, o.now(), o.random);
      if ('fail' in d) throw d.fail;
      o.stats.retries++;
      if (outcome.kind === 'response' && outcome.status === 429) {
        // One pause for the client; a request already covered by it just waits in `admit`.
        if (covered) continue;
        sleptUntil = pause.pause(d.wait);
      } else {
        attempt++;
      }
      o.stats.waitedMs += d.wait;
      o.onWait?.({ ms: d.wait, why: d.why, request, limitPerMinute: pause.limit });
      o.debug(`waiting ${d.wait} ms (${d.why}) before retrying ${request}`);
      await o.sleep(d.wait);
    }
  };
}
