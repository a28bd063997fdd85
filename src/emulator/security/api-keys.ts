/**
 * API keys: who owns each, its scopes, expiry, whether it is active, and when it was last used
 * (the only "last activity" stamp a credential has). The full key is only known at creation.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { EmulatorPerson } from '../data/people.js';
import { keyOwner } from '../directory.js';
import type { ResolvedEmulatorOptions } from '../options.js';

export interface ApiKey {
  id: string;
  key: string;
  name: string;
  person: EmulatorPerson;
  /** As stored; empty means full access. */
  permissions: string[];
  createOn: number;
  expiresAt?: number;
  isActive: boolean;
  lastUsed?: number;
}

/** The scopes the server knows (`GET /keys/permissions`). */
export const KEY_SCOPES = [
  '*:read',
  '*:write',
  'accounts:read',
  'accounts:write',
  'accounts.self:read',
  'accounts.self:write',
  'files:read',
  'files:write',
  'rooms:read',
  'rooms:write',
];

/** A GUID derived from text, so keys made from options keep their id across runs. */
function guidOf(text: string): string {
  const h = createHash('sha256').update(text).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export class ApiKeys {
  private readonly byKey = new Map<string, ApiKey>();

  add(init: Omit<ApiKey, 'id' | 'isActive'> & { isActive?: boolean }): ApiKey {
    const key: ApiKey = { id: guidOf(`api-key:${init.key}`), isActive: true, ...init };
    this.byKey.set(key.key, key);
    return key;
  }

  /** A new key, `sk-` and 64 hex digits. */
  create(person: EmulatorPerson, name: string, permissions: string[], now: number, days?: number): ApiKey {
    return this.add({
      key: `sk-${randomBytes(32).toString('hex')}`,
      name,
      person,
      permissions,
      createOn: now,
      expiresAt: days ? now + days * 86_400_000 : undefined,
    });
  }

  find(key: string): ApiKey | undefined {
    return this.byKey.get(key);
  }

  withId(id: string): ApiKey | undefined {
    return [...this.byKey.values()].find((k) => k.id === id.toLowerCase());
  }

  delete(key: ApiKey): void {
    this.byKey.delete(key.key);
  }

  all(): ApiKey[] {
    return [...this.byKey.values()];
  }

  /** Can this key authenticate now? (active, not expired, its owner not disabled) */
  usable(key: ApiKey, now: number): boolean {
    return key.isActive && (key.expiresAt === undefined || key.expiresAt > now) && key.person.status === 1;
  }
}

/**
 * Does a key's scope list allow a request? GETs need read or write on `*` or the route's area,
 * everything else write; an empty list or `*` is everything.
 */
export function scopeAllows(permissions: readonly string[], method: string, area?: string): boolean {
  if (permissions.length === 0 || permissions.includes('*')) return true;
  const areas = area ? ['*', area] : ['*'];
  const levels = method === 'GET' ? ['read', 'write'] : ['write'];
  return areas.some((a) => levels.some((l) => permissions.includes(`${a}:${l}`)));
}

/** The keys a portal starts with, made 30 days before `now`: the owner's, then one per extra key's role. */
export function addStartKeys(
  keys: ApiKeys,
  people: EmulatorPerson[],
  o: Pick<ResolvedEmulatorOptions, 'apiKey' | 'extraKeys' | 'now'>,
): void {
  const created = o.now - 30 * 86_400_000;
  keys.add({ key: o.apiKey, name: 'Owner key', person: people[0], permissions: [], createOn: created });
  for (const k of o.extraKeys) {
    keys.add({
      key: k.key,
      name: `${k.role} key`,
      person: keyOwner(people, k.role),
      // `noscope` holds a scope that covers none of the emulated routes.
      permissions: k.permissions ?? (k.role === 'noscope' ? ['files:read'] : []),
      createOn: created,
      expiresAt: k.role === 'expired' ? o.now - 86_400_000 : undefined,
    });
  }
}
