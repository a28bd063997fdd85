// Reading a large archive: `events --since 7d`, the reports, the two-thread exporter.
import { join } from 'node:path';
import { countLines } from '../lib/files.mjs';
import { fmt, median, ms, secs } from '../lib/format.mjs';
import { CLI, measure, runTask, task } from '../lib/process.mjs';
import { besideUnit } from './cold-start.mjs';

/** The archive fixture, built once per run for this section and the exports. */
export async function bigArchive(ctx) {
  if (!ctx.archive) {
    const file = join(ctx.dir, 'big.sqlite');
    ctx.log(`building a ${fmt(ctx.size.archiveEvents)}-event archive...`);
    const built = await measure([task('build-archive.mjs'), file, String(ctx.size.archiveEvents)]);
    ctx.archive = file;
    ctx.results.note('archive', `Fixture built in ${secs(built.ms)}.`);
  }
  return ctx.archive;
}

export async function archiveReads(ctx) {
  const big = await bigArchive(ctx);
  const { repeats } = ctx.size;
  // One warm-up run, then the median of `repeats`, each after a bare start (the unit beside it).
  const inUnits = async (id, args, options) => {
    await measure(args, options);
    const r = await besideUnit(repeats, async () => (await measure(args, options)).ms);
    ctx.results.record(id, { measured: ms(r.ms), baseline: `unit ${ms(r.unit)}`, ratio: r.ms / r.unit });
  };

  ctx.log('events --archive --since 7d...');
  const out = join(ctx.dir, 'week.ndjson');
  const week = [CLI, 'events', '--archive', '--db', big, '--since', '7d', '--format', 'ndjson', '-q'];
  await inUnits('archive.since7d', week, { stdoutFile: out });
  const lines = countLines(out);
  ctx.results.note('archive', `\`events --since 7d\` wrote ${fmt(lines)} events.`);

  ctx.log('reports over the archive...');
  for (const name of ['summary', 'users', 'daily']) {
    const args = [CLI, 'report', name, '--db', big, '--format', 'json', '-q'];
    await inUnits(`archive.report.${name}`, args);
  }

  // The whole history: the questions the rollups answer (see src/report/sources/rollup-facts.ts).
  ctx.log('whole-history reports over the archive...');
  for (const name of ['summary', 'users', 'daily']) {
    const args = [CLI, 'report', name, '--db', big, '--since', 'all', '--format', 'json', '-q'];
    await inUnits(`archive.all.${name}`, args);
  }

  ctx.log('exportArchive() on one thread and on two...');
  const since = String(Date.now() - 7 * 86_400_000);
  const threads = {};
  for (const n of ['one', 'two']) {
    const runs = [];
    for (let i = 0; i < repeats; i++) runs.push((await runTask('export-threads.mjs', [big, since, out, n])).ms);
    threads[n] = median(runs);
  }
  ctx.results.record('archive.threads', {
    measured: `two threads ${ms(threads.two)}`,
    baseline: `one thread ${ms(threads.one)}`,
    ratio: threads.one / threads.two,
  });
}
