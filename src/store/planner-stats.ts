/** When to refresh the query planner's statistics while an archive grows: at 50k events added, then at each doubling. */
import type { Backend } from './backend.js';

/** Events added before the planner's statistics are first refreshed (then at each doubling). */
const ANALYZE_AFTER = 50_000;

export class PlannerStats {
  /** Events added through the store, and the count at which to refresh next. */
  private added = 0;
  private next = ANALYZE_AFTER;

  constructor(private readonly backend: Backend) {}

  /** Count events a write added (once per batch). */
  grew(events: number): void {
    this.added += events;
  }

  /**
   * After a commit: the refresh to wait for when a lot was committed since the last look (at 50k,
   * 100k, 200k… events, so a first sync of millions analyses a handful of times, and queries right
   * after it are fast); undefined, with nothing to wait for, otherwise.
   */
  afterCommit(): Promise<void> | undefined {
    if (this.added < this.next) return undefined;
    this.next = this.added * 2;
    return this.backend.analyze();
  }
}
