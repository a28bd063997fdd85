/**
 * Where the portal's history ends: the oldest event it still holds, found cheaply by probing
 * single-event windows of the unfiltered list (doubling, then halving), so a first sync's
 * progress can be measured against the history the portal really has rather than its retention.
 * About 2·log2(n) requests of one event each; new events shifting the list only make it a
 * little early, which is all a progress bar needs.
 */
import type { DocSpaceClient } from '../client/client.js';
import { parseApiDate } from '../model/time.js';

export async function oldestEventTime(client: DocSpaceClient, signal?: AbortSignal): Promise<number | undefined> {
  const at = async (index: number) => {
    if (signal?.aborted) return undefined;
    const page = await client.filterEvents({ startIndex: index, count: 1 });
    return page.items[0] ?? (page.invalid.length ? null : undefined);
  };
  if ((await at(0)) === undefined) return undefined;
  let lo = 0;
  let hi = 1024;
  while ((await at(hi)) !== undefined && hi < 2 ** 31) {
    lo = hi;
    hi *= 2;
  }
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if ((await at(mid)) !== undefined) lo = mid;
    else hi = mid;
  }
  const last = await at(lo);
  return last ? parseApiDate(last.date)?.time : undefined;
}
