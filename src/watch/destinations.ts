/**
 * Alert destinations of a watcher: those given on the command line go to every portal's
 * findings, a profile's own only to its portal's. Each URI is parsed and its sender built (its
 * secret loaded) before the first cycle, so a mistake stops the start, not an alert at 3 a.m.
 */
import { parseDestination, type ParseOptions } from '../alert/destination.js';
import { createSender, type Sender, type SenderContext } from '../alert/send/index.js';

export interface WatchDestinations {
  /** One sender per distinct destination. */
  senders: Sender[];
  /** Per portal (in the order given): the sender keys its alerts go to. */
  keys: string[][];
}

export function watchDestinations(
  common: readonly string[],
  perPortal: ReadonlyArray<readonly string[]>,
  parse: ParseOptions,
  ctx: SenderContext,
): WatchDestinations {
  const byKey = new Map<string, Sender>();
  const build = (uri: string): string => {
    const dest = parseDestination(uri, parse);
    if (!byKey.has(dest.key)) byKey.set(dest.key, createSender(dest, ctx));
    return dest.key;
  };
  const shared = common.map(build);
  const keys = perPortal.map((own) => [...new Set([...shared, ...own.map(build)])]);
  return { senders: [...byKey.values()], keys };
}
