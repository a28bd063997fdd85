/**
 * The per-destination rate cap: at most one send per `minIntervalMs`. Slack drops messages
 * beyond about one a second, so the worker asks before sending and puts the delivery back
 * until the slot is free instead of collecting 429s.
 */
export class RateGate {
  private readonly nextFree = new Map<string, number>();

  /** Take the slot of `key` at `now` and return 0, or return how long until it is free. */
  take(key: string, minIntervalMs: number, now: number): number {
    const free = this.nextFree.get(key) ?? -Infinity;
    if (now < free) return free - now;
    if (minIntervalMs > 0) this.nextFree.set(key, now + minIntervalMs);
    return 0;
  }

  /** A receiver's Retry-After holds back every send to it, not only the one that got it. */
  holdUntil(key: string, until: number): void {
    this.nextFree.set(key, Math.max(until, this.nextFree.get(key) ?? -Infinity));
  }
}
