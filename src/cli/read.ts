/**
 * Running a history read from a command: progress on a TTY, warnings for invalid events, and
 * the exit code that tells a script whether the answer is whole.
 */
import type { DocSpaceClient } from '../client/client.js';
import type { EventFilter } from '../history/filter.js';
import { type HistorySummary, loginHistory } from '../history/history.js';
import type { ReadEvent } from '../history/reader.js';
import { createProgress } from '../output/progress.js';
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
}

export function startRead(
  client: DocSpaceClient,
  filter: EventFilter,
  reporter: Reporter,
  opts: StartReadOptions = {},
): CommandRead {
  const now = Date.now();
  const progress = createProgress({
    stream: process.stderr,
    enabled: reporter.interactive && !opts.latestOnly,
    label: 'Reading login history',
  });
  let lifetimeSince: number | undefined;
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
      // Progress as the share of the period walked: from now back to --since (or the retention limit).
      const floor = filter.since ?? lifetimeSince;
      const top = p.newest ?? now;
      if (floor !== undefined && top > floor) {
        const total = top - floor;
        progress.update(Math.min(total, top - p.oldest), total, { events: p.scanned });
      } else {
        progress.update(p.scanned, undefined, { events: p.scanned });
      }
    },
  });
  async function* events() {
    try {
      for await (const e of history.events) {
        if (lifetimeSince === undefined) {
          const caps = history.summary().capabilities;
          if (caps) lifetimeSince = now - caps.lifetimeDays * 86_400_000;
        }
        yield e;
      }
    } finally {
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
