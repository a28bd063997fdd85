import { UsageError } from '../../errors/index.js';
import { loadConfig } from '../../config/profiles.js';
import { parseDuration } from '../../model/time.js';
import { createMultiProgress, createProgress, type Progress } from '../../output/progress.js';
import type { ArchiveStore } from '../../store/index.js';
import { SyncHead, type SyncResult, type SyncStage, syncPortal } from '../../sync/index.js';
import { DEMO_PORTAL_KEY, openArchive } from '../archive.js';
import { type ConnectionFlags, type ConnectionOptions, connect, parseConnectionFlags } from '../context.js';
import { EXIT, exitCodeFor } from '../exit.js';
import type { CliIo, Reporter } from '../io.js';
import { holdYoungGeneration } from '../young-generation.js';

export type SyncFlags = ConnectionFlags & {
  db?: string;
  all?: boolean;
  every?: string;
  overlap?: string;
  wait?: boolean;
  json?: boolean;
};


/** What `sync` was asked for, parsed from its flags before any work is done. */
export interface SyncOptions {
  connection: ConnectionOptions;
  db?: string;
  /** `--all`: every profile of the config file, each a target. */
  all: boolean;
  /** The profiles to sync (one undefined: the portal the connection flags name). */
  targets: Array<string | undefined>;
  /** `--overlap`; undefined: sync's default (15 minutes, at most one window of the list). */
  overlapMs?: number;
  /** `--every`: sync again after this long, until stopped. */
  everyMs?: number;
  wait: boolean;
  json: boolean;
}

function parseSyncFlags(flags: SyncFlags, io: CliIo): SyncOptions {
  const overlapMs = flags.overlap !== undefined ? parseDuration(flags.overlap) : undefined;
  if (flags.overlap !== undefined && overlapMs === undefined)
    throw new UsageError(`--overlap "${flags.overlap}" is not a duration (e.g. 15m, 1h)`);
  const everyMs = flags.every !== undefined ? parseDuration(flags.every) : undefined;
  if (flags.every !== undefined && (everyMs === undefined || everyMs < 10_000)) {
    throw new UsageError(`--every "${flags.every}" must be a duration of at least 10s (e.g. 5m, 1h)`);
  }
  const all = Boolean(flags.all);
  const targets = all ? Object.keys(loadConfig(io.env).profiles) : [flags.profile];
  if (all && targets.length === 0) {
    throw new UsageError('sync --all needs profiles: add one with docspace-logins profiles add');
  }
  return {
    connection: parseConnectionFlags(flags),
    db: flags.db,
    all,
    targets,
    overlapMs,
    everyMs,
    wait: Boolean(flags.wait),
    json: Boolean(flags.json),
  };
}

/**
 * `docspace-logins sync`: bring the archive up to date with one portal (or every profile with
 * `--all`), once or every interval. SIGINT/SIGTERM let the current transaction finish; a run
 * cut short exits 130 (143 for SIGTERM), as a script must not take it for a complete sync,
 * while `--every` stopped between runs exits 0: stopping is how a loop ends.
 */
