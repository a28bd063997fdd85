/** The members of a generated portal: roles, statuses, credentials, habits and places. */
import type { Rng } from '../random.js';
import type { StoreTables } from '../store.js';
import {
  type City,
  CULTURES,
  DEPARTMENTS,
  DESKTOPS,
  type Device,
  FIRST_NAMES,
  LAST_NAMES,
  type Location,
  MOBILES,
  OFFICE_CITIES,
  SOCIAL_PROVIDERS,
} from './catalogue.js';
import type { PortalOptions } from './portal.js';

export type Role = 'owner' | 'admin' | 'roomAdmin' | 'user' | 'guest';

export interface EmulatorPerson {
  id: string;
  firstName: string;
  lastName: string;
  userName: string;
  email: string;
  /** What `people` shows; login events use the same rule (First Last, else whichever exists). */
  displayName: string;
  password: string;
  role: Role;
  /** 1 active, 2 disabled (terminated), 4 invited (pending: has not joined yet). */
  status: 1 | 2 | 4;
  /** 0 e-mail not confirmed, 1 activated, 2 pending (invited). */
  activationStatus: 0 | 1 | 2;
  /** Epoch ms. */
  registered: number;
  terminated?: number;
  /** Removed from the portal: its row is gone (names blank), its events stay. */
  deleted: boolean;
  /** A member without a single login event: active, or invited and not joined yet. */
  neverLoggedIn: boolean;
  department?: string;
  cultureName: string;
  mobilePhone?: string;
  isSSO: boolean;
  tfaAppEnabled: boolean;
  /** Social provider this person logs in with now and then (1019). */
  social?: string;
  /** Runs an OAuth integration (1028 rows written by the identity service). */
  oauth: boolean;
  /** Runs scripts against the API (1010 with a script user agent). */
  scripts: boolean;
  /** 1–3 usual places, the first is the main one. */
  places: Location[];
  device: Device;
  mobile?: Device;
  /** Relative login frequency. */
  activity: number;
  /** Index of this person's GUID in the store's user table. */
  userIndex: number;
}

function stripDiacritics(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/ł/g, 'l')
    .replace(/ı/g, 'i')
    .replace(/[^a-zA-Z]/g, '')
    .toLowerCase();
}

export function ipIn(rng: Rng, city: City): string {
  return `${city.prefix}.${rng.int(0, 255)}.${rng.int(1, 254)}`;
}

