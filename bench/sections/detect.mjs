// Detections: quality against the emulator's labelled scenarios, and the engine's speed over the
// large archive (all rules, then incremental from the kept state).
import { fmt, median, ms, secs } from '../lib/format.mjs';
import { runTask } from '../lib/process.mjs';
import { bigArchive } from './archive.mjs';
import { bareStarts } from './cold-start.mjs';

/** Bare starts before and after the detection task: their median is its unit. */
const UNIT_RUNS = 5;

/** The demo seed first, then ordinary seeds with scenarios switched on. */
const SEEDS = [20251, 1, 2, 3, 4, 5, 6, 7];

export async function detectQuality(ctx) {
  const { qualitySeeds, qualityEvents } = ctx.size;
  let labelled = 0;
  let found = 0;
  let grouped = 0;
  let benign = 0;
  let falseAboveLow = 0;
  const rules = new Map();
  for (const seed of SEEDS.slice(0, qualitySeeds)) {
    ctx.log(`detect-quality: seed ${seed}, ${fmt(qualityEvents)} events...`);
    const r = await runTask('detect-quality.mjs', [String(seed), String(qualityEvents)]);
    labelled += r.labelled;
    found += r.found;
    grouped += r.groupedRight;
    benign += r.benign;
    falseAboveLow += r.falseAboveLow;
    for (const rule of r.falseRules) rules.set(rule, (rules.get(rule) ?? 0) + 1);
    ctx.results.note(
      'detect-quality',
      `Seed ${seed}: ${r.found} of ${r.labelled} labelled attacks found${r.missed.length ? ` (missed: ${r.missed.join(', ')})` : ''}, ` +
        `${r.falseAboveLow} false finding(s) above low in ${fmt(r.benign)} benign events.`,
    );
  }
  ctx.results.limit('detectQuality.missed', labelled - found);
  ctx.results.limit('detectQuality.misgrouped', labelled - grouped);
  ctx.results.limit('detectQuality.falsePer100k', (falseAboveLow / benign) * 100_000);
  const byRule = [...rules].sort((a, b) => b[1] - a[1]).map(([r, n]) => `${r} ${n}`);
  ctx.results.note(
    'detect-quality',
    `In all: recall ${fmt((found / labelled) * 100, 1)}% (${found}/${labelled}); ${falseAboveLow} false finding(s) above low in ` +
      `${fmt(benign)} benign events, ${fmt((falseAboveLow / benign) * 10_000, 2)} per 10,000${byRule.length ? ` (${byRule.join(', ')})` : ''}.`,
  );
}

export async function detectSpeed(ctx) {
  const big = await bigArchive(ctx);
  ctx.log('detect: all rules over the archive, then 1,000 new events from the kept state...');
  // The unit of a measurement that takes a minute: bare starts just before it and just after.
  const before = await bareStarts(UNIT_RUNS);
  const r = await runTask('detect-archive.mjs', [big, '1000']);
  const unit = median([...before, ...(await bareStarts(UNIT_RUNS))]);
  const rate = r.events / (r.fullMs / 1000);
  ctx.results.record('detect.all', {
    measured: `${secs(r.fullMs)}, ${fmt(rate)} events/s`,
    baseline: `unit ${ms(unit)}; reading alone ${secs(r.readMs)}`,
    ratio: r.fullMs / unit,
  });
  ctx.results.record('detect.incremental', {
    measured: ms(r.incremental.ms),
    baseline: `unit ${ms(unit)}`,
    ratio: r.incremental.ms / unit,
  });
  ctx.results.note(
    'detect',
    `${fmt(r.events)} events of the emulator's benign background with its labelled scenarios (bench/tasks/build-archive.mjs), ` +
      `${fmt(r.findings)} findings (${Object.entries(r.byRule).sort((a, b) => b[1] - a[1]).map(([rule, n]) => `${rule} ${fmt(n)}`).join(', ')}); ` +
      `reading alone ${fmt(r.read / (r.readMs / 1000))} events/s. The engine's share of the full pass is ${fmt((1 - r.readMs / r.fullMs) * 100, 0)}% ` +
      `(reading the same rows alone took ${secs(r.readMs)}). Incremental: ${fmt(r.incremental.events)} events, ` +
      `${fmt(r.incremental.changed)} findings created or updated, state ${fmt(r.incremental.stateBytes / 1024)} KiB as JSON.`,
  );
}
