/**
 * Deterministic portal data for the emulator: people, their habits, and a login history with a
 * working-week rhythm, typos, SSO/OAuth/social/2FA logins, logouts, brute-force bursts and
 * password sprays. The same seed (and the same `now`) always gives the same portal.
 *
 * Generation is columnar: events are written straight into typed arrays in generation order,
 * sorted by time with a two-pass radix sort on the second, then given ids in date order. A
 * million events take a second or two.
 */
import { createHash } from 'node:crypto';
import { GUEST_ID } from '../model/ids.js';
import { Rng } from './random.js';
import { allocateColumns, type Columns, createTables, type StoreTables } from './store.js';

/** Credentials of the built-in demo portal (`--demo`). */
export const DEMO = Object.freeze({
  portalName: 'demo',
  domain: 'demo.docspace.test',
  email: 'admin@demo.docspace.test',
  password: 'demo-password',
});

export const DEMO_EMAIL = DEMO.email;
export const DEMO_PASSWORD = DEMO.password;

/** The deterministic API key for a seed: `sk-` + 64 lowercase hex digits. */
export function apiKeyForSeed(seed: number): string {
  return `sk-${createHash('sha256').update(`docspace-emulator-api-key:${seed}`).digest('hex')}`;
}

// ---------------------------------------------------------------------------------------------
// Time zone offsets

/**
 * The offset (minutes east of UTC) of an IANA zone at an instant, via Intl, cached per UTC hour.
 * An hour that contains a transition is marked and computed exactly on every call.
 */
export class ZoneOffsets {
  private readonly format: Intl.DateTimeFormat;
  private readonly cache = new Map<number, number>();

  constructor(readonly zone: string) {
    try {
      this.format = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' });
    } catch {
      throw new RangeError(`Unknown time zone "${zone}": use an IANA name such as Europe/Berlin or UTC`);
    }
  }

  /** Exact offset at `time`, uncached. */
  exact(time: number): number {
    const part = this.format.formatToParts(time).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
    const m = /GMT([+-])(\d{1,2})(?::?(\d{2}))?/.exec(part);
    if (!m) return 0;
    const minutes = Number(m[2]) * 60 + Number(m[3] ?? 0);
    return m[1] === '-' ? -minutes : minutes;
  }

  at(time: number): number {
    const hour = Math.floor(time / 3_600_000);
    let offset = this.cache.get(hour);
    if (offset === undefined) {
      const a = this.exact(hour * 3_600_000);
      const b = this.exact(hour * 3_600_000 + 3_599_999);
      offset = a === b ? a : Number.NaN;
      if (this.cache.size > 200_000) this.cache.clear();
      this.cache.set(hour, offset);
    }
    return Number.isNaN(offset) ? this.exact(time) : offset;
  }
}

// ---------------------------------------------------------------------------------------------
// People

export type Role = 'owner' | 'admin' | 'roomAdmin' | 'user' | 'guest';

export interface Device {
  browser: string | null;
  platform: string | null;
}

export interface Location {
  ip: string;
  country: string;
  city: string;
}

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
  /** 1 active, 2 terminated. */
  status: 1 | 2;
  activationStatus: 0 | 1 | 2;
  /** Epoch ms. */
  registered: number;
  terminated?: number;
  /** Removed from the portal: its row is gone (names blank), its events stay. */
  deleted: boolean;
  /** An active member without a single login event. */
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

const FIRST_NAMES = [
  'Anna',
  'Lukas',
  'Sophie',
  'Jonas',
  'Marie',
  'Felix',
  'Emma',
  'Paul',
  'Lea',
  'Leon',
  'Clara',
  'Noah',
  'Hannah',
  'Elias',
  'Mia',
  'Ben',
  'Laura',
  'Tim',
  'Julia',
  'David',
  'Sara',
  'Jan',
  'Nina',
  'Max',
  'Olivia',
  'James',
  'Chloe',
  'Oliver',
  'Isabel',
  'Marco',
  'Giulia',
  'Pierre',
  'Camille',
  'Lucas',
  'Inès',
  'Mateo',
  'Lucía',
  'Pablo',
  'Eva',
  'Tomás',
  'Katarzyna',
  'Piotr',
  'Aleksandra',
  'Jakub',
  'Ingrid',
  'Erik',
  'Astrid',
  'Lars',
  'Yuki',
  'Kenji',
  'Priya',
  'Arjun',
  'Fatima',
  'Omar',
  'Elif',
  'Mehmet',
  'Zoe',
  'Daniel',
  'Nora',
  'Samuel',
  'Ada',
  'Viktor',
  'Lina',
  'Hugo',
];

