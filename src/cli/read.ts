/**
 * Running a history read from a command: progress on a TTY, warnings for invalid events, and
 * the exit code that tells a script whether the answer is whole.
 */
import type { DocSpaceClient } from '../client/client.js';
import type { EventFilter } from '../history/filter.js';
import { type HistorySummary, loginHistory } from '../history/history.js';
import type { ReadEvent } from '../history/reader.js';
import { oldestEventTime } from '../history/oldest.js';
import { createProgress, type Progress } from '../output/progress.js';
import { EXIT } from './exit.js';
import type { Reporter } from './io.js';

export interface CommandRead {
  events: AsyncIterable<ReadEvent>;
  finish(): { summary: HistorySummary; exitCode: number };
}

export interface StartReadOptions {
  latestOnly?: boolean;
  limit?: number;
  /** Keep the object the portal served with each event (for ECS `event.original`). */
  raw?: boolean;
  /** Where progress goes (tests); by default a bar on stderr when it is a terminal. */
  progress?: Progress;
}

export function startRead(
  client: DocSpaceClient,
  filter: EventFilter,
  reporter: Reporter,
  opts: StartReadOptions = {},
): CommandRead {
  const now = Date.now();
  const showing = opts.progress !== undefined || (reporter.interactive && !opts.latestOnly);
  const progress = opts.progress ?? createProgress({ stream: process.stderr, enabled: showing, label: 'Reading login history' });
  // The bar measures the period walked, from now back to where the read will stop: --since, the
  // retention limit, or the oldest event the portal still holds, whichever is newest. The last is
  // probed (a few one-event requests) only when --since reaches past the retention limit.
  const probe = new AbortController();
  let oldestHeld: number | undefined;
  let probing = false;
  let total: number | undefined;
  let scanned = 0;
  const floor = (): number | undefined => {
    const days = history.summary().capabilities?.lifetimeDays;
    const retention = days !== undefined ? now - days * 86_400_000 : undefined;
    if (showing && !probing && retention !== undefined && (filter.since === undefined || filter.since < retention)) {
      probing = true;
      oldestEventTime(client, probe.signal).then(
        (t) => (oldestHeld = t),
        () => undefined,
      );
    }
    const bounds = [filter.since, retention, oldestHeld].filter((t): t is number => t !== undefined);
    return bounds.length ? Math.max(...bounds) : undefined;
  };
  const history = loginHistory(client, filter, {
    latestOnly: opts.latestOnly,
    limit: opts.limit,
    raw: opts.raw,
    onInvalid: (inv) => {
      reporter.warn(`skipped a malformed event: ${inv.reason}`);
      reporter.debug(`raw: ${JSON.stringify(inv.raw)}`);
    },
    onUnproven: (u) => reporter.warn(`${u.reason} (around ${new Date(u.time).toISOString()})`),
    onProgress: (p) => {
      if (p.oldest === undefined) return;
      scanned = p.scanned;
      const from = floor();
      const top = p.newest ?? now;
      if (from !== undefined && top > from) {
        total = top - from;
        progress.update(Math.min(total, top - p.oldest), total, { events: p.scanned });
      } else {
        total = undefined;
        progress.update(p.scanned, undefined, { events: p.scanned });
      }
    },
  });
  async function* events() {
    try {
      for await (const e of history.events) yield e;
      // The read is done: the bar says so, whatever the estimate of where it would stop.
      if (total !== undefined) progress.update(total, total, { events: scanned });
    } finally {
      probe.abort();
      progress.stop();
    }
  }
  return {
    events: events(),
    finish() {
      const summary = history.summary();
      let exitCode: number = EXIT.ok;
      if (!summary.complete && summary.incompleteReason) {
        reporter.warn(`incomplete: ${summary.incompleteReason}`);
        exitCode = EXIT.incomplete;
      }
      if (summary.invalid > 0) {
        reporter.warn(
          `${summary.invalid} event(s) failed validation and were left out (see the warnings above; --debug shows them raw)`,
        );
        if (exitCode === EXIT.ok) exitCode = EXIT.notDocSpace;
      }
      return { summary, exitCode };
    },
  };
}
