// `npm run bench`: every figure against a baseline measured in the same run on the same machine,
// every target a ratio, so the claims hold or fail the same way on any machine.
//
//   node bench/run.mjs                 the full run: writes BENCHMARKS.md, exits 1 if a target is missed
//   node bench/run.mjs --quick         small sizes, every code path end to end (about two minutes)
//   node bench/run.mjs read sync ...   only these sections (printed, BENCHMARKS.md untouched)
//   node bench/run.mjs --template      BENCHMARKS.md's layout and methods, every figure "to be measured"
//   BENCH_CLI=/other/dist/bin/main.js node bench/run.mjs cold sync
//                                      A/B: the same sections measuring another build's CLI (never written)
//   node bench/run.mjs --json FILE ... also write what was measured as JSON (bench/ab.mjs reads it)
//   node bench/ab.mjs REV [sections]   A/B against commit REV, section by section (see there)
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fmt } from './lib/format.mjs';
import { Results } from './lib/results.mjs';
import { SIZES } from './lib/sizes.mjs';
import { SECTIONS } from './sections/index.mjs';

const args = process.argv.slice(2);
const jsonAt = args.indexOf('--json');
const jsonFile = jsonAt >= 0 ? args.splice(jsonAt, 2)[1] : undefined;
if (jsonAt >= 0 && !jsonFile) usage('--json needs a file');
const flags = new Set(args.filter((a) => a.startsWith('--')));
const named = args.filter((a) => !a.startsWith('--'));
for (const f of flags) {
  if (!['--quick', '--strict', '--template'].includes(f)) usage(`unknown option ${f}`);
}
for (const n of named) if (!SECTIONS[n]) usage(`unknown section ${n}`);
const size = flags.has('--quick') ? SIZES.quick : SIZES.full;
// Cold start is always measured: it gives the unit the latency budgets are stated in.
const chosen = named.length ? new Set(['cold', ...named]) : new Set(Object.keys(SECTIONS));
const writesFile = flags.has('--template') || (size === SIZES.full && named.length === 0 && !process.env.BENCH_CLI);
const log = (s) => process.stderr.write(`bench: ${s}\n`);

function usage(problem) {
  process.stderr.write(`${problem}\nusage: node bench/run.mjs [--quick] [--strict] [--template] [--json FILE] [${Object.keys(SECTIONS).join('|')} ...]\n`);
  process.exit(2);
}

const results = new Results(size);
const started = Date.now();
if (!flags.has('--template')) {
  const dir = mkdtempSync(join(tmpdir(), 'dl-bench-'));
  const ctx = { size, results, log, dir, unit: undefined, archive: undefined };
  try {
    // One section's failure is reported in its rows; the others still run, as a long run should.
    for (const [id, run] of Object.entries(SECTIONS)) {
      if (!chosen.has(id)) continue;
      try {
        await run(ctx);
      } catch (err) {
        log(`${id} failed: ${err.stack ?? err}`);
        results.fail(id, err);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const { ratios, limits, body } = results.markdown(chosen);
const measuredOn = flags.has('--template')
  ? ['Not yet measured: every figure below is to be measured by a full `npm run bench` on a quiet machine.']
  : [
      `Measured by \`npm run bench${size === SIZES.quick ? ' -- --quick' : ''}\` on ${new Date().toISOString().slice(0, 10)}: Node ${process.version}, ${cpus().length} cores`,
      `(${cpus()[0]?.model ?? 'unknown CPU'}), ${fmt(totalmem() / 2 ** 30, 0)} GiB, in ${fmt((Date.now() - started) / 1000, 0)} s.`,
    ];
const md = [
  '# Benchmarks',
  '',
  ...measuredOn,
  '',
  'Every figure is stated against a baseline measured in the same run, on the same machine, and every target is a',
  'ratio: a slower machine is slower at both. Latencies are in **units** of a bare `node -e 0`; throughputs against a',
  'program doing the same work without our code. The emulator always runs in a process of its own, so its memory and',
  'CPU are not counted against the tool.',
  '',
  '`npm run bench` runs everything at the sizes below, rewrites this file and exits 1 when a target is missed.',
  '`npm run bench -- --quick` runs every benchmark at small sizes in a couple of minutes: it proves the code paths, and',
  'its verdicts are indicative only (add `--strict` to fail on them). Naming sections (`cold read limited ndjson sync',
  'archive export`) runs only those and prints the table without touching this file.',
  '',
  '[`BENCHMARKS-refactor.md`](BENCHMARKS-refactor.md) holds the A/B against 4052016, the commit before the refactor of',
  'the issue "Structure" (`npm run bench:ab -- 4052016`): the same sections for both builds, pair by pair in the same minutes.',
  '',
  ...ratios,
  '',
  ...(limits.length
    ? [
        'Counts and memory do not depend on the machine\'s speed, so they keep absolute limits:',
        '',
        ...limits,
        '',
      ]
    : []),
  ...body,
];
const text = `${md.join('\n')}\n`;
process.stdout.write(text);
if (writesFile) {
  writeFileSync(new URL('../BENCHMARKS.md', import.meta.url), text);
  log('wrote BENCHMARKS.md');
}

if (jsonFile) writeFileSync(jsonFile, JSON.stringify(results.toJSON(), null, 1));

const missed = results.missed();
for (const m of missed) log(`missed: ${m.what}`);
// Small sizes say nothing about targets set for full sizes: --quick only fails on misses when asked.
if (results.failed.size) process.exitCode = 1;
else if (missed.length && (size === SIZES.full || flags.has('--strict'))) process.exitCode = 1;
else if (missed.length) log(`${missed.length} target(s) missed at --quick sizes (indicative only; --strict to fail)`);
