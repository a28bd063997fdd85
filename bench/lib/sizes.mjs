// How big each benchmark is: the full run the targets are stated for, and --quick, which only
// proves every code path still runs end to end (its figures say nothing about the targets).

export const SIZES = Object.freeze({
  full: {
    name: 'full',
    /** Runs of `node -e 0` and of `--version`, interleaved. */
    startRuns: 21,
    /** Runs of each archive command after one warm-up run (the file cache). */
    repeats: 3,
    readEvents: 100_000,
    readLatencyMs: 20,
    readConcurrency: 8,
    limitedEvents: 100_000,
    limitPerMinute: 600,
    ndjsonEvents: [100_000, 1_000_000],
    syncEvents: 1_000_000,
    syncUsers: 1_000,
    archiveEvents: 5_000_000,
    exportEvents: 1_000_000,
    watchEvents: 20_000,
    watchEverySeconds: 5,
    watchRuns: 5,
    qualitySeeds: 6,
    qualityEvents: 100_000,
  },
  quick: {
    name: 'quick',
    startRuns: 7,
    repeats: 1,
    readEvents: 10_000,
    readLatencyMs: 20,
    readConcurrency: 8,
    limitedEvents: 10_000,
    limitPerMinute: 6_000,
    ndjsonEvents: [10_000, 100_000],
    syncEvents: 100_000,
    syncUsers: 1_000,
    archiveEvents: 200_000,
    exportEvents: 100_000,
    watchEvents: 2_000,
    watchEverySeconds: 5,
    watchRuns: 1,
    qualitySeeds: 3,
    qualityEvents: 10_000,
  },
});
