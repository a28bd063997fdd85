/** `report failures`: failed attempts by typed login and by source address. */
import { typedLoginKey } from '../../model/attribution.js';
import type { ActivityFact } from '../facts.js';

export interface FailureRow {
  /** Grouped by the typed login or by the source address. */
  group: 'login' | 'ip';
  /**
   * The typed login as attribution compares it (`attributionKey`: case-folded, so the archive's
   * keys and a live read's logins group alike; `''` when none was typed, the placeholder DocSpace
   * writes then included), a member's own name for their failures with no login, or the IP address.
   * With `maskLogin`, a typed login that may be a password is its keyed `hmac:…` (of the folded value).
   */
  key: string;
  failures: number;
  firstFailure: number;
  lastFailure: number;
  /** Distinct source addresses (login rows) or distinct typed logins (IP rows). */
  ips: number;
  logins: number;
  countries: string[];
  /** A successful login came from one of these addresses after its first failure here. */
  successAfter: boolean;
}

/** The login row a failure is counted in (see `FailureRow.key`). */
function loginKeyOf(f: ActivityFact, maskLogin: ((login: string) => string | undefined) | undefined): string {
  if (f.login?.trim()) {
    const key = typedLoginKey(f.login) ?? '';
    // Only a login typed by someone not signed in can be a password (as `events` masks).
    return (f.anonymous && key && maskLogin?.(key)) || key;
  }
  return f.anonymous ? '' : (f.name || f.userId).toLowerCase();
}

/**
 * Failed attempts by typed login and by source IP. `failures` are failure facts grouped by
 * user, name, login, ip and country; `successes` success facts grouped by ip (their `last` is
 * the newest success from that address). A failure under a real user id with no typed login is
 * filed under the user's name. `maskLogin` (`typedLoginMasker`) hides typed logins that may be
 * passwords behind their keyed hash.
 */
export function failuresReport(
  failures: readonly ActivityFact[],
  successes: readonly ActivityFact[],
  o: { top?: number; maskLogin?: (login: string) => string | undefined } = {},
): FailureRow[] {
  const lastSuccess = new Map<string, number>();
  for (const s of successes) {
    if (s.kind !== 'success' || !s.ip) continue;
    lastSuccess.set(s.ip, Math.max(lastSuccess.get(s.ip) ?? Number.NEGATIVE_INFINITY, s.last));
  }
  interface Acc {
    row: FailureRow;
    other: Set<string>;
    countries: Set<string>;
    /** First failure per address (for the login rows) or for this address (IP rows). */
    firstByIp: Map<string, number>;
  }
  const groups = { login: new Map<string, Acc>(), ip: new Map<string, Acc>() };
  const add = (group: 'login' | 'ip', key: string, other: string, f: ActivityFact) => {
    let a = groups[group].get(key);
    if (!a) {
      a = {
        row: {
          group,
          key,
          failures: 0,
          firstFailure: f.first,
          lastFailure: f.last,
          ips: 0,
          logins: 0,
          countries: [],
          successAfter: false,
        },
        other: new Set(),
        countries: new Set(),
        firstByIp: new Map(),
      };
      groups[group].set(key, a);
    }
    a.row.failures += f.events;
    a.row.firstFailure = Math.min(a.row.firstFailure, f.first);
    a.row.lastFailure = Math.max(a.row.lastFailure, f.last);
    a.other.add(other);
    if (f.country) a.countries.add(f.country);
    if (f.ip) a.firstByIp.set(f.ip, Math.min(a.firstByIp.get(f.ip) ?? Number.POSITIVE_INFINITY, f.first));
  };
  for (const f of failures) {
    if (f.kind !== 'failure') continue;
    const login = loginKeyOf(f, o.maskLogin);
    add('login', login, f.ip, f);
    add('ip', f.ip, login, f);
  }
  const out: FailureRow[] = [];
  for (const group of ['login', 'ip'] as const) {
    const rows = [...groups[group].values()].map((a) => {
      const r = a.row;
      if (group === 'login') {
        r.ips = a.other.size;
        r.logins = 1;
      } else {
        r.ips = 1;
        r.logins = a.other.size;
      }
      r.countries = [...a.countries].sort();
      r.successAfter = [...a.firstByIp].some(([ip, first]) => (lastSuccess.get(ip) ?? Number.NEGATIVE_INFINITY) > first);
      return r;
    });
    rows.sort((a, b) => b.failures - a.failures || b.lastFailure - a.lastFailure || a.key.localeCompare(b.key));
    // A loop, not push(...rows): an argument list of a few hundred thousand rows (every typed
    // login of a long history) overflows the stack.
    for (const r of o.top !== undefined ? rows.slice(0, o.top) : rows) out.push(r);
  }
  return out;
}