export async function syncCommand(flags: SyncFlags, io: CliIo, reporter: Reporter): Promise<number> {
  const opts = parseSyncFlags(flags, io);
  const { targets, everyMs } = opts;
  const demo = opts.connection.demo;
  if (demo && !opts.db) {
    reporter.note('The demo portal is synced into a temporary archive, removed at exit: add --db PATH to keep it.');
  }
  // The archive opens (and the lock's session with its first one) while each portal's first
  // requests are answered (syncOne). An archive that cannot be opened is the command's error.
  const opening = openArchive({ db: opts.db, demo }, io.env, { syncDemo: false, reporter, prepareLock: true });
  opening.catch(() => undefined);
  const stop = new AbortController();
  let stoppedBy: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    stoppedBy ??= signal;
    reporter.note('Stopping: finishing the current transaction...');
    stop.abort();
  };
  const stopped = () => (stoppedBy === 'SIGTERM' ? EXIT.terminated : EXIT.interrupted);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    for (;;) {
      // `--all` on a terminal: one progress line per portal, all moving at once.
      const lines = createMultiProgress({ stream: io.stderr, enabled: opts.all && reporter.interactive });
      const results = await Promise.allSettled(
        targets.map((profile) =>
          syncOne({ ...opts, connection: { ...opts.connection, profile } }, opening, io, reporter, stop.signal, opts.all ? lines.line(profile ?? '') : undefined),
        ),
      ).finally(() => lines.stop());
      await opening;
      let worst: number = EXIT.ok;
      let synced = 0;
      let cut = false;
      results.forEach((r, i) => {
        if (r.status === 'rejected') {
          // A single portal's failure is reported once, as the command's error, below.
          if (opts.all || everyMs) reporter.warn(`${opts.all ? `${targets[i]}: ` : ''}${(r.reason as Error).message}`);
          worst = Math.max(worst, exitCodeFor(r.reason));
        } else {
          print(r.value, io, reporter, opts.json);
          if (r.value.interrupted) cut = true;
          else synced++;
          if (r.value.gap) worst = Math.max(worst, EXIT.incomplete);
        }
      });
      if (opts.all) {
        // The last line says whether the whole round worked; a failure shows even with --quiet.
        const line = `${synced} of ${targets.length} portals synced`;
        if (synced < targets.length) reporter.warn(line);
        else reporter.note(line);
      }
      if (!everyMs || stop.signal.aborted) {
        // A run the signal cut short (or that failed as it was being stopped) is not complete.
        if (stop.signal.aborted && (cut || results.some((r) => r.status === 'rejected'))) return stopped();
        // A single failure in a plain run is the run's exit code; a loop keeps going.
        if (!opts.all && results[0].status === 'rejected') throw results[0].reason;
        // `--every` stopped between runs: a clean end of the loop.
        return stop.signal.aborted && everyMs ? EXIT.ok : worst;
      }
      await sleep(everyMs, stop.signal);
      if (stop.signal.aborted) return EXIT.ok;
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await (await opening.catch(() => undefined))?.close();
  }
}

async function syncOne(
  opts: SyncOptions,
  opening: Promise<ArchiveStore>,
  io: CliIo,
  reporter: Reporter,
  signal: AbortSignal,
  line?: Progress,
): Promise<SyncResult> {
  let conn: Awaited<ReturnType<typeof connect>>;
  try {
    conn = await connect(opts.connection, reporter, io.env);
  } catch (err) {
    // The archive's error first, as when it was opened before the portal's settings were read.
    await opening;
    throw err;
  }
  // The portal's first requests, answered while the archive opens (sync/head.ts).
  const head = new SyncHead(conn.client);
  let store: ArchiveStore;
  try {
    store = await opening;
  } catch (err) {
    head.abandon();
    await conn.close();
    throw err;
  }
  const progress =
    line ??
    createProgress({
      stream: io.stderr,
      enabled: reporter.interactive && !opts.all,
      label: `Syncing ${conn.label}`,
    });
  // A small young generation while the history comes in (young-generation.ts): a look every
  // fourth window read.
  const young = holdYoungGeneration(4);
  try {
    return await syncPortal(conn.client, store, {
      head,
      overlapMs: opts.overlapMs,
      wait: opts.wait,
      signal,
      readThread: true,
      portalKey: opts.connection.demo ? DEMO_PORTAL_KEY : undefined,
      onWarning: (m) => reporter.warn(m),
      onProgress: (p) => {
        young.tick();
        if (p.oldest === undefined) return;
        const total = Math.max(1, p.now - p.floor);
        progress.update(Math.min(total, p.now - p.oldest), total, { events: p.scanned });
      },
      onStage: (stage) => progress.stage(STAGES[stage]),
    });
  } finally {
    young.release();
    progress.stop();
    await conn.close();
  }
}

/** Each stage of a sync as the progress line says it. */
const STAGES: Record<SyncStage, string> = { indexes: 'building indexes…' };

function print(r: SyncResult, io: CliIo, reporter: Reporter, json: boolean) {
  if (json) {
    io.stdout.write(`${JSON.stringify(r)}\n`);
    return;
  }
  const secs = (r.durationMs / 1000).toFixed(1);
  const state = r.interrupted ? 'interrupted (checkpoint not moved)' : r.gap ? 'done, with a gap' : 'done';
  reporter.note(
    `${r.portal}: ${state}: ${r.added} new of ${r.seen} read, ${r.quarantined} quarantined, ${r.requests} requests, ${secs} s${
      r.mode === 'last20' ? ' (no audit feature: 20 newest only)' : ''
    }`,
  );
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(t);
      resolve();
    });
  });
}
