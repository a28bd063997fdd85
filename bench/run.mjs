// `npm run bench`: every figure is measured in this one run, on this machine, against the
// built-in emulator, and written to BENCHMARKS.md. Targets are ratios or absolute limits the
// issues set; each row says whether it was met.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLI, emulator, fmt, measure, median } from './lib.mjs';

const only = process.argv.slice(2);
const want = (name) => only.length === 0 || only.includes(name);
const sections = [];
const rows = [];
const verdict = (ok) => (ok ? 'met' : '**missed**');
const log = (s) => process.stderr.write(`${s}\n`);

async function parallelRead() {
  log('bench: full read of 100,000 events at 20 ms latency (parallel vs one page at a time)...');
  const emu = await emulator(['--events', '100000', '--latency', '20', '--seed', '1', '--days', '180']);
  try {
    const script = fileURLToPath(new URL('./read-full.mjs', import.meta.url));
    const seq = JSON.parse(
      (await measure([script, 'sequential', emu.url, emu.key], { keepStdout: true })).stdout,
    );
    const par = JSON.parse(
      (await measure([script, 'parallel', emu.url, emu.key, '8'], { keepStdout: true })).stdout,
    );
    const ratio = seq.ms / par.ms;
    const share = ratio / 8;
    rows.push([
      'Full read, 100k events, 20 ms latency: speed-up over one page at a time',
      `${fmt(ratio, 2)}× (${fmt(share * 100, 0)}% of ideal 8×)`,
      '≥ 75% of ideal',
      verdict(share >= 0.75),
    ]);
    sections.push(
      '## (a) Reading a full history: parallel reader vs one page at a time',
      '',
      'Emulator in its own process: 100,000 events, 20 ms added to every response. Baseline: the loop the',
      'seed example would grow into (`startIndex += 100`, one request at a time, no de-duplication).',
      'Ours: `readHistory()` at the default concurrency of 8, with overlapping windows and boundary proofs.',
      '',
      '| reader | events | requests | wall time |',
      '|---|---:|---:|---:|',
      `| one page at a time | ${fmt(seq.events)} | ${fmt(seq.requests)} | ${fmt(seq.ms / 1000, 2)} s |`,
      `| parallel (8 in flight) | ${fmt(par.events)} | ${fmt(par.requests)} | ${fmt(par.ms / 1000, 2)} s |`,
      '',
      `Speed-up ${fmt(ratio, 2)}×, i.e. ${fmt(share * 100, 0)}% of the ideal 8× (target ≥ 75%). The parallel reader makes`,
      `${fmt(par.requests - seq.requests)} more requests: windows overlap by 4 events so boundaries can be proven, and the`,
      'last in-flight windows past the end are wasted.',
      '',
    );
  } finally {
    await emu.close();
  }
}

async function ndjsonExport() {
  const runs = [];
  for (const n of [100_000, 1_000_000]) {
    log(`bench: ${fmt(n)} events to NDJSON at zero latency...`);
    const emu = await emulator(['--events', String(n), '--seed', '2', '--days', '180']);
    try {
      const r = await measure([CLI, 'events', '--format', 'ndjson', '-q'], {
        env: { DOCSPACE_URL: emu.url, DOCSPACE_API_KEY: emu.key },
      });
      runs.push({ n, ...r, rate: n / (r.ms / 1000) });
    } finally {
      await emu.close();
    }
  }
  const [small, big] = runs;
  const growth = big.rssMb / small.rssMb;
  rows.push([
    '1M events to NDJSON: peak RSS',
    `${fmt(big.rssMb, 0)} MB`,
    '≤ 150 MB',
    verdict(big.rssMb <= 150),
  ]);
  rows.push(['RSS at 1M / RSS at 100k', `${fmt(growth, 2)}×`, '≤ 1.3×', verdict(growth <= 1.3)]);
  rows.push(['1M events to NDJSON: throughput', `${fmt(big.rate)} events/s`, '—', 'measured']);
  sections.push(
    '## (b) Streaming 1,000,000 events to NDJSON',
    '',
    '`docspace-logins events --format ndjson` as a separate process (stdout discarded), the emulator in another,',
    "zero added latency. Peak RSS is the process's own `maxRSS` at exit.",
    '',
    '| events | wall time | events/s | peak RSS |',
    '|---:|---:|---:|---:|',
    ...runs.map((r) => `| ${fmt(r.n)} | ${fmt(r.ms / 1000, 2)} s | ${fmt(r.rate)} | ${fmt(r.rssMb, 0)} MB |`),
    '',
    `RSS at 1M is ${fmt(growth, 2)}× RSS at 100k (target ≤ 1.3×): memory does not grow with the history.`,
    '',
  );
}