const LAST_NAMES = [
  'Schmidt',
  'Müller',
  'Schneider',
  'Fischer',
  'Weber',
  'Meyer',
  'Wagner',
  'Becker',
  'Hoffmann',
  'Koch',
  'Richter',
  'Klein',
  'Wolf',
  'Neumann',
  'Schwarz',
  'Braun',
  'Zimmermann',
  'Krüger',
  'Hartmann',
  'Lange',
  'Smith',
  'Johnson',
  'Brown',
  'Taylor',
  'Wilson',
  'Clarke',
  'Rossi',
  'Bianchi',
  'Martin',
  'Bernard',
  'Dubois',
  'García',
  'Fernández',
  'López',
  'Martínez',
  'Kowalski',
  'Nowak',
  'Wiśniewska',
  'Andersson',
  'Johansson',
  'Nielsen',
  'Hansen',
  'Tanaka',
  'Sato',
  'Sharma',
  'Patel',
  'Haddad',
  'Yılmaz',
  'Kaya',
  'Novák',
  'Horváth',
  'Costa',
  'Silva',
  'Jansen',
  'de Vries',
  'Peeters',
  "O'Brien",
  'Murphy',
];

const DEPARTMENTS = ['Sales', 'Marketing', 'Engineering', 'Finance', 'Legal', 'Support', 'Operations', 'HR'];
const CULTURES = ['en-US', 'en-GB', 'de-DE', 'fr-FR', 'es-ES', 'it-IT', 'pl-PL', 'nl-NL'];

interface City {
  country: string;
  city: string;
  /** First two octets used for addresses in this city (invented, for realism only). */
  prefix: string;
}

const OFFICE_CITIES: City[] = [
  { country: 'Germany', city: 'Berlin', prefix: '85.214' },
  { country: 'Germany', city: 'Munich', prefix: '89.246' },
  { country: 'Germany', city: 'Hamburg', prefix: '91.64' },
  { country: 'Germany', city: 'Frankfurt am Main', prefix: '84.132' },
  { country: 'Germany', city: 'Cologne', prefix: '93.197' },
  { country: 'Austria', city: 'Vienna', prefix: '83.64' },
  { country: 'Switzerland', city: 'Zurich', prefix: '178.197' },
  { country: 'France', city: 'Paris', prefix: '90.84' },
  { country: 'France', city: 'Lyon', prefix: '86.246' },
  { country: 'Netherlands', city: 'Amsterdam', prefix: '145.53' },
  { country: 'United Kingdom', city: 'London', prefix: '81.2' },
  { country: 'United Kingdom', city: 'Manchester', prefix: '86.13' },
  { country: 'Spain', city: 'Madrid', prefix: '88.26' },
  { country: 'Spain', city: 'Barcelona', prefix: '79.152' },
  { country: 'Italy', city: 'Milan', prefix: '93.41' },
  { country: 'Poland', city: 'Warsaw', prefix: '83.22' },
  { country: 'Czechia', city: 'Prague', prefix: '89.24' },
  { country: 'Sweden', city: 'Stockholm', prefix: '90.224' },
  { country: 'Latvia', city: 'Riga', prefix: '87.110' },
  { country: 'Portugal', city: 'Lisbon', prefix: '85.240' },
  { country: 'United States', city: 'New York', prefix: '72.229' },
  { country: 'United States', city: 'San Francisco', prefix: '76.102' },
];

/** Where unwanted traffic comes from; country "" means the geo table does not know the address. */
const ATTACK_CITIES: City[] = [
  { country: 'United States', city: 'Ashburn', prefix: '34.86' },
  { country: 'Netherlands', city: 'Amsterdam', prefix: '185.220' },
  { country: 'Singapore', city: 'Singapore', prefix: '159.89' },
  { country: 'Brazil', city: 'São Paulo', prefix: '177.54' },
  { country: 'India', city: 'Mumbai', prefix: '103.21' },
  { country: 'Vietnam', city: 'Hanoi', prefix: '113.160' },
  { country: 'Romania', city: 'Bucharest', prefix: '89.38' },
  { country: '', city: '', prefix: '45.155' },
  { country: '', city: '', prefix: '194.26' },
  { country: '', city: '', prefix: '5.188' },
];

