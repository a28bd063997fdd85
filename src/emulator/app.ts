/**
 * The emulated DocSpace portal as a node:http request listener. It never listens by itself
 * (see server.ts); tests can also drive `state` directly.
 *
 * Behaviour follows what the real server does, including its flaws: `login/filter` windows the
 * unfiltered newest-first list before filtering, events within the same second come back in a
 * different order on every request, a portal without the `audit` feature silently answers
 * `last` to every filter, 401/402/403(scope)/429 have empty bodies while exceptions inside an
 * action produce a JSON error envelope with a .NET stack trace, and so on.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ACTIONS } from '../model/actions.js';
import { GUEST_ID } from '../model/ids.js';
import { formatApiDate } from '../model/time.js';
import {
  apiKeyForSeed,
  DEMO,
  type Device,
  EMAIL_NOT_SPECIFIED,
  type EmulatorPerson,
  type EventGenerator,
  type EventSink,
  generatePortal,
  ZoneOffsets,
} from './data.js';
import { Rng } from './random.js';
import { EventStore } from './store.js';

export type RateLimitHeaders = 'retry-after' | 'reset' | 'both' | 'none';

export interface RateLimitOptions {
  /** Requests allowed per user (or per IP when anonymous) in any sliding 60-second window. */
  perMinute: number;
  /** Which headers the 429 carries (default `retry-after`). */
  headers?: RateLimitHeaders;
}

export type KeyRole = 'admin' | 'user' | 'noscope' | 'expired';

export interface ExtraKey {
  key: string;
  /**
   * `admin`: a DocSpace admin's key (full access). `user`: a key of a member who is not an
   * admin (403 JSON "Access denied" on login history). `noscope`: a key without `*:read` (403,
   * empty body). `expired`: 401, empty body.
   */
  role: KeyRole;
}

export interface EmulatorOptions {
  /** Seed for all generated data (default 1). */
  seed?: number;
  /** Members of the portal (default 40). */
  users?: number;
  /** Login events generated at start (default 5000). */
  events?: number;
  /** Days of history before `now` (default 90). */
  days?: number;
  /** The portal's IANA time zone (default Europe/Berlin). */
  timezone?: string;
  /** Epoch ms the emulator's clock starts at (default Date.now()); it then runs in real time. */
  now?: number;
  /** The owner's API key (default: derived from the seed, `sk-` + 64 hex). */
  apiKey?: string;
  /** Delay added to every API response, in ms (default 0). */
  latencyMs?: number;
  /** Enable the rate limiter (default off). */
  rateLimit?: RateLimitOptions;
  /** Probability 0..1 that an API request fails (500 JSON, 502, 503 or a dropped connection). */
  failRate?: number;
  /** The tenant's quota has the `audit` feature (default true); false: `login/filter` answers `last`. */
  audit?: boolean;
  /** New events per second appended at the head while running (default 0). */
  live?: number;
  /** Login-history retention in days, 1..180 (default 180). */
  lifetimeDays?: number;
  /** The tenant is unpaid: 402 with an empty body on every endpoint except authentication. */
  unpaid?: boolean;
  /** Additional API keys with other roles. */
  extraKeys?: ExtraKey[];
  /** Portal name (default `demo`); the people's mail domain is `<name>.docspace.test`. */
  portalName?: string;
  /** The owner's email and password (default DEMO.email / DEMO.password). */
  email?: string;
  password?: string;
  /**
   * Reproduce the server's printing of events in the repeated hour after a DST fall-back
   * (converted back assuming standard time, so shown one hour late). Default false.
   */
  dstFoldQuirk?: boolean;
  /** Server only: port to bind (default 0 = any free port). */
  port?: number;
  /** Server only: address to bind (default 127.0.0.1). */
  host?: string;
}

export interface ResolvedEmulatorOptions {
  seed: number;
  users: number;
  events: number;
  days: number;
  timezone: string;
  now: number;
  apiKey: string;
  latencyMs: number;
  rateLimit?: Required<RateLimitOptions>;
  failRate: number;
  audit: boolean;
  live: number;
  lifetimeDays: number;
  unpaid: boolean;
  extraKeys: ExtraKey[];
  portalName: string;
  domain: string;
  email: string;
  password: string;
  dstFoldQuirk: boolean;
}

export function resolveOptions(o: EmulatorOptions = {}): ResolvedEmulatorOptions {
  const seed = o.seed ?? 1;
  const portalName = o.portalName ?? DEMO.portalName;
  const lifetimeDays = o.lifetimeDays ?? 180;
  if (!Number.isInteger(lifetimeDays) || lifetimeDays < 1 || lifetimeDays > 180) {
    throw new RangeError('lifetimeDays must be a whole number from 1 to 180');
  }
  const failRate = o.failRate ?? 0;
  if (!(failRate >= 0 && failRate <= 1)) throw new RangeError('failRate must be between 0 and 1');
  return {
    seed,
    users: Math.max(1, Math.floor(o.users ?? 40)),
    events: Math.max(0, Math.floor(o.events ?? 5000)),
    days: Math.max(1, o.days ?? 90),
    timezone: o.timezone ?? 'Europe/Berlin',
    now: o.now ?? Date.now(),
    apiKey: o.apiKey ?? apiKeyForSeed(seed),
    latencyMs: Math.max(0, o.latencyMs ?? 0),
    rateLimit: o.rateLimit
      ? { perMinute: Math.max(1, o.rateLimit.perMinute), headers: o.rateLimit.headers ?? 'retry-after' }
      : undefined,
    failRate,
    audit: o.audit ?? true,
    live: Math.max(0, o.live ?? 0),
    lifetimeDays,
    unpaid: o.unpaid ?? false,
    extraKeys: o.extraKeys ?? [],
    portalName,
    domain: `${portalName}.docspace.test`,
    email: o.email ?? (portalName === DEMO.portalName ? DEMO.email : `admin@${portalName}.docspace.test`),
    password: o.password ?? DEMO.password,
    dstFoldQuirk: o.dstFoldQuirk ?? false,
  };
}

/** A login event as the emulator serves it. */
export interface ServedEvent {
  id: number;
  date: string;
  user: string;
  userId: string;
  login?: string;
  action: string;
  actionId: number;
  ip: string;
  country: string;
  city: string;
  browser?: string;
  platform?: string;
  page?: string;
}

export interface EmulatorStats {
  /** API requests received (control requests excluded). */
  requests: number;
  /** API requests per path (without query). */
  byPath: Record<string, number>;
  /** API responses per HTTP status (`dropped` for cut connections). */
  byStatus: Record<string, number>;
  /** Events currently stored. */
  events: number;
  /** Events appended since start (live, control API, logins). */
  appended: number;
  /** Events removed by retention or purge since start. */
  purged: number;
  newestId: number;
  newestDate?: string;
  oldestDate?: string;
  /** Approximate memory held by the event columns. */
  storeBytes: number;
  /** Time taken to generate the initial data. */
  generationMs: number;
}

interface Session {
  person: EmulatorPerson;
  eventId: number;
  expires: number;
}

interface Identity {
  person: EmulatorPerson;
  /** `none` = a key without the needed scope. */
  scope: 'full' | 'none';
  session?: { token: string; session: Session };
  via: 'apiKey' | 'token' | 'cookie' | 'basic';
}

/** Login attempts the brute-force guard allows per login and IP within the check period. */
const BRUTE_FORCE_ATTEMPTS = 5;
const BRUTE_FORCE_PERIOD_MS = 60_000;
const TOKEN_LIFETIME_MS = 365 * 86_400_000;
const SUCCESS_FOR_SESSIONS = new Set([
  1000, 1001, 1007, 1010, 1011, 1012, 1015, 1019, 1021, 1024, 1027, 1029,
]);

/** The whole emulated tenant: data, settings, sessions and counters. */
export class EmulatorState {
  readonly options: ResolvedEmulatorOptions;
  readonly store: EventStore;
  readonly people: EmulatorPerson[];
  readonly zone: ZoneOffsets;
  readonly apiKey: string;
  readonly portalName: string;
  readonly user: { email: string; password: string };
  /** Mutable at run time (tests may flip them). */
  audit: boolean;
  unpaid: boolean;
  latencyMs: number;
  failRate: number;
  rateLimit?: Required<RateLimitOptions>;
  readonly settings: { loginHistoryLifeTime: number; auditTrailLifeTime: number; lastModified?: number };
  readonly sessions = new Map<string, Session>();
  readonly keys = new Map<string, { role: KeyRole; person: EmulatorPerson }>();
  readonly generationMs: number;
  private readonly generator: EventGenerator;
  private readonly personByUserIndex: Array<EmulatorPerson | undefined> = [];
  private readonly geoByIp = new Map<string, { country: string; city: string }>();
  private readonly clockStart = Date.now();
  private counters = { requests: 0, byPath: new Map<string, number>(), byStatus: new Map<string, number>() };
  private appended = 0;
  private purged = 0;
  private readonly timers: NodeJS.Timeout[] = [];
  /** Fresh randomness for tie shuffling (never seeded: every request differs). */
  readonly tieRng = Rng.unseeded();
  /** Seeded stream for fault injection and id gaps of new events. */
  readonly faultRng: Rng;
  private readonly idRng: Rng;
  readonly rateWindows = new Map<string, number[]>();
  readonly bruteForce = new Map<string, number[]>();