async function coldStart() {
  log('bench: cold start of --version...');
  const times = [];
  for (let i = 0; i < 21; i++) times.push((await measure([CLI, '--version'])).ms);
  const m = median(times);
  const nodeAlone = [];
  for (let i = 0; i < 21; i++) nodeAlone.push((await measure(['-e', '0'])).ms);
  const base = median(nodeAlone);
  rows.push(['Cold start of `--version` (median of 21)', `${fmt(m, 0)} ms`, '≤ 150 ms', verdict(m <= 150)]);
  sections.push(
    '## (c) Cold start',
    '',
    `Median of 21 runs of \`dist/bin/main.js --version\`: **${fmt(m, 0)} ms**; a bare \`node -e 0\` takes ${fmt(base, 0)} ms`,
    `on the same machine (ratio ${fmt(m / base, 2)}×). \`--version\` is answered before any dependency is imported.`,
    '',
  );
}

async function firstSync(dbArg, label, target) {
  log(`bench: first sync of 1,000,000 events into ${label}...`);
  const emu = await emulator(['--events', '1000000', '--seed', '4', '--days', '180']);
  try {
    const env = { DOCSPACE_URL: emu.url, DOCSPACE_API_KEY: emu.key };
    const first = await measure([CLI, 'sync', '--db', dbArg, '-q', '--json'], { env, keepStdout: true });
    const result = JSON.parse(first.stdout.trim().split('\n').pop());
    const rate = result.added / (first.ms / 1000);
    rows.push([
      `First sync, 1M events → ${label}: throughput`,
      `${fmt(rate)} events/s`,
      `≥ ${fmt(target)}/s`,
      verdict(rate >= target),
    ]);
    rows.push([
      `First sync, 1M events → ${label}: peak RSS`,
      `${fmt(first.rssMb, 0)} MB`,
      '≤ 200 MB',
      verdict(first.rssMb <= 200),
    ]);
    // Nothing new: count what the second run asks of the portal.
    await fetch(`${emu.url}/__emulator/reset-stats`, { method: 'POST' });
    const again = await measure([CLI, 'sync', '--db', dbArg, '-q', '--json'], { env, keepStdout: true });
    const stats = await emu.stats();
    const requests = stats.requests ?? stats.totalRequests ?? stats.total;
    const history = Object.entries(stats.byPath ?? {})
      .filter(([path]) => path.includes('/login/'))
      .reduce((n, [, c]) => n + Number(c), 0);
    rows.push([
      `Incremental sync with nothing new (${label}): requests`,
      `${requests} (${history} history + ${requests - history} preflight)`,
      '≤ 2',
      verdict(requests <= 2),
    ]);
    rows.push([
      `Incremental sync with nothing new (${label}): wall time of the whole command`,
      `${fmt(again.ms, 0)} ms`,
      '≤ 300 ms',
      verdict(again.ms <= 300),
    ]);
    syncRows.push(
      `| ${label} | ${fmt(result.added)} | ${fmt(first.ms / 1000, 1)} s | ${fmt(rate)} | ${fmt(first.rssMb, 0)} MB | ${requests} | ${fmt(again.ms, 0)} ms |`,
    );
  } finally {
    await emu.close();
  }
}