const DESKTOPS: Array<{ device: Device; weight: number }> = [
  { device: { browser: 'Chrome 125', platform: 'Windows 10' }, weight: 30 },
  { device: { browser: 'Chrome 124', platform: 'Windows 10' }, weight: 6 },
  { device: { browser: 'Edge 124', platform: 'Windows 10' }, weight: 14 },
  { device: { browser: 'Firefox 126', platform: 'Windows 10' }, weight: 8 },
  { device: { browser: 'Safari 17', platform: 'Mac OS X 10 Apple Mac' }, weight: 12 },
  { device: { browser: 'Chrome 125', platform: 'Mac OS X 10 Apple Mac' }, weight: 10 },
  { device: { browser: 'Firefox 126', platform: 'Mac OS X 10 Apple Mac' }, weight: 3 },
  { device: { browser: 'Firefox 126', platform: 'Ubuntu' }, weight: 6 },
  { device: { browser: 'Chrome 125', platform: 'Linux' }, weight: 3 },
  { device: { browser: 'Desktop Editors 8.1', platform: 'Windows 10' }, weight: 3 },
];

const MOBILES: Device[] = [
  { browser: 'Mobile Safari 17', platform: 'iOS 17 Apple iPhone' },
  { browser: 'Safari 17', platform: 'iOS 17 Apple iPad' },
  { browser: 'Chrome Mobile 125', platform: 'Android 14 Google Pixel 8' },
  { browser: 'Samsung Internet 24', platform: 'Android 14 Samsung SM-S911B' },
];

const SCRIPT_DEVICES: Device[] = [
  { browser: 'Python Requests 2', platform: 'Other' },
  { browser: 'curl 8', platform: 'Other' },
  { browser: 'Other', platform: 'Other' },
  // No User-Agent header at all: browser and platform are absent.
  { browser: null, platform: null },
];

const SOCIAL_PROVIDERS = ['Google', 'Facebook', 'LinkedIn', 'Microsoft'];

/** Logins that sprays and bursts try besides real addresses. */
const COMMON_LOGINS = [
  'admin',
  'administrator',
  'root',
  'test',
  'user',
  'info',
  'support',
  'office',
  'guest',
];

export const PAGES = {
  login: '/login',
  api: '/api/2.0/authentication',
  tfa: '/confirm/TfaAuth',
  authLink: '/confirm/Auth',
  oauth: '/oauth2/authorize',
  sso: 'https://idp.demo-sso.test/saml2/sso',
  afterLogout: [
    '/rooms/shared',
    '/rooms/personal',
    '/rooms/shared/filter',
    '/files/recent',
    '/accounts/people',
    '/profile',
    '/portal-settings/customization/general',
  ],
} as const;

/** Text the server writes as `login` when the form had no user name. */
export const EMAIL_NOT_SPECIFIED = 'Email is not specified';

export interface PortalOptions {
  seed: number;
  users: number;
  events: number;
  days: number;
  /** Epoch ms: the newest generated event lies a few seconds to minutes before it. */
  now: number;
  zone: ZoneOffsets;
  portalName: string;
  domain: string;
  ownerEmail: string;
  ownerPassword: string;
}

export interface GeneratedPortal {
  people: EmulatorPerson[];
  tables: StoreTables;
  /** Sorted by time ascending, ids assigned. */
  columns: Columns;
  count: number;
  /** First id used (the auto-increment where this tenant's history starts). */
  firstId: number;
  /** Epoch ms of the oldest possible generated event. */
  rangeStart: number;
  generator: EventGenerator;
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

function ipIn(rng: Rng, city: City): string {
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
  for (const p of rest.slice(0, never)) {
    p.neverLoggedIn = true;
    p.activationStatus = rng.chance(0.5) ? 1 : 2;
    p.registered = Math.floor((o.now - rng.int(1, 20) * 86_400_000) / 1000) * 1000;
  }
  for (const p of rest.slice(never, never + deletedCount)) {
    // Deleted members were terminated first; afterwards their row is gone.
    p.deleted = true;
    p.status = 2;
    p.terminated = Math.floor((o.now - (0.4 + rng.next() * 0.3) * (o.now - rangeStart)) / 1000) * 1000;
  }
  return people;
}

// ---------------------------------------------------------------------------------------------
// Events

/** Where generated (or live) events are written; returns a handle for `deactivate`, or -1 when full. */
export interface EventSink {
  emit(
    time: number,
    user: number,
    action: number,
    login: number,
    place: number,
    browser: number,
    platform: number,
    page: number,
    description: number,
    active: boolean,
  ): number;
  deactivate(handle: number): void;
}

/** Working-week rhythm in the portal's zone: an hourly weight table with a cumulative sum. */
class Rhythm {
  readonly baseHour: number;
  readonly cdf: Float64Array;

