/**
 * The main thread's young generation held at 4 MB semi-spaces while `events` streams a history
 * (live, or from the archive in segments) and while `sync` reads one.
 *
 * V8 grows the young generation for throughput: a semi-space doubles (up to 16 MB) each time as
 * much as it holds has survived scavenges since it last grew, and the old generation's limit is
 * raised by the young generation's size. A stream keeps pages alive while they wait their turn
 * (5-50 ms), so the largest size is reached within half a second: streaming 1M live events to
 * NDJSON peaked at 145-166 MB resident, against 112-119 MB held at 4 MB (the size the shebang
 * set until 5fc5b52, when 4052016 had 116-123 MB). The price is the collector's, as then:
 * scavenges took 3.0-3.2 s of such a stream instead of 1.1-1.9 s. A first sync of 1M events,
 * whose main thread keeps each batch alive until it is written, peaked at 182-204 MB (limit 200)
 * into SQLite or PostgreSQL, against 160-175 MB held. Exporting 1M archived events to CSV on two
 * threads peaked at 187-222 MB, against 145-156 MB held (at the same speed).
 *
 * The shebang cannot set --max-semi-space-size (main.ts: V8 then refuses Node's code cache), but
 * V8 reads --semi-space-growth-factor each time it grows the space. The hold lets it grow to 4 MB,
 * then sets the factor to 1 (no growth) until released, which sets V8's default (2) again: the
 * flag is part of the code cache's key, and a module loaded after the stream compiles as before.
 * V8 sets a factor below 2 back to 2 when an isolate starts (the sync's reading thread starts
 * after the hold), and another hold may end first (`sync --all`): each look sets it again.
 */

/** Both semi-spaces, as V8 counts the new space's size: two of 4 MB. */
const HELD_BYTES = 8 * 1024 * 1024;
/** V8's own `--semi-space-growth-factor`. */
const DEFAULT_GROWTH = 2;
/**
 * Events between looks at the new space's size: the space grows again only once 4 MB more have
 * survived scavenges, some 3,000 events of a stream, so it cannot grow twice between two looks.
 */
const LOOK_EVERY = 512;

export interface YoungGenerationHold {
  /** One event (or window) streamed: now and then, stop the growth once the space has its size. */
  tick(): void;
  /**
   * Let V8 size the young generation again (idempotent). It may grow one step at once: what
   * survived scavenges during the hold still counts.
   */
  release(): void;
}

/** node:v8, loaded at the first look: a short stream (`--limit 5`) never pays for it. */
const v8 = () => process.getBuiltinModule('node:v8');

function newSpaceBytes(): number {
  return v8().getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_size ?? 0;
}

/**
 * Hold the young generation at 4 MB semi-spaces, once grown to them (at its size, if larger
 * already), until `release`. `lookEvery`: ticks between looks (512 events; a tick per window of
 * 100 events looks every 4).
 */
export function holdYoungGeneration(lookEvery = LOOK_EVERY): YoungGenerationHold {
  let held = false;
  let released = false;
  let count = 0;
  const look = () => {
    if (released || (!held && newSpaceBytes() < HELD_BYTES)) return;
    v8().setFlagsFromString('--semi-space-growth-factor=1');
    held = true;
  };
  return {
    tick() {
      if (++count % lookEvery === 0) look();
    },
    release() {
      if (released) return;
      released = true;
      if (held) v8().setFlagsFromString(`--semi-space-growth-factor=${DEFAULT_GROWTH}`);
    },
  };
}