  constructor(options: EmulatorOptions = {}) {
    const o = resolveOptions(options);
    this.options = o;
    this.zone = new ZoneOffsets(o.timezone);
    const started = performance.now();
    const portal = generatePortal({
      seed: o.seed,
      users: o.users,
      events: o.events,
      days: o.days,
      now: o.now,
      zone: this.zone,
      portalName: o.portalName,
      domain: o.domain,
      ownerEmail: o.email,
      ownerPassword: o.password,
    });
    this.generationMs = performance.now() - started;
    this.people = portal.people;
    this.store = new EventStore(portal.tables, portal.columns, portal.count);
    this.generator = portal.generator;
    for (const p of this.people) {
      this.personByUserIndex[p.userIndex] = p;
      for (const l of p.places) this.geoByIp.set(l.ip, { country: l.country, city: l.city });
    }
    this.apiKey = o.apiKey;
    this.portalName = o.portalName;
    this.user = { email: o.email, password: o.password };
    this.audit = o.audit;
    this.unpaid = o.unpaid;
    this.latencyMs = o.latencyMs;
    this.failRate = o.failRate;
    this.rateLimit = o.rateLimit;
    this.settings = { loginHistoryLifeTime: o.lifetimeDays, auditTrailLifeTime: 180 };
    this.faultRng = new Rng(`faults:${o.seed}`);
    this.idRng = new Rng(`live-ids:${o.seed}`);
    const owner = this.people[0];
    this.keys.set(o.apiKey, { role: 'admin', person: owner });
    for (const k of o.extraKeys) {
      let person = owner;
      if (k.role === 'admin') person = this.people.find((p) => p.role === 'admin' && p.status === 1) ?? owner;
      if (k.role === 'user') {
        person =
          this.people.find((p) => p.role === 'user' && p.status === 1 && !p.deleted) ??
          this.people.find((p) => p.role !== 'owner' && p.role !== 'admin') ??
          owner;
      }
      this.keys.set(k.key, { role: k.role, person });
    }
    // The clean-up service runs at start-up, then daily.
    this.applyRetention();
    const daily = setInterval(() => this.applyRetention(), 86_400_000);
    daily.unref();
    this.timers.push(daily);
    if (o.live > 0) this.startLive(o.live);
  }

  /** The emulator's clock: `now` at start, then real time. */
  now(): number {
    return this.options.now + (Date.now() - this.clockStart);
  }

  /** The portal zone's offset (minutes) at an instant. */
  offsetAt(time: number): number {
    return this.zone.at(time);
  }

  /** ApiDateTime text for an instant, as the server prints it. */
  formatDate(time: number): string {
    if (!this.options.dstFoldQuirk) return this.fastApiDate(time, this.zone.at(time));
    // .NET converts tenant-local wall time back to UTC assuming standard time when ambiguous.
    const offset = this.zone.at(time);
    const wall = time + offset * 60_000;
    for (const probe of [time - 3_600_000, time + 3_600_000]) {
      const other = this.zone.at(probe);
      if (other !== offset && this.zone.at(wall - other * 60_000) === other) {
        const standard = Math.min(offset, other);
        return formatApiDate(wall - standard * 60_000, standard);
      }
    }
    return formatApiDate(time, offset);
  }

  private readonly hourPrefix = new Map<number, string>();
  private readonly offsetSuffix = new Map<number, string>();

  /**
   * `formatApiDate(time, offset)` with the date-and-hour part and the offset cached: serving a
   * page formats a hundred dates, and this keeps that to string concatenation.
   */
  private fastApiDate(time: number, offset: number): string {
    const local = time + offset * 60_000;
    const hour = Math.floor(local / 3_600_000);
    const key = hour * 4096 + offset;
    let prefix = this.hourPrefix.get(key);
    let suffix = this.offsetSuffix.get(offset);
    if (prefix === undefined || suffix === undefined) {
      // `YYYY-MM-DDTHH:` and `Z` / `±hh:mm`, taken from the reference formatter.
      const reference = formatApiDate(hour * 3_600_000 - offset * 60_000, offset);
      prefix = reference.slice(0, 14);
      suffix = reference.slice(27);
      if (this.hourPrefix.size > 100_000) this.hourPrefix.clear();
      this.hourPrefix.set(key, prefix);
      this.offsetSuffix.set(offset, suffix);
    }
    const rest = local - hour * 3_600_000;
    const minutes = Math.floor(rest / 60_000);
    const seconds = Math.floor((rest % 60_000) / 1000);
    const millis = rest % 1000;
    return `${prefix}${minutes < 10 ? '0' : ''}${minutes}:${seconds < 10 ? '0' : ''}${seconds}.${String(millis).padStart(3, '0')}0000${suffix}`;
  }

  personOfUserIndex(index: number): EmulatorPerson | undefined {
    return this.personByUserIndex[index];
  }

  private personIndex?: Map<string, EmulatorPerson>;

  /** Find a member by user name, email or GUID (deleted members are gone). */
  findPerson(idOrName: string): EmulatorPerson | undefined {
    if (!this.personIndex) {
      this.personIndex = new Map();
      for (const p of this.people) {
        if (p.deleted) continue;
        for (const k of [p.userName.toLowerCase(), p.email.toLowerCase(), p.id]) {
          if (!this.personIndex.has(k)) this.personIndex.set(k, p);
        }
      }
    }
    return this.personIndex.get(idOrName.toLowerCase());
  }

  /** Sorted and filtered people lists, memoised: the members do not change while running. */
  readonly peopleLists = new Map<string, EmulatorPerson[]>();

  private startLive(perSecond: number): void {
    const interval = Math.max(50, Math.min(1000, Math.floor(1000 / perSecond)));
    let owed = 0;
    let last = Date.now();
    const timer = setInterval(() => {
      const now = Date.now();
      owed += ((now - last) / 1000) * perSecond;
      last = now;
      const n = Math.floor(owed);
      if (n > 0) {
        owed -= n;
        this.appendEvents(n);
      }
    }, interval);
    timer.unref();
    this.timers.push(timer);
  }

  /** Append `count` new events dated now (a login, logout or failure each). Returns their ids. */
  appendEvents(count: number, at = this.now()): number[] {
    const ids: number[] = [];
    const time = Math.floor(at / 1000) * 1000;
    const sink: EventSink = {
      emit: (t, user, action, login, place, browser, platform, page, description, active) => {
        const id = this.nextId();
        ids.push(id);
        return this.store.append({
          id,
          time: t,
          user,
          action,
          login,
          place,
          browser,
          platform,
          page,
          description,
          active,
        });
      },
      deactivate: (row) => {
        this.store.columns.active[row] = 0;
      },
    };
    while (ids.length < count) this.generator.live(sink, time);
    this.appended += ids.length;
    return ids;
  }

  private nextId(): number {
    return this.store.takeId(this.idRng.chance(0.3) ? this.idRng.int(1, 12) : 0);
  }

  /** Write one event from a request (authentication, logout). Returns its id. */
  writeEvent(e: {
    userId: string;
    action: number;
    login?: string | null;
    ip: string;
    device: Device;
    page?: string | null;
    description?: string;
    active: boolean;
    time?: number;
  }): number {
    const t = this.tables;
    const geo = this.geoByIp.get(e.ip) ?? { country: '', city: '' };
    const id = this.nextId();
    this.store.append({
      id,
      time: Math.floor((e.time ?? this.now()) / 1000) * 1000,
      user: t.users.intern(e.userId),
      action: e.action,
      login: t.logins.intern(e.login ?? null),
      place: t.places.intern(e.ip, geo.country, geo.city),
      browser: t.browsers.intern(e.device.browser),
      platform: t.platforms.intern(e.device.platform),
      page: t.pages.intern(e.page ?? null),
      description: t.descriptions.intern(e.description ?? null),
      active: e.active,
    });
    this.appended++;
    return id;
  }

  get tables() {
    return this.store.tables;
  }

  /** Delete events dated before `before` (epoch ms), or apply the retention setting. */
  purge(before?: number): number {
    const cut = before ?? this.now() - this.settings.loginHistoryLifeTime * 86_400_000;
    const n = this.store.purgeBefore(cut);
    this.purged += n;
    return n;
  }

  applyRetention(): number {
    return this.purge();
  }

  /** Render the event in physical row `row`. */
  renderEvent(row: number, origin: string, limited = false): ServedEvent {
    const c = this.store.columns;
    const t = this.store.tables;
    const time = c.time[row];
    const userIndex = c.user[row];
    const userId = t.users.get(userIndex) ?? GUEST_ID;
    const login = t.logins.get(c.login[row]);
    const person = this.personByUserIndex[userIndex];
    const actionId = c.action[row];
    const place = t.places.get(c.place[row]);
    const e: ServedEvent = {
      id: c.id[row],
      date: this.formatDate(time),
      user: displayUser(person, login, userId),
      userId,
      login: login ?? undefined,
      action: actionText(actionId, t.descriptions.get(c.description[row]), limited),
      actionId,
      ip: place.shownIp,
      country: place.country,
      city: place.city,
      browser: t.browsers.get(c.browser[row]) ?? undefined,
      platform: t.platforms.get(c.platform[row]) ?? undefined,
      page: pageUrl(t.pages.get(c.page[row]), origin),
    };
    if (e.login === undefined) delete e.login;
    if (e.browser === undefined) delete e.browser;
    if (e.platform === undefined) delete e.platform;
    if (e.page === undefined) delete e.page;
    return e;
  }