  constructor(from: number, to: number, zone: ZoneOffsets) {
    this.baseHour = Math.floor(from / 3_600_000);
    const hours = Math.floor(to / 3_600_000) - this.baseHour + 1;
    this.cdf = new Float64Array(hours);
    const dayWeights = [
      0.04, 0.03, 0.03, 0.03, 0.05, 0.12, 0.35, 0.9, 2.2, 3.0, 2.6, 2.3, 1.5, 2.0, 2.2, 2.0, 1.7, 1.2, 0.7,
      0.5, 0.45, 0.35, 0.2, 0.08,
    ];
    let sum = 0;
    for (let h = 0; h < hours; h++) {
      const start = (this.baseHour + h) * 3_600_000;
      const local = new Date(start + zone.at(start) * 60_000);
      const weekday = local.getUTCDay();
      const weekend = weekday === 0 || weekday === 6;
      sum += dayWeights[local.getUTCHours()] * (weekend ? 0.15 : 1);
      this.cdf[h] = sum;
    }
  }

  /** A whole-second instant in [from, to], following the rhythm. */
  sample(rng: Rng, from: number, to: number): number {
    const cdf = this.cdf;
    const hFrom = Math.max(0, Math.floor(from / 3_600_000) - this.baseHour);
    const hTo = Math.min(cdf.length - 1, Math.floor(to / 3_600_000) - this.baseHour);
    const lo = hFrom > 0 ? cdf[hFrom - 1] : 0;
    const hi = cdf[hTo];
    for (let attempt = 0; attempt < 4; attempt++) {
      const u = lo + rng.next() * (hi - lo);
      let a = hFrom;
      let b = hTo;
      while (a < b) {
        const mid = (a + b) >>> 1;
        if (cdf[mid] <= u) a = mid + 1;
        else b = mid;
      }
      const t = (this.baseHour + a) * 3_600_000 + rng.int(0, 3599) * 1000;
      if (t >= from && t <= to) return t;
    }
    return Math.floor((from + rng.next() * (to - from)) / 1000) * 1000;
  }
}

const SUCCESS_BY_PASSWORD = 1029;
const SUCCESS_API = 1010;

/**
 * Writes episodes (a login, a typo then a login, a burst, a spray…) into a sink. Strings are
 * interned into the store's tables once, so the hot path only moves numbers.
 */
export class EventGenerator {
  private readonly rhythm: Rhythm;
  /** Indexes (into `people`) of everyone who ever logs in. */
  private readonly loginUsers: number[];
  private readonly userCdf: Float64Array;
  private readonly guest: number;
  private readonly p: {
    login: number;
    api: number;
    tfa: number;
    authLink: number;
    oauth: number;
    sso: number;
    afterLogout: number[];
  };
  private readonly personPlaces: number[][];
  private readonly personDevice: Array<[number, number]>;
  private readonly personMobile: Array<[number, number] | undefined>;
  private readonly scriptDevices: Array<[number, number]>;
  private readonly attackDevices: Array<[number, number]>;
  private readonly targets: number[];
  private readonly commonLogins: number[];
  private readonly displayLogin: number[];
  private readonly emailLogin: number[];
  private readonly userNameLogin: number[];
  private readonly providers: number[];
  private readonly emailNotSpecified: number;

