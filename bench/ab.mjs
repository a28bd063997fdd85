// A/B against another commit: the same sections of `npm run bench`, run for this checkout's build
// and for REV's, pair by pair in the same minutes (each pair alternating which side goes first),
// then each row's ratio side by side. Both sides are judged by this checkout's harness: the same
// emulator, the same baselines, the same fixtures' events (bench/lib/library.mjs says how a task
// switches builds). Rows only one side has (features REV lacks) are listed as such.
//
//   node bench/ab.mjs REV [--quick] [--repeat N] [--out FILE] [--keep DIR] [section[+section] ...]
//
// `--keep DIR` keeps each run's figures there and reuses those already there: delete one group's
// files to measure only that group again and get the whole table.
// Sections joined by `+` run in one process (archive+export share the archive fixture, which each
// run builds for its side).
// REV is checked out once into a worktree under the temporary directory, installed (`npm ci`) and
// built there; later runs reuse it. The default sections are those a build from before the
// detections can run. Exits 1 when a row is worse than REV's by more than the tolerance.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CATALOGUE } from './lib/catalogue.mjs';
import { fmt } from './lib/format.mjs';
import { ratioText } from './lib/results.mjs';
import { SIZES } from './lib/sizes.mjs';
import { SECTIONS } from './sections/index.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DEFAULT_SECTIONS = ['read', 'limited', 'ndjson', 'sync', 'archive+export'];
/** A row counts as worse when its ratio moved the wrong way by more than this share. */
const TOLERANCE = 0.05;

const log = (s) => process.stderr.write(`bench-ab: ${s}\n`);
function usage(problem) {
  process.stderr.write(`${problem}\nusage: node bench/ab.mjs REV [--quick] [--repeat N] [--out FILE] [--keep DIR] [${Object.keys(SECTIONS).join('|')} ...]\n`);
  process.exit(2);
}

const args = process.argv.slice(2);
const valueOf = (flag) => {
  const at = args.indexOf(flag);
  if (at < 0) return undefined;
  const [, value] = args.splice(at, 2);
  if (value === undefined) usage(`${flag} needs a value`);
  return value;
};
const out = valueOf('--out');
const keep = valueOf('--keep');
const repeat = Number(valueOf('--repeat') ?? 1);
if (!Number.isInteger(repeat) || repeat < 1) usage('--repeat takes a whole number of runs');
const quick = args.includes('--quick');
const [rev, ...named] = args.filter((a) => a !== '--quick');
if (!rev) usage('name the commit to compare with');
for (const n of named.flatMap((g) => g.split('+'))) if (!SECTIONS[n]) usage(`unknown section ${n}`);
const groups = named.length ? named : DEFAULT_SECTIONS;
const sections = groups.flatMap((g) => g.split('+'));

const run = (command, argv, opts = {}) => {
  const r = spawnSync(command, argv, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], ...opts });
  if (r.status !== 0) throw new Error(`${command} ${argv.join(' ')} exited with ${r.status}`);
  return (r.stdout ?? '').trim();
};