  /** JSON-escaped table strings, built lazily (the hot path of `filter` concatenates them). */
  private readonly jsonCache = new Map<object, string[]>();
  private readonly actionJson = new Map<string, string>();
  private pageJsonOrigin = '';
  private pageJson: string[] = [];

  private quoted(table: { get(i: number): string | null }, i: number): string {
    let cache = this.jsonCache.get(table);
    if (!cache) {
      cache = [];
      this.jsonCache.set(table, cache);
    }
    let q = cache[i];
    if (q === undefined) {
      q = JSON.stringify(table.get(i) ?? '');
      cache[i] = q;
    }
    return q;
  }

  /** The same as `JSON.stringify(renderEvent(...))`, several times faster. */
  renderEventJson(row: number, origin: string, limited = false): string {
    const c = this.store.columns;
    const t = this.store.tables;
    const time = c.time[row];
    const userIndex = c.user[row];
    const loginIndex = c.login[row];
    const person = this.personByUserIndex[userIndex];
    const actionId = c.action[row];
    const description = c.description[row];
    const actionKey = `${actionId}:${description}:${limited ? 1 : 0}`;
    let action = this.actionJson.get(actionKey);
    if (action === undefined) {
      action = JSON.stringify(actionText(actionId, t.descriptions.get(description), limited));
      this.actionJson.set(actionKey, action);
    }
    const userId = this.quoted(t.users, userIndex);
    const user =
      person && !person.deleted && (person.firstName || person.lastName)
        ? JSON.stringify(displayUser(person, null, ''))
        : JSON.stringify(
            displayUser(undefined, t.logins.get(loginIndex), t.users.get(userIndex) ?? GUEST_ID),
          );
    const place = t.places.get(c.place[row]);
    let s = `{"id":${c.id[row]},"date":"${this.formatDate(time)}","user":${user},"userId":${userId}`;
    if (loginIndex !== 0) s += `,"login":${this.quoted(t.logins, loginIndex)}`;
    s += `,"action":${action},"actionId":${actionId},"ip":${JSON.stringify(place.shownIp)},"country":${JSON.stringify(place.country)},"city":${JSON.stringify(place.city)}`;
    const browser = c.browser[row];
    if (browser !== 0) s += `,"browser":${this.quoted(t.browsers, browser)}`;
    const platform = c.platform[row];
    if (platform !== 0) s += `,"platform":${this.quoted(t.platforms, platform)}`;
    const page = c.page[row];
    if (page !== 0) {
      if (origin !== this.pageJsonOrigin) {
        this.pageJsonOrigin = origin;
        this.pageJson = [];
      }
      let q = this.pageJson[page];
      if (q === undefined) {
        q = JSON.stringify(pageUrl(t.pages.get(page), origin));
        this.pageJson[page] = q;
      }
      s += `,"page":${q}`;
    }
    return `${s}}`;
  }

  /** The whole history newest first as served (ties in stored order). For tests; O(n). */
  allEvents(origin = 'https://emulator.invalid'): ServedEvent[] {
    const out: ServedEvent[] = [];
    this.store.scan((row) => {
      out.push(this.renderEvent(row, origin));
      return true;
    });
    return out;
  }

  countRequest(path: string): void {
    this.counters.requests++;
    this.counters.byPath.set(path, (this.counters.byPath.get(path) ?? 0) + 1);
  }

  countStatus(status: number | 'dropped'): void {
    const key = String(status);
    this.counters.byStatus.set(key, (this.counters.byStatus.get(key) ?? 0) + 1);
  }

  stats(): EmulatorStats {
    const newest = this.store.newestTime();
    const oldest = this.store.oldestTime();
    return {
      requests: this.counters.requests,
      byPath: Object.fromEntries(this.counters.byPath),
      byStatus: Object.fromEntries(this.counters.byStatus),
      events: this.store.size,
      appended: this.appended,
      purged: this.purged,
      newestId: this.store.lastId,
      newestDate: newest !== undefined ? this.formatDate(newest) : undefined,
      oldestDate: oldest !== undefined ? this.formatDate(oldest) : undefined,
      storeBytes: this.store.bytes,
      generationMs: Math.round(this.generationMs),
    };
  }

  resetStats(): void {
    this.counters = { requests: 0, byPath: new Map(), byStatus: new Map() };
  }

  /** Stop timers (live events, daily retention). */
  close(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers.length = 0;
  }

  /** Is the session behind a token still valid (login row present and active, not expired)? */
  sessionValid(s: Session): boolean {
    if (s.expires <= this.now()) return false;
    const row = this.store.findRow(s.eventId);
    return row >= 0 && this.store.columns.active[row] === 1;
  }
}

// ---------------------------------------------------------------------------------------------
// Pure helpers

/** The `user` field: the joined row's names, else the login, else Anonymous / Unknown Account. */
export function displayUser(
  person: EmulatorPerson | undefined,
  login: string | null,
  userId: string,
): string {
  if (person && !person.deleted) {
    if (person.firstName && person.lastName) return `${person.firstName} ${person.lastName}`;
    if (person.firstName || person.lastName) return person.firstName || person.lastName;
  }
  if (login?.trim()) return login;
  return userId === GUEST_ID ? 'Anonymous' : 'Unknown Account';
}

/** Action text; in "limited" mode each description part of 50+ chars becomes 47 chars + `...`. */
export function actionText(code: number, description: string | null, limited: boolean): string {
  const info = ACTIONS.get(code);
  if (!info) return '';
  if (!info.label.includes('{0}')) return info.label;
  // string.Format with a missing argument throws; the mapper then answers "".
  if (description === null) return '';
  const parts = description
    .split(',')
    .map((part) => (limited && part.length >= 50 ? `${part.slice(0, 47)}...` : part))
    .join(', ');
  return info.label.replace('{0}', parts);
}

function pageUrl(page: string | null, origin: string): string | undefined {
  if (page === null) return undefined;
  return /^https?:\/\//.test(page) ? page : origin + page;
}

/** Browser and platform the way the server's UAParser conventions print them. */
const BROWSER_RULES: Array<[RegExp, (m: RegExpExecArray, mobile: boolean, ua: string) => string]> = [
  [/AscDesktopEditor\/(\d+(?:\.\d+)?)/, (m) => `Desktop Editors ${m[1]}`],
  [/Edg(?:e|A|iOS)?\/(\d+)/, (m) => `Edge ${m[1]}`],
  [/OPR\/(\d+)/, (m) => `Opera ${m[1]}`],
  [/SamsungBrowser\/(\d+)/, (m) => `Samsung Internet ${m[1]}`],
  [/(?:Firefox|FxiOS)\/(\d+)/, (m, mobile) => `${mobile ? 'Firefox Mobile' : 'Firefox'} ${m[1]}`],
  [/CriOS\/(\d+)/, (m) => `Chrome Mobile iOS ${m[1]}`],
  [/Chrome\/(\d+)/, (m, mobile) => `${mobile ? 'Chrome Mobile' : 'Chrome'} ${m[1]}`],
  [/Version\/(\d+).*Safari/, (m, _mobile, ua) => `${/iPhone/.test(ua) ? 'Mobile Safari' : 'Safari'} ${m[1]}`],
  [/^curl\/(\d+)/, (m) => `curl ${m[1]}`],
  [/python-requests\/(\d+)/i, (m) => `Python Requests ${m[1]}`],
];

const WINDOWS_VERSIONS: Record<string, string> = { '10.0': '10', '6.3': '8.1', '6.2': '8', '6.1': '7' };

const PLATFORM_RULES: Array<[RegExp, (m: RegExpExecArray) => string]> = [
  [/Windows NT (\d+\.\d+)/, (m) => `Windows ${WINDOWS_VERSIONS[m[1]] ?? m[1]}`],
  [/iPhone OS (\d+)/, (m) => `iOS ${m[1]} Apple iPhone`],
  [/iPad.*OS (\d+)/, (m) => `iOS ${m[1]} Apple iPad`],
  [/Mac OS X (\d+)/, (m) => `Mac OS X ${m[1]} Apple Mac`],
  [/Android (\d+)/, (m) => `Android ${m[1]}`],
  [/CrOS/, () => 'Chrome OS'],
  [/Ubuntu/, () => 'Ubuntu'],
  [/Linux/, () => 'Linux'],
];

/** Browser and platform the way the server's UAParser conventions print them. */
export function parseUserAgent(ua: string | undefined): Device {
  if (!ua) return { browser: null, platform: null };
  const mobile = /Mobile|iPhone|Android/.test(ua);
  let browser = 'Other';
  for (const [re, name] of BROWSER_RULES) {
    const m = re.exec(ua);
    if (m) {
      browser = name(m, mobile, ua);
      break;
    }
  }
  let platform = 'Other';
  for (const [re, name] of PLATFORM_RULES) {
    const m = re.exec(ua);
    if (m) {
      platform = name(m);
      break;
    }
  }
  return { browser, platform };
}