  constructor(
    readonly rng: Rng,
    readonly people: EmulatorPerson[],
    readonly tables: StoreTables,
    readonly o: PortalOptions,
    /** Newest instant episodes may use. */
    private readonly end: number,
  ) {
    const rangeStart = o.now - o.days * 86_400_000;
    this.rhythm = new Rhythm(rangeStart, Math.max(rangeStart, end), o.zone);
    this.loginUsers = [];
    people.forEach((p, i) => {
      if (!p.neverLoggedIn) this.loginUsers.push(i);
    });
    this.userCdf = new Float64Array(this.loginUsers.length);
    let sum = 0;
    this.loginUsers.forEach((i, k) => {
      sum += people[i].activity;
      this.userCdf[k] = sum;
    });
    this.guest = tables.users.intern(GUEST_ID);
    const page = (s: string) => tables.pages.intern(s);
    this.p = {
      login: page(PAGES.login),
      api: page(PAGES.api),
      tfa: page(PAGES.tfa),
      authLink: page(PAGES.authLink),
      oauth: page(PAGES.oauth),
      sso: page(PAGES.sso),
      afterLogout: PAGES.afterLogout.map(page),
    };
    const dev = (d: Device): [number, number] => [
      tables.browsers.intern(d.browser),
      tables.platforms.intern(d.platform),
    ];
    this.personPlaces = people.map((p) => p.places.map((l) => tables.places.intern(l.ip, l.country, l.city)));
    this.personDevice = people.map((p) => dev(p.device));
    this.personMobile = people.map((p) => (p.mobile ? dev(p.mobile) : undefined));
    this.scriptDevices = SCRIPT_DEVICES.map(dev);
    this.attackDevices = [...SCRIPT_DEVICES, DESKTOPS[0].device, DESKTOPS[4].device].map(dev);
    this.displayLogin = people.map((p) => tables.logins.intern(p.displayName));
    this.emailLogin = people.map((p) => tables.logins.intern(p.email));
    this.userNameLogin = people.map((p) => tables.logins.intern(p.userName));
    this.commonLogins = COMMON_LOGINS.flatMap((l) => [
      tables.logins.intern(l),
      tables.logins.intern(`${l}@${o.domain}`),
    ]);
    this.targets = this.loginUsers.map((i) => this.emailLogin[i]);
    this.providers = SOCIAL_PROVIDERS.map((s) => tables.descriptions.intern(s));
    this.emailNotSpecified = tables.logins.intern(EMAIL_NOT_SPECIFIED);
  }

  private pickUser(): number {
    const cdf = this.userCdf;
    const u = this.rng.next() * cdf[cdf.length - 1];
    let a = 0;
    let b = cdf.length - 1;
    while (a < b) {
      const mid = (a + b) >>> 1;
      if (cdf[mid] <= u) a = mid + 1;
      else b = mid;
    }
    return this.loginUsers[a];
  }

  /** The window in which person `i` can log in. */
  private activeWindow(i: number): [number, number] {
    const p = this.people[i];
    const rangeStart = this.o.now - this.o.days * 86_400_000;
    return [Math.max(rangeStart, p.registered + 3_600_000), Math.min(this.end, p.terminated ?? this.end)];
  }

  private placeOf(i: number): number {
    const places = this.personPlaces[i];
    return places.length === 1 || this.rng.chance(0.75) ? places[0] : this.rng.pick(places);
  }

  private attackPlace(): number {
    const rng = this.rng;
    if (rng.chance(0.04)) {
      // An IPv6 client: the server keeps only the part before the first ':'.
      const v6 = `2a0${rng.int(1, 9)}:${rng.hex(4)}:${rng.hex(4)}::${rng.hex(3)}`;
      return this.tables.places.intern(v6, '', '');
    }
    const c = rng.pick(ATTACK_CITIES);
    return this.tables.places.intern(ipIn(rng, c), c.country, c.city);
  }

  /** One episode starting at or after `t`; returns the number of events written. */
  episode(sink: EventSink, t?: number): number {
    const kind = this.rng.next();
    if (kind < 0.7) return this.session(sink, this.pickUser(), t, true);
    if (kind < 0.8) return this.typo(sink, t);
    if (kind < 0.925) return this.singleFailure(sink, t);
    if (kind < 0.993) return this.team(sink, t);
    if (kind < 0.9965) return this.burst(sink, t);
    return this.spray(sink, t);
  }

  private timeFor(i: number, t?: number): number | undefined {
    if (t !== undefined) return t;
    const [from, to] = this.activeWindow(i);
    if (to < from) return undefined;
    return this.rhythm.sample(this.rng, from, to);
  }

