/** The orders of the users report: `--sort KEY[:asc|desc]`, parsed once at the edge, and the comparison. */
import { UsageError } from '../errors/index.js';
import type { UserRow } from './activity.js';

export const USER_SORT_KEYS = [
  'last-seen',
  'first-seen',
  'last-login',
  'first-login',
  'successes',
  'failures',
  'logouts',
  'ips',
  'countries',
  'browsers',
  'platforms',
  'name',
  'email',
  'user-id',
] as const;

export type UserSortKey = (typeof USER_SORT_KEYS)[number];

export interface UserSort {
  key: UserSortKey;
  descending: boolean;
}

/** `--sort KEY` or `KEY:asc|desc`. Counts and times sort largest/newest first, text A to Z. */
export function parseUserSort(value: string | undefined): UserSort {
  const [rawKey, dir] = (value ?? 'last-seen').trim().toLowerCase().split(':');
  const key = rawKey as UserSortKey;
  if (!USER_SORT_KEYS.includes(key)) {
    throw new UsageError(`--sort "${value}" is not one of: ${USER_SORT_KEYS.join(', ')} (add :asc or :desc to flip)`);
  }
  if (dir !== undefined && dir !== 'asc' && dir !== 'desc') {
    throw new UsageError(`--sort "${value}": the direction must be :asc or :desc`);
  }
  const textual = key === 'name' || key === 'email' || key === 'user-id';
  return { key, descending: dir ? dir === 'desc' : !textual };
}

function sortValue(r: UserRow, key: UserSortKey): number | string | null {
  switch (key) {
    case 'last-seen':
      return r.lastSeen;
    case 'first-seen':
      return r.firstSeen;
    case 'last-login':
      return r.lastLogin;
    case 'first-login':
      return r.firstLogin;
    case 'successes':
      return r.successes;
    case 'failures':
      return r.failures;
    case 'logouts':
      return r.logouts;
    case 'ips':
      return r.ips;
    case 'countries':
      return r.countries.length;
    case 'browsers':
      return r.browsers.length;
    case 'platforms':
      return r.platforms.length;
    case 'name':
      return r.name.toLowerCase();
    case 'email':
      return r.email?.toLowerCase() ?? null;
    case 'user-id':
      return r.userId;
  }
}

export function sortUsers(rows: UserRow[], sort: UserSort): UserRow[] {
  return rows.sort((a, b) => {
    const x = sortValue(a, sort.key);
    const y = sortValue(b, sort.key);
    // Missing values (never logged in, no email) go last whichever way.
    if (x === null || y === null) {
      if (x !== y) return x === null ? 1 : -1;
    } else if (x !== y) {
      const c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
      return sort.descending ? -c : c;
    }
    return a.name.localeCompare(b.name) || a.userId.localeCompare(b.userId);
  });
}
