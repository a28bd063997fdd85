/**
 * A sync run's row in `sync_runs`, written when the run first writes anything else (so a long
 * run shows as `running`, and one that dies is later marked `interrupted`) or, for a run that
 * needed no other write (an incremental sync with nothing new), once at the end with its outcome:
 * one commit instead of two.
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

  /** The run's id, recording it as `running` first if it is not recorded yet. */
  start(): Promise<number> {
    this.id ??= this.store.startRun(this.portalId, this.mode);
    return this.id;
  }

  async finish(outcome: RunOutcome): Promise<void> {
    if (this.id) await this.store.finishRun(await this.id, outcome);
    else await this.store.recordRun(this.portalId, this.mode, this.startedAt, outcome);
  }
}
