// Every row BENCHMARKS.md can hold, its target and the method behind it: the one place a target
// is set. Sections only record what they measured against a row's id.
import { fmt, short } from './format.mjs';

/**
 * The 40,000 events/s claim of the issue "One truth", made on the machine where a bare `node -e 0`
 * took 56 ms (issue "Structure" names both figures). An absolute rate passes or fails with the
 * machine, so it is held in the unit every latency is stated in: 40,000 events/s × 0.056 s =
 * 2,240 events per unit. A run whose unit is 120 ms must sync 2,240 / 0.120 = 18,667 events/s.
 */
export const PEOPLE_SYNC_CLAIM = Object.freeze({ eventsPerSecond: 40_000, referenceUnitMs: 56 });

const ratio = (op, value, unit) => ({ op, value, unit });

/** Sections in the order they run; `rows` are judged on a ratio, `limits` on an absolute count. */
export const CATALOGUE = [
  {
    id: 'cold',
    title: 'Cold start, and the unit of every latency budget',
    method: (s) => [
      `${s.startRuns} runs of a bare \`node -e 0\` interleaved with ${s.startRuns} runs of \`dist/bin/main.js --version\`,`,
      'each a fresh process. The median of the bare runs is the **unit**: every latency budget below is a multiple of it,',
      'so a machine that starts Node twice as slowly is allowed twice the milliseconds. Each later latency row measures its',
      'own unit in the same minutes, as this row does (a bare start before each of its samples; bare starts before the',
      'browser starts for the dashboard, before and after a detection pass): the host\'s load drifts over a run (two runs',
      'of one afternoon measured 107 and 169 ms here). The first sync\'s events/s claim is judged in this row\'s unit.',
    ],
    rows: [{ id: 'cold.start', what: () => 'Cold start of `--version`', target: ratio('≤', 1.3, 'units') }],
  },
  {
    id: 'read',
    title: 'Reading a full history: parallel reader vs one page at a time',
    method: (s) => [
      `Emulator in its own process: ${fmt(s.readEvents)} events, ${s.readLatencyMs} ms added to every response. Baseline: the`,
      'loop the seed example would grow into (`startIndex += 100`, one request at a time). Measured: `readHistory()` at',
      `the default concurrency of ${s.readConcurrency}, with overlapping windows and boundary proofs, the median of three reads`,
      `(the baseline is read once: it takes ten times as long). The ratio is the speed-up as a share of the ideal ${s.readConcurrency}×.`,
    ],
    rows: [
      {
        id: 'read.parallel',
        what: (s) => `Full read of ${short(s.readEvents)} events, ${s.readLatencyMs} ms latency: speed-up over one page at a time`,
        target: ratio('≥', 0.85, 'share'),
      },
    ],
  },
  {
    id: 'limited',
    title: 'Reading a full history under the portal\'s rate limit',
    method: (s) => [
      `Emulator in its own process with ${fmt(s.limitedEvents)} events and the per-minute limit at ${fmt(s.limitPerMinute)}`,
      '(`--rate-limit-headers limit`, i.e. `startEmulator({rateLimit: {perMinute, headers: \'limit\'}})`): a refused',
      'request gets the real server\'s bare 429 with only `X-RateLimit-Limit` and `X-RateLimit-Remaining`. `readHistory()`',
      'reads everything; the client counts its requests (`client.stats`), the emulator counts answers by status',
      '(`/__emulator/stats`). The rate is admitted requests per minute over the whole read, against the limit.',
    ],
    rows: [
      {
        id: 'limited.rate',
        what: (s) => `Full read of ${short(s.limitedEvents)} events at ${fmt(s.limitPerMinute)}/min: requests admitted per minute`,
        target: ratio('≥', 0.9, 'share'),
      },
      {
        id: 'limited.429',
        what: (s) => `Full read of ${short(s.limitedEvents)} events at ${fmt(s.limitPerMinute)}/min: requests answered 429`,
        target: ratio('≤', 0.02, 'share'),
      },
    ],
  },
  {
    id: 'ndjson',
    title: 'Streaming a live history to NDJSON',
    method: (s) => [
      '`docspace-logins events --format ndjson` as a separate process (stdout discarded), the emulator in another, no added',
      `latency; ${s.ndjsonEvents.map(short).join(' and ')} events. Peak RSS is the process's own \`maxRSS\` at exit: memory`,
      'must not grow with the length of the history.',
    ],
    rows: [
      {
        id: 'ndjson.rss',
        what: (s) => `Peak RSS streaming ${short(s.ndjsonEvents[1])} events to NDJSON, against ${short(s.ndjsonEvents[0])}`,
        target: ratio('≤', 1.3, 'times'),
      },
    ],
    limits: [{ id: 'ndjson.rssMb', what: (s) => `Peak RSS streaming ${short(s.ndjsonEvents[1])} events to NDJSON`, limit: 150, unit: 'MB' }],
  },
  {
    id: 'sync',
    title: 'Archive: first sync and incremental sync',
    method: (s) => [
      `\`docspace-logins sync\` as a separate process against an emulator with ${fmt(s.syncEvents)} events and`,
      `${fmt(s.syncUsers)} members, no added latency; the rate is end to end (HTTP, validation, inserts, the people`,
      'directory, commit). Baseline: the same events (same seed, same generator) inserted into the same schema, with the',
      'store\'s pragmas, by a minimal better-sqlite3 loop (one prepared INSERT, 5,000 rows a transaction, rows built',
      'outside the clock): the ceiling the store could reach, run just before and just after the first sync into SQLite',
      'and taken as the mean of the two, so the share is of rates measured in the same minutes. The rollups\' share: the',
      'same events through the store\'s `insertEvents` in 5,000-event transactions, and each batch\'s rollup work alone',
      '(aggregate, upsert) into a second archive, the two timed batch by batch in turn. PostgreSQL is held to half of SQLite\'s share, as its',
      'earlier absolute target was half of SQLite\'s. Then `sync` with nothing new, several times: the median wall time of the whole',
      'command in units, requests counted by the emulator; on PostgreSQL after `VACUUM (ANALYZE)` and `CHECKPOINT` of the',
      'fresh database, as a scheduled sync an hour after the load finds the server (started at once they ran beside',
      'autovacuum\'s VACUUM of the new events and the load\'s checkpoint). The 40,000 events/s claim was made where the unit was 56 ms,',
      'so it is judged as events per unit: 40,000 × 0.056 = 2,240 events in the time of one bare `node -e 0`.',
    ],
    rows: [
      {
        id: 'sync.sqlite.first',
        what: (s) => `First sync, ${short(s.syncEvents)} events with the people directory → SQLite`,
        target: ratio('≥', 0.5, 'share'),
      },
      {
        id: 'sync.sqlite.claim',
        what: () =>
          `… the same run against the claim of ≥ ${fmt(PEOPLE_SYNC_CLAIM.eventsPerSecond)} events/s (issue "One truth")`,
        target: ratio('≥', 1, 'share'),
        unit: 'share',
      },
      {
        id: 'sync.sqlite.rollups',
        what: (s) => `Rollups' share of the store's insert path, ${short(s.syncEvents)} events in 5,000-event transactions`,
        target: ratio('≤', 0.4, 'share'),
      },
      { id: 'sync.sqlite.again', what: () => 'Incremental sync with nothing new → SQLite', target: ratio('≤', 3, 'units') },
      {
        id: 'sync.pg.first',
        what: (s) => `First sync, ${short(s.syncEvents)} events with the people directory → PostgreSQL`,
        target: ratio('≥', 0.25, 'share'),
      },
      { id: 'sync.pg.again', what: () => 'Incremental sync with nothing new → PostgreSQL', target: ratio('≤', 3, 'units') },
    ],
    limits: [
      { id: 'sync.sqlite.requests', what: () => 'Requests of a sync with nothing new (SQLite)', limit: 2, unit: 'requests' },
      { id: 'sync.sqlite.rssMb', what: (s) => `Peak RSS of the first sync of ${short(s.syncEvents)} (SQLite)`, limit: 200, unit: 'MB' },
      { id: 'sync.pg.requests', what: () => 'Requests of a sync with nothing new (PostgreSQL)', limit: 2, unit: 'requests' },
      { id: 'sync.pg.rssMb', what: (s) => `Peak RSS of the first sync of ${short(s.syncEvents)} (PostgreSQL)`, limit: 200, unit: 'MB' },
    ],
  },
  {
    id: 'archive',
    title: 'Reading a large archive',
    method: (s) => [
      `Fixture: ${fmt(s.archiveEvents)} generated events over 180 days written straight into SQLite, then each command as a`,
      'separate process after one unmeasured run to warm the file cache; the median wall time (Node start-up and opening',
      'the database included) in units. `events --since 7d` writes to a file, as `> file` would. The budget of',
      '`events --since 7d` is the earlier 1 s in the units of the run that set it (node -e 0 took 56 ms there). The',
      'dashboard issue\'s "whole-history reports ≤ 1 s" is 18 such units; every report is held to the stricter 8.',
    ],
    rows: [
      { id: 'archive.since7d', what: (s) => `\`events --archive --since 7d\` over ${short(s.archiveEvents)} events`, target: ratio('≤', 18, 'units') },
      ...['summary', 'users', 'daily'].map((name) => ({
        id: `archive.report.${name}`,
        what: (s) => `\`report ${name}\` over ${short(s.archiveEvents)} events (last 30 days)`,
        target: ratio('≤', 8, 'units'),
      })),
      ...['summary', 'users', 'daily'].map((name) => ({
        id: `archive.all.${name}`,
        what: (s) => `\`report ${name} --since all\` over ${short(s.archiveEvents)} events (the whole history, from rollups)`,
        target: ratio('≤', 8, 'units'),
      })),
      {
        id: 'archive.threads',
        what: () => '`exportArchive()` of the same 7 days on two threads, against one',
        target: undefined,
        unit: 'times',
      },
    ],
  },
  {
    id: 'dashboard',
    title: 'The dashboard over the large archive',
    method: (s) => [
      `\`docspace-logins serve\` over the archive fixture above (${fmt(s.archiveEvents)} events, with the people directory`,
      'and the rollups a sync leaves) in a process of its own. Debian\'s Chromium (playwright-core) opens each page in a',
      'fresh context, once unmeasured, then the median of at least three loads. The figure is the page\'s first contentful',
      'paint (`performance` entry `first-contentful-paint`: from navigation start, so the server\'s whole answer is in it): the',
      'Overview at its default period, what an admin sees first (no query string: "Last 30 days", the 29 whole UTC days',
      'before today and today so far, from the rollups), the Overview over the whole history (`period=all`, from the',
      'rollups), the Events page filtered to the member with most',
      'events (keyset paging on the user index), and that member\'s User page, both over the whole history. The budget',
      'is the issue\'s 1 s in the units of the run that set the archive budgets (node -e 0 took 56 ms there): 18 units.',
      'The unit, not a static page\'s paint in the same browser, is the baseline: a static page\'s paint is mostly',
      'Chromium\'s own start of a renderer, which says nothing of the server, and the unit is what every other latency',
      'budget here is stated in, so a loaded machine is allowed its slowness alike.',
    ],
    rows: [
      { id: 'dashboard.overview.default', what: (s) => `Overview, default period (last 30 days) of ${short(s.archiveEvents)} events: first contentful paint`, target: ratio('≤', 18, 'units') },
      { id: 'dashboard.overview', what: (s) => `Overview, whole history of ${short(s.archiveEvents)} events: first contentful paint`, target: ratio('≤', 18, 'units') },
      { id: 'dashboard.events', what: (s) => `Events page filtered to one user, ${short(s.archiveEvents)} events: first contentful paint`, target: ratio('≤', 18, 'units') },
      { id: 'dashboard.user', what: (s) => `User page (whole history), ${short(s.archiveEvents)} events: first contentful paint`, target: ratio('≤', 18, 'units') },
    ],
  },
  {
    id: 'export',
    title: 'Exporting archived events to CSV and XLSX',
    method: (s) => [
      `\`events --archive --limit ${s.exportEvents} --output FILE\` over the archive above, as a separate process. Baselines`,
      'write the same columns of the same rows (newest first) to a file: Debian\'s `sqlite3 -csv` for CSV (the local',
      'date computed in SQL), exceljs\'s streaming `WorkbookWriter` for XLSX (rows read with better-sqlite3). The ratio is',
      'how many times faster ours is than the baseline.',
    ],
    rows: [
      { id: 'export.csv', what: (s) => `Export ${short(s.exportEvents)} archived events to CSV`, target: ratio('≥', 1, 'times') },
      { id: 'export.xlsx', what: (s) => `Export ${short(s.exportEvents)} archived events to XLSX`, target: ratio('≥', 3, 'times') },
    ],
    limits: [
      { id: 'export.csv.rssMb', what: (s) => `Peak RSS exporting ${short(s.exportEvents)} to CSV`, limit: 300, unit: 'MB' },
      { id: 'export.xlsx.rssMb', what: (s) => `Peak RSS exporting ${short(s.exportEvents)} to XLSX`, limit: 300, unit: 'MB' },
    ],
  },
  {
    id: 'watch',
    title: 'Watch: alert latency, and a cycle with nothing new',
    method: (s) => [
      `\`docspace-logins watch --every ${s.watchEverySeconds}s\` as a separate process against an emulator in another (${fmt(s.watchEvents)}`,
      'events), a webhook receiver in the benchmark process. After the first cycle, twelve wrong passwords for one member go',
      'through the emulator\'s login endpoint; latency runs from the answer to the last of them to the receiver getting the',
      `signed alert that names that member, ${s.watchRuns} time(s), each against another member; the worst counts. The target`,
      'is the poll interval plus 2 s (ratio ≤ 1). Then `watch --once` with nothing new: wall time of the whole command in',
      'units (start-up, rules, sync, detection, delivery pass), requests counted by the emulator.',
    ],
    rows: [
      {
        id: 'watch.latency',
        what: (s) => `Alert latency, last attack event → receiver, \`--every ${s.watchEverySeconds}s\`, against the interval + 2 s`,
        target: ratio('≤', 1, 'times'),
      },
      { id: 'watch.idle', what: () => 'One `watch --once` cycle with nothing new', target: ratio('≤', 4, 'units') },
    ],
    limits: [{ id: 'watch.requests', what: () => 'Requests of a watch cycle with nothing new', limit: 2, unit: 'requests' }],
  },
  {
    id: 'detect-quality',
    title: 'Detections: precision and recall against labelled attacks',
    method: (s) => [
      `${s.qualitySeeds} seeds (the demo seed first) of ${fmt(s.qualityEvents)} generated events over 180 days with the labelled`,
      'scenarios on (`scenarios: true`): spray, stuffing, distributed brute force, success after attack, impossible travel,',
      'second-factor failures, a dormant account, a disabled account tried and signing in, a password typed as the login,',
      'and benign look-alikes (a typo, an office behind one address, a traveller). Every built-in rule runs over the history',
      'with the people directory; `scoreFindings()` (src/detect/quality.ts) matches findings to the ground truth of',
      '`/__emulator/scenarios` by event ids. A labelled attack counts as found when a finding of its rule holds one of its',
      'events; a finding above low that holds no labelled attack\'s event (and follows none) is false. Machine-independent,',
      'so judged on absolute limits: the issue\'s targets are recall 100% and at most one false finding per 10,000 benign events.',
    ],
    rows: [],
    limits: [
      { id: 'detectQuality.missed', what: () => 'Labelled attacks not found by their rule', limit: 0, unit: 'attacks' },
      { id: 'detectQuality.misgrouped', what: () => 'Labelled attacks found under another group key', limit: 0, unit: 'attacks' },
      { id: 'detectQuality.falsePer100k', what: () => 'False findings above low per 100,000 benign events', limit: 10, unit: 'findings' },
    ],
  },
  {
    id: 'detect',
    title: 'Detections over the large archive: everything, then incremental',
    method: (s) => [
      `The archive fixture above (${fmt(s.archiveEvents)} events), read oldest first along its (portal, time, id) index and`,
      'fed to every built-in rule with the people directory (`bench/tasks/detect-archive.mjs`, the library\'s `Detector`, as',
      '`detect --since all` drives it; storing findings is not counted). All but the newest 1,000 events are detected in one',
      'pass and the engine state kept as JSON; then, timed apart, the state is parsed and imported, the 1,000 newest events',
      'are read from the archive and detected, and the new state is written: one incremental run. Budgets: 10 s for the full',
      'pass and 200 ms for the incremental run, in the units of the run that set the archive budget (node -e 0 took 56 ms',
      'there): 179 and 3.6 units. The events/s figure is the full pass\'s; reading the same rows alone is shown beside it.',
    ],
    rows: [
      { id: 'detect.all', what: (s) => `All rules over ${short(s.archiveEvents)} archived events (\`detect --since all\`)`, target: ratio('≤', 179, 'units') },
      { id: 'detect.incremental', what: (s) => `Incremental detection of 1,000 new events on ${short(s.archiveEvents)}`, target: ratio('≤', 3.6, 'units') },
    ],
  },
];