async function archiveSections() {
  const dir = mkdtempSync(join(tmpdir(), 'dl-bench-'));
  try {
    await firstSync(join(dir, 'sync.sqlite'), 'SQLite', 30_000);
    if (process.env.DOCSPACE_LOGINS_TEST_PG) {
      await firstSync(process.env.DOCSPACE_LOGINS_TEST_PG, 'PostgreSQL', 15_000);
    } else {
      syncRows.push(
        '| PostgreSQL | skipped: set DOCSPACE_LOGINS_TEST_PG (scripts/pg-scratch.sh start) | | | | | |',
      );
    }
    sections.push(
      '## Archive: first sync and incremental sync',
      '',
      '`docspace-logins sync` as a separate process against an emulator with 1,000,000 events and zero added latency;',
      'events/s is end to end (HTTP, validation, inserts, commit). Then a second `sync` with nothing new: requests counted',
      'by the emulator, wall time of the whole command including Node start-up.',
      '',
      '| store | events | first sync | events/s | peak RSS | requests, nothing new | wall, nothing new |',
      '|---|---:|---:|---:|---:|---:|---:|',
      ...syncRows,
      '',
      'Each run reads `portal/quota` before any history; `audit/settings/lifetime` is read again only when the archived',
      'retention is over an hour old (the portal purges daily), so an up-to-date archive costs the quota and one page of history.',
      '',
    );

    log('bench: building a 5,000,000-event archive...');
    const big = join(dir, 'big.sqlite');
    const built = await measure([
      fileURLToPath(new URL('./build-archive.mjs', import.meta.url)),
      big,
      '5000000',
    ]);
    // Output to a file, as `> file` would; one run first to warm the file cache, as for the reports.
    const out = join(dir, 'week.ndjson');
    const week = [CLI, 'events', '--archive', '--db', big, '--since', '7d', '--format', 'ndjson', '-q'];
    await measure(week, { stdoutFile: out });
    const q = [];
    for (let i = 0; i < 3; i++) q.push(await measure(week, { stdoutFile: out }));
    const best = q.map((r) => r.ms).sort((a, b) => a - b);
    const lines = readFileSync(out, 'utf8').split('\n').length - 1;
    const m = median(best);
    // The same export through the library on one thread and on two (median of 3 each).
    const script = fileURLToPath(new URL('./export-threads.mjs', import.meta.url));
    const since = String(Date.now() - 7 * 86_400_000);
    const threads = {};
    for (const n of ['one', 'two']) {
      const runs = [];
      for (let i = 0; i < 3; i++) {
        const r = await measure([script, big, since, out, n], { keepStdout: true });
        runs.push(JSON.parse(r.stdout).ms);
      }
      threads[n] = median(runs);
    }
    const speedUp = threads.one / threads.two;
    archiveRows.push(
      `| exportArchive() of the same 7 days, one thread → two | ${fmt(lines)} events | ${fmt(threads.one, 0)} → ${fmt(threads.two, 0)} ms (${fmt(speedUp, 2)}×) |`,
    );
    rows.push([
      'Archive export on two threads: speed-up over one (7 days, NDJSON)',
      `${fmt(speedUp, 2)}× (${fmt(threads.one, 0)} → ${fmt(threads.two, 0)} ms)`,
      '—',
      'measured',
    ]);
    rows.push([
      '`events --archive --since 7d` over 5M events',
      `${fmt(m, 0)} ms (${fmt(lines)} events)`,
      '≤ 1 s',
      verdict(m <= 1000),
    ]);
    archiveRows.push(
      `| events --archive --since 7d > file | ${fmt(lines)} events out | ${fmt(m, 0)} ms (median of 3, warm) |`,
    );
    log('bench: reports over the 5M archive...');
    for (const [name, target] of [['summary', 1000], ['users', 2000], ['daily', 1000]]) {
      const args = [CLI, 'report', name, '--db', big, '--format', 'json', '-q'];
      await measure(args); // warm the file cache: the first read of a 2 GB file is disk-bound
      const times = [];
      for (let i = 0; i < 3; i++) times.push((await measure(args)).ms);
      const m = median(times);
      rows.push([`\`report ${name}\` over 5M events (default period: last 30 days)`, `${fmt(m, 0)} ms`, `≤ ${fmt(target / 1000, 0)} s`, verdict(m <= target)]);
      archiveRows.push(`| report ${name} (last 30 days) | 5,000,000 in the archive | ${fmt(m, 0)} ms (median of 3, warm) |`);
    }
    log('bench: exporting 1,000,000 archived events to CSV and XLSX...');
    for (const [format, target] of [['csv', 200_000], ['xlsx', 50_000]]) {
      const file = join(dir, `export.${format}`);
      const r = await measure([CLI, 'events', '--archive', '--db', big, '--limit', '1000000', '--output', file, '-q']);
      const rate = 1_000_000 / (r.ms / 1000);
      rows.push([`Export 1M archived events to ${format.toUpperCase()}: throughput`, `${fmt(rate)} events/s`, `≥ ${fmt(target)}/s`, verdict(rate >= target)]);
      rows.push([`Export 1M archived events to ${format.toUpperCase()}: peak RSS`, `${fmt(r.rssMb, 0)} MB`, '≤ 300 MB', verdict(r.rssMb <= 300)]);
      archiveRows.push(`| events --archive --limit 1000000 --output export.${format} | 1,000,000 events | ${fmt(r.ms / 1000, 1)} s (${fmt(rate)}/s, ${fmt(r.rssMb, 0)} MB peak) |`);
    }
    sections.push(
      '## Reading a 5,000,000-event archive',
      '',
      `Fixture: 5,000,000 generated events over 180 days written straight into SQLite (${fmt(built.ms / 1000, 0)} s), then each`,
      'command as a separate process (wall time includes Node start-up and opening the database).',
      '',
      '| command | size | wall time |',
      '|---|---:|---:|',
      ...archiveRows,
      '',
    );
  } finally {
    if (!keepBig) rmSync(dir, { recursive: true, force: true });
  }
}

const syncRows = [];
const archiveRows = [];
const keepBig = false;

const started = Date.now();
if (want('read')) await parallelRead();
if (want('ndjson')) await ndjsonExport();
if (want('cold')) await coldStart();
if (want('archive')) await archiveSections();

const md = [
  '# Benchmarks',
  '',
  `Measured by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}: Node ${process.version}, ${cpus().length} cores`,
  `(${cpus()[0]?.model ?? 'unknown CPU'}), ${fmt(totalmem() / 2 ** 30, 0)} GiB. Every figure comes from the same run; the emulator`,
  'always runs in a process of its own so its memory and CPU are not counted against the tool.',
  '',
  '| what | measured | target | |',
  '|---|---:|---:|---|',
  ...rows.map((r) => `| ${r.join(' | ')} |`),
  '',
  ...sections,
  `Total benchmark time: ${fmt((Date.now() - started) / 1000, 0)} s.`,
  '',
];
writeFileSync(new URL('../BENCHMARKS.md', import.meta.url), md.join('\n'));
log('bench: wrote BENCHMARKS.md');
