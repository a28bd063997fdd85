// A full read under the portal's per-minute limit, answered as the real server answers: a bare
// 429 that names the limit and nothing else.
import { fmt, secs } from '../lib/format.mjs';
import { emulator, runTask } from '../lib/process.mjs';

export async function rateLimitedRead(ctx) {
  const s = ctx.size;
  const limit = s.limitPerMinute;
  ctx.log(`full read of ${fmt(s.limitedEvents)} events at ${fmt(limit)} requests/min (about ${fmt(s.limitedEvents / 100 / limit * 60)} s)...`);
  const emu = await emulator([
    '--events', String(s.limitedEvents), '--seed', '5', '--days', '180',
    '--rate-limit', String(limit), '--rate-limit-headers', 'limit',
  ]);
  try {
    await emu.resetStats();
    const read = await runTask('read-full.mjs', ['parallel', emu.url, emu.key, String(s.readConcurrency)]);
    const stats = await emu.stats();
    const refused = Number(stats.byStatus?.['429'] ?? 0);
    const answered = Number(stats.requests);
    if (read.events !== s.limitedEvents) {
      throw new Error(`the rate-limited read ended with ${read.events} of ${s.limitedEvents} events`);
    }
    const admitted = answered - refused;
    const perMinute = admitted / (read.ms / 60_000);
    ctx.results.record('limited.rate', {
      measured: `${fmt(perMinute)}/min (${fmt(admitted)} admitted in ${secs(read.ms)})`,
      baseline: `limit ${fmt(limit)}/min`,
      ratio: perMinute / limit,
    });
    ctx.results.record('limited.429', {
      measured: `${fmt(refused)} answered 429`,
      baseline: `${fmt(answered)} requests`,
      ratio: answered ? refused / answered : Number.NaN,
    });
    ctx.results.note(
      'limited',
      `The client counted ${fmt(read.requests)} requests (${fmt(read.retries)} retries) and its requests waited ${secs(read.waitedMs)} in all (summed over those in flight); the emulator answered ${fmt(answered)}: ${Object.entries(stats.byStatus ?? {}).map(([k, v]) => `${fmt(v)} × ${k}`).join(', ')}.`,
    );
  } finally {
    await emu.close();
  }
}