const GUID_FORMS = [
  /^([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})$/i,
  /^\{([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})\}$/i,
  /^\(([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})\)$/i,
  /^([0-9a-f]{8})([0-9a-f]{4})([0-9a-f]{4})([0-9a-f]{4})([0-9a-f]{12})$/i,
];

/** .NET Guid.Parse forms D, B, P and N; returns the D form in lower case. */
export function parseGuid(value: string): string | undefined {
  for (const re of GUID_FORMS) {
    const m = re.exec(value.trim());
    if (m) return m.slice(1).join('-').toLowerCase();
  }
  return undefined;
}

/** The server's ApiDateTime query parsing; `undefined` for valid input means "no value". */
export function parseQueryDate(value: string): { time: number } | { error: 'format' | 'zone' } {
  const m =
    /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2})([:-])(\d{2})\5(\d{2})(?:\.(\d{3}|\d{7}))?(Z|[+-]\d{2}:\d{2})?)?$/.exec(
      value,
    );
  if (!m) return { error: 'format' };
  const [, y, mo, d, h, , mi, s, frac = '', zone] = m;
  // Date-only or no zone: the server looks up the tenant's zone through a null TenantManager.
  if (h === undefined || zone === undefined) return { error: 'zone' };
  const local = Date.UTC(+y, +mo - 1, +d, +h, +mi, +s, Number((frac + '000').slice(0, 3)));
  const check = new Date(local);
  if (
    Number.isNaN(local) ||
    check.getUTCDate() !== +d ||
    check.getUTCMonth() !== +mo - 1 ||
    +h > 23 ||
    +mi > 59 ||
    +s > 59
  ) {
    return { error: 'format' };
  }
  let offset = 0;
  if (zone !== 'Z') {
    const [hh, mm] = zone.slice(1).split(':').map(Number);
    if (hh > 14 || mm > 59) return { error: 'format' };
    offset = (zone[0] === '-' ? -1 : 1) * (hh * 60 + mm);
  }
  return { time: local - offset * 60_000 };
}

/** .NET Int32 parsing: optional whitespace and sign; undefined when invalid or out of range. */
function parseInt32(value: string): number | undefined {
  if (!/^\s*[+-]?\d+\s*$/.test(value)) return undefined;
  const n = Number(value.trim());
  return n >= -2147483648 && n <= 2147483647 ? n : undefined;
}

function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  return address === '::1' || /^(::ffff:)?127\./.test(address);
}

function sevenDigitsUtc(time: number): string {
  return `${new Date(time).toISOString().slice(0, 23)}0000Z`;
}

// ---------------------------------------------------------------------------------------------
// HTTP

interface Ctx {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  /** Query parameters by lower-case name, first value. */
  query: Map<string, string>;
  origin: string;
  href: string;
  started: number;
  params: string[];
  identity?: Identity;
  ip: string;
}

type Handler = (ctx: Ctx) => void | Promise<void>;

interface Route {
  method: 'GET' | 'POST';
  pattern: RegExp;
  /** Anonymous endpoints are also allowed for unpaid tenants ([AllowNotPayment]). */
  anonymous?: boolean;
  handler: Handler;
}

const STACKS = {
  authorizing: [
    '   at ASC.Core.Security.Authorizing.PermissionResolver.DemandAsync(IAccount account, ISecurityObjectId objectId, ISecurityObjectProvider securityObjProvider, IAction[] actions) in /app/onlyoffice/src/server/common/ASC.Core.Common/Security/Authorizing/PermissionResolver.cs:line 63',
    '   at ASC.Core.PermissionContext.DemandPermissionsAsync(IAction[] actions) in /app/onlyoffice/src/server/common/ASC.Core.Common/Context/PermissionContext.cs:line 49',
    '   at ASC.Web.Api.Controllers.SecurityController.{method}() in /app/onlyoffice/src/server/web/ASC.Web.Api/Api/SecurityController.cs:line {line}',
    '   at lambda_method1204(Closure, Object)',
    '   at Microsoft.AspNetCore.Mvc.Infrastructure.ActionMethodExecutor.AwaitableObjectResultExecutor.Execute(ActionContext actionContext, IActionResultTypeMapper mapper, ObjectMethodExecutor executor, Object controller, Object[] arguments)',
    '   at Microsoft.AspNetCore.Mvc.Infrastructure.ControllerActionInvoker.<InvokeActionMethodAsync>g__Awaited|12_0(ControllerActionInvoker invoker, ValueTask`1 actionResultValueTask)',
  ].join('\r\n'),
  notFound: [
    '   at ASC.People.Api.UserController.GetByIdAsync(String userid) in /app/onlyoffice/src/server/products/ASC.People/Server/Api/UserController.cs:line 1108',
    '   at lambda_method2311(Closure, Object)',
    '   at Microsoft.AspNetCore.Mvc.Infrastructure.ActionMethodExecutor.AwaitableObjectResultExecutor.Execute(ActionContext actionContext, IActionResultTypeMapper mapper, ObjectMethodExecutor executor, Object controller, Object[] arguments)',
  ].join('\r\n'),
  argument: [
    '   at ASC.Web.Api.Controllers.SecurityController.SetAuditSettingsAsync(TenantAuditSettingsWrapper wrapper) in /app/onlyoffice/src/server/web/ASC.Web.Api/Api/SecurityController.cs:line 241',
    '   at lambda_method1877(Closure, Object)',
    '   at Microsoft.AspNetCore.Mvc.Infrastructure.ActionMethodExecutor.AwaitableObjectResultExecutor.Execute(ActionContext actionContext, IActionResultTypeMapper mapper, ObjectMethodExecutor executor, Object controller, Object[] arguments)',
  ].join('\r\n'),
  billing: [
    '   at ASC.Web.Api.Controllers.SecurityController.DemandAuditPermissionAsync() in /app/onlyoffice/src/server/web/ASC.Web.Api/Api/SecurityController.cs:line 288',
    '   at ASC.Web.Api.Controllers.SecurityController.SetAuditSettingsAsync(TenantAuditSettingsWrapper wrapper) in /app/onlyoffice/src/server/web/ASC.Web.Api/Api/SecurityController.cs:line 236',
  ].join('\r\n'),
  invalidOperation: [
    '   at ASC.Web.Api.Controllers.AuthenticationController.AuthenticateMeAsync(AuthRequestsDto inDto) in /app/onlyoffice/src/server/web/ASC.Web.Api/Api/AuthenticationController.cs:line 214',
  ].join('\r\n'),
  database: [
    '   at MySqlConnector.Core.ServerSession.ConnectAsync(ConnectionSettings cs, MySqlConnection connection, Int64 startingTimestamp, ILoadBalancer loadBalancer, Activity activity, IOBehavior ioBehavior, CancellationToken cancellationToken) in /_/src/MySqlConnector/Core/ServerSession.cs:line 433',
    '   at MySqlConnector.MySqlConnection.CreateSessionAsync(ConnectionPool pool, Int64 startingTimestamp, Activity activity, Nullable`1 ioBehavior, CancellationToken cancellationToken) in /_/src/MySqlConnector/MySqlConnection.cs:line 1092',
    '   at Microsoft.EntityFrameworkCore.Storage.RelationalConnection.OpenInternalAsync(Boolean errorsExpected, CancellationToken cancellationToken)',
    '   at ASC.AuditTrail.Repositories.LoginEventsRepository.GetByFilterAsync(Nullable`1 login, Nullable`1 action, Nullable`1 fromDate, Nullable`1 to, Int32 startIndex, Int32 limit, Boolean limitedActionText) in /app/onlyoffice/src/server/common/services/ASC.AuditTrail/Repositories/LoginEventsRepository.cs:line 87',
  ].join('\r\n'),
};

const FIELD_NAMES: Record<string, string> = {
  count: 'Count',
  startindex: 'StartIndex',
  userid: 'UserId',
  action: 'Action',
  from: 'From',
  to: 'To',
  employeestatus: 'EmployeeStatus',
  employeetype: 'EmployeeType',
};

export interface EmulatorApp {
  /** node:http request listener. */
  handle(req: IncomingMessage, res: ServerResponse): void;
  state: EmulatorState;
  /** Stop timers; the server closes sockets itself. */
  close(): void;
}

/** Build the emulated portal (data generated synchronously) and its request listener. */
export function createEmulatorApp(options: EmulatorOptions = {}): EmulatorApp {
  const state = new EmulatorState(options);
  const routes = buildRoutes(state);
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    dispatch(state, routes, req, res).catch((err: unknown) => {
      if (!res.headersSent) {
        const e = err as Error;
        sendError(
          res,
          performance.now(),
          500,
          e?.message ?? 'Internal error',
          'System.Exception',
          STACKS.database,
          -2146233088,
        );
      } else {
        res.destroy();
      }
    });
  };
  return { handle, state, close: () => state.close() };
}

function sendRaw(
  res: ServerResponse,
  started: number,
  status: number,
  body: string,
  contentType?: string,
  headers: Record<string, string> = {},
): void {
  const h: Record<string, string | number> = {
    ...headers,
    'server-timing': `aspnetcore-request-time;dur=${Math.max(0, Math.round(performance.now() - started))}`,
  };
  if (contentType) h['content-type'] = contentType;
  h['content-length'] = Buffer.byteLength(body);
  res.writeHead(status, h);
  res.end(body);
}