  /** A successful login of person `i` (plus, sometimes, a later logout). */
  session(sink: EventSink, i: number, at?: number, allowLogout = true): number {
    const t = this.timeFor(i, at);
    if (t === undefined) return 0;
    const rng = this.rng;
    const p = this.people[i];
    const place = this.placeOf(i);
    let [browser, platform] =
      this.personMobile[i] && rng.chance(0.2) ? this.personMobile[i]! : this.personDevice[i];
    let action = SUCCESS_BY_PASSWORD;
    let page = this.p.login;
    let login = 0;
    let description = 0;
    let active = true;
    const r = rng.next();
    if (p.isSSO && r < 0.85) {
      action = 1015;
      page = this.p.sso;
    } else if (p.oauth && r < 0.3) {
      action = 1028;
      login = this.emailLogin[i];
      page = this.p.oauth;
      active = false;
      [browser, platform] = rng.pick(this.scriptDevices);
    } else if (p.social && r < 0.4) {
      action = 1019;
      description = this.providers[SOCIAL_PROVIDERS.indexOf(p.social)];
    } else if (p.tfaAppEnabled && r < 0.9) {
      action = rng.chance(0.75) ? 1024 : 1021;
      page = this.p.tfa;
    } else if (p.scripts && r < 0.5) {
      action = SUCCESS_API;
      page = this.p.api;
      [browser, platform] = rng.pick(this.scriptDevices);
    } else if (r < 0.02) {
      action = 1027;
      login = this.emailLogin[i];
      page = this.p.authLink;
    } else if (r < 0.04) {
      action = 1000;
    } else if (r < 0.3) {
      action = SUCCESS_API;
      page = rng.chance(0.5) ? this.p.api : this.p.login;
    }
    const handle = sink.emit(
      t,
      p.userIndex,
      action,
      login,
      place,
      browser,
      platform,
      page,
      description,
      active,
    );
    if (handle < 0) return 0;
    let written = 1;
    if (allowLogout && active && rng.chance(0.42)) {
      const out = t + rng.int(120, 9 * 3600) * 1000;
      if (out <= this.end && (p.terminated === undefined || out <= p.terminated)) {
        const h = sink.emit(
          out,
          p.userIndex,
          1006,
          this.displayLogin[i],
          place,
          browser,
          platform,
          rng.pick(this.p.afterLogout),
          0,
          false,
        );
        if (h >= 0) {
          sink.deactivate(handle);
          written++;
        }
      }
    }
    return written;
  }

  /** One or two wrong passwords, then the login. */
  private typo(sink: EventSink, at?: number): number {
    const i = this.pickUser();
    const t = this.timeFor(i, at);
    if (t === undefined) return 0;
    const rng = this.rng;
    const p = this.people[i];
    const place = this.placeOf(i);
    const [browser, platform] = this.personDevice[i];
    const fails = rng.chance(0.75) ? 1 : 2;
    let written = 0;
    let time = t;
    const [, to] = this.activeWindow(i);
    for (let k = 0; k < fails; k++) {
      if (time > to) return written;
      let login = rng.chance(0.8) ? this.emailLogin[i] : this.userNameLogin[i];
      if (rng.chance(0.1)) {
        const e = p.email;
        const cut = rng.int(0, e.indexOf('@') - 1);
        login = this.tables.logins.intern(e.slice(0, cut) + e.slice(cut + 1));
      }
      const action = rng.chance(0.85) ? 1013 : 1005;
      if (sink.emit(time, this.guest, action, login, place, browser, platform, this.p.login, 0, false) < 0) {
        return written;
      }
      written++;
      time += rng.int(4, 25) * 1000;
    }
    return written + this.session(sink, i, Math.min(time, to), true);
  }

  /** A stray failure: unknown user, SSO or social failure, recaptcha, a missing email. */
  private singleFailure(sink: EventSink, at?: number): number {
    const rng = this.rng;
    const i = this.pickUser();
    const own = rng.chance(0.5);
    const t = at ?? (own ? this.timeFor(i) : this.uniformTime());
    if (t === undefined) return 0;
    const place = own ? this.placeOf(i) : this.attackPlace();
    const [browser, platform] = own ? this.personDevice[i] : rng.pick(this.attackDevices);
    const r = rng.next();
    let action = 1013;
    let login = own ? this.emailLogin[i] : rng.pick(this.commonLogins);
    let page = this.p.login;
    if (r < 0.1) {
      action = 1018; // SSO failure: no login, so the user shows as "Anonymous".
      login = 0;
      page = this.p.sso;
    } else if (r < 0.16) {
      action = 1026;
    } else if (r < 0.22) {
      action = 1025;
      login = this.emailLogin[i];
      page = this.p.tfa;
    } else if (r < 0.26) {
      action = 1020;
      login = 0;
    } else if (r < 0.3) {
      login = this.emailNotSpecified;
    } else if (r < 0.4) {
      action = 1005;
    } else if (r < 0.55) {
      page = this.p.api;
    }
    return sink.emit(t, this.guest, action, login, place, browser, platform, page, 0, false) < 0 ? 0 : 1;
  }