/** REV's build: a worktree of its own, installed and built once. */
function build(revision) {
  const sha = run('git', ['rev-parse', '--verify', `${revision}^{commit}`]);
  const dir = join(tmpdir(), `dl-bench-ab-${sha.slice(0, 12)}`);
  const cli = join(dir, 'dist/bin/main.js');
  if (existsSync(cli)) return { sha, cli };
  if (!existsSync(dir)) {
    log(`checking out ${sha.slice(0, 12)} into ${dir}...`);
    run('git', ['worktree', 'add', '--detach', dir, sha], { stdio: ['ignore', 'ignore', 'inherit'] });
  }
  log('installing its dependencies (npm ci)...');
  run('npm', ['ci', '--no-audit', '--no-fund'], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
  log('building it...');
  run('npm', ['run', 'build'], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
  return { sha, cli };
}

/** One `bench/run.mjs` of a group of sections for one side: what it measured. */
function measure(group, cli) {
  const dir = mkdtempSync(join(tmpdir(), 'dl-bench-ab-run-'));
  const file = join(dir, 'results.json');
  try {
    const env = { ...process.env };
    if (cli) env.BENCH_CLI = cli;
    else delete env.BENCH_CLI;
    const r = spawnSync(process.execPath, ['bench/run.mjs', ...(quick ? ['--quick'] : []), '--json', file, ...group.split('+')], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    // A missed target exits 1 and still wrote its figures; no file means the run itself broke.
    if (!existsSync(file)) throw new Error(`bench/run.mjs ${group} wrote no results (exit ${r.status})`);
    return JSON.parse(readFileSync(file, 'utf8'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A failed run's reason for a table cell: which program exited how, no paths, no key. */
const shortReason = (why) => {
  const script = /([\w.-]+\.m?js)\b/.exec(why)?.[1];
  return script ? `${script} exited with an error` : why.replace(/^failed: /, '').replace(/sk-[0-9a-f]{6,}/gi, 'sk-…').slice(0, 60);
};

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

if (keep) mkdirSync(keep, { recursive: true });
const other = build(rev);
const head = run('git', ['rev-parse', 'HEAD']);
const started = Date.now();
/** row id → { ours: ratio[], theirs: ratio[] } (limits under `limit:` ids). */
const figures = new Map();
const add = (id, side, value) => {
  if (!Number.isFinite(value)) return;
  if (!figures.has(id)) figures.set(id, { ours: [], theirs: [] });
  figures.get(id)[side].push(value);
};
/** `side:row id` → why that side could not measure the row (its run failed). */
const failures = new Map();
let pair = 0;
for (const section of ['cold', ...groups.filter((g) => g !== 'cold')]) {
  for (let i = 0; i < repeat; i++, pair++) {
    const order = pair % 2 ? ['theirs', 'ours'] : ['ours', 'theirs'];
    for (const side of order) {
      const kept = keep && join(keep, `${section}.${side}.${i + 1}.json`);
      let r;
      if (kept && existsSync(kept)) r = JSON.parse(readFileSync(kept, 'utf8'));
      else {
        log(`${section}: ${side === 'ours' ? 'this checkout' : rev} (pair ${i + 1} of ${repeat})`);
        r = measure(section, side === 'ours' ? undefined : other.cli);
        if (kept) writeFileSync(kept, JSON.stringify(r));
      }
      for (const [id, row] of Object.entries(r.rows)) add(id, side, row.ratio);
      for (const [id, value] of Object.entries(r.limits)) add(`limit:${id}`, side, value);
      for (const [id, why] of Object.entries(r.skipped)) if (why.startsWith('failed')) failures.set(`${side}:${id}`, why);
    }
  }
}

const lines = [
  `# A/B: this checkout against ${rev}`,
  '',
  `\`node bench/ab.mjs ${process.argv.slice(2).join(' ')}\` on ${new Date().toISOString().slice(0, 10)}: ${head.slice(0, 12)} (this`,
  `checkout) against ${other.sha.slice(0, 12)}, ${repeat} pair(s) per section, ${cpus().length} cores, ${fmt((Date.now() - started) / 1000, 0)} s. Each figure is`,
  'the ratio BENCHMARKS.md judges (the median when pairs were repeated), measured by each side against its own baseline',
  `in the same minutes. **worse** means more than ${TOLERANCE * 100}% the wrong way.`,
  '',
  `| what | ${rev} | this checkout | change | |`,
  '|---|---:|---:|---:|---|',
];
const sizes = quick ? SIZES.quick : SIZES.full;
const worse = [];
for (const s of CATALOGUE.filter((c) => c.id === 'cold' || sections.includes(c.id))) {
  const rows = [
    ...s.rows.map((r) => ({ id: r.id, what: r.what(sizes), lowerIsBetter: r.target ? r.target.op === '≤' : undefined, shown: (v) => ratioText(v, r.target?.unit ?? r.unit ?? 'times') })),
    ...(s.limits ?? []).map((l) => ({ id: `limit:${l.id}`, what: l.what(sizes), lowerIsBetter: true, shown: (v) => `${fmt(v, 0)} ${l.unit}` })),
  ];
  for (const row of rows) {
    const f = figures.get(row.id) ?? { ours: [], theirs: [] };
    const [ours, theirs] = [f.ours.length ? median(f.ours) : undefined, f.theirs.length ? median(f.theirs) : undefined];
    const plain = row.id.replace(/^limit:/, '');
    const missing = (side) => (failures.has(`${side}:${plain}`) ? `**failed**: ${shortReason(failures.get(`${side}:${plain}`))}` : side === 'theirs' ? `not in ${rev}` : '—');
    if (ours === undefined && theirs === undefined && !failures.has(`ours:${plain}`) && !failures.has(`theirs:${plain}`)) continue;
    if (ours === undefined || theirs === undefined) {
      if (ours === undefined && failures.has(`ours:${plain}`)) worse.push(row.what);
      lines.push(`| ${row.what} | ${theirs === undefined ? missing('theirs') : row.shown(theirs)} | ${ours === undefined ? missing('ours') : row.shown(ours)} | | |`);
      continue;
    }
    const change = theirs === 0 ? (ours === 0 ? 0 : Infinity) : ours / theirs - 1;
    const bad = row.lowerIsBetter === undefined ? false : row.lowerIsBetter ? change > TOLERANCE : change < -TOLERANCE;
    if (bad) worse.push(row.what);
    const pct = Number.isFinite(change) ? `${change >= 0 ? '+' : ''}${fmt(change * 100, 1)}%` : '—';
    lines.push(`| ${row.what} | ${row.shown(theirs)} | ${row.shown(ours)} | ${pct} | ${bad ? '**worse**' : row.lowerIsBetter === undefined ? '' : 'not worse'} |`);
  }
}
lines.push('');
const text = `${lines.join('\n')}\n`;
process.stdout.write(text);
if (out) {
  writeFileSync(out, text);
  log(`wrote ${out}`);
}
for (const w of worse) log(`worse than ${rev}: ${w}`);
if (worse.length) process.exitCode = 1;