function sendEmpty(
  res: ServerResponse,
  started: number,
  status: number,
  headers?: Record<string, string>,
): void {
  sendRaw(res, started, status, '', undefined, headers);
}

const JSON_TYPE = 'application/json; charset=utf-8';

function sendError(
  res: ServerResponse,
  started: number,
  status: number,
  message: string,
  type: string | null,
  stack: string | null,
  hresult: number,
): void {
  const body = JSON.stringify({ error: { message, type, stack, hresult }, status: 1, statusCode: status });
  sendRaw(res, started, status, body, JSON_TYPE);
}

function fieldsOf(ctx: Ctx): string[] | undefined {
  const values = [...ctx.url.searchParams.entries()]
    .filter(([k]) => k.toLowerCase() === 'fields' || k.toLowerCase() === 'fields[]')
    .flatMap(([, v]) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
  return values.length ? values : undefined;
}

function trimFields(value: unknown, fields: string[]): unknown {
  const pick = (o: unknown) => {
    if (!o || typeof o !== 'object') return o;
    const out: Record<string, unknown> = {};
    for (const f of fields) if (f in (o as object)) out[f] = (o as Record<string, unknown>)[f];
    return out;
  };
  return Array.isArray(value) ? value.map(pick) : pick(value);
}

/** The success envelope. `response` null/undefined is omitted (count 0). */
function sendEnvelope(ctx: Ctx, response: unknown, extra: { total?: number; count?: number } = {}): void {
  const fields = fieldsOf(ctx);
  const payload =
    fields && response !== null && response !== undefined ? trimFields(response, fields) : response;
  const count =
    extra.count ??
    (payload === null || payload === undefined ? 0 : Array.isArray(payload) ? payload.length : 1);
  const body: Record<string, unknown> = {};
  if (payload !== null && payload !== undefined) body.response = payload;
  body.count = count;
  if (extra.total !== undefined) body.total = extra.total;
  body.links = [{ href: ctx.href, action: ctx.req.method }];
  body.status = 0;
  body.statusCode = 200;
  sendRaw(ctx.res, ctx.started, 200, JSON.stringify(body), JSON_TYPE);
}

/** A model-validation failure: ValidationProblemDetails wrapped in the envelope, HTTP 400. */
function sendValidation(ctx: Ctx, errors: Record<string, string[]>): void {
  const traceId = `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-00`;
  const body = {
    response: {
      type: 'https://tools.ietf.org/html/rfc9110#section-15.5.1',
      title: 'One or more validation errors occurred.',
      status: 400,
      errors,
      traceId,
    },
    count: 1,
    links: [{ href: ctx.href, action: ctx.req.method }],
    status: 1,
    statusCode: 400,
  };
  sendRaw(ctx.res, ctx.started, 400, JSON.stringify(body), 'application/problem+json; charset=utf-8');
}

function accessDenied(ctx: Ctx, method: string, line: number): void {
  sendError(
    ctx.res,
    ctx.started,
    403,
    'Access denied',
    'ASC.Common.Security.Authorizing.AuthorizingException',
    STACKS.authorizing.replace('{method}', method).replace('{line}', String(line)),
    -2146233088,
  );
}

function readBody(req: IncomingMessage, limit = 1_000_000): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        resolve(undefined);
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

async function readJson(ctx: Ctx): Promise<{ ok: true; value: unknown } | { ok: false }> {
  const text = await readBody(ctx.req);
  if (text === undefined) return { ok: false };
  if (!text.trim()) return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

function clientIp(ctx: Ctx): string {
  // MessageSettings.GetIP: the `request-x-real-ip` query parameter overrides the socket address.
  return ctx.query.get('request-x-real-ip') ?? ctx.req.socket.remoteAddress ?? '';
}

function clientDevice(ctx: Ctx): Device {
  const ua = ctx.query.get('request-user-agent') ?? ctx.req.headers['user-agent'];
  return parseUserAgent(ua);
}

/** `page`: the Referer, else the request URL (path and query; the origin is added when served). */
function requestPage(ctx: Ctx): string {
  const referer = ctx.req.headers.referer;
  if (typeof referer === 'string' && referer) return referer;
  return ctx.url.pathname + ctx.url.search;
}

function authenticate(state: EmulatorState, req: IncomingMessage): Identity | undefined {
  const header = req.headers.authorization;
  if (header) {
    const bearer = /^Bearer\s+(.+)$/i.exec(header);
    const value = bearer ? bearer[1].trim() : header.trim();
    if (bearer && value.startsWith('sk-')) {
      const key = state.keys.get(value);
      if (!key || key.role === 'expired') return undefined;
      return { person: key.person, scope: key.role === 'noscope' ? 'none' : 'full', via: 'apiKey' };
    }
    const basic = /^Basic\s+(.+)$/i.exec(header);
    if (basic) {
      const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      const person = colon > 0 ? state.findPerson(decoded.slice(0, colon)) : undefined;
      if (person?.status !== 1 || person.password !== decoded.slice(colon + 1)) return undefined;
      return { person, scope: 'full', via: 'basic' };
    }
    // A JWT would go to the identity service, which the emulator does not have.
    if (bearer && /^[\w-]+\.[\w-]+\.[\w-]+$/.test(value)) return undefined;
    // Anything else is a session token (the cookie takes precedence when present).
    const fromCookie = cookieToken(req);
    const token = fromCookie ?? value;
    return sessionIdentity(state, token, fromCookie ? 'cookie' : 'token');
  }
  const cookie = cookieToken(req);
  return cookie ? sessionIdentity(state, cookie, 'cookie') : undefined;
}

function cookieToken(req: IncomingMessage): string | undefined {
  const cookie = req.headers.cookie;
  if (!cookie) return undefined;
  for (const part of cookie.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === 'asc_auth_key') return decodeURIComponent(v.join('='));
  }
  return undefined;
}

function sessionIdentity(state: EmulatorState, token: string, via: 'token' | 'cookie'): Identity | undefined {
  const session = state.sessions.get(token);
  if (!session || !state.sessionValid(session) || session.person.status !== 1) return undefined;
  return { person: session.person, scope: 'full', session: { token, session }, via };
}

/** Sliding-window limiter: returns the 429 headers when the request is rejected. */
function rateLimited(state: EmulatorState, partition: string): Record<string, string> | undefined {
  const limit = state.rateLimit;
  if (!limit) return undefined;
  const now = Date.now();
  let window = state.rateWindows.get(partition);
  if (!window) {
    window = [];
    state.rateWindows.set(partition, window);
  }
  let drop = 0;
  while (drop < window.length && window[drop] <= now - 60_000) drop++;
  if (drop) window.splice(0, drop);
  if (window.length < limit.perMinute) {
    window.push(now);
    return undefined;
  }
  const freeAt = window[0] + 60_000;
  const headers: Record<string, string> = {};
  const kind = limit.headers;
  if (kind === 'none') return headers;
  headers['x-ratelimit-limit'] = String(limit.perMinute);
  headers['x-ratelimit-remaining'] = '0';
  if (kind === 'retry-after' || kind === 'both') {
    headers['retry-after'] = String(Math.max(1, Math.ceil((freeAt - now) / 1000)));
  }
  if (kind === 'reset' || kind === 'both') headers['x-ratelimit-reset'] = String(Math.ceil(freeAt / 1000));
  return headers;
}

async function dispatch(
  state: EmulatorState,
  routes: Route[],
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const started = performance.now();
  const rawUrl = req.url ?? '/';
  const host = req.headers.host ?? `${req.socket.localAddress}:${req.socket.localPort}`;
  const origin = `http://${host}`;
  let url: URL;
  try {
    url = new URL(rawUrl, origin);
  } catch {
    sendEmpty(res, started, 400);
    return;
  }
  if (url.pathname.startsWith('/__emulator/')) {
    await control(state, req, res, url, started);
    return;
  }
  state.countRequest(url.pathname);
  res.on('finish', () => state.countStatus(res.statusCode));
  const query = new Map<string, string>();
  for (const [k, v] of url.searchParams) if (!query.has(k.toLowerCase())) query.set(k.toLowerCase(), v);
  const ctx: Ctx = {
    req,
    res,
    url,
    query,
    origin,
    href: origin + rawUrl,
    started,
    params: [],
    ip: '',
  };
  ctx.ip = clientIp(ctx);
  if (state.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, state.latencyMs));

  const path = url.pathname.replace(/\/+$/, '');
  let route: Route | undefined;
  let pathMatched = false;
  for (const r of routes) {
    const m = r.pattern.exec(path);
    if (!m) continue;
    pathMatched = true;
    if (r.method === req.method) {
      route = r;
      ctx.params = m.slice(1).map((p) => decodeURIComponent(p));
      break;
    }
  }
  if (!route) {
    sendEmpty(res, started, pathMatched ? 405 : 404);
    return;
  }

  if (state.failRate > 0 && state.faultRng.chance(state.failRate)) {
    const kind = state.faultRng.int(0, 3);
    if (kind === 0) {
      sendError(
        res,
        started,
        500,
        'Connect Timeout expired. All pooled connections are in use.',
        'MySqlConnector.MySqlException',
        STACKS.database,
        -2147467259,
      );
    } else if (kind === 1) {
      sendEmpty(res, started, 502);
    } else if (kind === 2) {
      sendEmpty(res, started, 503);
    } else {
      state.countStatus('dropped');
      req.socket.destroy();
    }
    return;
  }

  const identity = authenticate(state, req);
  ctx.identity = identity;
  const limited = rateLimited(state, identity ? `user:${identity.person.id}` : `ip:${ctx.ip}`);
  if (limited) {
    sendEmpty(res, started, 429, limited);
    return;
  }
  if (!route.anonymous) {
    if (!identity) {
      sendEmpty(res, started, 401);
      return;
    }
    // PaymentFilter: skipped when the request says `Payment-Info: false`.
    if (state.unpaid && String(req.headers['payment-info']).toLowerCase() !== 'false') {
      sendEmpty(res, started, 402);
      return;
    }
    if (identity.scope === 'none') {
      sendEmpty(res, started, 403);
      return;
    }
  }
  await route.handler(ctx);
}