  /** Several people logging in within the same second (a meeting starts). */
  private team(sink: EventSink, at?: number): number {
    const rng = this.rng;
    const first = this.pickUser();
    let t = this.timeFor(first, at);
    if (t === undefined) return 0;
    if (at === undefined)
      t = Math.min(this.end, Math.floor(t / 60_000) * 60_000 + rng.pick([0, 0, 0, 1, 2]) * 1000);
    const size = rng.int(2, 5);
    let written = 0;
    const seen = new Set<number>();
    for (let k = 0; k < size; k++) {
      const i = k === 0 ? first : this.pickUser();
      if (seen.has(i)) continue;
      seen.add(i);
      const [from, to] = this.activeWindow(i);
      if (t < from || t > to) continue;
      written += this.session(sink, i, t, true);
    }
    return written;
  }

  private uniformTime(): number {
    const rangeStart = this.o.now - this.o.days * 86_400_000;
    return Math.floor((rangeStart + this.rng.next() * (this.end - rangeStart)) / 1000) * 1000;
  }

  /** Brute force: one address hammers one login, several attempts a second, then the lockout. */
  private burst(sink: EventSink, at?: number): number {
    const rng = this.rng;
    const t0 = at ?? this.uniformTime();
    const place = this.attackPlace();
    const [browser, platform] = rng.pick(this.attackDevices);
    const login = rng.chance(0.6) ? rng.pick(this.targets) : rng.pick(this.commonLogins);
    const attempts = rng.int(10, 45);
    let written = 0;
    let t = t0;
    for (let k = 0; k < attempts; k++) {
      if (t > this.end) break;
      const last = k >= attempts - rng.int(1, 3);
      const action = last ? 1023 : 1013;
      if (sink.emit(t, this.guest, action, login, place, browser, platform, this.p.api, 0, false) < 0) break;
      written++;
      // Several attempts within one second, sometimes a pause.
      if (rng.chance(0.35)) t += rng.chance(0.85) ? 1000 : rng.int(2, 20) * 1000;
    }
    return written;
  }

  /** Password spray: one address, many logins, one to three attempts each. */
  private spray(sink: EventSink, at?: number): number {
    const rng = this.rng;
    let t = at ?? this.uniformTime();
    const place = this.attackPlace();
    const [browser, platform] = rng.pick(this.attackDevices);
    const logins = rng.int(8, 35);
    let written = 0;
    for (let k = 0; k < logins; k++) {
      const login = rng.chance(0.5) ? rng.pick(this.targets) : rng.pick(this.commonLogins);
      const tries = rng.int(1, 3);
      for (let j = 0; j < tries; j++) {
        if (t > this.end) return written;
        if (sink.emit(t, this.guest, 1013, login, place, browser, platform, this.p.api, 0, false) < 0) {
          return written;
        }
        written++;
        if (rng.chance(0.6)) t += rng.int(1, 8) * 1000;
      }
    }
    return written;
  }

  /** A single event happening now (live mode): mostly logins, some logouts and failures. */
  live(sink: EventSink, t: number): void {
    const rng = this.rng;
    const r = rng.next();
    if (r < 0.7) {
      const i = this.pickUser();
      if (this.people[i].status !== 1 || this.people[i].deleted) {
        this.singleFailure(sink, t);
        return;
      }
      this.session(sink, i, t, false);
    } else if (r < 0.85) {
      const i = this.pickUser();
      const p = this.people[i];
      if (p.status !== 1 || p.deleted) {
        this.singleFailure(sink, t);
        return;
      }
      const [browser, platform] = this.personDevice[i];
      sink.emit(
        t,
        p.userIndex,
        1006,
        this.displayLogin[i],
        this.placeOf(i),
        browser,
        platform,
        rng.pick(this.p.afterLogout),
        0,
        false,
      );
    } else {
      this.singleFailure(sink, t);
    }
  }
}

/** Sink writing into pre-allocated columns (generation order). */
class ColumnSink implements EventSink {
  count = 0;
  constructor(
    readonly cols: Columns,
    readonly capacity: number,
  ) {}

  emit(
    time: number,
    user: number,
    action: number,
    login: number,
    place: number,
    browser: number,
    platform: number,
    page: number,
    description: number,
    active: boolean,
  ): number {
    if (this.count >= this.capacity) return -1;
    const i = this.count++;
    const c = this.cols;
    c.time[i] = time;
    c.user[i] = user;
    c.action[i] = action;
    c.login[i] = login;
    c.place[i] = place;
    c.browser[i] = browser;
    c.platform[i] = platform;
    c.page[i] = page;
    c.description[i] = description;
    c.active[i] = active ? 1 : 0;
    return i;
  }

