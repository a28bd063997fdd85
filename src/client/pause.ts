/**
 * The shared pause and pacing in front of every request of one client.
 *
 * DocSpace's sliding window counts per user, so a 429 to one request means every other request
 * of this client would get one too: a 429 pauses them all (one pause, not one per request in
 * flight), and the pause grows while 429s keep coming with nothing getting through. The 429 also
 * tells the limit (`X-RateLimit-Limit`, per minute); from then on requests are spaced to stay
 * just under it, so the read settles at the portal's pace instead of bouncing off the limit.
 */
import { limitPerMinute, type Headers } from './retry.js';

/** Spacing aims at this share of the limit, leaving room for other clients of the same user. */
const PACE_SHARE = 0.9;
const MINUTE = 60_000;

export class RatePause {
  /** Bumped by each new pause: a 429 to a request sent before it is already answered by it. */
  private epoch = 0;
  private pausedUntil = 0;
  private nextSlot = 0;
  private intervalMs = 0;
  private streak = 0;
  private streakMs = 0;
  /** Requests per minute the portal allows, once a 429 has said so. */
  limit: number | undefined;
  /**
   * When this client's requests of the last minute were sent (oldest first): the server counts a
   * sliding minute, so once it has named its limit the client counts the same minute (the burst
   * before the first 429 included) and waits for its oldest request to leave it, rather than
   * guessing a pause and meeting the limit again.
   */
  private sent: number[] = [];

  constructor(
    private readonly now: () => number,
    private readonly sleep: (ms: number) => Promise<void>,
  ) {}

  /**
   * Wait for the pause to end and for this request's slot; returns the ticket to report a 429
   * with. `sleptUntil`: the end of a pause the caller has already slept through itself.
   */
  async admit(sleptUntil = 0): Promise<{ epoch: number; waitedMs: number }> {
    let seen = sleptUntil;
    let waited = 0;
    let paced = false;
    // Each turn either sleeps through a pause not yet slept or takes this request's one slot,
    // so an injected clock that does not advance cannot spin here.
    for (;;) {
      const until = this.pausedUntil;
      const now = this.now();
      if (until > now && until !== seen) {
        seen = until;
        waited += until - now;
        await this.sleep(until - now);
        continue;
      }
      this.forget(now);
      if (this.limit !== undefined) {
        // The trailing minute as the server sees it: full means wait for its oldest request.
        const budget = Math.max(1, Math.floor(this.limit * PACE_SHARE));
        if (this.sent.length >= budget) {
          const wait = this.sent[this.sent.length - budget] + MINUTE - now;
          if (wait > 0) {
            waited += wait;
            await this.sleep(wait);
            continue;
          }
        }
      }
      if (this.intervalMs > 0 && !paced) {
        paced = true;
        const slot = Math.max(now, this.nextSlot);
        this.nextSlot = slot + this.intervalMs;
        if (slot > now) {
          waited += slot - now;
          await this.sleep(slot - now);
          continue;
        }
      }
      this.sent.push(now);
      return { epoch: this.epoch, waitedMs: waited };
    }
  }

  /** Drop the send times that have left the trailing minute. */
  private forget(now: number): void {
    let old = 0;
    while (old < this.sent.length && this.sent[old] <= now - MINUTE) old++;
    if (old) this.sent.splice(0, old);
  }

  /** A request got through: the portal is not refusing us wholesale. */
  succeeded(): void {
    this.streak = 0;
    this.streakMs = 0;
  }

  /**
   * A 429 to a request sent under `ticket`. Learns the limit. Returns the streak of pauses with
   * nothing getting through, and whether a pause begun since the request was sent already covers it.
   */
  limited(ticket: number, headers: Headers): { streak: number; streakMs: number; covered: boolean } {
    const limit = limitPerMinute(headers);
    if (limit !== undefined && limit !== this.limit) {
      this.limit = limit;
      this.intervalMs = 60_000 / (limit * PACE_SHARE);
    }
    const covered = ticket !== this.epoch;
    return { streak: covered ? this.streak : this.streak + 1, streakMs: this.streakMs, covered };
  }

  /** Pause every request of the client for `ms`; returns when the pause ends. */
  pause(ms: number): number {
    this.epoch++;
    this.streak++;
    this.streakMs += ms;
    this.pausedUntil = Math.max(this.pausedUntil, this.now() + ms);
    return this.pausedUntil;
  }
}
