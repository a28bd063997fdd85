/**
 * A sync run's row in `sync_runs`, and the lock holder's row in `sync_locks`, written when the
 * run first writes anything else (so a long run shows as `running`, and one that dies is later
 * marked `interrupted`; a second sync is told who holds the portal) and closed with the run's
 * last write. A run that needed no other write (an incremental sync with nothing new) records
 * itself once, at the end, with its outcome: one commit instead of four.
 */
import type { ArchiveStore, RunMode, RunOutcome } from '../store/index.js';

export class RunRecord {
  private id: Promise<number> | undefined;
  /** By the wall clock, as `startRun` records it: runs are listed in this order. */
  private readonly startedAt = Date.now();

  constructor(
    private readonly store: ArchiveStore,
    private readonly portalId: number,
    private readonly mode: RunMode,
  ) {}

  /** The run's id, recording it as `running` (and this process as the lock's holder) first if it is not recorded yet. */
  start(): Promise<number> {
    this.id ??= this.store.transaction(async (tx) => {
      await tx.recordLockHolder(this.portalId);
      return tx.startRun(this.portalId, this.mode);
    });
    return this.id;
  }

  async finish(outcome: RunOutcome): Promise<void> {
    const started = this.id;
    if (!started) {
      await this.store.recordRun(this.portalId, this.mode, this.startedAt, outcome);
      return;
    }
    const id = await started;
    await this.store.transaction(async (tx) => {
      await tx.finishRun(id, outcome);
      await tx.clearLockHolder(this.portalId);
    });
  }
}
