/**
 * The history filters every reading command shares, validated before any request is made.
 */
import type { DocSpaceClient } from '../client/client.js';
import { UsageError } from '../errors/index.js';
import type { EventFilter } from '../history/filter.js';
import { livePeople } from '../history/people-live.js';
import { filterForPeople, resolveUsers } from '../history/resolve-users.js';
import { ACTIONS, type ActionKind, isActionKind } from '../model/actions.js';
import { isGuid } from '../model/ids.js';
import { parseDuration, parseTimeInput } from '../model/time.js';
import { parseWholeNumber } from './context.js';

export interface HistoryFlags {
  since?: string;
  until?: string;
  user?: string[];
  kind?: string[];
  action?: string[];
  limit?: string;
}

export interface ParsedHistoryFlags {
  filter: EventFilter;
  limit?: number;
  /** What the user typed for --user, to resolve against the people API. */
  users: string[];
}

export function parseTime(value: string, flag: string, now: number): number {
  const t = parseTimeInput(value, now);
  if (t === undefined) {
    throw new UsageError(
      `${flag} "${value}" is not a date: use an ISO date or date-time (2025-06-01, 2025-06-01T14:00:00Z) or a relative time (30d, 12h, 15m)`,
    );
  }
  return t;
}

/** A `--since` that also takes "all" (undefined: no lower bound), for commands without the history filter. */
export function parseSince(value: string | undefined, now: number): number | undefined {
  return value === undefined || value.trim().toLowerCase() === 'all' ? undefined : parseTime(value, '--since', now);
}

/**
 * The one reading of a period (`--since`, `--until`) every command and the dashboard share. A
 * duration `--since` (`30d`) counts back from a fixed `--until` (an ISO date): "the 30 days up to
 * 30 June". With a relative `--until` or none, both count back from now, so `--since 14d --until 7d`
 * is the week before last. Without `--since`, `defaultSpan` (when given) ends at `--until` or now.
 * `--since all` (or no `--since` and no default) leaves the start open.
 */
export function resolvePeriod(
  flags: { since?: string; until?: string },
  now: number,
  defaultSpan?: number,
): { since?: number; until?: number } {
  const until = flags.until === undefined ? undefined : parseTime(flags.until, '--until', now);
  const fixedEnd = until !== undefined && parseDuration(flags.until!) === undefined && flags.until!.trim().toLowerCase() !== 'now';
  const sinceText = flags.since?.trim();
  let since: number | undefined;
  if (sinceText === undefined) {
    if (defaultSpan !== undefined) since = (until ?? now) - defaultSpan;
  } else if (sinceText.toLowerCase() !== 'all') {
    const span = parseDuration(sinceText);
    since = span !== undefined && fixedEnd ? until - span : parseTime(sinceText, '--since', now);
  }
  if (since !== undefined && until !== undefined && since > until) {
    throw new UsageError('--since is after --until: swap them');
  }
  if (since !== undefined && since > now) throw new UsageError('--since is in the future');
  return { since, until };
}

export function parseHistoryFlags(flags: HistoryFlags, now = Date.now(), defaultSpan?: number): ParsedHistoryFlags {
  const filter: EventFilter = {};
  const period = resolvePeriod(flags, now, defaultSpan);
  if (period.since !== undefined) filter.since = period.since;
  if (period.until !== undefined) filter.until = period.until;
  const kinds = splitList(flags.kind);
  for (const k of kinds) {
    if (!isActionKind(k) || k === 'other') {
      throw new UsageError(`--kind "${k}" is not one of: success, failure, logout`);
    }
  }
  if (kinds.length) filter.kinds = kinds as ActionKind[];
  const actions = splitList(flags.action).map((a) => {
    const code = Number(a);
    if (!Number.isInteger(code) || !ACTIONS.has(code)) {
      throw new UsageError(`--action "${a}" is not a login action code (1000-1029, e.g. 1010 or 1013)`);
    }
    return code;
  });
  if (actions.length) filter.actionIds = actions;
  const limit = parseWholeNumber(flags.limit, '--limit', 1, Number.MAX_SAFE_INTEGER);
  const users = splitList(flags.user);
  for (const u of users) {
    if (/^[0-9a-f]{8}-[0-9a-f]{4}-/i.test(u) && !isGuid(u)) {
      throw new UsageError(`--user "${u}" looks like a user id but is not a valid GUID`);
    }
  }
  return { filter, limit, users };
}

function splitList(values: string[] | undefined): string[] {
  return (values ?? [])
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
}

/**
 * Narrow `filter` to the members named by `--user`, resolved on the portal by the one resolver
 * (`history/resolve-users.ts`): their own events and the anonymous failures typed with their
 * e-mail or user name.
 */
export async function resolveUserFilter(client: DocSpaceClient, inputs: string[], filter: EventFilter) {
  if (!inputs.length) return;
  const people = await resolveUsers(inputs, livePeople(client));
  Object.assign(filter, filterForPeople(filter, people));
}
