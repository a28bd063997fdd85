/**
 * A sync's first requests to the portal, which need nothing from the archive: the quota (its
 * `audit` feature decides how the history can be read) and the newest window of the history.
 * Begun before the archive is open, they are answered while the archive connects, takes the
 * portal's lock and finds its checkpoint: a sync with nothing new then waits for the slower of
 * the two sides, not for one after the other (on PostgreSQL, opening two sessions and five round
 * trips take longer than the portal's two answers).
 *
 * The window is asked for once it is known to be of use: as soon as the quota says the portal
 * has the `audit` feature, or the archive says it had it last time (`window()`), whichever comes
 * first. A portal without the feature is never asked for it.
 *
 * A window older than the lock (`sync --wait`) is still a true page of the history: the read
 * pages down from it to the archive's checkpoint, and what the run proves ends at the newest
 * event it read, so events that came in meanwhile are the next run's.
 */
import { type DocSpaceClient, MAX_PAGE_SIZE, type Page } from '../client/client.js';
import type { Quota } from '../client/schemas.js';
import type { RawLoginEvent } from '../model/event.js';

export class SyncHead {
  /** The portal's quota: always read, by every sync. */
  readonly quota: Promise<Quota>;
  /** The client's requests before these: a sync's count of requests includes them. */
  readonly requestsBefore: number;
  private first?: Promise<Page<RawLoginEvent>>;
  private readonly cancel = new AbortController();

  constructor(readonly client: DocSpaceClient) {
    this.requestsBefore = client.stats.requests;
    this.quota = client.quota();
    this.quota.then(
      (q) => {
        if (q.audit !== false) this.window();
      },
      // The sync that awaits the quota reports its failure.
      () => undefined,
    );
  }

  /** The newest window of the history (asked for at the first call). */
  window(): Promise<Page<RawLoginEvent>> {
    if (!this.first) {
      this.first = this.client.filterEvents({ startIndex: 0, count: MAX_PAGE_SIZE }, this.cancel.signal);
      // Awaited only when the read uses it.
      this.first.catch(() => undefined);
    }
    return this.first;
  }

  /** Give up the window when the sync does not get to use it (a busy lock, a failed probe). */
  abandon(): void {
    this.cancel.abort();
  }
}
