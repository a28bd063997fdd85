/**
 * Facts: the small aggregated rows every report is computed from. The archive produces them in
 * SQL (GROUP BY, see `sources/archive/`); a live read produces the same rows from the events as
 * they stream past (`sources/events.ts`). The reports themselves (`reports/`) only ever see
 * facts, so both sources give the same answers by construction.
 */
import type { ActionKind } from '../model/actions.js';

/** Events of one local hour (wall-clock hours since the epoch in the report's zone). */
export interface HourFact {
  hour: number;
  kind: ActionKind;
  anonymous: boolean;
  /** Only when asked for `byCountry`. */
  country?: string;
  events: number;
}

export interface HourOptions {
  /** Also group by country (the summary's top countries come from the same pass). */
  byCountry?: boolean;
}

export interface ActivityOptions {
  /** Only events of these kinds. */
  kinds?: readonly ActionKind[];
  /**
   * Group anonymous events by these dimensions only (default: all of `dims`); the others read as
   * empty for them. Anonymous failures are numerous and varied: grouping them by less is cheaper.
   */
  anonymousDims?: readonly ActivityDim[];
}

/** What activity can be grouped by, besides kind and anonymity (always grouped). */
export type ActivityDim = 'user' | 'name' | 'login' | 'ip' | 'country' | 'city' | 'browser' | 'platform';

export const ALL_DIMS: readonly ActivityDim[] = ['user', 'name', 'login', 'ip', 'country', 'city', 'browser', 'platform'];

/**
 * Events sharing the grouped dimensions, with their count and time span. Dimensions that were
 * not grouped are empty (`''` or null). Grouped together with `user`, `name` is not a key but
 * the user's name in the group (the greatest, should it have changed within the group): a user
 * renamed is still one user.
 */
export interface ActivityFact {
  /** Lower-case user id; the Guest id for anonymous events. */
  userId: string;
  /** The user name the events carried. */
  name: string;
  /** The typed login, lower case (failures carry the Guest id, so this names the target). */
  login: string | null;
  anonymous: boolean;
  kind: ActionKind;
  ip: string;
  country: string;
  city: string;
  browser: string | null;
  platform: string | null;
  events: number;
  /** Epoch ms of the first and the last of these events. */
  first: number;
  last: number;
}

/** A (non-anonymous) user the history knows, over all of it, not only the period. */
export interface UserSeen {
  userId: string;
  /** The name on the user's newest event. */
  name: string;
  /** First and last event of any kind (epoch ms), over the whole history up to `until`. */
  firstSeen: number;
  lastSeen: number;
  /** Has at least one event in the report's period. */
  inPeriod: boolean;
}

/** The bounds a report covers; both inclusive, epoch ms, either may be open. */
export interface Period {
  since?: number;
  until?: number;
}

export function inPeriod(time: number, p: Period): boolean {
  return (p.since === undefined || time >= p.since) && (p.until === undefined || time <= p.until);
}

const SEP = '\u0000';

export function factKey(f: ActivityFact): string {
  return [f.userId, f.name, f.login ?? SEP, f.anonymous ? 1 : 0, f.kind, f.ip, f.country, f.city, f.browser ?? SEP, f.platform ?? SEP].join(SEP);
}

/** Re-group facts by fewer dimensions (the dimensions left out become empty). */
export function projectFacts(
  facts: Iterable<ActivityFact>,
  dims: readonly ActivityDim[],
  opts: ActivityOptions = {},
): ActivityFact[] {
  const wanted = opts.kinds?.length ? new Set(opts.kinds) : undefined;
  const named = new Set(dims);
  const anonymousKeep = new Set((opts.anonymousDims ?? dims).filter((d) => named.has(d)));
  const out = new Map<string, ActivityFact>();
  for (const f of facts) {
    if (wanted && !wanted.has(f.kind)) continue;
    const keep = f.anonymous ? anonymousKeep : named;
    const p: ActivityFact = {
      userId: keep.has('user') ? f.userId : '',
      name: keep.has('name') ? f.name : '',
      login: keep.has('login') ? f.login : null,
      anonymous: f.anonymous,
      kind: f.kind,
      ip: keep.has('ip') ? f.ip : '',
      country: keep.has('country') ? f.country : '',
      city: keep.has('city') ? f.city : '',
      browser: keep.has('browser') ? f.browser : null,
      platform: keep.has('platform') ? f.platform : null,
      events: f.events,
      first: f.first,
      last: f.last,
    };
    const nameByUser = keep.has('user') && keep.has('name');
    const key = factKey(nameByUser ? { ...p, name: '' } : p);
    const have = out.get(key);
    if (!have) out.set(key, p);
    else {
      have.events += p.events;
      if (p.first < have.first) have.first = p.first;
      if (p.last > have.last) have.last = p.last;
      if (nameByUser && p.name > have.name) have.name = p.name;
    }
  }
  return [...out.values()];
}
