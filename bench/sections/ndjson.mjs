// Streaming a live history to NDJSON: memory must stay flat as the history grows.
import { fmt, perSecond, secs } from '../lib/format.mjs';
import { CLI, emulator, measure } from '../lib/process.mjs';

export async function ndjsonExport(ctx) {
  const runs = [];
  for (const n of ctx.size.ndjsonEvents) {
    ctx.log(`${fmt(n)} events to NDJSON...`);
    const emu = await emulator(['--events', String(n), '--seed', '2', '--days', '180']);
    try {
      const r = await measure([CLI, 'events', '--format', 'ndjson', '-q'], { env: emu.env });
      runs.push({ n, ...r });
    } finally {
      await emu.close();
    }
  }
  const [small, big] = runs;
  ctx.results.record('ndjson.rss', {
    measured: `${fmt(big.rssMb, 0)} MB at ${fmt(big.n)}`,
    baseline: `${fmt(small.rssMb, 0)} MB at ${fmt(small.n)}`,
    ratio: big.rssMb / small.rssMb,
  });
  ctx.results.limit('ndjson.rssMb', big.rssMb);
  for (const r of runs) {
    ctx.results.note('ndjson', `${fmt(r.n)} events: ${secs(r.ms)}, ${fmt(perSecond(r.n, r.ms))} events/s, peak RSS ${fmt(r.rssMb, 0)} MB.`);
  }
}
