/**
 * The Events page's filters, the same as the CLI's (`--since`, `--until`, `--user`, `--kind`,
 * `--action`) and parsed by the same code, plus address and country. `--user` goes through the
 * one resolver over the archived people directory.
 */
import { parseHistoryFlags } from '../../cli/history-flags.js';
import { filterForPeople, resolveUsers } from '../../history/resolve-users.js';
import type { ArchiveStore } from '../../store/index.js';
import { archivePeopleLookup } from '../../store/people-lookup.js';
import type { View } from '../view.js';
import type { Scope } from './scope.js';

export const FILTER_PARAMS = ['since', 'until', 'user', 'kind', 'action', 'ip', 'country'] as const;
export type FilterParams = Partial<Record<(typeof FILTER_PARAMS)[number], string>>;

export function filterParams(url: URL): FilterParams {
  const out: FilterParams = {};
  for (const k of FILTER_PARAMS) {
    const value = url.searchParams.get(k)?.trim();
    if (value) out[k] = value;
  }
  return out;
}

/** The scope of the Events page: the view's portals and period, narrowed by the filters. */
export async function filterScope(store: ArchiveStore, v: View, p: FilterParams): Promise<Scope> {
  const parsed = parseHistoryFlags(
    {
      since: p.since,
      until: p.until,
      kind: p.kind ? [p.kind] : undefined,
      action: p.action ? [p.action] : undefined,
    },
    v.now,
  );
  const filter = { ...parsed.filter };
  if (!p.since && v.since !== undefined) filter.since = v.since;
  if (filter.until === undefined) filter.until = v.until;
  let scoped = filter;
  if (p.user) {
    const people = await resolveUsers([p.user], await archivePeopleLookup(store, v.portalIds));
    scoped = filterForPeople(filter, people);
  }
  return { portalIds: v.portalIds, filter: scoped, ip: p.ip, country: p.country };
}
