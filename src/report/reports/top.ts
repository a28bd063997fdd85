/** `report ips|countries|browsers|platforms`: the most frequent values of one dimension. */
import type { ActivityFact } from '../facts.js';

export type TopDimension = 'ip' | 'country' | 'browser' | 'platform';

export interface TopRow {
  /** The address, country, browser or platform (`''` when the portal did not record one). */
  key: string;
  events: number;
  successes: number;
  failures: number;
  logouts: number;
  /** Distinct users (anonymous events not counted). */
  users: number;
  firstSeen: number;
  lastSeen: number;
  /** For IP addresses: where the portal placed it (the most frequent, if it moved). */
  country?: string;
  city?: string;
}

/** The top `top` values of a dimension by events. `facts` are grouped by it and by user (and for IPs by country and city). */
export function topReport(dim: TopDimension, facts: readonly ActivityFact[], o: { top?: number } = {}): TopRow[] {
  interface Acc {
    row: TopRow;
    users: Set<string>;
    places: Map<string, { country: string; city: string; events: number }>;
  }
  const groups = new Map<string, Acc>();
  for (const f of facts) {
    const key = (dim === 'ip' ? f.ip : dim === 'country' ? f.country : dim === 'browser' ? f.browser : f.platform) ?? '';
    let a = groups.get(key);
    if (!a) {
      a = {
        row: { key, events: 0, successes: 0, failures: 0, logouts: 0, users: 0, firstSeen: f.first, lastSeen: f.last },
        users: new Set(),
        places: new Map(),
      };
      groups.set(key, a);
    }
    const r = a.row;
    r.events += f.events;
    if (f.kind === 'success') r.successes += f.events;
    else if (f.kind === 'failure') r.failures += f.events;
    else if (f.kind === 'logout') r.logouts += f.events;
    r.firstSeen = Math.min(r.firstSeen, f.first);
    r.lastSeen = Math.max(r.lastSeen, f.last);
    if (!f.anonymous && f.userId) a.users.add(f.userId);
    if (dim === 'ip') {
      const pk = `${f.country}\u0000${f.city}`;
      const p = a.places.get(pk) ?? { country: f.country, city: f.city, events: 0 };
      p.events += f.events;
      a.places.set(pk, p);
    }
  }
  const rows = [...groups.values()].map((a) => {
    a.row.users = a.users.size;
    if (dim === 'ip') {
      const best = [...a.places.values()].sort(
        (x, y) => y.events - x.events || x.country.localeCompare(y.country) || x.city.localeCompare(y.city),
      )[0];
      a.row.country = best?.country ?? '';
      a.row.city = best?.city ?? '';
    }
    return a.row;
  });
  rows.sort((a, b) => b.events - a.events || a.key.localeCompare(b.key));
  return rows.slice(0, o.top ?? 10);
}
