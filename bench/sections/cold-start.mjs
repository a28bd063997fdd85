// Cold start of the CLI, measured against a bare `node -e 0` interleaved with it: the run's unit.
import { fmt, median, ms } from '../lib/format.mjs';
import { CLI, measure } from '../lib/process.mjs';

/**
 * The unit of every latency budget: the median of bare Node start-ups. Runs alternate with the
 * CLI's so that a burst of load on a shared machine falls on both alike.
 */
export async function measureStart(ctx) {
  const bare = [];
  const cli = [];
  for (let i = 0; i < ctx.size.startRuns; i++) {
    bare.push((await measure(['-e', '0'])).ms);
    cli.push((await measure([CLI, '--version'])).ms);
  }
  return { unit: median(bare), cold: median(cli) };
}

export async function coldStart(ctx) {
  ctx.log('cold start of --version against node -e 0...');
  const { unit, cold } = await measureStart(ctx);
  ctx.unit = unit;
  ctx.results.record('cold.start', {
    measured: `${ms(cold)} (median of ${ctx.size.startRuns})`,
    baseline: `${ms(unit)} (\`node -e 0\`)`,
    ratio: cold / unit,
  });
  ctx.results.note('cold', `The unit of this run: ${fmt(unit, 1)} ms.`);
}

/**
 * A latency and its unit measured side by side: `runs` samples, each after a bare `node -e 0`, so
 * that the unit is of the same minutes as the figure it divides. The run's unit is measured once,
 * at the start, and a quiet or a busy first minute moved every ratio after it (two runs of one
 * afternoon: 107 and 169 ms, the rows' own times alike).
 */
export async function besideUnit(runs, sample) {
  const bare = [];
  const times = [];
  for (let i = 0; i < runs; i++) {
    bare.push((await measure(['-e', '0'])).ms);
    times.push(await sample());
  }
  return { ms: median(times), unit: median(bare), runs };
}

/** `runs` bare starts now: the unit of a long measurement is taken before it and after it. */
export async function bareStarts(runs) {
  const bare = [];
  for (let i = 0; i < runs; i++) bare.push((await measure(['-e', '0'])).ms);
  return bare;
}

/** The run's unit (its first minutes): the claim of the first sync is stated in it. */
export function unitOf(ctx) {
  if (!(ctx.unit > 0)) throw new Error('no unit: the cold-start section did not measure `node -e 0`');
  return ctx.unit;
}