  deactivate(handle: number): void {
    this.cols.active[handle] = 0;
  }
}

/** Stable permutation sorting `keys` ascending (LSD radix, 2 × 16 bits). */
function radixOrder(keys: Uint32Array, n: number): Uint32Array {
  let perm = new Uint32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  let tmp = new Uint32Array(n);
  const counts = new Uint32Array(65_537);
  for (const shift of [0, 16]) {
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[((keys[perm[i]] >>> shift) & 0xffff) + 1]++;
    for (let k = 1; k <= 65_536; k++) counts[k] += counts[k - 1];
    for (let i = 0; i < n; i++) {
      const v = perm[i];
      tmp[counts[(keys[v] >>> shift) & 0xffff]++] = v;
    }
    const swap = perm;
    perm = tmp;
    tmp = swap;
  }
  return perm;
}

function gather<T extends Float64Array | Int32Array | Uint32Array | Uint16Array | Uint8Array>(
  source: T,
  perm: Uint32Array,
  target: T,
): T {
  for (let i = 0; i < perm.length; i++) target[i] = source[perm[i]];
  return target;
}

/** Generate the whole portal. */
export function generatePortal(o: PortalOptions): GeneratedPortal {
  const rng = new Rng(o.seed);
  const tables = createTables();
  const people = generatePeople(rng.fork('people'), o, tables);
  const eventsRng = rng.fork('events');
  // The newest event is a few seconds to a few minutes before `now`.
  const end = Math.floor((o.now - eventsRng.int(3, 240) * 1000) / 1000) * 1000;
  const rangeStart = Math.ceil((o.now - o.days * 86_400_000) / 1000) * 1000;
  const generator = new EventGenerator(eventsRng, people, tables, o, end);
  const n = Math.max(0, Math.floor(o.events));
  const raw = allocateColumns(n);
  const sink = new ColumnSink(raw, n);
  if (n > 0 && generator.people.some((p) => !p.neverLoggedIn)) {
    // Somebody logged in just now, so the newest event is a little before `now`.
    const owner = 0;
    generator.session(sink, owner, end, false);
    let stuck = 0;
    while (sink.count < n && stuck < 1000) {
      stuck = generator.episode(sink) > 0 ? 0 : stuck + 1;
    }
  }
  const count = sink.count;

  // Sort by second (stable: generation order within a second), then assign ids in date order.
  const keys = new Uint32Array(count);
  let base = rangeStart;
  for (let i = 0; i < count; i++) if (raw.time[i] < base) base = raw.time[i];
  for (let i = 0; i < count; i++) keys[i] = Math.max(0, (raw.time[i] - base) / 1000);
  const perm = radixOrder(keys, count);
  const headroom = Math.max(1024, Math.ceil(count / 16));
  const cols = allocateColumns(count + headroom);
  gather(raw.time.subarray(0, count), perm, cols.time);
  gather(raw.user.subarray(0, count), perm, cols.user);
  gather(raw.action.subarray(0, count), perm, cols.action);
  gather(raw.login.subarray(0, count), perm, cols.login);
  gather(raw.place.subarray(0, count), perm, cols.place);
  gather(raw.browser.subarray(0, count), perm, cols.browser);
  gather(raw.platform.subarray(0, count), perm, cols.platform);
  gather(raw.page.subarray(0, count), perm, cols.page);
  gather(raw.description.subarray(0, count), perm, cols.description);
  gather(raw.active.subarray(0, count), perm, cols.active);

  // A global auto-increment shared with other tenants: ids rise in date order with gaps.
  const idRng = rng.fork('ids');
  const firstId = 1000 + idRng.int(0, 90_000);
  let id = firstId;
  for (let r = 0; r < count; r++) {
    cols.id[r] = id;
    id += 1;
    if (idRng.chance(0.3)) id += idRng.int(1, 12);
    if (idRng.chance(0.0005)) id += idRng.int(100, 2000);
  }
  // OAuth rows come from another service and land a little out of date order.
  for (let r = 0; r < count - 1; r++) {
    if (cols.action[r] === 1028 && idRng.chance(0.7)) {
      const other = Math.min(count - 1, r + idRng.int(1, 3));
      const tmp = cols.id[r];
      cols.id[r] = cols.id[other];
      cols.id[other] = tmp;
    }
  }
  return { people, tables, columns: cols, count, firstId, rangeStart, generator };
}