/** People of the portal, in a fixed order: owner first. */
export function generatePeople(rng: Rng, o: PortalOptions, tables: StoreTables): EmulatorPerson[] {
  const n = Math.max(1, o.users);
  const rangeStart = o.now - o.days * 86_400_000;
  const people: EmulatorPerson[] = [];
  const taken = new Set<string>();
  const officeCities = rng.shuffle(OFFICE_CITIES.slice()).slice(0, Math.min(6, 2 + Math.floor(n / 15)));
  const admins = Math.max(n >= 4 ? 1 : 0, Math.round(n * 0.08));
  const guests = Math.round(n * 0.15);
  const roomAdmins = Math.round(n * 0.2);
  const terminated = n >= 8 ? Math.max(1, Math.round(n * 0.05)) : 0;
  const never = n >= 6 ? Math.max(1, Math.round(n * 0.05)) : 0;
  const deletedCount = n >= 20 ? 1 : 0;

  const firstKeys = FIRST_NAMES.map(stripDiacritics);
  const lastKeys = LAST_NAMES.map(stripDiacritics);
  const suffixes = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    let fi = rng.int(0, FIRST_NAMES.length - 1);
    let li = rng.int(0, LAST_NAMES.length - 1);
    let base = `${firstKeys[fi]}.${lastKeys[li]}`;
    for (let k = 0; taken.has(base) && k < 5; k++) {
      fi = rng.int(0, FIRST_NAMES.length - 1);
      li = rng.int(0, LAST_NAMES.length - 1);
      base = `${firstKeys[fi]}.${lastKeys[li]}`;
    }
    if (taken.has(base)) {
      // Namesakes get a number, like a real directory would: anna.schmidt2, anna.schmidt3…
      let k = suffixes.get(base) ?? 2;
      while (taken.has(`${base}${k}`)) k++;
      suffixes.set(base, k + 1);
      base = `${base}${k}`;
    }
    const first = FIRST_NAMES[fi];
    let last = LAST_NAMES[li];
    taken.add(base);
    let role: Role = 'user';
    if (i === 0) role = 'owner';
    else if (i <= admins) role = 'admin';
    else if (i <= admins + roomAdmins) role = 'roomAdmin';
    else if (i > n - 1 - guests) role = 'guest';
    // One member has only a first name: the display name rule falls back to it.
    if (i === 3 && n > 10) last = '';
    const email = i === 0 ? o.ownerEmail : `${base}@${o.domain}`;
    const userName = i === 0 ? email.split('@')[0] : base;
    const home = officeCities[i % officeCities.length];
    const places: Location[] = [{ ip: ipIn(rng, home), country: home.country, city: home.city }];
    const extra = rng.weightedIndex([5, 3, 1]);
    for (let k = 0; k < extra; k++) {
      const c = rng.chance(0.6) ? home : rng.pick(OFFICE_CITIES);
      places.push({ ip: ipIn(rng, c), country: c.country, city: c.city });
    }
    const device = rng.weighted(
      DESKTOPS.map((d) => d.device),
      DESKTOPS.map((d) => d.weight),
    );
    const registeredLate = i > 0 && rng.chance(0.15);
    const registered = registeredLate
      ? rangeStart + Math.floor(rng.next() * 0.6 * (o.now - rangeStart))
      : rangeStart - rng.int(5, 900) * 86_400_000;
    const id = rng.guid();
    const person: EmulatorPerson = {
      id,
      firstName: first,
      lastName: last,
      userName,
      email,
      displayName: last ? `${first} ${last}` : first,
      password: i === 0 ? o.ownerPassword : `pw-${rng.hex(10)}`,
      role,
      status: 1,
      activationStatus: 1,
      registered: Math.floor(registered / 1000) * 1000,
      deleted: false,
      neverLoggedIn: false,
      department: role === 'guest' ? undefined : rng.pick(DEPARTMENTS),
      cultureName: rng.pick(CULTURES),
      mobilePhone: rng.chance(0.3) ? `+49 151 ${rng.int(1000000, 9999999)}` : undefined,
      isSSO: role !== 'owner' && rng.chance(0.12),
      // The owner's credentials are handed out, so the owner logs in without a second factor.
      tfaAppEnabled: rng.chance(role === 'admin' ? 0.5 : 0.12) && role !== 'owner',
      social: rng.chance(0.12) ? rng.pick(SOCIAL_PROVIDERS) : undefined,
      oauth: rng.chance(0.08),
      scripts: role === 'owner' || role === 'admin' ? rng.chance(0.5) : rng.chance(0.05),
      places,
      device,
      mobile: rng.chance(0.45) ? rng.pick(MOBILES) : undefined,
      activity: role === 'guest' ? 0.15 + rng.next() * 0.5 : 0.3 + rng.next() ** 2 * 3,
      userIndex: tables.users.intern(id),
    };
    people.push(person);
  }
  // Terminated members (still in history, gone from /people), chosen among plain users.
  const candidates = people.filter((p) => p.role === 'user' || p.role === 'roomAdmin');
  rng.shuffle(candidates);
  for (const p of candidates.slice(0, terminated)) {
    p.status = 2;
    p.terminated = Math.floor((o.now - rng.next() * 0.4 * (o.now - rangeStart)) / 1000) * 1000;
  }
  const rest = candidates.slice(terminated);
  rest.slice(0, never).forEach((p, k) => {
    p.neverLoggedIn = true;
    const confirmed = rng.chance(0.5);
    // The first one joined and never came back; the others were invited and have not joined:
    // the server gives an invitation status 4 and activation 2 together.
    if (k === 0) p.activationStatus = confirmed ? 1 : 0;
    else {
      p.status = 4;
      p.activationStatus = 2;
    }
    p.registered = Math.floor((o.now - rng.int(1, 20) * 86_400_000) / 1000) * 1000;
  });
  for (const p of rest.slice(never, never + deletedCount)) {
    // Deleted members were terminated first; afterwards their row is gone.
    p.deleted = true;
    p.status = 2;
    p.terminated = Math.floor((o.now - (0.4 + rng.next() * 0.3) * (o.now - rangeStart)) / 1000) * 1000;
  }
  return people;
}
