/**
 * The library's front door for reading history: probes the portal, picks the only reading that
 * is correct for it, and reports honestly whether the result is complete.
 */
import type { DocSpaceClient } from '../client/client.js';
import type { EventFilter } from './filter.js';
import { type PortalCapabilities, probePortal } from './portal.js';
import { type ReadEvent, type ReadOptions, type ReadSummary, readHistory, readLatest } from './reader.js';

export interface HistorySummary extends Partial<ReadSummary> {
  /** `full`: the whole retained history was paged; `latest`: only the 20 newest events. */
  mode: 'full' | 'latest';
  capabilities?: PortalCapabilities;
  /** False when the portal could not give everything asked for (e.g. no `audit` feature). */
  complete: boolean;
  /** Why it is incomplete, in one sentence for a user. */
  incompleteReason?: string;
  invalid: number;
}

export interface LoginHistory {
  /** Each event, with the object the portal served when `raw: true` was asked for. */
  events: AsyncIterable<ReadEvent>;
  /** Available once `events` has been consumed to the end (`capabilities` as soon as the read starts). */
  summary(): HistorySummary;
}

/**
 * Read login history. `latestOnly` answers from `login/last` (the 20 newest events, one request),
 * otherwise the full history newest-first, stopping at `filter.since`. Without the `audit`
 * feature only the 20 newest are reachable: they are returned, and the summary says so.
 */
export function loginHistory(
  client: DocSpaceClient,
  filter: EventFilter = {},
  opts: ReadOptions & { latestOnly?: boolean } = {},
): LoginHistory {
  let result: HistorySummary = { mode: 'latest', complete: false, invalid: 0 };
  async function* run(): AsyncGenerator<ReadEvent> {
    let invalid = 0;
    const onInvalid: ReadOptions['onInvalid'] = (e) => {
      invalid++;
      opts.onInvalid?.(e);
    };
    const latest = async () => {
      const events = await readLatest(client, filter, { onInvalid, raw: opts.raw });
      return opts.limit !== undefined ? events.slice(0, opts.limit) : events;
    };
    if (opts.latestOnly) {
      const limited = await latest();
      yield* limited;
      result = { mode: 'latest', complete: true, invalid, matched: limited.length };
      return;
    }
    const capabilities = await probePortal(client);
    // Known from here on: a progress display measures against the retention while reading.
    result = { ...result, capabilities };
    if (!capabilities.audit) {
      const limited = await latest();
      yield* limited;
      result = {
        mode: 'latest',
        capabilities,
        complete: false,
        incompleteReason:
          "the portal's plan lacks the audit feature, so only the 20 newest login events are available",
        invalid,
        matched: limited.length,
      };
      return;
    }
    const reader = readHistory(client, filter, { ...opts, onInvalid });
    for (;;) {
      const step = await reader.next();
      if (step.done) {
        const s = step.value;
        result = {
          ...s,
          mode: 'full',
          capabilities,
          invalid,
          complete: s.complete,
          incompleteReason: s.unproven
            ? `${s.unproven} page boundaries could not be proven complete (events sharing one second)`
            : undefined,
        };
        return;
      }
      yield step.value;
    }
  }
  return { events: run(), summary: () => result };
}