// ---------------------------------------------------------------------------------------------
// Control API (loopback only, no auth): for tests and benchmarks.

async function control(
  state: EmulatorState,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  started: number,
): Promise<void> {
  if (!isLoopback(req.socket.remoteAddress)) {
    sendEmpty(res, started, 404);
    return;
  }
  const send = (status: number, body: unknown) =>
    sendRaw(res, started, status, JSON.stringify(body), JSON_TYPE);
  const path = url.pathname.replace(/\/+$/, '');
  const method = req.method;
  if (path === '/__emulator/stats' && method === 'GET') return send(200, state.stats());
  if (path === '/__emulator/info' && method === 'GET') {
    const o = state.options;
    return send(200, {
      portalName: state.portalName,
      seed: o.seed,
      timezone: o.timezone,
      users: state.people.length,
      events: state.store.size,
      audit: state.audit,
      unpaid: state.unpaid,
      lifetimeDays: state.settings.loginHistoryLifeTime,
      now: new Date(state.now()).toISOString(),
    });
  }
  if (path === '/__emulator/reset-stats' && method === 'POST') {
    state.resetStats();
    return send(200, { ok: true });
  }
  if (path === '/__emulator/purge' && method === 'POST') {
    const before = url.searchParams.get('before');
    let cut: number | undefined;
    if (before) {
      cut = Date.parse(before);
      if (Number.isNaN(cut)) return send(400, { error: `"before" is not an ISO date: ${before}` });
    }
    const purged = state.purge(cut);
    return send(200, { purged, events: state.store.size });
  }
  if (path === '/__emulator/events' && method === 'POST') {
    const count = Number(url.searchParams.get('count') ?? '1');
    if (!Number.isInteger(count) || count < 0 || count > 1_000_000) {
      return send(400, { error: '"count" must be a whole number from 0 to 1000000' });
    }
    const ids = state.appendEvents(count);
    return send(200, {
      appended: ids.length,
      ids: ids.length <= 1000 ? ids : undefined,
      events: state.store.size,
    });
  }
  sendEmpty(res, started, 404);
}

// ---------------------------------------------------------------------------------------------
// Endpoints

function isAdmin(p: EmulatorPerson): boolean {
  return p.role === 'owner' || p.role === 'admin';
}

function buildRoutes(state: EmulatorState): Route[] {
  const api = (path: string) => new RegExp(`^/api/2\\.0/${path}$`, 'i');
  /** EditPortalSettings: owner or DocSpace admin, else AuthorizingException (403 JSON). */
  const admin =
    (method: string, line: number, handler: Handler): Handler =>
    (c) =>
      isAdmin(c.identity!.person) ? handler(c) : accessDenied(c, method, line);
  return [
    {
      method: 'GET',
      pattern: api('security/audit/login/last'),
      handler: admin('GetLastLoginEventsAsync', 94, (c) => lastEvents(state, c)),
    },
    {
      method: 'GET',
      pattern: api('security/audit/login/filter'),
      handler: admin('GetLoginEventsByFilterAsync', 118, (c) => filterEvents(state, c)),
    },
    {
      method: 'GET',
      pattern: api('security/audit/settings/lifetime'),
      handler: admin('GetAuditSettingsAsync', 212, (c) => getLifetime(state, c)),
    },
    {
      method: 'POST',
      pattern: api('security/audit/settings/lifetime'),
      handler: admin('SetAuditSettingsAsync', 233, (c) => setLifetime(state, c)),
    },
    { method: 'GET', pattern: api('portal/quota'), handler: (c) => sendEnvelope(c, quota(state)) },
    { method: 'GET', pattern: api('people'), handler: (c) => peopleList(state, c, false) },
    { method: 'GET', pattern: api('people/filter'), handler: (c) => peopleList(state, c, true) },
    { method: 'GET', pattern: api('people/([^/]+)'), handler: (c) => personById(state, c) },
    {
      method: 'GET',
      pattern: api('security/activeconnections'),
      handler: (c) => activeConnections(state, c),
    },
    {
      method: 'GET',
      pattern: api('authentication'),
      anonymous: true,
      handler: (c) => sendEnvelope(c, c.identity !== undefined),
    },
    { method: 'POST', pattern: api('authentication'), anonymous: true, handler: (c) => login(state, c) },
    { method: 'POST', pattern: api('authentication/logout'), handler: (c) => logout(state, c) },
  ];
}

/** Send login events; without `fields` trimming the JSON is concatenated directly. */
function sendEvents(state: EmulatorState, ctx: Ctx, rows: number[], limited: boolean): void {
  if (fieldsOf(ctx)) {
    sendEnvelope(
      ctx,
      rows.map((row) => state.renderEvent(row, ctx.origin, limited)),
    );
    return;
  }
  const items = rows.map((row) => state.renderEventJson(row, ctx.origin, limited)).join(',');
  const links = JSON.stringify([{ href: ctx.href, action: ctx.req.method }]);
  const body = `{"response":[${items}],"count":${rows.length},"links":${links},"status":0,"statusCode":200}`;
  sendRaw(ctx.res, ctx.started, 200, body, JSON_TYPE);
}

/** `last`: the 20 newest events, limited action text, no parameters. */
function lastEvents(state: EmulatorState, ctx: Ctx): void {
  const rows = state.store.window(0, 20, state.tieRng);
  sendEvents(state, ctx, rows, true);
}

const VALID_ACTIONS = new Map<string, number>([
  ['none', -1],
  ...[...ACTIONS.values()].map((a) => [a.name.toLowerCase(), a.code] as [string, number]),
]);

/** MessageAction binding: a name (any case) or a number that is a defined member. */
function parseAction(value: string): number | undefined {
  const named = VALID_ACTIONS.get(value.trim().toLowerCase());
  if (named !== undefined) return named;
  const n = parseInt32(value);
  if (n === undefined) return undefined;
  // Codes below 2000 are the login catalogue; 2000 and above are audit-trail members of the same
  // enum (we accept the whole range: they are defined there, and simply never match here).
  if (n === -1 || n === 0 || ACTIONS.has(n) || (n >= 2000 && n < 10_000)) return n;
  return undefined;
}

function filterEvents(state: EmulatorState, ctx: Ctx) {
  const errors: Record<string, string[]> = {};
  const fail = (key: string, message: string) => {
    errors[key] = [...(errors[key] ?? []), message];
  };
  const q = ctx.query;
  const invalid = (key: string, value: string) =>
    fail(
      key,
      value.trim()
        ? `The value '${value}' is not valid for ${FIELD_NAMES[key]}.`
        : `The value '${value}' is invalid.`,
    );

  let count = 100;
  const rawCount = q.get('count');
  if (rawCount !== undefined) {
    const n = parseInt32(rawCount);
    if (n === undefined) invalid('count', rawCount);
    else count = n;
  }
  if (errors.count === undefined && (count < 1 || count > 100)) {
    fail('count', 'The field Count must be between 1 and 100.');
  }
  let startIndex = 0;
  const rawStart = q.get('startindex');
  if (rawStart !== undefined) {
    const n = parseInt32(rawStart);
    if (n === undefined) invalid('startIndex', rawStart);
    else startIndex = n;
  }
  let userIndex: number | undefined;
  const rawUser = q.get('userid');
  if (rawUser !== undefined) {
    const guid = parseGuid(rawUser);
    if (guid === undefined) invalid('userId', rawUser);
    else if (guid !== '00000000-0000-0000-0000-000000000000') userIndex = state.tables.users.find(guid);
  }
  let action: number | undefined;
  const rawAction = q.get('action');
  if (rawAction !== undefined) {
    const a = parseAction(rawAction);
    if (a === undefined) invalid('action', rawAction);
    else if (a !== 0 && a !== -1) action = a;
  }
  const dates: { from?: number; to?: number } = {};
  for (const key of ['from', 'to'] as const) {
    const raw = q.get(key);
    // ApiDateTime is a class: an empty value binds to null, i.e. no bound.
    if (raw === undefined || raw === '') continue;
    const parsed = parseQueryDate(raw);
    if ('error' in parsed) {
      if (parsed.error === 'format') invalid(key, raw);
      else fail(key, 'The input was not valid.');
    } else {
      dates[key] = parsed.time;
    }
  }
  if (Object.keys(errors).length) return sendValidation(ctx, errors);
  if (!state.audit) return lastEvents(state, ctx);

  // The repository's order: Skip/Take over the whole tenant history (newest first), THEN the
  // conditions, inside that window.
  const rows = state.store.window(Math.max(startIndex, 0), count, state.tieRng);
  const c = state.store.columns;
  const kept = rows.filter(
    (r) =>
      (userIndex === undefined || c.user[r] === userIndex) &&
      (action === undefined || c.action[r] === action) &&
      (dates.from === undefined || c.time[r] >= dates.from) &&
      (dates.to === undefined || c.time[r] <= dates.to),
  );
  sendEvents(state, ctx, kept, false);
}

