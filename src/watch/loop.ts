/**
 * The watch loop: a cycle, then a wait, until stopped. The wait is injected (`tick`), so tests
 * start each cycle themselves instead of sleeping; a stop request lets the running cycle finish.
 */
import { type CycleReport, runCycle, type WatchDeps } from './cycle.js';

export interface WatchLoopOptions {
  everyMs: number;
  /** One cycle, then return (for cron). */
  once?: boolean;
  /** Abort to stop: the cycle under way finishes, no new one starts. */
  signal: AbortSignal;
  /** Wait before the next cycle; resolves early when `signal` aborts (default: a timer). */
  tick?: (ms: number, signal: AbortSignal) => Promise<void>;
  onCycle?: (report: CycleReport) => void | Promise<void>;
}

/** Returns how many cycles ran and whether the last was ok. */
export async function watchLoop(deps: WatchDeps, opts: WatchLoopOptions): Promise<{ cycles: number; lastOk: boolean }> {
  const tick = opts.tick ?? sleep;
  let cycles = 0;
  let lastOk = true;
  while (!opts.signal.aborted) {
    const started = deps.now();
    const report = await runCycle(deps);
    cycles++;
    lastOk = report.ok;
    await opts.onCycle?.(report);
    if (opts.once || opts.signal.aborted) break;
    // Cycles start every `everyMs`, not `everyMs` after the previous one ended.
    await tick(Math.max(0, opts.everyMs - (deps.now() - started)), opts.signal);
  }
  return { cycles, lastOk };
}

export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done);
  });
}
