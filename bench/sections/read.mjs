// Reading a full history: the parallel reader against one page at a time, both over HTTP.
import { fmt, secs } from '../lib/format.mjs';
import { emulator, runTask } from '../lib/process.mjs';

/** Parallel reads measured against the one sequential read. */
const PARALLEL_RUNS = 3;

export async function parallelRead(ctx) {
  const s = ctx.size;
  ctx.log(`full read of ${fmt(s.readEvents)} events at ${s.readLatencyMs} ms latency, parallel and one page at a time...`);
  const emu = await emulator(['--events', String(s.readEvents), '--latency', String(s.readLatencyMs), '--seed', '1', '--days', '180']);
  try {
    const seq = await runTask('read-full.mjs', ['sequential', emu.url, emu.key]);
    // The parallel read is a few seconds: the median of three, as other short rows are, where one
    // sample moved with the host (81-92% of the ideal over the last runs, the code unchanged).
    const runs = [];
    for (let i = 0; i < PARALLEL_RUNS; i++) {
      const run = await runTask('read-full.mjs', ['parallel', emu.url, emu.key, String(s.readConcurrency)]);
      if (seq.events !== run.events) throw new Error(`the readers disagree: ${seq.events} events one page at a time, ${run.events} in parallel`);
      runs.push(run);
    }
    const par = runs.sort((a, b) => a.ms - b.ms)[Math.floor(PARALLEL_RUNS / 2)];
    const speedUp = seq.ms / par.ms;
    ctx.results.record('read.parallel', {
      measured: `${secs(par.ms)} (median of ${PARALLEL_RUNS}), ${fmt(par.requests)} requests (${fmt(speedUp, 2)}×)`,
      baseline: `${secs(seq.ms)}, ${fmt(seq.requests)} requests`,
      ratio: speedUp / s.readConcurrency,
    });
    // The reader's windows: 100 events, 4 shared with the next (its default overlap).
    const windows = Math.ceil(par.events / 96);
    ctx.results.note(
      'read',
      `Both read ${fmt(par.events)} events. The parallel reader makes ${fmt(par.requests - seq.requests)} more requests: ${fmt(windows - seq.requests)} because windows overlap by 4 events so boundaries can be proven, and ${fmt(par.requests - windows)} repair windows (a same-second group straddling a boundary) or windows in flight past the end.`,
    );
  } finally {
    await emu.close();
  }
}