function settingsDto(state: EmulatorState) {
  return {
    loginHistoryLifeTime: state.settings.loginHistoryLifeTime,
    auditTrailLifeTime: state.settings.auditTrailLifeTime,
    // A plain DateTime: UTC now when never saved, else the stored timestamp.
    lastModified: sevenDigitsUtc(state.settings.lastModified ?? state.now()),
  };
}

function getLifetime(state: EmulatorState, ctx: Ctx): void {
  sendEnvelope(ctx, settingsDto(state));
}

async function setLifetime(state: EmulatorState, ctx: Ctx): Promise<void> {
  const body = await readJson(ctx);
  if (!body.ok) {
    return sendValidation(ctx, {
      $: ['The JSON value could not be converted to TenantAuditSettingsWrapper.'],
    });
  }
  if (!state.audit) {
    return sendError(
      ctx.res,
      ctx.started,
      402,
      'Your pricing plan does not support this option',
      'ASC.Core.Billing.BillingException',
      STACKS.billing,
      -2146233088,
    );
  }
  const settings = (body.value as { settings?: Record<string, unknown> } | undefined)?.settings;
  if (!settings || typeof settings !== 'object') {
    return sendValidation(ctx, { settings: ['The Settings field is required.'] });
  }
  const values: Record<string, number> = {};
  for (const key of ['loginHistoryLifeTime', 'auditTrailLifeTime']) {
    const v = settings[key] ?? 0;
    if (typeof v !== 'number' || !Number.isInteger(v)) {
      return sendValidation(ctx, {
        [`settings.${key}`]: [
          `The JSON value could not be converted to System.Int32. Path: $.settings.${key}`,
        ],
      });
    }
    values[key] = v;
  }
  for (const [key, v] of Object.entries(values)) {
    if (v < 1 || v > 180) {
      const name = key[0].toUpperCase() + key.slice(1);
      return sendError(
        ctx.res,
        ctx.started,
        400,
        name,
        'System.ArgumentException',
        STACKS.argument,
        -2147024809,
      );
    }
  }
  const shorter = values.loginHistoryLifeTime < state.settings.loginHistoryLifeTime;
  state.settings.loginHistoryLifeTime = values.loginHistoryLifeTime;
  state.settings.auditTrailLifeTime = values.auditTrailLifeTime;
  state.settings.lastModified = state.now();
  // The real clean-up service applies a shorter lifetime on its next daily run; the emulator
  // applies it at once so that tests and demos see the effect.
  if (shorter) state.applyRetention();
  sendEnvelope(ctx, settingsDto(state));
}

function quota(state: EmulatorState) {
  const paid = state.audit;
  const features = paid
    ? 'audit,ldap,sso,statistic,branding,customization,restore,oauth,contentSearch,thirdParty,backup,docsEdition,automationApi'
    : 'docsEdition,oauth,thirdParty,automationApi';
  return {
    tenantId: 1,
    name: paid ? 'business' : 'startup',
    price: paid ? 15 : 0,
    priceCurrencySymbol: '€',
    priceISOCurrencySymbol: 'EUR',
    productId: paid ? '1002' : '1001',
    visible: true,
    wallet: false,
    dueDate: `${new Date(state.now() + 200 * 86_400_000).toISOString().slice(0, 10)}T00:00:00`,
    features,
    maxFileSize: paid ? 1_073_741_824 : 104_857_600,
    maxTotalSize: paid ? 268_435_456_000 : 2_147_483_648,
    countUser: paid ? 1000 : 3,
    countRoomAdmin: paid ? 100 : 3,
    usersInRoom: paid ? 1000 : 3,
    countRoom: paid ? 10_000 : 12,
    nonProfit: false,
    trial: false,
    free: !paid,
    update: false,
    audit: paid,
    docsEdition: true,
    ldap: paid,
    sso: paid,
    statistic: paid,
    branding: paid,
    customization: paid,
    lifetime: false,
    automationApi: true,
    custom: false,
    restore: paid,
    oauth: true,
    contentSearch: paid,
    thirdParty: true,
    year: false,
    countFreeBackup: paid ? 4 : 0,
    backup: paid,
    countAIAgent: 0,
    aiTools: false,
  };
}

function employeeSummary(p: EmulatorPerson, origin: string) {
  return {
    id: p.id,
    displayName: p.displayName,
    avatar: '/static/images/default_user_photo_size_82-82.png',
    avatarOriginal: '/static/images/default_user_photo_size_200-200.png',
    avatarMax: '/static/images/default_user_photo_size_200-200.png',
    avatarMedium: '/static/images/default_user_photo_size_48-48.png',
    avatarSmall: '/static/images/default_user_photo_size_32-32.png',
    profileUrl: `${origin}/accounts/people/filter?search=${encodeURIComponent(p.email)}`,
    hasAvatar: false,
    isAnonim: false,
  };
}

function personDto(state: EmulatorState, p: EmulatorPerson, origin: string, callerIsAdmin: boolean) {
  const dto: Record<string, unknown> = {
    ...employeeSummary(p, origin),
    firstName: p.firstName,
    lastName: p.lastName,
    userName: p.userName,
    email: p.email,
    status: p.status,
    activationStatus: p.activationStatus,
  };
  if (p.terminated !== undefined) dto.terminated = state.formatDate(p.terminated);
  if (p.department) dto.department = p.department;
  Object.assign(dto, {
    isAdmin: p.role === 'admin',
    isRoomAdmin: p.role === 'roomAdmin',
    isLDAP: false,
    isOwner: p.role === 'owner',
    isVisitor: p.role === 'guest',
    isCollaborator: p.role === 'user',
    cultureName: p.cultureName,
  });
  if (p.mobilePhone) dto.mobilePhone = p.mobilePhone;
  dto.mobilePhoneActivationStatus = 0;
  dto.isSSO = p.isSSO;
  dto.usedSpace = Number.parseInt(p.id.slice(0, 6), 16) * 97;
  if (callerIsAdmin) {
    dto.createdBy = employeeSummary(state.people[0], origin);
    dto.tfaAppEnabled = p.tfaAppEnabled;
  }
  dto.registrationDate = state.formatDate(p.registered);
  dto.hasPersonalFolder = p.role !== 'guest';
  return dto;
}

function selectPeople(
  state: EmulatorState,
  o: { st: number; type?: number; admins?: string; text?: string; sortBy: string; order: string },
): EmulatorPerson[] {
  let list = state.people.filter((p) => !p.deleted);
  if (o.st === 1) list = list.filter((p) => p.status === 1);
  else if (o.st === 2) list = list.filter((p) => p.status === 2);
  else if (o.st === 4) list = list.filter((p) => p.status === 1 && p.activationStatus === 2);
  if (o.type !== undefined && o.type !== 0) {
    const role = ({ 1: 'roomAdmin', 2: 'guest', 3: 'admin', 4: 'user' } as Record<number, string>)[o.type];
    list = list.filter((p) => p.role === role || (o.type === 3 && p.role === 'owner'));
  }
  const admins = o.admins;
  if (admins !== undefined) list = list.filter((p) => isAdmin(p) === (admins.toLowerCase() === 'true'));
  const text = o.text;
  if (text) {
    list = list.filter(
      (p) => p.displayName.toLowerCase().includes(text) || p.email.toLowerCase().includes(text),
    );
  }
  const key = (p: EmulatorPerson): string | number => {
    if (o.sortBy === 'firstname') return p.firstName;
    if (o.sortBy === 'lastname') return p.lastName;
    if (o.sortBy === 'email') return p.email;
    if (o.sortBy === 'registrationdate') return p.registered;
    return p.displayName;
  };
  const collator = new Intl.Collator('en');
  list.sort((a, b) => {
    const x = key(a);
    const y = key(b);
    return typeof x === 'number' && typeof y === 'number' ? x - y : collator.compare(String(x), String(y));
  });
  if (o.order === 'descending' || o.order === '1') list.reverse();
  return list;
}

function peopleList(state: EmulatorState, ctx: Ctx, filter: boolean) {
  const q = ctx.query;
  const errors: Record<string, string[]> = {};
  const intParam = (key: string, name: string, fallback: number) => {
    const raw = q.get(key.toLowerCase());
    if (raw === undefined) return fallback;
    const n = parseInt32(raw);
    if (n === undefined) {
      errors[key] = [`The value '${raw}' is not valid for ${name}.`];
      return fallback;
    }
    return n;
  };
  const count = intParam('count', 'Count', 100);
  if (!errors.count && (count < 1 || count > 100))
    errors.count = ['The field Count must be between 1 and 100.'];
  const startIndex = intParam('startIndex', 'StartIndex', 0);
  let status: number | undefined;
  let type: number | undefined;
  if (filter) {
    if (q.has('employeestatus')) status = intParam('employeeStatus', 'EmployeeStatus', 1);
    if (status !== undefined && ![1, 2, 4, 5, 7].includes(status)) {
      errors.employeeStatus = [`The value '${q.get('employeestatus')}' is not valid for EmployeeStatus.`];
    }
    if (q.has('employeetype')) type = intParam('employeeType', 'EmployeeType', 0);
  }
  if (Object.keys(errors).length) return sendValidation(ctx, errors);
  const st = status ?? 1;
  const admins = filter ? q.get('isadministrator') : undefined;
  const text = q.get('filtervalue')?.trim().toLowerCase();
  // Default order: display name ascending (what the web client asks for).
  const sortBy = (q.get('sortby') ?? 'displayname').toLowerCase();
  const order = (q.get('sortorder') ?? 'ascending').toLowerCase();
  const memoKey = JSON.stringify([st, type, admins, text, sortBy, order]);
  let list = state.peopleLists.get(memoKey);
  if (!list) {
    list = selectPeople(state, { st, type, admins, text, sortBy, order });
    if (state.peopleLists.size > 100) state.peopleLists.clear();
    state.peopleLists.set(memoKey, list);
  }
  const total = list.length;
  const page = list.slice(Math.max(0, startIndex), Math.max(0, startIndex) + count);
  const callerIsAdmin = isAdmin(ctx.identity!.person);
  sendEnvelope(
    ctx,
    page.map((p) => personDto(state, p, ctx.origin, callerIsAdmin)),
    { total },
  );
}

function personById(state: EmulatorState, ctx: Ctx) {
  const key = ctx.params[0];
  const caller = ctx.identity!.person;
  let person: EmulatorPerson | undefined;
  if (key.toLowerCase() === '@self') person = caller;
  else {
    // The server tries the user name first, then a GUID.
    person = state.findPerson(key);
    const guid = person ? undefined : parseGuid(key);
    if (guid) person = state.people.find((p) => p.id === guid && !p.deleted);
  }
  if (!person) {
    // Type name chosen by us; the server's ItemNotFoundException lives in ASC's common library.
    return sendError(
      ctx.res,
      ctx.started,
      404,
      'The user could not be found',
      'ASC.Common.Web.ItemNotFoundException',
      STACKS.notFound,
      -2146233088,
    );
  }
  sendEnvelope(ctx, personDto(state, person, ctx.origin, isAdmin(caller)));
}

function activeConnections(state: EmulatorState, ctx: Ctx): void {
  const identity = ctx.identity!;
  const person = identity.person;
  const c = state.store.columns;
  const t = state.tables;
  const since = state.now() - 365 * 86_400_000;
  const sessionId = identity.session?.session.eventId ?? 0;
  const current = { ip: ctx.ip, device: clientDevice(ctx) };
  const items: Array<Record<string, unknown>> = [];
  state.store.scan((row) => {
    if (c.time[row] < since) return false;
    if (c.user[row] !== person.userIndex || c.active[row] !== 1 || !SUCCESS_FOR_SESSIONS.has(c.action[row])) {
      return true;
    }
    const place = t.places.get(c.place[row]);
    items.push({
      id: c.id[row],
      tenantId: 1,
      userId: person.id,
      mobile: false,
      ip: place.shownIp,
      country: place.country,
      city: place.city,
      browser: t.browsers.get(c.browser[row]) ?? undefined,
      platform: t.platforms.get(c.platform[row]) ?? undefined,
      date: state.formatDate(c.time[row]),
      page: pageUrl(t.pages.get(c.page[row]), ctx.origin),
    });
    return true;
  });
  items.sort((a, b) => (b.id as number) - (a.id as number));
  const geo = (ip: string) => {
    const hit = items.find((i) => i.ip === ip.split(':')[0]);
    return { country: (hit?.country as string) ?? '', city: (hit?.city as string) ?? '' };
  };
  const here = {
    ip: current.ip.split(':')[0],
    ...geo(current.ip),
    browser: current.device.browser ?? undefined,
    platform: current.device.platform ?? undefined,
  };
  if (sessionId) {
    const at = items.findIndex((i) => i.id === sessionId);
    if (at >= 0) {
      const [mine] = items.splice(at, 1);
      items.unshift({ ...mine, ...here });
    }
  } else if (items.length === 0) {
    items.push({
      id: 0,
      tenantId: 1,
      userId: person.id,
      mobile: false,
      ...here,
      date: state.formatDate(state.now()),
      page: ctx.href,
    });
  }
  sendEnvelope(ctx, { loginEvent: sessionId, items }, { count: 1 });
}

async function login(state: EmulatorState, ctx: Ctx): Promise<void> {
  const body = await readJson(ctx);
  const dto = (body.ok ? body.value : undefined) as Record<string, unknown> | undefined;
  if (!body.ok || !dto || typeof dto !== 'object') {
    return sendValidation(ctx, { inDto: ['The inDto field is required.'] });
  }
  const userName = typeof dto.userName === 'string' ? dto.userName : '';
  const password = typeof dto.password === 'string' ? dto.password : undefined;
  const passwordHash = typeof dto.passwordHash === 'string' ? dto.passwordHash : undefined;
  const ip = ctx.ip;
  const device = clientDevice(ctx);
  const page = requestPage(ctx);
  const typed = userName.trim() ? userName : EMAIL_NOT_SPECIFIED;

  // Brute-force guard: per login and IP, counted before the credentials are checked.
  const bfKey = `${userName.toLowerCase()}|${ip}`;
  const now = Date.now();
  const attempts = (state.bruteForce.get(bfKey) ?? []).filter((t) => t > now - BRUTE_FORCE_PERIOD_MS);
  state.bruteForce.set(bfKey, attempts);
  if (attempts.length >= BRUTE_FORCE_ATTEMPTS) {
    state.writeEvent({ userId: GUEST_ID, action: 1023, login: typed, ip, device, page, active: false });
    return sendError(
      ctx.res,
      ctx.started,
      403,
      'Too many login attempts. Please try again later',
      null,
      null,
      0,
    );
  }

  const person = userName ? state.findPerson(userName) : undefined;
  const hash = (s: string) => createHash('sha256').update(s).digest('hex');
  // The web UI sends `passwordHash`; the emulator accepts the hex SHA-256 of the password there.
  const ok =
    person !== undefined &&
    ((password !== undefined && password === person.password) ||
      (passwordHash !== undefined && passwordHash.toLowerCase() === hash(person.password)));
  if (!ok) {
    attempts.push(now);
    state.writeEvent({ userId: GUEST_ID, action: 1013, login: typed, ip, device, page, active: false });
    return sendError(ctx.res, ctx.started, 401, 'User authentication failed', null, null, 0);
  }
  if (person.status !== 1) {
    // A disabled profile: InvalidOperationException → 403 (no login event is written).
    return sendError(
      ctx.res,
      ctx.started,
      403,
      'The user is disabled',
      'System.InvalidOperationException',
      STACKS.invalidOperation,
      -2146233079,
    );
  }
  if (person.tfaAppEnabled) {
    // Second factor required: 200 without a token and without an event.
    return sendEnvelope(ctx, {
      sms: false,
      tfa: true,
      tfaKey: undefined,
      confirmUrl: `${ctx.origin}/confirm/TfaAuth?type=TfaAuth&key=${randomBytes(12).toString('hex')}`,
    });
  }
  const action = password !== undefined ? 1010 : 1029;
  const eventId = state.writeEvent({ userId: person.id, action, ip, device, page, active: true });
  const token = randomBytes(36).toString('base64url');
  const session = dto.session === true;
  const expires = state.now() + TOKEN_LIFETIME_MS;
  state.sessions.set(token, { person, eventId, expires });
  ctx.res.setHeader('set-cookie', `asc_auth_key=${token}; path=/; HttpOnly; SameSite=Lax`);
  sendEnvelope(ctx, {
    token,
    // A plain DateTime (UTC, `Z`); a session-only login never expires on its own.
    expires: session ? '0001-01-01T00:00:00' : sevenDigitsUtc(expires),
    sms: false,
    tfa: false,
  });
}

function logout(state: EmulatorState, ctx: Ctx): void {
  const identity = ctx.identity!;
  if (identity.session) {
    const row = state.store.findRow(identity.session.session.eventId);
    if (row >= 0) state.store.columns.active[row] = 0;
    state.sessions.delete(identity.session.token);
  }
  state.writeEvent({
    userId: identity.person.id,
    action: 1006,
    login: identity.person.displayName,
    ip: ctx.ip,
    device: clientDevice(ctx),
    page: requestPage(ctx),
    active: false,
  });
  ctx.res.setHeader('set-cookie', 'asc_auth_key=; path=/; expires=Thu, 01 Jan 1970 00:00:00 GMT');
  sendEnvelope(ctx, null);
}
